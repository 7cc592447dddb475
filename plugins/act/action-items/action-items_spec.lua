-- action-items: items from YAML, linted for owner, deadline, priority, vague wording, coverage.

local SETUP = { report = "fixtures/report.json" } -- the seed's incident and contributing factors

local function warnings(r)
  local list = {}
  for i, w in ipairs(r.warnings) do list[i] = type(w) == "table" and w.message or w end
  return list
end

describe("action-items with the seed's six items", function()
  local r
  before_each(function() r = plugin.run({ file = "fixtures/actions.yaml" }, SETUP) end)

  it("adds them in order, as written", function()
    assert.is_nil(r.error)
    assert.equals(6, #r.actions)
    local a = r.actions[1]
    assert.same({ "AI-001", "Add connection pool metrics to Grafana", "@bob", "2025-02-16", "High", "open" },
                { a.id, a.action, a.owner, a.deadline, a.priority, a.status })
    local rows = {}
    for i, item in ipairs(r.actions) do
      rows[i] = table.concat({ item.id, item.action, item.owner, item.deadline, item.priority }, " | ")
    end
    assert.same({
      "AI-001 | Add connection pool metrics to Grafana | @bob | 2025-02-16 | High",
      "AI-002 | Create runbook: DB connection saturation | @alice | 2025-02-20 | High",
      "AI-003 | Add DB query plan check to CI/CD | @charlie | 2025-03-01 | Medium",
      "AI-004 | Review and adjust connection pool size | @dan | 2025-02-14 | High",
      "AI-005 | Implement DB slow query alerts (<100ms) | @bob | 2025-02-23 | Medium",
      "AI-006 | Add load testing for new query patterns | @charlie | 2025-03-15 | Low",
    }, rows)
  end)

  it("finds nothing to warn about, every factor being addressed", function()
    assert.same({}, warnings(r))
  end)
end)

describe("action-items lint", function()
  it("warns about each problem, item by item, then about unaddressed factors", function()
    local r = plugin.run({ file = "fixtures/problems.yaml", vague = { "asap" } }, SETUP)
    assert.is_nil(r.error)
    assert.same({
      'AI-001: vague wording "improve" in "Improve monitoring": name what to measure and the target: a metric, '
        .. 'a threshold or a number',
      "AI-002: no owner: name the person who will do it",
      'AI-002: deadline "next week" is not a date as YYYY-MM-DD',
      'AI-002: priority "Urgent" is not one of High, Medium, Low',
      "AI-003: deadline 2025-02-01 is not after the incident (2025-02-09)",
      'AI-003: vague wording "look into" in "Look into the cache eviction settings": say what the work produces '
        .. '(a fix, a decision, a write-up) and name the ticket, date or measure',
      "AI-010: deadline 2025-02-09 is not after the incident (2025-02-09)",
      "AI-010: no priority: use one of High, Medium, Low",
      'AI-010: vague wording "asap" in "Add a runbook for cache eviction ASAP": name the metric, dashboard or runbook and a date',
      "no action item addresses factor: Load testing didn't include new query pattern",
      "no action item addresses factor: No documented procedure for DB connection issues",
    }, warnings(r))
  end)

  it("numbers items without an id and keeps a given one", function()
    local r = plugin.run({ file = "fixtures/problems.yaml" }, SETUP)
    assert.same({ "AI-001", "AI-002", "AI-003", "AI-010" },
                { r.actions[1].id, r.actions[2].id, r.actions[3].id, r.actions[4].id })
  end)

  it("takes the priority scale from the options", function()
    local r = plugin.run({ file = "fixtures/actions.yaml", priorities = { "High", "Medium" } }, SETUP)
    assert.same({ 'AI-006: priority "Low" is not one of High, Medium' }, warnings(r))
  end)

  it("warns about a deadline shaped as a date that is none (the years 0001 to 9999 only)", function()
    local r = plugin.run({ file = "fixtures/dates.yaml" }, SETUP)
    assert.is_nil(r.error)
    local list = warnings(r)
    assert.equals("AI-001: deadline 2025-02-30 is not a date (day 30 out of range for February 2025)", list[1])
    assert.truthy(list[2]:find("AI-002: deadline 0000-03-01 is not a date (time outside the years 0001 to 9999", 1, true))
  end)

  it("matches vague phrases at the start of a word", function()
    -- "ool" occurs inside "pool" and "tool" only: no warning.
    assert.same({}, warnings(plugin.run({ file = "fixtures/actions.yaml", vague = { "ool" } }, SETUP)))
    -- "metric" starts "metrics".
    assert.same({ 'AI-001: vague wording "metric" in "Add connection pool metrics to Grafana": name the metric, dashboard or runbook and a date' },
                warnings(plugin.run({ file = "fixtures/actions.yaml", vague = { "metric" } }, SETUP)))
  end)
end)

describe("action-items with an id used twice", function()
  it("fails naming the file, the item and both actions, never dropping one silently", function()
    local r = plugin.run({ file = "fixtures/duplicate-ids.yaml" }, SETUP)
    assert.matches("fixtures/duplicate%-ids%.yaml: item 3: action item id AI%-001 is used twice", r.error)
    assert.matches("Add connection pool metrics to Grafana", r.error)
    assert.matches("Raise the pool size to 60", r.error)
  end)
end)

describe("pm.logtext.item_lines", function()
  local logtext = require "pm.logtext"
  it("gives the line of each top-level item, past comments, nested lists and block scalars", function()
    local text = table.concat({
      "# actions",                       -- 1
      "- id: AI-001",                    -- 2
      "  action: |",                     -- 3
      "    - not an item, text",         -- 4
      "  owner: bob",                    -- 5
      "- { id: AI-002, action: x }",     -- 6
      "-",                               -- 7
      "  action: y",                     -- 8
      "  tags:",                         -- 9
      "    - nested",                    -- 10
    }, "\n")
    assert.same({ 2, 6, 7 }, logtext.item_lines(text))
    assert.same({ 3 }, logtext.item_lines("items:\n  # one\n  - a: 1\n"))
    assert.same({}, logtext.item_lines("[ { a: 1 }, { a: 2 } ]"))
  end)
end)
