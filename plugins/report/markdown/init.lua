-- markdown: the post-mortem as the seed's report template (report.md).
--
-- Everything comes from ctx.report:data(), the same model report.json holds, so this
-- file is also a guide to that model. Sections follow the seed: header, Summary,
-- Impact, Root Cause, Timeline, Contributing Factors, Action Items, What Went Well,
-- Lessons Learned, Prevention; then Data Gaps and Validation when there are any.

-- Every text from the report model goes in through pm.mdtext (md.text, md.cell, md.block),
-- so what logs, chat and incident files hold shows as literal text, never as HTML, links,
-- images or Markdown structure.

local pmx = require "pm.postmortem"
local md = require "pm.mdtext"
local t = pmx.seconds
local cell = md.cell

local function list(items, empty)
  if not items or #items == 0 then return "- " .. empty end
  local lines = {}
  for i, item in ipairs(items) do lines[i] = "- " .. item end
  return table.concat(lines, "\n")
end

-- A list of texts from the model as Markdown text.
local function texts(items)
  local out = {}
  for i, item in ipairs(items or {}) do out[i] = md.text(item) end
  return out
end

-- pmx.header's fields as Markdown text ("-", its word for none, as it is).
local function header_text(data)
  local h = {}
  for k, v in pairs(pmx.header(data)) do h[k] = v == "-" and v or md.text(v) end
  return h
end

