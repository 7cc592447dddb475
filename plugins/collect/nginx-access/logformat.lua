-- Reading nginx access log lines by their `log_format`.
--
--   local f = logformat.compile('$remote_addr [$time_local] "$request" $status', "default")
--   f.read(line)   --> { remote_addr = "10.0.0.1", time_local = "...", request = "...", status = "504" } or nil
--   f.names        --> { "remote_addr", "time_local", "request", "status" }
--   f.before.status --> the format's text right before $status (`"` .. " "), for a prefilter
--
-- A format is text with `$name` or `${name}` variables, as in nginx.conf. Variables whose
-- values have a fixed shape ($status: three digits, $time_local, $msec ...) match only that
-- shape, so a "500" in a URL or a user agent is never taken for the status. A variable in
-- quotes takes everything up to the closing quote: nginx writes `"` inside values as \x22
-- (escape=default) or \" (escape=json). Other variables take as little as lets the rest of
-- the line match. Text after the end of the format is ignored (an extra field added to a
-- `combined` log still reads).
--
-- A format that is a JSON object (`{"status":"$status",...}`, usually with escape=json) is
-- read with pm.json.decode instead: its keys name the variables.
local M = {}

M.NAMED = {
  combined = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    .. '"$http_referer" "$http_user_agent"',
  -- the `main` format of nginx's default nginx.conf
  main = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    .. '"$http_referer" "$http_user_agent" "$http_x_forwarded_for"',
}

local SHAPES = {
  status = "%d%d%d",
  body_bytes_sent = "%d+", bytes_sent = "%d+", request_length = "%d+",
  connection = "%d+", connection_requests = "%d+", pid = "%d+",
  msec = "%d+%.%d+", request_time = "%d+%.%d+",
  time_local = "%d%d/%a%a%a/%d%d%d%d:%d%d:%d%d:%d%d [+-]%d%d%d%d",
  time_iso8601 = "%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d[%.%d]*[Z+%-][%d:]*",
}

local function literal(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

-- The format as a list of { text = literal } and { var = name } items.
local function items(format)
  local list, i = {}, 1
  while i <= #format do
    local s, e, name = format:find("%$([%a_][%w_]*)", i)
    local s2, e2, name2 = format:find("%${([%a_][%w_]*)}", i)
    if s2 and (not s or s2 < s) then s, e, name = s2, e2, name2 end
    if not s then
      list[#list + 1] = { text = format:sub(i) }
      break
    end
    if s > i then list[#list + 1] = { text = format:sub(i, s - 1) } end
    list[#list + 1] = { var = name }
    i = e + 1
  end
  return list
end

local function compile_json(format)
  local keys = {} -- JSON key -> variable
  local names = {}
  for key, name in format:gmatch('"([^"]+)"%s*:%s*"?%${?([%a_][%w_]*)') do
    keys[key] = name
    names[#names + 1] = name
  end
  local before = {}
  for name in pairs(SHAPES) do
    local text = format:match('("[^"]+"%s*:%s*"?)%${?' .. name .. '%f[^%w_]')
    if text then before[name] = text end
  end
  local decode = pm.json.decode
  local function read(line)
    local ok, doc = pcall(decode, line)
    if not ok and line:find("\\x", 1, true) then
      -- escape=default in a JSON format: \xXX is no JSON escape; \u00XX is
      ok, doc = pcall(decode, (line:gsub("\\x(%x%x)", function(h)
        local b = tonumber(h, 16)
        if b == 0x22 then return '\\"' elseif b == 0x5C then return "\\\\" end
        if b < 0x80 then return ("\\u%04x"):format(b) end
        return "\\\\x" .. h -- a byte of a UTF-8 sequence: keep it as \xXX for unescape
      end)))
    end
    if not ok or type(doc) ~= "table" then return nil end
    local v = {}
    for key, name in pairs(keys) do
      local value = doc[key]
      if type(value) == "number" then value = math.tointeger(value) or value end
      if value ~= nil and value ~= pm.json.null then v[name] = tostring(value) end
    end
    return v
  end
  return { read = read, names = names, before = before, json = true }
end

-- Compiles `format` (a log_format string, or the name of one in NAMED) written with
-- `escape` ("default", "json" or "none").
function M.compile(format, escape)
  format = M.NAMED[format] or format
  if format:match("^%s*{") then return compile_json(format) end
  local list = items(format)
  local parts, names, before = { "^" }, {}, {}
  for k, item in ipairs(list) do
    if item.text then
      parts[#parts + 1] = literal(item.text)
    else
      local prev, nxt = list[k - 1], list[k + 1]
      local open = prev and prev.text and prev.text:sub(-1) or ""
      local close = nxt and nxt.text and nxt.text:sub(1, 1) or ""
      local shape = SHAPES[item.var]
      if shape then
        parts[#parts + 1] = "(" .. shape .. ")"
      elseif close == "" and not nxt then
        parts[#parts + 1] = "(.*)" -- the last item takes the rest of the line
      elseif open == '"' and close == '"' and escape ~= "json" then
        parts[#parts + 1] = '([^"]*)'
      elseif open == "[" and close == "]" then
        parts[#parts + 1] = "([^%]]*)"
      else
        parts[#parts + 1] = "(.-)"
      end
      names[#names + 1] = item.var
      if prev and prev.text then before[item.var] = prev.text end
    end
  end
  local pattern = table.concat(parts)
  local match = string.match
  local n = #names
  local function read(line)
    local caps = { match(line, pattern) }
    if caps[1] == nil then return nil end
    local v = {}
    for k = 1, n do v[names[k]] = caps[k] end
    return v
  end
  return { read = read, names = names, before = before, pattern = pattern, escape = escape }
end

local JSON_ESCAPES = { n = "\n", t = "\t", r = "\r", b = "\b", f = "\f" }

-- A logged value as text: nginx's \xXX escapes (escape=default) or JSON escapes
-- (escape=json) decoded; escape=none logs raw bytes. The result may hold any bytes.
function M.unescape(s, escape)
  if escape == "none" then return s end
  if escape == "json" then
    if not s:find("\\", 1, true) then return s end
    local out, i = {}, 1
    while true do
      local at = s:find("\\", i, true)
      if not at then
        out[#out + 1] = s:sub(i)
        break
      end
      out[#out + 1] = s:sub(i, at - 1)
      local c = s:sub(at + 1, at + 1)
      if c == "u" and s:find("^%x%x%x%x", at + 2) then
        out[#out + 1] = utf8.char(tonumber(s:sub(at + 2, at + 5), 16))
        i = at + 6
      else
        out[#out + 1] = JSON_ESCAPES[c] or c
        i = at + 2
      end
    end
    return table.concat(out)
  end
  if not s:find("\\x", 1, true) then return s end
  return (s:gsub("\\x(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

return M
