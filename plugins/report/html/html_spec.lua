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

  it("is self-contained: no script, no external resource", function()
    assert.is_nil(html:find("<script", 1, true))
    assert.is_nil(html:find("<link", 1, true))
    assert.is_nil(html:find("<img", 1, true))
    -- Nothing is fetched: no src or href attribute, no CSS url() or @import.
    assert.is_nil(html:find(" src=", 1, true))
    assert.is_nil(html:find(" href=", 1, true))
    assert.is_nil(html:find("url(", 1, true))
    assert.is_nil(html:find("@import", 1, true))
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