local function header(data)
  local h = header_text(data)
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
  local shown, _, note = pmx.table_rows(data)
  for _, e in ipairs(shown) do
    rows[#rows + 1] = ("| %s | %s | %s | %s |"):format(fmt(t(e.time)), cell(e.event), cell(e.source), cell(e.actor))
  end
  if note then
    rows[#rows + 1] = ""
    rows[#rows + 1] = note
  end
  return table.concat(rows, "\n")
end

local function factors(data)
  local f = data.factors or {}
  local numbered = {}
  for i, c in ipairs(f.contributing or {}) do
    local label = pmx.factor_label(c)
    numbered[i] = label and ("%d. **%s**: %s"):format(i, md.text(label), md.text(c.text))
      or ("%d. %s"):format(i, md.text(c.text))
  end
  return table.concat({
    "## Contributing Factors",
    "",
    "### Immediate Cause",
    list(texts(f.immediate), "none identified"),
    "",
    "### Contributing Factors",
    #numbered > 0 and table.concat(numbered, "\n") or "- none identified",
    "",
    "### Systemic Issues",
    list(texts(f.systemic), "none identified"),
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
  for i, g in ipairs(data.gaps or {}) do lines[i] = md.text(pmx.gap_line(g, fmt)) end
  return "## Data Gaps\n\n" .. list(lines)
end

local function validation(data)
  local lines = {}
  for i, v in ipairs(data.validation) do
    local text = md.text(v.check .. ((v.detail and v.detail ~= "") and (": " .. v.detail) or ""))
    if v.ok == true then lines[i] = "[x] " .. text
    elseif v.ok == false then lines[i] = "[ ] " .. text
    else lines[i] = "[~] " .. text .. " (pending)" end
  end
  return "## Validation\n\n" .. list(lines)
end

local function render(data, opts)
  local fmt = pmx.clock((pmx.table_rows(data)))
  local inc = data.incident
  local blocks = {
    header(data),
    "## Summary\n\n" .. (inc.summary and md.block(inc.summary) or "No summary yet."),
    impact(data),
    "## Root Cause\n\n" .. md.block(inc.root_cause or data.root_cause or "Not determined yet."),
    timeline(data, fmt),
    factors(data) .. (opts.fishbone and pmx.mermaid(data) and ("\n\n### Causal Graph\n\n" .. pmx.mermaid(data)) or ""),
    actions(data),
    "## What Went Well\n\n" .. list(texts(data.what_went_well), "not recorded"),
    "## Lessons Learned\n\n" .. list(texts(data.lessons_learned), "not recorded"),
    "## Prevention\n\nSee Action Items above.",
  }
  if data.gaps and #data.gaps > 0 then blocks[#blocks + 1] = gaps(data, fmt) end
  if data.validation and #data.validation > 0 then blocks[#blocks + 1] = validation(data) end
  return table.concat(blocks, "\n\n") .. "\n"
end

-- What an organisation's Mustache template gets: the whole report model (as report.json
-- has it) plus ready-made text, so a template needs no logic. Every string in it is
-- Markdown text already (pm.mdtext), whether written {{x}} or {{{x}}}:
--   header.{title,date,duration,severity,authors,reviewed}, impact_lines[],
--   timeline_rows[].{time,event,source,actor,kind,count} (cells, `|` escaped),
--   contributing[].{n,label,text,why_chain[]}, action_rows[].{id,action,owner,deadline,priority,status},
--   gap_lines[], checks[].{mark,check,detail,ok}, has_gaps, has_validation, has_actions,
--   causal_graph (the fishbone as a Mermaid block; {{{causal_graph}}} or {{causal_graph}}).
local function view(data)
  local v = md.model(data)
  local clock = pmx.clock(data.timeline or {})
  v.header = header_text(data)
  v.impact_lines = pmx.impact(data)
  v.root_cause = md.block(data.incident.root_cause or "Not determined yet.")
  v.summary = md.block(data.incident.summary or "No summary yet.")
  v.timeline_rows = {}
  for i, e in ipairs(data.timeline or {}) do
    v.timeline_rows[i] = { time = clock(t(e.time)), event = cell(e.event), source = cell(e.source),
      actor = cell(e.actor), kind = md.text(e.kind), count = e.count }
  end
  v.contributing = {}
  for i, c in ipairs((data.factors or {}).contributing or {}) do
    v.contributing[i] = { n = i, label = md.text(pmx.factor_label(c) or "Factor"), text = md.text(c.text),
      why_chain = texts(c.why_chain) }
  end
  v.action_rows = {}
  for i, a in ipairs(data.action_items or {}) do
    v.action_rows[i] = { id = cell(a.id), action = cell(a.action), owner = cell(a.owner), deadline = cell(a.deadline),
      priority = cell(a.priority), status = cell(a.status) }
  end
  v.gap_lines = {}
  for i, g in ipairs(data.gaps or {}) do v.gap_lines[i] = md.text(pmx.gap_line(g, clock)) end
  v.checks = {}
  for i, c in ipairs(data.validation or {}) do
    v.checks[i] = { check = md.text(c.check), detail = md.text(c.detail), ok = c.ok == true,
      mark = c.ok == true and "x" or (c.ok == false and " " or "~") }
  end
  v.has_gaps, v.has_validation, v.has_actions = #v.gap_lines > 0, #v.checks > 0, #v.action_rows > 0
  v.causal_graph = pmx.mermaid(data) -- a Mermaid block, or nil when there are no factors
  return v
end

return {
  name = "markdown",
  stage = "report",
  version = "0.1.0",
  api = 1,
  description = "The post-mortem as Markdown, in the seed's report template",
  options = {
    file = { type = "string", default = "report.md", doc = "output file name in the out folder" },
    fishbone = { type = "boolean", default = false,
      doc = "add the causal graph (fishbone) as a Mermaid diagram under Contributing Factors (not in the seed's template)" },
    template = { type = "string",
      doc = "a Mustache template file (relative to the pipeline) rendered instead of the seed's layout; see the view in plugins/report/markdown/init.lua" },
  },

  run = function(ctx, opts)
    local data = ctx.report:data()
    if opts.template then
      local ok, text = pcall(pm.template.render, ctx.fs.read(opts.template), view(data), { escape = "none" })
      if not ok then error(("template %s: %s"):format(opts.template, tostring(text):gsub("^pm%.template%.render: ", "")), 0) end
      ctx.report:write(opts.file, text)
    else
      ctx.report:write(opts.file, render(data, opts))
    end
  end,
}
