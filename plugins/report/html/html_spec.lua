-- html: one self-contained file with an SVG timeline and charts; every text escaped.

local function count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

describe("html", function()
  local r = plugin.run({}, { report = "fixtures/report.json" })
  local html = r.files["report.html"]

  it("writes report.html with the report's sections", function()
    assert.is_nil(r.error)
    assert.truthy(html)
    assert.matches("^<!DOCTYPE html>", html)
    assert.matches("<title>Post%-Mortem: API Service Degradation %(2025%-02%-09%)</title>", html)
    for _, title in ipairs { "Summary", "Impact", "Root Cause", "Timeline %(all times UTC%)", "Metrics",
      "Contributing Factors", "Action Items", "What Went Well", "Lessons Learned", "Prevention",
      "Data Gaps", "Validation" } do
      assert.matches("<h2>" .. title .. "</h2>", html)
    end
    assert.matches("<dt>Duration</dt><dd>1h 35min %(10:05 %- 11:40 UTC%)</dd>", html)
    assert.matches("<li>40,000 failed requests over 1h 35min</li>", html)
  end)

  it("is self-contained: one inline script, no external resource", function()
    assert.equals(1, count(html, "<script"))
    assert.matches("<script>%(function %(%) {", html)
    assert.is_nil(html:find("<link", 1, true))
    assert.is_nil(html:find("<img", 1, true))
    -- Nothing is fetched: no src or href attribute, no CSS url() or @import.
    assert.is_nil(html:find(" src=", 1, true))
    assert.is_nil(html:find(" href=", 1, true))
    assert.is_nil(html:find("url(", 1, true))
    assert.is_nil(html:find("@import", 1, true))
  end)

  it("has a filter form, hidden until the script shows it, and rows with their source, kind and time", function()
    assert.matches('<form id="tl%-filter" class="filter" hidden>', html)
    assert.matches('<option value="nginx access logs">nginx access logs</option>', html)
    assert.matches('<option value="error">error</option>', html)
    assert.matches('<table id="tl" data%-day="2025%-02%-09">', html)
    assert.matches('<tr data%-t="1739095523" data%-s="nginx access logs" data%-k="error"><td class="time"', html)
    -- The whole window fits: no summary of rows left out.
    assert.is_nil(html:find("Rows left out", 1, true))
  end)

  it("collapses a burst into one row with its count and end", function()
    assert.matches("<td>First 5xx errors appear %(1,523 events, until 10:34:45%)</td>", html)
  end)

  it("has no Recurrence section when nothing recurred", function()
    assert.is_nil(html:find("Recurrence", 1, true))
  end)

  it("escapes every text from the model", function()
    assert.matches("Pool &lt;exhausted&gt; &amp; &quot;stuck&quot; at 20/20", html)
    assert.is_nil(html:find("<exhausted>", 1, true))
  end)

  it("draws one dot per timeline row in a lane per source, and the key moments", function()
    assert.equals(9, count(html, "<circle cx=\"[%d.]+\" cy=\"[%d.]+\" r=\"5\""))
    for _, source in ipairs { "nginx access logs", "Prometheus", "PagerDuty", "app logs", "pganalyze", "kubectl" } do
      assert.matches('dominant%-baseline="middle">' .. source .. "</text>", html)
    end
    for _, moment in ipairs { "impact start", "detected", "paged", "acknowledged", "mitigated", "resolved" } do
      assert.matches('text%-anchor="middle">' .. moment .. "</text>", html)
    end
    -- The burst of 1523 errors is a bar to its last event.
    assert.matches("10:05:23 First 5xx errors appear %(error, 1523 events%)", html)
    assert.matches('<rect x="[%d.]+" y="[%d.]+" width="[%d.]+" height="6" rx="3"', html)
  end)

  it("charts each series with its threshold, broken where values are not finite", function()
    assert.matches('aria%-label="Error rate"', html)
    assert.matches("<title>threshold 0.05</title>", html)
    -- Points 51-52 (NaN, +Inf) and 249 (NaN) are not finite: the line is drawn in three runs.
    assert.equals(3, count(html, "<polyline "))
    assert.matches("Error rate %(ratio%); threshold 0.05, above is trouble", html)
  end)

  it("lists gaps with their window and validation results", function()
    assert.matches("<li>prometheus %(prometheus%): GET http://127.0.0.1:9/api/v1/query_range: connection refused %(10:20:00 %- 10:30:00 UTC%)</li>", html)
    assert.matches('<li class="check%-failed"><strong>failed</strong> action_items_tracked: AI%-003 has no issue</li>', html)
    assert.matches('<li class="check%-pending"><strong>pending</strong> follow_up_scheduled</li>', html)
  end)

  it("writes to the file named in the options", function()
    local other = plugin.run({ file = "postmortem.html" }, { report = "fixtures/report.json" })
    assert.is_nil(other.files["report.html"])
    assert.truthy(other.files["postmortem.html"])
  end)
end)

