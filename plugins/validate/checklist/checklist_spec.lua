-- checklist: the seed's validation list; true, false, or nil (pending).

local NAMES = { "timeline_complete", "timeline_zone", "timeline_chronological", "multiple_factors",
                "action_items_complete", "action_items_specific", "blameless_language", "claims_match_evidence",
                "distributed_48h", "action_items_tracked", "follow_up_scheduled" }

-- Checks by name; `findings` and `items` (asserted on their own) left out of each.
local function by_name(r)
  local t, full = {}, {}
  for _, c in ipairs(r.checks) do
    full[c.check] = c
    local copy = {}
    for k, v in pairs(c) do
      if k ~= "findings" and k ~= "items" and k ~= "rows" then copy[k] = v end
    end
    t[c.check] = copy
  end
  return t, full
end

describe("checklist on the seed's report", function()
  local r, c
  before_each(function()
    r = plugin.run({}, { report = "fixtures/report.json" })
    c = by_name(r)
  end)

  it("records the seed's checks, in order", function()
    assert.is_nil(r.error)
    local names = {}
    for i, check in ipairs(r.checks) do names[i] = check.check end
    assert.same(NAMES, names)
  end)

  it("passes what the report can show", function()
    assert.same({ check = "timeline_complete", ok = true, detail = "9 events from 10:05:23 to 10:40:00" }, c.timeline_complete)
    assert.same({ check = "timeline_chronological", ok = true, detail = "9 events in order" }, c.timeline_chronological)
    assert.same({ check = "multiple_factors", ok = true, detail = "2 immediate, 4 contributing, 2 systemic" }, c.multiple_factors)
    assert.same({ check = "action_items_complete", ok = true, detail = "6 items with owner, deadline and priority" }, c.action_items_complete)
    assert.same({ check = "blameless_language", ok = true, detail = "no blaming wording found" }, c.blameless_language)
  end)

  it("leaves distribution, tracking and the follow-up pending, saying what is due", function()
    assert.is_nil(c.distributed_48h.ok)
    assert.equals("not distributed yet: due by 2025-02-11T11:40:00.000Z", c.distributed_48h.detail)
    assert.is_nil(c.action_items_tracked.ok)
    assert.equals("not tracked yet: a track stage (github-issues) files them", c.action_items_tracked.detail)
    assert.is_nil(c.follow_up_scheduled.ok)
    assert.equals("schedule a review for 2025-03-09", c.follow_up_scheduled.detail)
  end)

  it("takes the deadlines from the options", function()
    local c2 = by_name(plugin.run({ distributed_within_h = 24, follow_up_days = 14 }, { report = "fixtures/report.json" }))
    assert.equals("not distributed yet: due by 2025-02-10T11:40:00.000Z", c2.distributed_48h.detail)
    assert.equals("schedule a review for 2025-02-23", c2.follow_up_scheduled.detail)
  end)
end)

