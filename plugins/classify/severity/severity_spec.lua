-- severity: the first matching rule gives level, rule and reason ("label: why").

local function classify(impact, extra)
  local incident = { id = "PM-1", title = "t", started_at = "2025-02-09T10:05:00Z",
                     ended_at = "2025-02-09T10:35:00Z", impact = impact }
  for k, v in pairs(extra or {}) do incident[k] = v end
  local r = plugin.run({}, { incident = incident })
  assert.is_nil(r.error)
  return r.severity
end

describe("severity with the default rules", function()
  it("rates the seed's incident P1 (Critical service degraded) by its error rate", function()
    local r = plugin.run({}, { incident = "fixtures/incident.yaml" })
    assert.is_nil(r.error)
    assert.same({ level = "P1", rule = "critical-degradation",
                  reason = "Critical service degraded: error_rate_peak 0.40 >= 0.25" }, r.severity)
    assert.same({}, r.warnings)
  end)

  it("rates data loss P0 whatever the error rate", function()
    assert.same({ level = "P0", rule = "outage-or-data-loss", reason = "Service down or data lost: data_loss is true" },
                classify { data_loss = true, error_rate_peak = 0.01 })
  end)

  it("rates a near-total outage P0", function()
    assert.equals("Service down or data lost: error_rate_peak 0.95 >= 0.90", classify({ error_rate_peak = 0.95 }).reason)
  end)

  it("rates P1 by customers or revenue when the error rate is lower", function()
    assert.equals("Critical service degraded: customers_affected 1500 >= 1000",
                  classify({ error_rate_peak = 0.10, customers_affected = 1500 }).reason)
    assert.equals("Critical service degraded: revenue_usd 12000 >= 10000", classify({ revenue_usd = 12000 }).reason)
  end)

  it("rates P2 at thresholds exactly", function()
    assert.same({ level = "P2", rule = "degradation", reason = "Service degraded: error_rate_peak 0.05 >= 0.05" },
                classify { error_rate_peak = 0.05 })
    assert.equals("Service degraded: customers_affected 100 >= 100", classify({ customers_affected = 100 }).reason)
  end)

  it("rates anything else P3", function()
    assert.same({ level = "P3", rule = "minor", reason = "Minor impact: below every threshold above" },
                classify { error_rate_peak = 0.01, customers_affected = 3, data_loss = false })
    assert.equals("P3", classify(nil).level)
  end)

  it("keeps a severity set by hand, with the rules' label for that level", function()
    assert.same({ level = "P2", rule = "incident.yaml", reason = "Service degraded: set by hand" },
                classify({ error_rate_peak = 0.95 }, { severity = "P2" }))
    assert.same({ level = "SEV-2", rule = "incident.yaml", reason = "set by hand" },
                classify({}, { severity = "SEV-2" }))
  end)
end)

describe("severity with a rules file", function()
  it("uses the file's rules, which see impact.duration_s and pm", function()
    local r = plugin.run({ rules = "fixtures/duration-rules.lua" }, { incident = "fixtures/incident.yaml" })
    assert.is_nil(r.error)
    assert.same({ level = "SEV1", rule = "long-outage", reason = "Long outage: 1h 35min >= 1h" }, r.severity)
  end)

  it("uses the label alone when a rule has no why", function()
    local r = plugin.run({ rules = "fixtures/duration-rules.lua" },
      { incident = { id = "x", title = "x", started_at = "2025-02-09T10:05:00Z", ended_at = "2025-02-09T10:15:00Z" } })
    assert.same({ level = "SEV3", rule = "short", reason = "Short outage" }, r.severity)
  end)

  it("runs the rules without io, os or require", function()
    local r = plugin.run({ rules = "fixtures/sandbox-rules.lua" }, { incident = "fixtures/incident.yaml" })
    assert.same({ level = "P3", rule = "fallback", reason = "Minor impact" }, r.severity)
  end)

  it("names the file and the rule that is malformed", function()
    local r = plugin.run({ rules = "fixtures/bad-rules.lua" }, { incident = "fixtures/incident.yaml" })
    assert.matches("fixtures/bad%-rules%.lua: rule 2 needs at least `level` %(text%) and `when` %(a function%)", r.error)
  end)
end)
