-- pm.mdreport: a hand-written Markdown post-mortem read into the shape of report.json, so
-- that `pmhost validate post-mortem.md` can run the checklist on post-mortems pmhost did
-- not write.
--
--   local data = require("pm.mdreport").read(text, "PM2022-006.md")
--   data.timeline      rows of the Timeline table with an exact time, in document order
--   data.factors       contributing factors (and immediate / systemic when the document has them)
--   data.action_items  from a table (owner, deadline, priority columns) or a list
--   data.imported      { format = "markdown", path, sections = {...}, zone, untimed = {line...}, notes = {...} }
--
-- Sections are found by their heading words (Timeline, Action Items, Contributing Factors,
-- Root Cause, Summary, Lessons Learned, What Went Well, Impact), at any heading level.
local M = {}

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- Offsets of the zone names post-mortems write in table headers or notes ("All times in
-- CET"). Summer time is not guessed: order within one document is what the checks need.
local ZONES = { utc = 0, gmt = 0, z = 0, cet = 1, cest = 2, eet = 2, eest = 3, wet = 0, west = 1,
  bst = 1, est = -5, edt = -4, cst = -6, cdt = -5, mst = -7, mdt = -6, pst = -8, pdt = -7, ist = 5.5,
  jst = 9, aest = 10, aedt = 11 }

local function zone_in(text)
  local lower = " " .. text:lower() .. " "
  for word in lower:gmatch("%f[%w]([%a]+)%f[%W]") do
    if ZONES[word] and word ~= "z" then return word:upper(), ZONES[word] end
  end
  local sign, h, m = lower:match("utc%s*([%+%-])(%d%d?):?(%d%d)")
  if sign then
    local offset = tonumber(h) + tonumber(m) / 60
    return ("UTC%s%s:%s"):format(sign, h, m), sign == "-" and -offset or offset
  end
end

-- "| a | b \| c |" -> { "a", "b | c" }
local function cells(line)
  local out, cur, i = {}, {}, 1
  local s = trim(line):gsub("^|", ""):gsub("|$", "")
  while i <= #s do
    local c = s:sub(i, i)
    if c == "\\" and s:sub(i + 1, i + 1) == "|" then
      cur[#cur + 1] = "|"; i = i + 2
    elseif c == "|" then
      out[#out + 1] = trim(table.concat(cur)); cur = {}; i = i + 1
    else
      cur[#cur + 1] = c; i = i + 1
    end
  end
  out[#out + 1] = trim(table.concat(cur))
  return out
end

local function is_separator(line) return line:match("^%s*|?%s*:?%-%-+:?%s*|") ~= nil or line:match("^%s*:?%-%-+:?%s*|") ~= nil end

-- The document as sections: { title, level, line, lines = { {text, n} } }, code blocks dropped.
local function sections(text)
  local out, title = {}, nil
  local current = { title = "", level = 0, line = 0, lines = {} }
  out[1] = current
  local fence
  local n = 0
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    n = n + 1
    local marker = line:match("^%s*(```+)") or line:match("^%s*(~~~+)")
    if fence then
      if marker and marker:sub(1, 1) == fence:sub(1, 1) and #marker >= #fence then fence = nil end
    elseif marker then
      fence = marker
    else
      local hashes, heading = line:match("^(#+)%s+(.-)%s*#*%s*$")
      if hashes then
        if #hashes == 1 and not title then title = heading end
        current = { title = heading, level = #hashes, line = n, lines = {} }
        out[#out + 1] = current
      else
        current.lines[#current.lines + 1] = { text = line, n = n }
      end
    end
  end
  return out, title
end

-- Tables of a section: { header = {...}, rows = { {cells = {...}, n = line} } }.
local function tables(section)
  local out, i, lines = {}, 1, section.lines
  while i <= #lines do
    local line = lines[i].text
    if line:match("^%s*|") and lines[i + 1] and is_separator(lines[i + 1].text) then
      local t = { header = cells(line), rows = {}, n = lines[i].n }
      i = i + 2
      while i <= #lines and lines[i].text:match("^%s*|") do
        t.rows[#t.rows + 1] = { cells = cells(lines[i].text), n = lines[i].n }
        i = i + 1
      end
      out[#out + 1] = t
    else
      i = i + 1
    end
  end
  return out
end

-- List items of a section (continuation lines joined): { {text, n} }.
local function items(section)
  local out = {}
  for _, l in ipairs(section.lines) do
    local text = l.text:match("^%s*[%-%*%+]%s+(.*)$") or l.text:match("^%s*%d+[%.%)]%s+(.*)$")
    if text then
      out[#out + 1] = { text = trim(text), n = l.n }
    elseif #out > 0 and l.text:match("^%s%s+%S") then
      out[#out].text = out[#out].text .. " " .. trim(l.text)
    end
  end
  return out
end

local function paragraph(section)
  local parts = {}
  for _, l in ipairs(section.lines) do
    if not l.text:match("^%s*|") and trim(l.text) ~= "" then parts[#parts + 1] = trim(l.text) end
  end
  return #parts > 0 and table.concat(parts, " ") or nil
end

-- Markdown emphasis and links reduced to their text: "**Do X**: now" -> "Do X: now".
local function plain(s)
  s = s:gsub("%[([^%]]*)%]%(([^%)]*)%)", "%1"):gsub("%*%*(.-)%*%*", "%1"):gsub("__(.-)__", "%1")
  s = s:gsub("`([^`]*)`", "%1")
  -- Backslash escapes (pm.mdtext writes them: "\<100ms", "\_x"): the character itself.
  s = s:gsub("\\(%p)", "%1")
  return trim(s)
end

local function link(s) return s:match("%((https?://[^%)%s]+)%)") or s:match("(https?://%S+)") end

-- A time cell: "2022-06-07 08:30", "2022/06/07 08:30:15", "08:30" (after a dated row), in
-- the table's zone. Returns seconds, or nil for "HH:mm", "2022-05-??", "unknown".
local function parse_time(cell, zone_offset, last_date)
  local s = plain(cell)
  local y, mo, d, rest = s:match("^(%d%d%d%d)[%-/](%d%d?)[%-/](%d%d?)[T%s]*(.*)$")
  local h, mi, sec = (rest or s):match("^(%d%d?):(%d%d):?(%d?%d?)")
  if not h then return nil end
  if not y then
    if not last_date then return nil end
    y, mo, d = last_date.y, last_date.mo, last_date.d
  end
  local text = ("%04d-%02d-%02dT%02d:%02d:%02dZ"):format(tonumber(y), tonumber(mo), tonumber(d), tonumber(h),
    tonumber(mi), tonumber(sec ~= "" and sec or 0))
  local t = pm.time.parse(text)
  if not t then return nil end
  return t - zone_offset * 3600, { y = y, mo = mo, d = d }
end

local function column(header, words)
  for i, h in ipairs(header) do
    local lower = h:lower()
    for _, w in ipairs(words) do
      if lower:find(w, 1, true) then return i end
    end
  end
end

local function kind_of(title)
  local t = title:lower()
  if t:find("timeline", 1, true) then return "timeline" end
  if t:find("action", 1, true) then return "actions" end
  if t:find("went well", 1, true) then return "went_well" end
  if t:find("lesson", 1, true) then return "lessons" end
  if t:find("immediate", 1, true) or t:find("trigger", 1, true) then return "immediate" end
  if t:find("systemic", 1, true) then return "systemic" end
  if t:find("contributing", 1, true) or t:find("causes", 1, true) or t:find("findings", 1, true) then
    return "factors"
  end
  if t:find("root cause", 1, true) then return "root_cause" end
  if t:find("summary", 1, true) then return "summary" end
  if t:find("impact", 1, true) then return "impact" end
end

-- The date a document states for itself ("**Date**: 2025-02-09", or a title ending in
-- "(2025-02-09)"), for timeline rows that give only a clock time.
local function document_date(text, title)
  local y, mo, d = text:match("%*%*Date%*%*:?%s*(%d%d%d%d)%-(%d%d)%-(%d%d)")
  if not y then y, mo, d = text:match("\nDate:%s*(%d%d%d%d)%-(%d%d)%-(%d%d)") end
  if not y and title then y, mo, d = title:match("(%d%d%d%d)%-(%d%d)%-(%d%d)") end
  return y and { y = y, mo = mo, d = d } or nil
end

function M.read(text, name)
  local secs, title = sections(text)
  local date = document_date(text, title)
  local data = {
    incident = { id = (name or "document"):gsub("%.[^.]*$", ""), title = title, authors = {}, services = {} },
    timeline = {}, key_moments = {}, gaps = {}, validation = {}, action_items = {},
    factors = { immediate = {}, contributing = {}, systemic = {} },
    what_went_well = {}, lessons_learned = {},
    imported = { format = "markdown", path = name, sections = {}, untimed = {}, notes = {} },
  }
  local imp = data.imported
  for _, s in ipairs(secs) do
    local kind = kind_of(s.title)
    if kind then imp.sections[#imp.sections + 1] = s.title end
    if kind == "timeline" then
      local zone_name, offset = zone_in(s.title)
      for _, l in ipairs(s.lines) do
        if not zone_name and not l.text:match("^%s*|") then zone_name, offset = zone_in(l.text) end
      end
      for _, t in ipairs(tables(s)) do
        local tz, toff = zone_in(table.concat(t.header, " "))
        if tz then zone_name, offset = tz, toff end
        local tc = column(t.header, { "time", "date", "when" }) or 1
        local ec = column(t.header, { "event", "description", "what", "action" }) or (tc == 1 and 2 or 1)
        local ac = column(t.header, { "actor", "who", "owner" })
        local sc = column(t.header, { "source" })
        local last_date = date
        for _, row in ipairs(t.rows) do
          local cell = row.cells[tc] or ""
          local seconds, row_date = parse_time(cell, offset or 0, last_date)
          if row_date then last_date = row_date end
          local event = plain(row.cells[ec] or "")
          if seconds then
            data.timeline[#data.timeline + 1] = {
              time = pm.time.format(seconds), event = event ~= "" and event or "(no text)",
              source = sc and plain(row.cells[sc] or "") or "document", actor = ac and plain(row.cells[ac] or "") or nil,
              kind = "note", evidence = { ("%s:%d"):format(name or "document", row.n) }, count = 1,
              sources = { "document" },
            }
          else
            imp.untimed[#imp.untimed + 1] = { line = row.n, time = cell, event = event }
          end
        end
      end
      imp.zone = zone_name or "UTC (no zone stated)"
      if not zone_name then imp.notes[#imp.notes + 1] = "the timeline states no time zone; read as UTC" end
    elseif kind == "actions" then
      local found = false
      for _, t in ipairs(tables(s)) do
        found = true
        local h = t.header
        local cols = {
          id = column(h, { "id", "#" }), action = column(h, { "action", "item", "task", "description", "what" }) or 1,
          owner = column(h, { "owner", "assignee", "who", "responsible" }),
          deadline = column(h, { "deadline", "due", "date", "when" }),
          priority = column(h, { "priority", "prio", "type", "severity" }),
          tracking = column(h, { "ticket", "issue", "tracking", "jira", "link" }),
        }
        for _, row in ipairs(t.rows) do
          local function get(c) local v = c and plain(row.cells[c] or "") or "" return (v ~= "" and v ~= "-") and v or nil end
          data.action_items[#data.action_items + 1] = {
            id = get(cols.id) or ("AI-%d"):format(#data.action_items + 1), action = get(cols.action) or "(no text)",
            owner = get(cols.owner), deadline = get(cols.deadline), priority = get(cols.priority),
            tracking = get(cols.tracking) or link(row.cells[cols.action] or ""), status = "open",
          }
        end
      end
      if not found then
        for _, item in ipairs(items(s)) do
          data.action_items[#data.action_items + 1] = {
            id = ("AI-%d"):format(#data.action_items + 1), action = plain(item.text), tracking = link(item.text),
            status = "open",
          }
        end
      end
    elseif kind == "factors" or kind == "immediate" or kind == "systemic" then
      local list = items(s)
      if #list == 0 then
        local p = paragraph(s)
        if p then list = { { text = p } } end
      end
      for _, item in ipairs(list) do
        local item_text = plain(item.text)
        if kind == "factors" then
          data.factors.contributing[#data.factors.contributing + 1] = { text = item_text, why_chain = {}, evidence = {} }
        else
          local target = kind == "immediate" and data.factors.immediate or data.factors.systemic
          target[#target + 1] = item_text
        end
      end
    elseif kind == "lessons" or kind == "went_well" then
      local target = kind == "lessons" and data.lessons_learned or data.what_went_well
      for _, item in ipairs(items(s)) do target[#target + 1] = plain(item.text) end
    elseif kind == "root_cause" then
      local parts = {}
      for _, item in ipairs(items(s)) do parts[#parts + 1] = plain(item.text) end
      data.incident.root_cause = #parts > 0 and table.concat(parts, " ") or paragraph(s)
    elseif kind == "summary" then
      data.incident.summary = data.incident.summary or paragraph(s)
    elseif kind == "impact" then
      data.incident.impact_text = paragraph(s)
    end
  end
  return data
end

return M
