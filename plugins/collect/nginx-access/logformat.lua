-- Turning an nginx `log_format` string into a Lua pattern.
--
--   logformat.compile('$remote_addr [$time_local] "$request" $status')
--   --> pattern '^(.-) %[([^%]]*)%] "([^"]*)" (.*)', names { "remote_addr", "time_local", "request", "status" }
--
-- A variable captures up to the character that follows it in the format: `"` for
-- "$request", `]` for [$time_local], a space for $status. nginx writes `"` inside values as
-- \x22, so a quoted value never holds its closing quote.
local M = {}

local function literal(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

function M.compile(format)
  local parts, names = { "^" }, {}
  local i = 1
  while i <= #format do
    local s, e, name = format:find("%$([%a_][%w_]*)", i)
    if not s then
      parts[#parts + 1] = literal(format:sub(i))
      break
    end
    parts[#parts + 1] = literal(format:sub(i, s - 1))
    local stop = format:sub(e + 1, e + 1)
    if stop == "" then
      parts[#parts + 1] = "(.*)" -- the last variable takes the rest of the line
    elseif stop == "$" then
      parts[#parts + 1] = "(.-)" -- two variables back to back: shortest match
    else
      parts[#parts + 1] = "([^" .. literal(stop) .. "]*)"
    end
    names[#names + 1] = name
    i = e + 1
  end
  return table.concat(parts), names
end

-- A table of variable name -> text for one line, or nil when the line does not fit.
function M.parse(pattern, names, line)
  local caps = { line:match(pattern) }
  if #caps == 0 then return nil end
  local out = {}
  for k, name in ipairs(names) do out[name] = caps[k] end
  return out
end

-- nginx's escaping of bytes < 0x20, >= 0x7F, `"` and `\` in logged values.
function M.unescape(s)
  return (s:gsub("\\x(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

return M
