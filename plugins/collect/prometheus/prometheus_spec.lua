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
-- from a list (or a function of the request's parameters): checks the requests the plugin
-- sends and what it makes of each answer.
local init = require "init"
local store = require "pm.store"

local function fake_ctx(answers)
  local ctx = { requests = {}, events = {}, gaps = {}, warnings = {}, infos = {}, kept = {}, progress_lines = {},
    incident = { start = 1739095500, ["end"] = 1739101200 } } -- 10:05 to 11:40
  ctx.log = {
    warn = function(m) ctx.warnings[#ctx.warnings + 1] = m end,
    info = function(m) ctx.infos[#ctx.infos + 1] = m end,
    debug = function() end,
  }
  ctx.progress = function(m) ctx.progress_lines[#ctx.progress_lines + 1] = m end
  ctx.gap = function(reason, extra) ctx.gaps[#ctx.gaps + 1] = { reason = reason, window = extra and extra.window } end
  ctx.timeline = { add = function(ev) ctx.events[#ctx.events + 1] = ev end }
  ctx.series = { add = function(s) ctx.kept[#ctx.kept + 1] = s end }
  ctx.http = {
    get = function(url, o)
      ctx.requests[#ctx.requests + 1] = { url = url, opts = o }
      local a
      if type(answers) == "function" then a = answers(o.query, #ctx.requests) else a = table.remove(answers, 1) end
      if a.reason then return nil, a.reason end
      return { status = a.status or 200, body = a.body, headers = { ["content-type"] = "application/json" },
        url = url .. "?query=...&start=" .. o.query.start }
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
    assert.equals("http://127.0.0.1:9090/api/v1/query_range?query=...&start=1739094600", ctx.events[1].evidence)
    assert.same({ "Prometheus: 1 request, 5 rows, 0.0 MB received for 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z",
    }, ctx.infos)
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

  it("uses start, end and step when given, and keeps a step that gives many points", function()
    local ctx = live({ url = "http://p:9090", query = "up", start = "2025-02-09T10:00:00.5Z", ["end"] = 1739098800,
      step = "1m30s" }, { { body = MATRIX } })
    assert.same({ query = "up", start = "1739095200.5", ["end"] = "1739098800", step = "90" }, ctx.requests[1].opts.query)
    -- 50 ms over 1,000 s: 20,001 points, in two ranges at the step asked for (no longer widened).
    ctx = live({ url = "http://p:9090", query = "up", start = 0, ["end"] = 1000, step = "50ms" },
      { { body = MATRIX }, { body = MATRIX } })
    assert.equals(2, #ctx.requests)
    assert.same({ query = "up", start = "0", ["end"] = "549.95", step = "0.05" }, ctx.requests[1].opts.query)
    assert.same({ query = "up", start = "550", ["end"] = "1000", step = "0.05" }, ctx.requests[2].opts.query)
  end)

  it("turns a 400 bad_data answer into a gap with Prometheus' error text, naming query and range", function()
    local ctx = live({ url = "http://p:9090", query = "sum(rate(x[1m])))" }, { {
      status = 400,
      body = '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:17: parse error: unexpected right parenthesis \')\'"}',
    } })
    assert.same({ {
      reason = "Prometheus query `sum(rate(x[1m])))`, 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z: HTTP 400: "
        .. '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:17: parse error: '
        .. "unexpected right parenthesis ')'\"}",
      window = { start = 1739094600, ["end"] = 1739102100 },
    } }, ctx.gaps)
    assert.same({}, ctx.events)
    assert.same({}, ctx.kept)
  end)

  it("turns a proxy's error page, a refused connection and a 200 that is not JSON into gaps", function()
    local ctx = live({ url = "http://p:9090", query = "up" }, { { status = 502, body = "<html>\n<h1>502 Bad Gateway</h1></html>" } })
    assert.equals("Prometheus query `up`, 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z: HTTP 502: "
      .. "<html> <h1>502 Bad Gateway</h1></html>", ctx.gaps[1].reason)
    ctx = live({ url = "http://p:9090", query = "up" },
      { { reason = "GET http://p:9090/api/v1/query_range?end=1739102100&query=up&start=1739094600&step=15: connection refused" } })
    assert.equals("Prometheus query `up`, 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z: no answer: "
      .. "GET http://p:9090/api/v1/query_range?end=1739102100&query=up&start=1739094600&step=15: connection refused",
      ctx.gaps[1].reason)
    ctx = live({ url = "http://p:9090", query = "up" }, { { body = '{"status":"success","data":{"resultType":"mat' } })
    assert.equals(1, #ctx.gaps)
    assert.matches("^Prometheus query `up`, 2025%-02%-09T09:50:00%.000Z to 2025%-02%-09T11:55:00%.000Z: "
      .. "http://p:9090/api/v1/query_range%?query=%.%.%.&start=1739094600 is not JSON", ctx.gaps[1].reason)
  end)

  it("says when the query matched nothing, and passes Prometheus' warnings on", function()
    local ctx = live({ url = "http://p:9090", query = "up{job=\"gone\"}" }, { {
      body = '{"status":"success","warnings":["query hit the series limit"],"data":{"resultType":"matrix","result":[]}}',
    } })
    assert.same({ {
      reason = 'the query matched no series: up{job="gone"} (http://p:9090/api/v1/query_range?query=...&start=1739094600)',
      window = { start = 1739094600, ["end"] = 1739102100 },
    } }, ctx.gaps)
    assert.same({ "http://p:9090/api/v1/query_range?query=...&start=1739094600: Prometheus warning: query hit the series limit" },
      ctx.warnings)
  end)

  it("records a gap for a partial answer (VictoriaMetrics' isPartial) and keeps its points", function()
    local body = '{"status":"success","isPartial":true,"data":{"resultType":"matrix","result":[{"metric":{"job":"api"},'
      .. '"values":[[1739095500,"0.01"]]}]}}'
    local ctx = live({ url = "http://vm:8428", query = "up" }, { { body = body } })
    assert.equals(1, #ctx.kept)
    assert.same({ {
      reason = "Prometheus query `up`, 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z: the store answered a partial "
        .. "response (isPartial: some storage nodes did not answer); its points are kept",
      window = { start = 1739094600, ["end"] = 1739102100 },
    } }, ctx.gaps)
  end)
end)

-- A month at 15 s: 2025-01-11T00:00Z to 2025-02-10T00:00Z, 172,801 points per series.
local MONTH = { start = 1736553600, finish = 1739145600 }
local MONTH_POINTS = 172801
local BOUNDARY = MONTH.start + 11000 * 15 -- where the second range of 11,000 points starts

-- A stand-in store answering query_range from the request's own start, end and step: series
-- "a" at every step (0.9 within 5 minutes of BOUNDARY, else 0.01), series "c" only from the
-- 100,000th point. `o.limit`: refuse more points than that per series, as `o.refusal` says
-- ("vm": VictoriaMetrics' 422; "prometheus": Prometheus' 400). `o.overlap`: also answer the
-- point one step before the range (a store that repeats a boundary point). `o.fail`:
-- { [request number] = answer } for requests that fail.
local function store_answers(o)
  o = o or {}
  return function(q, n)
    if o.fail and o.fail[n] then return o.fail[n] end
    local start, finish, step = tonumber(q.start), tonumber(q["end"]), tonumber(q.step)
    local points = math.floor((finish - start) / step) + 1
    if o.limit and points > o.limit then
      if o.refusal == "prometheus" then
        return { status = 400, body = '{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of '
          .. '11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}' }
      end
      return { status = 422, body = ('{"status":"error","errorType":"422","error":"error when executing query=\\"x\\": '
        .. 'too many points for the given step=%d, start=%d and end=%d: %d; cannot exceed '
        .. '-search.maxPointsPerTimeseries=%d"}'):format(step * 1000, start * 1000, finish * 1000, points, o.limit) }
    end
    local a, c = {}, {}
    local from = start
    if o.overlap and start > MONTH.start then from = start - step end
    for t = from, finish, step do
      local v = math.abs(t - BOUNDARY) <= 300 and "0.9" or "0.01"
      a[#a + 1] = ("[%d,%q]"):format(t, v)
      if t >= MONTH.start + 100000 * step then c[#c + 1] = ("[%d,\"0.1\"]"):format(t) end
    end
    local result = { '{"metric":{"instance":"a","job":"api"},"values":[' .. table.concat(a, ",") .. "]}" }
    if #c > 0 then result[2] = '{"metric":{"instance":"c","job":"api"},"values":[' .. table.concat(c, ",") .. "]}" end
    return { body = '{"status":"success","data":{"resultType":"matrix","result":[' .. table.concat(result, ",") .. "]}}" }
  end
end

local function month(extra, o)
  local opts = { url = "http://vm:8428", query = "api_error_ratio", start = MONTH.start, ["end"] = MONTH.finish,
    threshold = 0.5, name = "Error rate", max_rows = 10000000 }
  for k, v in pairs(extra or {}) do opts[k] = v end
  return live(opts, store_answers(o))
end

-- Each series' points: the count, and whether they are every step from first to last.
local function continuous(points, step)
  for k = 2, #points do
    if points[k][1] - points[k - 1][1] ~= step then return false, points[k - 1][1], points[k][1] end
  end
  return true
end

-- The month read once with the defaults, for the tests that only look at it.
local plain
local function month_read()
  plain = plain or month()
  return plain
end

describe("prometheus (live, a month at 15 s)", function()
  it("splits the month into ceil(points / 11,000) ranges on the window's grid, at the step asked for", function()
    local ctx = month_read()
    assert.equals(math.ceil(MONTH_POINTS / store.MAX_POINTS), #ctx.requests) -- 16
    for k, r in ipairs(ctx.requests) do
      local start = MONTH.start + (k - 1) * 11000 * 15
      assert.same({ query = "api_error_ratio", start = tostring(start),
        ["end"] = tostring(math.min(start + 10999 * 15, MONTH.finish)), step = "15" }, r.opts.query)
    end
    assert.same({}, ctx.gaps)
    assert.matches("^Prometheus: range 16/16, 16 requests, ", ctx.progress_lines[#ctx.progress_lines])
    assert.equals("Prometheus: 16 requests, 245,602 rows, ", ctx.infos[1]:sub(1, 39))
  end)

  it("joins each series across the ranges by its labels, with no duplicate or missing point", function()
    for _, overlap in ipairs { false, true } do
      local ctx = overlap and month({}, { overlap = true }) or month_read()
      assert.equals(2, #ctx.kept)
      local a, c = ctx.kept[1], ctx.kept[2]
      assert.same({ instance = "a", job = "api" }, a.labels)
      assert.equals(MONTH_POINTS, #a.points)
      assert.equals(MONTH.start, a.points[1][1])
      assert.equals(MONTH.finish, a.points[#a.points][1])
      assert.truthy(continuous(a.points, 15))
      -- "c" is in the last ranges only (from its 100,000th step): all of it, once.
      assert.same({ instance = "c", job = "api" }, c.labels)
      assert.equals(MONTH_POINTS - 100000, #c.points)
      assert.equals(MONTH.start + 100000 * 15, c.points[1][1])
      assert.truthy(continuous(c.points, 15))
    end
  end)

  it("computes crossings on the joined series: a breach across a range boundary is one event", function()
    local ctx = month_read()
    assert.equals(2, #ctx.events)
    assert.equals("metric_crossed", ctx.events[1].kind)
    assert.equals(BOUNDARY - 300, ctx.events[1].time)
    assert.equals("metric_recovered", ctx.events[2].kind)
    assert.equals(BOUNDARY + 315, ctx.events[2].time)
    -- Each event's evidence is the response that holds its sample.
    assert.equals("http://vm:8428/api/v1/query_range?query=...&start=" .. MONTH.start, ctx.events[1].evidence)
    assert.equals("http://vm:8428/api/v1/query_range?query=...&start=" .. BOUNDARY, ctx.events[2].evidence)
  end)

  it("asks again in halves when VictoriaMetrics answers 422 too many points", function()
    local ctx = month({ max_points = 40000 }, { limit = 30000 })
    -- One refusal (40,000 points), then the month in ranges of 20,000: 9 more requests.
    assert.equals(1 + math.ceil(MONTH_POINTS / 20000), #ctx.requests)
    assert.equals(tostring(MONTH.start + 39999 * 15), ctx.requests[1].opts.query["end"])
    assert.equals(tostring(MONTH.start), ctx.requests[2].opts.query.start)
    assert.equals(tostring(MONTH.start + 19999 * 15), ctx.requests[2].opts.query["end"])
    assert.same({}, ctx.gaps)
    assert.equals("Prometheus refused 40,000 points per series for 2025-01-11T00:00:00.000Z to "
      .. "2025-01-17T22:39:45.000Z (too many points); asking again in ranges of at most 20,000 points", ctx.infos[1])
    assert.equals(MONTH_POINTS, #ctx.kept[1].points)
    assert.truthy(continuous(ctx.kept[1].points, 15))
    assert.equals(2, #ctx.events)
  end)

  it("asks again in smaller ranges when Prometheus answers 400 exceeded maximum resolution, a bounded number of times", function()
    local ctx = month({ max_points = 12000 }, { limit = 11000, refusal = "prometheus" })
    assert.equals(1 + math.ceil(MONTH_POINTS / 6000), #ctx.requests)
    assert.same({}, ctx.gaps)
    assert.equals(MONTH_POINTS, #ctx.kept[1].points)
    -- A store that refuses everything: 8 refusals (down to 1/256), then a gap for the rest.
    ctx = month({ max_points = 12000 }, { limit = 0 })
    assert.equals(9, #ctx.requests)
    assert.equals(8, #ctx.infos - 1)
    assert.equals(1, #ctx.gaps)
    assert.matches("^Prometheus query `api_error_ratio`, 2025%-01%-11T00:00:00%.000Z to 2025%-02%-10T00:00:00%.000Z: "
      .. "not read: refused as too many points even in ranges of 47 points, after 8 smaller tries: HTTP 422: .*too many points",
      ctx.gaps[1].reason)
    assert.same({}, ctx.kept)
  end)

  it("turns one failing range into a gap naming the query and that range, and keeps the others", function()
    local ctx = month({}, { fail = { [3] = { status = 503, body = "overloaded" }, [5] = { reason = "timed out" } } })
    assert.equals(16, #ctx.requests)
    local third = { start = MONTH.start + 2 * 165000, ["end"] = MONTH.start + 2 * 165000 + 10999 * 15 }
    local fifth = { start = MONTH.start + 4 * 165000, ["end"] = MONTH.start + 4 * 165000 + 10999 * 15 }
    assert.same({
      { reason = ("Prometheus query `api_error_ratio`, %s to %s: HTTP 503: overloaded")
        :format(pm.time.format(third.start), pm.time.format(third["end"])), window = third },
      { reason = ("Prometheus query `api_error_ratio`, %s to %s: no answer: timed out")
        :format(pm.time.format(fifth.start), pm.time.format(fifth["end"])), window = fifth },
    }, ctx.gaps)
    local a = ctx.kept[1]
    assert.equals(MONTH_POINTS - 2 * 11000, #a.points)
    local whole, before, after = continuous(a.points, 15)
    assert.falsy(whole)
    assert.equals(third.start - 15, before)
    assert.equals(third["end"] + 15, after)
  end)

  it("stops at max_rows with a warning and a gap for the rest", function()
    local ctx = month({ max_rows = 20000 })
    assert.equals(2, #ctx.requests)
    assert.matches("^Prometheus: stopped at max_rows %(20,000 rows%) after 22,000 rows", ctx.warnings[1])
    assert.equals(1, #ctx.gaps)
    assert.same({ start = MONTH.start + 21999 * 15, ["end"] = MONTH.finish }, ctx.gaps[1].window)
    assert.equals(22000, #ctx.kept[1].points)
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

describe("prometheus (a split query, replayed from recorded evidence)", function()
  -- fixtures/split-evidence is what `pmhost run` saved from Debian's victoria-metrics 1.79
  -- holding scripts/integration.d's month, started with -search.maxPointsPerTimeseries=150
  -- and read with max_points = 200 (the pipeline: fixtures/split-evidence/README.pipeline.lua):
  -- a 422 "too many points", then the window in 6 ranges of at most 100 points.
  local opts = { url = "http://127.0.0.1:18428", query = 'api_error_ratio{job="api"}', max_points = 200,
    threshold = 0.05, name = "Error rate", source = "VictoriaMetrics" }

  it("makes the same requests, splitting after the recorded 422, and rebuilds the series and crossings", function()
    local r = plugin.run(opts, { replay = "fixtures/split-evidence" })
    assert.is_nil(r.error)
    assert.same({}, r.gaps)
    assert.same({
      "2025-02-09T10:05:45.000Z metric_crossed Error rate above 0.05", -- the breach spans the range starting 10:15:00
      "2025-02-09T10:35:00.000Z metric_recovered Error rate returns to normal",
    }, rows(r))
    assert.matches("start=1739094600", r.events[1].evidence)
    assert.matches("start=1739096100", r.events[2].evidence)
    assert.equals(1, #r.series)
    local points = r.series[1].points
    assert.equals(501, #points) -- 09:50:00 to 11:55:00 every 15 s
    for k = 2, #points do assert.equals(15, points[k][1] - points[k - 1][1]) end
    assert.equals(0.41, points[(1739096400 - 1739094600) / 15 + 1][2]) -- 10:20:00
  end)

  it("fails as a gap naming the range when a request differs from the recorded ones", function()
    local other = {}
    for k, v in pairs(opts) do other[k] = v end
    other.max_points = 120 -- 120 points fit the recorded server's 150: not what it was asked
    local r = plugin.run(other, { replay = "fixtures/split-evidence" })
    assert.truthy(#r.gaps >= 1)
    assert.equals(5, #r.gaps) -- each of the 5 ranges of 120 points: none was recorded
    assert.matches("2025%-02%-09T09:50:00%.000Z to 2025%-02%-09T10:19:45%.000Z: no answer: .*not in the replayed evidence",
      r.gaps[1].reason)
  end)
end)
