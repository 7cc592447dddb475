-- Alertmanager's JSON from a saved file, a live API call or a webhook log. Whatever cannot
-- be read becomes a data gap (a whole input) or a warning (one line), naming the file and
-- line or the URL.
local jsoninput = require "pm.jsoninput"

local M = {}

-- The alert list of GET /api/v2/alerts (also `amtool alert query -o json`): a JSON array.
local function alerts_of(doc, origin)
  if type(doc) == "table" and (doc[1] ~= nil or next(doc) == nil) then return doc end
  if type(doc) == "table" and type(doc.data) == "table" and doc.data[1] ~= nil then
    return doc.data -- API v1 (Alertmanager before 0.27): {"status":"success","data":[...]}
  end
  return nil, origin .. " is not a JSON array of alerts (GET /api/v2/alerts or `amtool alert query -o json`)"
end

-- A saved API answer: the alerts, or nil after recording a gap.
function M.read(ctx, path, problems)
  local doc, reason = jsoninput.read(ctx, path, problems)
  local alerts
  if doc ~= nil then alerts, reason = alerts_of(doc, path) end
  if not alerts then ctx.gap(reason) end
  return alerts
end

-- GET url/api/v2/alerts (every state: active, silenced, inhibited, unprocessed). The
-- alerts and the URL fetched, or nil after recording a gap with Alertmanager's answer.
function M.fetch(ctx, opts, problems)
  local url = opts.url:gsub("/+$", "") .. "/api/v2/alerts"
  local query = {}
  for _, matcher in ipairs(opts.filter or {}) do query[#query + 1] = { "filter", tostring(matcher) } end
  local res, reason = ctx.http.get(url, { query = query, timeout_s = opts.timeout_s, gap = false })
  if not res then
    ctx.gap("no answer from Alertmanager: " .. tostring(reason)) -- reason names the request
    return nil
  end
  local origin = res.url or url
  local doc, problem = jsoninput.decode(res.body or "", origin, problems)
  if res.status < 200 or res.status > 299 then
    -- Alertmanager's errors are a JSON string (`"bad matcher format: ..."`) or {code, message}.
    local said = type(doc) == "string" and doc or type(doc) == "table" and doc.message
      or (res.body or ""):gsub("%s+", " "):sub(1, 200)
    ctx.gap(("%s answered HTTP %d: %s"):format(url, res.status, tostring(said)))
    return nil
  end
  local alerts
  if doc ~= nil then alerts, problem = alerts_of(doc, origin) end
  if not alerts then
    ctx.gap(problem)
    return nil
  end
  return alerts, origin
end

-- Each webhook payload of a log with one JSON object per line: calls fn(payload, lineno).
-- Lines that are not payloads are warned about (once per kind) and skipped.
function M.webhook_lines(ctx, path, problems, fn)
  if not ctx.fs.exists(path) then
    ctx.gap(("cannot read %s (paths are relative to the pipeline folder)"):format(path))
    return
  end
  local any = false
  for lineno, line in ctx.fs.lines(path) do
    if line:find("%S") then
      any = true
      local where = ("%s:%d"):format(path, lineno)
      line = jsoninput.valid_utf8(line, where, problems, true)
      local ok, payload = pcall(pm.json.decode, line)
      if not ok then
        problems:add("not json", where, ("not JSON (%s); line skipped"):format(tostring(payload):gsub("^pm%.json%.decode: ", "")))
      elseif type(payload) ~= "table" or type(payload.alerts) ~= "table" then
        problems:add("not payload", where, "not a webhook payload (no alerts list); line skipped")
      else
        if payload.version ~= "4" then
          problems:add("version", where, ("webhook payload version %s, expected \"4\"; read anyway"):format(
            payload.version == nil and "missing" or pm.json.encode(payload.version)))
        end
        fn(payload, lineno)
      end
    end
  end
  if not any then ctx.gap(path .. " is empty") end
end

return M
