-- pm.jsoninput: what the collectors of JSON documents share (prometheus, alertmanager,
-- pagerduty, slack-export): a whole document decoded with bad bytes and truncation reported,
-- and RFC 3339 times read from its objects. Input problems go to the one tally of
-- pm.logtext (`logtext.problems(ctx)`), which warns once per kind.
--
--   local logtext, jsoninput = require "pm.logtext", require "pm.jsoninput"
--   local problems = logtext.problems(ctx)      -- problems:add(kind, where, detail); problems:warn()
--   local doc, reason = jsoninput.read(ctx, "data/x.json", problems)
--                                               --> the document, or nil and why (no file, empty, not JSON)
--   local doc, reason = jsoninput.decode(text, origin, problems)   -- the same from text (an HTTP body)
--   local clean = jsoninput.valid_utf8(text, "data/x.log:17", problems, true)
--                                               --> text with bad bytes as U+FFFD, the first one recorded
--   local t, applied = jsoninput.time(alert, "startsAt", where, problems, "alert")
--                                               --> seconds, and 0 when the text had no offset (read as UTC)
--   jsoninput.read_error(err)                   --> the host's reason from a ctx.fs.read error
local M = {}

local logtext = require "pm.logtext"

-- Bytes that are not UTF-8 would end up in event texts: replace each with U+FFFD and record
-- where the first one was: `origin:line` of the first bad byte, or `origin` as it is when
-- `exact` (a line already named).
function M.valid_utf8(text, origin, problems, exact)
  local clean, bad = logtext.valid_utf8(text)
  if not bad then return text end
  local where = origin
  if not exact then
    local _, newlines = text:sub(1, bad - 1):gsub("\n", "")
    where = ("%s:%d"):format(origin, newlines + 1)
  end
  problems:add("utf8", where, ("bytes that are not UTF-8 (the first at byte %d); replaced with U+FFFD"):format(bad))
  return clean
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
