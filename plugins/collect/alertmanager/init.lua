-- alertmanager: alerts firing and resolving.
--
-- Two inputs, usable together:
--   file        GET /api/v2/alerts or `amtool alert query -o json`: the alerts alive at export
--               time (resolved alerts vanish from the API soon after they resolve)
--   webhook_log one webhook payload (version "4") per line, as a receiver logged them: the
--               history, including resolutions

-- Webhook payloads of firing alerts carry this endsAt: "not ended".
local ZERO_TIME = "0001-01-01T00:00:00Z"

local function time_of(text)
  if type(text) ~= "string" or text:sub(1, 4) == "0001" then return nil end
  return pm.time.parse(text)
end

-- One record per alert occurrence (fingerprint + startsAt), however often it was seen.
local function new_store()
  local store = { order = {}, by_key = {} }
  function store.add(alert, evidence, resolved)
    local fingerprint = alert.fingerprint
    if type(fingerprint) ~= "string" then -- very old payloads: identify the alert by its labels
      local parts = {}
      for k, v in pairs(alert.labels or {}) do parts[#parts + 1] = k .. "=" .. tostring(v) end
      table.sort(parts)
      fingerprint = table.concat(parts, ",")
    end
    local key = fingerprint .. "@" .. tostring(alert.startsAt)
    local rec = store.by_key[key]
    if not rec then
      rec = { alert = alert, fingerprint = fingerprint, evidence = evidence }
      store.by_key[key] = rec
      store.order[#store.order + 1] = rec
    end
    local state = type(alert.status) == "table" and alert.status.state
    if state == "suppressed" then rec.silenced = true end
    if resolved and alert.endsAt ~= ZERO_TIME then rec.ended, rec.ended_evidence = alert.endsAt, evidence end
  end
  return store
end

local function read_api_file(ctx, store, path)
  local ok, alerts = pcall(pm.json.decode, ctx.fs.read(path))
  if not ok then error(("%s is not Alertmanager JSON: %s"):format(path, alerts)) end
  if type(alerts) ~= "table" or (next(alerts) ~= nil and alerts[1] == nil) then
    error(path .. " is not a JSON array of alerts (GET /api/v2/alerts or `amtool alert query -o json`)")
  end
  for _, alert in ipairs(alerts) do
    -- For an active or silenced alert, endsAt is only "last seen + resolve_timeout": a
    -- guess that moves forward while the alert keeps firing, not its end.
    -- ("unprocessed" is an alert that just arrived: still firing.)
    local state = type(alert.status) == "table" and alert.status.state or "active"
    local firing = state == "active" or state == "suppressed" or state == "unprocessed"
    store.add(alert, path .. "#" .. tostring(alert.fingerprint), not firing)
  end
end

local function read_webhook_log(ctx, store, path)
  for line, lineno in ctx.fs.lines(path) do
    if line:find("%S") then
      local ok, payload = pcall(pm.json.decode, line)
      if not ok or type(payload) ~= "table" or type(payload.alerts) ~= "table" then
        ctx.log.warn(("%s:%d: not a webhook payload, line skipped"):format(path, lineno))
      else
        if payload.version ~= nil and payload.version ~= "4" then
          ctx.log.warn(("%s:%d: webhook payload version %s (expected \"4\")"):format(path, lineno, tostring(payload.version)))
        end
        for _, alert in ipairs(payload.alerts) do
          local status = alert.status or payload.status
          store.add(alert, path .. ":" .. lineno, status == "resolved")
        end
      end
    end
  end
end

return {
  name = "alertmanager",
  stage = "collect",
  version = "0.1.0",
  api = 1,
  description = "Alerts firing and resolving, from Alertmanager's API output or logged webhook payloads",
  options = {
    file = { type = "string", doc = "saved GET /api/v2/alerts or `amtool alert query -o json` output (a JSON array)" },
    webhook_log = { type = "string", doc = "file of webhook payloads, one JSON object per line" },
    url = { type = "string", doc = "Alertmanager base URL for a live query (not supported yet: use `file`)" },
  },
  run = function(ctx, opts)
    if not opts.file and not opts.webhook_log then
      if opts.url then
        -- TODO: GET opts.url .. "/api/v2/alerts" through ctx.http once the host provides it.
        ctx.gap("live Alertmanager queries are not supported yet; save `amtool alert query -o json` output and pass file =")
        return
      end
      error("set file = (saved alerts JSON), webhook_log = (webhook payloads) or url =")
    end

    local store = new_store()
    if opts.file then read_api_file(ctx, store, opts.file) end
    if opts.webhook_log then read_webhook_log(ctx, store, opts.webhook_log) end

    for _, rec in ipairs(store.order) do
      local a = rec.alert
      local labels, annotations = a.labels or {}, a.annotations or {}
      local what = annotations.summary or labels.alertname or "unnamed"
      local fields = { alertname = labels.alertname, severity = labels.severity, fingerprint = rec.fingerprint,
        silenced = rec.silenced or nil }
      local started = time_of(a.startsAt)
      if not started then
        ctx.log.warn(("%s: alert %s has no readable startsAt (%s), skipped"):format(rec.evidence, what, tostring(a.startsAt)))
      else
        ctx.timeline:add {
          time = started, kind = "alert_fired", evidence = rec.evidence, fields = fields,
          event = what .. " alert fires" .. (rec.silenced and " (silenced)" or ""),
        }
        local ended = time_of(rec.ended)
        if ended then
          ctx.timeline:add {
            time = ended, kind = "alert_resolved", evidence = rec.ended_evidence, fields = fields,
            event = what .. " alert resolves",
          }
        end
      end
    end
  end,
}
