-- LogQL and Loki's times: what a query is, how a value is written into one, and the
-- nanosecond timestamps Loki reads and writes.
local M = {}

-- A log query is a stream selector (`{app="api"}`), maybe followed by a pipeline
-- (`|= "error" | json`); anything else (`count_over_time(...)`, `sum by (x) (...)`,
-- `rate(...)`, `vector(1)`) is a metric query, whose answer is a matrix. LogQL's grammar
-- allows nothing else before a selector but white space and comments.
function M.is_log_query(query)
  local rest = query
  repeat
    local before = rest
    rest = rest:gsub("^%s+", ""):gsub("^#[^\n]*", "")
  until rest == before
  return rest:sub(1, 1) == "{"
end

-- `s` as a LogQL string literal (LogQL reads Go's double-quoted strings): a value from
-- the incident or a pipeline (a line filter's text) can never end the string early or
-- add an operator.
function M.quote(s)
  local escaped = s:gsub('[\\"%c]', function(c)
    if c == "\\" then return "\\\\" end
    if c == '"' then return '\\"' end
    if c == "\n" then return "\\n" end
    if c == "\t" then return "\\t" end
    if c == "\r" then return "\\r" end
    return ("\\x%02x"):format(c:byte())
  end)
  return '"' .. escaped .. '"'
end

local NS = 1000000000

-- Unix seconds (a float) as integer nanoseconds; times are kept as 64-bit integers from
-- here on: a float holds only about a quarter of a microsecond of a 2025 timestamp.
function M.ns(seconds)
  local whole = math.floor(seconds)
  return math.tointeger(whole) * NS + math.floor((seconds - whole) * NS + 0.5)
end

-- Integer nanoseconds from Loki's text ("1739095523123456789"); nil when it is not one.
function M.parse_ns(text)
  if type(text) ~= "string" or not text:find("^%d+$") or #text > 19 then return nil end
  return math.tointeger(tonumber(text))
end

-- Seconds for the timeline (the same division log-pattern's unix_ns format does).
function M.seconds(ns) return ns / NS end

-- A query parameter: the integer as decimal text.
function M.param(ns) return ("%d"):format(ns) end

-- "2025-02-09T10:05:23.123456789Z" for messages: where a page starts, which nanosecond ties.
function M.rfc3339(ns)
  local s = ns // NS
  return ("%s.%09dZ"):format(pm.time.format(s):sub(1, 19), ns % NS)
end

return M
