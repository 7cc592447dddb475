local function rows(events)
  local out = {}
  for i, e in ipairs(events) do
    out[i] = ("%s %s %s | %s"):format(pm.time.format(e.t or e.time, "clock"), e.kind, e.event, tostring(e.actor))
  end
  return out
end

local function messages(list)
  local out = {}
  for i, w in ipairs(list or {}) do out[i] = w.message or w.reason or w end
  return out
end

local people = {
  id = "PM-2025-02-09", title = "API Service Degradation",
  started_at = "2025-02-09T10:05:00Z", ended_at = "2025-02-09T11:40:00Z",
  people = {
    ["@alice"] = { "Alice Chen", "alice", "PALICE1" }, ["@bob"] = { "Bob Martin", "bob" },
    ["@charlie"] = { "PCHARL1" }, ["@dan"] = { "Dan Okafor" },
  },
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

describe("pagerduty (file)", function()
  describe("one log_entries response", function()
    local r = plugin.run({ file = "fixtures/log-entries.json", source = "PagerDuty" }, { incident = people })

    it("maps the entry types, both ack spellings and non-UTC offsets", function()
      assert.is_nil(r.error)
      assert.same(expected, rows(r.events))
      assert.equals("2025-02-09T10:26:30.500Z", r.events[6].time)
      assert.equals("2025-02-09T10:40:00.000Z", r.events[9].time) -- 16:10:00+05:30
      assert.same({ "2025-02-09T16:10:00+05:30", "+05:30" }, { r.events[9].time_text, r.events[9].time_offset })
    end)

    it("points evidence at the entry id and keeps useful fields", function()
      local paged = r.events[2]
      assert.equals("fixtures/log-entries.json#R2NOTIFY", paged.evidence)
      assert.equals("PagerDuty", paged.source)
      assert.equals("notify_log_entry", paged.fields.type)
      assert.equals("Alice Chen", paged.fields.user)
      assert.equals("phone", paged.fields.channel)
      assert.equals("Q1ABCDEF2GHIJ", paged.fields.incident)
      assert.same({}, r.warnings)
      assert.same({}, r.gaps)
    end)
  end)

  it("reads several pages saved as an array of responses", function()
    local r = plugin.run({ file = "fixtures/pages.json" }, { incident = people })
    assert.same(expected, rows(r.events))
    assert.equals("fixtures/pages.json#R9RES", r.events[9].evidence)
  end)

  it("uses PagerDuty's names when incident.yaml does not know the person", function()
    local r = plugin.run { file = "fixtures/log-entries.json" }
    assert.equals("Alice Chen", r.events[3].actor)
    assert.equals("Bob Martin", r.events[6].actor)
  end)

  it("names an agent without a summary by the handle of its PagerDuty id, else by the id", function()
    local r = plugin.run({ file = "fixtures/agent-ids.json" }, { incident = people })
    assert.same({
      "10:12:00 acknowledged Engineer acknowledges alert | @alice",
      "10:13:00 note Who wrote this? | PUNKNOWN",
      "10:14:00 resolved Incident marked resolved | nil",
    }, rows(r.events))
  end)

  describe("every entry type", function()
    local r = plugin.run({ file = "fixtures/all-types.json" }, { incident = people })

    it("gives each type its kind and text, in UTC whatever the offset", function()
      assert.is_nil(r.error)
      assert.same({
        "10:00:00 alert_fired Incident triggered: [#4821] Checkout failing | System",
        "10:01:00 paged On-call engineer paged | System", -- 15:46+05:45
        "10:02:00 acknowledged Engineer acknowledges alert | @alice", -- 06:32-03:30
        "10:03:00 note Unacknowledged due to timeout | System", -- 00:03+14:00 the next day
        "10:04:00 escalated Incident escalated: Escalated to level 2: Database on-call | System",
        "10:05:00 escalated Incident reassigned: Reassigned to escalation policy Database | @bob",
        "10:06:00 escalated Escalation policy repeated: Repeated escalation policy Database (pass 2 of 3) | System",
        "10:07:00 note Escalation policy exhausted: Nobody left on escalation policy Database | System",
        "10:08:00 note Assigned to Dan Okafor | @bob",
        "10:09:00 note Failover to replica started | @charlie", -- the note's text; matched by user id
        "10:10:00 note Snoozed for 1 hour by Dan Okafor | @dan",
        "10:11:00 note Urgency changed to high | @dan",
        "10:12:00 note Reached the acknowledgement limit | System",
        "10:13:00 note Reached the trigger limit | System",
        "10:14:00 note Priority changed to P1 | @dan",
        "10:15:00 note Customer impact set to high | @dan",
        "10:16:00 acknowledged Engineer acknowledges alert | @bob", -- acknowledgement_log_entry
        "10:17:00 note Bob Martin requested Database help | @bob", -- unknown type
        "10:18:00 resolved Incident marked resolved | Hank Ito",
        "10:19:00 note Bob Martin requested more help | @bob",
        "10:20:00 note Postmortem scheduled | @alice", -- no offset: UTC
        "10:21:00 note Something happened | System", -- no type
      }, rows(r.events))
      assert.equals("timeout", r.events[5].fields.channel)
      assert.equals("acknowledgement_log_entry", r.events[17].fields.type)
    end)

    it("warns once about unknown types and about a time without an offset", function()
      local unzoned
      for _, e in ipairs(r.events) do if e.time_text == "2025-02-09T10:20:00" then unzoned = e end end
      assert.equals("+00:00", unzoned.time_offset) -- read as UTC, and said so
      assert.same({
        "fixtures/all-types.json: log entries of unknown types kept as notes: future_feature_log_entry "
          .. "(2 entries, the first log_entries[18]), (no type) (log_entries[22])",
        'fixtures/all-types.json: log_entries[21].created_at: "2025-02-09T10:20:00" has no UTC offset; read as UTC',
      }, messages(r.warnings))
    end)
  end)

  describe("a bare array of entries", function()
    local r = plugin.run { file = "fixtures/bare.json" }

    it("reads _reference types, channel summaries and unknown types", function()
      assert.same({
        "10:06:46 alert_fired Incident triggered: Checkout failing | Bob Martin",
        "10:07:00 note Snoozed for 30 minutes by Bob Martin | Bob Martin",
        "10:08:00 note Status update posted | Bob Martin",
      }, rows(r.events))
    end)

    it("warns about the unknown type and the unreadable time, naming the entry", function()
      assert.same({
        "fixtures/bare.json: log entries of unknown types kept as notes: status_update_log_entry ([3])",
        'fixtures/bare.json: [4].created_at: "yesterday" is not an RFC 3339 time; entry skipped',
      }, messages(r.warnings))
    end)
  end)
end)

describe("pagerduty (bad input)", function()
  it("names the JSON field of wrongly typed entries and reads the rest", function()
    local r = plugin.run { file = "fixtures/wrong-types.json" }
    assert.is_nil(r.error)
    assert.same({
      "10:10:00 note Acknowledged | System", -- type is a list: unknown; agent is a string: no person
    }, rows(r.events))
    assert.same({
      "fixtures/wrong-types.json: log entries of unknown types kept as notes: (no type) (log_entries[4])",
      "fixtures/wrong-types.json: log_entries[1]: is not a log entry object; skipped",
      "fixtures/wrong-types.json: log_entries[2].created_at: not a string: 1739095560; entry skipped "
        .. "(2 times; also at fixtures/wrong-types.json: log_entries[3].created_at)",
      'fixtures/wrong-types.json: log_entries[6].created_at: "2025-02-09 10:30:00 +0000" is not an RFC 3339 time; entry skipped',
    }, messages(r.warnings))
  end)

  it("skips pages that are not responses, naming them", function()
    local r = plugin.run { file = "fixtures/bad-pages.json" }
    assert.same({ "10:40:00 resolved Incident marked resolved | Alice Chen" }, rows(r.events))
    assert.same({
      "fixtures/bad-pages.json: [1].log_entries: missing or not a list; page skipped",
      "fixtures/bad-pages.json: [2]: is not a log_entries response; skipped",
    }, messages(r.warnings))
  end)

  it("records gaps for truncated, empty, missing and foreign files", function()
    local function gaps(file) return messages(plugin.run { file = file }.gaps) end
    assert.same({ "fixtures/truncated.json is not JSON (line 14, column 13: unterminated string); is the file truncated?" },
      gaps "fixtures/truncated.json")
    assert.same({ "fixtures/empty.json is empty" }, gaps "fixtures/empty.json")
    assert.same({ "cannot read fixtures/nope.json (paths are relative to the pipeline folder)" }, gaps "fixtures/nope.json")
    assert.same({ "fixtures/not-entries.json has no log_entries: is it a GET /incidents/{id}/log_entries response?" },
      gaps "fixtures/not-entries.json")
  end)

  it("replaces bytes that are not UTF-8 and says where", function()
    local r = plugin.run { file = "fixtures/latin1.json" }
    assert.same({ "10:20:00 note Caf\u{FFFD} API degraded | Zo\u{FFFD} Ba\u{FFFD}os" }, rows(r.events))
    assert.same({ "fixtures/latin1.json:1: bytes that are not UTF-8 (the first at byte 161); replaced with U+FFFD" },
      messages(r.warnings))
  end)

  it("fails clearly without an input, with both, or with url and no token", function()
    assert.matches("set url = %(with token_env =%) or file =", plugin.run {}.error)
    assert.matches("not both", plugin.run { file = "x.json", url = "https://api.pagerduty.com/incidents/Q1/log_entries" }.error)
    assert.matches("url = needs token_env =", plugin.run { url = "https://api.pagerduty.com/incidents/Q1/log_entries" }.error)
    assert.matches("option token_env: the environment variable PMHOST_SPEC_UNSET_TOKEN is not set: export it",
      plugin.run { url = "https://api.pagerduty.com/incidents/Q1/log_entries", token_env = "PMHOST_SPEC_UNSET_TOKEN" }.error)
  end)
end)

-- Live mode through the plugin's own run function, with a stand-in ctx whose http answers
-- from a list: checks the requests the plugin sends and what it makes of each answer.
local init = require "init"

local function fake_ctx(answers, env)
  local ctx = { requests = {}, events = {}, gaps = {}, warnings = {}, incident = { people = {} } }
  ctx.log = { warn = function(m) ctx.warnings[#ctx.warnings + 1] = m end, info = function() end, debug = function() end }
  ctx.gap = function(reason) ctx.gaps[#ctx.gaps + 1] = reason end
  ctx.timeline = { add = function(ev) ctx.events[#ctx.events + 1] = ev end }
  ctx.http = {
    get = function(url, o)
      ctx.requests[#ctx.requests + 1] = { url = url, query = o.query, headers = o.headers, gap = o.gap }
      local a = table.remove(answers, 1)
      if a.reason then return nil, a.reason end
      return { status = a.status or 200, body = a.body, headers = {}, url = url }
    end,
  }
  env = env or { PD_TOKEN = "y_NbAkKc66ryYTWUXYEu" }
  ctx.env = function(name)
    if name ~= "PD_TOKEN" then error("ctx.env: plugin pagerduty may read only the environment variables its `*_env` options name") end
    return env[name]
  end
  return ctx
end

local URL = "https://api.pagerduty.com/incidents/Q1ABCDEF2GHIJ/log_entries"

local function entry(id, type_, at, who)
  return ('{"id":"%s","type":"%s","summary":"%s","created_at":"%s","agent":{"type":"user_reference","summary":"%s"}}')
    :format(id, type_, type_, at, who)
end

local function page(list, offset, more)
  return ('{"log_entries":[%s],"limit":100,"offset":%d,"more":%s,"total":null}'):format(table.concat(list, ","), offset,
    tostring(more))
end

describe("pagerduty (live)", function()
  it("pages with offset and limit until more is false, in UTC, with the token", function()
    local ctx = fake_ctx({
      { body = page({ entry("A", "trigger_log_entry", "2025-02-09T10:06:46Z", "Bob"),
        entry("B", "acknowledge_log_entry", "2025-02-09T10:12:00Z", "Alice Chen") }, 0, true) },
      { body = page({ entry("B", "acknowledge_log_entry", "2025-02-09T10:12:00Z", "Alice Chen"), -- shifted page
        entry("C", "resolve_log_entry", "2025-02-09T10:40:00Z", "Alice Chen") }, 2, false) },
    })
    init.run(ctx, { url = URL, token_env = "PD_TOKEN" })
    assert.equals(2, #ctx.requests)
    assert.equals(URL, ctx.requests[1].url)
    assert.same({ time_zone = "UTC", limit = 100, offset = 0 }, ctx.requests[1].query)
    assert.same({ time_zone = "UTC", limit = 100, offset = 2 }, ctx.requests[2].query)
    assert.same({ Authorization = "Token token=y_NbAkKc66ryYTWUXYEu", Accept = "application/vnd.pagerduty+json;version=2" },
      ctx.requests[1].headers)
    assert.equals(false, ctx.requests[1].gap)
    assert.same({
      "10:06:46 alert_fired Incident triggered: trigger_log_entry | Bob",
      "10:12:00 acknowledged Engineer acknowledges alert | Alice Chen",
      "10:40:00 resolved Incident marked resolved | Alice Chen",
    }, rows(ctx.events))
    assert.equals(URL .. "#C", ctx.events[3].evidence)
    assert.same({}, ctx.gaps)
  end)

  it("reads the token from the variable token_env names, and fails clearly when it is unset", function()
    local ctx = fake_ctx({ { body = page({}, 0, false) } }, { PD_TOKEN = "from-env" })
    init.run(ctx, { url = URL, token_env = "PD_TOKEN" })
    assert.equals("Token token=from-env", ctx.requests[1].headers.Authorization)
    assert.has_error(function() init.run(fake_ctx({}, {}), { url = URL, token_env = "PD_TOKEN" }) end,
      "option token_env: the environment variable PD_TOKEN is not set: export it before the run")
  end)

  it("keeps earlier pages and records a gap naming the page that failed", function()
    local ctx = fake_ctx({
      { body = page({ entry("A", "trigger_log_entry", "2025-02-09T10:06:46Z", "Bob") }, 0, true) },
      { status = 429, body = '{"error":{"message":"Rate Limit Exceeded","code":2020}}' },
    })
    init.run(ctx, { url = URL, token_env = "PD_TOKEN" })
    assert.equals(1, #ctx.events)
    assert.same({ URL .. " (offset 1) answered HTTP 429: Rate Limit Exceeded (rate limited; try again later)" }, ctx.gaps)
  end)

  it("records PagerDuty's error text, and no answer, as gaps", function()
    local ctx = fake_ctx({ { status = 401, body = '{"error":{"message":"Unauthorized","code":2006}}' } })
    init.run(ctx, { url = URL, token_env = "PD_TOKEN" })
    assert.same({ URL .. " (offset 0) answered HTTP 401: Unauthorized (is the token right?)" }, ctx.gaps)
    ctx = fake_ctx({ { status = 400, body = '{"error":{"message":"Invalid Input Provided","code":2001,'
      .. '"errors":["Time zone is not a valid time zone."]}}' } })
    init.run(ctx, { url = URL, token_env = "PD_TOKEN" })
    assert.same({ URL .. " (offset 0) answered HTTP 400: Invalid Input Provided: Time zone is not a valid time zone." },
      ctx.gaps)
    ctx = fake_ctx({ { reason = "GET " .. URL .. "?limit=100&offset=0&time_zone=UTC: TLS handshake failed" } })
    init.run(ctx, { url = URL, token_env = "PD_TOKEN" })
    assert.same({ "no answer from PagerDuty: GET " .. URL .. "?limit=100&offset=0&time_zone=UTC: TLS handshake failed" },
      ctx.gaps)
  end)

  it("stops on a page that says more but lists nothing", function()
    local ctx = fake_ctx({ { body = page({}, 0, true) } })
    init.run(ctx, { url = URL, token_env = "PD_TOKEN" })
    assert.equals(1, #ctx.requests)
    assert.same({ URL .. " (offset 0): says there are more entries but lists none; stopped paging" }, ctx.warnings)
  end)
end)
