-- The SQL the collector sends: every value from a pipeline or from a response is escaped
-- here (one home), and every time is a number of Unix seconds, so that nothing depends on
-- the server's time zone.
--
-- Why escaping and not query parameters (param_x): Debian's 18.16 has none, and one way
-- that works on every server is one way to test. The rules are ClickHouse's: a string
-- literal is quoted with ' and escapes \ and ' with a backslash; an identifier is quoted
-- with backticks and escapes \ and ` the same way.
local M = {}

-- 'text' as a ClickHouse string literal.
function M.literal(s)
  s = tostring(s)
  return "'" .. s:gsub("\\", "\\\\"):gsub("'", "\\'") .. "'"
end

-- `name` as a ClickHouse identifier.
function M.ident(name)
  return "`" .. tostring(name):gsub("\\", "\\\\"):gsub("`", "\\`") .. "`"
end

-- A whole number of seconds as SQL text (windows are rounded outward to whole seconds:
-- DateTime has no finer resolution).
local function int(n) return ("%d"):format(n) end
M.int = int

local NUMERIC = { UInt8 = true, UInt16 = true, UInt32 = true, UInt64 = true, Int8 = true, Int16 = true,
  Int32 = true, Int64 = true, Float32 = true, Float64 = true }

-- The type without Nullable(...) / LowCardinality(...).
local function bare(t)
  t = t or ""
  for _ = 1, 2 do t = t:match("^Nullable%((.*)%)$") or t:match("^LowCardinality%((.*)%)$") or t end
  return t
end
M.bare = bare

-- How to read and compare the time column of type `ctype` (from system.columns; nil in
-- query mode, where the query's `time` is already Unix seconds):
--   select  the expression giving Unix seconds (a number, never text in the server's zone);
--   bound(n) the column's own type for Unix seconds n, so that comparisons keep the key's
--           order and the server's time zone plays no part (toDateTime(number) is an instant);
--   raw(v)  the same for a value the select gave back (the keyset paging's cursor);
--   scale   units of the selected value per second.
-- Returns nil and a message for a type that holds no time.
function M.time_access(column, ctype)
  local c = M.ident(column)
  local t = bare(ctype)
  if ctype == nil then
    return { select = c, bound = function(n) return int(n) end, raw = function(v) return M.number(v) end, scale = 1 }
  elseif t == "DateTime" or t:match("^DateTime%(") then
    return { select = "toUInt32(" .. c .. ")", bound = function(n) return "toDateTime(" .. int(n) .. ")" end,
      raw = function(v) return "toDateTime(" .. M.number(v) .. ")" end, scale = 1 }
  elseif t:match("^DateTime64%(") then
    -- DateTime64(p): read as an integer count of 10^-p seconds (toUnixTimestamp64*), compare
    -- against the same count converted back, at the column's precision. Servers with
    -- DateTime64 (20.1 and later) have these functions; 18.16 has neither.
    local p = tonumber(t:match("^DateTime64%((%d+)")) or 3
    local fn = p <= 3 and "Milli" or p <= 6 and "Micro" or "Nano"
    local scale = fn == "Milli" and 1000 or fn == "Micro" and 1000000 or 1000000000
    return {
      select = "toUnixTimestamp64" .. fn .. "(" .. c .. ")", scale = scale,
      bound = function(n) return ("fromUnixTimestamp64%s(toInt64(%s))"):format(fn, int(n * scale)) end,
      raw = function(v) return ("fromUnixTimestamp64%s(toInt64(%s))"):format(fn, M.number(v)) end,
    }
  elseif NUMERIC[t] then
    return { select = c, bound = function(n) return int(n) end, raw = function(v) return M.number(v) end, scale = 1 }
  end
  return nil, ("%s is %s, not a DateTime, DateTime64 or Unix seconds; for times kept as text, give query = "
    .. "with toUInt32(parseDateTimeBestEffort(%s)) AS time (the text's own offset, else the server's zone)")
    :format(column, tostring(ctype), c)
end

-- A number read from a response, checked to be one (it goes into SQL as it is).
function M.number(v)
  local s = tostring(v)
  if not s:match("^%-?%d+%.?%d*$") then error(("not a number: %q"):format(s), 0) end
  return s
end

-- A value read from a response as a literal for the tie-breaker column of type `ctype`:
-- a number for a numeric column (checked to be one), else a string literal (which the
-- server converts to the column's type: String, UUID, dates). With no type (a user's own
-- query), text that is a number is taken for one: 18.16 refuses to compare a number
-- with a string, so a query's tie-breaker must be numeric (or all its values not numbers).
function M.value(v, ctype)
  local t = bare(ctype)
  local s = tostring(v)
  if (NUMERIC[t] or ctype == nil) and s:match("^%-?%d+%.?%d*$") then return s end
  return M.literal(s)
end

-- Replaces {start} and {end} in a user's query with Unix seconds.
function M.placeholders(query, w)
  return (query:gsub("{(%a+)}", function(name)
    if name == "start" then return int(math.floor(w.start)) end
    if name == "end" then return int(math.ceil(w.finish)) end
  end))
end

return M
