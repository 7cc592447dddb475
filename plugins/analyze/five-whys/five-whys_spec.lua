-- five-whys: answers become the seed's immediate, contributing and systemic factors.

local EVENTS = {
  { time = "2025-02-09T10:05:23Z", event = "First 5xx errors appear", kind = "error", source = "nginx access logs" },
  { time = "2025-02-09T10:06:45Z", event = "High error rate alert fires", kind = "alert_fired", source = "Prometheus" },
  { time = "2025-02-09T10:06:59Z", event = "Error ratio above 5%", kind = "metric_crossed", source = "Prometheus" },
  { time = "2025-02-09T10:12:00Z", event = "Engineer acknowledges alert", kind = "acknowledged", source = "PagerDuty", actor = "@alice" },
  { time = "2025-02-09T10:15:30Z", event = "Database connection pool exhausted", kind = "error", source = "app logs" },
  { time = "2025-02-09T10:22:10Z", event = "Cache layer deployed as mitigation", kind = "action", source = "kubectl", actor = "@alice" },
}
local SETUP = { incident = "fixtures/incident.yaml", events = EVENTS }

local function warnings(r)
  local list = {}
  for i, w in ipairs(r.warnings) do list[i] = type(w) == "table" and w.message or w end
  return list
end

local function texts(list)
  local out = {}
  for i, f in ipairs(list) do out[i] = f.text end
  return out
end

local function factor(r, text)
  for _, f in ipairs(r.factors.contributing) do
    if f.text == text then return f end
  end
end

describe("five-whys with the seed's answers", function()
  local r
  before_each(function() r = plugin.run({ answers = "fixtures/whys.yaml" }, SETUP) end)

  it("runs without error or warning", function()
    assert.is_nil(r.error)
    assert.same({}, warnings(r))
  end)

  it("gives the seed's immediate causes and systemic issues, in order", function()
    assert.same({ "Database connection pool exhausted (max 20 connections)",
                  "Query introduced in v2.3.0 deployment lacked index" }, r.factors.immediate)
    assert.same({ "No pre-deployment query plan review",
                  "Database alerts only fire on total failure, not degradation" }, r.factors.systemic)
  end)

  it("lists each contributing factor once, in fishbone category order", function()
    assert.same({ "Connection pool utilization not monitored", "Load testing didn't include new query pattern",
                  "No documented procedure for DB connection issues", "Pool size unchanged despite 3x traffic growth" },
                texts(r.factors.contributing))
    local categories = {}
    for i, f in ipairs(r.factors.contributing) do categories[i] = f.category end
    assert.same({ "Monitoring", "Testing", "Runbook", "Capacity" }, categories)
  end)

  it("keeps the why chain of a factor's first appearance", function()
    assert.same({ "Why did API requests fail with 5xx errors from 10:05:23 UTC?",
                  "Database connection pool exhausted (max 20 connections)",
                  "Query introduced in v2.3.0 deployment lacked index",
                  "Load testing didn't include new query pattern",
                  "No pre-deployment query plan review",
                  "Pool size unchanged despite 3x traffic growth" },
                factor(r, "Pool size unchanged despite 3x traffic growth").why_chain)
    assert.same({ "Why did the errors last 17 minutes before mitigation?", "Connection pool utilization not monitored" },
                factor(r, "Connection pool utilization not monitored").why_chain)
  end)

  it("sets the root cause", function()
    assert.equals("Query introduced in v2.3.0 deployment performed a full table scan due to missing index. "
      .. "Under increased load, this saturated the connection pool.", r.root_cause)
  end)

  it("turns cited times into timeline rows as evidence", function()
    assert.same({ "10:05:23 First 5xx errors appear", "10:15:30 Database connection pool exhausted" },
                factor(r, "Load testing didn't include new query pattern").evidence)
    assert.same({ "10:05:23 First 5xx errors appear", "10:22:10 Cache layer deployed as mitigation" },
                factor(r, "No documented procedure for DB connection issues").evidence)
  end)
end)

