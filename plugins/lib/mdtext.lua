-- pm.mdtext: the one Markdown escaper. Text that comes from evidence, incident or answer
-- files (log lines, chat messages, titles, owners) goes into Markdown only through it, so it
-- shows as the literal text under any CommonMark / GFM renderer: no raw HTML, no image, link
-- or autolink (GFM's bare http:// and www. links too), no emphasis, code span,
-- strikethrough or math, no heading, list or quote.
--
--   local md = require "pm.mdtext"
--   md.text(s)   --> s as inline text on one line ("<script>" -> "\<script>")
--   md.cell(s)   --> s as a table cell: md.text, and "|" escaped; "-" for nil or ""
--   md.block(s)  --> s as paragraphs: md.text of each, blank lines between them kept
--   md.model(v)  --> a copy of a value with every string in it passed through md.text (for templates)
local M = {}

-- Control characters (C0 with tab, CR and LF, DEL, and C1 as UTF-8) would end the line,
-- the list item or the table row: each run of them becomes one space.
local function flat(s)
  return (s:gsub("\xC2[\x80-\x9F]", "\1"):gsub("%c+", " "))
end

-- Punctuation that opens something wherever it stands: \ escapes, ` code, * and _ emphasis,
-- [ ] links and images (so "![" and "[x](javascript:" are plain text), < raw HTML and
-- autolinks, ~ strikethrough, | a table cell, $ GitHub's math. CommonMark lets a backslash
-- escape any ASCII punctuation, and the renderer shows the character itself.
local ALWAYS = { ["\\"] = true, ["`"] = true, ["*"] = true, ["["] = true, ["]"] = true, ["<"] = true,
  ["~"] = true, ["|"] = true, ["$"] = true }

function M.text(v)
  if v == nil then return "" end
  local s = flat(tostring(v)):gsub("^ +", ""):gsub(" +$", "")
  s = s:gsub("()([%p])", function(at, c)
    if ALWAYS[c] then return "\\" .. c end
    -- "_" inside a word ("api_service") cannot open emphasis: left as it is, for readability.
    if c == "_" and not (s:sub(at - 1, at - 1):match("%w") and s:sub(at + 1, at + 1):match("%w")) then
      return "\\_"
    end
    -- "&lt;" would be read as the entity "<": shown as typed instead.
    if c == "&" and s:match("^&#?%w+;", at) then return "\\&" end
    -- GFM's autolink extension makes a link of a bare "http://..." or "www....": an escaped
    -- ":" or "." keeps the URL plain text (an e-mail address stays a mailto: link, which no
    -- escape prevents).
    if c == ":" and s:sub(at + 1, at + 2) == "//" then return "\\:" end
    if c == "." and at > 3 and s:sub(at - 3, at - 1):lower() == "www" then return "\\." end
  end)
  -- At the start of a line (or of a list item's text): heading, quote, list, setext, break.
  s = s:gsub("^([#>+=%-])", "\\%1"):gsub("^(%d+)([%.%)])", "%1\\%2")
  -- At the end of a heading (`# {{incident.title}}`), " ###" would be its closing sequence
  -- and vanish.
  s = s:gsub(" (#+)$", " \\%1")
  return s
end

function M.cell(v)
  if v == nil or v == "" then return "-" end
  -- md.text escapes "|" already: a GFM table cell needs nothing more.
  return M.text(v)
end

function M.block(v)
  if v == nil then return "" end
  local paragraphs = {}
  for p in (tostring(v):gsub("\r\n?", "\n") .. "\n\n"):gmatch("(.-)\n[ \t]*\n") do
    local t = M.text(p)
    if t ~= "" then paragraphs[#paragraphs + 1] = t end
  end
  return table.concat(paragraphs, "\n\n")
end

function M.model(v)
  if type(v) == "string" then return M.text(v) end
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = M.model(x) end
  return out
end

return M
