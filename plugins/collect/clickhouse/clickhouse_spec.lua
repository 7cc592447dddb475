-- The clickhouse collector through its own run function, with a stand-in ctx whose http
-- answers from a list (fixtures/ hold the answers, in 18.16's formats): checks the SQL
-- it sends and what it makes of each answer. scripts/integration runs it against a real
-- clickhouse-server (Tests/IntegrationTests/ClickHouseTests.swift).
local init = require "init"
local sql = require "sql"
local page = require "page"

local ANSWERS = require "fixtures.answers"
local function fixture(name) return assert(ANSWERS[name], name) end

local function fake_ctx(answers, env)
  local ctx = { requests = {}, events = {}, gaps = {}, warnings = {}, infos = {}, kept = {},
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
  ctx.series = { add = function(s) ctx.kept[#ctx.kept + 1] = s end }
  ctx.http = {
    post = function(url, o)
      ctx.requests[#ctx.requests + 1] = { url = url, opts = o, body = o.body }
      local a = table.remove(answers, 1)
      assert(a, "no answer left for: " .. o.body)
      if a.reason then return nil, a.reason end
      return { status = a.status or 200, body = a.body, headers = {}, url = url }
    end,
  }
  return ctx
end

local BASE = { url = "http://127.0.0.1:8123", table = "logs", time_column = "time", message_column = "message",
  columns = { "host" }, tie_breaker = "id", page_size = 3, format = "TabSeparated", kind = "error",
  margin = "15m", max_rows = 1000000, max_mb = 256 }

local function live(over, answers, env)
  local o = {}
  for k, v in pairs(BASE) do o[k] = v end
  for k, v in pairs(over) do o[k] = v end
  for k, v in pairs(over) do if v == false then o[k] = nil end end
  local ctx = fake_ctx(answers, env)
  init.run(ctx, o)
  return ctx
end

describe("clickhouse (SQL)", function()
  it("escapes string literals and identifiers as ClickHouse reads them", function()
    assert.equals([['it\'s a \\ back\\slash']], sql.literal([[it's a \ back\slash]]))
    assert.equals([['\'; DROP TABLE logs; --']], sql.literal("'; DROP TABLE logs; --"))
    assert.equals([[`we\`ird\\name`]], sql.ident([[we`ird\name]]))
  end)

  it("compares times as numbers in the column's own type, never as text in the server's zone", function()
    local a = sql.time_access("ts", "DateTime('Asia/Kathmandu')")
    assert.equals("toUInt32(`ts`)", a.select)
    assert.equals("toDateTime(1739095500)", a.bound(1739095500))
    a = sql.time_access("ts", "DateTime64(3)")
    assert.equals("toUnixTimestamp64Milli(`ts`)", a.select)
    assert.equals("fromUnixTimestamp64Milli(toInt64(1739095500000))", a.bound(1739095500))
    assert.equals(1000, a.scale)
    assert.equals("`ts`", sql.time_access("ts", "UInt32").select)
    local none, why = sql.time_access("ts", "String")
    assert.is_nil(none)
    assert.matches("^ts is String, not a DateTime, DateTime64 or Unix seconds; for times kept as text, give query = "
      .. "with toUInt32%(parseDateTimeBestEffort%(`ts`%)%) AS time", why)
    assert.has_error(function() a.raw("1 OR 1=1") end, "not a number")
  end)

  it("writes tie-breaker values as numbers only for numeric columns", function()
    assert.equals("42", sql.value("42", "UInt64"))
    assert.equals("'42'", sql.value("42", "String"))
    assert.equals([['a\'b']], sql.value("a'b", "Nullable(String)"))
    assert.equals([['1 OR 1=1']], sql.value("1 OR 1=1", "UInt64"))
  end)

  it("puts the window in a query's {start} and {end}, outward to whole seconds", function()
    assert.equals("t >= toDateTime(1739094600) AND t <= toDateTime(1739102101) {other}",
      sql.placeholders("t >= toDateTime({start}) AND t <= toDateTime({end}) {other}",
        { start = 1739094600.5, finish = 1739102100.2 }))
  end)
end)

describe("clickhouse (pages)", function()
  it("reads TabSeparated escapes and NULL", function()
    local rows, problem = page.read(fixture("page1.tsv"), "TabSeparated", { "t", "m", "id", "host" })
    assert.is_nil(problem)
    assert.equals(3, #rows)
    assert.equals("tab\there\nnewline \\ back\\slash 'q'", rows[2].m)
    assert.is_nil(rows[2].host)
    assert.equals("\27[31mred\27[0m", rows[3].m)
  end)

  it("says where a page was cut and where the server failed mid-stream", function()
    local rows, problem = page.read(fixture("cut.tsv"), "TabSeparated", { "t", "m", "id", "host" })
    assert.equals(2, #rows)
    assert.equals("the answer ends in the middle of row 3 (the connection closed before the page was complete)", problem)
    rows, problem = page.read(fixture("exception.tsv"), "TabSeparated", { "t", "m", "id", "host" })
    assert.equals(1, #rows)
    assert.matches("^ClickHouse failed in the middle of the answer: Code: 395, e.displayText%(%) = DB::Exception: "
      .. "Value passed to 'throwIf'", problem)
    rows, problem = page.read(fixture("exception.jsonl"), "JSONEachRow")
    assert.equals(1, #rows)
    assert.matches("Code: 241%. DB::Exception: Memory limit", problem)
    rows, problem = page.read('{"a":1}\n{"a":', "JSONEachRow")
    assert.equals(1, #rows)
    assert.matches("middle of row 2", problem)
  end)

  it("takes a message that quotes an exception for what it is: a row", function()
    local rows, problem = page.read(fixture("page2.tsv"), "TabSeparated", { "t", "m", "id", "host" })
    assert.is_nil(problem)
    assert.equals(2, #rows)
    assert.equals("Code: 1, e.displayText() = DB::Exception: not really", rows[2].m)
  end)
end)

describe("clickhouse (live)", function()
  it("reads the table's columns, then pages on (time, id) with ties at the page boundary", function()
    local ctx = live({}, { { body = fixture("describe.tsv") }, { body = fixture("page1.tsv") },
      { body = fixture("page2.tsv") } })
    assert.same({}, ctx.gaps)
    assert.equals(3, #ctx.requests)
    assert.equals("SELECT version(), name, type FROM system.columns WHERE database = currentDatabase() AND table = "
      .. "'logs' FORMAT TabSeparated", ctx.requests[1].body)
    assert.equals("SELECT toUInt32(`time`) AS __pm_time, `message` AS __pm_message, `id` AS __pm_tb, `host` FROM `logs`\n"
      .. "WHERE `time` >= toDateTime(1739094600)\n  AND `time` <= toDateTime(1739102100) ORDER BY `time`, `id` "
      .. "LIMIT 3 FORMAT TabSeparated", ctx.requests[2].body)
    -- The next page starts after the last row read: same second, a greater id.
    assert.matches("AND %(`time` > toDateTime%(1739095500%) OR %(`time` = toDateTime%(1739095500%) AND `id` > 3%)%) "
      .. "ORDER BY `time`, `id` LIMIT 3", ctx.requests[3].body)
    assert.equals(5, #ctx.events)
    local e = ctx.events[2]
    assert.equals(1739095500, e.time)
    assert.equals("tab here newline \\ back\\slash 'q'", e.event)
    assert.equals(e.event, e.group)
    assert.equals("error", e.kind)
    assert.same({}, e.fields) -- host is NULL
    assert.equals("http://127.0.0.1:8123 page 1 row 2", e.evidence)
    assert.equals("red", ctx.events[3].event)
    assert.same({ host = "api-2" }, ctx.events[3].fields)
    assert.equals("same second, next page", ctx.events[4].event)
    assert.equals(1739095561, ctx.events[5].time)
  end)

  it("sends the user and the password in headers, the database as a parameter, never in the SQL", function()
    local ctx = live({ user = "pm", password_env = "CH_PASSWORD", database = "app's" },
      { { body = fixture("describe.tsv") }, { body = "" } }, { CH_PASSWORD = "s3cret" })
    assert.same({ ["X-ClickHouse-User"] = "pm", ["X-ClickHouse-Key"] = "s3cret" }, ctx.requests[1].opts.headers)
    assert.same({ database = "app's" }, ctx.requests[1].opts.query)
    assert.matches([[database = 'app\'s' AND]], ctx.requests[1].body)
    assert.is_nil(ctx.requests[2].body:find("s3cret", 1, true))
    assert.has_error(function() live({ password_env = "CH_PASSWORD" }, {}, {}) end, "CH_PASSWORD is not set")
  end)

  it("puts the author's filter on lines of its own, and reads JSONEachRow", function()
    local ctx = live({ where = "level = 'ERROR' -- errors only", format = "JSONEachRow" },
      { { body = fixture("describe.tsv") }, { body = fixture("page.jsonl") } })
    assert.matches("\n  AND %(\nlevel = 'ERROR' %-%- errors only\n%) ORDER BY", ctx.requests[2].body)
    assert.matches("FORMAT JSONEachRow$", ctx.requests[2].body)
    assert.equals(2, #ctx.events)
    assert.equals("json bold line two", ctx.events[1].event)
    assert.same({}, ctx.events[1].fields)
    assert.same({ host = "api-2" }, ctx.events[2].fields)
  end)

  it("turns a cut page and an exception in a 200 answer into gaps naming the query and the unread range", function()
    local ctx = live({}, { { body = fixture("describe.tsv") }, { body = fixture("cut.tsv") } })
    assert.equals(2, #ctx.events)
    assert.equals(1, #ctx.gaps)
    assert.matches("^ClickHouse query `SELECT toUInt32%(`time`%).-`, 2025%-02%-09T10:05:01%.000Z to "
      .. "2025%-02%-09T11:55:00%.000Z: page 1: the answer ends in the middle of row 3", ctx.gaps[1].reason)
    assert.same({ start = 1739095501, ["end"] = 1739102100 }, ctx.gaps[1].window)
    ctx = live({}, { { body = fixture("describe.tsv") }, { body = fixture("exception.tsv") } })
    assert.equals(1, #ctx.events)
    assert.matches("page 1: ClickHouse failed in the middle of the answer: Code: 395", ctx.gaps[1].reason)
  end)

  it("turns an HTTP 400 or 500 with ClickHouse's text and a refused connection into gaps for the whole window", function()
    local ctx = live({ where = "level = = 'ERROR'" }, { { body = fixture("describe.tsv") },
      { status = 500, body = fixture("error500.txt") } })
    assert.equals(1, #ctx.gaps)
    assert.matches("2025%-02%-09T09:50:00%.000Z to 2025%-02%-09T11:55:00%.000Z: HTTP 500: Code: 62, "
      .. "e%.displayText%(%) = DB::Exception: Syntax error", ctx.gaps[1].reason)
    ctx = live({}, { { reason = "POST http://127.0.0.1:8123: connection refused" } })
    assert.equals(1, #ctx.gaps)
    assert.matches("^ClickHouse query `SELECT version%(%), name, type FROM system%.columns.-: no answer: "
      .. "POST http://127.0.0.1:8123: connection refused %(the table's columns%)$", ctx.gaps[1].reason)
    assert.same({}, ctx.events)
  end)

  it("names a missing table or column as a gap", function()
    local ctx = live({}, { { body = "" } })
    assert.matches("no table logs in database %(the user's default%)$", ctx.gaps[1].reason)
    ctx = live({ columns = { "host", "pod" } }, { { body = fixture("describe.tsv") } })
    assert.matches("table logs has no column pod$", ctx.gaps[1].reason)
  end)

  it("stops at max_rows with a warning and a gap for the rest", function()
    local ctx = live({ max_rows = 2 }, { { body = fixture("describe.tsv") }, { body = fixture("page1.tsv") } })
    assert.equals(2, #ctx.events)
    assert.equals(1, #ctx.warnings)
    assert.matches("stopped at max_rows %(2 rows%)", ctx.warnings[1])
    assert.matches("not read: the reading stopped at max_rows", ctx.gaps[1].reason)
  end)

  it("without a tie-breaker, ends pages on whole instants and reads an instant that fills a page alone", function()
    local full = "1739095500\ta\tapi-1\n1739095500\tb\tapi-1\n1739095500\tc\tapi-1\n"
    local ctx = live({ tie_breaker = false }, {
      { body = fixture("describe.tsv") },
      { body = full }, -- one instant fills the page: read it alone
      { body = full .. "1739095500\td\tapi-1\n" },
      { body = "1739095501\te\tapi-1\n1739095502\tf\tapi-1\n1739095502\tg\tapi-1\n" }, -- full: 02 read again
      { body = "1739095502\tf\tapi-1\n1739095502\tg\tapi-1\n" },
    })
    assert.same({}, ctx.gaps)
    assert.matches("ORDER BY `time` LIMIT 3", ctx.requests[2].body)
    assert.matches("AND `time` = toDateTime%(1739095500%) ORDER BY `time` LIMIT 1000001", ctx.requests[3].body)
    assert.matches("AND `time` > toDateTime%(1739095500%) ORDER BY", ctx.requests[4].body)
    assert.matches("AND `time` >= toDateTime%(1739095502%) ORDER BY", ctx.requests[5].body)
    local got = {}
    for i, e in ipairs(ctx.events) do got[i] = e.event end
    assert.same({ "a", "b", "c", "d", "e", "f", "g" }, got)
  end)

  it("asks the server for counts per interval and keeps them, with zeros, as a series", function()
    local ctx = live({ count_by = "30m" }, { { body = fixture("describe.tsv") },
      { body = "1739095200\t5\n1739098800\t2\n" }, { body = "" } })
    assert.equals("SELECT intDiv(toUInt32(`time`), 1800) * 1800 AS b, count() AS c FROM `logs`\n"
      .. "WHERE `time` >= toDateTime(1739094600)\n  AND `time` <= toDateTime(1739102100) GROUP BY b ORDER BY b "
      .. "FORMAT TabSeparated", ctx.requests[2].body)
    assert.equals(1, #ctx.kept)
    assert.equals("logs rows per 30m", ctx.kept[1].name)
    assert.same({ { 1739093400, 0 }, { 1739095200, 5 }, { 1739097000, 0 }, { 1739098800, 2 }, { 1739100600, 0 } },
      ctx.kept[1].points)
  end)

  it("runs a query of one's own with the window in it, paging around it", function()
    local q = "SELECT toUInt32(ts) AS time, msg AS message, id FROM app WHERE ts >= toDateTime({start}) "
      .. "AND ts <= toDateTime({end});"
    local ctx = live({ table = false, time_column = false, message_column = false, columns = false, query = q,
      page_size = 2 }, {
      { body = "time\tmessage\tid\n1739095500\tfirst\t10\n1739095500\tsecond\t11\n" },
      { body = "time\tmessage\tid\n1739095600\tthird\t12\n" },
    })
    assert.same({}, ctx.gaps)
    assert.equals("SELECT * FROM (\nSELECT toUInt32(ts) AS time, msg AS message, id FROM app WHERE ts >= "
      .. "toDateTime(1739094600) AND ts <= toDateTime(1739102100)\n) ORDER BY `time`, `id` LIMIT 2 FORMAT "
      .. "TabSeparatedWithNames", ctx.requests[1].body)
    assert.matches("WHERE %(`time` > 1739095500 OR %(`time` = 1739095500 AND `id` > 11%)%)", ctx.requests[2].body)
    assert.equals(3, #ctx.events)
    assert.same({ id = "10" }, ctx.events[1].fields)
  end)
end)

describe("clickhouse (check)", function()
  local function err(opts)
    local ok, e = pcall(init.check, opts)
    assert.is_false(ok)
    return e
  end

  it("refuses option combinations that cannot work", function()
    assert.matches("set table = %(with time_column and message_column%) or query =", err { url = "http://c:8123" })
    assert.matches("not both", err { url = "http://c:8123", table = "t", query = "SELECT {start} {end}" })
    assert.matches("option time_column: needed with `table`", err { url = "http://c:8123", table = "t",
      message_column = "m" })
    assert.matches("option where: only with `table`", err { url = "http://c:8123", query = "SELECT {start} {end}",
      where = "x" })
    assert.matches("needs {start} and {end}", err { url = "http://c:8123", query = "SELECT 1" })
    assert.matches("leave FORMAT out", err { url = "http://c:8123", query = "SELECT {start}, {end} FORMAT JSON" })
    assert.matches("option count_by: a whole number of seconds", err { url = "http://c:8123", table = "t",
      time_column = "t", message_column = "m", count_by = "500ms" })
    assert.matches("option margin", err { url = "http://c:8123", table = "t", time_column = "t", message_column = "m",
      margin = "soon" })
    assert.has_error(function()
      plugin.run { url = "http://c:8123", table = "t", time_column = "t", message_column = "m", count_by = "1 minute" }
    end, "option count_by")
  end)
end)
