-- The query_range response to read, from a saved file or a live query, checked down to
-- its list of series. Whatever goes wrong becomes a data gap naming the file or URL, and
-- the functions return nil.
local window = require "window"
local jsoninput = require "pm.jsoninput"

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

-- A saved response: the series and the file's name, or nil after recording a gap.
function M.read(ctx, path, problems)
  local doc, reason = jsoninput.read(ctx, path, problems)
  local result
  if doc then result, reason = result_of(ctx, doc, path) end
  if not result then
    ctx.gap(reason)
    return nil
  end
  return result, path
end

-- GET url/api/v1/query_range for the range `w` (from window.live): the series and the
-- URL fetched, or nil after recording a gap with Prometheus' answer.
function M.fetch(ctx, opts, w, problems)
  local url = opts.url:gsub("/+$", "") .. "/api/v1/query_range"
  local gap_window = { window = { start = w.start, ["end"] = w.finish } }
  local res, reason = ctx.http.get(url, {
    query = { query = opts.query, start = window.param(w.start), ["end"] = window.param(w.finish),
      step = window.param(w.step) },
    timeout_s = opts.timeout_s,
    gap = false,
  })
  if not res then
    ctx.gap("no answer from Prometheus: " .. tostring(reason), gap_window) -- reason names the request
    return nil
  end
  local origin = res.url or url
  local doc, problem = jsoninput.decode(res.body or "", origin, problems)
  local result
  if doc then result, problem = result_of(ctx, doc, origin) end
  if res.status < 200 or res.status > 299 then
    -- 400 bad_data (a bad query or step), 422 (cannot execute), 503 (timeout), or a proxy's page.
    local said = (doc and result == nil and problem)
      or (res.body or ""):gsub("%s+", " "):sub(1, 200)
    ctx.gap(("%s answered HTTP %d: %s"):format(url, res.status, said), gap_window)
    return nil
  end
  if not result then
    ctx.gap(problem, gap_window)
    return nil
  end
  return result, origin
end

return M
