-- The loki collector through its own run function, with a stand-in ctx whose http answers
-- from fixtures (Loki's documented query_range format) or from a small Loki of its own:
-- checks every request sent and what is made of each answer.
local init = require "init"
local logql = require "logql"

local B = 1739095500000000000 -- 2025-02-09T10:05:00Z in nanoseconds
local URL = "http://loki:3100/loki/api/v1/query_range"

local responses = require "fixtures.responses"

local function fixture(name)
  return assert(responses[(name:gsub("%.json$", ""))], "no fixture " .. name)
end

local function fake_ctx(answer)
  local ctx = { requests = {}, events = {}, gaps = {}, warnings = {}, infos = {}, kept = {}, progress_lines = 0,
    incident = { start = 1739095500, ["end"] = 1739101200 } } -- 10:05 to 11:40
  ctx.log = {
    warn = function(m) ctx.warnings[#ctx.warnings + 1] = m end,
    info = function(m) ctx.infos[#ctx.infos + 1] = m end,
    debug = function() end,
  }
  ctx.progress = function() ctx.progress_lines = ctx.progress_lines + 1 end
  ctx.env = function(name) return ({ LOKI_TOKEN = "s3cret" })[name] end
  ctx.gap = function(reason, extra) ctx.gaps[#ctx.gaps + 1] = { reason = reason, window = extra and extra.window } end
  ctx.timeline = { add = function(ev) ctx.events[#ctx.events + 1] = ev end }
  ctx.series = { add = function(s) ctx.kept[#ctx.kept + 1] = s end }
  ctx.http = {
    get = function(url, o)
      local req = { url = url, query = o.query, headers = o.headers, timeout_s = o.timeout_s }
      ctx.requests[#ctx.requests + 1] = req
      local a = answer(req, #ctx.requests)
      assert(a, "no answer for request " .. #ctx.requests)
      if a.reason then return nil, a.reason end
      local body = a.body or (a.file and fixture(a.file))
      return { status = a.status or 200, body = body, headers = {}, url = url .. "?page=" .. #ctx.requests }
    end,
  }
  return ctx
end

local DEFAULTS = { margin = "15m", max_rows = 1000000, max_mb = 256, limit = 5000, kind = "error", above = true,
  name = "metric" }

local function run(opts, answer)
  local o = {}
  for k, v in pairs(DEFAULTS) do o[k] = v end
  for k, v in pairs(opts) do o[k] = v end
  if type(answer) == "table" then
    local list = answer
    answer = function(_, i) return list[i] end
  end
  local ctx = fake_ctx(answer)
  init.run(ctx, o)
  return ctx
end

local function rows(ctx)
  local out = {}
  for i, e in ipairs(ctx.events) do out[i] = ("%s %s %s"):format(pm.time.format(e.time), e.kind, e.event) end
  return out
end

describe("logql", function()
  it("tells log queries from metric queries", function()
    assert.truthy(logql.is_log_query('{app="api"} |= "error"'))
    assert.truthy(logql.is_log_query('  # errors only\n {app="api"}'))
    assert.falsy(logql.is_log_query('sum by (pod) (count_over_time({app="api"}[1m]))'))
    assert.falsy(logql.is_log_query('rate({app="api"}[5m])'))
  end)

  it("writes any text as a LogQL string that cannot end early", function()
    assert.equals([["say \"hi\" \\ then\nnext\x1b"]], logql.quote('say "hi" \\ then\nnext\27'))
    assert.equals([["\"} or {app=~\".+\""]], logql.quote('"} or {app=~".+"'))
  end)

  it("keeps nanoseconds exactly, as 64-bit integers", function()
    local ns = logql.parse_ns("1739095523123456789")
    assert.equals(1739095523123456789, ns)
    assert.equals("1739095523123456789", logql.param(ns))
    assert.equals("2025-02-09T10:05:23.123456789Z", logql.rfc3339(ns))
    assert.equals(1739094600000000000, logql.ns(1739094600))
    assert.equals(1739094600500000000, logql.ns(1739094600.5))
    assert.is_nil(logql.parse_ns("1.7e18"))
    assert.is_nil(logql.parse_ns("99999999999999999999"))
    assert.is_nil(logql.parse_ns(1739095523))
  end)
end)

describe("loki (log query, paged)", function()
  local pages = { { file = "page-1.json" }, { file = "page-2.json" }, { file = "page-3.json" } }

  it("pages forward from the last entry's nanosecond, skipping the entries already read there", function()
    local ctx = run({ url = "http://loki:3100/", query = '{app="api"}', limit = 3, org_id = "tenant-a",
      token_env = "LOKI_TOKEN" }, pages)
    assert.same({}, ctx.gaps)
    assert.equals(3, #ctx.requests)
    local starts = {}
    for i, r in ipairs(ctx.requests) do
      assert.equals(URL, r.url)
      assert.equals('{app="api"}', r.query.query)
      assert.equals("1739102100000000000", r.query["end"]) -- 11:40 + 15m, exclusive
      assert.equals("3", r.query.limit)
      assert.equals("forward", r.query.direction)
      assert.same({ ["X-Scope-OrgID"] = "tenant-a", Authorization = "Bearer s3cret" }, r.headers)
      starts[i] = r.query.start
    end
    assert.same({ "1739094600000000000", tostring(B + 200), tostring(B + 300) }, starts)
    -- Every entry once, in time order; the tie at +200ns neither lost nor doubled.
    local lines, times = {}, {}
    for i, e in ipairs(ctx.events) do lines[i], times[i] = e.event, e.time_text end
    assert.same({ "GET /orders 500 upstream timed out", "tie: first of two at +200ns", "tie: second of two at +200ns",
      "ERROR payment failed Traceback (most recent call last): File \"x.py\"", "circuit open for payments" }, lines)
    assert.same({ tostring(B + 100), tostring(B + 200), tostring(B + 200), tostring(B + 300), tostring(B + 400) }, times)
  end)

  it("shapes each entry as log-pattern shapes a line", function()
    local ctx = run({ url = "http://loki:3100", query = '{app="api"}', limit = 3, kind = "log" }, pages)
    local e = ctx.events[4]
    assert.equals("log", e.kind)
    assert.equals(e.event, e.group)
    assert.equals(logql.seconds(B + 300), e.time)
    assert.equals("2025-02-09T10:05:00.000Z", pm.time.format(e.time))
    assert.same({ app = "api", pod = "api-1" }, e.fields)
    assert.equals(URL .. "?page=2: data.result[2].values[2]", e.evidence)
    -- Structured metadata (categorized as Loki 3 answers) joins the labels.
    assert.same({ app = "api", pod = "api-2", trace_id = "4bf92f3577b34da6" }, ctx.events[5].fields)
    assert.same({}, ctx.warnings)
  end)

  it("records a gap, never loops, when a whole page shares one nanosecond", function()
    local ctx = run({ url = "http://loki:3100", query = '{app="api"}', limit = 3 },
      { { file = "tie-stuck.json" }, { file = "tie-stuck.json" }, { file = "empty.json" } })
    -- From the window's start the page is full at +200ns; from +200ns the same three again;
    -- then the reading goes on from the next nanosecond.
    assert.same({ "1739094600000000000", tostring(B + 200), tostring(B + 201) },
      { ctx.requests[1].query.start, ctx.requests[2].query.start, ctx.requests[3].query.start })
    assert.equals(3, #ctx.events)
    assert.equals(1, #ctx.gaps)
    assert.matches("at 2025%-02%-09T10:05:00%.000000200Z: entries beyond the first 3 sharing this nanosecond not read",
      ctx.gaps[1].reason)
    assert.matches('query `{app="api"}`', ctx.gaps[1].reason)
    assert.same({ start = 1739095500, ["end"] = 1739095500 + 0.001 }, ctx.gaps[1].window)
    assert.matches("3 or more entries share the nanosecond", ctx.warnings[1])
  end)

  it("reads an empty answer as no entries, not a gap", function()
    local ctx = run({ url = "http://loki:3100", query = '{app="none"}' }, { { file = "empty.json" } })
    assert.same({}, ctx.events)
    assert.same({}, ctx.gaps)
    assert.matches("no entry matched over 2025%-02%-09T09:50:00%.000Z to 2025%-02%-09T11:55:00%.000Z", ctx.infos[1])
  end)

  it("makes bytes that are not UTF-8 U+FFFD, with one warning", function()
    local ctx = run({ url = "http://loki:3100", query = '{app="api"}' }, { { file = "invalid-utf8.json" } })
    assert.equals("café na\u{FFFD}ve \u{FFFD} end", ctx.events[1].event)
    assert.equals(1, #ctx.warnings)
    assert.matches("not UTF%-8", ctx.warnings[1])
  end)

  it("adds contains as a line filter written as a LogQL string", function()
    local ctx = run({ url = "http://loki:3100", query = '{app="api"}', contains = 'say "hi" \\' }, { { file = "empty.json" } })
    assert.equals([[{app="api"} |= "say \"hi\" \\"]], ctx.requests[1].query.query)
  end)

  it("says which variable is missing for token_env", function()
    assert.has_error(function()
      run({ url = "http://loki:3100", query = '{app="api"}', token_env = "NOT_SET" }, {})
    end, "option token_env: the environment variable NOT_SET is not set")
  end)
end)

describe("loki (errors become gaps naming the query and the unread range)", function()
  local q = '{app="api"} |= "error"'
  local function one_gap(ctx)
    assert.equals(1, #ctx.gaps)
    return ctx.gaps[1].reason, ctx.gaps[1].window
  end

  it("a 400 parse error", function()
    local ctx = run({ url = "http://loki:3100", query = '{app="api"} |~ error' }, { { status = 400,
      body = "parse error at line 1, col 15: syntax error: unexpected IDENTIFIER, expecting STRING\n" } })
    local reason, window = one_gap(ctx)
    assert.equals('Loki query `{app="api"} |~ error`, 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z: '
      .. "HTTP 400: parse error at line 1, col 15: syntax error: unexpected IDENTIFIER, expecting STRING "
      .. "(page 1, from 2025-02-09T09:50:00.000000000Z)", reason)
    assert.same({ start = 1739094600, ["end"] = 1739102100 }, window)
    assert.same({}, ctx.events)
  end)

  it("a 429 on the second page: the first page's entries are kept, the rest is the gap", function()
    local ctx = run({ url = "http://loki:3100", query = q, limit = 3 },
      { { file = "page-1.json" }, { status = 429, body = "too many outstanding requests" } })
    assert.equals(3, #ctx.events)
    local reason, window = one_gap(ctx)
    assert.matches("HTTP 429: too many outstanding requests %(page 2, from 2025%-02%-09T10:05:00%.000000200Z%)", reason)
    assert.matches("2025%-02%-09T10:05:00%.000Z to 2025%-02%-09T11:55:00%.000Z", reason)
    assert.same({ start = logql.seconds(B + 200), ["end"] = 1739102100 }, window)
  end)

  it("a 502 from a gateway, and no answer at all", function()
    local ctx = run({ url = "http://loki:3100", query = q }, { { status = 502, body = "<html>Bad Gateway</html>" } })
    assert.matches("HTTP 502: <html>Bad Gateway</html>", (one_gap(ctx)))
    ctx = run({ url = "http://loki:3100", query = q, timeout_s = 5 }, { { reason = "GET " .. URL .. ": timed out after 5 s" } })
    assert.matches("no answer: GET .*timed out after 5 s %(page 1", (one_gap(ctx)))
    assert.equals(5, ctx.requests[1].timeout_s)
  end)

  it("a page cut short", function()
    local ctx = run({ url = "http://loki:3100", query = q, limit = 3 }, { { file = "page-1.json" }, { file = "truncated.json" } })
    assert.equals(3, #ctx.events)
    local reason, window = one_gap(ctx)
    assert.matches("is not JSON .*is the file truncated%?", reason)
    assert.matches("%(page 2, from 2025%-02%-09T10:05:00%.000000200Z%)", reason)
    assert.equals(logql.seconds(B + 200), window.start)
  end)

  it("Loki's own error in a JSON body", function()
    local ctx = run({ url = "http://loki:3100", query = q }, { { file = "status-error.json" } })
    assert.matches("Loki answered status error: max entries limit per query exceeded", (one_gap(ctx)))
  end)

  it("max_rows: a warning and a gap for what was not read", function()
    local ctx = run({ url = "http://loki:3100", query = q, limit = 3, max_rows = 2 }, { { file = "page-1.json" } })
    assert.equals(1, #ctx.requests)
    assert.matches("stopped at max_rows %(2 rows%)", ctx.warnings[1])
    assert.matches("not read: the reading stopped at max_rows", (one_gap(ctx)))
  end)
end)

-- A small Loki: entries in streams, answering query_range as Loki does (start inclusive,
-- end exclusive, the `limit` earliest entries, grouped into streams). Ties at a nanosecond
-- come back in an order that changes with every request, as Loki promises none.
local function small_loki(entries)
  local calls = 0
  return function(req)
    calls = calls + 1
    local start, finish, limit = tonumber(req.query.start), tonumber(req.query["end"]), tonumber(req.query.limit)
    local picked = {}
    for _, e in ipairs(entries) do
      if e.ns >= start and e.ns < finish then picked[#picked + 1] = e end
    end
    table.sort(picked, function(a, b)
      if a.ns ~= b.ns then return a.ns < b.ns end
      return (a.id * 7919 + calls) % 101 < (b.id * 7919 + calls) % 101
    end)
    local streams, order = {}, {}
    for i = 1, math.min(limit, #picked) do
      local e = picked[i]
      local s = streams[e.pod]
      if not s then
        s = { stream = { app = "api", pod = e.pod }, values = {} }
        streams[e.pod] = s
        order[#order + 1] = s
      end
      s.values[#s.values + 1] = { tostring(e.ns), e.line }
    end
    return { body = pm.json.encode { status = "success", data = { resultType = "streams", result = order } } }
  end
end

describe("loki (paging against a small Loki)", function()
  -- 60 entries in three streams; runs of entries share a nanosecond (up to 5 at once).
  local entries = {}
  local ns = B
  for i = 1, 60 do
    if i % 5 ~= 0 and i % 7 ~= 0 then ns = ns + (i % 3) * 1000 end
    entries[i] = { id = i, ns = ns, pod = "api-" .. (i % 3), line = "entry " .. i }
  end

  it("reads every entry exactly once at every limit above the largest tie, wherever the pages end", function()
    for limit = 6, 25 do
      local ctx = run({ url = "http://loki:3100", query = '{app="api"}', limit = limit }, small_loki(entries))
      assert.same({}, ctx.gaps, "limit " .. limit)
      local got = {}
      for _, e in ipairs(ctx.events) do
        assert.is_nil(got[e.event], ("limit %d: %s read twice"):format(limit, e.event))
        got[e.event] = e.time_text
      end
      for _, e in ipairs(entries) do
        assert.equals(tostring(e.ns), got[e.line], ("limit %d: %s"):format(limit, e.line))
      end
      assert.equals(#entries, #ctx.events)
    end
  end)

  it("below the largest tie, says so with a gap and still ends", function()
    local ctx = run({ url = "http://loki:3100", query = '{app="api"}', limit = 2 }, small_loki(entries))
    assert.truthy(#ctx.gaps >= 1)
    for _, g in ipairs(ctx.gaps) do assert.matches("sharing this nanosecond not read %(limit 2%)", g.reason) end
    assert.truthy(#ctx.requests < 80, #ctx.requests .. " requests")
    local distinct = {}
    for _, e in ipairs(ctx.events) do
      assert.is_nil(distinct[e.event], e.event .. " twice")
      distinct[e.event] = true
    end
  end)
end)

describe("loki (metric query)", function()
  local q = 'sum by (pod) (count_over_time({app="api"} |= "error" [1m]))'

  it("keeps each series for the charts and turns crossings into events", function()
    local ctx = run({ url = "http://loki:3100", query = q, step = "1m", name = "Errors per minute", threshold = 50,
      unit = "errors" }, { { file = "matrix.json" } })
    assert.same({}, ctx.gaps)
    assert.equals(1, #ctx.requests)
    assert.same({ query = q, start = "1739094600000000000", ["end"] = "1739102100000000000", step = "60" },
      ctx.requests[1].query)
    assert.equals(2, #ctx.kept)
    local s = ctx.kept[1]
    assert.equals('Errors per minute {pod="api-1"}', s.name)
    assert.same({ pod = "api-1" }, s.labels)
    assert.equals(q, s.query)
    assert.equals("errors", s.unit)
    assert.equals(50, s.threshold)
    assert.equals(true, s.above)
    assert.same({ { 1739095500, 2 }, { 1739095560, 75 }, { 1739095620, 80 }, { 1739095680, 3 } }, s.points)
    assert.same({ { 1739095560, 1 }, { 1739095620, "NaN" } }, ctx.kept[2].points)
    assert.same({
      '2025-02-09T10:06:00.000Z metric_crossed Errors per minute above 50 {pod="api-1"}',
      '2025-02-09T10:08:00.000Z metric_recovered Errors per minute returns to normal {pod="api-1"}',
    }, rows(ctx))
    assert.equals(URL .. "?page=1: data.result[1].values[2]", ctx.events[1].evidence)
    assert.equals(75, ctx.events[1].fields.value)
  end)

  it("splits a window of more than 11,000 points per series, joined without duplicate or missing point", function()
    -- 10:00 to 13:30 at 1 s: 12,601 points, so two ranges (11,000 + 1,601).
    local start, finish = 1739095200, 1739095200 + 12600
    local function answer(req)
      local lo = math.tointeger(tonumber(req.query.start) // 1000000000)
      local hi = math.tointeger(tonumber(req.query["end"]) // 1000000000)
      local values = {}
      -- Loki's points at start + k*step up to end inclusive; the second answer also repeats
      -- the first range's last point, which must not be counted twice.
      if lo > start then values[1] = { lo - 1, "1" } end
      for t = lo, hi do values[#values + 1] = { t, tostring(t % 7) } end
      return { body = pm.json.encode { status = "success", data = { resultType = "matrix",
        result = { { metric = { app = "api" }, values = values } } } } }
    end
    local ctx = run({ url = "http://loki:3100", query = q, step = 1, start = start, ["end"] = finish }, answer)
    assert.same({}, ctx.gaps)
    assert.equals(2, #ctx.requests)
    assert.equals(tostring(start) .. "000000000", ctx.requests[1].query.start)
    assert.equals(tostring(start + 10999) .. "000000000", ctx.requests[1].query["end"])
    assert.equals(tostring(start + 11000) .. "000000000", ctx.requests[2].query.start)
    assert.equals(tostring(finish) .. "000000000", ctx.requests[2].query["end"])
    local points = ctx.kept[1].points
    assert.equals(12601, #points)
    for i, p in ipairs(points) do
      assert.equals(start + i - 1, p[1])
    end
    assert.matches("2 requests", ctx.infos[1])
  end)

  it("reads a vector or a scalar as one point", function()
    local ctx = run({ url = "http://loki:3100", query = q }, { { file = "vector.json" } })
    assert.same({ { 1739095500, 7 } }, ctx.kept[1].points)
    assert.is_nil(ctx.requests[1].query.step)
    ctx = run({ url = "http://loki:3100", query = "vector(4)" }, { { file = "scalar.json" } })
    assert.same({ { 1739095500, 4 } }, ctx.kept[1].points)
  end)

  it("refuses streams for a metric query, and a failing range, as gaps", function()
    local ctx = run({ url = "http://loki:3100", query = q }, { { file = "page-1.json" } })
    assert.matches("Loki answered a streams for a metric query, expected a matrix", ctx.gaps[1].reason)
    ctx = run({ url = "http://loki:3100", query = q, step = 1, start = 1739095200, ["end"] = 1739095200 + 12600 },
      { { file = "matrix.json" }, { status = 503, body = "service unavailable" } })
    assert.equals(1, #ctx.gaps)
    assert.matches("HTTP 503: service unavailable %(range 2 of 2: 2025%-02%-09T13:03:20%.000Z to ", ctx.gaps[1].reason)
    assert.equals(2, #ctx.kept) -- what the first range gave is kept
  end)
end)

describe("loki (options)", function()
  it("checks step, contains and the window", function()
    assert.same({ "option step: \"fast\" is not a duration such as 15s, 5m or 1h30m" },
      init.check { url = "http://l", query = "{a=\"b\"}", step = "fast" })
    assert.same({ "option contains: only a log query ({...}) takes a line filter" },
      init.check { url = "http://l", query = "rate({a=\"b\"}[1m])", contains = "x" })
  end)
end)

describe("loki (replayed from evidence recorded through the host)", function()
  -- fixtures/live-evidence is what `pmhost run` saved from scripts/recorded-http-server
  -- playing Tests/IntegrationTests/Data/recorded/loki-paged.json: five pages at limit 3.
  local opts = { url = "http://127.0.0.1:18731/loki-paged", query = '{app="api"}', contains = "error", limit = 3 }

  it("replays the five pages into the same eight events", function()
    local r = plugin.run(opts, { replay = "fixtures/live-evidence" })
    assert.is_nil(r.error)
    assert.same({}, r.gaps)
    assert.equals(8, #r.events)
    assert.equals("2025-02-09T10:05:07.250Z", r.events[2].time)
    assert.equals("2025-02-09T10:05:07.250Z", r.events[3].time)
    assert.equals("1739095507250000001", r.events[3].time_text)
    assert.equals("ERROR payment-service: error charging card 4242", r.events[4].event)
  end)

  it("is a gap when the paging would ask differently", function()
    local other = {}
    for k, v in pairs(opts) do other[k] = v end
    other.limit = 4
    local r = plugin.run(other, { replay = "fixtures/live-evidence" })
    assert.equals(1, #r.gaps)
    assert.matches("not in the replayed evidence", r.gaps[1].reason)
  end)
end)
