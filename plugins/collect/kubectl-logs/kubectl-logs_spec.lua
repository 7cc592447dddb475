local function at(t) return pm.time.format(t) end

describe("kubectl-logs", function()
  describe("--prefix output with logfmt messages", function()
    local r = plugin.run { path = "fixtures/api-service.log" }

    it("keeps error levels and 5xx status fields only", function()
      assert.is_nil(r.error)
      local texts = {}
      for i, e in ipairs(r.events) do texts[i] = e.event end
      assert.same({
        "Database connection pool exhausted",
        "Database connection pool exhausted",
        "request",
        'upstream said "no healthy upstream"',
        "shutdown",
      }, texts)
    end)

    it("reads 9, 0 and 3 fraction digits and numeric offsets as UTC", function()
      assert.equals("2025-02-09T10:15:30.123Z", at(r.events[1].t))
      assert.equals("2025-02-09T10:15:31.000Z", at(r.events[2].t)) -- 12:15:31+02:00
      assert.equals("2025-02-09T10:15:33.120Z", at(r.events[3].t))
      assert.equals("2025-02-09T10:15:34.000Z", r.events[4].time)
    end)

    it("fills kind, group, evidence and the pod fields", function()
      local e = r.events[1]
      assert.equals("error", e.kind)
      assert.equals("Database connection pool exhausted", e.group)
      assert.equals("fixtures/api-service.log:2", e.evidence)
      assert.is_nil(e.actor)
      assert.equals("api-service-7d9f8b-x2k4p", e.fields.pod)
      assert.equals("api", e.fields.container)
      assert.equals("error", e.fields.level)
      assert.equals("error", r.events[2].fields.level) -- level=ERROR
      assert.equals("api-service-7d9f8b-m8q2z", r.events[2].fields.pod)
      assert.equals("istio-proxy", r.events[4].fields.container)
      assert.equals("fixtures/api-service.log:6", r.events[4].evidence)
    end)

    it("warns about a line without a timestamp and skips it", function()
      assert.equals(1, #r.warnings)
      assert.matches("fixtures/api%-service%.log:7", r.warnings[1].message)
    end)
  end)

  describe("output without --prefix", function()
    local r = plugin.run { path = "fixtures/unprefixed.log", service = "api-service" }

    it("reads klog, JSON, Go panics and the pieces of a split long line", function()
      assert.is_nil(r.error)
      local got = {}
      for i, e in ipairs(r.events) do got[i] = e.time .. " " .. tostring(e.fields.level) .. " " .. e.event end
      assert.same({
        "2025-02-09T10:16:01.000Z error acquire connection: context deadline exceeded",
        "2025-02-09T10:16:03.000Z error order lookup failed",
        "2025-02-09T10:16:03.250Z info served",
        '2025-02-09T10:16:04.500Z error order payload "rejected"',
        "2025-02-09T10:16:05.000Z panic panic: runtime error: invalid memory address or nil pointer dereference",
        "2025-02-09T10:16:06.000Z fatal cannot start: database unreachable",
      }, { got[1], got[2], got[3], got[4], got[6], got[7] })
      assert.equals(7, #r.events)
    end)

    it("keeps the second piece of a split line, shortened", function()
      local piece = r.events[5]
      assert.equals("2025-02-09T10:16:04.501Z", piece.time)
      assert.matches("^AAAA", piece.event)
      assert.truthy(#piece.event <= 203, "event text is shortened")
      assert.equals("fixtures/unprefixed.log:7", piece.evidence)
    end)

    it("has no pod fields and records the service", function()
      assert.is_nil(r.events[1].fields.pod)
      assert.equals("api-service", r.events[1].fields.service)
      assert.equals(0, #r.warnings)
    end)
  end)

  it("takes a user pattern instead of the default selection", function()
    local r = plugin.run { path = "fixtures/unprefixed.log", match = "pool stats" }
    assert.equals(1, #r.events)
    assert.equals("pool stats: 20/20 connections in use", r.events[1].event)
    assert.equals("info", r.events[1].fields.level)
  end)

  it("reads every file of a glob", function()
    local r = plugin.run { path = "fixtures/*.log" }
    assert.equals(5 + 7 + 1, #r.events)
  end)

  it("summarises many lines without a timestamp in one warning", function()
    local r = plugin.run { path = "fixtures/notimestamps.log" }
    assert.equals(1, #r.events)
    assert.equals(1, #r.warnings)
    assert.matches("4 lines without an RFC 3339 timestamp", r.warnings[1].message)
    assert.matches("notimestamps%.log:1", r.warnings[1].message)
  end)

  it("fails clearly on a missing file", function()
    local r = plugin.run { path = "fixtures/nope.log" }
    assert.matches("fixtures/nope%.log: no such file", r.error)
    assert.equals(0, #r.events)
  end)
end)