describe("five-whys with shallow chains", function()
  it("asks for more depth and names a cited time without a row", function()
    local r = plugin.run({ answers = "fixtures/shallow.yaml" }, SETUP)
    assert.is_nil(r.error)
    assert.same({
      "chain 1 stops at depth 3 (min_depth 5): ask why again",
      "chain 1 cites 09:00:00 but the timeline has no row at that time",
      "chain 2 stops at depth 3 (min_depth 5): ask why again",
    }, warnings(r))
  end)

  it("places answers by position and de-duplicates across chains", function()
    local r = plugin.run({ answers = "fixtures/shallow.yaml" }, SETUP)
    assert.same({ "Payment service timed out" }, r.factors.immediate)
    -- A factor with a known category comes before one without (fishbone gives it one later).
    assert.same({ "The alert routed to an unused channel", "Retry storm doubled the load" }, texts(r.factors.contributing))
    assert.same({ "No circuit breaker on payment calls", "No alert ownership review" }, r.factors.systemic)
  end)

  it("matches an HH:MM citation to every row of that minute", function()
    local r = plugin.run({ answers = "fixtures/shallow.yaml" }, SETUP)
    assert.same({ "10:06:45 High error rate alert fires", "10:06:59 Error ratio above 5%" },
                factor(r, "The alert routed to an unused channel").evidence)
  end)

  it("takes min_depth from the options", function()
    local r = plugin.run({ answers = "fixtures/shallow.yaml", min_depth = 3 }, SETUP)
    assert.same({ "chain 1 cites 09:00:00 but the timeline has no row at that time" }, warnings(r))
  end)
end)

describe("five-whys with a bad answers file", function()
  it("names the file, chain and answer", function()
    local r = plugin.run({ answers = "fixtures/bad-layer.yaml" }, SETUP)
    assert.matches('fixtures/bad%-layer%.yaml:3: chain 1, why 2: layer "root" is not immediate, contributing or systemic', r.error)
  end)
end)

describe("five-whys asking interactively", function()
  local answers = {
    ["chain1.problem"] = "Why did checkout fail at 10:15?",
    ["chain1.why1"] = "The database ran out of connections",
    ["chain1.why2"] = "An engineer made a mistake in the release",
    ["chain1.why2.followup"] = "The release shipped a query without an index",
    ["chain1.why3"] = "",
    ["chain2.problem"] = "",
  }

  it("asks for problems and whys until an empty answer, and follows up on blame", function()
    local r = plugin.run({}, { incident = "fixtures/incident.yaml", events = EVENTS, answers = answers })
    assert.is_nil(r.error)
    assert.same({ "The database ran out of connections" }, r.factors.immediate)
    assert.same({ "The release shipped a query without an index" }, r.factors.systemic)
    assert.same({ "chain 1 stops at depth 2 (min_depth 5): ask why again" }, warnings(r))
  end)

  it("fails naming the prompt when an answer is missing", function()
    local r = plugin.run({}, { incident = "fixtures/incident.yaml", events = EVENTS,
                               answers = { ["chain1.problem"] = "Why?" } })
    assert.matches("chain1.why1", r.error)
  end)
end)

-- Three days, past midnight: the same clock time on two days.
local DAYS = {
  { time = "2025-02-09T10:05:23Z", event = "Queue depth above 10k", kind = "error", source = "metrics" },
  { time = "2025-02-09T23:58:10Z", event = "Workers restarted", kind = "action", source = "kubectl" },
  { time = "2025-02-09T23:58:50Z", event = "Workers ready", kind = "action", source = "kubectl" },
  { time = "2025-02-10T10:05:23Z", event = "Queue depth above 50k", kind = "error", source = "metrics" },
}

describe("five-whys cites on an incident past midnight", function()
  local r
  before_each(function()
    r = plugin.run({ answers = "fixtures/dated.yaml", min_depth = 1 },
      { incident = "fixtures/incident-days.yaml", events = DAYS })
    assert.is_nil(r.error)
  end)

  it("cites full date-times (UTC, with an offset, a minute) and an unambiguous clock time, dated", function()
    assert.same({ "2025-02-10 10:05:23 Queue depth above 50k", "2025-02-10 10:05:23 Queue depth above 50k",
                  "2025-02-09 23:58:10 Workers restarted", "2025-02-09 23:58:50 Workers ready",
                  "2025-02-09 23:58:10 Workers restarted" },
                factor(r, "Workers were starved of connections").evidence)
  end)

  it("warns about a clock time of rows on two days, naming the chain, the cite and the days, and cites none", function()
    assert.same({
      'chain 1 cites 10:05:23, a clock time of rows on 2 UTC days (2025-02-09, 2025-02-10): cite a full date-time '
        .. 'such as "2025-02-09 10:05:23"; none of its rows is cited',
      'chain 1 cites "yesterday", which is neither a date-time ("2025-02-10 12:58:40", RFC 3339) nor a clock time '
        .. '("10:05:23", "10:05")',
    }, warnings(r))
  end)

end)
