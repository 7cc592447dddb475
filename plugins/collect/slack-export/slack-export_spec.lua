local keywords = {
  pganalyze = "pganalyze",
  dashboard = "Grafana",
  ["rolled back"] = { source = "kubectl", kind = "deploy" },
}

local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do
    out[i] = ("%s %s %s %s | %s"):format(pm.time.format(e.t, "clock"), e.kind, e.source, e.actor, e.event)
  end
  return out
end

describe("slack-export", function()
  describe("keywords only", function()
    local r = plugin.run { dir = "fixtures/export", channel = "incident-2025-02-09", keywords = keywords }

    it("turns keyword messages into events: first sentence, label as source", function()
      assert.is_nil(r.error)
      assert.same({
        "10:10:05 action Grafana @alice | yes, on it & checking the dashboard",
        "10:18:45 action pganalyze @alice | Database queries identified as slow",
        "01:13:20 deploy kubectl @alice | Rolled back!",
      }, rows(r))
      assert.equals("2025-02-10T01:13:20.123Z", r.events[3].time) -- day files in date order
    end)

    it("keeps the exact ts, thread and edit marks", function()
      local slow = r.events[2]
      assert.equals("1739096325.000200", slow.fields.ts)
      assert.equals(true, slow.fields.edited)
      assert.is_nil(slow.fields.thread_ts)
      assert.equals("fixtures/export/incident-2025-02-09/2025-02-09.json#1739096325.000200", slow.evidence)
      local reply = r.events[1]
      assert.equals("1739095770.006100", reply.fields.thread_ts)
      assert.equals("1739095805.004200", reply.fields.ts)
      assert.equals(false, reply.fields.edited)
    end)

    it("warns about a message that has no user and is no bot", function()
      assert.equals(1, #r.warnings)
      assert.matches("2025%-02%-09%.json: message 1739096450%.000300 has no user", r.warnings[1].message)
    end)
  end)

  describe("with notes", function()
    local r = plugin.run { dir = "fixtures/export", channel = "C05INC0209", keywords = keywords, notes = true, source = "Slack" }

    it("adds the other human and bot messages as notes, skipping joins and leaves", function()
      assert.same({
        "10:06:50 note Slack PagerDuty | Triggered #4821: [FIRING:1] HighErrorRate api-service",
        "10:09:30 note Slack @bob | @alice are you looking at the API errors? #general is asking",
        "10:10:05 action Grafana @alice | yes, on it & checking the dashboard",
        "10:18:45 action pganalyze @alice | Database queries identified as slow",
        "10:20:00 note Slack deploy-bot | Deploy started by CI",
        "01:13:20 deploy kubectl @alice | Rolled back!",
        "01:14:20 note Slack @alice | See https://status.example.com and #incident-2025-02-09, thanks @bob <3",
      }, rows(r))
    end)
  end)

  it("reads only the named channel", function()
    local r = plugin.run { dir = "fixtures/export", channel = "general", keywords = { kubectl = "kubectl" } }
    assert.same({ "10:13:20 action kubectl @bob | kubectl works for me" }, rows(r))
  end)

  it("adds nothing without keywords or notes", function()
    local r = plugin.run { dir = "fixtures/export", channel = "incident-2025-02-09" }
    assert.is_nil(r.error)
    assert.equals(0, #r.events)
  end)

  it("fails clearly for an unknown channel", function()
    local r = plugin.run { dir = "fixtures/export", channel = "random" }
    assert.matches("no messages for channel random", r.error)
  end)
end)
