-- The seed's validation checklist, one entry per item, in the seed's order.
--
-- Each check is { name, doc, run = function(data, opts, tl) return ok, detail end } where
-- `data` is ctx.report.get{ timeline = false } (shaped like report.json, without its
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
local actions = require "pm.actions"
local claims = require "claims"

-- What the timeline checks need, from one pass over the rows: { n, first, last (seconds),
-- unsorted (index of the first row earlier than the one before it, or nil),
-- row = function(i) -> { time, event, evidence } }. This builds it from data.timeline (an
-- imported document's rows, or a copied check given the whole data); init.lua builds the
-- same from ctx.timeline.each.
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

-- A hand-written Markdown post-mortem (`pmhost validate FILE.md`) carries data.imported
-- (see docs/plugin-api.md, "Documents"): every timeline row in document order with the
-- line it is on and the time read from it (nil when it has none), the zone the timeline
-- states, every action item with its owner, deadline and priority.

-- A row's time for ordering: RFC 3339 (with or without its zone: a document whose zone is
-- unknown or ambiguous still has an order), or a clock time alone ("10:18:00") when the
-- document gives no date. Returns seconds and whether the row had a date.
local function row_seconds(time)
  if not time then return nil end
  local dated = time:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d")
  if dated then
    local full = time
    if not (time:match("Z$") or time:match("[%+%-]%d%d:?%d%d$")) then full = time .. "Z" end
    return pm.time.parse(full), true
  end
  local h, m, sec = time:match("^(%d%d?):(%d%d):?(%d*)")
  if h then return tonumber(h) * 3600 + tonumber(m) * 60 + (tonumber(sec) or 0), false end
end

-- A row's text for a finding: what was written as its time, then its event.
local function row_text(r)
  local written = r.written and r.written ~= "" and (r.written .. " ") or ""
  return written .. (r.text or "")
end

local function imported_timeline(data)
  local imp = data.imported
  local rows = imp.rows or {}
  local out_rows, findings = {}, {}
  for i, r in ipairs(rows) do
    out_rows[i] = { line = r.line, time = r.time or pm.json.null, text = r.text or "" }
    if not r.time then findings[#findings + 1] = { line = r.line, text = row_text(r) } end
  end
  local extra = { findings = findings, rows = pm.json.array(out_rows), zone = imp.zone or pm.json.null }
  local found = false
  for _, s in ipairs(imp.sections or {}) do found = found or s.kind == "timeline" end
  if not found and #rows == 0 then return false, "the document has no Timeline section", extra end
  if #rows == 0 then return false, "the Timeline section has no rows (table rows, list items or lines starting with a time)", extra end
  local timed = #rows - #findings
  if #findings > 0 then
    return false, ("%d of %d rows have no exact time (first on line %d)"):format(#findings, #rows, findings[1].line),
      extra
  end
  local first, last
  for _, r in ipairs(rows) do
    first = first or r.time
    last = r.time
  end
  return true, ("%d rows from %s to %s (%s)"):format(timed, first, last, imp.zone or "no zone stated"), extra
end

-- Rows of a document earlier than the timed row before them. Rows with a clock time only
-- (no date anywhere in the document) are compared by clock; a step back of six hours or
-- more is read as the next day, not as disorder.
local function imported_disorder(data)
  local findings, prev, prev_row, prev_dated = {}, nil, nil, nil
  for _, r in ipairs(data.imported.rows or {}) do
    local at, dated = row_seconds(r.time)
    if at then
      if prev and dated == prev_dated then
        local back = prev - at
        if back > 0 and (dated or back < 6 * 3600) then
          findings[#findings + 1] = { line = r.line,
            text = ("%s comes after %s (line %d)"):format(row_text(r), prev_row.written or prev_row.time, prev_row.line) }
        end
      end
      prev, prev_row, prev_dated = at, r, dated
    end
  end
  return findings
end

-- A document's "Key: value" fact (imported.facts, by the reader's key), first one.
local function fact(data, key)
  for _, f in ipairs((data.imported or {}).facts or {}) do
    if f.key == key then return f end
  end
end

-- A fact's written time as seconds: "2025-02-10 16:00 UTC", "2025-02-10T16:00:00Z".
local function fact_time(f)
  if not f then return nil end
  local y, mo, d, h, mi = f.text:match("(%d%d%d%d)%-(%d%d)%-(%d%d)[T%s]+(%d%d?):(%d%d)")
  if not y then return nil end
  return pm.time.parse(("%s-%s-%sT%02d:%s:00Z"):format(y, mo, d, tonumber(h), mi))
end

-- A document's end: its last row with an exact UTC time.
local function document_end(data)
  local last
  for _, r in ipairs((data.imported or {}).rows or {}) do
    if r.time and r.time:match("Z$") then last = t(r.time) or last end
  end
  return last
end

-- The action items a check reads: a document's as recognised (with lines), else the report's.
local function action_items(data)
  return data.imported and data.imported.items or data.action_items or {}
end

-- An item's text: a document's `text`, a report's `action`.
local function item_text(a) return a.text or a.action or "" end

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
    if tl.n == 0 then return false, "the timeline is empty", { findings = { { text = "the timeline is empty" } } } end
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
    local findings = {}
    for i, p in ipairs(problems) do findings[i] = { text = p } end
    return #problems == 0, detail, { findings = findings }
  end,
}

checks[#checks + 1] = {
  name = "timeline_zone",
  doc = "Timeline times have a known time zone (a report pmhost wrote is in UTC)",
  run = function(data)
    local imp = data.imported
    if not imp then return true, "UTC" end
    local rows = imp.rows or {}
    if #rows == 0 then return nil, "no timeline rows" end
    if imp.zone_ambiguous then
      local text = ("%s is ambiguous: %s; write the offset (UTC-06:00) or a zone name"):format(imp.zone or "the zone",
        table.concat(imp.zone_ambiguous, " or "))
      return false, text, { findings = { { line = imp.zone_line, text = text } } }
    end
    if not imp.zone then
      local text = "the timeline states no time zone: its times were read as written, not as UTC"
      return false, text, { findings = { { line = imp.zone_line or (rows[1] and rows[1].line), text = text } } }
    end
    return true, imp.zone .. (imp.zone_line and (" (line %d)"):format(imp.zone_line) or "")
  end,
}

checks[#checks + 1] = {
  name = "timeline_chronological",
  doc = "Timeline is chronologically accurate: events sorted, key moments in order",
  run = function(data, _, tl)
    if data.imported then
      local findings = imported_disorder(data)
      if #findings > 0 then
        return false, ("%d rows are earlier than the row before them (first: line %d)"):format(#findings,
          findings[1].line), { findings = findings }
      end
      return true, ("%d rows in order"):format(#(data.imported.rows or {}))
    end
    tl = tl or summary(data)
    local i = tl.unsorted
    if i then
      local e, before = tl.row(i), tl.row(i - 1)
      local ev = type(e.evidence) == "table" and e.evidence[1] or e.evidence
      local where = data.imported and (" at %s"):format(ev or "?") or ""
      local text = ("%q (%s)%s comes after %q (%s)"):format(e.event, e.time, where, before.event, before.time)
      return false, text, { findings = { { text = text } } }
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
    if #problems > 0 then
      local findings = {}
      for k, p in ipairs(problems) do findings[k] = { text = p .. ": check clock skew" } end
      return false, table.concat(problems, "; ") .. ": check clock skew", { findings = findings }
    end
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
    local imp = data.imported
    local items = action_items(data)
    local listed, findings, missing = {}, {}, {}
    for i, a in ipairs(items) do
      local text = item_text(a)
      listed[i] = { line = a.line or pm.json.null, text = text, owner = a.owner or pm.json.null,
        deadline = a.deadline or pm.json.null, priority = a.priority or pm.json.null }
      local what = {}
      for _, field in ipairs { "owner", "deadline", "priority" } do
        if a[field] == nil or a[field] == "" then what[#what + 1] = field end
      end
      if #what > 0 then
        local name = imp and ("line %d"):format(a.line or 0) or a.id
        missing[#missing + 1] = name .. " has no " .. table.concat(what, ", ")
        findings[#findings + 1] = { line = a.line, text = ("%s (no %s)"):format(text, table.concat(what, ", ")) }
      end
    end
    local extra = { findings = findings, items = pm.json.array(listed) }
    if #items == 0 then
      return false, imp and "the document lists no action items" or "no action items", extra
    end
    if #missing > 3 then
      return false, ("%d of %d items lack fields: %s; ..."):format(#missing, #items, table.concat(missing, "; ", 1, 3)),
        extra
    end
    if #missing > 0 then return false, table.concat(missing, "; "), extra end
    return true, ("%d items with owner, deadline and priority"):format(#items), extra
  end,
}

checks[#checks + 1] = {
  name = "action_items_specific",
  doc = "Action items are specific (no \"improve monitoring\", \"be more careful\")",
  run = function(data)
    local items = action_items(data)
    if #items == 0 then return nil, "no action items" end
    local findings = {}
    for _, a in ipairs(items) do
      local text = item_text(a)
      local phrase, suggestion = actions.vague(text)
      if phrase then
        findings[#findings + 1] = { line = a.line, text = text }
        findings[#findings].why = ("%q: %s"):format(phrase, suggestion or "")
      end
    end
    if #findings == 0 then return true, ("%d items name what to change"):format(#items) end
    local shown = {}
    for i, f in ipairs(findings) do shown[i] = f.why; f.why = nil end
    return false, ("%d of %d items are vague: %s"):format(#findings, #items, table.concat(shown, "; ")),
      { findings = findings }
  end,
}

checks[#checks + 1] = {
  name = "blameless_language",
  doc = "Report uses blameless language (no \"X caused the issue\")",
  run = function(data)
    local found, findings = {}, {}
    for _, f in ipairs(blame.find(data)) do
      found[#found + 1] = ("%s: %q"):format(f.line and ("line " .. f.line) or f.where, f.sentence)
      findings[#findings + 1] = { line = f.line, text = f.sentence }
    end
    if #found > 0 then return false, table.concat(found, "; "), { findings = findings } end
    return true, "no blaming wording found"
  end,
}

checks[#checks + 1] = {
  name = "claims_match_evidence",
  doc = "What the report states about its timing (start, end, \"within 90 seconds\", \"10 minutes from page to fix\") agrees with its own timeline",
  run = function(data, _, tl)
    local ok, detail, findings = claims.check(data, tl)
    return ok, detail, { findings = findings or {} }
  end,
}

checks[#checks + 1] = {
  name = "distributed_48h",
  doc = "Report distributed to all stakeholders within 48 hours",
  run = function(data, opts)
    local inc = data.incident or {}
    local ended = t(inc.ended_at) or t(inc.started_at)
    local sent = t(inc.distributed_at)
    if data.imported then
      ended = ended or fact_time(fact(data, "end")) or document_end(data)
      sent = sent or fact_time(fact(data, "distributed"))
      if not sent or not ended then return nil, "the document does not say when it was distributed" end
    end
    if not ended then return nil, "the incident has no end time" end
    local due = ended + opts.distributed_within_h * 3600
    if not sent then return nil, "not distributed yet: due by " .. pm.time.format(due) end
    if sent <= due then return true, "distributed " .. pm.time.duration(math.max(0, sent - ended)) .. " after the end" end
    return false, ("distributed %s, after the deadline %s"):format(pm.time.format(sent), pm.time.format(due))
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
    local written = fact(data, "follow_up")
    if not follow_up and written then return true, written.text end
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
