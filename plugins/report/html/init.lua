-- html: the post-mortem as one self-contained HTML file (report.html): the same sections as
-- report.md, an SVG timeline (sources as lanes, key moments marked, the incident window
-- shaded) and every metric series a collector kept as an SVG chart with its threshold.
-- No script, no font, no image, no link: it opens offline and prints.
local pmx = require "pm.postmortem"
local svg = require "svg"

local function esc(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }))
end

local function list(items, empty)
  if not items or #items == 0 then return ("<p class=\"none\">%s</p>"):format(esc(empty)) end
  local out = {}
  for i, item in ipairs(items) do out[i] = "<li>" .. esc(item) .. "</li>" end
  return "<ul>" .. table.concat(out) .. "</ul>"
end

local function table_of(headers, rows)
  local out = { "<table><thead><tr>" }
  for _, h in ipairs(headers) do out[#out + 1] = "<th>" .. esc(h) .. "</th>" end
  out[#out + 1] = "</tr></thead><tbody>"
  for _, row in ipairs(rows) do
    out[#out + 1] = "<tr>"
    for i = 1, #headers do -- not ipairs: an empty cell (no actor) is nil
      local v = row[i]
      -- row.title: a tooltip on the first cell (the time as the source wrote it).
      local open = (i == 1 and row.title) and ("<td title=\"" .. esc(row.title) .. "\">") or "<td>"
      out[#out + 1] = open .. ((v == nil or v == "") and "-" or esc(v)) .. "</td>"
    end
    out[#out + 1] = "</tr>"
  end
  out[#out + 1] = "</tbody></table>"
  return table.concat(out)
end

local function section(title, body) return ("<section><h2>%s</h2>%s</section>"):format(esc(title), body) end

local STYLE = [[
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; max-width: 1000px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.7em; margin-bottom: .3em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: .93em; }
th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.none { color: #57606a; font-style: italic; }
figure { margin: 1em 0; }
figcaption { font-size: .9em; color: #57606a; }
svg { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
.check-ok { color: #1a7f37; } .check-failed { color: #cf222e; } .check-pending { color: #9a6700; }
@media print {
  body { font-size: 10pt; margin: 0; max-width: none; }
  section, figure, tr { page-break-inside: avoid; }
  h2 { page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
]]

local function header(data)
  local h = pmx.header(data)
  local rows = {
    { "Date", h.date }, { "Duration", h.duration }, { "Severity", h.severity },
    { "Authors", h.authors }, { "Reviewed", h.reviewed },
  }
  local out = { "<header><h1>" .. esc(h.title) .. "</h1><dl class=\"meta\">" }
  for _, r in ipairs(rows) do out[#out + 1] = ("<dt>%s</dt><dd>%s</dd>"):format(esc(r[1]), esc(r[2])) end
  out[#out + 1] = "</dl></header>"
  return table.concat(out)
end

local function factors(data)
  local f = data.factors or {}
  local numbered = {}
  for i, c in ipairs(f.contributing or {}) do
    local label = pmx.factor_label(c)
    local whys = ""
    if c.why_chain and #c.why_chain > 0 then
      local steps = {}
      for j, w in ipairs(c.why_chain) do steps[j] = "<li>" .. esc(w) .. "</li>" end
      whys = "<details><summary>Why chain</summary><ol>" .. table.concat(steps) .. "</ol></details>"
    end
    numbered[i] = "<li>" .. (label and ("<strong>" .. esc(label) .. "</strong>: ") or "") .. esc(c.text) .. whys .. "</li>"
  end
  return table.concat({
    "<h3>Immediate Cause</h3>", list(f.immediate, "none identified"),
    "<h3>Contributing Factors</h3>",
    #numbered > 0 and ("<ol>" .. table.concat(numbered) .. "</ol>") or "<p class=\"none\">none identified</p>",
    "<h3>Systemic Issues</h3>", list(f.systemic, "none identified"),
  })
end

local function validation(data)
  local out = {}
  for i, v in ipairs(data.validation) do
    local class, mark = "check-pending", "pending"
    if v.ok == true then class, mark = "check-ok", "passed" elseif v.ok == false then class, mark = "check-failed", "failed" end
    out[i] = ("<li class=\"%s\"><strong>%s</strong> %s%s</li>"):format(class, mark, esc(v.check),
      (v.detail and v.detail ~= "") and (": " .. esc(v.detail)) or "")
  end
  return "<ul>" .. table.concat(out) .. "</ul>"
end

local function render(data, opts)
  local shown, _, note = pmx.table_rows(data)
  local clock = pmx.clock(shown)
  local inc = data.incident
  local rows = {}
  for i, e in ipairs(shown) do
    rows[i] = { clock(pmx.seconds(e.time)), (e.count and e.count > 1) and ("%s (%d events)"):format(e.event, e.count) or e.event,
      e.source, e.actor }
    if e.time_text then
      rows[i].title = ("%s as written: %s%s"):format(e.source, e.time_text,
        e.time_offset and (" (UTC" .. e.time_offset .. ")") or "")
    end
  end
  local timeline_table = table_of({ "Time", "Event", "Source", "Actor" }, rows)
  -- The time column stays on one line.
  timeline_table = timeline_table:gsub("<tr><td", "<tr><td class=\"time\"")
  if note then timeline_table = timeline_table .. "<p class=\"none\">" .. esc(note) .. "</p>" end
  local actions = {}
  for i, a in ipairs(data.action_items or {}) do actions[i] = { a.id, a.action, a.owner, a.deadline, a.priority } end

  local charts = {}
  local window = { start = pmx.seconds(inc.started_at), finish = pmx.seconds(inc.ended_at) }
  local range = svg.range(data, window, opts.margin_s)
  for i, s in ipairs(data.series or {}) do charts[i] = svg.chart(s, range, window, esc) end

  local parts = {
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    "<meta name=\"generator\" content=\"pmhost " .. esc(pm.version) .. "\">",
    "<title>" .. esc(pmx.header(data).title) .. "</title><style>" .. STYLE .. "</style></head><body>",
    header(data),
    section("Summary", "<p>" .. esc(inc.summary or "No summary yet.") .. "</p>"),
    section("Impact", list(pmx.impact(data), "not recorded")),
    section("Root Cause", "<p>" .. esc(inc.root_cause or "Not determined yet.") .. "</p>"),
    section("Timeline (all times UTC)", svg.timeline(data, range, window, esc, clock) .. timeline_table),
  }
  if #charts > 0 then parts[#parts + 1] = section("Metrics", table.concat(charts)) end
  parts[#parts + 1] = section("Contributing Factors", svg.fishbone(data, esc, pmx.factor_label) .. factors(data))
  parts[#parts + 1] = section("Action Items", table_of({ "ID", "Action", "Owner", "Deadline", "Priority" }, actions))
  parts[#parts + 1] = section("What Went Well", list(data.what_went_well, "not recorded"))
  parts[#parts + 1] = section("Lessons Learned", list(data.lessons_learned, "not recorded"))
  parts[#parts + 1] = section("Prevention", "<p>See Action Items above.</p>")
  if data.gaps and #data.gaps > 0 then
    local lines = {}
    for i, g in ipairs(data.gaps) do lines[i] = pmx.gap_line(g, clock) end
    parts[#parts + 1] = section("Data Gaps", list(lines))
  end
  if data.validation and #data.validation > 0 then parts[#parts + 1] = section("Validation", validation(data)) end
  parts[#parts + 1] = "<footer><p class=\"none\">Generated by pmhost " .. esc(pm.version) .. " from report.json.</p></footer></body></html>\n"
  return table.concat(parts, "\n")
end

return {
  name = "html",
  stage = "report",
  version = "0.1.0",
  api = 1,
  description = "The post-mortem as one self-contained HTML file with an SVG timeline and metric charts",
  options = {
    file = { type = "string", default = "report.html", doc = "output file name in the out folder" },
    margin_s = { type = "number", default = 900,
      doc = "seconds shown before the incident's start and after its end on the timeline and charts" },
  },
  run = function(ctx, opts)
    ctx.report:write(opts.file, render(ctx.report:data(), opts))
  end,
}
