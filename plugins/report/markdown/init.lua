-- markdown: the post-mortem as the seed's report template (report.md).
--
-- Everything comes from ctx.report:data(), the same model report.json holds, so this
-- file is also a guide to that model. Sections follow the seed: header, Summary,
-- Impact, Root Cause, Timeline, Contributing Factors, Action Items, What Went Well,
-- Lessons Learned, Prevention; then Data Gaps and Validation when there are any.

-- The fishbone plugin's default labels, for factors that carry a category but no label.
local LABELS = {
  Monitoring = "Monitoring Gap", Testing = "Testing Gap", Runbook = "Runbook Gap",
  Capacity = "Capacity Planning", Process = "Process Gap", Dependencies = "Dependency Risk",
  Tooling = "Tooling Gap", Communication = "Communication Gap",
}

local function t(text) return text and pm.time.parse(text) end

-- 40000 -> "40,000"
local function thousands(n)
  local s = ("%.0f"):format(n)
  repeat
    local k
    s, k = s:gsub("^(-?%d+)(%d%d%d)", "%1,%2")
  until k == 0
  return s
end

-- A table cell: `|` would end the cell and a newline the row.
local function cell(v)
  if v == nil or v == "" then return "-" end
  return (tostring(v):gsub("|", "\\|"):gsub("\r?\n", " "))
end

local function list(items, empty)
  if not items or #items == 0 then return "- " .. empty end
  local lines = {}
  for i, item in ipairs(items) do lines[i] = "- " .. item end
  return table.concat(lines, "\n")
end

