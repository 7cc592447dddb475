-- Reading the message part of a container log line: logfmt, JSON, klog or free text.
-- message.parse(text) returns the message text and its level (lower case, or nil).
local M = {}

local klog_levels = { I = "info", W = "warning", E = "error", F = "fatal" }

-- The value of logfmt key `key`: `key="quoted \"text\""` or `key=word`.
-- A space is put in front so that `errmsg=` is never mistaken for `msg=`.
local function logfmt_value(text, key)
  local s = " " .. text
  local start = s:find(" " .. key .. '="', 1, true)
  if start then
    local i, out = start + #key + 3, {}
    while i <= #s do
      local c = s:sub(i, i)
      if c == '"' then return table.concat(out) end
      if c == "\\" then
        local e = s:sub(i + 1, i + 1)
        out[#out + 1] = e == "n" and "\n" or e == "t" and "\t" or e
        i = i + 2
      else
        out[#out + 1] = c
        i = i + 1
      end
    end
    return table.concat(out) -- unterminated quote (a split line): keep what we have
  end
  return s:match(" " .. key .. "=([^%s\"]+)")
end

-- A JSON string value by key, found without decoding: used for pieces of a line that
-- kubelet split at 16 KiB, which are not valid JSON on their own.
local function json_string(text, key)
  local v = text:match('"' .. key .. '"%s*:%s*"(.-[^\\])"') or text:match('"' .. key .. '"%s*:%s*"([^"]*)')
  return v and (v:gsub("\\(.)", function(c) return c == "n" and "\n" or c == "t" and "\t" or c end))
end

function M.parse(text)
  -- klog: I0318 15:46:14.238135       1 file.go:12] message
  local letter, rest = text:match("^([IWEF])%d%d%d%d %d+:%d+:%d+%.?%d*%s+%d+ [^%]%s]+%] ?(.*)$")
  if letter then return rest, klog_levels[letter] end

  if text:sub(1, 1) == "{" then
    local ok, doc = pcall(pm.json.decode, text)
    if ok and type(doc) == "table" then
      local msg = doc.msg or doc.message
      local level = doc.level or doc.severity or doc.lvl
      return type(msg) == "string" and msg or text, type(level) == "string" and level:lower() or nil
    end
  end
  if text:find('^%s*{') or text:find('^"') or text:find('"%w+"%s*:') then
    local msg = json_string(text, "msg") or json_string(text, "message")
    local level = json_string(text, "level")
    if msg or level then return msg or text, level and level:lower() end
  end

  -- A Go runtime crash on stderr: "panic: ..." / "fatal error: ..."
  local crash = text:match("^(panic): ") or text:match("^fatal error: ") and "fatal"
  if crash then return text, crash end

  local msg = logfmt_value(text, "msg") or logfmt_value(text, "message")
  local level = logfmt_value(text, "level") or logfmt_value(text, "lvl")
  return msg or text, level and level:lower()
end

local error_levels = { error = true, err = true, fatal = true, panic = true, critical = true, crit = true, emergency = true, alert = true }

-- The default selection: an error level, or an HTTP 5xx status field.
function M.is_error(text, level)
  if level and error_levels[level] then return true end
  return (" " .. text):find("[%s,{]status=5%d%d%f[^%d]") ~= nil
      or text:find('"status"%s*:%s*"?5%d%d%f[^%d]') ~= nil
end

-- Plain substrings of which every selected line contains at least one: the host checks
-- them in Swift, so most lines never reach Lua.
M.prefilter = { "err", "Err", "ERR", "fatal", "Fatal", "FATAL", "panic", "Panic", "PANIC",
  "crit", "Crit", "CRIT", "emerg", "Emerg", "EMERG", "alert", "Alert", "ALERT",
  "status=5", '"status":5', '"status": 5', '"status":"5', "E0", "E1", "F0", "F1" }

return M
