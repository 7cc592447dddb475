-- Each event as "TIME EVIDENCE KIND | TEXT", in timeline order.
local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do out[i] = ("%s %s %s | %s"):format(e.time, e.evidence, e.kind, e.event) end
  return out
end

local UPSTREAM = '$remote_addr $host [$time_local] "$request" $status $body_bytes_sent $request_time '
  .. '"$http_user_agent" upstream=$upstream_addr ustatus=$upstream_status'
local JSON = '{"time":"$time_iso8601","remote":"$remote_addr","request":"$request","status":$status,'
  .. '"rt":$request_time,"ua":"$http_user_agent"}'

describe("nginx-access", function()
  describe("combined format, default status 5xx", function()
    local r = plugin.run { path = "fixtures/access.log", source = "nginx" }

    it("keeps only 5xx responses, by the status field, in UTC", function()
      assert.is_nil(r.error)
      assert.same({
        "2025-02-09T10:05:23.000Z fixtures/access.log:2 error | HTTP 504 GET /api/v1/orders",
        "2025-02-09T10:05:25.000Z fixtures/access.log:4 error | HTTP 503 POST /api/v1/orders", -- 06:05:25 -0400
        "2025-02-09T10:05:26.000Z fixtures/access.log:5 error | HTTP 502 GET /api/v1/search",
        "2025-02-09T10:05:28.000Z fixtures/access.log:7 error | HTTP 507 PROPFIND /dav/café", -- \xC3\xA9 decoded
      }, rows(r))
    end)

    it("fills group, source, actor and fields", function()
      local e = r.events[1]
      assert.equals("5xx errors", e.group)
      -- The time as logged, with its offset: 11:05:23 +0100 is 10:05:23 UTC.
      assert.same({ "09/Feb/2025:11:05:23 +0100", "+01:00", "2025-02-09T10:05:23.000Z" }, { e.time_text, e.time_offset, e.time })
      assert.equals("nginx", e.source)
      assert.is_nil(e.actor)
      assert.same({ status = 504, method = "GET", path = "/api/v1/orders", remote_addr = "198.51.100.212",
        bytes = 167, user_agent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)" }, e.fields)
      assert.equals("integer", math.type(e.fields.status))
    end)

    it("decodes \\xXX escapes for display", function()
      assert.equals('AcmeShop/3.14.1 "beta" (iOS 17.3)', r.events[2].fields.user_agent)
    end)

    it("warns about the truncated last line, which holds `\" 5`", function()
      assert.equals(1, #r.warnings)
      assert.equals('fixtures/access.log:10: a line is not in the given log_format: '
        .. '"198.51.100.11 - - [09/Feb/2025:11:05:31 +0100] "GET /trunca…"; '
        .. "skipped (is `format` the log_format this log was written with?)", r.warnings[1].message)
      assert.equals(0, #r.gaps)
    end)
  end)

  it("never takes the status from the path or the user agent; describes junk requests", function()
    local r = plugin.run { path = "fixtures/access.log", status = "[45]%d%d" }
    assert.same({
      "2025-02-09T10:05:23.000Z fixtures/access.log:2 error | HTTP 504 GET /api/v1/orders",
      "2025-02-09T10:05:24.000Z fixtures/access.log:3 note | HTTP 400 (TLS handshake sent to a plain HTTP port)",
      "2025-02-09T10:05:25.000Z fixtures/access.log:4 error | HTTP 503 POST /api/v1/orders",
      "2025-02-09T10:05:26.000Z fixtures/access.log:5 error | HTTP 502 GET /api/v1/search",
      "2025-02-09T10:05:27.000Z fixtures/access.log:6 note | HTTP 404 GET /api/v1/orders/500",
      "2025-02-09T10:05:28.000Z fixtures/access.log:7 error | HTTP 507 PROPFIND /dav/café",
      "2025-02-09T10:05:30.000Z fixtures/access.log:9 note | HTTP 400 (no request line)",
    }, rows(r))
    assert.equals("4xx errors", r.events[2].group)
    assert.is_nil(r.events[2].fields.method)
  end)

  it("sets every event's kind when asked", function()
    local r = plugin.run { path = "fixtures/access.log", status = "40%d", kind = "note" }
    assert.same({ "note", "note", "note" }, { r.events[1].kind, r.events[2].kind, r.events[3].kind })
    assert.equals(3, #r.events)
  end)

  it("reads odd UTC offsets and warns once about impossible times", function()
    local r = plugin.run { path = "fixtures/offsets.log" }
    assert.same({
      "2025-02-09T10:05:23.000Z fixtures/offsets.log:1 error | HTTP 500 GET /kathmandu", -- +0545
      "2025-02-09T10:05:24.000Z fixtures/offsets.log:2 error | HTTP 502 GET /st-johns", -- -0330
      "2025-02-09T10:05:26.000Z fixtures/offsets.log:4 error | HTTP 503 GET /fine",
    }, rows(r))
    assert.equals(1, #r.warnings)
    assert.equals('fixtures/offsets.log: 2 selected lines have unreadable times (first at line 3: '
      .. '"31/Feb/2025:10:05:25 +0000", day 31 out of range for February 2025 in '
      .. "'31/Feb/2025:10:05:25 +0000'); left out of the timeline", r.warnings[1].message)
  end)

  it("reads CRLF lines and shows bytes that are not UTF-8 as U+FFFD", function()
    local r = plugin.run { path = "fixtures/crlf.log" }
    assert.same({
      "2025-02-09T10:06:00.000Z fixtures/crlf.log:1 error | HTTP 500 GET /a",
      "2025-02-09T10:06:01.000Z fixtures/crlf.log:2 error | HTTP 503 GET /caf\u{FFFD}",
    }, rows(r))
    assert.equals("fixtures/crlf.log:2: an event's request has bytes that are not UTF-8; shown as U+FFFD",
      r.warnings[1].message)
    assert.equals(1, #r.warnings)
  end)

  it("reads raw bytes under escape=none, and leaves \\x alone there", function()
    local r = plugin.run { path = "fixtures/raw.log", escape = "none" }
    assert.same({ "2025-02-09T10:06:02.000Z fixtures/raw.log:1 error | HTTP 503 GET /caf\u{FFFD}" }, rows(r))
    assert.equals("Agent \\x22quoted\\x22", r.events[1].fields.user_agent)
  end)

  it("reads nginx's `main` format, and a combined reading of it ignores the extra field", function()
    for _, format in ipairs { "main", "combined" } do
      local r = plugin.run { path = "fixtures/main.log", format = format }
      assert.same({ "2025-02-09T10:07:00.000Z fixtures/main.log:1 error | HTTP 503 GET /api/v1/cart" }, rows(r))
      assert.equals(0, #r.warnings)
    end
  end)

  describe("a custom log_format", function()
    it("reads unquoted values that hold spaces, $host and $request_time", function()
      local r = plugin.run { path = "fixtures/upstream.log", format = UPSTREAM, status = "%d%d%d" }
      assert.same({
        "2025-02-09T10:08:00.000Z fixtures/upstream.log:1 error | HTTP 504 GET /api/v1/orders",
        "2025-02-09T10:08:01.000Z fixtures/upstream.log:2 note | HTTP 200 GET /healthz",
      }, rows(r))
      assert.equals("2xx responses", r.events[2].group)
      local f = r.events[1].fields
      assert.equals("504, 504", f.upstream_status)
      assert.equals(60.002, f.request_time)
      assert.equals("shop.example.com", f.host)
      assert.equals(0, #r.warnings)
    end)

    it("places requests when they began with time = \"start\"", function()
      local r = plugin.run { path = "fixtures/upstream.log", format = UPSTREAM, time = "start" }
      assert.same({ "2025-02-09T10:06:59.998Z fixtures/upstream.log:1 error | HTTP 504 GET /api/v1/orders" }, rows(r))
    end)

    it("skips a request whose start falls outside the years 0001 to 9999 (request_time 1e14 s)", function()
      local r = plugin.run { path = "fixtures/upstream-far.log", format = UPSTREAM, time = "start" }
      assert.is_nil(r.error)
      assert.same({ "2025-02-09T10:08:01.500Z fixtures/upstream-far.log:2 error | HTTP 502 GET /api/v1/pay" }, rows(r))
      assert.equals(1, #r.warnings)
      local w = r.warnings[1].message or r.warnings[1]
      assert.truthy(w:find("fixtures/upstream-far.log:1: ", 1, true), w)
      assert.truthy(w:find("outside the years 0001 to 9999", 1, true), w)
    end)

    it("reads $time_iso8601", function()
      local r = plugin.run {
        path = "fixtures/custom.log", status = "%d%d%d",
        format = '$time_iso8601 $remote_addr "$request" $status rt=$request_time ua="$http_user_agent"',
      }
      assert.same({
        "2025-02-09T09:05:23.000Z fixtures/custom.log:1 error | HTTP 504 GET /api/v1/orders", -- +01:00
        "2025-02-09T10:05:24.000Z fixtures/custom.log:2 note | HTTP 200 GET /healthz",
        "2025-02-09T10:05:25.000Z fixtures/custom.log:3 note | HTTP 429 DELETE /api/v1/orders/12",
      }, rows(r))
      assert.equals("4xx errors", r.events[3].group)
      assert.is_nil(r.events[3].fields.user_agent) -- "-"
      assert.is_nil(r.events[1].fields.bytes)
    end)

    it("reads a JSON log_format with escape=json", function()
      local r = plugin.run { path = "fixtures/json.log", format = JSON, escape = "json", status = "%d%d%d" }
      assert.same({
        "2025-02-09T10:09:00.000Z fixtures/json.log:1 error | HTTP 503 GET /api/v1/orders",
        "2025-02-09T10:09:01.000Z fixtures/json.log:2 note | HTTP 200 GET /healthz",
      }, rows(r))
      assert.equals('AcmeShop "beta"', r.events[1].fields.user_agent)
      assert.equals(0.12, r.events[1].fields.request_time)
      assert.equals(1, #r.warnings) -- the truncated third line
      assert.matches("^fixtures/json%.log:3: a line is not in the given log_format", r.warnings[1].message)
    end)
  end)

  it("records a gap when no line is in the format", function()
    local r = plugin.run { path = "fixtures/custom.log" } -- combined, which it is not
    assert.equals(0, #r.events)
    assert.equals(1, #r.warnings)
    assert.equals("fixtures/custom.log: no line is in the given log_format (1 read); the log was not used",
      r.gaps[1].reason)
  end)

  it("records an empty file as a gap", function()
    local r = plugin.run { path = "fixtures/empty.log" }
    assert.is_nil(r.error)
    assert.equals(0, #r.events)
    assert.equals("fixtures/empty.log is empty: no log lines to read", r.gaps[1].reason)
  end)

  it("reads rotated logs from a glob and skips compressed ones with a warning", function()
    local r = plugin.run { path = "fixtures/rotated/access.log*" }
    assert.same({
      "2025-02-09T10:00:00.000Z fixtures/rotated/access.log.1:1 error | HTTP 502 GET /old",
      "2025-02-09T10:10:00.000Z fixtures/rotated/access.log:1 error | HTTP 500 GET /new",
    }, rows(r))
    assert.equals("fixtures/rotated/access.log*: 1 compressed file(s) not read: fixtures/rotated/access.log.2.gz "
      .. "(decompress them to read them)", r.warnings[1].message)
    r = plugin.run { path = "fixtures/rotated/access.log.2.gz" }
    assert.equals("cannot read fixtures/rotated/access.log.2.gz: compressed files are not read "
      .. "(decompress it first, e.g. with gunzip -k)", r.error)
  end)

  it("rejects formats it cannot use and bad patterns, before reading", function()
    local function err(opts)
      local ok, e = pcall(plugin.run, opts)
      assert.is_false(ok)
      return (e:gsub("^.-plugin%.run %(nginx%-access%): ", ""))
    end
    assert.equals("option format: no $status variable in $time_iso8601 $request",
      err { path = "fixtures/custom.log", format = "$time_iso8601 $request" })
    assert.equals("option format: no $time_local, $time_iso8601 or $msec variable in $request $status",
      err { path = "fixtures/custom.log", format = "$request $status" })
    assert.equals('option time: "start" needs $request_time in the format',
      err { path = "fixtures/access.log", time = "start" })
    assert.equals([[option 'status': "[45%d%d" is not a Lua pattern: malformed pattern (missing ']')]],
      err { path = "fixtures/access.log", status = "[45%d%d" })
    assert.has_error(function() plugin.run { path = "fixtures/access.log", escape = "html" } end, "must be one of")
  end)

  it("fails clearly on a missing file", function()
    local r = plugin.run { path = "fixtures/missing.log" }
    assert.equals("cannot read fixtures/missing.log: no such file (paths are relative to the pipeline folder)", r.error)
  end)
end)

describe("logformat", function()
  local logformat = require "logformat"

  it("compiles combined with shapes for the fixed-form variables", function()
    local f = logformat.compile("combined", "default")
    assert.equals('^(.-) %- (.-) %[(%d%d/%a%a%a/%d%d%d%d:%d%d:%d%d:%d%d [+-]%d%d%d%d)%] "([^"]*)" (%d%d%d) (%d+) '
      .. '"([^"]*)" "([^"]*)"', f.pattern)
    assert.equals('" ', f.before.status)
  end)

  it("reads ${name} and a user name with a space", function()
    local f = logformat.compile("${remote_addr} - $remote_user [$time_local] $status", "default")
    local v = f.read("10.0.0.1 - John Smith [09/Feb/2025:10:00:00 +0000] 502")
    assert.same({ remote_addr = "10.0.0.1", remote_user = "John Smith", time_local = "09/Feb/2025:10:00:00 +0000",
      status = "502" }, v)
  end)

  it("decodes both escape styles", function()
    assert.equals('a"b\\c\1', logformat.unescape("a\\x22b\\x5Cc\\x01", "default"))
    assert.equals('a"b\\c\1\n', logformat.unescape('a\\"b\\\\c\\u0001\\n', "json"))
    assert.equals("\\u0041", logformat.unescape("\\\\u0041", "json"))
  end)
end)
