-- A metric query (count_over_time, rate, sum by ...): its series over the window, kept for
-- the report's charts, with threshold crossings when a threshold is set.
--
-- Loki refuses a range query giving more than 11,000 points per series, as Prometheus
-- does, so with `step` set the window is split with pm.store.split into ranges on the
-- window's grid, and each series' points are joined across them (a time already read is
-- not added twice).
local store = require "pm.store"
local thousands = require("pm.postmortem").thousands
local logql = require "logql"
local streams = require "streams"

local M = {}

local SPECIAL = { ["NaN"] = "NaN", ["+Inf"] = "+Inf", ["Inf"] = "+Inf", ["-Inf"] = "-Inf" }

-- One [t, "v"] pair as a sample, or nil after telling `problems`.
local function sample(pair, at, problems)
  local t, raw = type(pair) == "table" and pair[1], type(pair) == "table" and pair[2]
  if type(t) == "string" then t = tonumber(t) end
  if type(t) ~= "number" or not pm.time.check(t) then
    problems:add("bad time", at, "is not a time in Unix seconds; point skipped")
  elseif type(raw) == "string" and SPECIAL[raw] then
    local text = SPECIAL[raw]
    return { t = t, text = text, v = text == "+Inf" and math.huge or text == "-Inf" and -math.huge or nil }
  elseif type(raw) == "string" and tonumber(raw) then
    return { t = t, v = tonumber(raw) }
  else
    problems:add("bad value", at, "is not a sample value (a number as a string); point skipped")
  end
end

-- The series of one answer's data, added to `all` (label text -> { metric, samples, seen }),
-- in the order first met. Returns how many points were new and the kind refused, if any.
local function gather(data, origin, all, order, problems)
  local result, kind = data.result, data.resultType
  local list
  if kind == "matrix" then
    list = result
  elseif kind == "vector" then
    list = {}
    for i, s in ipairs(result) do
      list[i] = type(s) == "table" and { metric = s.metric, values = { s.value } } or s
    end
  elseif kind == "scalar" then
    list = { { metric = {}, values = { result } } }
  else
    return 0, tostring(kind)
  end
  local added = 0
  for i, s in ipairs(list) do
    local where = ("%s: data.result[%d]"):format(origin, i)
    if type(s) ~= "table" or type(s.values) ~= "table" then
      problems:add("bad series", where, "is not a series (expected metric and values); skipped")
    else
      local metric = type(s.metric) == "table" and s.metric or {}
      local label = store.label(metric)
      local one = all[label]
      if not one then
        one = { metric = metric, label = label, samples = {}, seen = {} }
        all[label] = one
        order[#order + 1] = one
      end
      for j, pair in ipairs(s.values) do
        local at = ("%s.values[%d]"):format(where, j)
        local p = sample(pair, at, problems)
        if p and not one.seen[p.t] then
          p.evidence = at
          one.seen[p.t] = true
          one.samples[#one.samples + 1] = p
          added = added + 1
        end
      end
    end
  end
  return added
end

-- Reads the metric query over the window: one request per range of at most 11,000 points
-- (one request when no step is given: Loki then picks one giving far fewer points).
function M.read(ctx, opts, req, reader, problems)
  local step = req.step
  local ranges = step and store.split(req.window, step) or { req.window }
  if #ranges > 1 then
    ctx.log.info(("Loki: %s at a %ss step is more than %s points per series: %d requests")
      :format(store.range_text(req.window), store.param(step), thousands(store.MAX_POINTS), #ranges))
  end
  local all, order = {}, {}
  for i, r in ipairs(ranges) do
    local note = #ranges > 1 and ("range %d of %d: %s"):format(i, #ranges, store.range_text(r)) or nil
    local query = { query = req.query, start = logql.param(logql.ns(r.start)), ["end"] = logql.param(logql.ns(r.finish)) }
    if step then query.step = store.param(step) end
    local res = reader:request("get", req.url, { query = query, headers = req.headers }, note)
    if not res then break end -- the reader has recorded the gap from here on
    local data, reason = streams.data(res.body, res.url, problems)
    if not data then
      reader:gap(reason .. (note and (" (" .. note .. ")") or ""), r.start)
      break
    end
    local added, refused = gather(data, res.url, all, order, problems)
    if refused then
      reader:gap(("Loki answered a %s for a metric query, expected a matrix%s"):format(refused,
        refused == "streams" and " (a log query starts with its stream selector {...})" or ""), r.start)
      break
    end
    if not reader:rows(added, r.finish) then break end
  end

  local several = #order > 1 -- then event texts and chart names carry each series' labels
  for _, one in ipairs(order) do
    table.sort(one.samples, function(a, b) return a.t < b.t end)
    local above = nil
    if opts.threshold then above = opts.above end
    if #one.samples > 0 then
      ctx.series.add {
        name = several and (opts.name .. " " .. one.label) or opts.name,
        query = req.query, labels = one.metric, unit = opts.unit,
        threshold = opts.threshold, above = above, points = store.points(one.samples),
      }
    end
    if opts.threshold then
      store.crossings(ctx, { threshold = opts.threshold, above = opts.above, name = opts.name, query = req.query },
        one.samples, { label = one.label, suffix = several and (" " .. one.label) or "" })
    end
  end
  if #order == 0 and not reader.failed then
    ctx.log.info(("Loki: the metric query matched no series over %s"):format(store.range_text(req.window)))
  end
  return #order
end

return M
