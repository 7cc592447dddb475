-- The query_range responses to read, from a saved file or a live query, checked down to
-- their lists of series. A live query too long for one request is read in consecutive
-- ranges (pm.store.split), one request each; series.join puts them back together.
-- Whatever goes wrong becomes a data gap naming the file, or the query and the range.
local jsoninput = require "pm.jsoninput"
local store = require "pm.store"
local thousands = require("pm.postmortem").thousands

local M = {}

-- The series of a response document, or nil and a reason. Prometheus' own error
-- (`{"status":"error","errorType":"bad_data","error":"..."}`) is the reason when there is one.
local function result_of(ctx, doc, origin)
  if type(doc) ~= "table" or doc[1] ~= nil then
    return nil, origin .. " is not a Prometheus API response (expected an object with status and data)"
  end
  if doc.status == "error" then
    return nil, ("Prometheus answered %s: %s"):format(tostring(doc.errorType or "error"), tostring(doc.error))
  end
  for _, w in ipairs(type(doc.warnings) == "table" and doc.warnings or {}) do
    ctx.log.warn(("%s: Prometheus warning: %s"):format(origin, tostring(w)))
  end
  for _, i in ipairs(type(doc.infos) == "table" and doc.infos or {}) do
    ctx.log.info(("%s: Prometheus info: %s"):format(origin, tostring(i)))
  end
  local data = doc.data
  if type(data) ~= "table" or type(data.result) ~= "table" then
    return nil, origin .. " has no data.result: is it a query_range response?"
  end
  if data.resultType == "matrix" or data.resultType == "vector" then return data.result end
  if data.resultType == "scalar" then -- `[t, "v"]`: one series without labels
    return { { metric = {}, value = data.result } }
  end
  return nil, ("%s: data.resultType is %s; expected matrix (a range query)"):format(origin,
    tostring(data.resultType))
end

-- A saved response: a list of one { result, origin } (the series and the file's name), or
-- nil after recording a gap.
function M.read(ctx, path, problems)
  local doc, reason = jsoninput.read(ctx, path, problems)
  local result
  if doc then result, reason = result_of(ctx, doc, path) end
  if not result then
    ctx.gap(reason)
    return nil
  end
  return { { result = result, origin = path } }
end

-- A store's refusal of a range as too many points per series: Prometheus and Thanos, Cortex
-- and Mimir answer 400 bad_data "exceeded maximum resolution of 11,000 points per
-- timeseries"; VictoriaMetrics 422 "too many points for the given step=..." (past its
-- -search.maxPointsPerTimeseries). Asking in smaller ranges is the cure for both.
local TOO_MANY = { "too many points", "exceeded maximum resolution", "maximum resolution of" }

local function too_many_points(res)
  if res.status ~= 400 and res.status ~= 422 then return false end
  local body = (res.body or ""):lower()
  for _, phrase in ipairs(TOO_MANY) do
    if body:find(phrase, 1, true) then return true end
  end
  return false
end

-- Times a store may refuse a range as too large before its range is given up as a gap:
-- each refusal halves the ranges, so 8 reach 1/256 of `max_points`.
M.MAX_REFUSALS = 8

-- The points of range `r` at `step` on its own grid.
local function points_in(r, step)
  return math.floor((r.finish - r.start) / step + 1e-9) + 1
end

-- The live query: GET url/api/v1/query_range over the window (pm.store: the incident's
-- with the margin, or start/end) at the step asked for, in consecutive ranges of at most
-- `max_points` points per series. Returns the list of { result, origin, range } read
-- (ranges that failed are gaps naming them; the others are kept), the window, and the
-- reader (for its summary).
function M.fetch(ctx, opts, problems)
  local w = store.window(ctx, opts)
  local step = assert(store.seconds(opts.step, "step"))
  local max_points = opts.max_points or store.MAX_POINTS
  local url = opts.url:gsub("/+$", "") .. "/api/v1/query_range"
  local reader = store.reader(ctx, opts, { what = "Prometheus", query = opts.query, window = w })

  local ranges = store.split(w, step, max_points)
  local read, refusals, i = {}, 0, 1
  while i <= #ranges do
    local r = ranges[i]
    reader:part(("range %d/%d"):format(i, #ranges))
    local refused -- the answer, when the store refused the range as too many points
    local res = reader:request("get", url, {
      query = { query = opts.query, start = store.param(r.start), ["end"] = store.param(r.finish),
        step = store.param(step) },
      range = r,
      accept = function(answer)
        if too_many_points(answer) then refused = answer end
        return refused ~= nil
      end,
    })
    if refused and (refusals >= M.MAX_REFUSALS or points_in(r, step) == 1) then
      -- Refused even in ranges this small: the rest of the window would be too.
      local said = (refused.body or ""):gsub("%s+", " ")
      if #said > 300 then said = said:sub(1, 297) .. "..." end
      reader:gap(("not read: refused as too many points even in ranges of %s points, after %d smaller tries: HTTP %d: %s")
        :format(thousands(points_in(r, step)), refusals, refused.status, said), { start = r.start, finish = w.finish })
      break
    elseif refused then
      -- Too many points for this store: the rest of the window again, in halves of this range.
      refusals = refusals + 1
      local n = points_in(r, step)
      max_points = math.max(1, math.ceil(n / 2))
      local rest = store.split({ start = r.start, finish = w.finish }, step, max_points)
      ctx.log.info(("Prometheus refused %s points per series for %s (too many points); "
        .. "asking again in ranges of at most %s points"):format(thousands(n), store.range_text(r),
        thousands(max_points)))
      for k = #ranges, i, -1 do table.remove(ranges, k) end
      for _, part in ipairs(rest) do ranges[#ranges + 1] = part end
    else
      if res then
        local origin = res.url or url
        local doc, problem = jsoninput.decode(res.body or "", origin, problems)
        local result
        if doc then result, problem = result_of(ctx, doc, origin) end
        if result then
          if type(doc) == "table" and doc.isPartial == true then -- VictoriaMetrics cluster
            reader:gap("the store answered a partial response (isPartial: some storage nodes did not answer); "
              .. "its points are kept", r)
          end
          read[#read + 1] = { result = result, origin = origin, range = r }
          local n = 0
          for _, s in ipairs(result) do
            if type(s) == "table" and type(s.values) == "table" then n = n + #s.values end
          end
          if not reader:rows(n, r.finish) then break end
        else
          reader:gap(problem, r)
        end
      end
      if reader:stopped() then break end
      i = i + 1
    end
  end
  reader:finish()
  return read, w, reader
end

return M
