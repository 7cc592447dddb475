-- otlp: the values of OTLP/JSON (opentelemetry-proto's JSON mapping), as the OpenTelemetry
-- Collector's file exporter and the OTLP/HTTP receivers write and read them:
--   * field names in lowerCamelCase (`startTimeUnixNano`) or as in the .proto
--     (`start_time_unix_nano`): receivers accept both, so do we (`field`);
--   * enums as numbers or names (`2` or `"STATUS_CODE_ERROR"`, `"SPAN_KIND_SERVER"`);
--   * 64-bit integers (times in nanoseconds, `intValue`) as decimal strings or numbers;
--   * trace and span ids as hex (the OTLP rule), or base64 (protobuf's generic JSON
--     mapping, which some exporters wrote): both give lower-case hex;
--   * attribute values as AnyValue: `{ "stringValue": ... }`, `intValue`, `boolValue`,
--     `doubleValue`, `arrayValue`, `kvlistValue`, `bytesValue`.
local M = {}

-- t[camel], else t[snake] (the proto's own name), for a table t.
local function field(t, camel, snake)
  local v = t[camel]
  if v == nil and snake then v = t[snake] end
  return v
end
M.field = field

M.STATUS = { [0] = "unset", [1] = "ok", [2] = "error",
  STATUS_CODE_UNSET = "unset", STATUS_CODE_OK = "ok", STATUS_CODE_ERROR = "error" }

M.KIND = { [0] = "unspecified", [1] = "internal", [2] = "server", [3] = "client", [4] = "producer",
  [5] = "consumer", SPAN_KIND_UNSPECIFIED = "unspecified", SPAN_KIND_INTERNAL = "internal",
  SPAN_KIND_SERVER = "server", SPAN_KIND_CLIENT = "client", SPAN_KIND_PRODUCER = "producer",
  SPAN_KIND_CONSUMER = "consumer" }

-- An enum's name in `names` from a number or a name; nil for anything else.
function M.enum(v, names)
  if v == nil then return nil end
  if math.type(v) == "float" and v == math.floor(v) then v = math.tointeger(v) end
  return names[v]
end

-- Nanoseconds since 1970 as a Lua integer, from a decimal string or a JSON number; nil and
-- what is wrong otherwise. A Lua float cannot hold today's nanoseconds exactly (2^53 ns is
-- 104 days), so the text is read as a 64-bit integer: `tonumber` gives an integer for up to
-- 19 digits within int64 (until 2262), a float beyond, which is refused.
function M.nanos(v)
  local n
  if type(v) == "string" then
    if not v:find("^%d+$") or #v > 19 then
      return nil, ("%q is not a time in nanoseconds"):format(#v > 40 and v:sub(1, 40) .. "..." or v)
    end
    n = tonumber(v)
  elseif math.type(v) == "integer" then
    n = v
  elseif math.type(v) == "float" and v == math.floor(v) and v >= 0 and v < 2 ^ 63 then
    n = math.tointeger(v) -- a JSON number written with an exponent: exact to ~256 ns
  elseif v == nil then
    return nil, "missing"
  else
    return nil, ("%s is not a time in nanoseconds"):format(pm.json.encode(v))
  end
  if math.type(n) ~= "integer" then return nil, ("%s is past the year 2262 (int64 nanoseconds)"):format(v) end
  if n <= 0 then return nil, "0 (unset)" end
  return n
end

-- Unix seconds with millisecond precision from integer nanoseconds.
function M.seconds(ns) return (ns // 1000000) / 1000 end

-- Hex of the bytes a base64 text holds (either alphabet, padded or not: pm.base64 reads
-- the standard one); nil when it is not base64 of `bytes` bytes.
local function base64_hex(s, bytes)
  local text = s:gsub("=+$", ""):gsub("-", "+"):gsub("_", "/")
  text = text .. ("="):rep((4 - #text % 4) % 4)
  local raw = pm.base64.decode(text)
  if not raw or #raw ~= bytes then return nil end
  return (raw:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

-- An id of `bytes` bytes (16 for a trace, 8 for a span) as lower-case hex; nil when absent
-- (missing, "" or all zeros: OTLP's "no id"); false and a reason when unreadable. The
-- third result is true when the id was base64.
function M.id(v, bytes)
  if v == nil or v == "" then return nil end
  if type(v) ~= "string" then return false, pm.json.encode(v) .. " is not an id" end
  local hex, b64
  if #v == 2 * bytes and v:find("^%x+$") then
    hex = v:lower()
  else
    hex = base64_hex(v, bytes)
    if not hex then
      return false, ("%q is neither %d hex digits nor base64 of %d bytes"):format(
        #v > 40 and v:sub(1, 40) .. "..." or v, 2 * bytes, bytes)
    end
    b64 = true
  end
  if not hex:find("[^0]") then return nil end
  return hex, nil, b64
end

-- A scalar from an AnyValue (string, integer, number or boolean); nil for arrays, maps,
-- bytes and anything unreadable: fields hold scalars only.
function M.scalar(any)
  if type(any) ~= "table" then return nil end
  local s = field(any, "stringValue", "string_value")
  if type(s) == "string" then return s end
  local i = field(any, "intValue", "int_value")
  if i ~= nil then
    if type(i) == "string" and i:find("^%-?%d+$") then return math.tointeger(tonumber(i)) end
    if math.type(i) == "integer" then return i end
    return nil
  end
  local b = field(any, "boolValue", "bool_value")
  if type(b) == "boolean" then return b end
  local d = field(any, "doubleValue", "double_value")
  if type(d) == "number" and d == d and d ~= math.huge and d ~= -math.huge then return d end
  return nil
end

-- The attributes of a list of KeyValue whose key is in the set `wanted`: { key = scalar }.
-- Stops looking once every wanted key is found.
function M.attributes(list, wanted, count)
  local out, found = {}, 0
  if type(list) ~= "table" then return out end
  for _, kv in ipairs(list) do
    if type(kv) == "table" then
      local key = kv.key
      if wanted[key] and out[key] == nil then
        local v = M.scalar(kv.value)
        if v ~= nil then
          out[key] = v
          found = found + 1
          if count and found >= count then break end
        end
      end
    end
  end
  return out
end

return M
