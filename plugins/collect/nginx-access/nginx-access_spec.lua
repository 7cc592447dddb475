describe("nginx-access", function()
  describe("combined format, default status 5xx", function()
    local r = plugin.run { path = "fixtures/access.log" }

    it("keeps only 5xx responses, by the status field", function()
      assert.is_nil(r.error)
      local got = {}
      for i, e in ipairs(r.events) do got[i] = e.time .. " " .. e.event end
      assert.same({
        "2025-02-09T10:05:23.000Z HTTP 504 GET /api/v1/orders",
        "2025-02-09T10:05:25.000Z HTTP 503 POST /api/v1/orders", -- 06:05:25 -0400
        "2025-02-09T10:05:26.000Z HTTP 502 GET /api/v1/search",
      }, got)
    end)

    it("fills kind, group, evidence and fields", function()
      local e = r.events[1]
      assert.equals("error", e.kind)
      assert.equals("5xx errors", e.group)
      assert.equals("fixtures/access.log:2", e.evidence)
      assert.is_nil(e.actor)
      assert.equals(504, e.fields.status)
      assert.equals("integer", math.type(e.fields.status))
      assert.equals("GET", e.fields.method)
      assert.equals("/api/v1/orders", e.fields.path)
      assert.equals("198.51.100.212", e.fields.remote_addr)
      assert.equals(167, e.fields.bytes)
    end)

    it("decodes \\xXX escapes", function()
      assert.equals('AcmeShop/3.14.1 "beta" (iOS 17.3)', r.events[2].fields.user_agent)
      assert.equals("fixtures/access.log:5", r.events[3].evidence)
    end)

    it("does not warn about lines the prefilter skipped", function()
      -- the truncated last line holds `" 5`, so it reaches the parser and is reported
      assert.equals(1, #r.warnings)
      assert.matches("fixtures/access%.log:7", r.warnings[1].message)
    end)
  end)

  it("reports a junk request line as malformed", function()
    local r = plugin.run { path = "fixtures/access.log", status = "400" }
    assert.equals(1, #r.events)
    assert.equals("HTTP 400 (malformed request)", r.events[1].event)
    assert.equals("note", r.events[1].kind)
    assert.equals("4xx errors", r.events[1].group)
    assert.equals("2025-02-09T10:05:24.000Z", r.events[1].time)
    assert.is_nil(r.events[1].fields.method)
  end)

  it("never takes the status from the path", function()
    local r = plugin.run { path = "fixtures/access.log", status = "[45]%d%d" }
    local texts = {}
    for i, e in ipairs(r.events) do texts[i] = e.event end
    assert.same({ "HTTP 504 GET /api/v1/orders", "HTTP 400 (malformed request)", "HTTP 503 POST /api/v1/orders",
      "HTTP 502 GET /api/v1/search", "HTTP 404 GET /api/v1/orders/500" }, texts)
  end)

  it("reads a custom log_format", function()
    local r = plugin.run {
      path = "fixtures/custom.log",
      format = '$time_iso8601 $remote_addr "$request" $status rt=$request_time ua="$http_user_agent"',
      status = "%d%d%d",
    }
    assert.is_nil(r.error)
    assert.equals(0, #r.warnings)
    local got = {}
    for i, e in ipairs(r.events) do got[i] = e.time .. " " .. e.event .. " " .. e.kind end
    assert.same({
      "2025-02-09T09:05:23.000Z HTTP 504 GET /api/v1/orders error",
      "2025-02-09T10:05:24.250Z HTTP 200 GET /healthz note",
      "2025-02-09T10:05:25.000Z HTTP 429 DELETE /api/v1/orders/12 note",
    }, got)
    assert.equals("kube-probe/1.29", r.events[2].fields.user_agent)
    assert.is_nil(r.events[1].fields.bytes)
  end)

  it("rejects a format without a status", function()
    local r = plugin.run { path = "fixtures/custom.log", format = "$time_iso8601 $request" }
    assert.matches("no %$status", r.error)
  end)

  it("fails clearly on a missing file", function()
    local r = plugin.run { path = "fixtures/missing.log" }
    assert.matches("fixtures/missing%.log: no such file", r.error)
  end)
end)
