-- The elasticsearch collector. Two kinds of test:
--  * replayed conversations: fixtures/*-evidence are what `pmhost run` saved from the
--    recorded-response server playing Tests/IntegrationTests/Data/recorded/es-*.json and
--    opensearch-pit.json (answers in the documented formats of the Elasticsearch and
--    OpenSearch APIs), run again through the real host exactly as `pmhost run --replay`;
--  * a stand-in ctx whose http answers from a list, to check the requests (headers,
--    paths, bodies) and what each kind of failure becomes.
local INCIDENT = { id = "PM-ES-1", title = "API errors", started_at = "2025-02-09T10:05:00Z",
  ended_at = "2025-02-09T11:40:00Z" }
local GTE, LT = 1739094600000, 1739102100000 -- the incident with the 15m margin, in ms

local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do out[i] = e.time .. " " .. e.kind .. " " .. e.event end
  return out
end

local function messages(list)
  local out = {}
  for i, w in ipairs(list or {}) do out[i] = w.message or w.reason end
  return out
end

describe("elasticsearch (replayed conversations)", function()
  it("pages a point in time 3 times with search_after, using the latest pit_id, and closes it", function()
    local r = plugin.run({ url = "http://127.0.0.1:19200/es-pit", index = "logs-api-*",
      query = "log.level:ERROR AND service:api", fields = { "log.level", "host.name" }, size = 3,
      user_env = "ES_USER", password_env = "ES_PASSWORD" },
      { incident = INCIDENT, replay = "fixtures/es-pit-evidence", env = { ES_USER = "elastic", ES_PASSWORD = "s3cret pass" } })
    assert.is_nil(r.error)
    assert.same({}, r.gaps)
    local long = "stack: " .. ("at com.example.Handler.run(Handler.java:42) "):rep(5)
    assert.same({
      "2025-02-09T10:05:23.250Z error upstream timed out (110: Connection timed out) while reading response header",
      "2025-02-09T10:06:10.500Z error ERROR payment failed code=502", -- colour codes and the tab gone
      "2025-02-09T10:08:20.000Z error line one ERROR 2025-02-09T09:00:00Z injected fake line", -- one line
      "2025-02-09T10:08:20.000Z error <script>alert(1)</script> | --- | **bold** [link](http://evil.example) {{title}}",
      "2025-02-09T10:12:00.125Z error " .. long:sub(1, 199):gsub(" $", "") .. "…", -- 200 characters at most
      "2025-02-09T11:30:00.000Z error ошибка соединения: connection reset by peer (attempt 3) 🔥",
    }, rows(r))
    local e = r.events[2]
    assert.equals("2025-02-09T11:06:10.500+01:00", e.time_text) -- as written in _source
    assert.same({ ["log.level"] = "ERROR", ["host.name"] = "api-2" }, e.fields) -- nested and dotted keys
    assert.equals(e.event, e.group)
    assert.equals("POST http://127.0.0.1:19200/es-pit/_search page 1, hits.hits[2] (_id a2)", e.evidence)
    assert.equals("1739095700000", r.events[3].time_text) -- epoch millis in _source
    assert.equals("POST http://127.0.0.1:19200/es-pit/_search page 3, hits.hits[1] (_id a7)", r.events[6].evidence)
    assert.same({ "POST http://127.0.0.1:19200/es-pit/_search page 2, hits.hits[2] (_id a5): no message in _source; "
      .. "left out of the timeline" }, messages(r.warnings))
  end)

  it("fails as a gap naming the query when the replayed requests differ (another query)", function()
    local r = plugin.run({ url = "http://127.0.0.1:19200/es-pit", index = "logs-api-*", query = "log.level:WARN", size = 3,
      fields = { "log.level", "host.name" }, user_env = "ES_USER", password_env = "ES_PASSWORD" },
      { incident = INCIDENT, replay = "fixtures/es-pit-evidence", env = { ES_USER = "elastic", ES_PASSWORD = "x" } })
    assert.equals(0, #r.events)
    assert.equals(1, #r.gaps)
    assert.matches("^Elasticsearch query `logs%-api%-%* log%.level:WARN`, 2025%-02%-09T09:50:00%.000Z to "
      .. "2025%-02%-09T11:55:00%.000Z: no answer: .*not in the replayed evidence", r.gaps[1].reason)
  end)

  it("reads OpenSearch's point in time (pit_id, _id as tie-breaker, hits with the same time kept)", function()
    local r = plugin.run({ url = "http://127.0.0.1:19200/opensearch-pit", index = "app-logs", size = 2,
      query = { term = { ["log.level"] = "ERROR" } }, fields = { "log.level", "host.name" },
      user_env = "OS_USER", password_env = "OS_PASSWORD", kind = "db_error" },
      { incident = INCIDENT, replay = "fixtures/opensearch-pit-evidence", env = { OS_USER = "admin", OS_PASSWORD = "admin" } })
    assert.is_nil(r.error)
    assert.same({}, r.gaps)
    assert.same({
      "2025-02-09T10:07:00.000Z db_error db pool exhausted (max=50)",
      "2025-02-09T10:07:00.000Z db_error db pool exhausted (max=50)",
      "2025-02-09T10:41:30.000Z db_error pool resized to 200",
    }, rows(r))
    assert.same({ "db-proxy-1", "db-proxy-2" }, { r.events[1].fields["host.name"], r.events[2].fields["host.name"] })
  end)

  it("falls back to scroll when opening a point in time is refused like an old server (400)", function()
    local r = plugin.run({ url = "http://127.0.0.1:19200/es-scroll", index = "legacy-logs", flavor = "elasticsearch", size = 2,
      query = { match_all = {} }, fields = { "log.level", "host.name" }, api_key_env = "ES_API_KEY" },
      { incident = INCIDENT, replay = "fixtures/es-scroll-evidence",
        env = { ES_API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==" } })
    assert.is_nil(r.error)
    assert.same({}, r.gaps)
    assert.same({
      "2025-02-09T10:30:00.000Z error worker 0: job failed: timeout",
      "2025-02-09T10:31:00.000Z error worker 1: job failed: timeout",
      "2025-02-09T10:32:00.000Z error worker 2: job failed: timeout",
      "2025-02-09T10:33:00.000Z error worker 3: job failed: timeout",
      "2025-02-09T10:34:00.000Z error worker 4: job failed: timeout",
    }, rows(r))
    assert.equals("POST http://127.0.0.1:19200/es-scroll/legacy-logs/_search?scroll=1m page 1, hits.hits[1] (_id l0)",
      r.events[1].evidence)
    assert.equals("POST http://127.0.0.1:19200/es-scroll/_search/scroll page 3, hits.hits[1] (_id l4)", r.events[5].evidence)
  end)

  it("keeps a partial page's hits with a gap naming the failed shard, and a refused page (429) as a gap", function()
    local r = plugin.run({ url = "http://127.0.0.1:19200/es-error", index = "logs-api-*", flavor = "elasticsearch", size = 2,
      query = "checkout", fields = { "log.level", "host.name" }, api_key_env = "ES_API_KEY" },
      { incident = INCIDENT, replay = "fixtures/es-error-evidence",
        env = { ES_API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==" } })
    assert.is_nil(r.error)
    assert.same({ "2025-02-09T10:20:00.000Z error checkout: 502 from payments",
      "2025-02-09T10:25:00.000Z error checkout: 502 from payments" }, rows(r))
    assert.same({
      "Elasticsearch query `logs-api-* checkout`, 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z: 1 of 3 shards "
        .. "failed (partial results): logs-api-2025.02.08 shard 1: node_not_connected_exception: [es-2][10.0.0.7:9300] "
        .. "Node not connected (POST http://127.0.0.1:19200/es-error/_search page 1); hits may be missing from here on",
      "Elasticsearch query `logs-api-* checkout`, 2025-02-09T10:25:00.000Z to 2025-02-09T11:55:00.000Z: HTTP 429: "
        .. "search_phase_execution_exception: all shards failed (root cause: es_rejected_execution_exception: "
        .. "rejected execution of org.elasticsearch.action.search.SearchQueryThenFetchAsyncAction on "
        .. "EsThreadPoolExecutor[name = es-1/search, queue capacity = 1000, task count = 1012]) (page 2)",
    }, messages(r.gaps))
    assert.equals("2025-02-09T09:50:00.000Z", r.gaps[1].window.start) -- from the partial page on
    assert.equals("2025-02-09T10:25:00.000Z", r.gaps[2].window.start) -- from the last hit read
    assert.equals("2025-02-09T11:55:00.000Z", r.gaps[2].window["end"])
  end)
end)

-- The stand-in: requests recorded, answers from a list ({ status, body } or { reason }).
local init = require "init"
local hits = require "hits"
local dsl = require "dsl"

local function fake_ctx(answers, env)
  local ctx = { requests = {}, events = {}, gaps = {}, warnings = {}, infos = {},
    incident = { start = 1739095500, ["end"] = 1739101200 } } -- 10:05 to 11:40
  ctx.log = {
    warn = function(m) ctx.warnings[#ctx.warnings + 1] = m end,
    info = function(m) ctx.infos[#ctx.infos + 1] = m end,
    debug = function() end,
  }
  ctx.progress = function() end
  ctx.env = function(name) return (env or {})[name] end
  ctx.gap = function(reason, extra) ctx.gaps[#ctx.gaps + 1] = { reason = reason, window = extra and extra.window } end
  ctx.timeline = { add = function(ev) ctx.events[#ctx.events + 1] = ev end }
  local function answer(method)
    return function(url, o)
      ctx.requests[#ctx.requests + 1] = { method = method, url = url, opts = o }
      local a = table.remove(answers, 1)
      if not a then return nil, method .. " " .. url .. ": no more answers" end
      if a.reason then return nil, a.reason end
      return { status = a.status or 200, body = a.body, headers = { ["content-type"] = "application/json" }, url = url }
    end
  end
  ctx.http = { get = answer("GET"), post = answer("POST"), delete = answer("DELETE") }
  return ctx
end

local function live(opts, answers, env)
  local o = { margin = "15m", max_rows = 1000000, max_mb = 256, time_field = "@timestamp", message_field = "message",
    size = 5000, kind = "error", flavor = "elasticsearch" }
  for k, v in pairs(opts) do o[k] = v end
  local ctx = fake_ctx(answers, env)
  init.run(ctx, o)
  return ctx
end

local PIT = '{"id":"p1"}'
local function hits_page(list, extra)
  local hs = {}
  for i, h in ipairs(list) do
    hs[i] = ('{"_index":"logs","_id":"h%d","_source":{"@timestamp":"%s","message":%s},"sort":[%d,%d]}')
      :format(i, pm.time.format(h[1]), pm.json.encode(h[2]), math.floor(h[1] * 1000), i)
  end
  return '{"pit_id":"p1","timed_out":' .. ((extra or {}).timed_out and "true" or "false")
    .. ',"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"hits":[' .. table.concat(hs, ",") .. "]}}"
end
local OK = { body = '{"succeeded":true,"num_freed":1}' }

describe("elasticsearch (requests)", function()
  it("sends basic auth built from the variables, JSON bodies, and the index escaped in the path", function()
    local ctx = live({ url = "http://es:9200/", index = "logs-*,audit/../x?y", user_env = "U", password_env = "P", size = 2 },
      { { body = PIT }, { body = hits_page { { 1739095600, "boom" } } }, OK },
      { U = "elastic", P = "pä:ss" })
    local r = ctx.requests
    assert.equals(3, #r)
    assert.equals("http://es:9200/logs-*,audit%2F..%2Fx%3Fy/_pit", r[1].url)
    assert.same({ keep_alive = "1m" }, r[1].opts.query)
    assert.equals("Basic " .. pm.base64.encode("elastic:pä:ss"), r[1].opts.headers.Authorization)
    assert.equals("elastic:pä:ss", pm.base64.decode(r[2].opts.headers.Authorization:sub(7)))
    assert.equals("application/json", r[2].opts.headers["Content-Type"])
    assert.equals("http://es:9200/_search", r[2].url)
    assert.same({
      _source = { "@timestamp", "message" }, pit = { id = "p1", keep_alive = "1m" }, size = 2,
      query = { bool = { filter = { { range = { ["@timestamp"] = { gte = GTE, lt = LT, format = "epoch_millis" } } } } } },
      sort = { { ["@timestamp"] = { order = "asc" } }, { _shard_doc = "asc" } }, track_total_hits = false,
    }, pm.json.decode(r[2].opts.body))
    assert.equals("DELETE", r[3].method)
    assert.equals("http://es:9200/_pit", r[3].url)
    assert.equals('{"id":"p1"}', r[3].opts.body)
    assert.equals(1, #ctx.events)
  end)

  it("sends an API key as it is, and no Authorization without credentials", function()
    local ctx = live({ url = "http://es:9200", index = "logs", api_key_env = "K" },
      { { body = PIT }, { body = hits_page {} }, OK }, { K = "a2V5OnNlY3JldA==" })
    assert.equals("ApiKey a2V5OnNlY3JldA==", ctx.requests[2].opts.headers.Authorization)
    ctx = live({ url = "http://es:9200", index = "logs" }, { { body = PIT }, { body = hits_page {} }, OK })
    assert.is_nil(ctx.requests[1].opts.headers.Authorization)
    assert.has_error(function() live({ url = "http://es:9200", index = "logs", api_key_env = "K" }, {}, {}) end,
      "option api_key_env: the environment variable K is not set: export it before the run")
  end)

  it("writes a DSL table with empty objects as {}, JSON text as given, other text as query_string", function()
    assert.equals('{"bool":{"must":[{"match_all":{}}],"must_not":{"term":{"a.b":"x\\""}}}}',
      dsl.json { bool = { must = { { match_all = {} } }, must_not = { term = { ["a.b"] = 'x"' } } } })
    assert.same({ match = { message = "timeout" } }, dsl.user_query('  {"match": {"message": "timeout"}}'))
    assert.same({ query_string = { query = 'message:"a} OR {b"' } }, dsl.user_query('message:"a} OR {b"'))
    local _, why = dsl.user_query("{not json")
    assert.matches("^query: the text starts with { but is not JSON", why)
  end)

  it("asks GET / which server it is: OpenSearch before 2.4 has no point in time and reads with scroll", function()
    local ctx = live({ url = "http://os:9200", index = "logs", flavor = "auto", size = 10 }, {
      { body = '{"version":{"distribution":"opensearch","number":"1.3.14"}}' },
      { body = '{"_scroll_id":"s1","timed_out":false,"_shards":{"total":1,"successful":1,"failed":0},'
        .. '"hits":{"total":{"value":1,"relation":"eq"},"hits":[{"_id":"x","_source":{"@timestamp":"2025-02-09T10:30:00Z",'
        .. '"message":"m"},"sort":[1739097000000]}]}}' },
      OK,
    })
    assert.same({ "GET", "POST", "DELETE" }, { ctx.requests[1].method, ctx.requests[2].method, ctx.requests[3].method })
    assert.equals("http://os:9200/logs/_search", ctx.requests[2].url)
    assert.same({ scroll = "1m" }, ctx.requests[2].opts.query)
    assert.equals('{"scroll_id":["s1"]}', ctx.requests[3].opts.body)
    assert.equals(1, #ctx.events)
    assert.same({}, ctx.gaps)
  end)
end)

describe("elasticsearch (failures)", function()
  local function reasons(ctx)
    local out = {}
    for i, g in ipairs(ctx.gaps) do out[i] = g.reason end
    return out
  end
  local Q = "Elasticsearch query `logs`, 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z: "

  it("turns a 401 into a gap with Elasticsearch's reason, and does not fall back to scroll", function()
    local ctx = live({ url = "http://es:9200", index = "logs", flavor = "auto" }, { {
      status = 401,
      body = '{"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication credentials for REST '
        .. 'request [/]"}],"type":"security_exception","reason":"missing authentication credentials for REST request [/]"},'
        .. '"status":401}',
    } })
    assert.same({ Q .. "HTTP 401: security_exception: missing authentication credentials for REST request [/] "
      .. "(GET / (which server))" }, reasons(ctx))
    assert.equals(1, #ctx.requests)
  end)

  it("does not fall back to scroll when the index does not exist (404 index_not_found_exception)", function()
    local ctx = live({ url = "http://es:9200", index = "logs" }, { {
      status = 404,
      body = '{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [logs]"}],'
        .. '"type":"index_not_found_exception","reason":"no such index [logs]"},"status":404}',
    } })
    assert.same({ Q .. "HTTP 404: index_not_found_exception: no such index [logs] (opening the point in time)" },
      reasons(ctx))
    assert.equals(1, #ctx.requests)
  end)

  it("turns a 503 page, a time-out and a truncated answer into gaps from where the reading stood", function()
    local ctx = live({ url = "http://es:9200", index = "logs" },
      { { body = PIT }, { status = 503, body = "<html><body>\n503 Service Unavailable</body></html>" }, OK })
    assert.same({ Q .. "HTTP 503: <html><body> 503 Service Unavailable</body></html> (page 1)" }, reasons(ctx))
    assert.equals("DELETE", ctx.requests[3].method) -- the point in time is closed all the same

    ctx = live({ url = "http://es:9200", index = "logs", size = 1 }, {
      { body = PIT }, { body = hits_page { { 1739097000, "first" } } },
      { reason = "POST http://es:9200/_search: timed out after 30s" }, OK })
    assert.same({ "Elasticsearch query `logs`, 2025-02-09T10:30:00.000Z to 2025-02-09T11:55:00.000Z: no answer: "
      .. "POST http://es:9200/_search: timed out after 30s (page 2)" }, reasons(ctx))
    assert.equals(1, #ctx.events)

    ctx = live({ url = "http://es:9200", index = "logs" },
      { { body = PIT }, { body = hits_page({ { 1739097000, "cut" } }):sub(1, 120) }, OK })
    assert.equals(1, #ctx.gaps)
    assert.matches("^" .. Q:gsub("%p", "%%%0") .. "the answer to page 1 is not JSON %(line 1, column %d+.*%); truncated%?$",
      ctx.gaps[1].reason)
    assert.same({}, ctx.events)
  end)

  it("keeps a timed-out page's hits with a gap, once, and warns when the point in time cannot be closed", function()
    local ctx = live({ url = "http://es:9200", index = "logs", size = 1 }, {
      { body = PIT },
      { body = hits_page({ { 1739097000, "a" } }, { timed_out = true }) },
      { body = hits_page({ { 1739097060, "b" } }, { timed_out = true }) },
      { body = hits_page {} },
      { status = 404, body = '{"succeeded":false,"num_freed":0}' },
    })
    assert.equals(2, #ctx.events)
    assert.same({ Q .. "the search timed out (partial results) (POST http://es:9200/_search page 1); hits may be "
      .. "missing from here on" }, reasons(ctx))
    assert.same({ "closing the point in time: HTTP 404; the server drops it after 1m" }, ctx.warnings)
  end)

  it("stops at max_rows with a warning and a gap for the rest, and still closes the point in time", function()
    local ctx = live({ url = "http://es:9200", index = "logs", size = 2, max_rows = 2 },
      { { body = PIT }, { body = hits_page { { 1739097000, "a" }, { 1739097060, "b" } } }, OK })
    assert.equals(2, #ctx.events)
    assert.equals(3, #ctx.requests)
    assert.matches("stopped at max_rows %(2 rows%)", ctx.warnings[1])
    assert.same({ "Elasticsearch query `logs`, 2025-02-09T10:31:00.000Z to 2025-02-09T11:55:00.000Z: not read: the "
      .. "reading stopped at max_rows (2 rows)" }, reasons(ctx))
  end)
end)

describe("elasticsearch (hits)", function()
  it("finds dotted paths as written or nested", function()
    local src = { ["a.b"] = 1, c = { d = { e = 2 } }, f = { ["g.h"] = 3 } }
    assert.equals(1, hits.lookup(src, "a.b"))
    assert.equals(2, hits.lookup(src, "c.d.e"))
    assert.equals(3, hits.lookup(src, "f.g.h"))
    assert.is_nil(hits.lookup(src, "c.x"))
  end)

  it("reads _source times as Elasticsearch's default date format does", function()
    assert.equals(1739095523.25, hits.source_time("2025-02-09T11:05:23.250+01:00"))
    assert.equals(1739095523.25, hits.source_time(1739095523250))
    assert.equals(1739095523.25, hits.source_time("1739095523250"))
    assert.equals(1739095523, hits.source_time("2025-02-09T10:05:23")) -- no offset: UTC
    assert.equals(1739059200, hits.source_time("2025-02-09"))
    assert.is_nil(hits.source_time("yesterday"))
  end)

  it("counts hits without a time or with a bad one, and never fails on them", function()
    local problems = require("pm.logtext").problems({ log = { warn = function() end } })
    local opts = { time_field = "@timestamp", message_field = "message", kind = "error" }
    assert.is_nil(hits.event({ _source = { message = "m" } }, opts, "p1 [1]", problems, true))
    assert.is_nil(hits.event({ _source = { ["@timestamp"] = "soon", message = "m" } }, opts, "p1 [2]", problems, true))
    assert.is_nil(hits.event("not a hit", opts, "p1 [3]", problems, true))
    assert.equals(1, problems:count("no_time"))
    assert.equals(1, problems:count("bad_time"))
    assert.equals(1, problems:count("bad_hit"))
    local e = hits.event({ _source = { ["@timestamp"] = "2025-02-09T10:00:00Z", message = { code = 5 } }, sort = { 1739095200500 } },
      opts, "p1 [4]", problems, true)
    assert.equals(1739095200.5, e.time) -- the sort value (epoch ms) wins: exact and UTC
    assert.equals('{"code":5}', e.event)
  end)
end)

describe("elasticsearch (options)", function()
  local function problems(opts)
    local o = { url = "http://es:9200", index = "logs" }
    for k, v in pairs(opts) do o[k] = v end
    local ok, e = pcall(plugin.run, o, { incident = INCIDENT })
    if ok then return e.error end
    return e
  end
  it("refuses half of basic auth, two kinds of auth, and query text that is not the JSON it looks like", function()
    assert.matches("user_env and password_env: give both", problems { user_env = "U" })
    assert.matches("api_key_env and user_env: give one", problems { user_env = "U", password_env = "P", api_key_env = "K" })
    assert.matches("query: the text starts with { but is not JSON", problems { query = "{ oops" })
  end)
end)
