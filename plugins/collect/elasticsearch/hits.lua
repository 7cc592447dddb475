-- One hit of a search answer as a timeline event, the way log-pattern makes one of a log
-- line: event = the message, kind from the options, group = the event text, the other
-- fields kept as event fields. A hit without a usable time or message is a counted
-- problem (one warning per kind at the end), never an error.
local logtext = require "pm.logtext"

local M = {}

-- The value at a dotted path of _source: a key written with the dots ("log.level": ...)
-- or objects inside objects ("log": { "level": ... }), as Elasticsearch reads both.
function M.lookup(t, path)
  if type(t) ~= "table" or t == pm.json.null then return nil end
  local v = t[path]
  if v ~= nil then return v end
  local from = 1
  while true do
    local dot = path:find(".", from, true)
    if not dot then return nil end
    local inner = t[path:sub(1, dot - 1)]
    if type(inner) == "table" then
      v = M.lookup(inner, path:sub(dot + 1))
      if v ~= nil then return v end
    end
    from = dot + 1
  end
end

-- Epoch milliseconds (or nanoseconds, from a date_nanos field: values past the year 5138
-- in milliseconds) as Unix seconds.
local function epoch(n)
  if math.abs(n) >= 1e17 then return n / 1e9 end
  return n / 1000
end

-- Unix seconds from a time value of _source as Elasticsearch's default date format reads
-- it (strict_date_optional_time||epoch_millis): RFC 3339 text, with or without an offset
-- (without one it is UTC), or epoch milliseconds as a number or digits.
function M.source_time(v)
  if math.type(v) == "integer" or type(v) == "number" then return epoch(v) end
  if type(v) ~= "string" then return nil end
  if v:match("^%-?%d+$") then return epoch(tonumber(v)) end
  local t = pm.time.parse(v)
  if t then return t end
  if v:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d[:%d%.]*$") then return pm.time.parse(v .. "Z") end
  if v:match("^%d%d%d%d%-%d%d%-%d%d$") then return pm.time.parse(v .. "T00:00:00Z") end
  return nil
end

-- A value of _source as an event field: text as one line, numbers and booleans as they
-- are, objects and lists as JSON text.
local function field_value(v)
  if type(v) == "string" then return (logtext.event_text(v)) end
  if type(v) == "number" or type(v) == "boolean" then return v end
  if v == pm.json.null or v == nil then return nil end
  return (logtext.event_text(pm.json.encode(v)))
end

-- The event of `hit` (a table of hits.hits), or nil after counting the problem.
--   where: names the answer and the hit ("POST http://es:9200/_search page 2, hits.hits[3]")
--   sorted: whether hit.sort[1] is the time field's sort value (epoch milliseconds, UTC:
--   exact, whatever the _source text says)
function M.event(hit, opts, where, problems, sorted)
  if type(hit) ~= "table" then
    problems:add("bad_hit", where, "is not a hit object; skipped")
    return nil
  end
  local src = type(hit._source) == "table" and hit._source or {}
  local id = hit._id ~= nil and logtext.event_text(tostring(hit._id), 80) or nil
  if id then where = where .. " (_id " .. id .. ")" end

  local raw = M.lookup(src, opts.time_field)
  local t
  local sort1 = sorted and type(hit.sort) == "table" and hit.sort[1] or nil
  if type(sort1) == "number" then t = epoch(sort1) end
  if not t and raw ~= nil then t = M.source_time(raw) end
  if not t then
    if raw == nil or raw == pm.json.null then
      problems:add("no_time", where, ("no %s in _source; left out of the timeline"):format(opts.time_field))
    else
      problems:add("bad_time", where, ("%s is not a time; left out of the timeline"):format(
        logtext.event_text(pm.json.encode(raw), 60)))
    end
    return nil
  end
  local checked = pm.time.check(t)
  if not checked then
    problems:add("bad_time", where, ("%s is outside the years 0001 to 9999; left out of the timeline"):format(
      tostring(raw or sort1)))
    return nil
  end

  local message = M.lookup(src, opts.message_field)
  if type(message) == "table" and message ~= pm.json.null then message = pm.json.encode(message) end
  if type(message) == "number" or type(message) == "boolean" then message = tostring(message) end
  if type(message) ~= "string" or message:match("^%s*$") then
    problems:add("no_message", where, ("no %s in _source; left out of the timeline"):format(opts.message_field))
    return nil
  end
  local event, bad = logtext.event_text(message)
  if bad then problems:add("utf8", where, "bytes that are not UTF-8 in the message; shown as U+FFFD") end

  local fields = {}
  for _, f in ipairs(opts.fields or {}) do
    if f ~= opts.message_field and f ~= opts.time_field then fields[f] = field_value(M.lookup(src, f)) end
  end
  local text = raw
  if type(text) ~= "string" and type(text) ~= "number" then text = sort1 end
  return {
    time = t, time_text = text ~= nil and logtext.event_text(tostring(text), 80) or nil,
    event = event, kind = opts.kind, group = event, evidence = where, fields = fields,
  }
end

return M