describe("checklist on a report with problems", function()
  local c
  before_each(function() c = by_name(plugin.run({}, { report = "fixtures/problems.json" })) end)

  it("fails key moments out of order: mitigated before the impact started", function()
    assert.same({ check = "timeline_chronological", ok = false,
                  detail = "mitigated (2025-04-01T08:05:00.000Z) is before impact_start (2025-04-01T08:10:00.000Z): check clock skew" },
                c.timeline_chronological)
  end)

  it("reports every out-of-order key moment, never reordering them", function()
    -- The seed's report with acknowledged at 10:11, detected 10:12, paged 10:13.
    local r = plugin.run({}, { report = "fixtures/out-of-order.json" })
    local chrono = by_name(r).timeline_chronological
    assert.is_false(chrono.ok)
    assert.equals("acknowledged (2025-02-09T10:11:00.000Z) is before detected (2025-02-09T10:12:00.000Z); "
      .. "acknowledged (2025-02-09T10:11:00.000Z) is before paged (2025-02-09T10:13:00.000Z): check clock skew", chrono.detail)
  end)

  it("fails a timeline without resolution that stops before the end, listing data gaps", function()
    assert.same({ check = "timeline_complete", ok = false,
                  detail = "ends at 08:40:00, before the incident's end (09:00:00); no resolution event; "
                    .. "data gaps: prometheus: retention expired" }, c.timeline_complete)
  end)

  it("fails a single factor", function()
    assert.same({ check = "multiple_factors", ok = false, detail = "0 immediate, 1 contributing, 0 systemic" }, c.multiple_factors)
  end)

  it("lists the action items missing owner, deadline or priority", function()
    assert.is_false(c.action_items_complete.ok)
    assert.equals("AI-002 has no owner; AI-003 has no owner, deadline, priority", c.action_items_complete.detail)
  end)

  it("quotes each blaming sentence and where it is, but not 'blameless'", function()
    assert.is_false(c.blameless_language.ok)
    assert.equals('summary: "The outage was caused by @dave pushing a bad config."; '
      .. 'root cause: "Human error during the rollout."; '
      .. 'contributing factor: "Dave should have tested the config."', c.blameless_language.detail)
    -- "Nobody is to blame for gaps in tooling." denies blame: not a finding.
    local _, full = by_name(plugin.run({}, { report = "fixtures/problems.json" }))
    assert.same({ { text = "The outage was caused by @dave pushing a bad config." },
                  { text = "Human error during the rollout." },
                  { text = "Dave should have tested the config." } }, full.blameless_language.findings)
  end)

  it("fails a late distribution", function()
    assert.same({ check = "distributed_48h", ok = false,
                  detail = "distributed 2025-04-03T21:00:00.000Z, after the deadline 2025-04-03T09:00:00.000Z" }, c.distributed_48h)
  end)

  it("passes a distribution within a longer window", function()
    local c2 = by_name(plugin.run({ distributed_within_h = 72 }, { report = "fixtures/problems.json" }))
    assert.same({ check = "distributed_48h", ok = true, detail = "distributed 2d 12h after the end" }, c2.distributed_48h)
  end)

  it("fails when only some action items are tracked", function()
    assert.same({ check = "action_items_tracked", ok = false, detail = "not tracked: AI-002, AI-003" }, c.action_items_tracked)
  end)

  it("passes a recorded follow-up", function()
    assert.same({ check = "follow_up_scheduled", ok = true, detail = "2025-04-29" }, c.follow_up_scheduled)
  end)
end)

describe("checklist on an empty report", function()
  local c
  before_each(function() c = by_name(plugin.run({}, { report = "fixtures/empty.json" })) end)

  it("fails an empty timeline, no factors and no action items", function()
    assert.same({ check = "timeline_complete", ok = false, detail = "the timeline is empty" }, c.timeline_complete)
    assert.is_false(c.multiple_factors.ok)
    assert.same({ check = "action_items_complete", ok = false, detail = "no action items" }, c.action_items_complete)
  end)

  it("keeps tracking pending when there is nothing to track", function()
    assert.is_nil(c.action_items_tracked.ok)
    assert.equals("no action items to track", c.action_items_tracked.detail)
  end)

  it("measures the deadlines from the incident's end", function()
    assert.equals("not distributed yet: due by 2025-05-03T13:00:00.000Z", c.distributed_48h.detail)
    assert.equals("schedule a review for 2025-05-29", c.follow_up_scheduled.detail)
  end)
end)

describe("checklist on a three-day incident", function()
  it("dates the times it names: a clock time alone would not say which day", function()
    local c = by_name(plugin.run({}, { report = "fixtures/three-days.json" }))
    assert.same({ check = "timeline_complete", ok = false,
                  detail = "starts at 2025-05-01 10:07:00, more than 5 min after the incident's start (2025-05-01 10:00:00); "
                    .. "ends at 2025-05-03 11:00:00, before the incident's end (2025-05-03 12:00:00); no resolution event" },
                c.timeline_complete)
    assert.same({ check = "timeline_chronological", ok = true, detail = "3 events in order" }, c.timeline_chronological)
  end)
end)
