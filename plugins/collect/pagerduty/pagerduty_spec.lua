local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do
    out[i] = ("%s %s %s | %s"):format(pm.time.format(e.t, "clock"), e.kind, e.event, tostring(e.actor))
  end
  return out
end

local people = {
  id = "PM-2025-02-09", title = "API Service Degradation",
  started_at = "2025-02-09T10:05:00Z", ended_at = "2025-02-09T11:40:00Z",
  people = { ["@alice"] = { "Alice Chen", "alice", "PALICE1" }, ["@bob"] = { "Bob Martin", "bob" } },
}

local expected = {
  "10:06:46 alert_fired Incident triggered: [#4821] [FIRING:1] HighErrorRate api-service | System",
  "10:08:12 paged On-call engineer paged | System",
  "10:12:00 acknowledged Engineer acknowledges alert | @alice",
  "10:20:00 note Cache layer rolling out; watching error rate | @alice",
  "10:25:00 escalated Incident escalated: Escalated to Database team (level 2) | System",
  "10:26:30 acknowledged Engineer acknowledges alert | @bob",
  "10:27:00 note Assigned to Bob Martin by Alice Chen | @alice",
  "10:28:00 note Urgency changed to low | @bob",
  "10:40:00 resolved Incident marked resolved | @alice",
}

describe("pagerduty", function()
  describe("one log_entries response", function()
    local r = plugin.run({ file = "fixtures/log-entries.json", source = "PagerDuty" }, { incident = people })

    it("maps every entry type, both ack spellings and non-UTC offsets", function()
      assert.is_nil(r.error)
      assert.same(expected, rows(r))
      assert.equals("2025-02-09T10:26:30.500Z", r.events[6].time)
      assert.equals("2025-02-09T10:40:00.000Z", r.events[9].time) -- 16:10:00+05:30
    end)

    it("points evidence at the entry id and keeps useful fields", function()
      local paged = r.events[2]
      assert.equals("fixtures/log-entries.json#R2NOTIFY", paged.evidence)
      assert.equals("PagerDuty", paged.source)
      assert.equals("notify_log_entry", paged.fields.type)
      assert.equals("Alice Chen", paged.fields.user)
      assert.equals("Q1ABCDEF2GHIJ", paged.fields.incident)
      assert.equals(0, #r.warnings)
    end)
  end)

  it("reads several pages saved as an array of responses", function()
    local r = plugin.run({ file = "fixtures/pages.json" }, { incident = people })
    assert.same(expected, rows(r))
    assert.equals("fixtures/pages.json#R9RES", r.events[9].evidence)
  end)

  it("uses PagerDuty's names when incident.yaml does not know the person", function()
    local r = plugin.run { file = "fixtures/log-entries.json" }
    assert.equals("Alice Chen", r.events[3].actor)
    assert.equals("Bob Martin", r.events[6].actor)
  end)

  describe("a bare array of entries", function()
    local r = plugin.run { file = "fixtures/bare.json" }

    it("reads _reference types, channel summaries and unknown types", function()
      assert.same({
        "10:06:46 alert_fired Incident triggered: Checkout failing | Bob Martin",
        "10:07:00 note Snoozed for 30 minutes by Bob Martin | Bob Martin",
        "10:08:00 note Status update posted | Bob Martin",
      }, rows(r))
    end)

    it("warns about the unknown type and the unreadable time", function()
      assert.equals(2, #r.warnings)
      local all = r.warnings[1].message .. "\n" .. r.warnings[2].message
      assert.matches("unknown log entry type status_update_log_entry", all)
      assert.matches("fixtures/bare%.json#RD: created_at yesterday", all)
    end)
  end)

  it("records a gap for live queries (not supported yet)", function()
    local r = plugin.run { url = "https://api.pagerduty.com/incidents/Q1ABCDEF2GHIJ/log_entries", token_env = "PD_TOKEN" }
    assert.is_nil(r.error)
    assert.matches("not supported yet", r.gaps[1].reason)
  end)
end)
