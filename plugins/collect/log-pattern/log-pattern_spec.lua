-- Each event as "TIME EVIDENCE | TEXT", in timeline order.
local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do out[i] = ("%s %s | %s"):format(e.time, e.evidence, e.event) end
  return out
end

local function messages(list)
  local out = {}
  for i, w in ipairs(list) do out[i] = w.message or w.reason end
  return out
end

local PYTHON = "^(%d+%-%d+%-%d+ [%d:,]+) (%u+) %[(.-)%] (.*)$"

describe("log-pattern", function()
  describe("a pattern with fields, a strptime time format and a UTC offset", function()
    local r = plugin.run {
      path = "fixtures/worker.log", pattern = PYTHON, fields = { "time", "level", "logger", "message" },
      time_format = "%Y-%m-%d %H:%M:%S,%f", utc_offset = "+01:00", match = " ERROR ", source = "worker",
    }

    it("makes an event of each selected line, in UTC, text from the message capture", function()
      assert.is_nil(r.error)
      assert.same({
        "2025-02-09T10:05:23.250Z fixtures/worker.log:2 | job 42 failed: timeout",
        "2025-02-09T10:05:25.500Z fixtures/worker.log:7 | connection refused by 10.0.0.5",
        "2025-02-09T10:05:26.000Z fixtures/worker.log:8 | job 43 failed: timeout",
      }, rows(r))
    end)

    it("fills kind, group, source and the other captures as fields", function()
      local e = r.events[1]
      assert.equals("error", e.kind)
      -- Written without an offset; utc_offset +01:00 applied.
      assert.same({ "2025-02-09 11:05:23,250", "+01:00", "2025-02-09T10:05:23.250Z" }, { e.time_text, e.time_offset, e.time })
      assert.equals("job 42 failed: timeout", e.group)
      assert.equals("worker", e.source)
      assert.is_nil(e.actor)
      assert.same({ level = "ERROR", logger = "worker.pool" }, e.fields)
    end)

    it("warns about selected lines the pattern or the time format does not fit", function()
      assert.same({
        'fixtures/worker.log:9: a selected line does not match `pattern`: "--- ERROR [worker.db] a line that lost its time"; skipped',
        'fixtures/worker.log:10: a line has an unreadable time: "2025-02-09 11:05:27", not in the format '
          .. "%Y-%m-%d %H:%M:%S,%f; left out of the timeline",
      }, messages(r.warnings))
      assert.equals(0, #r.gaps)
    end)
  end)

  it("takes named captures, and event and group templates", function()
    local r = plugin.run {
      path = "fixtures/worker.log", pattern = "^(?<time>%S+ %S+) ERROR %[(?<logger>.-)%] (?<message>.*)$",
      time_format = "%F %T,%f", utc_offset = "+0100", event = "{logger}: {message}", group = "{logger} errors",
    }
    assert.same({
      "2025-02-09T10:05:23.250Z fixtures/worker.log:2 | worker.pool: job 42 failed: timeout",
      "2025-02-09T10:05:25.500Z fixtures/worker.log:7 | worker.db: connection refused by 10.0.0.5",
      "2025-02-09T10:05:26.000Z fixtures/worker.log:8 | worker.db: job 43 failed: timeout",
    }, rows(r))
    assert.same({ "worker.pool errors", "worker.db errors", "worker.db errors" },
      { r.events[1].group, r.events[2].group, r.events[3].group })
    -- without match/contains the pattern selects: other lines are not warned about
    assert.same({ 'fixtures/worker.log:10: a line has an unreadable time: "2025-02-09 11:05:27", not in the format '
      .. "%F %T,%f; left out of the timeline" }, messages(r.warnings))
  end)

  it("reads syslog times, which have no year (the incident's) and no offset (UTC, said once)", function()
    local r = plugin.run {
      path = "fixtures/syslog.log", pattern = "^(%a+ +%d+ %d+:%d+:%d+) (%S+) ([^:]+): (.*)$",
      fields = { "time", "host", "program", "message" }, time_format = "%b %e %H:%M:%S", kind = "note",
    }
    assert.same({
      "2025-02-09T10:05:23.000Z fixtures/syslog.log:1 | [12345.678] Out of memory: Killed process 4242 (java)",
      "2025-02-09T10:05:24.000Z fixtures/syslog.log:2 | api.service: Main process exited, code=killed, status=9/KILL",
    }, rows(r))
    assert.equals("note", r.events[1].kind)
    assert.same({
      'fixtures/syslog.log:3: a line has an unreadable time: "Feb 30 10:05:25", day 30 out of range for February 2025; '
        .. "left out of the timeline",
      "fixtures/syslog.log: 2 event times carry no UTC offset and were read as UTC; set utc_offset if the log is in local time",
    }, messages(r.warnings))
  end)

  it("reads Unix milliseconds, filtered by contains", function()
    local r = plugin.run {
      path = "fixtures/epoch.log", pattern = "^(%S+) (%u+) (.*)$", fields = { "time", "level", "message" },
      time_format = "unix_ms", contains = { "ERROR", "FATAL" },
    }
    assert.same({ "2025-02-09T10:05:23.123Z fixtures/epoch.log:1 | disk full on /var/lib/postgresql" }, rows(r))
    assert.same({ 'fixtures/epoch.log:3: a line has an unreadable time: "notanumber", expected an integer count '
      .. "of ms; left out of the timeline" }, messages(r.warnings))
  end)

  it("reads odd offsets, and times without one as UTC with a warning", function()
    local r = plugin.run { path = "fixtures/offsets.log", pattern = "^(.-) ERROR (.*)$", fields = { "time", "message" } }
    assert.same({
      "2025-02-09T10:05:23.000Z fixtures/offsets.log:1 | kathmandu", -- +05:45
      "2025-02-09T10:05:24.500Z fixtures/offsets.log:2 | st-johns", -- -03:30
      "2025-02-09T10:05:25.000Z fixtures/offsets.log:3 | no offset",
    }, rows(r))
    assert.same({
      'fixtures/offsets.log:4: a line has an unreadable time: "2025-02-30T10:05:26Z", day 30 out of range for '
        .. "February 2025 in '2025-02-30T10:05:26Z'; left out of the timeline",
      'fixtures/offsets.log:5: a line has no time: "- ERROR no time at all"; left out of the timeline',
      "fixtures/offsets.log: 1 event time carries no UTC offset and was read as UTC; set utc_offset if the log is in local time",
    }, messages(r.warnings))
    local local_time = plugin.run { path = "fixtures/offsets.log", pattern = "^(.-) ERROR (.*)$",
      fields = { "time", "message" }, utc_offset = "-03:30" }
    assert.equals("2025-02-09T13:35:25.000Z", local_time.events[3].time)
  end)

  describe("a parse function", function()
    it("from a file, with its failures counted and the run going on", function()
      local r = plugin.run { path = "fixtures/app.jsonl", parse = "fixtures/parsers/jsonl.lua", time_format = "unix" }
      assert.same({ "2025-02-09T10:05:23.500Z fixtures/app.jsonl:1 | payment declined" }, rows(r))
      assert.same({ level = "error", order = 42 }, r.events[1].fields)
      assert.same({
        'fixtures/app.jsonl:3: `parse` failed on a line: "{"ts":1739095525.0,"lvl":"error","msg":"cut sho", '
          .. "fixtures/parsers/jsonl.lua:3: pm.json.decode: line 1, column 40: unterminated string; skipped",
        'fixtures/app.jsonl:4: a line has no time: "{"lvl":"error","msg":"no time"}"; left out of the timeline',
      }, messages(r.warnings))
    end)

    it("written in the pipeline, getting the line as ...", function()
      local r = plugin.run { path = "fixtures/app.jsonl", time_format = "unix", parse = [[
        local line = ...
        local ts, msg = line:match('"ts":([%d.]+),"lvl":"error","msg":"([^"]*)"')
        return ts and { time = ts, message = msg }
      ]] }
      assert.same({ "2025-02-09T10:05:23.500Z fixtures/app.jsonl:1 | payment declined" }, rows(r))
      assert.equals(0, #r.warnings)
    end)
  end)

  it("reads CRLF lines", function()
    local r = plugin.run { path = "fixtures/crlf.log", pattern = "^(%S+) (%u+) (.*)$", fields = { "time", "level", "message" } }
    assert.same({ "2025-02-09T10:05:30.000Z fixtures/crlf.log:1 | windows line" }, rows(r))
  end)

  it("shows bytes that are not UTF-8 as U+FFFD, with a warning", function()
    local r = plugin.run { path = "fixtures/latin1.log", pattern = "^(%S+) (%u+) (.*)$", fields = { "time", "level", "message" } }
    assert.same({
      "2025-02-09T10:05:31.000Z fixtures/latin1.log:1 | caf\u{FFFD} ferm\u{FFFD}",
      "2025-02-09T10:05:32.000Z fixtures/latin1.log:2 | fine",
    }, rows(r))
    assert.same({ "fixtures/latin1.log:1: an event's line has bytes that are not UTF-8; shown as U+FFFD" },
      messages(r.warnings))
  end)

  it("records an empty file as a gap", function()
    local r = plugin.run { path = "fixtures/empty.log", pattern = "^(%S+) (.*)$", fields = { "time", "message" } }
    assert.is_nil(r.error)
    assert.same({ "fixtures/empty.log is empty: no log lines to read" }, messages(r.gaps))
  end)

  it("rejects options it cannot use, before reading", function()
    -- Errors from check(opts) stop plugin.run itself (as they stop `pmhost check`, exit 2);
    -- the others fail the run.
    local function err(opts)
      opts.path = opts.path or "fixtures/worker.log"
      local ok, r = pcall(plugin.run, opts)
      if not ok then return (r:gsub("^.-plugin%.run %(log%-pattern%): ", "")) end
      return r.error
    end
    assert.equals("option pattern: give `pattern` (a Lua pattern with captures) or `parse`", err {})
    assert.equals('option pattern: name the captures: fields = { "time", ... } or (?<time>...) in the pattern',
      err { pattern = "^(%S+) (.*)$" })
    assert.equals("option pattern: no capture is named time", err { pattern = "^(%S+) (.*)$", fields = { "message" } })
    assert.equals("option fields: the pattern names its captures already (?<name>...)",
      err { pattern = "^(?<time>%S+)", fields = { "time" } })
    assert.equals("option pattern: unfinished capture", err { pattern = "^(%S+) (.*$", fields = { "time", "message" } })
    assert.equals("option time_format: unknown directive %Q",
      err { pattern = "^(%S+)", fields = { "time" }, time_format = "%Q" })
    assert.equals("option time_format: needs a date: %Y-%m-%d, %b %d or %s",
      err { pattern = "^(%S+)", fields = { "time" }, time_format = "%H:%M:%S" })
    assert.equals('option utc_offset: "CET" is not an offset such as +05:45, -0330 or Z',
      err { pattern = "^(%S+)", fields = { "time" }, utc_offset = "CET" })
    assert.equals("option event: {msg} is no capture of the pattern",
      err { pattern = "^(%S+) (.*)$", fields = { "time", "message" }, event = "{msg}" })
    assert.equals("option parse: give `pattern` or `parse`, not both", err { parse = "return nil", pattern = "x" })
    assert.equals("option parse: no such file fixtures/parsers/missing.lua", err { parse = "fixtures/parsers/missing.lua" })
    assert.equals("option 'contains'[1]: expected string, got number 1",
      err { pattern = "^(%S+)", fields = { "time" }, contains = { 1 } })
    assert.equals("option contains: is an empty list: give the text a line must hold, or leave contains out",
      err { pattern = "^(%S+)", fields = { "time" }, contains = {} })
    assert.equals("option time_format: unknown directive %Q", err { pattern = "^(%S+)", fields = { "time" }, time_format = "%Y-%Q" })
  end)

  it("fails clearly on a missing file", function()
    local r = plugin.run { path = "fixtures/missing.log", pattern = "^(%S+)", fields = { "time" } }
    assert.equals("cannot read fixtures/missing.log: no such file (paths are relative to the pipeline folder)", r.error)
  end)
end)

describe("timefmt", function()
  local timefmt = require "timefmt"

  it("reads strptime-like formats exactly", function()
    local read = timefmt.compile("%d/%b/%Y:%H:%M:%S %z")
    assert.equals(1739095523, read("09/Feb/2025:15:50:23 +0545"))
    read = timefmt.compile("%I:%M:%S %p %m/%d/%y", { offset = 0 })
    assert.equals(1739102723, read("12:05:23 PM 02/09/25"))
    assert.equals(1739059523, read("12:05:23 AM 02/09/25"))
    read = timefmt.compile("%Y-%j %T", { offset = 0 })
    assert.equals(1739095523, read("2025-040 10:05:23"))
    read = timefmt.compile("%s.%f")
    assert.equals(1739095523.25, read("1739095523.25"))
    read = timefmt.compile("%B %d, %Y %H:%M:%S.%f %Z")
    assert.equals(1709290800.123, read("March 01, 2024 11:00:00.123456 UTC"))
    assert.same({ nil, 'time zone "CET" is ambiguous: log numeric offsets or set utc_offset' },
      { read("March 01, 2024 11:00:00.1 CET") })
    assert.same({ nil, "day 29 out of range for February 2025" },
      { timefmt.compile("%Y-%m-%d", { offset = 0 })("2025-02-29") })
    assert.equals(1709164800, timefmt.compile("%Y-%m-%d", { offset = 0 })("2024-02-29"))
    assert.same({ nil, "has no year (%Y) and no incident year is known" }, { timefmt.compile("%m-%d %H:%M") })
    assert.equals(1739095500, timefmt.compile("%m-%d %H:%M", { year = 2025, offset = 0 })("02-09 10:05"))
  end)

  it("reads the named formats", function()
    assert.equals(1739095523.123, timefmt.compile("unix_ms")("1739095523123"))
    assert.equals(1739095523.123456, timefmt.compile("unix_us")("1739095523123456"))
    assert.equals(1739095523, timefmt.compile("unix_ns")("1739095523000000000"))
    assert.equals(1739095523.5, timefmt.compile("unix")("1739095523.5"))
    assert.equals(1739095523, timefmt.compile("nginx")("09/Feb/2025:11:05:23 +0100"))
    assert.equals(1739095523.5, timefmt.compile("rfc3339", { offset = 3600 })("2025-02-09 11:05:23,5"))
    assert.same({ 1739095523, "no offset", 0 }, { timefmt.compile("rfc3339")("2025-02-09T10:05:23") })
    -- The third result is the offset applied; nil when the text states its own.
    assert.same({ 1739095523.5, nil, 3600 }, { timefmt.compile("rfc3339", { offset = 3600 })("2025-02-09 11:05:23,5") })
    assert.same({ 1739095523 }, { timefmt.compile("rfc3339", { offset = 3600 })("2025-02-09T10:05:23Z") })
    assert.same({ 1739095523, nil, -16200 },
      { timefmt.compile("%Y-%m-%d %H:%M:%S %z")("2025-02-09 05:35:23 -04:30") })
    assert.same({ nil, "unknown time_format iso (rfc3339, unix, unix_ms, unix_us, unix_ns, nginx, or %-directives)" },
      { timefmt.compile("iso") })
  end)

  it("counts days like the proleptic Gregorian calendar", function()
    assert.equals(0, timefmt.days_from_civil(1970, 1, 1))
    assert.equals(20128, timefmt.days_from_civil(2025, 2, 9))
    assert.equals(-719468, timefmt.days_from_civil(0, 3, 1))
    assert.equals(11016, timefmt.days_from_civil(2000, 2, 29))
  end)
end)

describe("pm.time.parse without a year or an offset", function()
  local near = pm.time.parse("2025-02-09T10:00:00Z")
  it("reads syslog and klog times against a time near them", function()
    assert.equals(pm.time.parse("2025-02-09T10:05:23Z"), pm.time.parse("Feb  9 10:05:23", "syslog", { near = near }))
    assert.equals(pm.time.parse("2025-02-09T10:05:23.238Z"), pm.time.parse("I0209 10:05:23.238135", "klog", { near = near }))
    assert.equals(pm.time.parse("2025-02-09T10:05:23Z"),
      pm.time.parse("Feb  9 15:50:23", "syslog", { near = "2025-02-09T10:00:00Z", offset = "+05:45" }))
  end)
  it("reads local times in a configured offset", function()
    assert.equals(pm.time.parse("2015-07-29T15:41:44.747Z"), pm.time.parse("2015-07-29 17:41:44,747", "local", { offset = "+02:00" }))
  end)
  it("says what is missing or wrong", function()
    assert.has_error(function() pm.time.parse("Feb  9 10:05:23", "syslog") end, "pass { near = a time")
    local t, why = pm.time.parse("Feb 30 10:05:23", "syslog", { near = near })
    assert.is_nil(t)
    assert.equals("'Feb 30 10:05:23' is not a syslog time", why)
  end)
end)
