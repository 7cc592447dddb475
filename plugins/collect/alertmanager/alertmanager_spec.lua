local function rows(events)
  local out = {}
  for i, e in ipairs(events) do
    out[i] = (type(e.time) == "number" and pm.time.format(e.time) or e.time) .. " " .. e.kind .. " " .. e.event
  end
  return out
end

local function messages(list)
  local out = {}
  for i, w in ipairs(list or {}) do out[i] = w.message or w.reason end
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
      }, rows(r.events))
      assert.same({}, r.warnings)
      assert.same({}, r.gaps)
    end)

    it("fills fields, evidence and source", function()
      local e = r.events[1]
      assert.equals("Prometheus", e.source)
      assert.same({ "2025-02-09T12:06:45.123+02:00", "+02:00", "2025-02-09T10:06:45.123Z" }, { e.time_text, e.time_offset, e.time })
      assert.is_nil(e.actor)
      assert.equals("HighErrorRate", e.fields.alertname)
      assert.equals("critical", e.fields.severity)
      assert.equals("a1b2c3d4e5f60718", e.fields.fingerprint)
      assert.is_nil(e.fields.silenced)
      assert.equals("fixtures/alerts.json#a1b2c3d4e5f60718", e.evidence)
      assert.equals(true, r.events[2].fields.silenced)
      assert.equals("5c1e7b61-4d0e-4b8a-9d3f-1b2c3d4e5f60", r.events[2].fields.silenced_by)
    end)
  end)

  describe("webhook log", function()
    local r = plugin.run { webhook_log = "fixtures/webhook.log" }

    it("dedupes resent payloads and resolves from resolved payloads", function()
      assert.same({
        "2025-02-09T10:06:45.000Z alert_fired High error rate alert fires",
        "2025-02-09T10:20:00.000Z alert_fired PodRestarting alert fires",
        "2025-02-09T10:35:45.000Z alert_resolved High error rate alert resolves",
      }, rows(r.events))
    end)

    it("points evidence at the payload lines", function()
      assert.equals("fixtures/webhook.log:1", r.events[1].evidence)
      assert.equals("fixtures/webhook.log:5", r.events[3].evidence)
      assert.equals("a1b2c3d4e5f60718", r.events[3].fields.fingerprint)
    end)

    it("warns about a line that is not a payload", function()
      assert.same({ "fixtures/webhook.log:3: not JSON (line 1, column 1: expected a value); line skipped" },
        messages(r.warnings))
    end)
  end)

  it("reads what Alertmanager 0.25 really wrote: API answer and webhook log, deduped", function()
    local r = plugin.run { file = "fixtures/api-v2-0.25.json", webhook_log = "fixtures/webhook-0.25.log" }
    assert.is_nil(r.error)
    assert.same({
      "2026-11-29T02:53:00.250Z alert_fired Quiet alert fires (silenced)", -- 03:53:00.25+01:00
      "2026-11-29T02:53:00.250Z alert_fired High error rate alert fires",
      "2026-11-29T09:10:52.000Z alert_fired Disk full alert fires",
      "2026-11-29T09:10:52.000Z alert_resolved High error rate alert resolves",
    }, rows(r.events))
    assert.same({ "fixtures/api-v2-0.25.json#f83e3457dfa1c30e", "fixtures/webhook-0.25.log:2",
      "fixtures/api-v2-0.25.json#744e61ca074bea90", "fixtures/webhook-0.25.log:4" },
      { r.events[1].evidence, r.events[2].evidence, r.events[3].evidence, r.events[4].evidence })
    assert.equals("17883a33-c6fc-49ef-83f4-7e16e0b8f046", r.events[1].fields.silenced_by)
    assert.same({}, r.warnings)
  end)

  it("merges the API file and the webhook log", function()
    local r = plugin.run { file = "fixtures/alerts.json", webhook_log = "fixtures/webhook.log" }
    -- 10:06:45.123 (API) and 10:06:45.000 (webhook) differ: different startsAt, two occurrences
    assert.equals(6, #r.events)
  end)

  it("fails clearly without an input", function()
    local r = plugin.run {}
    assert.matches("set url = %(a live Alertmanager%), file = %(saved alerts JSON%) or webhook_log =", r.error)
  end)
end)

