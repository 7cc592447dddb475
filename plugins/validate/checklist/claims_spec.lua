-- claims: what a post-mortem says about its own timing, against its timeline.

local claims = require "claims"

-- The seed's incident (conduct-post-mortem): key moments as the key-moments plugin marks
-- them, the timeline's nine rows.
local MOMENTS = {
  impact_start = "2025-02-09T10:05:23.000Z", detected = "2025-02-09T10:06:45.000Z", paged = "2025-02-09T10:08:12.000Z",
  acknowledged = "2025-02-09T10:12:00.000Z", mitigated = "2025-02-09T10:22:10.000Z", resolved = "2025-02-09T10:40:00.000Z",
}
local ROWS = {
  { "10:05:23", "First 5xx errors appear" }, { "10:06:45", "High error rate alert fires" },
  { "10:08:12", "On-call engineer paged" }, { "10:12:00", "Engineer acknowledges alert" },
  { "10:15:30", "Database connection pool exhausted" }, { "10:18:45", "Database queries identified as slow" },
  { "10:22:10", "Cache layer deployed as mitigation" }, { "10:35:00", "Error rate returns to normal" },
  { "10:40:00", "Incident marked resolved" },
}

local function timeline()
  local rows = {}
  for i, r in ipairs(ROWS) do rows[i] = { time = "2025-02-09T" .. r[1] .. ".000Z", event = r[2] } end
  return rows
end

-- A report-shaped table: the seed's incident with the given summary and what went well.
local function report(fields)
  fields = fields or {}
  return {
    incident = { id = "PM-2025-02-09", started_at = fields.started_at, ended_at = fields.ended_at,
      summary = fields.summary, impact_text = fields.impact_text },
    key_moments = fields.key_moments or MOMENTS,
    timeline = fields.rows and timeline() or nil,
    what_went_well = fields.well or {},
    lessons_learned = fields.lessons or {},
  }
end

