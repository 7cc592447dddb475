-- loki: log lines and log metrics around the incident, asked of Grafana Loki with LogQL.
--
--   { "loki", url = "http://loki:3100", query = '{app="api"} |= "error"' }
--     GETs /loki/api/v1/query_range over the incident window widened by `margin`, page by
--     page forward in time (`limit` entries each): every entry is an event, shaped as
--     log-pattern shapes a line (event = the line, fields = the stream's labels and
--     structured metadata).
--   { "loki", url = ..., query = 'sum by (app) (count_over_time({app="api"} |= "error" [1m]))',
--     step = "1m", name = "Errors per minute", threshold = 50 }
--     a metric query: its series are kept for the report's charts (split into ranges of at
--     most 11,000 points, which Loki refuses past), with threshold crossings as events.
--
-- Multi-tenant Loki: `org_id` (the X-Scope-OrgID header); a gateway's bearer token:
-- `token_env` (the variable that holds it; the host never saves request headers).
local store = require "pm.store"
local logtext = require "pm.logtext"
local logql = require "logql"
local streams = require "streams"
local matrix = require "matrix"

local DEFAULT_LIMIT = 5000 -- Loki's max_entries_limit_per_query, by default

-- The query as sent: `contains` becomes a line filter, written as a LogQL string.
local function full_query(opts)
  if not opts.contains then return opts.query end
  return opts.query .. " |= " .. logql.quote(opts.contains)
end

local function headers(ctx, opts)
  local h = {}
  if opts.org_id then h["X-Scope-OrgID"] = opts.org_id end
  if opts.token_env then
    h.Authorization = "Bearer " .. store.secret(ctx, opts, "token_env")
  end
  return h
end

return {
  name = "loki",
  stage = "collect",
  version = "0.1.0",
  api = 2,
  description = "Log lines (events) and log metrics (series) from Grafana Loki, with LogQL over the incident window",
  options = store.options {
    url = { type = "url", required = true, doc = "Loki's base URL, e.g. `http://loki:3100` (or a gateway's)" },
    query = { type = "string", required = true,
      doc = "LogQL: a log query (`{app=\"api\"} |= \"error\"`: every entry an event) or a metric query "
        .. "(`sum(count_over_time({app=\"api\"}[1m]))`: series for the charts)" },
    contains = { type = "string",
      doc = "text a line must hold, added to a log query as the line filter `|= \"...\"` (escaped)" },
    token_env = { type = "env", doc = "environment variable holding a bearer token (the Authorization header)" },
    org_id = { type = "string", doc = "tenant of a multi-tenant Loki (the X-Scope-OrgID header)" },
    limit = { type = "integer", min = 1, default = DEFAULT_LIMIT,
      doc = "entries per request (Loki refuses more than its max_entries_limit_per_query, 5000 by default)" },
    step = { type = { "number", "string" },
      doc = "metric queries: seconds between points (`1m`); default: Loki's choice for the window" },
    kind = { type = "string", default = "error", doc = "the kind of the events of a log query" },
    name = { type = "string", default = "metric", doc = "metric queries: what the query measures, for charts and events" },
    unit = { type = "string", doc = "metric queries: the unit of the values, e.g. `req/s`" },
    threshold = { type = "number", doc = "metric queries: a value that marks trouble; crossings become events" },
    above = { type = "boolean", default = true, doc = "true: values above the threshold breach it; false: below" },
  },
  check = function(opts)
    local problems = store.check(opts)
    if opts.step ~= nil then
      local step, problem = store.seconds(opts.step, "step")
      if not step then problems[#problems + 1] = "option " .. problem
      elseif step <= 0 then problems[#problems + 1] = "option step: must be positive" end
    end
    if opts.query and not opts.query:find("%S") then problems[#problems + 1] = "option query: is empty" end
    if opts.contains and opts.query and not logql.is_log_query(opts.query) then
      problems[#problems + 1] = "option contains: only a log query ({...}) takes a line filter"
    end
    return problems
  end,
  run = function(ctx, opts)
    local query = full_query(opts)
    local w = store.window(ctx, opts)
    local req = {
      url = opts.url:gsub("/+$", "") .. "/loki/api/v1/query_range",
      query = query, window = w, limit = opts.limit, headers = headers(ctx, opts),
      step = opts.step ~= nil and assert(store.seconds(opts.step, "step")) or nil,
    }
    local reader = store.reader(ctx, opts, { what = "Loki", query = query, window = w })
    local problems = logtext.problems(ctx)
    if logql.is_log_query(query) then
      local n = streams.read(ctx, opts, req, reader, problems)
      if n == 0 and not reader.failed then
        ctx.log.info(("Loki: no entry matched over %s"):format(store.range_text(w)))
      end
    else
      matrix.read(ctx, opts, req, reader, problems)
    end
    problems:warn()
    reader:finish()
  end,
}
