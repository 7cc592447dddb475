-- pm.logtext: what the log collectors share (kubectl-logs, nginx-access, log-pattern), and
-- any plugin may use: `local logtext = require "pm.logtext"`.
--
--   logtext.event_text(s)         --> one-line text of at most 200 characters, valid UTF-8
--   logtext.problems(path)        --> a tally of unusable lines, reported as one warning per kind
--   logtext.literal(pattern)      --> the longest plain text every match of a Lua pattern holds
--   logtext.files(ctx, path)      --> the files a path or glob names (an error names the path)
local M = {}

M.MAX = 200 -- characters of an event's text: a timeline row, not a log dump

-- `s` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD, and
-- whether any was.
function M.valid_utf8(s)
  if utf8.len(s) then return s, false end
  local out, i = {}, 1
  while true do
    local ok, bad = utf8.len(s, i)
    if ok then
      out[#out + 1] = s:sub(i)
      break
    end
    out[#out + 1] = s:sub(i, bad - 1)
    out[#out + 1] = "\u{FFFD}"
    i = bad + 1
  end
  return table.concat(out), true
end

-- The text of an event: terminal colour codes dropped, control characters and runs of
-- white space as one space, invalid UTF-8 as U+FFFD, at most `max` (default MAX)
-- characters, cut between characters and then ending in "…". Returns the text and
-- whether some bytes were not UTF-8.
function M.event_text(s, max)
  max = max or M.MAX
  local long = #s > 4 * max + 64
  if long then s = s:sub(1, 4 * max + 64) end -- max characters take at most 4*max bytes
  if s:find("\27", 1, true) then s = s:gsub("\27%[[0-9;?]*[ -/]*[@-~]", "") end
  s = s:gsub("[%s%c]+", " ")
  if s:sub(1, 1) == " " then s = s:sub(2) end
  if s:sub(-1) == " " then s = s:sub(1, -2) end
  local bad
  s, bad = M.valid_utf8(s)
  if long or utf8.len(s) > max then
    local cut = utf8.offset(s, max)
    if cut then s = s:sub(1, cut - 1) end
    s = s:gsub(" $", "") .. "…"
  end
  return s, bad
end

-- A short quoted sample of a line for a warning.
local function sample(s)
  return '"' .. M.event_text(s, 60) .. '"'
end

-- Problems: lines a collector could not use, counted per kind so that a log with 100 000
-- of them gives one warning, naming the first line, not 100 000 warnings.
local Problems = {}
Problems.__index = Problems

function M.problems(path)
  return setmetatable({ path = path, kinds = {}, order = {} }, Problems)
end

-- Counts one line of `kind`; `line` (its text) and `detail` (why) are kept for the first.
function Problems:add(kind, lineno, line, detail)
  local p = self.kinds[kind]
  if p then
    p.count = p.count + 1
    return
  end
  p = { kind = kind, count = 1, lineno = lineno, line = line, detail = detail }
  self.kinds[kind] = p
  self.order[#self.order + 1] = p
end

function Problems:count(kind)
  local p = self.kinds[kind]
  return p and p.count or 0
end

-- One warning per kind. `messages[kind]` = { one = "a line has ...", many = "lines have ...",
-- after = "what was done (and what to do)" }:
--   data/api.log:17: a matching line has no timestamp: "..."; left out of the timeline
--   data/api.log: 120 matching lines have no timestamp (first at line 17: "..."); left out ...
function Problems:warn(ctx, messages)
  for _, p in ipairs(self.order) do
    local m = messages[p.kind]
    local first = p.line and sample(p.line) or ""
    if p.detail then first = first .. (first ~= "" and ", " or "") .. p.detail end
    local text
    if p.count == 1 then
      text = ("%s:%d: %s%s"):format(self.path, p.lineno, m.one, first ~= "" and ": " .. first or "")
    else
      text = ("%s: %d %s (first at line %d%s)"):format(self.path, p.count, m.many, p.lineno,
        first ~= "" and ": " .. first or "")
    end
    ctx.log.warn(m.after and text .. "; " .. m.after or text)
  end
end

-- Where the set starting at `i` (`[`) ends, plus one; nil when it does not end. As in Lua,
-- a `]` first in the set (or after `^`) is a member.
function M.set_end(pattern, i)
  i = i + 1
  if pattern:sub(i, i) == "^" then i = i + 1 end
  repeat
    if i > #pattern then return nil end
    i = i + (pattern:sub(i, i) == "%" and 2 or 1)
  until pattern:sub(i, i) == "]"
  return i + 1
end

-- The longest run of plain characters that any text matching Lua `pattern` contains, or
-- nil when it has none of at least `min` (default 3) characters. The host checks such a
-- run in Swift (`ctx.fs.lines(path, { contains = run })`) before the line reaches Lua, so
-- the prefilter is exact: it drops only lines the pattern could not match.
--   "^(%S+) ERROR (.*)$" --> " ERROR "      "status=5%d%d" --> "status=5"     "%d+" --> nil
function M.literal(pattern, min)
  local best, run = "", {}
  local function finish()
    local s = table.concat(run)
    if #s > #best then best = s end
    run = {}
  end
  local i, n = 1, #pattern
  if pattern:sub(1, 1) == "^" then i = 2 end
  while i <= n do
    local c, char = pattern:sub(i, i), nil -- char: the plain character of this item, if any
    if c == "(" or c == ")" then -- captures match nothing themselves
      i = i + 1
      goto continue
    elseif c == "%" then
      local e = pattern:sub(i + 1, i + 1)
      if e == "b" then
        finish()
        i = i + 4
        goto continue
      elseif e == "f" then
        finish()
        i = M.set_end(pattern, i + 2) or n + 1
        goto continue
      elseif e:find("^%w") then -- a class (%a, %d ...) or a back reference (%1)
        i = i + 2
      else
        char, i = e, i + 2
      end
    elseif c == "[" then
      i = M.set_end(pattern, i) or n + 1
    elseif c == "$" and i == n then
      break
    elseif c == "." then
      i = i + 1
    else
      char, i = c, i + 1
    end
    do
      local q = pattern:sub(i, i)
      if q == "*" or q == "-" or q == "?" then -- may be absent
        finish()
        i = i + 1
      elseif q == "+" then -- there once, then maybe repeated
        if char then run[#run + 1] = char end
        finish()
        i = i + 1
      elseif char then
        run[#run + 1] = char
      else
        finish()
      end
    end
    ::continue::
  end
  finish()
  if #best >= (min or 3) then return best end
  return nil
end

-- nil when `pattern` is a well-formed Lua pattern, else what is wrong, in Lua's words.
-- (Lua itself finds out only when a match reaches the bad part, maybe after hours of log.)
function M.check(pattern)
  local i, n = 1, #pattern
  local open, closed = {}, {} -- capture numbers still open; captures closed
  local count = 0
  while i <= n do
    local c = pattern:sub(i, i)
    if c == "%" then
      local e = pattern:sub(i + 1, i + 1)
      if e == "" then return "malformed pattern (ends with '%')" end
      if e == "b" then
        if i + 3 > n then return "malformed pattern (missing arguments to '%b')" end
        i = i + 4
      elseif e == "f" then
        if pattern:sub(i + 2, i + 2) ~= "[" then return "missing '[' after '%f' in pattern" end
        i = M.set_end(pattern, i + 2)
        if not i then return "malformed pattern (missing ']')" end
      elseif e:find("^%d") then
        local k = tonumber(e)
        if k == 0 or not closed[k] then return "invalid capture index %" .. e end
        i = i + 2
      else
        i = i + 2
      end
    elseif c == "[" then
      i = M.set_end(pattern, i)
      if not i then return "malformed pattern (missing ']')" end
    elseif c == "(" then
      count = count + 1
      open[#open + 1] = count
      i = i + 1
    elseif c == ")" then
      if #open == 0 then return "invalid pattern capture" end
      closed[table.remove(open)] = true
      i = i + 1
    else
      i = i + 1
    end
  end
  if #open > 0 then return "unfinished capture" end
  return nil
end

local COMPRESSED = { gz = true, bz2 = true, xz = true, zst = true, lz4 = true, zip = true }

-- The files `path` names: itself, or the matches of a glob (`*`, `?`, `[...]`, `**`).
-- A path that names nothing is an error naming it (the host records the collector's gap);
-- so is a compressed file, which a glob skips with a warning (rotated logs: access.log.2.gz).
function M.files(ctx, path)
  local function compressed(p) return COMPRESSED[p:match("%.(%w+)$") or ""] end
  if path:find("[*?[]") then
    local list, skipped = {}, {}
    for _, p in ipairs(ctx.fs.glob(path)) do
      if compressed(p) then skipped[#skipped + 1] = p else list[#list + 1] = p end
    end
    local note = ("%d compressed file(s) not read: %s (decompress them to read them)"):format(
      #skipped, table.concat(skipped, ", "))
    if #list == 0 and #skipped > 0 then error(("%s: %s"):format(path, note), 0) end
    if #list == 0 then error(("no file matches %s (paths are relative to the pipeline folder)"):format(path), 0) end
    if #skipped > 0 then ctx.log.warn(("%s: %s"):format(path, note)) end
    return list
  end
  if not ctx.fs.exists(path) then
    error(("cannot read %s: no such file (paths are relative to the pipeline folder)"):format(path), 0)
  end
  if compressed(path) then
    error(("cannot read %s: compressed files are not read (decompress it first, e.g. with gunzip -k)"):format(path), 0)
  end
  return { path }
end

-- The plain text a pattern starts with ("made an? mistake" -> "made a", "%f[%w]improv" ->
-- "improv"), or nil when shorter than two characters: a plain search for it skips a rule
-- whose words are absent (pm.actions, pm.blame).
function M.leading_literal(pattern)
  local p = pattern:gsub("%%f%[%%[wW]%]", "")
  local run = p:match("^[^%%%[%]%(%)%.%*%+%-%?%^%$]*")
  local nextc = p:sub(#run + 1, #run + 1)
  if nextc == "?" or nextc == "*" or nextc == "-" then run = run:sub(1, -2) end
  run = run:gsub("%s+$", "")
  return #run >= 2 and run or nil
end

return M