local function header(data)
  local inc, sev = data.incident, data.severity
  local start, finish = t(inc.started_at), t(inc.ended_at)
  local date = start and pm.time.format(start, "date") or "undated"
  local duration = "unknown"
  if start and finish then
    local same_day = pm.time.format(start, "date") == pm.time.format(finish, "date")
    local function at(s) return same_day and pm.time.format(s, "hm") or (pm.time.format(s, "date") .. " " .. pm.time.format(s, "hm")) end
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

  return table.concat({
    ("# Post-Mortem: %s (%s)"):format(inc.title or inc.id or "Incident", date),
    "",
    "**Date**: " .. date,
    "**Duration**: " .. duration,
    "**Severity**: " .. severity,
    "**Authors**: " .. ((inc.authors and #inc.authors > 0) and table.concat(inc.authors, ", ") or "-"),
    "**Reviewed**: " .. (inc.reviewed or "pending"),
  }, "\n")
end

local function impact(data)
  local i, lines = data.incident.impact or {}, {}
  local start, finish = t(data.incident.started_at), t(data.incident.ended_at)
  if i.failed_requests then
    local over = (start and finish) and (" over " .. pm.time.duration(finish - start)) or ""
    lines[#lines + 1] = thousands(i.failed_requests) .. " failed requests" .. over
  end
  if i.customers_affected then lines[#lines + 1] = thousands(i.customers_affected) .. " customers affected" end
  if i.revenue_usd then lines[#lines + 1] = ("Revenue impact: ~$%s (estimated)"):format(thousands(i.revenue_usd)) end
  if i.error_rate_peak then
    local pct = ("%.1f"):format(i.error_rate_peak * 100):gsub("%.0$", "")
    lines[#lines + 1] = ("Peak error rate: %s%% of requests"):format(pct)
  end
  if i.data_loss ~= nil then lines[#lines + 1] = i.data_loss and "Data loss occurred" or "No data loss" end
  return "## Impact\n\n" .. list(lines, "not recorded")
end

-- Clock times, or date and clock when the timeline spans more than one UTC day.
local function time_formatter(events)
  local days = {}
  for _, e in ipairs(events) do days[pm.time.format(t(e.time), "date")] = true end
  if next(days) and next(days, next(days)) then
    return function(s) return pm.time.format(s, "date") .. " " .. pm.time.format(s, "clock") end
  end
  return function(s) return pm.time.format(s, "clock") end
end

-- The rows the table shows: those inside report.json's table_window (the incident plus
-- the pipeline's table_margin_s); the others stay in report.json and the evidence.
local function table_rows(data)
  local w = data.table_window
  if not (w and w.start and w["end"]) then return data.timeline or {}, 0 end
  local lo, hi = t(w.start), t(w["end"])
  local rows, outside = {}, 0
  for _, e in ipairs(data.timeline or {}) do
    local at = t(e.time)
    if at >= lo and at <= hi then rows[#rows + 1] = e else outside = outside + 1 end
  end
  return rows, outside
end

local function timeline(data, fmt)
  local rows = { "## Timeline (all times UTC)", "", "| Time | Event | Source | Actor |", "|----------|-------|--------|-------|" }
  local shown, outside = table_rows(data)
  for _, e in ipairs(shown) do
    rows[#rows + 1] = ("| %s | %s | %s | %s |"):format(fmt(t(e.time)), cell(e.event), cell(e.source), cell(e.actor))
  end
  if outside > 0 then
    rows[#rows + 1] = ""
    rows[#rows + 1] = ("%d event%s outside the incident window (%s - %s UTC) not shown; report.json keeps them."):format(
      outside, outside == 1 and "" or "s", data.table_window.start, data.table_window["end"])
  end
  return table.concat(rows, "\n")
end

local function factors(data)
  local f = data.factors or {}
  local numbered = {}
  for i, c in ipairs(f.contributing or {}) do
    local label = c.label or (c.category and (LABELS[c.category] or c.category))
    numbered[i] = label and ("%d. **%s**: %s"):format(i, label, c.text) or ("%d. %s"):format(i, c.text)
  end
  return table.concat({
    "## Contributing Factors",
    "",
    "### Immediate Cause",
    list(f.immediate, "none identified"),
    "",
    "### Contributing Factors",
    #numbered > 0 and table.concat(numbered, "\n") or "- none identified",
    "",
    "### Systemic Issues",
    list(f.systemic, "none identified"),
  }, "\n")
end

local function actions(data)
  local rows = { "## Action Items", "", "| ID | Action | Owner | Deadline | Priority |", "|----|--------|-------|----------|----------|" }
  for _, a in ipairs(data.action_items or {}) do
    rows[#rows + 1] = ("| %s | %s | %s | %s | %s |"):format(cell(a.id), cell(a.action), cell(a.owner), cell(a.deadline), cell(a.priority))
  end
  return table.concat(rows, "\n")
end

local function gaps(data, fmt)
  local lines = {}
  for i, g in ipairs(data.gaps or {}) do
    local line = ("%s (%s): %s"):format(g.source or "-", g.plugin or "-", g.reason)
    local w = g.window
    if w and w.start and w["end"] then
      line = line .. (" (%s - %s UTC)"):format(fmt(t(w.start)), fmt(t(w["end"])))
    end
    lines[i] = line
  end
  return "## Data Gaps\n\n" .. list(lines)
end

local function validation(data)
  local lines = {}
  for i, v in ipairs(data.validation) do
    local detail = (v.detail and v.detail ~= "") and (": " .. v.detail) or ""
    if v.ok == true then lines[i] = "[x] " .. v.check .. detail
    elseif v.ok == false then lines[i] = "[ ] " .. v.check .. detail
    else lines[i] = "[~] " .. v.check .. detail .. " (pending)" end
  end
  return "## Validation\n\n" .. list(lines)
end

local function render(data)
  local fmt = time_formatter((table_rows(data)))
  local inc = data.incident
  local blocks = {
    header(data),
    "## Summary\n\n" .. (inc.summary or "No summary yet."),
    impact(data),
    "## Root Cause\n\n" .. (inc.root_cause or data.root_cause or "Not determined yet."),
    timeline(data, fmt),
    factors(data),
    actions(data),
    "## What Went Well\n\n" .. list(data.what_went_well, "not recorded"),
    "## Lessons Learned\n\n" .. list(data.lessons_learned, "not recorded"),
    "## Prevention\n\nSee Action Items above.",
  }
  if data.gaps and #data.gaps > 0 then blocks[#blocks + 1] = gaps(data, fmt) end
  if data.validation and #data.validation > 0 then blocks[#blocks + 1] = validation(data) end
  return table.concat(blocks, "\n\n") .. "\n"
end

return {
  name = "markdown",
  stage = "report",
  version = "0.1.0",
  api = 1,
  description = "The post-mortem as Markdown, in the seed's report template",
  options = {
    file = { type = "string", default = "report.md", doc = "output file name in the out folder" },
    template = { type = "string", doc = "a Mustache template (not used yet: the built-in layout is rendered)" },
  },

  run = function(ctx, opts)
    if opts.template then
      ctx.log.warn("template is not supported yet: rendering the built-in layout")
    end
    ctx.report:write(opts.file, render(ctx.report:data()))
  end,
}