describe("alertmanager (bad input)", function()
  it("skips alerts without a readable start, reads offsets, dedupes, marks inhibited alerts", function()
    local r = plugin.run { file = "fixtures/odd-alerts.json" }
    assert.is_nil(r.error)
    assert.same({
      "2025-02-09T10:05:00.000Z alert_fired ReplicaLag alert fires (inhibited)", -- 19:50+09:45
      "2025-02-09T10:07:00.000Z alert_fired Mystery alert fires",
      "2025-02-09T10:08:00.000Z alert_fired Twice alert fires", -- also as 11:08+01:00
      "2025-02-09T10:30:00.500Z alert_fired Queue backlog alert fires",
    }, rows(r.events))
    assert.equals("a1b2c3d4e5f60718", r.events[1].fields.inhibited_by)
    assert.is_nil(r.events[1].fields.silenced)
    assert.equals("+09:45", r.events[1].time_offset)
    -- Written without an offset and read as UTC: the offset applied is kept.
    assert.same({ "2025-02-09T10:30:00.5", "+00:00" }, { r.events[4].time_text, r.events[4].time_offset })
    assert.same({
      "fixtures/odd-alerts.json: [1].startsAt: missing; alert skipped",
      'fixtures/odd-alerts.json: [2].startsAt: "yesterday" is not an RFC 3339 time; alert skipped',
      'fixtures/odd-alerts.json: [3].startsAt: "2025-02-09T10:30:00.5" has no UTC offset; read as UTC',
      "fixtures/odd-alerts.json: [4]: is not an alert object; skipped",
      'fixtures/odd-alerts.json: [6].status.state: unknown state "resolved"; taken as firing',
    }, messages(r.warnings))
  end)

  it("reads a webhook log with mixed groups, old payloads and broken lines", function()
    local r = plugin.run { webhook_log = "fixtures/webhook-odd.log" }
    assert.is_nil(r.error)
    assert.same({
      "2025-02-09T10:01:00.000Z alert_fired MemHigh alert fires",
      "2025-02-09T10:06:00.250Z alert_fired CPUHigh alert fires",
      "2025-02-09T10:09:30.000Z alert_resolved MemHigh alert resolves",
      "2025-02-09T10:12:00.000Z alert_fired OldStyle alert fires",
      "2025-02-09T10:14:00.000Z alert_fired Flappy alert fires",
      "2025-02-09T10:18:00.000Z alert_resolved OldStyle alert resolves", -- no fingerprint: same labels
      "2025-02-09T10:31:15.500Z alert_resolved CPUHigh alert resolves",
    }, rows(r.events))
    assert.equals("fixtures/webhook-odd.log:8", r.events[7].evidence)
    assert.equals('{alertname=OldStyle,job=api}', r.events[4].fields.fingerprint)
    assert.same({
      'fixtures/webhook-odd.log:2: webhook payload version "3", expected "4"; read anyway (2 times; also at fixtures/webhook-odd.log:3)',
      "fixtures/webhook-odd.log:5: alerts[1].endsAt: a resolved alert without an end time; resolution skipped",
      "fixtures/webhook-odd.log:6: not a webhook payload (no alerts list); line skipped",
      "fixtures/webhook-odd.log:7: not JSON (line 1, column 56: unterminated string); line skipped "
        .. "(2 times; also at fixtures/webhook-odd.log:9)",
    }, messages(r.warnings))
  end)

  it("records gaps for truncated, empty, missing and wrongly shaped files", function()
    local function gaps(opts) return messages(plugin.run(opts).gaps) end
    assert.same({ 'fixtures/truncated.json is not JSON (line 1, column 133: unterminated string); is the file truncated?' },
      gaps { file = "fixtures/truncated.json" })
    assert.same({ "fixtures/empty.json is empty" }, gaps { file = "fixtures/empty.json" })
    assert.same({ "fixtures/empty.json is empty" }, gaps { webhook_log = "fixtures/empty.json" })
    assert.same({ "cannot read fixtures/nope.log (paths are relative to the pipeline folder)" },
      gaps { webhook_log = "fixtures/nope.log" })
    assert.same({ "fixtures/not-a-list.json is not a JSON array of alerts (GET /api/v2/alerts or `amtool alert query -o json`)" },
      gaps { file = "fixtures/not-a-list.json" })
  end)

  it("replaces bytes that are not UTF-8 and says where", function()
    local r = plugin.run { file = "fixtures/latin1.json" }
    assert.same({ "2025-02-09T10:09:00.000Z alert_fired Disque plein sur db-1 \u{FFFD} 90% alert fires" }, rows(r.events))
    assert.same({ "fixtures/latin1.json:1: bytes that are not UTF-8 (the first at byte 103); replaced with U+FFFD" },
      messages(r.warnings))
  end)
end)

-- Live mode through the plugin's own run function, with a stand-in ctx whose http answers
-- from a list: checks the request the plugin sends and what it makes of each answer.
local init = require "init"

