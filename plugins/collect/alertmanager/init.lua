-- alertmanager: alerts firing and resolving.
--
-- Three inputs, usable together (an alert seen in several is listed once):
--   url         a live Alertmanager: GET /api/v2/alerts, the alerts alive now
--   file        the same answer saved (`amtool alert query -o json` writes the same JSON)
--   webhook_log one webhook payload (version "4") per line, as a receiver logged them: the
--               history, including resolutions. Resolved alerts vanish from the API soon
--               after they resolve, so this is the only record of when they ended.
local alerts = require "alerts"
local input = require "input"
local logtext = require "pm.logtext"

return {
  name = "alertmanager",
  stage = "collect",
  version = "0.2.0",
  api = 2,
  description = "Alerts firing and resolving, from Alertmanager's API (live or saved) or logged webhook payloads",
  options = {
    url = { type = "url", doc = "Alertmanager base URL for a live query, e.g. `http://alertmanager:9093`" },
    file = { type = "file", doc = "saved GET /api/v2/alerts or `amtool alert query -o json` output (a JSON array)" },
    webhook_log = { type = "file", doc = "file of webhook payloads, one JSON object per line" },
    filter = { type = "list", of = "string", doc = "live: matchers the alerts must match, e.g. `{ 'service=\"api\"' }`" },
    timeout_s = { type = "number", min = 0, doc = "seconds to wait for Alertmanager (default: the host's 30)" },
  },
  run = function(ctx, opts)
    if not opts.url and not opts.file and not opts.webhook_log then
      error("set url = (a live Alertmanager), file = (saved alerts JSON) or webhook_log = (webhook payloads)")
    end

    local found = logtext.problems(ctx)
    local store = alerts.new_store(found)
    local function add_all(list, origin)
      for i, alert in ipairs(list) do
        local fingerprint = type(alert) == "table" and alert.fingerprint
        store.add(alert, ("%s: [%d]"):format(origin, i),
          origin .. "#" .. (type(fingerprint) == "string" and fingerprint or tostring(i)))
      end
    end

    if opts.url then
      local list, origin = input.fetch(ctx, opts, found)
      if list then
        add_all(list, origin)
        if #list == 0 and not opts.webhook_log then
          ctx.gap(("%s lists no alerts: Alertmanager forgets alerts soon after they resolve, so the incident's "
            .. "alerts are missing (log its webhooks and pass webhook_log =)"):format(origin))
        end
      end
    end
    if opts.file then
      local list = input.read(ctx, opts.file, found)
      if list then add_all(list, opts.file) end
    end
    if opts.webhook_log then
      input.webhook_lines(ctx, opts.webhook_log, found, function(payload, lineno)
        local where = ("%s:%d"):format(opts.webhook_log, lineno)
        for i, alert in ipairs(payload.alerts) do
          -- an alert's own status wins over the payload's (a group mixes firing and resolved)
          if type(alert) == "table" and alert.status == nil then alert.status = payload.status end
          store.add(alert, ("%s: alerts[%d]"):format(where, i), where)
        end
      end)
    end

    alerts.emit(ctx, store)
    found:warn()
  end,
}
