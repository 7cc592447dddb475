-- markdown: the post-mortem as the seed's report template (report.md).
--
-- Everything comes from ctx.report.get(), the same model report.json holds, so this
-- file is also a guide to that model. Sections follow the seed: header, Summary,
-- Impact, Root Cause, Timeline, Contributing Factors, Action Items, What Went Well,
-- Lessons Learned, Prevention; then Recurrence (what this incident shares with earlier ones
-- in the archive), Data Gaps and Validation when there are any.
--
-- One rendering mechanism: the seed's layout (layout.lua) and an organisation's own
-- `template` are both Mustache, rendered by pm.template.render over the view below. Every
-- text from the report model goes into the view through pm.mdtext (md.text, md.cell,
-- md.block), so what logs, chat and incident files hold shows as literal text, never as
-- HTML, links, images or Markdown structure; the templates are rendered with escape = "none".

local pmx = require "pm.postmortem"
local md = require "pm.mdtext"
local layout = require "layout"
local t = pmx.seconds
local cell = md.cell

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

-- The timeline rows, read in one lazy pass (ctx.timeline.each) into flat columns, never a
-- table per row: { n, t = {}, event = {}, source = {}, actor = {}, count = {}, last = {},
-- outside = rows left out by table_window, note = the sentence saying so }. The rows are
-- those inside table_window; with all = true every row, and `shown` lists the indexes of
-- those inside table_window (the rows the report's table shows).
local function columns(ctx, data, all)
  local w = data.table_window
  local lo, hi = -math.huge, math.huge
  if w and w.start and w["end"] then lo, hi = t(w.start), t(w["end"]) end
  local c = { n = 0, t = {}, event = {}, source = {}, actor = {}, kind = {}, count = {}, last = {}, outside = 0 }
  local ts, ev, src, act, kinds, counts, lasts = c.t, c.event, c.source, c.actor, c.kind, c.count, c.last
  local shown = all and {} or nil
  local n = 0
  for _, at, event, source, actor, kind, count, last in ctx.timeline.each("t", "event", "source", "actor", "kind", "count", "last") do
    local inside = at >= lo and at <= hi
    if inside or all then
      n = n + 1
      ts[n], ev[n], src[n], act[n], kinds[n], counts[n] = at, event, source, actor or false, kind, count or 1
      lasts[n] = (type(last) == "string" and t(last)) or last or false
      if shown and inside then shown[#shown + 1] = n end
    end
    if not inside then c.outside = c.outside + 1 end
  end
  c.n = n
  c.shown = shown
  c.note = pmx.outside_note(w, c.outside)
  if all then
    -- A template also gets the model's `timeline` (as report.json has it): two more fields.
    c.time, c.evidence = {}, {}
    for i, time, evidence in ctx.timeline.each("time", "evidence") do c.time[i], c.evidence[i] = time, evidence or false end
  end
  return c
end

-- The indexes of the rows inside table_window.
local function shown_rows(c)
  if c.shown then return c.shown end
  local all = {}
  for i = 1, c.n do all[i] = i end
  return all
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

-- Cells of a text repeated on many rows (sources, actors): each is escaped once.
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

-- The table rows of `which` (a list of row indexes), as { time, event, source, actor } cells.
local function table_rows(c, fmt, which)
  local source, actor = cached_cells(), cached_cells()
  local rows = {}
  for k, i in ipairs(which) do
    rows[k] = { time = fmt(c.t[i]), event = event_cell(c, i, fmt), source = source(c.source[i]), actor = actor(c.actor[i]) }
  end
  return rows
end

-- A relative link target: anything but plain path characters percent-encoded.
local function href(name)
  return (name:gsub("[^%w%-%._~/]", function(ch) return ("%%%02X"):format(ch:byte()) end))
end

local MOMENT_NAMES = {
  { "impact_start", "impact start" }, { "detected", "detected" }, { "paged", "paged" },
  { "acknowledged", "acknowledged" }, { "mitigated", "mitigated" }, { "resolved", "resolved" },
}

-- A long timeline (more than max_rows rows shown): the body keeps the rows at key moments'
-- times and the bursts (count > 1; the largest ones when there are more than max_rows).
-- Returns the rows kept and { intro, moments } saying where the full table is.
local function long_timeline(data, c, shown, fmt, opts)
  local at_moment, moments = {}, {}
  for _, m in ipairs(MOMENT_NAMES) do
    local s = t((data.key_moments or {})[m[1]])
    if s then
      at_moment[s] = true
      moments[#moments + 1] = m[2] .. " " .. fmt(s)
    end
  end
  local keep, bursts, nkeep = {}, {}, 0
  for _, i in ipairs(shown) do
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
  for _, i in ipairs(shown) do
    if keep[i] then which[#which + 1] = i end
  end
  local link = ("[%s](%s)"):format(md.text(opts.appendix), href(opts.appendix))
  local intro = ("%s rows from %s to %s: this table keeps %s of them, the rows at key moments and the %s; "
    .. "the full table is in %s."):format(pmx.thousands(#shown), fmt(c.t[shown[1]]), fmt(c.t[shown[#shown]]),
      pmx.thousands(#which),
      dropped > 0 and ("%s largest bursts (of %s)"):format(pmx.thousands(#bursts - dropped), pmx.thousands(#bursts))
        or "bursts (repeated events, with their counts)",
      link)
  return which, { intro = intro, moments = #moments > 0 and table.concat(moments, ", ") or false }
end

-- The view both the seed's layout (layout.lua) and an organisation's Mustache template get:
-- the whole report model (as report.json has it; its timeline rows with time, event,
-- source, actor, kind, evidence, count, last) plus ready-made text, so a template needs no
-- logic. Every string in it is Markdown text already (pm.mdtext), whether written {{x}} or
-- {{{x}}}:
--   header.{title,date,duration,severity,authors,reviewed[,distributed,follow_up]},
--   summary, root_cause (paragraphs), impact_lines[],
--   table_rows[].{time,event,source,actor}: the rows the report's table shows (inside
--     table_window; of a long timeline, the rows at key moments and the bursts), the event
--     with its burst's count ("... (1,521 events until 10:34:45)"),
--   long_timeline.{intro,moments} (a timeline of more than max_rows rows: what the table keeps
--     and where the rest is; moments: "impact start 10:05:23, ..." or false), outside_note
--     (the rows outside table_window not shown, or nil),
--   timeline_rows[].{time,event,source,actor,kind,count,until} (every row, cells, `|`
--     escaped; times dated by pm.postmortem's rule; until: the last time of a burst (count >
--     1), else nil; in a `template` only),
--   immediate[], systemic[], contributing[].{n,label,labelled,text,why_chain[]},
--   action_rows[].{id,action,owner,deadline,priority,status}, went_well[], lessons[],
--   gap_lines[], checks[].{mark,check,detail,has_detail,line,ok,pending}, has_gaps,
--   recurrence_lines[] (each recurrence's sentence: "Third incident in 2025-Q1 with ..."),
--   has_recurrence, has_validation, has_actions, causal_graph (the fishbone as a Mermaid block, nil without
--   factors), causal_graph_shown (the `fishbone` option and a graph to show).
-- `rows` holds the timeline's columns (columns(); every row for a template), `clock` formats
-- their times.
local function view(data, rows, clock, opts)
  local v = md.model(data)
  v.header = header_text(data)
  v.impact_lines = pmx.impact(data)
  v.root_cause = md.block(data.incident.root_cause or data.root_cause or "Not determined yet.")
  v.summary = data.incident.summary and md.block(data.incident.summary) or "No summary yet."
  local shown = shown_rows(rows)
  local which = shown
  if #shown > opts.max_rows then which, v.long_timeline = long_timeline(data, rows, shown, clock, opts) end
  v.table_rows = table_rows(rows, clock, which)
  v.outside_note = rows.note -- (pm.postmortem's sentence: numbers and RFC 3339 times only)
  if rows.time then -- every row, for a template
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
  end
  local f = data.factors or {}
  v.immediate, v.systemic = texts(f.immediate), texts(f.systemic)
  v.went_well, v.lessons = texts(data.what_went_well), texts(data.lessons_learned)
  v.contributing = {}
  for i, c in ipairs(f.contributing or {}) do
    local label = pmx.factor_label(c)
    v.contributing[i] = { n = i, label = md.text(label or "Factor"), labelled = label ~= nil, text = md.text(c.text),
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
    local has_detail = c.detail ~= nil and c.detail ~= ""
    v.checks[i] = { check = md.text(c.check), detail = md.text(c.detail), has_detail = has_detail, ok = c.ok == true,
      pending = c.ok ~= true and c.ok ~= false, mark = c.ok == true and "x" or (c.ok == false and " " or "~"),
      -- the check and its detail as one text, as the seed's layout shows it
      line = md.text(c.check .. (has_detail and (": " .. c.detail) or "")) }
  end
  v.recurrence_lines = {}
  for i, r in ipairs(data.recurrence or {}) do v.recurrence_lines[i] = md.text(r.text) end
  v.has_gaps, v.has_validation, v.has_actions = #v.gap_lines > 0, #v.checks > 0, #v.action_rows > 0
  v.has_recurrence = #v.recurrence_lines > 0
  v.causal_graph = pmx.mermaid(data) -- a Mermaid block, or nil when there are no factors
  v.causal_graph_shown = opts.fishbone == true and v.causal_graph ~= nil
  return v
end

-- `template` (Mustache text) over the view; errors name `name` (the template's file).
local function render(template, v, name)
  local ok, text = pcall(pm.template.render, template, v, { escape = "none" })
  if not ok then error(("template %s: %s"):format(name, tostring(text):gsub("^pm%.template%.render: ", "")), 0) end
  return text
end

return {
  name = "markdown",
  stage = "report",
  version = "0.1.0",
  api = 2,
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
    local data = ctx.report.get { timeline = false }
    if opts.template then
      -- A template sees every row (as report.json has them), not only table_window's.
      local c = columns(ctx, data, true)
      local clock = pmx.clock_for(data, c.t[1], c.t[c.n])
      ctx.report.write(opts.file, render(ctx.fs.read(opts.template), view(data, c, clock, opts), opts.template))
      return
    end
    if opts.appendix == opts.file then
      error(("appendix and file are both %q: the full timeline would overwrite the report"):format(opts.file), 0)
    end
    local c = columns(ctx, data)
    local fmt = pmx.clock_for(data, c.t[1], c.t[c.n])
    local v = view(data, c, fmt, opts)
    ctx.report.write(opts.file, render(layout.report, v, "layout.lua (the seed's)"))
    if c.n > opts.max_rows then
      -- The appendix: every row of the table, for a timeline too long for the body.
      v.table_rows = table_rows(c, fmt, shown_rows(c))
      v.appendix = { count = pmx.thousands(c.n), report = md.text(opts.file), report_href = href(opts.file) }
      ctx.report.write(opts.appendix, render(layout.appendix, v, "layout.lua (the appendix's)"))
    end
  end,
}
