-- fishbone: categories from keywords, category order, labels.

local SETUP = { report = "fixtures/report.json" }

local function column(r, field)
  local out = {}
  for i, f in ipairs(r.factors.contributing) do out[i] = f[field] or "-" end
  return out
end

describe("fishbone with the default categories", function()
  local r
  before_each(function() r = plugin.run({}, SETUP) end)

  it("runs without error or warning", function()
    assert.is_nil(r.error)
    assert.same({}, r.warnings)
  end)

  it("categorises by keywords, falls back to Process, and sorts in category order", function()
    assert.same({
      "Connection pool utilization not monitored",       -- "monitor"
      "Load testing didn't include new query pattern",   -- "test"
      "No documented procedure for DB connection issues", -- "procedure"
      "Pool size unchanged despite 3x traffic growth",   -- "pool size"
      "Release approvals skipped on Fridays",            -- "approval"
      "Nobody knew the cache existed",                   -- no keyword: Process, after the one before it
      "Alert thresholds copied from another service",    -- set by hand: Process, though "alert" is a Monitoring word
      "Vendor SDK pinned to a yanked version",           -- "vendor"
      "Status page updated by hand",                     -- set by hand
    }, column(r, "text"))
    assert.same({ "Monitoring", "Testing", "Runbook", "Capacity", "Process", "Process", "Process",
                  "Dependencies", "Communication" }, column(r, "category"))
  end)

  it("gives each factor its category's label", function()
    assert.same({ "Monitoring Gap", "Testing Gap", "Runbook Gap", "Capacity Planning", "Process Gap", "Process Gap",
                  "Process Gap", "Dependency Risk", "Communication Gap" }, column(r, "label"))
  end)

  it("keeps why chains, evidence and the other layers", function()
    local pool = r.factors.contributing[4]
    assert.same({ "Why?", "Pool size unchanged despite 3x traffic growth" }, pool.why_chain)
    assert.same({ "10:15:30 Database connection pool exhausted" }, pool.evidence)
    assert.same({ "Database connection pool exhausted (max 20 connections)" }, r.factors.immediate)
    assert.same({ "No pre-deployment query plan review" }, r.factors.systemic)
  end)
end)

describe("fishbone with options", function()
  it("uses only the listed categories' keywords, in their order; other categories go last", function()
    local r = plugin.run({ categories = { "Capacity", "Monitoring" } }, SETUP)
    assert.same({ "Pool size unchanged despite 3x traffic growth", "Connection pool utilization not monitored",
                  "Release approvals skipped on Fridays" }, { r.factors.contributing[1].text,
                  r.factors.contributing[2].text, r.factors.contributing[3].text })
    assert.same({ "Capacity", "Monitoring", "Process", "Process", "Process", "Process", "Communication",
                  "Process", "Process" }, column(r, "category"))
  end)

  it("adds to the default labels and keywords instead of replacing them", function()
    local r = plugin.run({ labels = { Process = "Process Failure" },
                           keywords = { Communication = { "cache" } } }, SETUP)
    local labels = column(r, "label")
    assert.equals("Monitoring Gap", labels[1])
    assert.equals("Process Failure", labels[5])
    assert.equals("Communication", r.factors.contributing[8].category)
    assert.equals("Nobody knew the cache existed", r.factors.contributing[8].text)
  end)

  it("rejects an option of the wrong type", function()
    assert.has_error(function() plugin.run({ categories = "Monitoring" }, SETUP) end)
  end)
end)
