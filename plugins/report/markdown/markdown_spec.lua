-- markdown: the seed's report template, line for line (text from the model escaped by pm.mdtext:
-- "(<100ms)" is written "(\<100ms)" and shows as typed).

local SEED = [[
# Post-Mortem: API Service Degradation (2025-02-09)

**Date**: 2025-02-09
**Duration**: 1h 35min (10:05 - 11:40 UTC)
**Severity**: P1 (Critical service degraded)
**Authors**: @alice, @bob
**Reviewed**: 2025-02-10

## Summary

The API service experienced elevated error rates (40% of requests) due to database connection pool exhaustion. Service was restored by deploying a cache layer. No data loss occurred.

## Impact

- 40,000 failed requests over 1h 35min
- 2,000 customers affected
- Revenue impact: ~$5,000 (estimated)
- Peak error rate: 40% of requests
- No data loss

## Root Cause

Query introduced in v2.3.0 deployment performed a full table scan due to missing index. Under increased load, this saturated the connection pool.

## Timeline (all times UTC)

| Time | Event | Source | Actor |
|----------|-------|--------|-------|
| 10:05:23 | First 5xx errors appear | nginx access logs | - |
| 10:06:45 | High error rate alert fires | Prometheus | - |
| 10:08:12 | On-call engineer paged | PagerDuty | System |
| 10:12:00 | Engineer acknowledges alert | PagerDuty | @alice |
| 10:15:30 | Database connection pool exhausted | app logs | - |
| 10:18:45 | Database queries identified as slow | pganalyze | @alice |
| 10:22:10 | Cache layer deployed as mitigation | kubectl | @alice |
| 10:35:00 | Error rate returns to normal | Prometheus | - |
| 10:40:00 | Incident marked resolved | PagerDuty | @alice |

## Contributing Factors

### Immediate Cause
- Database connection pool exhausted (max 20 connections)
- Query introduced in v2.3.0 deployment lacked index

### Contributing Factors
1. **Monitoring Gap**: Connection pool utilization not monitored
2. **Testing Gap**: Load testing didn't include new query pattern
3. **Runbook Gap**: No documented procedure for DB connection issues
4. **Capacity Planning**: Pool size unchanged despite 3x traffic growth

### Systemic Issues
- No pre-deployment query plan review
- Database alerts only fire on total failure, not degradation

## Action Items

| ID | Action | Owner | Deadline | Priority |
|----|--------|-------|----------|----------|
| AI-001 | Add connection pool metrics to Grafana | @bob | 2025-02-16 | High |
| AI-002 | Create runbook: DB connection saturation | @alice | 2025-02-20 | High |
| AI-003 | Add DB query plan check to CI/CD | @charlie | 2025-03-01 | Medium |
| AI-004 | Review and adjust connection pool size | @dan | 2025-02-14 | High |
| AI-005 | Implement DB slow query alerts (\<100ms) | @bob | 2025-02-23 | Medium |
| AI-006 | Add load testing for new query patterns | @charlie | 2025-03-15 | Low |

## What Went Well

- Alert fired within 90 seconds of first errors
- Mitigation deployed quickly (10 minutes from page to fix)
- Communication to customers was clear and timely

## Lessons Learned

- Database monitoring is insufficient; need connection-level metrics
- Load testing must cover new query patterns, not just volume
- Connection pool sizing hasn't kept pace with traffic growth

## Prevention

See Action Items above.
]]

