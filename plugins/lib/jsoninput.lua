-- pm.jsoninput: what the collectors of JSON documents share (prometheus, alertmanager,
-- pagerduty, slack-export): a tally of input problems that warns once per kind, and the
-- decoding of a whole document with bad bytes and truncation reported.
--
--   local jsoninput = require "pm.jsoninput"
--   local problems = jsoninput.problems(ctx)           -- problems:add(kind, where, detail); problems:flush()
--   local doc, reason = jsoninput.read(ctx, "data/x.json", problems)   -- or .decode(text, origin, problems)
--   local clean = jsoninput.valid_utf8(text, "data/x.log:17", problems, true)
--   local t, applied = jsoninput.time(alert, "startsAt", where, problems, "alert")
local M = {}

local SHOWN = 4 -- places named in a warning

-- Problems with the input, one warning per kind: a file with 500 bad samples gives one
-- warning that counts them and names the first places, not 500 warnings.
-- problems:add(kind, where, detail): `kind` groups alike problems ("value not a number"),
-- `where` names the place (`fixtures/x.json: data.result[1].values[4][2]`), `detail` says
-- what was wrong there and what was done. problems:flush() warns, once per kind.
function M.problems(ctx)
  local list = { order = {}, by_kind = {} }

  function list:add(kind, where, detail)
    local k = self.by_kind[kind]
    if not k then
      k = { first = where .. ": " .. detail, places = {}, count = 0 }
      self.by_kind[kind] = k
      self.order[#self.order + 1] = k
    end
    k.count = k.count + 1
    if #k.places < SHOWN then k.places[#k.places + 1] = where end
  end

  function list:flush()
    for _, k in ipairs(self.order) do
      if k.count == 1 then
        ctx.log.warn(k.first)
      else
        local more = {}
        for i = 2, math.min(#k.places, SHOWN) do more[#more + 1] = k.places[i] end
        if k.count > SHOWN then more[#more + 1] = "..." end
        ctx.log.warn(("%s (%d times; also at %s)"):format(k.first, k.count, table.concat(more, ", ")))
      end
    end
    self.order, self.by_kind = {}, {}
  end

  return list
end

-- Bytes that are not UTF-8 would end up in event texts: replace each with U+FFFD and record
-- where the first one was: `origin:line` of the first bad byte, or `origin` as it is when
-- `exact` (a line already named).
function M.valid_utf8(text, origin, problems, exact)
  local ok, bad = utf8.len(text)
  if ok then return text end
  local where = origin
  if not exact then
    local _, newlines = text:sub(1, bad - 1):gsub("\n", "")
    where = ("%s:%d"):format(origin, newlines + 1)
  end
  problems:add("utf8", where, ("bytes that are not UTF-8 (the first at byte %d); replaced with U+FFFD"):format(bad))
  local parts, i = {}, 1
  while bad do
    parts[#parts + 1] = text:sub(i, bad - 1) .. "\u{FFFD}"
    i = bad + 1
    bad = select(2, utf8.len(text, i))
  end
  parts[#parts + 1] = text:sub(i)
  return table.concat(parts)
end

-- A JSON value from a whole document; nil and a reason naming `origin` and the line when it
-- is empty or not JSON.
function M.decode(text, origin, problems)
  if not text:find("%S") then return nil, origin .. " is empty" end
  local ok, doc = pcall(pm.json.decode, M.valid_utf8(text, origin, problems))
  if not ok then
    -- A download cut short ends inside the document, not with its closing bracket.
    return nil, ("%s is not JSON (%s)%s"):format(origin, (tostring(doc):gsub("^pm%.json%.decode: ", "")),
      text:find("[}%]]%s*$") and "" or "; is the file truncated?")
  end
  return doc
end

-- Why ctx.fs.read failed, from its error: the host's reason, which names the file and what
-- it is (a FIFO, too large, UTF-32, an OS error), without the function's prefix.
function M.read_error(err)
  return (tostring(err):gsub("^.-ctx%.fs%.read: plugin [^:]+: ", ""))
end

-- A JSON document from a file under the pipeline folder; nil and the reason (the file
-- cannot be read, is empty or is not JSON) otherwise.
function M.read(ctx, path, problems)
  local ok, text = pcall(ctx.fs.read, path)
  if not ok then
    local known, exists = pcall(ctx.fs.exists, path)
    if known and not exists then
      return nil, ("cannot read %s (paths are relative to the pipeline folder)"):format(path)
    end
    return nil, M.read_error(text)
  end
  return M.decode(text, path, problems)
end

-- Seconds from an RFC 3339 text field of a JSON object (any offset, ms kept). A time
-- written without an offset is read as UTC with a warning, and the second result is the
-- offset applied (0, for the event's time_offset). Missing or unreadable: nil and a
-- warning saying that the `what` ("alert", "entry") is skipped.
function M.time(object, field, where, problems, what)
  local text = object[field]
  if type(text) ~= "string" then
    problems:add("no " .. field, where .. "." .. field,
      (text == nil and "missing" or "not a string: " .. pm.json.encode(text)) .. "; " .. what .. " skipped")
    return nil
  end
  local t = pm.time.parse(text)
  if t then return t end
  t = pm.time.parse(text .. "Z")
  if t then
    problems:add("no offset", where .. "." .. field, ("%q has no UTC offset; read as UTC"):format(text))
    return t, 0
  end
  problems:add("bad " .. field, where .. "." .. field, ("%q is not an RFC 3339 time; %s skipped"):format(text, what))
  return nil
end

return M
