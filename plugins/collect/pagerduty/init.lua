-- pagerduty: an incident's log entries: triggered, paged, acknowledged, escalated,
-- resolved, notes.
--
-- Live:  url = "https://api.pagerduty.com/incidents/Q1ABCDEF2GHIJ/log_entries", token_env = "PD_TOKEN"
--        GETs every page (offset/limit/more), times in UTC.
-- Saved: file = "log-entries.json": one response, several pages saved as a JSON array of
--        responses, or a bare array of entries.
local entries = require "entries"
local input = require "input"
local logtext = require "pm.logtext"
local store = require "pm.store"

-- The API token, from the environment variable that token_env names: secrets stay out of
-- pipeline files (and the host never saves request headers as evidence).
local function api_token(ctx, opts)
  if not opts.token_env then error("url = needs token_env = (the environment variable holding the API token)") end
  return store.secret(ctx, opts, "token_env")
end

return {
  name = "pagerduty",
  stage = "collect",
  version = "0.2.0",
  api = 2,
  description = "Incident log entries from PagerDuty: triggered, paged, acknowledged, escalated, resolved, notes",
  options = {
    url = { type = "url", doc = "an incident's log entries API URL, e.g. `https://api.pagerduty.com/incidents/ID/log_entries`" },
    token_env = { type = "env", doc = "environment variable holding the API token, for `url`" },
    file = { type = "file", doc = "saved GET /incidents/{id}/log_entries response(s), relative to the pipeline" },
    timeout_s = { type = "number", min = 0, doc = "seconds to wait for each page (default: the host's 30)" },
  },
  run = function(ctx, opts)
    if opts.url and opts.file then error("set either url = (live API) or file = (saved log entries), not both") end
    if not opts.url and not opts.file then error("set url = (with token_env =) or file = (a saved log_entries response)") end

    local found = logtext.problems(ctx)
    local log = entries.new(ctx, found)
    local function add(e, origin, path)
      local id = type(e) == "table" and e.id ~= nil and tostring(e.id) or path
      log.add(e, origin, path, origin .. "#" .. id)
    end
    if opts.url then
      input.fetch(ctx, opts, api_token(ctx, opts), found, add)
    else
      input.read(ctx, opts.file, found, add)
    end
    log.flush(opts.url or opts.file)
    found:warn()
  end,
}
