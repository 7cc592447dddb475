-- html: the post-mortem as one self-contained HTML file (report.html): the same sections as
-- report.md, an SVG timeline (sources as lanes, key moments marked, the incident window
-- shaded) and every metric series a collector kept as an SVG chart with its threshold.
-- One small inline script filters the timeline table (text, source, kind, time range) by
-- the rows' escaped text and data-* attributes; without it the page shows the whole table.
-- No external script, no font, no image, no link: it opens offline and prints. A long
-- timeline is summarised (max_rows) and drawn as density strips (dots_max).
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
#tl td:nth-child(3), #tl td:nth-child(4) { white-space: nowrap; }
.none { color: #57606a; font-style: italic; }
figure { margin: 1em 0; }
figcaption { font-size: .9em; color: #57606a; }
svg { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
form.filter { display: flex; flex-wrap: wrap; gap: .4em 1em; align-items: baseline; margin: .6em 0; font-size: .93em; }
form.filter output { color: #57606a; }
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

-- The filter above the timeline table: hidden without script (the table shows every row
-- then), shown and wired by FILTER_SCRIPT. Its options are the sources and kinds of the rows.
local function filter_form(sources, kinds, from, to)
  local function options(values)
    local out = { '<option value="">all</option>' }
    for _, v in ipairs(values) do out[#out + 1] = ('<option value="%s">%s</option>'):format(esc(v), esc(v)) end
    return table.concat(out)
  end
  return table.concat {
    '<form id="tl-filter" class="filter" hidden>',
    '<label>Text <input type="search" name="q" placeholder="any text in the row"></label>',
    '<label>Source <select name="source">', options(sources), "</select></label>",
    '<label>Kind <select name="kind">', options(kinds), "</select></label>",
    '<label>From <input type="text" name="from" size="17" placeholder="', esc(from), '"></label>',
    '<label>To <input type="text" name="to" size="17" placeholder="', esc(to), '"></label>',
    '<output id="tl-status"></output></form>',
  }
end

-- The table's filter: shows the rows whose text, source (data-s), kind (data-k) and time
-- (data-t, Unix seconds) match, by toggling `hidden`; it reads the rows, never evaluates
-- them. A URL hash (#q=...&source=...&kind=...&from=...&to=...) sets the filter on load;
-- `perf=1` in it measures layout and scrolling into the status element (for the tests).
local FILTER_SCRIPT = [[
(function () {
  "use strict";
  var form = document.getElementById("tl-filter"), table = document.getElementById("tl");
  if (!form || !table) return;
  var status = document.getElementById("tl-status"), rows = table.tBodies[0].rows, texts = [];
  for (var i = 0; i < rows.length; i++) texts.push(rows[i].textContent.toLowerCase());
  var day = table.getAttribute("data-day");
  function seconds(v) {
    v = v.trim().replace(" ", "T");
    if (!v) return NaN;
    if (/^\d\d:\d\d/.test(v) && day) v = day + "T" + v;
    return Date.parse(v + (/[zZ]|[+-]\d\d:\d\d$/.test(v) ? "" : "Z")) / 1000;
  }
  function apply() {
    var q = form.q.value.trim().toLowerCase(), s = form.source.value, k = form.kind.value;
    var from = seconds(form.from.value), to = seconds(form.to.value), shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], t = +r.getAttribute("data-t");
      var ok = (!s || r.getAttribute("data-s") === s) && (!k || r.getAttribute("data-k") === k) &&
        !(t < from) && !(t > to) && (!q || texts[i].indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) shown++;
    }
    status.textContent = shown + " of " + rows.length + " rows shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  var params = new URLSearchParams(location.hash.slice(1));
  ["q", "source", "kind", "from", "to"].forEach(function (name) {
    if (params.has(name)) form[name].value = params.get(name);
  });
  form.hidden = false;
  var started = performance.now(), t0 = started;
  void document.body.offsetHeight;
  var layout = performance.now() - t0;
  t0 = performance.now();
  apply();
  void document.body.offsetHeight;
  var filtered = performance.now() - t0;
  if (params.get("perf") === "1") {
    var height = document.documentElement.scrollHeight, step = Math.max(innerHeight, 200), worst = 0, steps = 0;
    t0 = performance.now();
    for (var y = 0; y <= height; y += step) {
      var s0 = performance.now();
      scrollTo(0, y);
      document.elementFromPoint(innerWidth / 2, innerHeight / 2);
      worst = Math.max(worst, performance.now() - s0);
      steps++;
    }
    status.setAttribute("data-perf", JSON.stringify({ script_at_ms: Math.round(started), layout_ms: layout,
      filter_ms: filtered, scroll_ms: performance.now() - t0, worst_step_ms: worst, steps: steps, height: height }));
  }
})();
]]

-- The rows the table shows when the window holds more than `max_rows`. The rule, in order,
-- until the budget is spent: the rows at a key moment; bursts (count > 1), the largest first,
-- up to half the budget; errors within 5 minutes of a key moment, the nearest first, up to a
-- quarter; the first and last 20 rows; then rows evenly spaced over the rest.
-- `first`, `last`: the window's rows are indices first..last (the timeline is sorted by time).
local function choose(ctx, first, last, budget, moments)
  local keep, kept = {}, 0
  local function take(i)
    if not keep[i] and kept < budget then keep[i] = true; kept = kept + 1 end
  end
  local function near(t)
    local best = math.huge
    for _, m in ipairs(moments) do best = math.min(best, math.abs(t - m)) end
    return best
  end
  local bursts, errors = {}, {}
  for i, t, kind, count in ctx.timeline.each("t", "kind", "count") do
    if i >= first and i <= last then
      local d = near(t)
      if d < 1 then take(i) end
      if count > 1 then bursts[#bursts + 1] = { i, count } end
      if kind == "error" and d <= 300 then errors[#errors + 1] = { i, d } end
    elseif i > last then
      break
    end
  end
  table.sort(bursts, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  local cap = kept + budget // 2
  for _, b in ipairs(bursts) do
    if kept >= cap then break end
    take(b[1])
  end
  table.sort(errors, function(a, b) return a[2] < b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  cap = math.min(budget, kept + budget // 4)
  for _, e in ipairs(errors) do
    if kept >= cap then break end
    take(e[1])
  end
  for k = 0, 19 do take(first + k); take(last - k) end
  local left = budget - kept
  if left > 0 then
    local stride = (last - first + 1) / left
    for k = 0, left - 1 do
      local i = first + math.floor(k * stride)
      while keep[i] and i < last do i = i + 1 end
      take(i)
    end
  end
  return keep, kept
end

-- The table of the rows left out of the page: per hour (per day past four days) how many,
-- by source and kind.
local function left_out_table(summary, bucket)
  local rows = {}
  for _, b in ipairs(summary.order) do
    local by = summary.by[b]
    local keys = {}
    for key in pairs(by) do keys[#keys + 1] = key end
    table.sort(keys, function(x, y) return by[x] > by[y] or (by[x] == by[y] and x < y) end)
    local parts = {}
    for k, key in ipairs(keys) do
      local source, kind = key:match("^(.-)%z(.*)$")
      parts[k] = ("%s / %s: %s"):format(source, kind, pmx.thousands(by[key]))
    end
    local from = b * bucket
    local period = bucket >= 86400 and pm.time.format(from, "date")
      or (pm.time.format(from, "date") .. " " .. pm.time.format(from, "hm") .. " - " .. pm.time.format(from + bucket, "hm"))
    rows[#rows + 1] = { period, pmx.thousands(summary.n[b]), table.concat(parts, "; ") }
  end
  return table_of({ "Period (UTC)", "Rows left out", "By source / kind" }, rows)
end

local function render(ctx, data, opts)
  local inc = data.incident
  local n = ctx.timeline.count()
  local w = data.table_window
  local wlo, whi = w and pmx.seconds(w.start), w and pmx.seconds(w["end"])
  local moments = {}
  for _, name in ipairs(svg.MOMENTS) do
    local t = data.key_moments and pmx.seconds(data.key_moments[name])
    if t then moments[#moments + 1] = t end
  end

  -- First pass: the window's rows (first..last), the span, the sources and kinds, how many
  -- rows fall in the drawn span (known up front when the incident has its window).
  local window = { start = pmx.seconds(inc.started_at), finish = pmx.seconds(inc.ended_at) }
  local span = svg.range(window, opts.margin_s)
  local first, last, t_first, t_last, tmin, tmax
  local sources, kinds, seen_source, seen_kind = {}, {}, {}, {}
  local drawn = 0
  for i, t, source, kind in ctx.timeline.each("t", "source", "kind") do
    tmin = tmin or t
    tmax = t
    if not seen_source[source] then seen_source[source] = true; sources[#sources + 1] = source end
    if (not wlo or t >= wlo) and (not whi or t <= whi) then
      first, t_first = first or i, t_first or t
      last, t_last = i, t
      if not seen_kind[kind] then seen_kind[kind] = true; kinds[#kinds + 1] = kind end
    end
    if span and t >= span.lo and t <= span.hi then drawn = drawn + 1 end
  end
  local range = span or svg.range(window, opts.margin_s, tmin, tmax)
  if not span then drawn = n end
  local in_window = first and (last - first + 1) or 0
  local outside = n - in_window
  table.sort(kinds)

  -- The clock: dated when the shown rows span more than one UTC day.
  local dated = first and pm.time.format(t_first, "date") ~= pm.time.format(t_last, "date")
  local function clock(s)
    if dated then return pm.time.format(s, "date") .. " " .. pm.time.format(s, "clock") end
    return pm.time.format(s, "clock")
  end

  local keep, kept
  local budget = math.max(math.floor(opts.max_rows), 50)
  if in_window > budget then keep, kept = choose(ctx, first, last, budget, moments) else kept = in_window end

  local timeline = svg.timeline(range, window, sources, {
    dense = drawn > opts.dots_max, esc = esc, clock = clock, moments = data.key_moments })

  -- Second pass: the rows, the drawing, the count of what is left out.
  local view = ctx.timeline.view()
  local rows = {}
  local bucket = (first and t_last - t_first > 4 * 86400) and 86400 or 3600
  local summary = { order = {}, by = {}, n = {} }
  -- The texts of a row (event, actor, time as written) are read only for the rows shown.
  local dense = drawn > opts.dots_max
  for i, t, source, kind, count, until_t in ctx.timeline.each("t", "source", "kind", "count", "last") do
    timeline:add(t, source, kind, count, until_t, not dense and view[i].event or nil)
    if first and i >= first and i <= last then
      if not keep or keep[i] then
        local e = view[i]
        local event, actor = e.event, e.actor
        local text = event
        if count > 1 then
          -- The end's day only when it is not the row's own.
          local until_ = until_t and (pm.time.format(until_t, "date") ~= pm.time.format(t, "date")
            and (pm.time.format(until_t, "date") .. " " .. pm.time.format(until_t, "clock"))
            or pm.time.format(until_t, "clock"))
          text = ("%s (%s events%s)"):format(event, pmx.thousands(count), until_ and (", until " .. until_) or "")
        end
        local title = e.time_text and ("%s as written: %s%s"):format(source, e.time_text,
          e.time_offset and (" (UTC" .. e.time_offset .. ")") or "")
        rows[#rows + 1] = table.concat {
          '<tr data-t="', ("%d"):format(math.floor(t)), '" data-s="', esc(source), '" data-k="', esc(kind),
          '"><td class="time"', title and (' title="' .. esc(title) .. '"') or "", ">", esc(clock(t)), "</td><td>",
          esc(text), "</td><td>", esc(source), "</td><td>", esc(kind), "</td><td>",
          (actor and actor ~= "") and esc(actor) or "-", "</td></tr>",
        }
      else
        local b = math.floor(t / bucket)
        local by = summary.by[b]
        if not by then
          by = {}
          summary.by[b], summary.n[b] = by, 0
          summary.order[#summary.order + 1] = b
        end
        local key = source .. "\0" .. kind
        by[key] = (by[key] or 0) + 1
        summary.n[b] = summary.n[b] + 1
      end
    end
  end

  local day = first and pm.time.format(t_first, "date") or ""
  local function stamp(s) return pm.time.format(s, "date") .. " " .. pm.time.format(s, "hm") end
  local tparts = {
    timeline.svg(),
    filter_form(sources, kinds, first and stamp(t_first) or "2025-02-10 10:00", first and stamp(t_last) or "2025-02-10 12:00"),
    ('<table id="tl" data-day="%s"><thead><tr><th>Time</th><th>Event</th><th>Source</th><th>Kind</th><th>Actor</th></tr></thead><tbody>')
      :format(esc(day)),
    table.concat(rows),
    "</tbody></table>",
  }
  if keep then
    local sentence = "This page shows %s of the %s rows in the incident window: the key moments, the bursts, the errors"
      .. " near the key moments, the first and last rows and rows evenly spaced between them. report.json holds the"
      .. " whole set; the rows left out are counted below."
    tparts[#tparts + 1] = "<p class=\"none\">" .. esc(sentence:format(pmx.thousands(kept), pmx.thousands(in_window))) .. "</p>"
    tparts[#tparts + 1] = "<details><summary>Rows left out, per " .. (bucket >= 86400 and "day" or "hour") .. "</summary>"
      .. left_out_table(summary, bucket) .. "</details>"
  end
  if outside > 0 and w and w.start and w["end"] then
    tparts[#tparts + 1] = "<p class=\"none\">" .. esc(("%d event%s outside the incident window (%s - %s UTC) not shown; report.json keeps them.")
      :format(outside, outside == 1 and "" or "s", w.start, w["end"])) .. "</p>"
  end

  local actions = {}
  for i, a in ipairs(data.action_items or {}) do actions[i] = { a.id, a.action, a.owner, a.deadline, a.priority } end

  local charts = {}
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
    section("Timeline (all times UTC)", table.concat(tparts)),
  }
  if #charts > 0 then parts[#parts + 1] = section("Metrics", table.concat(charts)) end
  parts[#parts + 1] = section("Contributing Factors", svg.fishbone(data, esc, pmx.factor_label) .. factors(data))
  parts[#parts + 1] = section("Action Items", table_of({ "ID", "Action", "Owner", "Deadline", "Priority" }, actions))
  parts[#parts + 1] = section("What Went Well", list(data.what_went_well, "not recorded"))
  parts[#parts + 1] = section("Lessons Learned", list(data.lessons_learned, "not recorded"))
  parts[#parts + 1] = section("Prevention", "<p>See Action Items above.</p>")
  if data.recurrence and #data.recurrence > 0 then
    -- What this incident shares with earlier ones in the archive (pmhost run looked it up).
    local lines = {}
    for i, r in ipairs(data.recurrence) do lines[i] = r.text end
    parts[#parts + 1] = section("Recurrence", list(lines))
  end
  if data.gaps and #data.gaps > 0 then
    local lines = {}
    for i, g in ipairs(data.gaps) do lines[i] = pmx.gap_line(g, clock) end
    parts[#parts + 1] = section("Data Gaps", list(lines))
  end
  if data.validation and #data.validation > 0 then parts[#parts + 1] = section("Validation", validation(data)) end
  parts[#parts + 1] = "<footer><p class=\"none\">Generated by pmhost " .. esc(pm.version) .. " from report.json.</p></footer>"
  parts[#parts + 1] = "<script>" .. FILTER_SCRIPT .. "</script></body></html>\n"
  return table.concat(parts, "\n")
end

return {
  name = "html",
  stage = "report",
  version = "0.1.0",
  api = 2,
  description = "The post-mortem as one self-contained HTML file with an SVG timeline and metric charts",
  options = {
    file = { type = "string", default = "report.html", doc = "output file name in the out folder" },
    margin_s = { type = "number", default = 900, min = 0,
      doc = "seconds shown before the incident's start and after its end on the timeline and charts" },
    max_rows = { type = "integer", default = 2000, min = 1,
      doc = "at most this many timeline rows in the page; past it, a chosen set (key moments, bursts, errors"
        .. " near them, evenly spaced rows) and a count of the rest (report.json holds them all)" },
    dots_max = { type = "integer", default = 1000, min = 0,
      doc = "past this many events in the drawn span, the SVG timeline draws each source as a density strip instead of a dot per event" },
  },
  run = function(ctx, opts)
    ctx.report.write(opts.file, render(ctx, ctx.report.get { timeline = false }, opts))
  end,
}
