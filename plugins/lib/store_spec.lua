-- pm.store, the shared half of the store collectors, with a fake ctx that records what the
-- module asks of it.
local store = require "pm.store"

-- A ctx whose http answers from `answers` (a list of responses, or false for no answer),
-- recording the requests, gaps, warnings and progress lines.
local function fake_ctx(answers, incident)
  local ctx = { gaps = {}, warnings = {}, infos = {}, progress_lines = {}, requests = {} }
  ctx.incident = incident or { start = 1739095500, ["end"] = 1739101200 }
  ctx.gap = function(reason, extra) ctx.gaps[#ctx.gaps + 1] = { reason = reason, window = extra and extra.window } end
  ctx.log = {
    warn = function(m) ctx.warnings[#ctx.warnings + 1] = m end,
    info = function(m) ctx.infos[#ctx.infos + 1] = m end,
  }
  ctx.progress = function(text) ctx.progress_lines[#ctx.progress_lines + 1] = text end
  local function answer(method)
    return function(url, opts)
      ctx.requests[#ctx.requests + 1] = { method = method, url = url, opts = opts }
      local a = table.remove(answers, 1)
      if a == false then return nil, "GET " .. url .. ": connection refused" end
      return a
    end
  end
  ctx.http = { get = answer("get"), post = answer("post"), delete = answer("delete") }
  return ctx
end

describe("durations and times", function()
  it("reads numbers and Prometheus-style durations", function()
    assert.equals(15, store.seconds("15s", "step"))
    assert.equals(90, store.seconds("1m30s", "step"))
    assert.equals(0.5, store.seconds("500ms", "step"))
    assert.equals(86400 * 30, store.seconds("30d", "margin"))
    assert.equals(42, store.seconds(42, "step"))
    assert.equals(42, store.seconds("42", "step"))
  end)
  it("names the option of a bad duration", function()
    local v, problem = store.seconds("15 minutes", "margin")
    assert.is_nil(v)
    assert.matches("^margin: \"15 minutes\" is not a duration", problem)
    assert.matches("^step: empty", select(2, store.seconds("", "step")))
  end)
  it("reads RFC 3339 and Unix seconds, and names the option of anything else", function()
    assert.equals(1739095200, store.time("2025-02-09T10:00:00Z", "start"))
    assert.equals(1739095200, store.time("1739095200", "start"))
    assert.is_nil(store.time(nil, "start"))
    assert.has_error(function() store.time("yesterday", "end") end, "end: \"yesterday\" is neither RFC 3339")
  end)
  it("writes whole and fractional seconds as query parameters", function()
    assert.equals("1739095200", store.param(1739095200))
    assert.equals("1739095200.5", store.param(1739095200.5))
  end)
end)

describe("options and check", function()
  it("merges the shared options with a collector's own, which may override one", function()
    local o = store.options { url = { type = "url" }, margin = { type = "string", default = "1h" } }
    assert.not_nil(o.url)
    assert.equals("1h", o.margin.default)
    assert.equals(store.DEFAULTS.max_rows, o.max_rows.default)
    assert.not_nil(o.start)
    assert.not_nil(o["end"])
  end)
  it("lists every problem with the shared options", function()
    local problems = store.check { margin = "soon", start = "later", ["end"] = "2025-02-09T10:00:00Z" }
    assert.equals(2, #problems)
    assert.matches("option margin", problems[1])
    assert.matches("option start", problems[2])
    problems = store.check { start = "2025-02-09T11:00:00Z", ["end"] = "2025-02-09T10:00:00Z" }
    assert.same({ "option end: not after start" }, problems)
  end)
end)

describe("the window", function()
  it("is the incident's widened by the margin", function()
    local w = store.window(fake_ctx({}), { margin = "15m" })
    assert.equals(1739095500 - 900, w.start)
    assert.equals(1739101200 + 900, w.finish)
  end)
  it("takes start and end over the incident", function()
    local w = store.window(fake_ctx({}), { margin = "15m", start = "2025-01-10T00:00:00Z", ["end"] = 1739101200 })
    assert.equals(1736467200, w.start)
    assert.equals(1739101200, w.finish)
  end)
  it("runs until now for an incident without an end", function()
    local before = os.time()
    local w = store.window(fake_ctx({}, { start = 1739095500 }), { margin = 0 })
    assert.truthy(w.finish >= before)
  end)
  it("says what to set when there is no window", function()
    assert.has_error(function() store.window(fake_ctx({}, {}), {}) end, "start = is needed")
    assert.has_error(function() store.window(fake_ctx({}), { start = 1739101200, ["end"] = 1739095500 }) end,
      "the query window is empty")
  end)
end)

describe("split", function()
  -- Every point of the whole query, start + k * step up to finish, in exactly one range.
  local function points(ranges, step)
    local seen, list = {}, {}
    for _, r in ipairs(ranges) do
      local t = r.start
      while t <= r.finish do
        assert.falsy(seen[t], "point " .. t .. " in two ranges")
        seen[t] = true
        list[#list + 1] = t
        t = t + step
      end
    end
    return list
  end

  it("keeps a window that fits whole", function()
    assert.same({ { start = 0, finish = 3600 } }, store.split({ start = 0, finish = 3600 }, 15))
  end)
  it("cuts a month at 15 s into ranges of at most 11,000 points on the window's grid", function()
    local w = { start = 1736467200 + 7, finish = 1736467200 + 7 + 30 * 86400 }
    local ranges = store.split(w, 15)
    local total = 30 * 86400 // 15 + 1
    assert.equals(math.ceil(total / 11000), #ranges)
    for i, r in ipairs(ranges) do
      assert.truthy((r.finish - r.start) / 15 + 1 <= 11000)
      assert.equals(0, (r.start - w.start) % 15)
      if i > 1 then assert.equals(ranges[i - 1].finish + 15, r.start) end
    end
    local list = points(ranges, 15)
    assert.equals(total, #list)
    assert.equals(w.start, list[1])
    assert.equals(w.finish, list[#list])
  end)
  it("splits at exactly the limit and one past it", function()
    assert.equals(1, #store.split({ start = 0, finish = 10 * 9 }, 10, 10))
    local ranges = store.split({ start = 0, finish = 10 * 10 }, 10, 10)
    assert.equals(2, #ranges)
    assert.same({ start = 100, finish = 100 }, ranges[2])
  end)
  it("covers a window that is not a whole number of steps", function()
    local ranges = store.split({ start = 0, finish = 95 }, 10, 3)
    assert.same({ 0, 10, 20, 30, 40, 50, 60, 70, 80, 90 }, points(ranges, 10))
    assert.equals(95, ranges[#ranges].finish)
  end)
end)

describe("a reader", function()
  local w = { start = 1739094600, finish = 1739102100 }

  it("returns a 2xx answer, counting its bytes, and keeps no gap", function()
    local ctx = fake_ctx { { status = 200, body = "0123456789" } }
    local r = store.reader(ctx, { timeout_s = 5 }, { what = "Loki", query = "{app=\"api\"}", window = w })
    local res = r:request("get", "http://loki/x", { query = { a = 1 } })
    assert.equals(200, res.status)
    assert.equals(10, r.bytes)
    assert.equals(false, ctx.requests[1].opts.gap)
    assert.equals(5, ctx.requests[1].opts.timeout_s)
    assert.equals(0, #ctx.gaps)
  end)

  it("makes no answer a gap naming the store, the query and the range not read", function()
    local ctx = fake_ctx { false }
    local r = store.reader(ctx, {}, { what = "Loki", query = "{app=\"api\"}\n|= \"error\"", window = w })
    assert.is_nil(r:request("get", "http://loki/x"))
    assert.equals(1, #ctx.gaps)
    assert.equals('Loki query `{app="api"} |= "error"`, 2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z: '
      .. "no answer: GET http://loki/x: connection refused", ctx.gaps[1].reason)
    assert.same({ start = w.start, ["end"] = w.finish }, ctx.gaps[1].window)
  end)

  it("makes another status a gap from where the reading stood, and hands the response back", function()
    local ctx = fake_ctx { { status = 200, body = "" }, { status = 400, body = "parse error at line 1,\ncol 5" } }
    local r = store.reader(ctx, {}, { what = "Loki", query = "q", window = w })
    r:request("get", "http://loki/x")
    r:rows(10, 1739098200)
    local res, failed = r:request("get", "http://loki/x", nil, "page 2")
    assert.is_nil(res)
    assert.equals(400, failed.status)
    assert.matches("2025%-02%-09T10:50:00.000Z to 2025%-02%-09T11:55:00.000Z: HTTP 400: parse error at line 1, col 5 %(page 2%)$",
      ctx.gaps[1].reason)
    assert.equals(1739098200, ctx.gaps[1].window.start)
  end)

  it("stops at max_rows with a warning and a gap for the rest", function()
    local ctx = fake_ctx {}
    local r = store.reader(ctx, { max_rows = 25 }, { what = "ClickHouse", query = "SELECT 1", window = w })
    assert.truthy(r:rows(10, w.start + 100))
    assert.truthy(r:rows(10, w.start + 200))
    assert.falsy(r:rows(10, w.start + 300))
    assert.truthy(r:stopped())
    assert.equals(1, #ctx.warnings)
    assert.matches("ClickHouse: stopped at max_rows %(25 rows%) after 30 rows", ctx.warnings[1])
    assert.equals(1, #ctx.gaps)
    assert.matches("not read: the reading stopped at max_rows", ctx.gaps[1].reason)
    assert.equals(w.start + 300, ctx.gaps[1].window.start)
    -- Once stopped, more rows change nothing.
    assert.falsy(r:rows(1, w.start + 400))
    assert.equals(1, #ctx.warnings)
  end)

  it("stops at max_mb once the answers pass it", function()
    local ctx = fake_ctx { { status = 200, body = string.rep("x", 700000) }, { status = 200, body = string.rep("x", 700000) } }
    local r = store.reader(ctx, { max_mb = 1 }, { what = "Elasticsearch", query = "*", window = w })
    assert.not_nil(r:request("post", "http://es/_search"))
    assert.truthy(r:rows(1, w.start + 60))
    assert.not_nil(r:request("post", "http://es/_search"))
    assert.falsy(r:rows(1, w.start + 120))
    assert.matches("stopped at max_mb %(1 MB received%)", ctx.warnings[1])
  end)

  it("puts its reading on the progress line and sums it up at the end", function()
    local ctx = fake_ctx { { status = 200, body = "abc" } }
    local r = store.reader(ctx, {}, { what = "Loki", query = "q", window = w })
    r:request("get", "http://loki/x")
    r:rows(1234567, w.start + 60)
    assert.equals("Loki: 1 request, 1,234,567 rows, 0.0 MB, up to 2025-02-09T09:51:00.000Z", ctx.progress_lines[1])
    r:finish()
    assert.matches("^Loki: 1 request, 1,234,567 rows", ctx.infos[1])
  end)
end)

describe("secret", function()
  local function ctx_with(env, replay)
    return { replay = replay, env = function(name) return env[name] end }
  end
  it("reads the variable the option names", function()
    assert.equals("t0k", store.secret(ctx_with { LOKI_TOKEN = "t0k" }, { token_env = "LOKI_TOKEN" }, "token_env"))
    assert.is_nil(store.secret(ctx_with {}, {}, "token_env"))
  end)
  it("refuses an unset or empty variable, naming the option and the variable", function()
    assert.has_error(function() store.secret(ctx_with {}, { token_env = "LOKI_TOKEN" }, "token_env") end,
      "option token_env: the environment variable LOKI_TOKEN is not set: export it before the run")
    assert.has_error(function() store.secret(ctx_with { P = "" }, { password_env = "P" }, "password_env") end,
      "option password_env: the environment variable P is empty")
    assert.equals("", store.secret(ctx_with { P = "" }, { password_env = "P" }, "password_env", { empty = true }))
  end)
  it("needs none under --replay, which sends no request", function()
    assert.equals("", store.secret(ctx_with({}, true), { token_env = "LOKI_TOKEN" }, "token_env"))
    assert.equals("t0k", store.secret(ctx_with({ LOKI_TOKEN = "t0k" }, true), { token_env = "LOKI_TOKEN" }, "token_env"))
  end)
end)
