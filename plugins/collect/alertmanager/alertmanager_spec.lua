local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do out[i] = e.time .. " " .. e.kind .. " " .. e.event end
  return out
end

describe("alertmanager", function()
  describe("API / amtool file", function()
    local r = plugin.run { file = "fixtures/alerts.json", source = "Prometheus" }

    it("gives fired events only: endsAt of a firing alert is provisional", function()
      assert.is_nil(r.error)
      assert.same({
        "2025-02-09T10:06:45.123Z alert_fired High error rate alert fires", -- 12:06:45.123+02:00
        "2025-02-09T10:10:00.000Z alert_fired DiskSpaceLow alert fires (silenced)",
        "2025-02-09T10:39:30.000Z alert_fired Database latency high alert fires",
      }, rows(r))
    end)

    it("fills fields, evidence and source", function()
      local e = r.events[1]
      assert.equals("Prometheus", e.source)
      assert.is_nil(e.actor)
      assert.equals("HighErrorRate", e.fields.alertname)
      assert.equals("critical", e.fields.severity)
      assert.equals("a1b2c3d4e5f60718", e.fields.fingerprint)
      assert.is_nil(e.fields.silenced)
      assert.equals("fixtures/alerts.json#a1b2c3d4e5f60718", e.evidence)
      assert.equals(true, r.events[2].fields.silenced)
    end)
  end)

  describe("webhook log", function()
    local r = plugin.run { webhook_log = "fixtures/webhook.log" }

    it("dedupes resent payloads and resolves from resolved payloads", function()
      assert.same({
        "2025-02-09T10:06:45.000Z alert_fired High error rate alert fires",
        "2025-02-09T10:20:00.000Z alert_fired PodRestarting alert fires",
        "2025-02-09T10:35:45.000Z alert_resolved High error rate alert resolves",
      }, rows(r))
    end)

    it("points evidence at the payload lines", function()
      assert.equals("fixtures/webhook.log:1", r.events[1].evidence)
      assert.equals("fixtures/webhook.log:5", r.events[3].evidence)
      assert.equals("a1b2c3d4e5f60718", r.events[3].fields.fingerprint)
    end)

    it("warns about a line that is not a payload", function()
      assert.equals(1, #r.warnings)
      assert.matches("fixtures/webhook%.log:3", r.warnings[1].message)
    end)
  end)

  it("merges the API file and the webhook log", function()
    local r = plugin.run { file = "fixtures/alerts.json", webhook_log = "fixtures/webhook.log" }
    -- 10:06:45.123 (API) and 10:06:45.000 (webhook) differ: different startsAt, two occurrences
    assert.equals(6, #r.events)
  end)

  it("records a gap for live queries (not supported yet)", function()
    local r = plugin.run { url = "http://127.0.0.1:9093" }
    assert.is_nil(r.error)
    assert.matches("not supported yet", r.gaps[1].reason)
  end)

  it("fails clearly without an input", function()
    local r = plugin.run {}
    assert.matches("set file =", r.error)
  end)
end)