describe("html causal graph", function()
  it("draws a bone per factor category with each factor, full text in a tooltip", function()
    local html = plugin.run({}, { report = "fixtures/report.json" }).files["report.html"]
    assert.matches('aria%-label="Causal graph"', html)
    for _, bone in ipairs { "Immediate cause", "Monitoring Gap", "Testing Gap", "Runbook Gap", "Capacity Planning", "Systemic issues" } do
      assert.matches('font%-weight="600" text%-anchor="middle">' .. bone .. "</text>", html)
    end
    assert.matches("<title>Connection pool utilization not monitored</title>Connection pool utilization not monit…</text>", html)
  end)
end)

describe("html axis ticks", function()
  local svg = require "svg"
  local base = pm.time.parse("2025-02-10T10:00:00Z")
  local function labels(ticks)
    local out = {}
    for i, t in ipairs(ticks) do out[i] = t.text end
    return table.concat(out, ", ")
  end
  local function check(span, first, last_, max_gap)
    local ticks = svg.ticks(base, base + span)
    assert.truthy(#ticks >= 2 and #ticks <= 12, #ticks .. " ticks: " .. labels(ticks))
    assert.equals(first, ticks[1].text, labels(ticks))
    assert.equals(last_, ticks[#ticks].text, labels(ticks))
    for i = 2, #ticks do
      assert.truthy(ticks[i].t > ticks[i - 1].t and ticks[i].t - ticks[i - 1].t <= max_gap, labels(ticks))
    end
    return ticks
  end

  it("labels a minute in seconds, an hour and a day in minutes", function()
    check(60, "10:00:00", "10:01:00", 10)
    check(3600, "10:00", "11:00", 600)
    local day = check(12 * 3600, "10:00", "22:00", 2 * 3600)
    assert.is_nil(day[1].sub) -- 10:00 to 22:00 stays on one day: no date
  end)

  it("dates the labels when the span crosses midnight", function()
    local ticks = check(86400, "Feb 10 12:00", "Feb 11 09:00", 3 * 3600)
    assert.equals("Feb 11", ticks[#ticks].sub)
    assert.equals("09:00", ticks[#ticks].label)
    check(3 * 86400, "Feb 10 12:00", "Feb 13 00:00", 12 * 3600)
  end)

  it("labels a month in days, a year in months, ten years in years", function()
    check(30 * 86400, "Feb 13", "Mar 6", 7 * 86400)
    check(365 * 86400, "Mar 2025", "Feb 2026", 31 * 86400)
    local ten = check(10 * 365 * 86400, "2026", "2035", 366 * 86400)
    assert.equals(10, #ten)
    local century = svg.ticks(base, base + 300 * 365 * 86400)
    assert.truthy(#century <= 12, labels(century))
  end)
end)

describe("html at scale", function()
  -- 6,000 events over three days from two sources (every 40 s), a burst among them.
  local events = {}
  local start = pm.time.parse("2025-02-08T00:00:00Z")
  for i = 1, 6000 do
    local t = start + i * 40
    events[i] = { time = pm.time.format(t, "rfc3339"), event = "line " .. i .. " <b>",
      source = i % 2 == 0 and "app" or "db", kind = i % 10 == 0 and "error" or "log" }
  end
  events[3000].count = 250
  events[3000].last = pm.time.format(start + 3000 * 40 + 600, "rfc3339")
  local r = plugin.run({ max_rows = 500, dots_max = 100 }, { report = "fixtures/report.json", events = events })
  local html = r.files["report.html"]

  it("shows at most max_rows rows, the burst and the key moments among them, and counts the rest", function()
    assert.is_nil(r.error)
    local rows = count(html, "<tr data%-t=")
    assert.truthy(rows <= 500 and rows >= 450, rows)
    assert.matches(">2025%-02%-09 09:20:00</td><td>line 3000 &lt;b&gt; %(250 events, until 09:30:00%)</td>", html)
    assert.matches("On%-call engineer paged", html)
    local shown = tonumber(html:match("This page shows (%d+) of the 6,009 rows in the incident window"))
    assert.truthy(shown and shown > 490 and shown <= 500, shown)
    assert.matches("report.json holds the whole set", html)
    assert.matches("<summary>Rows left out, per hour</summary>", html)
    assert.matches("<td>2025%-02%-08 12:00 %- 13:00</td><td>%d+</td><td>db / log: %d+; app / log: %d+; app / error: %d+</td>", html)
    -- Dated: the rows span several days.
    assert.matches('<td class="time">2025%-02%-09 10:05:23</td>', html)
  end)

  it("draws density strips, not a dot per event, and keeps the page small", function()
    assert.equals(0, count(html, "<circle "))
    assert.matches("density strip", html)
    assert.truthy(#html < 400000, #html)
  end)
end)

describe("html metric chart downsampling", function()
  local svg = require "svg"
  local esc = function(s) return (tostring(s):gsub("[&<>\"']", "")) end

  it("draws a month of 15 s points (172,801) as a few thousand, keeping a one-point spike", function()
    local start = pm.time.parse("2025-01-01T00:00:00Z")
    local points = {}
    for i = 0, 172800 do points[i + 1] = { start + i * 15, 1 + (i % 7) / 10 } end
    points[100001][2] = 500 -- one spike
    points[50001][2] = "NaN" -- one break
    local range = { lo = start, hi = start + 172800 * 15 }
    local out = svg.chart({ name = "latency", points = points }, range, {}, esc)
    local drawn = 0
    for list in out:gmatch('points="([^"]*)"') do
      for _ in list:gmatch("%S+") do drawn = drawn + 1 end
    end
    assert.truthy(drawn > 500 and drawn <= 2 * 790 + 10, drawn)
    assert.equals(2, select(2, out:gsub("<polyline ", "")))
    -- The spike is the top of the chart: its y is the top of the plot.
    assert.matches(",12%.0 ", out)
    -- The axis has dated labels at most a dozen.
    local ticks = select(2, out:gsub('text%-anchor="middle" fill="#57606a"', ""))
    assert.truthy(ticks >= 3 and ticks <= 12, ticks)
  end)
end)

-- report.json's recurrence: what pmhost run found this incident shares with earlier ones in
-- the archive. The second text is hostile.
describe("html with recurrence from the archive", function()
  local r = plugin.run({}, { report = "fixtures/recurrence.json" })
  local html = r.files["report.html"]

  it("lists each recurrence in its own section after Prevention, before Data Gaps", function()
    assert.is_nil(r.error)
    assert.matches("<h2>Prevention</h2>[^\n]*</section>\n<section><h2>Recurrence</h2><ul>"
      .. "<li>Second incident in 2025%-Q1 involving api%-service: PM%-2025%-02%-09</li><li>.-</li></ul></section>\n"
      .. "<section><h2>Data Gaps</h2>", html)
  end)

  it("escapes a text like every other field", function()
    assert.truthy(html:find("<li>&lt;script&gt;alert(1)&lt;/script&gt; [click](javascript:alert(1)) "
      .. "![x](http://evil.example/x.png) **bold** | cell &amp; &quot;quoted&quot; &#39;single&#39;\n"
      .. "## Not a heading\n- not an item `code`</li>", 1, true))
    assert.is_nil(html:find("<script>alert", 1, true))
  end)
end)
