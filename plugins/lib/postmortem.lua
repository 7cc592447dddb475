-- pm.postmortem: the wording report plugins share, so that report.md and report.html say
-- the same things: `local pmx = require "pm.postmortem"`.
--
--   pmx.header(data)         --> { title, date, duration, severity, authors, reviewed [, distributed, follow_up] }
--   pmx.impact(data)         --> list of impact lines ("40,000 failed requests over 1h 35min")
--   pmx.factor_label(c)      --> "Monitoring Gap" for a contributing factor (label or category)
--   pmx.CATEGORIES, pmx.LABELS --> the fishbone's categories in report order, and their labels
--   pmx.clock_for(window, first_t, last_t)
--                            --> function(seconds) -> "10:05:23" or "2025-02-10 10:05:23", and
--                                whether every time is dated (the rule below). window: the report
--                                data (its incident's started_at..ended_at), ctx.incident
--                                ({ start, finish } in seconds) or nil; first_t, last_t: the
--                                first and last time of the sorted rows shown (or nil). O(1).
--   pmx.clock(events [, window])
--                            --> the same for a sorted list of events ({ t } or { time }): their
--                                first and last times. Also pmx.clock(data) (a report data table:
--                                its incident and timeline) and pmx.clock(first_t, last_t).
--   pmx.dated(window, first_t, last_t) --> true when every time is shown with its date
--   pmx.gap_line(g, clock)   --> "prometheus (prometheus): connection refused (10:05:00 - 10:20:00 UTC)"
--   pmx.table_rows(data)     --> the rows a report's table shows (inside table_window), how many it hides, a note
--   pmx.outside_note(w, n)   --> the sentence saying n rows outside table_window w are not shown (nil for 0)
--   pmx.mermaid(data)        --> the causal graph (fishbone) as a Mermaid block, or nil
--   pmx.thousands(n)         --> "40,000"
--   pmx.seconds(text)        --> Unix seconds of an RFC 3339 text, nil for nil
--
-- When a time is shown with its date (one rule for every report, check and log):
--   every time is dated when the incident (started_at..ended_at) and the rows shown do not
--   all lie on one UTC day: the incident spans midnight, the rows cross midnight, or the
--   rows are on another day than the incident's start. Otherwise times are clock times
--   ("10:05:23": the report's header gives the day), except a single time that falls on
--   another UTC day than that day (a gap window, a burst's end, a cited row): it alone is
--   dated. The decision looks at four times, never at each row.
local M = {}

-- The fishbone's categories of contributing factors, in the order reports list them (the
-- fishbone plugin's default `categories`; five-whys sorts its factors by it too).
M.CATEGORIES = { "Monitoring", "Testing", "Runbook", "Capacity", "Process", "Dependencies", "Tooling", "Communication" }

-- The fishbone plugin's default labels, for factors that carry a category but no label.
M.LABELS = {
  Monitoring = "Monitoring Gap", Testing = "Testing Gap", Runbook = "Runbook Gap",
  Capacity = "Capacity Planning", Process = "Process Gap", Dependencies = "Dependency Risk",
  Tooling = "Tooling Gap", Communication = "Communication Gap",
}

function M.seconds(text) return text and pm.time.parse(text) end

function M.thousands(n)
  local s = ("%.0f"):format(n)
  repeat
    local k
    s, k = s:gsub("^(-?%d+)(%d%d%d)", "%1,%2")
  until k == 0
  return s
end

function M.factor_label(c)
  return c.label or (c.category and (M.LABELS[c.category] or c.category))
end

function M.header(data)
  local inc, sev = data.incident, data.severity
  local start, finish = M.seconds(inc.started_at), M.seconds(inc.ended_at)
  local date = start and pm.time.format(start, "date") or "undated"
  local duration = "unknown"
  if start and finish then
    local same_day = pm.time.format(start, "date") == pm.time.format(finish, "date")
    local function at(s)
      return same_day and pm.time.format(s, "hm") or (pm.time.format(s, "date") .. " " .. pm.time.format(s, "hm"))
    end
    duration = ("%s (%s - %s UTC)"):format(pm.time.duration(finish - start), at(start), at(finish))
  elseif start then
    duration = ("ongoing (from %s UTC)"):format(pm.time.format(start, "hm"))
  end
  -- The severity plugin's reason starts with the rule's label: "Critical service degraded: ...".
  local severity = "Unclassified"
  local level = sev and sev.level or inc.severity
  if level then
    local reason = sev and sev.reason
    local label = reason and (reason:match("^(.-): ") or reason)
    severity = label and ("%s (%s)"):format(level, label) or level
  end
  return {
    title = ("Post-Mortem: %s (%s)"):format(inc.title or inc.id or "Incident", date),
    date = date,
    duration = duration,
    severity = severity,
    authors = (inc.authors and #inc.authors > 0) and table.concat(inc.authors, ", ") or "-",
    reviewed = inc.reviewed or "pending",
    -- When the report went out and the follow-up review, once known (nil before).
    distributed = M.seconds(inc.distributed_at) and (pm.time.format(M.seconds(inc.distributed_at), "date") .. " "
      .. pm.time.format(M.seconds(inc.distributed_at), "hm") .. " UTC") or nil,
    follow_up = type(data.follow_up) == "table" and data.follow_up.at and tostring(data.follow_up.at) or nil,
  }
end

function M.impact(data)
  local i, lines = data.incident.impact or {}, {}
  local start, finish = M.seconds(data.incident.started_at), M.seconds(data.incident.ended_at)
  if i.failed_requests then
    local over = (start and finish) and (" over " .. pm.time.duration(finish - start)) or ""
    lines[#lines + 1] = M.thousands(i.failed_requests) .. " failed requests" .. over
  end
  if i.customers_affected then lines[#lines + 1] = M.thousands(i.customers_affected) .. " customers affected" end
  if i.revenue_usd then lines[#lines + 1] = ("Revenue impact: ~$%s (estimated)"):format(M.thousands(i.revenue_usd)) end
  if i.error_rate_peak then
    local pct = ("%.1f"):format(i.error_rate_peak * 100):gsub("%.0$", "")
    lines[#lines + 1] = ("Peak error rate: %s%% of requests"):format(pct)
  end
  if i.data_loss ~= nil then lines[#lines + 1] = i.data_loss and "Data loss occurred" or "No data loss" end
  return lines
end

local DAY = 86400
local function day(s) return s and s // DAY end

-- The incident window of report data (RFC 3339 texts) or of ctx.incident (seconds).
local function window_of(w)
  if type(w) ~= "table" then return nil, nil end
  if type(w.incident) == "table" then return M.seconds(w.incident.started_at), M.seconds(w.incident.ended_at) end
  return tonumber(w.start), tonumber(w.finish)
end

-- Whether every time is dated, and the day (in days since 1970) undated times are on.
function M.dated(w, first_t, last_t)
  local start, finish = window_of(w)
  local ref = day(start) or day(first_t) or day(last_t) or day(finish)
  if not ref then return false, nil end
  for _, s in pairs { start, finish, first_t, last_t } do
    if day(s) ~= ref then return true, ref end
  end
  return false, ref
end

-- A report formats every row's time: in Lua, with the date of each day formatted once,
-- rather than two calls into the host per row. Same text as pm.time.format(s, "clock") and
-- pm.time.format(s, "date").
local dates = {}
local function clock_text(s)
  local x = math.floor(s) % DAY
  return ("%02d:%02d:%02d"):format(x // 3600, x % 3600 // 60, x % 60)
end
local function date_text(s)
  local d = s // DAY
  local text = dates[d]
  if not text then
    text = pm.time.format(d * DAY, "date")
    dates[d] = text
  end
  return text
end
local function date_clock(s) return date_text(s) .. " " .. clock_text(s) end

function M.clock_for(w, first_t, last_t)
  local dated, ref = M.dated(w, first_t, last_t)
  if dated then return date_clock, true end
  return function(s)
    if ref and s // DAY ~= ref then return date_clock(s) end
    return clock_text(s)
  end, false
end

local function time_of(e) return e and (tonumber(e.t) or M.seconds(e.time)) end

-- The old form (a sorted list of events) and its shorthands; see the top of the file.
function M.clock(a, b)
  if type(a) == "number" or a == nil then return M.clock_for(nil, a, b) end
  if type(a.incident) == "table" then
    local tl = a.timeline or {}
    return M.clock_for(a, time_of(tl[1]), time_of(tl[#tl]))
  end
  return M.clock_for(b, time_of(a[1]), time_of(a[#a]))
end

function M.gap_line(g, clock)
  local line = ("%s (%s): %s"):format(g.source or "-", g.plugin or "-", g.reason)
  local w = g.window
  if w and w.start and w["end"] then
    line = line .. (" (%s - %s UTC)"):format(clock(M.seconds(w.start)), clock(M.seconds(w["end"])))
  end
  return line
end

-- The rows the table shows: those inside report.json's table_window (the incident plus
-- the pipeline's table_margin_s); the others stay in report.json and the evidence. Also
-- returns how many are hidden and a sentence saying so (nil when none is).
function M.table_rows(data)
  local w = data.table_window
  if not (w and w.start and w["end"]) then return data.timeline or {}, 0, nil end
  local lo, hi = M.seconds(w.start), M.seconds(w["end"])
  local rows, outside = {}, 0
  for _, e in ipairs(data.timeline or {}) do
    local at = M.seconds(e.time)
    if at >= lo and at <= hi then rows[#rows + 1] = e else outside = outside + 1 end
  end
  return rows, outside, M.outside_note(w, outside)
end

function M.outside_note(w, outside)
  if not (outside and outside > 0) then return nil end
  return ("%s event%s outside the incident window (%s - %s UTC) not shown; report.json keeps them."):format(
    M.thousands(outside), outside == 1 and "" or "s", w.start, w["end"])
end

-- The causal graph as Mermaid (a fishbone: categories as bones into the effect), or nil
-- when there are no factors.
function M.mermaid(data)
  local f = data.factors or {}
  local contributing = f.contributing or {}
  if #contributing == 0 and #(f.immediate or {}) == 0 and #(f.systemic or {}) == 0 then return nil end
  -- A quoted Mermaid label: its entity codes for the quote and for < > (Mermaid would render
  -- HTML in labels), for & (an HTML entity in the text would show as the character it names)
  -- and for # itself (so "#lt;" in the text stays "#lt;"); control characters as spaces, so a
  -- text never ends the line or the block.
  local function label(s)
    return '"' .. tostring(s):gsub("#", "#35;"):gsub("&", "#amp;"):gsub('"', "#quot;"):gsub("<", "#lt;")
      :gsub(">", "#gt;"):gsub("%c+", " ") .. '"'
  end
  local lines = { "```mermaid", "flowchart LR", "  effect[" .. label(data.incident.title or data.incident.id) .. "]" }
  local bones, order = {}, {}
  local function bone(name)
    if not bones[name] then
      order[#order + 1] = name
      bones[name] = ("b%d"):format(#order)
      lines[#lines + 1] = ("  %s([%s]) --> effect"):format(bones[name], label(name))
    end
    return bones[name]
  end
  local n = 0
  local function leaf(text, into)
    n = n + 1
    lines[#lines + 1] = ("  f%d[%s] --> %s"):format(n, label(text), into)
  end
  for _, text in ipairs(f.immediate or {}) do leaf(text, bone("Immediate cause")) end
  for _, c in ipairs(contributing) do leaf(c.text, bone(M.factor_label(c) or "Contributing factor")) end
  for _, text in ipairs(f.systemic or {}) do leaf(text, bone("Systemic issues")) end
  lines[#lines + 1] = "```"
  return table.concat(lines, "\n")
end

return M