local function fake_ctx(answers, files)
  local ctx = { requests = {}, events = {}, gaps = {}, warnings = {}, incident = { start = 1739095500, ["end"] = 1739101200 } }
  ctx.fs = {
    exists = function(path) return files[path] ~= nil end,
    lines = function(path)
      local n, rest = 0, files[path]
      return function()
        if rest == "" then return nil end
        local line, tail = rest:match("^([^\n]*)\n?(.*)$")
        n, rest = n + 1, tail
        return n, line
      end
    end,
  }
  ctx.log = { warn = function(m) ctx.warnings[#ctx.warnings + 1] = m end, info = function() end, debug = function() end }
  ctx.gap = function(reason) ctx.gaps[#ctx.gaps + 1] = reason end
  ctx.timeline = { add = function(ev) ctx.events[#ctx.events + 1] = ev end }
  ctx.http = {
    get = function(url, o)
      ctx.requests[#ctx.requests + 1] = { url = url, opts = o }
      local a = table.remove(answers, 1)
      if a.reason then return nil, a.reason end
      return { status = a.status or 200, body = a.body, headers = {}, url = url }
    end,
  }
  return ctx
end

local function live(opts, answers, files)
  local ctx = fake_ctx(answers, files or {})
  init.run(ctx, opts)
  return ctx
end

local ACTIVE = [[[{"annotations":{"summary":"High error rate"},"endsAt":"2025-02-09T10:40:45.000Z",
  "fingerprint":"a1b2c3d4e5f60718","receivers":[{"name":"pagerduty-critical"}],"startsAt":"2025-02-09T10:06:45.000Z",
  "status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},"updatedAt":"2025-02-09T10:36:45.000Z",
  "labels":{"alertname":"HighErrorRate","severity":"critical"}}]
]]

describe("alertmanager (live)", function()
  it("GETs /api/v2/alerts with the filters and never takes endsAt of an active alert as its end", function()
    local ctx = live({ url = "http://127.0.0.1:9093/", filter = { 'service="api"', "severity=~critical|page" } },
      { { body = ACTIVE } })
    assert.equals("http://127.0.0.1:9093/api/v2/alerts", ctx.requests[1].url)
    assert.same({ { "filter", 'service="api"' }, { "filter", "severity=~critical|page" } }, ctx.requests[1].opts.query)
    assert.equals(false, ctx.requests[1].opts.gap)
    assert.equals(1, #ctx.events)
    assert.same({ "2025-02-09T10:06:45.000Z alert_fired High error rate alert fires" }, rows(ctx.events))
    assert.equals("http://127.0.0.1:9093/api/v2/alerts#a1b2c3d4e5f60718", ctx.events[1].evidence)
    assert.same({}, ctx.gaps)
  end)

  it("takes the resolution from the webhook log for an alert also seen live", function()
    local log = '{"version":"4","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"HighErrorRate"},'
      .. '"annotations":{"summary":"High error rate"},"startsAt":"2025-02-09T11:06:45+01:00","endsAt":"2025-02-09T10:35:45Z",'
      .. '"fingerprint":"a1b2c3d4e5f60718"}]}\n'
    local ctx = live({ url = "http://am:9093", webhook_log = "hooks.log" }, { { body = ACTIVE } }, { ["hooks.log"] = log })
    assert.same({
      "2025-02-09T10:06:45.000Z alert_fired High error rate alert fires",
      "2025-02-09T10:35:45.000Z alert_resolved High error rate alert resolves",
    }, rows(ctx.events))
    assert.equals("http://am:9093/api/v2/alerts#a1b2c3d4e5f60718", ctx.events[1].evidence)
    assert.equals("hooks.log:1", ctx.events[2].evidence)
    assert.same({}, ctx.warnings)
  end)

  it("records Alertmanager's error text, an error page and no answer as gaps", function()
    local ctx = live({ url = "http://am:9093", filter = { "=bad" } },
      { { status = 400, body = '"bad matcher format: =bad"\n' } })
    assert.same({ "http://am:9093/api/v2/alerts answered HTTP 400: bad matcher format: =bad" }, ctx.gaps)
    ctx = live({ url = "http://am:9093" }, { { status = 503, body = "upstream connect error or disconnect/reset before headers" } })
    assert.same({ "http://am:9093/api/v2/alerts answered HTTP 503: upstream connect error or disconnect/reset before headers" },
      ctx.gaps)
    ctx = live({ url = "http://am:9093" }, { { reason = "GET http://am:9093/api/v2/alerts: timed out after 30 s" } })
    assert.same({ "no answer from Alertmanager: GET http://am:9093/api/v2/alerts: timed out after 30 s" }, ctx.gaps)
  end)

  it("says that an empty live answer cannot show the incident's alerts", function()
    local ctx = live({ url = "http://am:9093" }, { { body = "[]" } })
    assert.same({ "http://am:9093/api/v2/alerts lists no alerts: Alertmanager forgets alerts soon after they resolve, "
      .. "so the incident's alerts are missing (log its webhooks and pass webhook_log =)" }, ctx.gaps)
    ctx = live({ url = "http://am:9093" }, { { body = '{"alerts":[]}' } })
    assert.same({ "http://am:9093/api/v2/alerts is not a JSON array of alerts (GET /api/v2/alerts or `amtool alert query -o json`)" },
      ctx.gaps)
  end)
end)
