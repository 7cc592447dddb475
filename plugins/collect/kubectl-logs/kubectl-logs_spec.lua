-- Each event as "TIME EVIDENCE LEVEL | TEXT", in timeline order.
local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do
    out[i] = ("%s %s %s | %s"):format(e.time, e.evidence, tostring(e.fields.level), e.event)
  end
  return out
end

describe("kubectl-logs", function()
  describe("--prefix output with logfmt messages", function()
    local r = plugin.run { path = "fixtures/api-service.log", source = "app logs", service = "api-service" }

    it("keeps error levels and 5xx status fields, read in UTC", function()
      assert.is_nil(r.error)
      assert.same({
        "2025-02-09T10:15:30.123Z fixtures/api-service.log:2 error | Database connection pool exhausted",
        "2025-02-09T10:15:31.000Z fixtures/api-service.log:3 error | Database connection pool exhausted", -- 12:15:31+02:00, level=ERROR
        "2025-02-09T10:15:33.120Z fixtures/api-service.log:5 info | request (HTTP 503)", -- status=503
        '2025-02-09T10:15:34.000Z fixtures/api-service.log:6 error | upstream said "no healthy upstream"',
        "2025-02-09T10:15:35.000Z fixtures/api-service.log:8 fatal | shutdown",
      }, rows(r))
    end)

    it("fills kind, group, source, the pod fields and the service", function()
      local e = r.events[1]
      assert.equals("error", e.kind)
      assert.same({ "2025-02-09T10:15:30.123456789Z", "+00:00" }, { e.time_text, e.time_offset })
      assert.equals("Database connection pool exhausted", e.group)
      assert.equals("app logs", e.source)
      assert.is_nil(e.actor)
      assert.equals("api-service-7d9f8b-x2k4p", e.fields.pod)
      assert.equals("api", e.fields.container)
      assert.equals("api-service", e.fields.service)
      assert.equals("api-service-7d9f8b-m8q2z", r.events[2].fields.pod)
      assert.equals(503, r.events[3].fields.status)
      assert.equals("istio-proxy", r.events[4].fields.container)
    end)

    it("warns once about a matching line without a timestamp, naming file and line", function()
      assert.equals(1, #r.warnings)
      assert.equals('fixtures/api-service.log:7: a matching line has no timestamp: '
        .. '"[pod/api-service-7d9f8b-x2k4p/api] level=error msg="Databas…"; '
        .. "left out of the timeline (take logs with `kubectl logs --timestamps`)", r.warnings[1].message)
      assert.equals(0, #r.gaps)
    end)
  end)

  describe("output without --prefix (CRLF line ends)", function()
    local r = plugin.run { path = "fixtures/unprefixed.log" }

    it("reads klog, JSON, Go panics and 16 KiB pieces of long lines", function()
      assert.is_nil(r.error)
      assert.same({
        "2025-02-09T10:16:01.000Z fixtures/unprefixed.log:2 error | acquire connection: context deadline exceeded",
        "2025-02-09T10:16:03.000Z fixtures/unprefixed.log:4 error | order lookup failed",
        "2025-02-09T10:16:03.250Z fixtures/unprefixed.log:5 info | served (HTTP 504)",
        '2025-02-09T10:16:04.500Z fixtures/unprefixed.log:6 error | order payload "rejected"',
        "2025-02-09T10:16:05.000Z fixtures/unprefixed.log:8 panic | panic: runtime error: invalid memory address or nil pointer dereference",
        "2025-02-09T10:16:06.000Z fixtures/unprefixed.log:9 fatal | cannot start: database unreachable",
      }, { table.unpack(rows(r), 1, 6) })
    end)

    it("joins the two pieces of a long line into one event", function()
      -- lines 6 and 7: the JSON only decodes whole; "status":500 is in the second piece
      assert.equals(500, r.events[4].fields.status)
      assert.equals('order payload "rejected"', r.events[4].group)
    end)

    it("still makes an event of a long line whose first piece held no error word", function()
      -- line 10 (no needle) never reaches Lua; line 11 carries "level":"error"
      assert.equals(7, #r.events)
      local e = r.events[7]
      assert.equals("fixtures/unprefixed.log:11", e.evidence)
      assert.equals("error", e.fields.level)
      assert.equals(200, utf8.len(e.event))
      assert.matches("^BBBB", e.event)
      assert.is_nil(e.fields.pod)
      assert.equals(0, #r.warnings)
    end)
  end)

  it("takes out a piece's timestamp that an older kubelet wrote inside the line", function()
    -- Serilog's compact JSON: @m and @l decode only once the inner timestamp is gone
    local r = plugin.run { path = "fixtures/injected.log" }
    assert.same({ "2025-02-09T10:21:00.000Z fixtures/injected.log:2 error | report upload failed" }, rows(r))
  end)

  it("joins the P pieces of a node's CRI log file", function()
    local r = plugin.run { path = "fixtures/cri.log" }
    assert.same({
      "2025-02-09T10:22:01.000Z fixtures/cri.log:2 error | export failed for tenant acme",
      "2025-02-09T10:22:02.000Z fixtures/cri.log:6 error | giving up",
    }, rows(r))
    assert.equals("stdout", r.events[1].fields.stream)
    assert.equals("stderr", r.events[2].fields.stream)
  end)

  describe("message conventions", function()
    local r = plugin.run { path = "fixtures/formats.log" }

    it("reads the level of pino, slog, klog, Spring, nginx, zap, logrus, GCP, Python and Go", function()
      assert.same({
        "2025-02-09T10:17:00.000Z fixtures/formats.log:1 error | payment gateway timeout", -- pino 50
        "2025-02-09T10:17:02.000Z fixtures/formats.log:3 error | charge failed",
        "2025-02-09T10:17:03.000Z fixtures/formats.log:4 error | Failed to update lease", -- klog structured
        "2025-02-09T10:17:04.000Z fixtures/formats.log:5 error | c.a.OrderController : Order 42 failed",
        "2025-02-09T10:17:05.000Z fixtures/formats.log:6 critical | 7#7: *31 connect() to 10.0.0.5:8080 failed (111: Connection refused)",
        '2025-02-09T10:17:06.000Z fixtures/formats.log:7 error | api/orders.go:88 checkout failed {"order": 42}',
        "2025-02-09T10:17:07.000Z fixtures/formats.log:8 error | stock sync failed", -- level=Error
        "2025-02-09T10:17:09.000Z fixtures/formats.log:10 info | GET /api/v1/orders (HTTP 502)", -- upstream_status=502
        "2025-02-09T10:17:10.000Z fixtures/formats.log:11 error | payment webhook rejected", -- colour codes dropped
        "2025-02-09T10:17:11.000Z fixtures/formats.log:12 fatal | fatal error: all goroutines are asleep - deadlock!",
        "2025-02-09T10:17:12.000Z fixtures/formats.log:13 critical | disk full", -- "severity":"CRITICAL"
        "2025-02-09T10:17:13.000Z fixtures/formats.log:14 info | handled (HTTP 503)", -- "status": 503
        "2025-02-09T10:17:14.000Z fixtures/formats.log:15 error | unable to upgrade connection: pod does not exist",
      }, { table.unpack(rows(r), 1, 13) })
      -- not kept: pino 30, level=eRRor, "WARN ... ERROR", grpc_status=5
      assert.equals(14, #r.events)
    end)

    it("keeps the error logged beside the message", function()
      assert.equals("card declined", r.events[2].fields.error)
      assert.equals("etcdserver: request timed out", r.events[3].fields.error)
      assert.is_nil(r.events[1].fields.error)
    end)

    it("shortens text to 200 characters between UTF-8 sequences, white space collapsed", function()
      local e = r.events[14]
      assert.equals("fixtures/formats.log:18", e.evidence)
      assert.equals(200, utf8.len(e.event))
      assert.equals(string.rep("é", 150) .. "x y" .. string.rep("é", 46) .. "…", e.event)
      assert.equals(0, #r.warnings)
    end)
  end)

  it("reads any UTC offset and warns about times without one", function()
    local r = plugin.run { path = "fixtures/offsets.log" }
    assert.same({
      "2025-02-09T10:05:30.000Z fixtures/offsets.log:1 error | Kathmandu offset", -- +05:45
      "2025-02-09T10:05:30.500Z fixtures/offsets.log:2 error | Newfoundland offset", -- -03:30
      "2025-02-09T10:05:33.000Z fixtures/offsets.log:5 error | lower-case z",
    }, rows(r))
    assert.equals(1, #r.warnings)
    assert.equals('fixtures/offsets.log: 2 matching lines have unreadable timestamps (first at line 3: '
      .. "\"2025-02-09T10:05:31\", expected a UTC offset (Z, +hh:mm or -hh:mm) at character 20 in "
      .. "'2025-02-09T10:05:31'); left out of the timeline", r.warnings[1].message)
  end)

  it("shows bytes that are not UTF-8 as U+FFFD and says so once", function()
    local r = plugin.run { path = "fixtures/latin1.log" }
    assert.same({
      "2025-02-09T10:18:00.000Z fixtures/latin1.log:1 error | caf\u{FFFD} au lait: commande refus\u{FFFD}e",
      "2025-02-09T10:18:01.000Z fixtures/latin1.log:2 error | café is fine",
      "2025-02-09T10:18:02.000Z fixtures/latin1.log:3 error | cut \u{FFFD}\u{FFFD} short",
    }, rows(r))
    assert.equals(1, #r.warnings)
    assert.equals("fixtures/latin1.log: 2 events' lines have bytes that are not UTF-8 (first at line 1); shown as U+FFFD",
      r.warnings[1].message)
  end)

  it("keeps what there is of a truncated last line", function()
    local r = plugin.run { path = "fixtures/truncated.log" }
    assert.same({
      "2025-02-09T10:19:01.000Z fixtures/truncated.log:1 error | write failed: disk quota exceeded",
      "2025-02-09T10:19:02.000Z fixtures/truncated.log:2 error | write failed: disk qu",
    }, rows(r))
    assert.equals(0, #r.warnings)
  end)

  it("records an empty file as a data gap", function()
    local r = plugin.run { path = "fixtures/empty.log", source = "app logs" }
    assert.is_nil(r.error)
    assert.equals(0, #r.events)
    assert.equals(1, #r.gaps)
    assert.equals("fixtures/empty.log is empty: no log lines to read", r.gaps[1].reason)
    assert.equals("app logs", r.gaps[1].source)
  end)

  it("summarises many lines without a timestamp in one warning", function()
    local r = plugin.run { path = "fixtures/notimestamps.log" }
    assert.same({ "2025-02-09T10:20:00.000Z fixtures/notimestamps.log:5 error | Database connection pool exhausted" },
      rows(r))
    assert.equals(1, #r.warnings)
    assert.equals('fixtures/notimestamps.log: 4 matching lines have no timestamp (first at line 1: '
      .. '"level=error msg="Database connection pool exhausted""); left out of the timeline '
      .. "(take logs with `kubectl logs --timestamps`)", r.warnings[1].message)
  end)

  it("takes a user pattern instead of the default selection", function()
    local r = plugin.run { path = "fixtures/unprefixed.log", match = "pool stats" }
    assert.same({ "2025-02-09T10:16:00.000Z fixtures/unprefixed.log:1 info | pool stats: 20/20 connections in use" },
      rows(r))
    local any = plugin.run { path = "fixtures/api-service.log", match = "status=[25]%d%d%f[%D]" }
    assert.same({ -- the pattern sees the whole line
      "2025-02-09T10:15:29.998Z fixtures/api-service.log:1 info | GET /healthz",
      "2025-02-09T10:15:33.120Z fixtures/api-service.log:5 info | request (HTTP 503)",
    }, rows(any))
  end)

  it("rejects a malformed pattern before reading", function()
    local ok, err = pcall(plugin.run, { path = "fixtures/api-service.log", match = "level=[a" })
    assert.is_false(ok)
    assert.matches([[option 'match': "level=%[a" is not a Lua pattern: malformed pattern %(missing '%]'%)]], err)
  end)

  it("reads every file of a glob, labelled by the service", function()
    local r = plugin.run { path = "fixtures/pods/*.log", service = "api" }
    assert.same({
      "2025-02-09T10:30:00.000Z fixtures/pods/api-a.log:1 error | upstream reset",
      "2025-02-09T10:30:02.000Z fixtures/pods/api-b.log:1 error | upstream reset",
    }, rows(r))
    assert.equals("api-b", r.events[2].fields.pod)
    assert.same({ "api", "api" }, { r.events[1].source, r.events[2].fields.service })
  end)

  it("fails clearly on a missing file or a glob that matches nothing", function()
    local r = plugin.run { path = "fixtures/nope.log" }
    assert.equals("cannot read fixtures/nope.log: no such file (paths are relative to the pipeline folder)", r.error)
    assert.equals(0, #r.events)
    r = plugin.run { path = "fixtures/nope-*.log" }
    assert.equals("no file matches fixtures/nope-*.log (paths are relative to the pipeline folder)", r.error)
  end)
end)

-- pm.logtext (plugins/lib/logtext.lua) is shared by every collector.
describe("logtext", function()
  local logtext = require "pm.logtext"

  it("finds the plain text every match of a pattern contains", function()
    assert.equals(" ERROR ", logtext.literal("^(%S+) ERROR (.*)$"))
    assert.equals("status=5", logtext.literal("status=5%d%d"))
    assert.equals("level=", logtext.literal("level=e?rror"))
    assert.equals("pool exhausted", logtext.literal("pool exhausted"))
    assert.equals("a.b[c]", logtext.literal("a%.b%[c%]x*"))
    assert.equals("upstream", logtext.literal("%f[%w]upstream%f[%W]"))
    assert.equals("imeout", logtext.literal("[Tt]imeout"))
    assert.equals("abc", logtext.literal("(ab)c+d?"))
    assert.is_nil(logtext.literal("%d+ %a+"))
    assert.is_nil(logtext.literal("[]x]ab"))
    assert.is_nil(logtext.literal("%b()ab"))
  end)

  it("says what is wrong with a malformed pattern, as Lua would", function()
    assert.is_nil(logtext.check("^(%S+) %[(.-)%] [^%]]+$"))
    assert.is_nil(logtext.check("(a)%1"))
    assert.equals("malformed pattern (missing ']')", logtext.check("level=[a"))
    assert.equals("malformed pattern (ends with '%')", logtext.check("100%"))
    assert.equals("unfinished capture", logtext.check("(a"))
    assert.equals("invalid pattern capture", logtext.check("a)"))
    assert.equals("invalid capture index %1", logtext.check("(a%1)"))
    assert.equals("missing '[' after '%f' in pattern", logtext.check("%fa"))
    assert.equals("malformed pattern (missing arguments to '%b')", logtext.check("%b("))
  end)

  it("makes one short line of valid UTF-8", function()
    assert.same({ "a b c", false }, { logtext.event_text("  a\tb\r\n\27[1mc\27[0m ") })
    assert.same({ "x\u{FFFD}y", true }, { logtext.event_text("x\xffy") })
    assert.same({ "abc…", false }, { logtext.event_text("abcdef", 4) })
    assert.same({ "ab…", false }, { logtext.event_text("ab cdef", 4) })
    local long = logtext.event_text(string.rep("ж", 5000))
    assert.equals(string.rep("ж", 199) .. "…", long)
  end)

  it("replaces bytes that are not UTF-8 and says where the first was", function()
    assert.same({ "abc" }, { logtext.valid_utf8("abc") })
    assert.same({ "a\u{FFFD}b\u{FFFD}\u{FFFD}", 2 }, { logtext.valid_utf8("a\xffb\xfe\xc3") })
  end)

  -- One tally for every collector: worded per line of a log, or by places (JSON).
  local function tally(fill, messages)
    local warned = {}
    local problems = logtext.problems({ log = { warn = function(m) warned[#warned + 1] = m end } }, "x.log")
    fill(problems)
    problems:warn(messages)
    return warned
  end

  it("warns once per kind of problem, worded per line of a log", function()
    local messages = { no_time = { one = "a line has no time", many = "lines have no time", after = "left out" } }
    assert.same({ 'x.log:3: a line has no time: "a b"; left out' },
      tally(function(p) p:add("no_time", 3, nil, "a\tb") end, messages))
    assert.same({ 'x.log: 3 lines have no time (first at line 3: "a", why); left out' }, tally(function(p)
      p:add("no_time", 3, "why", "a")
      p:add("no_time", 5, "other", "b")
      p:add("no_time", 9)
      assert.equals(3, p:count("no_time"))
      assert.equals(0, p:count("utf8"))
    end, messages))
  end)

  it("warns once per kind of problem, naming its first places", function()
    assert.same({ "x.json: a[1]: bad; skipped", "x.json: b: odd (6 times; also at x.log:2, x.log:3, x.log:4, ...)" },
      tally(function(p)
        p:add("bad", "x.json: a[1]", "bad; skipped")
        p:add("odd", "x.json: b", "odd")
        for line = 2, 6 do p:add("odd", line, "odd") end
      end))
  end)
end)
