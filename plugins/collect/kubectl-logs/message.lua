-- The message part of a container log line (after kubectl's timestamp): logfmt, JSON,
-- klog or free text.
--
--   message.parse(text)         --> msg, level, detail
--     msg: the message proper ("Database connection pool exhausted"), or the text itself
--     level: the level as written ("error", "ERROR", 50 for pino; klog's letter as its
--            name: "error" for E), or nil
--     detail: an error string logged beside the message (`err=...`, "error":...), or nil
--   message.level_name(level)   --> "error", "warning", "info"... (lower case), or nil
--   message.is_error(text, level) --> true when the default selection keeps the line
--   message.NEEDLES             --> plain strings, one of which every such line contains
--
-- The default selection and NEEDLES must agree: the host drops lines without a needle
-- before they reach Lua, so a line that is_error would keep but that holds no needle would
-- be lost without a word. The check at the end of this file enforces it for the levels.
local M = {}

-- Level spellings (as loggers write them) -> level name. Each word is also known in upper
-- case and with a capital first letter: error, ERROR, Error.
local NAMES = {}
local ERROR_LEVELS = {} -- spellings the default selection keeps
local function spell(name, is_error, ...)
  for _, w in ipairs { ... } do
    for _, v in ipairs { w, w:upper(), w:sub(1, 1):upper() .. w:sub(2) } do
      NAMES[v] = name
      if is_error then ERROR_LEVELS[v] = true end
    end
  end
end
spell("trace", false, "trace", "trc")
spell("debug", false, "debug", "dbg", "dbug")
spell("info", false, "info", "inf", "information", "informational")
spell("notice", false, "notice")
spell("warning", false, "warn", "warning", "wrn")
spell("error", true, "error", "err")
spell("critical", true, "critical", "crit")
spell("fatal", true, "fatal")
spell("panic", true, "panic", "dpanic")
NAMES.DPanic, ERROR_LEVELS.DPanic = "panic", true -- zap's console encoder

-- klog's severity letter; pino's and bunyan's numbers.
local KLOG = { I = "info", W = "warning", E = "error", F = "fatal" }
local NUMERIC = { [10] = "trace", [20] = "debug", [30] = "info", [40] = "warning", [50] = "error", [60] = "fatal" }

function M.level_name(level)
  if level == nil then return nil end
  if math.type(level) == "integer" then return NUMERIC[level] end
  return NAMES[level] or (type(level) == "string" and level:lower()) or nil
end

-- Go's quoted string at the start of `s` (`"text with \"quotes\""`), unquoted, and the
-- rest after it. An unterminated quote (a cut line) yields what is there.
local function unquote(s, i)
  i = i or 1
  local out, n = {}, #s
  local j = i + 1
  while j <= n do
    local stop = s:find('[\\"]', j)
    if not stop then break end
    out[#out + 1] = s:sub(j, stop - 1)
    if s:byte(stop) == 34 then return table.concat(out), s:sub(stop + 1) end
    local e = s:sub(stop + 1, stop + 1)
    out[#out + 1] = e == "n" and "\n" or e == "t" and "\t" or e
    j = stop + 2
  end
  out[#out + 1] = s:sub(j)
  return table.concat(out), ""
end

-- The value of logfmt key `key` in `s`: `key=word` or `key="quoted \"text\""`.
-- The key must start the text or follow a space: `errmsg=` is not `msg=`.
local function logfmt(s, key)
  local v -- where the value starts
  if s:sub(1, #key + 1) == key .. "=" then
    v = #key + 2
  else
    local at = s:find(" " .. key .. "=", 1, true)
    if not at then return nil end
    v = at + #key + 2
  end
  if s:byte(v) == 34 then return (unquote(s, v)) end
  return s:match("^[^%s\"]+", v)
end

-- A JSON string value by key, found without decoding: for JSON cut short (a line the
-- kubelet split, a truncated file), which pm.json.decode refuses.
local function json_string(s, key)
  local at = s:find('"' .. key .. '"%s*:%s*"')
  if not at then return nil end
  return (unquote(s, s:find('"', at + #key + 2, true)))
end

local function first_of(doc, keys)
  for _, k in ipairs(keys) do
    local v = doc[k]
    if type(v) == "string" or math.type(v) == "integer" then return v end
  end
end

local JSON_LEVEL = { "level", "severity", "lvl", "log.level", "levelname", "@l", "LogLevel" }
local JSON_MSG = { "msg", "message", "@m", "@mt", "event", "Message" }
local JSON_ERR = { "error", "err", "error.message", "exception", "Exception" }

local function parse_json(text)
  local ok, doc = pcall(pm.json.decode, text)
  if ok and type(doc) == "table" then
    local msg = first_of(doc, JSON_MSG)
    local detail = first_of(doc, JSON_ERR)
    return type(msg) == "string" and msg or text, first_of(doc, JSON_LEVEL),
      type(detail) == "string" and detail or nil
  end
  local msg = json_string(text, "msg") or json_string(text, "message")
  local level = json_string(text, "level") or json_string(text, "severity")
  if level == nil then level = math.tointeger(tonumber(text:match('"level"%s*:%s*(%d+)'))) end
  return msg or text, level, json_string(text, "error")
end

-- Free text: a level word among the first words, written in capitals (`... ERROR ...`),
-- in brackets (`[error]`, nginx's error log) or as the first word before a colon
-- (`error: ...`). The message is what follows it.
local function parse_text(text)
  if text:sub(1, 7) == "panic: " then return text, "panic" end -- a Go runtime crash
  if text:sub(1, 13) == "fatal error: " then return text, "fatal" end
  local head = text:sub(1, 96)
  for at, word, stop in head:gmatch("()(%a+)()") do
    if NAMES[word] then
      local before, after = head:sub(at - 1, at - 1), head:sub(stop, stop)
      if word == word:upper() or (before == "[" and after == "]") or (at == 1 and after == ":") then
        local msg = text:sub(stop):gsub("^[%]>:|%s%-]+", "")
        msg = msg:gsub("^%d+ %-%-%- %[[^%]]*%] ", "") -- Spring Boot: pid --- [thread]
        return msg ~= "" and msg or text, word
      end
    end
  end
  return text, nil
end

function M.parse(text)
  if text:find("\27", 1, true) then text = text:gsub("\27%[[0-9;?]*[ -/]*[@-~]", "") end -- colours
  local c = text:byte(1)
  -- klog: I0318 15:46:14.238135       1 file.go:12] message
  if c == 73 or c == 87 or c == 69 or c == 70 then -- I W E F
    local letter, rest = text:match("^([IWEF])%d%d%d%d %d%d:%d%d:%d%d%.%d+ +%d+ [^%]%s]+%] ?(.*)$")
    if letter then
      if rest:byte(1) == 34 then -- structured: "message" key="value" err="..."
        local msg, kv = unquote(rest)
        return msg, KLOG[letter], logfmt(kv, "err")
      end
      return rest, KLOG[letter]
    end
  end
  -- JSON; or the end of a long JSON line whose start the host did not pass on (see init.lua)
  if c == 123 or (text:find('"level":', 1, true) and text:find('^[^{]*"[%w_]+":')) then
    return parse_json(text)
  end
  if text:find("=", 1, true) then
    local level = logfmt(text, "level") or logfmt(text, "lvl") or logfmt(text, "severity")
    local msg = logfmt(text, "msg") or logfmt(text, "message")
    if level or msg then
      return msg or text, level, logfmt(text, "err") or logfmt(text, "error")
    end
  end
  return parse_text(text)
end

-- The HTTP status of a 5xx status field (`status=503`, `"status":503`, `"status": 503`;
-- also `http_status=`, `upstream_status=` ...), or nil.
function M.status_5xx(text)
  local s = text:match("status=(5%d%d)%f[%D]") or text:match('status": ?(5%d%d)%f[%D]')
  return s and math.tointeger(tonumber(s))
end

-- The default selection: an error level (error, critical, fatal, panic in the spellings
-- above, which klog's E and F become; pino's 50 and up), or a 5xx status field.
function M.is_error(text, level)
  return M.error_level(level, text) or M.status_5xx(text) ~= nil
end

-- True when `level` (as message.parse returns it for `text`) is an error level.
function M.error_level(level, text)
  if level == nil then return false end
  if ERROR_LEVELS[level] then return true end
  -- a number counts as written right after "level": (so that NEEDLES hold it)
  return math.type(level) == "integer" and level >= 50 and text:find('level":[56]%d') ~= nil
end

-- Every line is_error keeps contains one of these (checked in Swift, before Lua).
-- Kept short: each needle costs the host one scan of every line.
M.NEEDLES = {
  "err", "Err", "ERR", "atal", "FATAL", "anic", "PANIC", "rit", "RIT", -- level words
  "E0", "E1", "F0", "F1", -- klog: E0318 (the month follows the letter)
  'level":5', 'level":6', -- pino
  "status=5", 'status":5', 'status": 5',
}

for word in pairs(ERROR_LEVELS) do
  local held = false
  for _, n in ipairs(M.NEEDLES) do held = held or word:find(n, 1, true) ~= nil end
  assert(held, "message.lua: level " .. word .. " holds no prefilter needle")
end

return M
