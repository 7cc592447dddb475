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

describe("prometheus (file)", function()
  it("emits crossings and recoveries, skipping NaN", function()
    local r = plugin.run { file = "fixtures/error-rate.json", threshold = 0.05, name = "Error rate", source = "Prometheus" }
    assert.is_nil(r.error)
    assert.same({
      "2025-02-09T10:05:45.000Z metric_crossed Error rate above 0.05",
      "2025-02-09T10:06:45.500Z metric_recovered Error rate returns to normal",
      "2025-02-09T10:07:00.000Z metric_crossed Error rate above 0.05",
      "2025-02-09T10:25:15.250Z metric_recovered Error rate returns to normal",
    }, rows(r))
    local e = r.events[1]
    assert.equals("Prometheus", e.source)
    assert.equals("fixtures/error-rate.json", e.evidence)
    assert.equals('{job="api"}', e.fields.series)
    assert.equals(0.0712, e.fields.value)
    assert.equals(0.05, e.fields.threshold)
    assert.is_nil(e.actor)
    assert.same({}, r.warnings)
    assert.same({}, r.gaps)
  end)

  it("compares +Inf like any other value", function()
    local r = plugin.run { file = "fixtures/error-rate.json", threshold = 0.2 }
    assert.same({
      "2025-02-09T10:06:30.000Z metric_crossed metric above 0.2",
      "2025-02-09T10:06:45.500Z metric_recovered metric returns to normal",
      "2025-02-09T10:07:00.000Z metric_crossed metric above 0.2",
      "2025-02-09T10:25:00.000Z metric_recovered metric returns to normal",
    }, rows(r))
    assert.equals("+Inf", r.events[1].fields.value)
  end)

  it("counts a first sample that already breaches as a crossing", function()
    local r = plugin.run { file = "fixtures/error-rate.json", threshold = 0.001 }
    assert.same({ "2025-02-09T10:05:00.000Z metric_crossed metric above 0.001" }, rows(r))
  end)

  it("handles series of different lengths, below thresholds, -Inf and warnings", function()
    local r = plugin.run { file = "fixtures/by-code.json", threshold = 0.98, above = false, name = "Availability" }
    assert.same({
      '2025-02-09T10:05:15.000Z metric_crossed Availability below 0.98 {code="503", job="api"}',
      '2025-02-09T10:05:30.000Z metric_crossed Availability below 0.98 {code="504", job="api"}',
      '2025-02-09T10:05:45.000Z metric_recovered Availability returns to normal {code="503", job="api"}',
    }, rows(r))
    assert.equals(0.95, r.events[2].fields.value)
    assert.same({
      'fixtures/by-code.json: Prometheus warning: PromQL info: metric might not be a counter, name does not end in '
        .. '_total/_sum/_count/_bucket: "api_availability"',
    }, messages(r.warnings))
  end)

  it("keeps only samples between start and end", function()
    local r = plugin.run { file = "fixtures/error-rate.json", threshold = 0.05,
      start = "2025-02-09T10:06:50Z", ["end"] = 1739096705 }
    assert.same({ "2025-02-09T10:07:00.000Z metric_crossed metric above 0.05" }, rows(r))
  end)

  it("adds no events without a threshold", function()
    local r = plugin.run { file = "fixtures/error-rate.json" }
    assert.is_nil(r.error)
    assert.equals(0, #r.events)
    assert.same({}, r.gaps)
  end)

  it("reads a real Prometheus 2.42 answer: series of different lengths, NaN and +Inf", function()
    local r = plugin.run { file = "fixtures/two-series-2.42.json", threshold = 0.05, name = "Error ratio" }
    assert.is_nil(r.error)
    assert.same({
      '2026-11-29T02:53:00.000Z metric_crossed Error ratio above 0.05 api_error_ratio{instance="a", job="api"}',
      '2026-11-29T02:55:30.000Z metric_crossed Error ratio above 0.05 api_error_ratio{instance="b", job="api"}', -- +Inf
      '2026-11-29T02:55:45.000Z metric_recovered Error ratio returns to normal api_error_ratio{instance="b", job="api"}',
      '2026-11-29T03:13:00.000Z metric_recovered Error ratio returns to normal api_error_ratio{instance="a", job="api"}',
    }, rows(r))
    assert.equals("+Inf", r.events[2].fields.value)
    assert.same({}, r.warnings)
  end)

  it("reads an instant query's vector, keeping __name__ in the label", function()
    local r = plugin.run { file = "fixtures/vector.json", threshold = 0.5, above = false, name = "up" }
    assert.same({ '2025-02-09T10:10:00.123Z metric_crossed up below 0.5' }, rows(r))
    assert.equals('up{instance="10.0.0.7:8080", job="api"}', r.events[1].fields.series)
  end)
end)

describe("prometheus (bad input)", function()
  it("records a gap naming the query when it matched nothing", function()
    local r = plugin.run { file = "fixtures/empty.json", threshold = 1, query = "up{job=\"gone\"}" }
    assert.is_nil(r.error)
    assert.same({ 'the query matched no series: up{job="gone"} (fixtures/empty.json)' }, messages(r.gaps))
    assert.equals(0, #r.events)
  end)

  it("records Prometheus' own error text as a gap", function()
    local r = plugin.run { file = "fixtures/bad-query.json", threshold = 1 }
    assert.is_nil(r.error)
    assert.same({
      "Prometheus answered bad_data: invalid parameter \"query\": 1:32: parse error: unexpected right parenthesis ')'",
    }, messages(r.gaps))
    assert.equals(0, #r.events)
  end)

  it("records a gap for a truncated file, naming line and column", function()
    local r = plugin.run { file = "fixtures/truncated.json", threshold = 0.05 }
    assert.is_nil(r.error)
    assert.equals(1, #r.gaps)
    assert.matches("^fixtures/truncated%.json is not JSON %(line 1, column %d+: .*%); is the file truncated%?$", r.gaps[1].reason)
  end)

  it("records a gap for an empty file and for a missing one", function()
    assert.same({ "fixtures/empty-file.json is empty" }, messages(plugin.run { file = "fixtures/empty-file.json" }.gaps))
    assert.same({ "cannot read fixtures/nope.json (paths are relative to the pipeline folder)" },
      messages(plugin.run { file = "fixtures/nope.json" }.gaps))
  end)

  it("records a gap that says why a file that exists cannot be read", function()
    -- UTF-32: refused by the host, which names the encoding; before, the gap blamed the path.
    assert.same({ "'fixtures/utf32.json' is UTF-32LE text (byte-order mark FF FE 00 00); pmhost reads UTF-8 "
      .. "and UTF-16 with a byte-order mark: convert it, e.g. iconv -f UTF-32LE -t UTF-8" },
      messages(plugin.run { file = "fixtures/utf32.json" }.gaps))
  end)

  it("records a gap for JSON that is not a Prometheus response", function()
    local r = plugin.run { file = "fixtures/not-prometheus.json" }
    assert.same({ "fixtures/not-prometheus.json is not a Prometheus API response (expected an object with status and data)" },
      messages(r.gaps))
  end)

  it("replaces bytes that are not UTF-8 and says where", function()
    local r = plugin.run { file = "fixtures/latin1.json", threshold = 0.1 }
    assert.same({ '2025-02-09T10:05:00.000Z metric_crossed metric above 0.1',
      '2025-02-09T10:05:15.000Z metric_recovered metric returns to normal' }, rows(r))
    assert.equals('{job="api", site="M\u{FFFD}nchen"}', r.events[1].fields.series)
    assert.same({ "fixtures/latin1.json:1: bytes that are not UTF-8 (the first at byte 93); replaced with U+FFFD" },
      messages(r.warnings))
  end)

  it("warns once per kind of bad sample, naming the JSON field, and keeps the rest", function()
    local r = plugin.run { file = "fixtures/wrong-types.json", threshold = 0.3 }
    assert.is_nil(r.error)
    assert.same({
      '2025-02-09T10:05:15.000Z metric_crossed metric above 0.3 {job="api"}', -- 0.5 as a JSON number
      '2025-02-09T10:06:45.000Z metric_recovered metric returns to normal {job="api"}',
    }, rows(r))
    assert.same({
      "fixtures/wrong-types.json: data.result[1].values[2][2]: 0.5 is a JSON number; Prometheus writes values as strings (read anyway)",
      'fixtures/wrong-types.json: data.result[1].values[3][1]: "1739095530" is a string; Prometheus writes times as JSON numbers (read anyway)',
      'fixtures/wrong-types.json: data.result[1].values[4]: ["soon","0.7"] is not a time in Unix seconds; sample skipped',
      'fixtures/wrong-types.json: data.result[1].values[5][2]: "lots" is not a sample value; sample skipped (3 times; '
        .. "also at fixtures/wrong-types.json: data.result[1].values[6][2], fixtures/wrong-types.json: data.result[1].values[7][2])",
      "fixtures/wrong-types.json: data.result[2]: is not a series object; skipped",
      "fixtures/wrong-types.json: data.result[3]: no values (expected a list of [time, \"value\"] pairs); series skipped",
    }, messages(r.warnings))
  end)

  it("skips samples outside the years 0001 to 9999, naming them", function()
    local r = plugin.run { file = "fixtures/far-times.json", threshold = 0.3 }
    assert.is_nil(r.error)
    assert.same({
      "2025-02-09T10:05:15.000Z metric_crossed metric above 0.3",
      "2025-02-09T10:06:45.000Z metric_recovered metric returns to normal",
    }, rows(r))
    assert.same({
      'fixtures/far-times.json: data.result[1].values[2]: [253402300800,"0.9"] is outside the years 0001 to 9999; '
        .. "sample skipped (2 times; also at fixtures/far-times.json: data.result[1].values[3])",
    }, messages(r.warnings))
  end)

  it("fails clearly without an input, or with both", function()
    -- check() refuses them before the plugin runs (exit 2 in a pipeline).
    local function err(opts)
      local ok, e = pcall(plugin.run, opts)
      assert.is_false(ok)
      return e
    end
    assert.matches("set url = %(Prometheus, with query =%) or file =", err {})
    assert.matches("not both", err { file = "fixtures/empty.json", url = "http://127.0.0.1:9090" })
    assert.matches("url = needs query =", err { url = "http://127.0.0.1:9090" })
    assert.matches([[option margin: "15 minutes" is not a duration such as 15s, 5m or 1h30m]],
      err { file = "fixtures/empty.json", margin = "15 minutes" })
    assert.matches([[option start: "yesterday" is neither RFC 3339 nor Unix seconds]],
      err { file = "fixtures/empty.json", start = "yesterday" })
  end)
end)

-- Live mode through the plugin's own run function, with a stand-in ctx whose http answers
-- from a list: checks the request the plugin sends and what it makes of each answer.
local init = require "init"

local function fake_ctx(answers)
  local ctx = { requests = {}, events = {}, gaps = {}, warnings = {}, infos = {}, kept = {},
    incident = { start = 1739095500, ["end"] = 1739101200 } } -- 10:05 to 11:40
  ctx.log = {
    warn = function(m) ctx.warnings[#ctx.warnings + 1] = m end,
    info = function(m) ctx.infos[#ctx.infos + 1] = m end,
    debug = function() end,
  }
  ctx.gap = function(reason, extra) ctx.gaps[#ctx.gaps + 1] = { reason = reason, window = extra and extra.window } end
  ctx.timeline = { add = function(ev) ctx.events[#ctx.events + 1] = ev end }
  ctx.series = { add = function(s) ctx.kept[#ctx.kept + 1] = s end }
  ctx.http = {
    get = function(url, o)
      ctx.requests[#ctx.requests + 1] = { url = url, opts = o }
      local a = table.remove(answers, 1)
      if a.reason then return nil, a.reason end
      return { status = a.status or 200, body = a.body, headers = { ["content-type"] = "application/json" },
        url = url .. "?query=..." }
    end,
  }
  return ctx
end

local function live(opts, answers)
  local o = { margin = "15m", step = "15s", above = true, name = "metric" }
  for k, v in pairs(opts) do o[k] = v end
  local ctx = fake_ctx(answers)
  init.run(ctx, o)
  return ctx
end

local MATRIX = '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"api"},'
  .. '"values":[[1739095500,"0.01"],[1739095515,"0.2"],[1739095530,"NaN"],[1739095545,"+Inf"],[1739095560,"0.03"]]}]}}'

describe("prometheus (live)", function()
  it("queries the incident window widened by the margin, every 15s", function()
    local ctx = live({ url = "http://127.0.0.1:9090/", query = "job:error_ratio", threshold = 0.1 }, { { body = MATRIX } })
    assert.equals(1, #ctx.requests)
    assert.equals("http://127.0.0.1:9090/api/v1/query_range", ctx.requests[1].url)
    assert.same({ query = "job:error_ratio", start = "1739094600", ["end"] = "1739102100", step = "15" },
      ctx.requests[1].opts.query)
    assert.equals(false, ctx.requests[1].opts.gap)
    assert.equals(2, #ctx.events)
    assert.equals("metric_crossed", ctx.events[1].kind)
    assert.equals(1739095515, ctx.events[1].time)
    assert.equals("metric_recovered", ctx.events[2].kind)
    assert.equals(1739095560, ctx.events[2].time)
    assert.equals("http://127.0.0.1:9090/api/v1/query_range?query=...", ctx.events[1].evidence)
  end)

  it("keeps every series with its query, labels, threshold and NaN / +Inf points", function()
    local ctx = live({ url = "http://127.0.0.1:9090", query = "job:error_ratio", threshold = 0.1, name = "Error rate",
      unit = "ratio" }, { { body = MATRIX } })
    assert.same({ {
      name = "Error rate", query = "job:error_ratio", labels = { job = "api" }, unit = "ratio", threshold = 0.1, above = true,
      points = { { 1739095500, 0.01 }, { 1739095515, 0.2 }, { 1739095530, "NaN" }, { 1739095545, "+Inf" },
        { 1739095560, 0.03 } },
    } }, ctx.kept)
  end)

  it("keeps no threshold or direction without a threshold, and no chart for a series without samples", function()
    local body = '{"status":"success","data":{"resultType":"matrix","result":['
      .. '{"metric":{"code":"500"},"values":[[1739095500,"1"]]},{"metric":{"code":"502"},"values":[]}]}}'
    local ctx = live({ url = "http://p:9090", query = "sum by (code) (rate(errors_total[1m]))", name = "Errors" },
      { { body = body } })
    assert.same({ {
      name = 'Errors {code="500"}', query = "sum by (code) (rate(errors_total[1m]))", labels = { code = "500" },
      points = { { 1739095500, 1 } },
    } }, ctx.kept)
    assert.same({}, ctx.events)
  end)

  it("uses start, end and step when given, and widens a step that gives too many points", function()
    local ctx = live({ url = "http://p:9090", query = "up", start = "2025-02-09T10:00:00.5Z", ["end"] = 1739098800,
      step = "1m30s" }, { { body = MATRIX } })
    assert.same({ query = "up", start = "1739095200.5", ["end"] = "1739098800", step = "90" }, ctx.requests[1].opts.query)
    ctx = live({ url = "http://p:9090", query = "up", start = 0, ["end"] = 1100000, step = "50ms" }, { { body = MATRIX } })
    assert.equals("100", ctx.requests[1].opts.query.step)
    assert.equals("step 50ms would give more than 11000 points per series; using 100s", ctx.infos[1])
  end)

  it("turns a 400 bad_data answer into a gap with Prometheus' error text", function()
    local ctx = live({ url = "http://p:9090", query = "sum(rate(x[1m])))" }, { {
      status = 400,
      body = '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:17: parse error: unexpected right parenthesis \')\'"}',
    } })
    assert.same({ {
      reason = "http://p:9090/api/v1/query_range answered HTTP 400: Prometheus answered bad_data: invalid parameter "
        .. "\"query\": 1:17: parse error: unexpected right parenthesis ')'",
      window = { start = 1739094600, ["end"] = 1739102100 },
    } }, ctx.gaps)
    assert.same({}, ctx.events)
    assert.same({}, ctx.kept)
  end)

  it("turns a proxy's error page and a refused connection into gaps", function()
    local ctx = live({ url = "http://p:9090", query = "up" }, { { status = 502, body = "<html>\n<h1>502 Bad Gateway</h1></html>" } })
    assert.equals("http://p:9090/api/v1/query_range answered HTTP 502: <html> <h1>502 Bad Gateway</h1></html>", ctx.gaps[1].reason)
    ctx = live({ url = "http://p:9090", query = "up" },
      { { reason = "GET http://p:9090/api/v1/query_range?end=1739102100&query=up&start=1739094600&step=15: connection refused" } })
    assert.equals("no answer from Prometheus: GET http://p:9090/api/v1/query_range?end=1739102100&query=up&start=1739094600"
      .. "&step=15: connection refused", ctx.gaps[1].reason)
  end)

  it("says when the query matched nothing, and passes Prometheus' warnings on", function()
    local ctx = live({ url = "http://p:9090", query = "up{job=\"gone\"}" }, { {
      body = '{"status":"success","warnings":["query hit the series limit"],"data":{"resultType":"matrix","result":[]}}',
    } })
    assert.same({ {
      reason = 'the query matched no series: up{job="gone"} (http://p:9090/api/v1/query_range?query=...)',
      window = { start = 1739094600, ["end"] = 1739102100 },
    } }, ctx.gaps)
    assert.same({ "http://p:9090/api/v1/query_range?query=...: Prometheus warning: query hit the series limit" }, ctx.warnings)
  end)
end)

describe("prometheus (live, replayed from recorded evidence)", function()
  -- fixtures/live-evidence is what `pmhost run` saved from a real HTTP exchange with a
  -- loopback server answering /api/v1/query_range with fixtures/two-series-2.42.json.
  local opts = {
    url = "http://127.0.0.1:19090", name = "5xx rate", threshold = 0.05,
    query = 'sum by (code) (rate(http_requests_total{code=~"5.."}[1m]))',
  }

  it("asks for the incident window widened by the margin, and keeps every series", function()
    local r = plugin.run(opts, { replay = "fixtures/live-evidence" })
    assert.is_nil(r.error)
    assert.same({}, r.gaps)
    assert.equals(2, #r.series)
    local s = r.series[1]
    assert.equals('5xx rate api_error_ratio{instance="a", job="api"}', s.name)
    assert.same({ __name__ = "api_error_ratio", instance = "a", job = "api" }, s.labels)
    assert.equals(opts.query, s.query)
    assert.equals(0.05, s.threshold)
    assert.equals(true, s.above)
    assert.equals("prometheus", s.plugin)
    assert.equals(1795920180, s.points[1][1])
    assert.equals(0.01, s.points[1][2])
  end)

  it("fails as a gap when the request differs from the recorded one", function()
    local other = {}
    for k, v in pairs(opts) do other[k] = v end
    other.step = "30s"
    local r = plugin.run(other, { replay = "fixtures/live-evidence" })
    assert.equals(1, #r.gaps)
    assert.matches("step=30: not in the replayed evidence", r.gaps[1].reason)
  end)
end)
