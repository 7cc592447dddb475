-- pm.logtext: the text of inputs, for every collector (the log collectors kubectl-logs,
-- nginx-access and log-pattern; pm.jsoninput and the JSON collectors), and any plugin may
-- use it: `local logtext = require "pm.logtext"`.
--
--   logtext.event_text(s [, max]) --> one-line text of at most 200 characters, valid UTF-8; and
--                                     whether some bytes were not UTF-8
--   logtext.valid_utf8(s)         --> s with bytes that are not UTF-8 as U+FFFD; the first such byte, or nil
--   logtext.problems(ctx [, path]) --> the one tally of input problems: unusable lines, bad
--                                     values, one warning per kind (not one per line)
--   logtext.literal(pattern)      --> the longest plain text every match of a Lua pattern holds
--   logtext.leading_literal(p)    --> the plain text a pattern starts with (rule prefilters)
--   logtext.escape(s)             --> s as a Lua pattern that matches it literally
--   logtext.word_set(text)        --> { word = true } of the words of a text (word lists of rules)
--   logtext.unknown_keys(t, known) --> the keys of t that known (a set) lacks, sorted, as text
--   logtext.item_lines(text)      --> the line of each item of a YAML document's top-level list
--   logtext.check(pattern)        --> why a Lua pattern cannot work, or nil
--   logtext.files(ctx, path)      --> the files a path or glob names (an error names the path)
local M = {}

M.MAX = 200 -- characters of an event's text: a timeline row, not a log dump

-- `s` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD, and
-- the position of the first such byte in `s` (nil when there is none). The one UTF-8 check:
-- event texts, JSON documents and webhook lines all go through it.
function M.valid_utf8(s)
  local ok, bad = utf8.len(s)
  if ok then return s, nil end
  local first, out, i = bad, {}, 1
  while bad do
    out[#out + 1] = s:sub(i, bad - 1)
    out[#out + 1] = "\u{FFFD}"
    i = bad + 1
    bad = select(2, utf8.len(s, i))
  end
  out[#out + 1] = s:sub(i)
  return table.concat(out), first
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
  bad = bad ~= nil
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

-- Problems: what a collector could not use (lines without a time, values of the wrong
-- type, bytes that are not UTF-8), counted per kind so that a log with 100 000 of them gives
-- one warning per kind, naming the first places, not 100 000 warnings.
--
--   local problems = logtext.problems(ctx [, path])
--   problems:add(kind, where, detail [, line])
--     kind   groups alike problems ("no_time", "bad value");
--     where  the place: a line number of `path` (17), or a place as text
--            ("x.json: data.result[1].values[4][2]", "data/hook.log:3");
--     detail what was wrong there and what was done (or nil); line: the line's text, quoted
--            in the warning (or nil). The first SHOWN places of a kind are kept.
--   problems:count(kind)  --> how many of `kind` so far
--   problems:warn([messages]) warns once per kind (call it once, at the end). A kind with an entry
--     in `messages` (`{ one = "a line has ...", many = "lines have ...", after = "what was
--     done" }`) is worded per line of `path`:
--       data/api.log:17: a matching line has no timestamp: "..."; left out of the timeline
--       data/api.log: 120 matching lines have no timestamp (first at line 17: "..."); left out ...
--     any other kind by its places and first detail:
--       x.json: data.result[1].values[4][2]: "lots" is not a sample value; sample skipped
--       (3 times; also at x.json: data.result[1].values[5][2], ...)
local SHOWN = 4 -- places named in a warning

local Problems = {}
Problems.__index = Problems

function M.problems(ctx, path)
  return setmetatable({ ctx = ctx, path = path, kinds = {}, order = {} }, Problems)
end

function Problems:add(kind, where, detail, line)
  local p = self.kinds[kind]
  if not p then
    p = { kind = kind, count = 0, places = {}, line = line, detail = detail }
    self.kinds[kind] = p
    self.order[#self.order + 1] = p
  end
  p.count = p.count + 1
  if #p.places < SHOWN then p.places[#p.places + 1] = where end
end

function Problems:count(kind)
  local p = self.kinds[kind]
  return p and p.count or 0
end

-- Where a place is: "path:17" for a line number of the tally's file, the text otherwise.
function Problems:place(where)
  if math.type(where) == "integer" and self.path then return ("%s:%d"):format(self.path, where) end
  return tostring(where)
end

-- One kind's warning.
function Problems:text(p, m)
  -- What was found at the first place: the line quoted, then the detail.
  local first = p.line and sample(p.line) or ""
  if p.detail then first = first .. (first ~= "" and ", " or "") .. p.detail end
  if m then -- worded per line of the tally's file
    local text
    if p.count == 1 then
      text = ("%s: %s%s"):format(self:place(p.places[1]), m.one, first ~= "" and ": " .. first or "")
    else
      text = ("%s: %d %s (first at line %s%s)"):format(self.path, p.count, m.many, tostring(p.places[1]),
        first ~= "" and ": " .. first or "")
    end
    return m.after and text .. "; " .. m.after or text
  end
  local text = self:place(p.places[1]) .. (first ~= "" and ": " .. first or "")
  if p.count == 1 then return text end
  local more = {}
  for i = 2, #p.places do more[#more + 1] = self:place(p.places[i]) end
  if p.count > SHOWN then more[#more + 1] = "..." end
  return ("%s (%d times; also at %s)"):format(text, p.count, table.concat(more, ", "))
end

function Problems:warn(messages)
  for _, p in ipairs(self.order) do self.ctx.log.warn(self:text(p, messages and messages[p.kind])) end
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

-- `s` with every punctuation character escaped: a Lua pattern that matches `s` as written.
function M.escape(s) return (s:gsub("%p", "%%%0")) end

-- The set of the words (runs of non-space) of `text`: { word = true }. The rule lists of
-- pm.blame and pm.actions are written as such texts.
function M.word_set(text)
  local set = {}
  for w in text:gmatch("%S+") do set[w] = true end
  return set
end

-- The keys of the table `t` that the set `known` lacks, as sorted text: what an input file
-- (an actions file, severity rules) holds that its reader would ignore.
function M.unknown_keys(t, known)
  local extra = {}
  for k in pairs(t) do if type(k) ~= "string" or not known[k] then extra[#extra + 1] = tostring(k) end end
  table.sort(extra)
  return extra
end

-- The line of each item of the top-level list of a YAML text (`- ...` at the least indent
-- a dash has outside comments and block scalars), so that a problem with item 3 of an input
-- file names its line. Items of a flow list (`[a, b]`) have no line of their own: empty.
function M.item_lines(text)
  local dashes, least = {}, math.huge
  local n, scalar_indent = 0, nil
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local indent, rest = line:match("^( *)(.*)$")
    -- Inside a block scalar (| or >) lines are text, not items.
    local in_scalar = scalar_indent and (rest == "" or #indent > scalar_indent)
    if not in_scalar then
      scalar_indent = nil
      if rest:match("^%-%s") or rest == "-" then
        dashes[#dashes + 1] = { n = n, indent = #indent }
        if #indent < least then least = #indent end
      end
      if rest:match("[|>][%-+]?%s*$") and not rest:match("^#") then scalar_indent = #indent end
    end
  end
  local lines = {}
  for _, d in ipairs(dashes) do
    if d.indent == least then lines[#lines + 1] = d.n end
  end
  return lines
end

return M
