-- markdown: the post-mortem as the seed's report template (report.md).
--
-- Everything comes from ctx.report:data(), the same model report.json holds, so this
-- file is also a guide to that model. Sections follow the seed: header, Summary,
-- Impact, Root Cause, Timeline, Contributing Factors, Action Items, What Went Well,
-- Lessons Learned, Prevention; then Data Gaps and Validation when there are any.

local pmx = require "pm.postmortem"
local t = pmx.seconds

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
  local h = pmx.header(data)
  return table.concat({
    "# " .. h.title,
    "",
    "**Date**: " .. h.date,
    "**Duration**: " .. h.duration,
    "**Severity**: " .. h.severity,
    "**Authors**: " .. h.authors,
    "**Reviewed**: " .. h.reviewed,
  }, "\n")
end

local function impact(data)
  return "## Impact\n\n" .. list(pmx.impact(data), "not recorded")
end

local function timeline(data, fmt)
  local rows = { "## Timeline (all times UTC)", "", "| Time | Event | Source | Actor |", "|----------|-------|--------|-------|" }
  for _, e in ipairs(data.timeline or {}) do
    rows[#rows + 1] = ("| %s | %s | %s | %s |"):format(fmt(t(e.time)), cell(e.event), cell(e.source), cell(e.actor))
  end
  return table.concat(rows, "\n")
end

local function factors(data)
  local f = data.factors or {}
  local numbered = {}
  for i, c in ipairs(f.contributing or {}) do
    local label = pmx.factor_label(c)
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
  for i, g in ipairs(data.gaps or {}) do lines[i] = pmx.gap_line(g, fmt) end
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
  local fmt = pmx.clock(data.timeline or {})
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
