-- pm.postmortem: the wording report plugins share, so that report.md and report.html say
-- the same things: `local pmx = require "pm.postmortem"`.
--
--   pmx.header(data)         --> { title, date, duration, severity, authors, reviewed }
--   pmx.impact(data)         --> list of impact lines ("40,000 failed requests over 1h 35min")
--   pmx.factor_label(c)      --> "Monitoring Gap" for a contributing factor (label or category)
--   pmx.clock(events)        --> function(seconds) -> "10:05:23" (with the date when the events span days)
--   pmx.gap_line(g, clock)   --> "prometheus (prometheus): connection refused (10:05:00 - 10:20:00 UTC)"
--   pmx.table_rows(data)     --> the rows a report's table shows (inside table_window), how many it hides, a note
--   pmx.mermaid(data)        --> the causal graph (fishbone) as a Mermaid block, or nil
--   pmx.thousands(n)         --> "40,000"
--   pmx.seconds(text)        --> Unix seconds of an RFC 3339 text, nil for nil
local M = {}

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

-- Clock times, or date and clock when the events span more than one UTC day.
function M.clock(events)
  local days = {}
  for _, e in ipairs(events) do days[pm.time.format(M.seconds(e.time), "date")] = true end
  if next(days) and next(days, next(days)) then
    return function(s) return pm.time.format(s, "date") .. " " .. pm.time.format(s, "clock") end
  end
  return function(s) return pm.time.format(s, "clock") end
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
  local note = outside > 0
    and ("%d event%s outside the incident window (%s - %s UTC) not shown; report.json keeps them."):format(
      outside, outside == 1 and "" or "s", w.start, w["end"])
    or nil
  return rows, outside, note
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
