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
  local lines = {
    "# " .. h.title,
    "",
    "**Date**: " .. h.date,
    "**Duration**: " .. h.duration,
    "**Severity**: " .. h.severity,
    "**Authors**: " .. h.authors,
    "**Reviewed**: " .. h.reviewed,
  }
  -- Follow-through once known, so `pmhost validate report.md` gives report.json's verdict.
  if h.distributed then lines[#lines + 1] = "**Distributed**: " .. h.distributed end
  if h.follow_up then lines[#lines + 1] = "**Follow-up review**: " .. h.follow_up end
  return table.concat(lines, "\n")
end

local function impact(data)
  return "## Impact\n\n" .. list(pmx.impact(data), "not recorded")
end

-- The timeline rows, read in one lazy pass (ctx.timeline:each) into flat columns, never a
-- table per row: { n, t = {}, event = {}, source = {}, actor = {}, count = {}, last = {},
-- outside = rows left out by table_window }. With all = true, table_window is ignored.
local function columns(ctx, data, all)
  local w = data.table_window
  local lo, hi = -math.huge, math.huge
  if not all and w and w.start and w["end"] then lo, hi = t(w.start), t(w["end"]) end
  local c = { n = 0, t = {}, event = {}, source = {}, actor = {}, kind = {}, count = {}, last = {}, outside = 0 }
  local ts, ev, src, act, kinds, counts, lasts = c.t, c.event, c.source, c.actor, c.kind, c.count, c.last
  local n = 0
  for _, at, event, source, actor, kind, count, last in ctx.timeline:each("t", "event", "source", "actor", "kind", "count", "last") do
    if at >= lo and at <= hi then
      n = n + 1
      ts[n], ev[n], src[n], act[n], kinds[n], counts[n] = at, event, source, actor or false, kind, count or 1
      lasts[n] = (type(last) == "string" and t(last)) or last or false
    else
      c.outside = c.outside + 1
    end
  end
  c.n = n
  c.note = pmx.outside_note(w, c.outside)
  if all then
    -- A template also gets the model's `timeline` (as report.json has it): two more fields.
    c.time, c.evidence = {}, {}
    for i, time, evidence in ctx.timeline:each("time", "evidence") do c.time[i], c.evidence[i] = time, evidence or false end
  end
  return c
end

-- A row's event as a cell, with the burst it stands for: "First 5xx errors appear (1,521
-- events until 10:34:45)".
local function event_cell(c, i, fmt)
  local text = cell(c.event[i])
  local count = c.count[i]
  if count and count > 1 then
    local last = c.last[i]
    text = text .. (last and (" (%s events until %s)"):format(pmx.thousands(count), fmt(last))
      or (" (%s events)"):format(pmx.thousands(count)))
  end
  return text
end

local HEAD = { "| Time | Event | Source | Actor |", "|----------|-------|--------|-------|" }

-- The table lines of rows `which` (a list of indexes; nil for all), appended to `out`.
-- Sources and actors are a handful of texts repeated on every row: each is escaped once.
local function cached_cells()
  local seen = {}
  return function(v)
    if not v then return "-" end
    local text = seen[v]
    if not text then
      text = cell(v)
      seen[v] = text
    end
    return text
  end
end

local function table_lines(out, c, fmt, which)
  out[#out + 1] = HEAD[1]
  out[#out + 1] = HEAD[2]
  local source, actor = cached_cells(), cached_cells()
  local function add(i)
    out[#out + 1] = ("| %s | %s | %s | %s |"):format(fmt(c.t[i]), event_cell(c, i, fmt), source(c.source[i]),
      actor(c.actor[i]))
  end
  if which then
    for _, i in ipairs(which) do add(i) end
  else
    for i = 1, c.n do add(i) end
  end
  return out
end

-- A relative link target: anything but plain path characters percent-encoded.
local function href(name)
  return (name:gsub("[^%w%-%._~/]", function(ch) return ("%%%02X"):format(ch:byte()) end))
end

local MOMENT_NAMES = {
  { "impact_start", "impact start" }, { "detected", "detected" }, { "paged", "paged" },
  { "acknowledged", "acknowledged" }, { "mitigated", "mitigated" }, { "resolved", "resolved" },
}

-- A long timeline (more than max_rows rows): the body keeps the rows at key moments' times
-- and the bursts (count > 1; the largest ones when there are more than max_rows), and
-- says where the full table is.
local function long_timeline(out, data, c, fmt, opts)
  local at_moment, moments = {}, {}
  for _, m in ipairs(MOMENT_NAMES) do
    local s = t((data.key_moments or {})[m[1]])
    if s then
      at_moment[s] = true
      moments[#moments + 1] = m[2] .. " " .. fmt(s)
    end
  end
  local keep, bursts, nkeep = {}, {}, 0
  for i = 1, c.n do
    if at_moment[c.t[i]] then
      keep[i] = true
      nkeep = nkeep + 1
    elseif c.count[i] > 1 then
      bursts[#bursts + 1] = i
    end
  end
  local room = math.max(0, opts.max_rows - nkeep)
  local dropped = 0
  if #bursts > room then
    -- The largest bursts (ties: the earlier one), then back in time order.
    table.sort(bursts, function(a, b)
      if c.count[a] ~= c.count[b] then return c.count[a] > c.count[b] end
      return a < b
    end)
    dropped = #bursts - room
  end
  for k = 1, math.min(#bursts, room) do keep[bursts[k]] = true end
  local which = {}
  for i = 1, c.n do
    if keep[i] then which[#which + 1] = i end
  end
  local link = ("[%s](%s)"):format(md.text(opts.appendix), href(opts.appendix))
  out[#out + 1] = ("%s rows from %s to %s: this table keeps %s of them, the rows at key moments and the %s; "
    .. "the full table is in %s."):format(pmx.thousands(c.n), fmt(c.t[1]), fmt(c.t[c.n]), pmx.thousands(#which),
      dropped > 0 and ("%s largest bursts (of %s)"):format(pmx.thousands(#bursts - dropped), pmx.thousands(#bursts))
        or "bursts (repeated events, with their counts)",
      link)
  out[#out + 1] = ""
  if #moments > 0 then
    out[#out + 1] = "**Key moments**: " .. table.concat(moments, ", ")
    out[#out + 1] = ""
  end
  return table_lines(out, c, fmt, which)
end

local function timeline(data, c, fmt, opts)
  local out = { "## Timeline (all times UTC)", "" }
  if c.n > opts.max_rows then
    long_timeline(out, data, c, fmt, opts)
  else
    table_lines(out, c, fmt)
  end
  if c.note then
    out[#out + 1] = ""
    out[#out + 1] = c.note
  end
  return table.concat(out, "\n")
end

-- The appendix: every row of the table, for a timeline too long for the body.
local function appendix(data, c, fmt, opts)
  local h = header_text(data)
  local out = {
    "# Timeline: " .. h.title,
    "",
    ("All %s rows of the timeline of [%s](%s) (all times UTC)."):format(pmx.thousands(c.n), md.text(opts.file),
      href(opts.file)),
    "",
  }
  table_lines(out, c, fmt)
  if c.note then
    out[#out + 1] = ""
    out[#out + 1] = c.note
  end
  return table.concat(out, "\n") .. "\n"
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

local function render(data, c, fmt, opts)
  local inc = data.incident
  local blocks = {
    header(data),
    "## Summary\n\n" .. (inc.summary and md.block(inc.summary) or "No summary yet."),
    impact(data),
    "## Root Cause\n\n" .. md.block(inc.root_cause or data.root_cause or "Not determined yet."),
    timeline(data, c, fmt, opts),
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
-- has it; its timeline rows with time, event, source, actor, kind, evidence, count, last)
-- plus ready-made text, so a template needs no logic. Every string in it is Markdown text
-- already (pm.mdtext), whether written {{x}} or {{{x}}}:
--   header.{title,date,duration,severity,authors,reviewed}, impact_lines[],
--   timeline_rows[].{time,event,source,actor,kind,count,until} (cells, `|` escaped; times dated
--     by pm.postmortem's rule; until: the last time of a burst (count > 1), else nil),
--   contributing[].{n,label,text,why_chain[]}, action_rows[].{id,action,owner,deadline,priority,status},
--   gap_lines[], checks[].{mark,check,detail,ok}, has_gaps, has_validation, has_actions,
--   causal_graph (the fishbone as a Mermaid block; {{{causal_graph}}} or {{causal_graph}}).
local function view(data, rows, clock)
  local v = md.model(data)
  v.header = header_text(data)
  v.impact_lines = pmx.impact(data)
  v.root_cause = md.block(data.incident.root_cause or "Not determined yet.")
  v.summary = md.block(data.incident.summary or "No summary yet.")
  v.timeline_rows = {}
  for i = 1, rows.n do
    local count = rows.count[i]
    v.timeline_rows[i] = { time = clock(rows.t[i]), event = cell(rows.event[i]), source = cell(rows.source[i]),
      actor = cell(rows.actor[i] or nil), kind = md.text(rows.kind[i]), count = count,
      ["until"] = count > 1 and rows.last[i] and clock(rows.last[i]) or nil }
  end
  -- The model's timeline, which data{ timeline = false } left out, from the same columns.
  v.timeline = {}
  for i = 1, rows.n do
    v.timeline[i] = { time = rows.time[i], event = md.text(rows.event[i]), source = md.text(rows.source[i]),
      actor = rows.actor[i] and md.text(rows.actor[i]) or nil, kind = md.text(rows.kind[i]),
      evidence = rows.evidence[i] and md.text(rows.evidence[i]) or nil, count = rows.count[i],
      last = rows.last[i] and pm.time.format(rows.last[i], "rfc3339") or nil }
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
    max_rows = { type = "integer", default = 200, min = 1,
      doc = "a timeline with more rows keeps only the rows at key moments and the bursts in the report; the full table goes to `appendix`" },
    appendix = { type = "string", default = "timeline.md",
      doc = "file (in the out folder) for the full timeline table when it has more than max_rows rows; linked from the report" },
    fishbone = { type = "boolean", default = false,
      doc = "add the causal graph (fishbone) as a Mermaid diagram under Contributing Factors (not in the seed's template)" },
    template = { type = "file",
      doc = "a Mustache template file (relative to the pipeline) rendered instead of the seed's layout; see the view in plugins/report/markdown/init.lua" },
  },

  run = function(ctx, opts)
    -- The model without its timeline, whose rows are read lazily: a table per row is most
    -- of the time and memory on a real-size incident.
    local data = ctx.report:data { timeline = false }
    if opts.template then
      -- A template sees every row (as report.json has them), not only table_window's.
      local c = columns(ctx, data, true)
      local clock = pmx.clock_for(data, c.t[1], c.t[c.n])
      local ok, text = pcall(pm.template.render, ctx.fs.read(opts.template), view(data, c, clock), { escape = "none" })
      if not ok then error(("template %s: %s"):format(opts.template, tostring(text):gsub("^pm%.template%.render: ", "")), 0) end
      ctx.report:write(opts.file, text)
    else
      if opts.appendix == opts.file then
        error(("appendix and file are both %q: the full timeline would overwrite the report"):format(opts.file), 0)
      end
      local c = columns(ctx, data)
      local fmt = pmx.clock_for(data, c.t[1], c.t[c.n])
      ctx.report:write(opts.file, render(data, c, fmt, opts))
      if c.n > opts.max_rows then ctx.report:write(opts.appendix, appendix(data, c, fmt, opts)) end
    end
  end,
}