local function lines(text)
  local out = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do out[#out + 1] = line end
  return out
end

-- Compare line by line so a failure names the first line that differs.
local function same_lines(expected, actual)
  local e, a = lines(expected), lines(actual)
  for i = 1, math.max(#e, #a) do
    assert.equals(e[i], a[i], "at line " .. i)
  end
end

local function has_line(text, wanted)
  for _, line in ipairs(lines(text)) do
    if line == wanted then return true end
  end
  return false
end

describe("markdown with the seed's report", function()
  it("renders the seed's template exactly", function()
    local r = plugin.run({}, { report = "fixtures/report.json" })
    assert.is_nil(r.error)
    same_lines(SEED, r.files["report.md"])
  end)

  it("writes to the file named in the options", function()
    local r = plugin.run({ file = "postmortem.md" }, { report = "fixtures/report.json" })
    assert.is_nil(r.files["report.md"])
    assert.equals(SEED, r.files["postmortem.md"])
  end)
end)

describe("markdown with awkward data", function()
  local md
  before_each(function()
    local r = plugin.run({}, { report = "fixtures/edge.json" })
    assert.is_nil(r.error)
    md = r.files["report.md"]
  end)

  it("says what is missing in the header", function()
    assert.truthy(has_line(md, "**Duration**: 30min (2025-03-01 23:50 - 2025-03-02 00:20 UTC)"))
    assert.truthy(has_line(md, "**Severity**: Unclassified"))
    assert.truthy(has_line(md, "**Authors**: -"))
    assert.truthy(has_line(md, "**Reviewed**: pending"))
  end)

  it("shows only the impact fields present, with thousands separators", function()
    assert.matches("\n## Impact\n\n%- 1,234,567 customers affected\n%- Data loss occurred\n\n## Root Cause\n", md)
  end)

  it("dates times when the timeline spans two UTC days, and escapes table cells", function()
    assert.truthy(has_line(md, "| 2025-03-01 23:50:12 | Queue depth \\| over 10k and rising | metrics | - |"))
    assert.truthy(has_line(md, "| 2025-03-02 00:10:00 | Workers restarted | kubectl | @erin |"))
  end)

  it("shows an unknown category as is and a factor without one unlabelled", function()
    assert.matches("\n### Contributing Factors\n1%. %*%*Security%*%*: No dead%-letter queue\n2%. Retries never give up\n", md)
    assert.matches("\n### Systemic Issues\n%- none identified\n", md)
  end)

  it("shows a missing owner as -", function()
    assert.truthy(has_line(md, "| AI-001 | Add a dead-letter queue | - | 2025-03-09 | High |"))
  end)

  it("lists data gaps with their window, then validation results", function()
    assert.matches("\n## Prevention\n\nSee Action Items above%.\n\n## Data Gaps\n\n"
      .. "%- prometheus %(prometheus%): connection refused %(2025%-03%-01 23:50:00 %- 2025%-03%-02 00:20:00 UTC%)\n"
      .. "%- slack %(slack%-export%): channel not in the export\n\n## Validation\n\n"
      .. "%- %[x%] timeline_complete: 2 events\n"
      .. "%- %[ %] action_items_complete: AI%-001 has no owner\n"
      .. "%- %[~%] distributed_48h: not distributed yet: due by 2025%-03%-04T00:20:00%.000Z %(pending%)\n"
      .. "%- %[x%] multiple_factors\n$", md)
  end)
end)

describe("markdown without gaps or validation", function()
  it("has no Data Gaps or Validation section", function()
    local md = plugin.run({}, { report = "fixtures/report.json" }).files["report.md"]
    assert.falsy(md:find("## Data Gaps", 1, true))
    assert.falsy(md:find("## Validation", 1, true))
  end)
end)

-- report.json's recurrence: what pmhost run found this incident shares with earlier ones in
-- the archive. The second text is hostile: markup of every kind, and line breaks.
describe("markdown with recurrence from the archive", function()
  local md
  before_each(function()
    local r = plugin.run({}, { report = "fixtures/recurrence.json" })
    assert.is_nil(r.error)
    md = r.files["report.md"]
  end)

  it("lists each recurrence after Prevention, before Data Gaps", function()
    assert.matches("\n## Prevention\n\nSee Action Items above%.\n\n## Recurrence\n\n"
      .. "%- Second incident in 2025%-Q1 involving api%-service: PM%-2025%-02%-09\n%- [^\n]+\n\n## Data Gaps\n", md)
  end)

  it("escapes a text like every other field: no HTML, link, image, emphasis, heading or list of its own", function()
    assert.truthy(has_line(md, "- \\<script>alert(1)\\</script> \\[click\\](javascript:alert(1)) "
      .. "!\\[x\\](http\\://evil.example/x.png) \\*\\*bold\\*\\* \\| cell & \"quoted\" 'single' "
      .. "## Not a heading - not an item \\`code\\`"))
    assert.falsy(md:find("\n## Not a heading", 1, true))
    assert.is_nil(md:find("[^\\]<script>"))
  end)

  it("has no Recurrence section when nothing recurred", function()
    local plain = plugin.run({}, { report = "fixtures/report.json" }).files["report.md"]
    assert.falsy(plain:find("Recurrence", 1, true))
  end)
end)

describe("markdown with an organisation's Mustache template", function()
  it("renders the template with the model and the ready-made text", function()
    local r = plugin.run({ template = "fixtures/ours.mustache", file = "ours.md" },
      { report = "fixtures/report.json" })
    assert.is_nil(r.error)
    local text = r.files["ours.md"]
    assert.is_nil(r.files["report.md"])
    local got = {}
    for line in text:gmatch("[^\n]+") do got[#got + 1] = line end
    assert.equals("# PM-2025-02-09: API Service Degradation", got[1])
    assert.matches("^Severity P1 %(Critical service degraded%); 10:05:23 First 5xx errors appear; 10:06:45 ", got[2])
    assert.equals("1=Monitoring Gap 2=Testing Gap 3=Runbook Gap 4=Capacity Planning ", got[3])
    assert.matches("^Escaping is off: The API service experienced elevated error rates %(40%% of requests%)", got[4])
    assert.equals("no gaps", got[5])
  end)

  it("names the template, line and problem when it cannot be parsed", function()
    local r = plugin.run({ template = "fixtures/bad.mustache" }, { report = "fixtures/report.json" })
    assert.equals("template fixtures/bad.mustache: line 5, column 4: a section is closed with another name than it was opened with in: {{/action_rows}}",
      r.error)
  end)
end)


describe("markdown causal graph", function()
  it("adds the fishbone as Mermaid when asked, and not by default", function()
    local plain = plugin.run({}, { report = "fixtures/report.json" }).files["report.md"]
    assert.is_nil(plain:find("```mermaid", 1, true))
    local md = plugin.run({ fishbone = true }, { report = "fixtures/report.json" }).files["report.md"]
    assert.matches("### Causal Graph\n\n```mermaid\nflowchart LR\n  effect%[\"API Service Degradation\"%]\n", md)
    assert.matches('  b2%(%["Monitoring Gap"%]%) %-%-> effect\n  f3%["Connection pool utilization not monitored"%] %-%-> b2\n', md)
    assert.matches("```\n\n## Action Items", md)
  end)

  it("keeps every text a plain label: HTML entities and Mermaid's own codes show as typed", function()
    local graph = require("pm.postmortem").mermaid({ incident = { title = 'T "x" <b>' },
      factors = { immediate = { "&lt;b&gt; #lt;x#gt; a\nb" } } })
    assert.matches('effect%["T #quot;x#quot; #lt;b#gt;"%]', graph)
    assert.matches('f1%["#amp;lt;b#amp;gt; #35;lt;x#35;gt; a b"%]', graph)
  end)
end)

-- A four-hour incident past midnight with 241 rows (one a minute from 22:00), three bursts
-- (22:30 x1,521, 23:30 x12, 00:30 x3) and key moments at 22:10, 22:12 and 01:20.
describe("markdown with a long timeline", function()
  local r, md, full
  before_each(function()
    r = plugin.run({}, { report = "fixtures/long.json" })
    assert.is_nil(r.error)
    md, full = r.files["report.md"], r.files["timeline.md"]
  end)

  it("keeps the key moments and the bursts in the body, with their counts and dates", function()
    assert.truthy(has_line(md, "241 rows from 2025-03-01 22:00:00 to 2025-03-02 02:00:00: this table keeps 6 of them, "
      .. "the rows at key moments and the bursts (repeated events, with their counts); the full table is in "
      .. "[timeline.md](timeline.md)."))
    assert.truthy(has_line(md, "**Key moments**: impact start 2025-03-01 22:10:00, detected 2025-03-01 22:12:00, "
      .. "resolved 2025-03-02 01:20:00"))
    assert.matches("\n| Time | Event | Source | Actor |\n|[-]+|[-]+|[-]+|[-]+|\n"
      .. "| 2025%-03%-01 22:10:00 | Retry 10 \\| queue | app logs | %- |\n"
      .. "| 2025%-03%-01 22:12:00 | Retry 12 \\| queue | app logs | %- |\n"
      .. "| 2025%-03%-01 22:30:00 | First 5xx errors appear %(1,521 events until 2025%-03%-01 22:34:45%) | app logs | %- |\n"
      .. "| 2025%-03%-01 23:30:00 | Retry 90 \\| queue %(12 events until 2025%-03%-01 23:34:45%) | app logs | %- |\n"
      .. "| 2025%-03%-02 00:30:00 | Retry 150 \\| queue %(3 events until 2025%-03%-02 00:34:45%) | app logs | %- |\n"
      .. "| 2025%-03%-02 01:20:00 | Incident marked resolved | app logs | @alice |\n\n## Contributing Factors", md)
    assert.falsy(md:find("Retry 11 ", 1, true))
  end)

  it("writes the full table to the appendix, linked back to the report", function()
    assert.not_nil(full)
    local rows = 0
    for _ in full:gmatch("\n| 20%d%d%-") do rows = rows + 1 end
    assert.equals(241, rows)
    assert.truthy(has_line(full, "# Timeline: Post-Mortem: Night of retries (2025-03-01)"))
    assert.truthy(has_line(full, "All 241 rows of the timeline of [report.md](report.md) (all times UTC)."))
    assert.truthy(has_line(full, "| 2025-03-01 22:11:00 | Retry 11 \\| queue | app logs | - |"))
    assert.truthy(has_line(full, "| 2025-03-01 22:30:00 | First 5xx errors appear (1,521 events until 2025-03-01 22:34:45) | app logs | - |"))
  end)

  it("keeps only the largest bursts when they alone are more than max_rows", function()
    local text = plugin.run({ max_rows = 4 }, { report = "fixtures/long.json" }).files["report.md"]
    assert.truthy(text:find("this table keeps 4 of them, the rows at key moments and the 1 largest bursts (of 3)", 1, true))
    assert.truthy(text:find("First 5xx errors appear (1,521 events", 1, true))
    assert.falsy(text:find("Retry 90 ", 1, true))
  end)

  it("names and links the appendix from the options, the link target percent-encoded", function()
    local r2 = plugin.run({ appendix = "full timeline (all).md", file = "pm.md" }, { report = "fixtures/long.json" })
    assert.not_nil(r2.files["full timeline (all).md"])
    assert.truthy(r2.files["pm.md"]:find("[full timeline (all).md](full%20timeline%20%28all%29.md)", 1, true))
    assert.truthy(r2.files["full timeline (all).md"]:find("[pm.md](pm.md)", 1, true))
  end)

  it("refuses an appendix that is the report itself", function()
    local r2 = plugin.run({ appendix = "report.md" }, { report = "fixtures/long.json" })
    assert.equals('appendix and file are both "report.md": the full timeline would overwrite the report', r2.error)
  end)

  it("shows the whole table, with counts, up to max_rows and writes no appendix", function()
    local r2 = plugin.run({ max_rows = 241 }, { report = "fixtures/long.json" })
    assert.is_nil(r2.files["timeline.md"])
    local text = r2.files["report.md"]
    assert.truthy(has_line(text, "| 2025-03-01 22:11:00 | Retry 11 \\| queue | app logs | - |"))
    assert.truthy(has_line(text, "| 2025-03-01 23:30:00 | Retry 90 \\| queue (12 events until 2025-03-01 23:34:45) | app logs | - |"))
    assert.falsy(text:find("Key moments", 1, true))
  end)

  it("gives a template each row's count and the end of its burst, and the model's timeline", function()
    local text = plugin.run({ template = "fixtures/bursts.mustache", file = "b.md" }, { report = "fixtures/long.json" })
      .files["b.md"]
    assert.equals("2025-03-01 22:30:00 First 5xx errors appear x1521 until 2025-03-01 22:34:45; "
      .. "2025-03-01 23:30:00 Retry 90 \\| queue x12 until 2025-03-01 23:34:45; "
      .. "2025-03-02 00:30:00 Retry 150 \\| queue x3 until 2025-03-02 00:34:45; \n"
      .. "2025-03-01T22:30:00.000Z 1521 2025-03-01T22:34:45.000Z; 2025-03-01T23:30:00.000Z 12 2025-03-01T23:34:45.000Z; "
      .. "2025-03-02T00:30:00.000Z 3 2025-03-02T00:34:45.000Z; \n", text)
  end)
end)

describe("markdown's view for a template", function()
  it("gives the rows the seed's table shows and what a long table keeps, as the seed's layout uses them", function()
    local text = plugin.run({ template = "fixtures/table.mustache", file = "t.md", max_rows = 4 },
      { report = "fixtures/long.json" }).files["t.md"]
    assert.equals("241 rows from 2025-03-01 22:00:00 to 2025-03-02 02:00:00: this table keeps 4 of them, the rows at "
      .. "key moments and the 1 largest bursts (of 3); the full table is in [timeline.md](timeline.md).\n"
      .. "impact start 2025-03-01 22:10:00, detected 2025-03-01 22:12:00, resolved 2025-03-02 01:20:00\n"
      .. "2025-03-01 22:10:00 Retry 10 \\| queue\n"
      .. "2025-03-01 22:12:00 Retry 12 \\| queue\n"
      .. "2025-03-01 22:30:00 First 5xx errors appear (1,521 events until 2025-03-01 22:34:45)\n"
      .. "2025-03-02 01:20:00 Incident marked resolved\n", text)
  end)
end)

describe("pm.postmortem's rule for dates", function()
  local pmx = require "pm.postmortem"
  local function at(text) return pm.time.parse(text) end
  local one_day = { incident = { started_at = "2025-02-09T10:05:00Z", ended_at = "2025-02-09T11:40:00Z" } }
  local two_days = { incident = { started_at = "2025-02-09T23:05:00Z", ended_at = "2025-02-10T01:40:00Z" } }

  it("shows clock times when the incident and the rows are on one UTC day", function()
    local clock, dated = pmx.clock_for(one_day, at("2025-02-09T10:05:23Z"), at("2025-02-09T10:40:00Z"))
    assert.is_false(dated)
    assert.equals("10:05:23", clock(at("2025-02-09T10:05:23Z")))
  end)

  it("dates only a time on another day than the incident's, when the rest is one day", function()
    local clock = pmx.clock_for(one_day, at("2025-02-09T10:05:23Z"), at("2025-02-09T10:40:00Z"))
    assert.equals("2025-02-10 00:00:05", clock(at("2025-02-10T00:00:05Z")))
  end)

  it("dates every time when the incident spans midnight, even if the rows do not", function()
    local clock, dated = pmx.clock_for(two_days, at("2025-02-09T23:10:00Z"), at("2025-02-09T23:50:00Z"))
    assert.is_true(dated)
    assert.equals("2025-02-09 23:10:00", clock(at("2025-02-09T23:10:00Z")))
  end)

  it("dates every time when the rows cross midnight or lie on another day than the incident's start", function()
    assert.is_true(pmx.dated(one_day, at("2025-02-09T23:10:00Z"), at("2025-02-10T00:10:00Z")))
    assert.is_true(pmx.dated(one_day, at("2025-02-11T10:10:00Z"), at("2025-02-11T10:20:00Z")))
    assert.is_true(pmx.dated({ start = at("2025-02-09T10:00:00Z"), finish = at("2025-02-12T10:00:00Z") }))
    assert.is_false(pmx.dated(nil, nil, nil))
  end)

  it("writes the same text as pm.time.format", function()
    local clock = pmx.clock_for(nil, 0, 3 * 86400)
    for _, s in ipairs { 0, 59.999, 86399.5, 1739181923.25, -1, -86400.5, 253402300799 } do
      assert.equals(pm.time.format(s, "date") .. " " .. pm.time.format(s, "clock"), clock(s))
    end
  end)

  it("keeps pmx.clock(events) working: dated when the events span days", function()
    local same = { { time = "2025-02-09T10:05:23Z" }, { time = "2025-02-09T11:05:23Z" } }
    local days = { { time = "2025-02-09T23:05:23Z" }, { t = at("2025-02-10T00:05:23Z") } }
    assert.equals("10:05:23", pmx.clock(same)(at("2025-02-09T10:05:23Z")))
    assert.equals("2025-02-09 23:05:23", pmx.clock(days)(at("2025-02-09T23:05:23Z")))
    assert.equals("2025-02-09 10:05:23", pmx.clock(same, two_days)(at("2025-02-09T10:05:23Z")))
    assert.equals("10:05:23", pmx.clock({})(at("2025-02-09T10:05:23Z")))
    assert.equals("2025-02-09 10:05:23", pmx.clock(at("2025-02-09T10:00:00Z"), at("2025-02-10T10:00:00Z"))(at("2025-02-09T10:05:23Z")))
  end)
end)
