-- The seed's validation checklist, one entry per item, in the seed's order.
--
-- Each check is { name, doc, run = function(data, opts, tl) return ok, detail end } where
-- `data` is ctx.report:data{ timeline = false } (shaped like report.json, without its
-- timeline; an imported Markdown document keeps its rows in data.timeline) and `tl` is what
-- one pass over the timeline found (see summary below: init.lua reads the rows lazily,
-- never a table per row). ok is true, false, or nil for "pending" (cannot be known yet,
-- e.g. before the report is distributed). An organisation can copy this plugin and add
-- its own entries to the list.
--
-- Times in details are clock times, dated by pm.postmortem's rule (pmx.clock_for) when the
-- incident or the timeline spans more than one UTC day: "starts at 10:05" of a three-day
-- incident would not say which day.

local function t(text) return text and pm.time.parse(text) end

local blame = require "pm.blame"
local pmx = require "pm.postmortem"

-- What the timeline checks need, from one pass over the rows: { n, first, last (seconds),
-- unsorted (index of the first row earlier than the one before it, or nil),
-- row = function(i) -> { time, event, evidence } }. This builds it from data.timeline (an
-- imported document's rows, or a copied check given the whole data); init.lua builds the
-- same from ctx.timeline:each.
local function summary(data)
  local events = data.timeline or {}
  local s = { n = #events, row = function(i) return events[i] end }
  local prev
  for i, e in ipairs(events) do
    local at = t(e.time)
    if prev and at < prev and not s.unsorted then s.unsorted = i end
    s.first = s.first or at
    s.last, prev = at, at
  end
  return s
end

-- A hand-written Markdown post-mortem (`pmhost validate FILE.md`) carries data.imported:
-- the timeline rows it states in order, no key moments, no incident window.
local function imported_timeline(data)
  local imp, events = data.imported, data.timeline or {}
  local found = false
  for _, title in ipairs(imp.sections or {}) do found = found or title:lower():find("timeline", 1, true) ~= nil end
  if not found then return false, "the document has no Timeline section" end
  local untimed = imp.untimed or {}
  if #events == 0 and #untimed == 0 then return false, "the Timeline section has no table rows" end
  if #untimed > 0 then
    local shown = {}
    for i = 1, math.min(3, #untimed) do
      shown[i] = ("line %d: %q"):format(untimed[i].line, untimed[i].time)
    end
    return false, ("%d of %d rows have no exact time (%s%s)"):format(#untimed, #untimed + #events,
      table.concat(shown, ", "), #untimed > 3 and ", ..." or "")
  end
  return true, ("%d rows from %s to %s (%s)"):format(#events, events[1].time, events[#events].time, imp.zone or "UTC")
end

-- Pairs of key moments that cannot happen the other way round: { earlier, later }.
-- (Detection may precede measured impact, and a page may precede the alert: not listed.)
local MOMENT_ORDER = {
  { "impact_start", "mitigated" }, { "impact_start", "resolved" }, { "detected", "acknowledged" },
  { "paged", "acknowledged" }, { "acknowledged", "resolved" }, { "detected", "resolved" },
  { "mitigated", "resolved" },
}

local checks = {}

checks[#checks + 1] = {
  name = "timeline_complete",
  doc = "Timeline is complete: it has events from impact start to resolution",
  run = function(data, _, tl)
    if data.imported then return imported_timeline(data) end
    tl = tl or summary(data)
    if tl.n == 0 then return false, "the timeline is empty" end
    if tl.unsorted then return false, "the timeline is not sorted by time" end
    local first, last = tl.first, tl.last
    local km, inc = data.key_moments or {}, data.incident or {}
    local from, to = t(km.impact_start) or t(inc.started_at), t(km.resolved) or t(inc.ended_at)
    local from_name = km.impact_start and "impact start" or "the incident's start"
    local to_name = km.resolved and "resolution" or "the incident's end"
    local clock = pmx.clock_for(data, first, last)
    local problems = {}
    if from and first > from + 300 then
      problems[#problems + 1] = ("starts at %s, more than 5 min after %s (%s)"):format(clock(first), from_name, clock(from))
    end
    if to and last < to then
      problems[#problems + 1] = ("ends at %s, before %s (%s)"):format(clock(last), to_name, clock(to))
    end
    if not km.resolved then problems[#problems + 1] = "no resolution event" end
    local gaps = {}
    for _, g in ipairs(data.gaps or {}) do gaps[#gaps + 1] = (g.source or g.plugin or "?") .. ": " .. g.reason end
    local detail = #problems > 0 and table.concat(problems, "; ")
      or ("%s events from %s to %s"):format(pmx.thousands(tl.n), clock(first), clock(last))
    if #gaps > 0 then detail = detail .. "; data gaps: " .. table.concat(gaps, "; ") end
    return #problems == 0, detail
  end,
}

checks[#checks + 1] = {
  name = "timeline_chronological",
  doc = "Timeline is chronologically accurate: events sorted, key moments in order",
  run = function(data, _, tl)
    tl = tl or summary(data)
    local i = tl.unsorted
    if i then
      local e, before = tl.row(i), tl.row(i - 1)
      local ev = type(e.evidence) == "table" and e.evidence[1] or e.evidence
      local where = data.imported and (" at %s"):format(ev or "?") or ""
      return false, ("%q (%s)%s comes after %q (%s)"):format(e.event, e.time, where, before.event, before.time)
    end
    -- Key moments in an impossible order (acknowledged before the page, resolved before
    -- the impact started) are reported, never reordered: usually a skewed clock.
    local km = data.key_moments or {}
    local problems = {}
    for _, pair in ipairs(MOMENT_ORDER) do
      local before, after = pair[1], pair[2]
      if km[before] and km[after] and t(km[after]) < t(km[before]) then
        problems[#problems + 1] = ("%s (%s) is before %s (%s)"):format(after, km[after], before, km[before])
      end
    end
    if #problems > 0 then return false, table.concat(problems, "; ") .. ": check clock skew" end
    return true, ("%s events in order"):format(pmx.thousands(tl.n))
  end,
}

checks[#checks + 1] = {
  name = "multiple_factors",
  doc = "Multiple contributing factors identified (not just one)",
  run = function(data)
    local f = data.factors or {}
    local i, c, s = #(f.immediate or {}), #(f.contributing or {}), #(f.systemic or {})
    return i + c + s >= 2 and c >= 1, ("%d immediate, %d contributing, %d systemic"):format(i, c, s)
  end,
}

checks[#checks + 1] = {
  name = "action_items_complete",
  doc = "Action items have owners, deadlines, and priorities",
  run = function(data)
    local items = data.action_items or {}
    if #items == 0 then return false, "no action items" end
    local missing = {}
    for _, a in ipairs(items) do
      local what = {}
      for _, field in ipairs { "owner", "deadline", "priority" } do
        if a[field] == nil or a[field] == "" then what[#what + 1] = field end
      end
      if #what > 0 then missing[#missing + 1] = a.id .. " has no " .. table.concat(what, ", ") end
    end
    if #missing > 3 then
      return false, ("%d of %d items lack fields: %s; ..."):format(#missing, #items, table.concat(missing, "; ", 1, 3))
    end
    if #missing > 0 then return false, table.concat(missing, "; ") end
    return true, ("%d items with owner, deadline and priority"):format(#items)
  end,
}

checks[#checks + 1] = {
  name = "blameless_language",
  doc = "Report uses blameless language (no \"X caused the issue\")",
  run = function(data)
    local found = {}
    for _, f in ipairs(blame.find(data)) do found[#found + 1] = ("%s: %q"):format(f.where, f.sentence) end
    if #found > 0 then return false, table.concat(found, "; ") end
    return true, "no blaming wording found"
  end,
}

checks[#checks + 1] = {
  name = "distributed_48h",
  doc = "Report distributed to all stakeholders within 48 hours",
  run = function(data, opts)
    local inc = data.incident or {}
    local ended = t(inc.ended_at) or t(inc.started_at)
    if data.imported and not ended then return nil, "the document does not say when it was distributed" end
    if not ended then return nil, "the incident has no end time" end
    local due = ended + opts.distributed_within_h * 3600
    local sent = t(inc.distributed_at)
    if not sent then return nil, "not distributed yet: due by " .. pm.time.format(due) end
    if sent <= due then return true, "distributed " .. pm.time.duration(math.max(0, sent - ended)) .. " after the end" end
    return false, ("distributed %s, after the deadline %s"):format(inc.distributed_at, pm.time.format(due))
  end,
}

checks[#checks + 1] = {
  name = "action_items_tracked",
  doc = "Action items tracked in ticketing system",
  run = function(data)
    local items, untracked = data.action_items or {}, {}
    if #items == 0 then return nil, "no action items to track" end
    for _, a in ipairs(items) do
      if a.tracking == nil or a.tracking == "" then untracked[#untracked + 1] = a.id end
    end
    if #untracked == 0 then return true, ("%d items tracked"):format(#items) end
    if data.imported and #untracked == #items then
      return nil, "the document links no ticket for its action items"
    end
    -- Validate runs before the track stage: nothing tracked yet is pending, not failed.
    if #untracked == #items then return nil, "not tracked yet: a track stage (github-issues) files them" end
    return false, "not tracked: " .. table.concat(untracked, ", ")
  end,
}

checks[#checks + 1] = {
  name = "follow_up_scheduled",
  doc = "Follow-up review scheduled (4 weeks out by default)",
  run = function(data, opts)
    local follow_up = data.follow_up or (data.incident or {}).follow_up
    if follow_up then
      return true, type(follow_up) == "table" and (follow_up.at or follow_up.date or "scheduled") or tostring(follow_up)
    end
    local ended = t((data.incident or {}).ended_at) or t((data.incident or {}).started_at)
    local when = ended and pm.time.format(ended + opts.follow_up_days * 86400, "date") or ("%d days after the incident"):format(opts.follow_up_days)
    return nil, "schedule a review for " .. when
  end,
}

checks.summary = summary -- not a check (ipairs skips it): for init.lua

return checks
