-- elasticsearch: log events from an Elasticsearch or OpenSearch index, for the incident
-- window, with the filtering done by the cluster.
--
--   { "elasticsearch", url = "http://es:9200", index = "logs-api-*",
--     query = "level:ERROR AND service:api",            -- or a query DSL table
--     time_field = "@timestamp", message_field = "message", fields = { "log.level", "host.name" },
--     api_key_env = "ES_API_KEY" }                        -- or user_env + password_env
--   {"@timestamp":"2025-02-09T11:05:23.250+01:00","message":"job 42 failed: timeout",...}
--   --> 10:05:23.250Z  "job 42 failed: timeout", kind error, fields["log.level"] = "ERROR"
--
-- The window is the incident's widened by `margin` (pm.store). The hits come sorted by
-- time, a page of `size` at a time, through a point in time with search_after, or a
-- scroll where the server has none (Elasticsearch before 7.10, OpenSearch before 2.4).
-- Every answer is evidence and replays offline.
local store = require "pm.store"
local logtext = require "pm.logtext"
local conversation = require "conversation"
local dsl = require "dsl"

local function config(option, problem) error(("option %s: %s"):format(option, problem), 0) end

-- The headers of every request: JSON bodies, and the credentials from the variables the
-- pipeline names (never from the pipeline file, never in a URL, never saved).
local function headers(ctx, opts)
  local h = { ["Content-Type"] = "application/json" }
  if opts.api_key_env then
    h.Authorization = "ApiKey " .. store.secret(ctx, opts, "api_key_env")
  elseif opts.user_env then
    local user = store.secret(ctx, opts, "user_env")
    local password = store.secret(ctx, opts, "password_env", { empty = true }) or ""
    h.Authorization = "Basic " .. pm.base64.encode(user .. ":" .. password)
  end
  return h
end

return {
  name = "elasticsearch",
  stage = "collect",
  version = "0.1.0",
  api = 2,
  description = "Log events from an Elasticsearch or OpenSearch index over the incident window "
    .. "(point in time with search_after, or scroll)",
  options = store.options {
    url = { type = "url", required = true, doc = "the cluster's URL, e.g. `http://es:9200`" },
    index = { type = "string", required = true, pattern = "^[^%s]+$",
      doc = "index, alias, data stream or pattern (`logs-*`, `a,b`); escaped in the path" },
    query = { type = { "string", "table" },
      doc = "the filter: a query DSL table (`{ term = { [\"log.level\"] = \"ERROR\" } }`), the same as JSON text "
        .. "(`{\"term\": ...}`), or query_string text (`level:ERROR AND service:api`); default: every document" },
    time_field = { type = "string", default = "@timestamp", doc = "the date field the window and the order use" },
    message_field = { type = "string", default = "message", doc = "the _source field that is the event text" },
    fields = { type = "list", of = "string", doc = "_source fields kept as event fields (dotted paths: `log.level`)" },
    size = { type = "integer", min = 1, max = 10000, default = 5000,
      doc = "hits per page (at most 10,000, Elasticsearch's index.max_result_window)" },
    kind = { type = "string", default = "error", doc = "the events' kind" },
    flavor = { type = "string", values = { "auto", "elasticsearch", "opensearch" }, default = "auto",
      doc = "the server: auto asks GET / (its version also says whether it has point in time)" },
    tiebreaker = { type = "string",
      doc = "a field that orders hits with the same time (default: `_shard_doc`; `_id` on OpenSearch before 3.3)" },
    user_env = { type = "env", doc = "variable holding the user name (basic auth, with password_env)" },
    password_env = { type = "env", doc = "variable holding the password (basic auth)" },
    api_key_env = { type = "env", doc = "variable holding an API key, sent as `Authorization: ApiKey ...` "
      .. "(the `encoded` value of Elasticsearch's create API key answer)" },
  },
  check = function(opts)
    local problems = store.check(opts)
    if (opts.user_env == nil) ~= (opts.password_env == nil) then
      problems[#problems + 1] = "options user_env and password_env: give both (basic auth) or neither"
    end
    if opts.api_key_env and opts.user_env then
      problems[#problems + 1] = "options api_key_env and user_env: give one way to authenticate"
    end
    local ok, problem = pcall(function()
      local _, why = dsl.user_query(opts.query)
      if why then error(why, 0) end
      if type(opts.query) == "table" then dsl.json(opts.query) end
    end)
    if not ok then problems[#problems + 1] = "option " .. tostring(problem) end
    return problems
  end,
  run = function(ctx, opts)
    local user, why = dsl.user_query(opts.query)
    if why then config("query", why) end
    local w = store.window(ctx, opts)
    local base = opts.url:gsub("/+$", "")
    local h = headers(ctx, opts)
    local reader = store.reader(ctx, opts, {
      what = opts.flavor == "opensearch" and "OpenSearch" or "Elasticsearch",
      query = dsl.shown(opts), window = w, explain = conversation.explain,
    })
    local state = { pages = 0, partial = {}, problems = logtext.problems(ctx) }
    local server = conversation.server(ctx, opts, reader, base, h)
    if server then
      if server.flavor == "opensearch" then reader.what = "OpenSearch" end
      local done
      if server.pit ~= false then
        done = conversation.pit(ctx, opts, reader, base, h, server, user, w, state)
      end
      if server.pit == false or done == "unsupported" then
        if server.pit == false then
          ctx.log.info(("%s: no point in time on this version: reading with scroll"):format(reader.what))
        end
        conversation.scroll(ctx, opts, reader, base, h, user, w, state)
      end
    end
    state.problems:warn()
    if reader.count == 0 and not reader.failed then
      ctx.log.info(("%s: no hit for %s in %s"):format(reader.what, dsl.shown(opts), store.range_text(w)))
    end
    reader:finish()
  end,
}
