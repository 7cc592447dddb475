local keywords = {
  pganalyze = "pganalyze",
  dashboard = "Grafana",
  ["rolled back"] = { source = "kubectl", kind = "deploy" },
}

local function messages(list)
  local out = {}
  for i, w in ipairs(list or {}) do out[i] = w.message or w.reason end
  return out
end

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
      assert.same({ "1739095805.004200", nil }, { reply.time_text, reply.time_offset }) -- Unix seconds: no offset
      assert.equals("1739095770.006100", reply.fields.thread_ts)
      assert.equals("1739095805.004200", reply.fields.ts)
      assert.equals(false, reply.fields.edited)
    end)

    it("warns about a message that has no user and is no bot", function()
      assert.same({ "fixtures/export/incident-2025-02-09/2025-02-09.json: [7]: message 1739096450.000300 has no user "
        .. "and is no bot message; read without an actor" }, messages(r.warnings))
      assert.same({}, r.gaps)
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
        "10:20:50 note Slack nil | message from an app without a user",
        "01:13:20 deploy kubectl @alice | Rolled back!",
        "01:14:20 note Slack @alice | See https://status.example.com and #incident-2025-02-09, thanks @bob <3",
      }, rows(r))
    end)
  end)

  it("reads only the named channel", function()
    local r = plugin.run { dir = "fixtures/export", channel = "general", keywords = { kubectl = "kubectl" } }
    assert.same({ "10:13:20 action kubectl @bob | kubectl works for me" }, rows(r))
  end)

  it("names people by the handle incident.yaml gives their Slack id", function()
    local incident = { id = "PM-1", title = "t", started_at = "2025-02-09T10:05:00Z", ended_at = "2025-02-09T11:40:00Z",
      people = { ["@ali"] = { "U01ALICE" } } }
    local r = plugin.run({ dir = "fixtures/export", channel = "incident-2025-02-09", keywords = keywords }, { incident = incident })
    assert.same({ "@ali", "@ali", "@ali" }, { r.events[1].actor, r.events[2].actor, r.events[3].actor })
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

describe("slack-export (odd export)", function()
  local r = plugin.run { dir = "fixtures/odd-export", channel = "G0PRIV01", keywords = { failover = "runbook" }, notes = true }

  it("reads a private channel (groups.json) by id, threads, broadcasts, edits and app attachments", function()
    assert.is_nil(r.error)
    assert.same({
      "10:01:00 note slack-export U01ALICE | Failing over the DB now, see the runbook",
      "10:02:00 action runbook U02BOB | failover done",
      "10:03:00 action runbook U02BOB | FAILOVER complete, replica promoted",
      "10:04:00 note slack-export PagerDuty | Incident #4822 acknowledged by Bob Martin",
      "10:05:00 action runbook U02BOB | failover check at ts as a number",
      "10:07:00 action runbook nil | failover logged by an integration without a user",
      "10:00:00 action runbook U01ALICE | failover r\u{FFFD}ussi \u{FFFD} 10h",
    }, rows(r))
  end)

  it("marks thread parents, replies, broadcasts and edits in the fields", function()
    local parent, reply, broadcast = r.events[1].fields, r.events[2].fields, r.events[3].fields
    assert.same({ ts = "1739095260.000200", thread_ts = "1739095260.000200", reply = false, replies = 2, edited = false },
      parent)
    assert.same({ ts = "1739095320.000300", thread_ts = "1739095260.000200", reply = true, edited = true,
      edited_ts = "1739095330.000000" }, reply)
    assert.equals("thread_broadcast", broadcast.subtype)
    assert.equals(true, broadcast.reply)
    assert.equals("1739095500.000600", r.events[5].fields.ts)
  end)

  it("records a gap for each day file that cannot be read", function()
    local day = "fixtures/odd-export/sev1-war-room/2025-02-1"
    assert.same({
      "the messages of " .. day .. "0.json are missing: the file is not JSON (line 1, column 67: unterminated string); "
        .. "is the file truncated?",
      "the messages of " .. day .. "2.json are missing: the file is empty",
      "the messages of " .. day .. "3.json are missing: the file is not a JSON array",
      -- Why the host refused it (before: "cannot be read" alone).
      "the messages of " .. day .. "4.json are missing: the file cannot be read: '" .. day .. "4.json' is UTF-32LE "
        .. "text (byte-order mark FF FE 00 00); pmhost reads UTF-8 and UTF-16 with a byte-order mark: convert it, "
        .. "e.g. iconv -f UTF-32LE -t UTF-8",
    }, messages(r.gaps))
  end)

  it("warns once per kind of problem, naming the file and the message", function()
    local day = "fixtures/odd-export/sev1-war-room/2025-02-09.json: "
    assert.same({
      "fixtures/odd-export/users.json: is not JSON (line 1, column 50: unterminated string); is the file truncated? "
        .. "(its ids are shown as they are)",
      day .. "[6]: is not a message object; skipped",
      day .. "[7].ts: 1739095500.0006 is a JSON number; Slack writes a string (its last digits may be lost; read anyway)",
      day .. "[8].ts: missing; message skipped",
      day .. '[9].ts: "yesterday" is not a Slack timestamp; message skipped',
      day .. "[10].text: is not a string; message read without it",
      day .. "[11]: message 1739095620.000800 has no user and is no bot message; read without an actor",
      day .. "[12].ts: 253402300800.5 is outside the years 0001 to 9999; message skipped",
      "fixtures/odd-export/sev1-war-room/2025-02-11.json:1: bytes that are not UTF-8 (the first at byte 38); "
        .. "replaced with U+FFFD",
    }, messages(r.warnings))
  end)
end)