-- A document-shaped table (data.imported, as the Markdown reader fills it): the seed's
-- timeline on lines 27-35 unless rows are given.
local function document(fields)
  local rows = fields.rows
  if not rows then
    rows = {}
    for i, r in ipairs(ROWS) do
      rows[i] = { line = 26 + i, time = "2025-02-09T" .. r[1] .. "Z", written = r[1], text = r[2], approximate = false }
    end
  end
  local prose = {}
  for _, r in ipairs(rows) do prose[#prose + 1] = { line = r.line, section = "timeline", text = r.text } end
  for _, p in ipairs(fields.prose or {}) do prose[#prose + 1] = p end
  return { imported = { format = "markdown", path = "pm.md", rows = rows, prose = prose, facts = fields.facts or {},
    zone = fields.zone, sections = {} } }
end

local function texts(findings)
  local out = {}
  for i, f in ipairs(findings) do out[i] = f.text end
  return out
end

describe("claims on the seed's example", function()
  it("as report.json: the window 10:05-11:40 and '10 minutes from page to fix' disagree, 'within 90 seconds' agrees", function()
    local ok, detail, findings = claims.check(report {
      started_at = "2025-02-09T10:05:00.000Z", ended_at = "2025-02-09T11:40:00.000Z",
      summary = "The API service experienced elevated error rates (40% of requests) due to database connection pool "
        .. "exhaustion. Service was restored by deploying a cache layer. No data loss occurred.",
      well = { "Alert fired within 90 seconds of first errors", "Mitigation deployed quickly (10 minutes from page to fix)",
        "Communication to customers was clear and timely" },
    })
    assert.is_false(ok)
    assert.same({
      { text = "the incident's start and end say it lasted 1h 35min (10:05-11:40); "
        .. "the timeline resolves at 10:40 (34min 37s after the start)" },
      { text = 'what went well says "Mitigation deployed quickly (10 minutes from page to fix)" (10min); '
        .. "the timeline has the page at 10:08:12 and mitigation at 10:22:10: 13min 58s" },
    }, findings)
    assert.matches("^2 of 3 claims disagree with the timeline: ", detail)
  end)

  it("as a Markdown document: the Duration line, the impact's 1.5 hours and the 10 minutes, each with its line", function()
    local ok, _, findings = claims.check(document {
      facts = { { line = 3, key = "date", text = "2025-02-09" }, { line = 4, key = "duration", text = "1h 35min (10:05 - 11:40 UTC)" },
        { line = 5, key = "severity", text = "P1 (Critical service degraded)" } },
      prose = {
        { line = 11, section = "summary", text = "The API service experienced elevated error rates (40% of requests) due to"
          .. " database\nconnection pool exhaustion. Service was restored by deploying a cache layer. No data loss occurred." },
        { line = 15, section = "impact", text = "40,000 failed requests over 1.5 hours" },
        { line = 16, section = "impact", text = "2,000 customers affected" },
        { line = 17, section = "impact", text = "Revenue impact: ~$5,000 (estimated)" },
        { line = 60, section = "went_well", text = "Alert fired within 90 seconds of first errors" },
        { line = 61, section = "went_well", text = "Mitigation deployed quickly (10 minutes from page to fix)" },
        { line = 62, section = "went_well", text = "Communication to customers was clear and timely" },
        { line = 65, section = "lessons", text = "Load testing must cover new query patterns, not just volume" },
      },
    })
    assert.is_false(ok)
    assert.same({
      { line = 4, text = 'the Duration line says "1h 35min (10:05 - 11:40 UTC)": the incident lasted 1h 35min (10:05-11:40); '
        .. "the timeline resolves at 10:40 (line 35, 34min 37s after the start)" },
      { line = 15, text = 'the impact says "40,000 failed requests over 1.5 hours" (at least 1h 30min); the timeline has '
        .. "impact start at 10:05:23 (line 27) and resolution at 10:40 (line 35): 34min 37s" },
      { line = 61, text = 'what went well says "Mitigation deployed quickly (10 minutes from page to fix)" (10min); the timeline '
        .. "has the page at 10:08:12 (line 29) and mitigation at 10:22:10 (line 33): 13min 58s" },
    }, findings)
  end)

  it("passes the seed once its end is corrected to 10:40", function()
    local ok, detail, findings = claims.check(report {
      started_at = "2025-02-09T10:05:00.000Z", ended_at = "2025-02-09T10:40:00.000Z",
      well = { "Alert fired within 90 seconds of first errors", "Mitigation deployed quickly (14 minutes from page to fix)" },
    })
    assert.is_true(ok)
    assert.equals("3 claims agree with the timeline", detail)
    assert.same({}, findings)
  end)
end)

-- One sentence in the summary of the seed's report; the result: true (agrees), false
-- (disagrees) or nil (not a claim that can be checked).
local function verdict(sentence, fields)
  fields = fields or {}
  fields.summary = sentence
  local ok, _, findings = claims.check(report(fields))
  return ok, findings
end

describe("claims that agree with the timeline", function()
  local cases = {
    "The outage lasted 35 minutes.",
    "Customers saw elevated errors for about 35 minutes.",
    "A 35-minute outage of the public API.",
    "The on-call engineer was paged at 10:08 and acknowledged at 10:12.",
    "At 10:22, the cache layer was deployed as a mitigation.",
    "The incident was resolved at 10:40 UTC.",
    "TTD: 82 seconds.",
    "Time to detect: under 2 minutes.",
    "MTTR: 35m",
    "The incident was resolved in under an hour.",
    "The fix was deployed 14 minutes after the page.",
    "It took 17 minutes to mitigate.",
    "We detected the problem roughly 1.5 minutes after errors began.",
    "Alerting fired within 90 seconds of the first errors.",
    "Resolution came just over half an hour after the first 5xx errors.",
    "The incident lasted 0.6 hours.",
    "Errors began at 10:05 and the alert fired at 10:06.",
    "Detected at 10:07 (about a minute and a half in).",
    "For approximately 35 minutes, customers were unable to call the API.",
    "Between 10:05 and 10:40 UTC, roughly 40% of requests failed.",
    "Total downtime was 35 minutes.",
    "The outage lasted from 10:05 to 10:40 UTC (35 minutes).",
    "The on-call responded within 5 minutes of the page.",
    "Service was restored after 35 minutes.",
    "Within 15 minutes of the page, the on-call engineer had deployed a mitigation.",
    "The incident was mitigated 17 minutes after it began.",
    "Mitigated at 10:22 UTC; resolved at 10:40 UTC.",
    "Recovery took about 35 minutes.",
    "Acknowledgement took 4 minutes.",
    "Detection took less than two minutes.",
    "Errors were detected 1-2 minutes after they began.",
    "The outage lasted half an hour or so.",
  }
  for _, sentence in ipairs(cases) do
    it(sentence, function()
      local ok, findings = verdict(sentence)
      assert.same({}, texts(findings))
      assert.is_true(ok)
    end)
  end

  it("'back to normal by 10:35' agrees with the timeline's row, not only the resolution", function()
    local ok = verdict("Error rates were back to normal by 10:35.", { rows = true })
    assert.is_true(ok)
  end)

  it("reads the rows from tl when the report comes without its timeline", function()
    local rows = timeline()
    local tl = { n = #rows, row = function(i) return rows[i] end }
    local ok = claims.check(report { summary = "Error rates were back to normal by 10:35." }, tl)
    assert.is_true(ok)
  end)
end)

describe("claims that disagree with the timeline", function()
  local cases = {
    { "The outage lasted 1h 35min.", "the summary says \"The outage lasted 1h 35min.\" (1h 35min); the timeline has impact "
      .. "start at 10:05:23 and resolution at 10:40: 34min 37s" },
    { "The incident was resolved at 11:40.", "the summary says \"The incident was resolved at 11:40.\"; the timeline has "
      .. "resolution at 10:40 (1h earlier)" },
    { "The problem was detected after 20 minutes.", "the summary says \"The problem was detected after 20 minutes.\" (20min); "
      .. "the timeline has impact start at 10:05:23 and detection at 10:06:45: 1min 22s" },
    { "MTTR 2 hours.", "the summary says \"MTTR 2 hours.\" (2h); the timeline has impact start at 10:05:23 and resolution "
      .. "at 10:40: 34min 37s" },
    { "The fix went out about 10 minutes from page to fix.", "the summary says \"The fix went out about 10 minutes from page "
      .. "to fix.\" (about 10min); the timeline has the page at 10:08:12 and mitigation at 10:22:10: 13min 58s" },
    { "The on-call engineer acknowledged the page within 1 minute.", "the summary says \"The on-call engineer acknowledged "
      .. "the page within 1 minute.\" (at most 1min); the timeline has the page at 10:08:12 and the acknowledgement at 10:12: 3min 48s" },
    { "It was a 2-hour outage.", "the summary says \"It was a 2-hour outage.\" (2h); the timeline has impact start at "
      .. "10:05:23 and resolution at 10:40: 34min 37s" },
    { "Mitigation was in place by 10:15.", "the summary says \"Mitigation was in place by 10:15.\"; the timeline has "
      .. "mitigation at 10:22:10 (7min 10s later)" },
    { "Errors persisted for over 1.5 hours.", "the summary says \"Errors persisted for over 1.5 hours.\" (at least 1h 30min); "
      .. "the timeline has impact start at 10:05:23 and resolution at 10:40: 34min 37s" },
    { "Time to recovery: two hours.", "the summary says \"Time to recovery: two hours.\" (2h); the timeline has impact "
      .. "start at 10:05:23 and resolution at 10:40: 34min 37s" },
    { "We were alerted within 30 seconds of the first errors.", "the summary says \"We were alerted within 30 seconds of "
      .. "the first errors.\" (at most 30s); the timeline has impact start at 10:05:23 and detection at 10:06:45: 1min 22s" },
    { "The alert fired within 60 seconds of first errors.", "the summary says \"The alert fired within 60 seconds of first "
      .. "errors.\" (at most 1min); the timeline has impact start at 10:05:23 and detection at 10:06:45: 1min 22s" },
    { "At 10:30, we rolled back the release.", "the summary says \"At 10:30, we rolled back the release.\"; the timeline has "
      .. "mitigation at 10:22:10 (7min 50s earlier)" },
  }
  for _, case in ipairs(cases) do
    it(case[1], function()
      local ok, findings = verdict(case[1])
      assert.same({ case[2] }, texts(findings))
      assert.is_false(ok)
    end)
  end

  -- The same, checked by the values each finding must name.
  local named = {
    { "Between 10:05 and 11:40 UTC, roughly 40% of requests failed.", "the incident lasted 1h 35min (10:05-11:40); "
      .. "the timeline resolves at 10:40 (34min 37s after the start)" },
    { "The outage lasted from 10:05 to 10:40 UTC (55 minutes).", "10:05 to 10:40 is 35min, not 55min" },
    { "Customers were impacted for 2 hours and 15 minutes.", "(2h 15min); the timeline has impact start at 10:05:23 and "
      .. "resolution at 10:40: 34min 37s" },
    { "Service was restored after 75 minutes.", "(1h 15min); the timeline has impact start at 10:05:23 and resolution at "
      .. "10:40: 34min 37s" },
    { "Within 5 minutes of the page, the on-call engineer had deployed a mitigation.", "(at most 5min); the timeline has "
      .. "the page at 10:08:12 and mitigation at 10:22:10: 13min 58s" },
    { "Errors began at 09:55.", "the timeline has impact start at 10:05:23 (10min 23s later)" },
    { "Detection took more than 10 minutes.", "(at least 10min); the timeline has impact start at 10:05:23 and detection "
      .. "at 10:06:45: 1min 22s" },
    { "MTTA 4m / MTTR 47m", "(47min); the timeline has impact start at 10:05:23 and resolution at 10:40: 34min 37s" },
    { "The alert fired 5-10 minutes after the first errors.", "(5min to 10min); the timeline has impact start at "
      .. "10:05:23 and detection at 10:06:45: 1min 22s" },
    { "The incident was mitigated 40 minutes after it began.", "(40min); the timeline has impact start at 10:05:23 and "
      .. "mitigation at 10:22:10: 16min 47s" },
  }
  for _, case in ipairs(named) do
    it(case[1], function()
      local ok, findings = verdict(case[1])
      assert.is_false(ok)
      assert.equals(1, #findings)
      assert.truthy(findings[1].text:find(case[1], 1, true), findings[1].text)
      assert.truthy(findings[1].text:find(case[2], 1, true), findings[1].text)
    end)
  end

  it("'back to normal by 10:25' disagrees with both the 10:35 row and the resolution at 10:40", function()
    local ok = verdict("Error rates were back to normal by 10:25.", { rows = true })
    assert.is_false(ok)
  end)

  it("checks a start that is off as well as an end", function()
    local ok, _, findings = claims.check(report { started_at = "2025-02-09T09:30:00Z", ended_at = "2025-02-09T10:40:00Z" })
    assert.is_false(ok)
    assert.same({ "the incident's start and end say it lasted 1h 10min (09:30-10:40); the timeline's impact starts at 10:05:23" },
      texts(findings))
  end)
end)

describe("durations and times that are not claims about the incident", function()
  local cases = {
    "The slow query took 30 seconds to return.",
    "The connection pool TTL is 5 minutes.",
    "We should page within 5 minutes of the first alert.",
    "Mitigation deployed quickly.",
    "The status page was updated at 10:30.",
    "The v2.3.0 deploy went out at 09:50.",
    "Load testing ran for 2 hours.",
    "Revenue impact: ~$5,000 (estimated).",
    "Four minutes later the fix was deployed.",
    "The root cause was detected at 10:18 by reading the query plan.",
    "Alerts only fire after 10 minutes of sustained errors.",
    "The team met at 14:00 to review the incident.",
    "It took 13 minutes to identify the root cause.",
    "The fix reduced errors within 5 minutes.",
    "Our paging policy escalates after 15 minutes.",
    "The database failover took 90 seconds.",
    "The rollback took 5 minutes.",
    "The team spent 2 hours on the post-incident review.",
    "Next time the on-call must acknowledge within 5 minutes.",
    "During the first 20 minutes, errors were elevated on every node.",
    "Three merchants invoked their failover to a second provider over the outage.",
    "A second attempt at the rollback succeeded.",
  }
  for _, sentence in ipairs(cases) do
    it(sentence, function()
      local ok, findings = verdict(sentence)
      assert.same({}, findings)
      assert.is_nil(ok)
    end)
  end

  it("says how many durations it could not place", function()
    local _, detail = claims.check(report { summary = "The slow query took 30 seconds to return. The outage lasted 35 minutes." })
    assert.equals("1 claim agrees with the timeline; 1 duration or time not checked (their endpoints are not named or not in "
      .. "the timeline)", detail)
  end)

  it("is pending without evidence: no key moments, no rows", function()
    local ok, detail, findings = claims.check({ incident = { summary = "The outage lasted 35 minutes." } })
    assert.is_nil(ok)
    assert.equals("no timeline moments to compare 1 claim with", detail)
    assert.same({}, findings)
    assert.equals("no timeline moments to compare claims with", select(2, claims.check({})))
  end)

  it("does not check a moment the timeline lacks", function()
    local km = { impact_start = MOMENTS.impact_start, resolved = MOMENTS.resolved }
    local ok = claims.check(report { key_moments = km, summary = "The page was acknowledged within 2 minutes." })
    assert.is_nil(ok)
  end)
end)

describe("claims in a Markdown document", function()
  it("compares Start and End lines with the first impact row and the resolution row", function()
    local ok, detail = claims.check(document {
      facts = { { line = 4, key = "start", text = "2025-02-09 10:05 UTC" }, { line = 5, key = "end", text = "10:40 UTC" } },
    })
    assert.is_true(ok)
    assert.equals("2 claims agree with the timeline", detail)
  end)

  it("names the timeline's rows by line", function()
    local ok, _, findings = claims.check(document {
      prose = { { line = 50, section = "happened", text = "At 10:12 we rolled back v2.3.0." } },
    })
    assert.is_false(ok)
    assert.same({ { line = 50, text = 'what happened says "At 10:12 we rolled back v2.3.0."; the timeline has mitigation at '
      .. "10:22:10 (line 33) (10min 10s later)" } }, findings)
  end)

  it("counts lines inside a paragraph", function()
    local _, _, findings = claims.check(document {
      prose = { { line = 40, section = "summary", text = "Elevated errors hit the API.\nThe outage lasted 2 hours." } },
    })
    assert.equals(41, findings[1].line)
  end)

  it("does not read the timeline's own rows as claims", function()
    local rows = {
      { line = 20, time = "2025-02-09T10:05:00Z", written = "10:05", text = "Errors start" },
      { line = 21, time = "2025-02-09T10:40:00Z", written = "10:40", text = "Resolved" },
    }
    local data = document { rows = rows }
    data.imported.prose[#data.imported.prose + 1] = { line = 22, section = "timeline", text = "Outage lasted 3 hours" }
    assert.is_nil((claims.check(data)))
  end)

  it("reads clock times in the timeline's zone and shows the timeline's clock", function()
    local rows = {
      { line = 10, time = "2025-02-09T18:05:00Z", written = "10:05 AM", text = "Checkout errors spike" },
      { line = 11, time = "2025-02-09T18:20:00Z", written = "10:20 AM", text = "Rolled back the release" },
      { line = 12, time = "2025-02-09T18:40:00Z", written = "10:40 AM", text = "Incident resolved" },
    }
    local ok, _, findings = claims.check(document { rows = rows, zone = "PT", prose = {
      { line = 3, section = "summary", text = "The rollback finished at 10:20 AM PT and the incident was resolved at 11:40 AM." },
    } })
    assert.is_false(ok)
    assert.same({ 'the summary says "The rollback finished at 10:20 AM PT and the incident was resolved at 11:40 AM."; '
      .. "the timeline has resolution at 10:40 PT (line 12) (1h earlier)" }, texts(findings))
  end)

  it("takes PDT in a sentence as the timeline's PT", function()
    local rows = {
      { line = 10, time = "2025-07-09T17:05:00Z", written = "10:05 AM", text = "Checkout errors spike" },
      { line = 12, time = "2025-07-09T17:40:00Z", written = "10:40 AM", text = "Incident resolved" },
    }
    local ok, detail = claims.check(document { rows = rows, zone = "PT", prose = {
      { line = 3, section = "summary", text = "Errors began at 10:05 AM PDT and the incident ended at 10:40 AM PDT." },
      { line = 4, section = "summary", text = "The status page said 17:40 UTC for the resolution." },
      { line = 5, section = "summary", text = "We resolved it at 10:40 CEST." },
    } })
    assert.equals("3 claims agree with the timeline", detail)
    assert.is_true(ok)
  end)

  it("places clock times on the right day of an incident across midnight", function()
    local rows = {
      { line = 10, time = "2025-05-01T23:50:00Z", written = "23:50", text = "Replication lag alerts fire" },
      { line = 11, time = "2025-05-02T01:10:00Z", written = "01:10", text = "Replica rebuilt, incident resolved" },
    }
    local ok, detail = claims.check(document { rows = rows, prose = {
      { line = 3, section = "summary", text = "The incident lasted 1h 20min (23:50 - 01:10 UTC) and was resolved at 01:10." },
    } })
    assert.equals("2 claims agree with the timeline", detail)
    assert.is_true(ok)
  end)

  it("reports a Duration line that does not add up", function()
    local _, _, findings = claims.check(document {
      facts = { { line = 4, key = "duration", text = "2h (10:05 - 10:40 UTC)" } },
    })
    assert.same({ 'the Duration line says "2h (10:05 - 10:40 UTC)": the incident lasted 2h (10:05-10:40); 10:05 to 10:40 is '
      .. "35min, not 2h" }, texts(findings))
  end)

  it("reads response metrics among the facts", function()
    local ok, _, findings = claims.check(document {
      facts = { { line = 6, key = "time_to_detect", text = "5m" }, { line = 7, key = "time_to_resolve", text = "35 minutes" } },
    })
    assert.is_false(ok)
    assert.same({ { line = 6, text = 'the Time to detect line says "5m" (5min); the timeline has impact start at 10:05:23 (line 27) '
      .. "and detection at 10:06:45 (line 28): 1min 22s" } }, findings)
  end)

  it("reads a block of Key: value lines once, as facts, and the prose around them", function()
    local ok, _, findings = claims.check(document {
      facts = { { line = 3, key = "date", text = "2025-02-09" }, { line = 4, key = "duration", text = "1h 35min (10:05 - 11:40 UTC)" } },
      prose = { { line = 3, section = "document", text = "Date: 2025-02-09\nDuration: 1h 35min (10:05 - 11:40 UTC)\n"
        .. "Errors were resolved at 10:40, and the incident lasted 35 minutes." } },
    })
    assert.is_false(ok)
    assert.equals(1, #findings)
    assert.equals(4, findings[1].line)
  end)

  it("a US-style document: 12-hour clocks in PT, one wrong claim among five", function()
    local function at(line, clock, utc, text) return { line = line, time = "2025-03-04T" .. utc .. ":00Z", written = clock, text = text } end
    local ok, detail, findings = claims.check(document { zone = "PT",
      rows = {
        at(20, "2:14 PM", "22:14", "Deploy of payments-api v88 begins"),
        at(21, "2:19 PM", "22:19", "Checkout error rate climbs above 5%"),
        at(22, "2:23 PM", "22:23", "PagerDuty pages the payments on-call"),
        at(23, "2:26 PM", "22:26", "On-call acknowledges the page"),
        at(24, "2:41 PM", "22:41", "Rolled back to v87"),
        at(25, "2:52 PM", "22:52", "Error rate back to baseline; incident resolved"),
      },
      prose = {
        { line = 5, section = "summary", text = "On March 4, checkout failed for roughly a third of customers for 33 minutes,\n"
          .. "from 2:19 PM to 2:52 PM PT." },
        { line = 7, section = "summary", text = "The on-call engineer was paged within 2 minutes of the first errors and rolled\n"
          .. "back 15 minutes after acknowledging." },
        { line = 30, section = "went_well", text = "Rollback completed in under 20 minutes from the page." },
        { line = 31, section = "went_well", text = "Time to acknowledge was 3 minutes." },
      },
    })
    assert.is_false(ok)
    assert.matches("^1 of 5 claims disagree", detail)
    assert.same({ { line = 7, text = 'the summary says "The on-call engineer was paged within 2 minutes of the first errors and '
      .. 'rolled back 15 minutes after acknowledging." (at most 2min); the timeline has impact start at 14:19 PT (line 21) '
      .. "and the page at 14:23 PT (line 22): 4min" } }, findings)
  end)

  it("a European-style document: Start, End and response metrics, a wrong close time and a wrong failover", function()
    local function at(line, clock, text) return { line = line, time = "2024-11-12T" .. clock .. ":00Z", written = clock, text = text } end
    local ok, detail, findings = claims.check(document {
      facts = { { line = 3, key = "start", text = "2024-11-12 08:02 UTC" }, { line = 4, key = "end", text = "2024-11-12 09:47 UTC" },
        { line = 5, key = "time_to_detect", text = "12 minutes" }, { line = 6, key = "time_to_resolve", text = "1 hour 45 minutes" } },
      rows = {
        at(15, "08:02", "Replica lag starts growing on db-eu-2"),
        at(16, "08:14", "Alert ReplicaLagHigh fires"),
        at(17, "08:20", "Incident declared, on-call acknowledges"),
        at(18, "08:55", "Failover to db-eu-3 completed (mitigated)"),
        at(19, "09:47", "Replication healthy again, incident closed"),
      },
      prose = {
        { line = 9, section = "summary", text = "Reads returned stale data and errors for 53 minutes until the failover at 08:55." },
        { line = 10, section = "summary", text = "The incident was closed at 10:47." },
        { line = 11, section = "happened", text = "Detection took 12 minutes, and the failover finished 35 minutes after the alert." },
      },
    })
    assert.is_false(ok)
    assert.matches("^2 of 9 claims disagree", detail)
    assert.same({
      { line = 10, text = 'the summary says "The incident was closed at 10:47."; the timeline has resolution at 09:47 (line 19) '
        .. "(1h earlier)" },
      { line = 11, text = 'what happened says "Detection took 12 minutes, and the failover finished 35 minutes after the alert." '
        .. "(35min); the timeline has detection at 08:14 (line 16) and mitigation at 08:55 (line 18): 41min" },
    }, findings)
  end)

  it("is pending for a document whose timeline has no timed row", function()
    local ok, detail = claims.check(document { rows = { { line = 9, written = "morning", text = "Errors start" } },
      prose = { { line = 3, section = "summary", text = "The outage lasted 35 minutes." } } })
    assert.is_nil(ok)
    assert.equals("no timeline moments to compare 1 claim with", detail)
  end)
end)

describe("durations as people write them", function()
  local cases = {
    { "1h 35min", 5700 }, { "1 h 35 min", 5700 }, { "1 hour and 35 minutes", 5700 }, { "1h35m", 5700 },
    { "95 minutes", 5700 }, { "1.5 hours", 5400 }, { "90 seconds", 90 }, { "an hour", 3600 },
    { "half an hour", 1800 }, { "an hour and a half", 5400 }, { "two hours", 7200 }, { "forty-five minutes", 2700 },
    { "a 40-minute outage", 2400 }, { "5m", 300 }, { "2 days", 172800 },
    { "under an hour", 3600, "upper" }, { "in under an hour", 3600, "upper" }, { "within 90 seconds", 90, "upper" },
    { "less than 5 minutes", 300, "upper" }, { "over 2 hours", 7200, "lower" }, { "more than 30 minutes", 1800, "lower" },
    { "~10 min", 600, nil, true }, { "about 10 minutes", 600, nil, true }, { "just over an hour", 3600, nil, true },
    { "a couple of hours", 7200, nil, true }, { "1h35", 5700 }, { "an hour or so", 3600, nil, true },
    { "a half-hour outage", 1800 }, { "10-15 minutes", 900, "range" }, { "between 10 and 15 minutes", 900, "range" },
  }
  for _, case in ipairs(cases) do
    it(case[1], function()
      local d = claims._durations(case[1])
      assert.equals(1, #d)
      assert.equals(case[2], math.floor(d[1].value))
      assert.equals(case[3], d[1].bound)
      assert.equals(case[4] or false, d[1].hedged)
    end)
  end

  it("is not money, a version or a count", function()
    assert.same({}, claims._durations("$5m in lost revenue, v2.3.0, 40,000 requests, 5 m of cable, 100ms"))
  end)
end)

describe("claims on text it was not written for", function()
  -- Pieces of claims in random order and spacing: never an error, whatever the shape.
  local WORDS = { "the", "alert", "fired", "within", "90", "seconds", "of", "first", "errors", "from", "page", "to", "fix",
    "10:05", "-", "11:40", "UTC", "PT", "and", "between", "an", "hour", "half", "a", "1h", "35min", "(", ")", ",", ".", "~",
    "about", "over", "under", "resolved", "at", "took", "lasted", "outage", "1.5", "hours", "5m", "TTD:", "MTTR",
    "2025-02-09", "12:00am", "3pm", "\u{2013}", "\u{00a0}", "twenty", "five", "minutes", "\n", "\n\n", "couple", "quarter",
    "99:99", "0:00", "recovered", "by", "not", "be", "rolled", "back", "v2.3.0", "$5m", "40,000", "e.g.", "approx.", "12:05:60" }

  it("never raises on 400 shuffled sentences, as report text, rows, facts and prose", function()
    local seed = 7
    local function random(n) -- a small LCG: the same sentences on every run
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n + 1
    end
    for _ = 1, 400 do
      local parts = {}
      for i = 1, random(25) do parts[i] = WORDS[random(#WORDS)] end
      local text = table.concat(parts, random(3) == 1 and "" or " ")
      local data = report { summary = text, well = { text }, started_at = "2025-02-09T10:05:00Z", ended_at = "not a time" }
      local ok, err = pcall(claims.check, data)
      assert.is_true(ok, ("%q: %s"):format(text, tostring(err)))
      ok, err = pcall(claims.check, document { zone = "PT",
        rows = { { line = 1, time = "2025-02-09T18:05:00Z", written = text, text = text } },
        facts = { { line = 2, key = "duration", text = text }, { line = 3, key = "start", text = text } },
        prose = { { line = 4, section = "summary", text = text } } })
      assert.is_true(ok, ("%q: %s"):format(text, tostring(err)))
    end
  end)

  it("takes fields of the wrong type as absent", function()
    local ok, detail = claims.check({ incident = { summary = 42, started_at = 1 }, key_moments = { resolved = false },
      what_went_well = "not a list", imported = { rows = { { line = 1, time = 5 } }, prose = { { text = {} } }, facts = { { key = 3 } } } })
    assert.is_nil(ok)
    assert.equals("no timeline moments to compare claims with", detail)
  end)
end)
