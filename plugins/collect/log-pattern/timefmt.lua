-- Reading the times of log lines in a named format or a strptime-like one.
--
--   local read = timefmt.compile("%d/%b/%Y %H:%M:%S,%f", { offset = 3600 })
--   read("09/Feb/2025 11:05:23,250")   --> 1739095523.25, nil
--   read("31/Feb/2025 11:05:23,250")   --> nil, "day 31 out of range for February 2025"
--
-- Named formats: rfc3339 (any offset; a time without one takes `offset`), unix (seconds,
-- a decimal string), unix_ms, unix_us, unix_ns (integers), nginx ($time_local).
-- Directives: %Y %y %m %d %e %H %I %p %M %S %f (fraction, any digits) %z (Z, +hh:mm,
-- +hhmm) %Z (UTC or GMT only) %b %h %B (English month names) %a %A (week days, ignored)
-- %s (Unix seconds) %j (day of the year) %T %F %D %R %%; white space matches any run of
-- white space, other characters themselves.
--
-- `opts.offset`: seconds east of UTC for times that carry no offset (nil: read them as
-- UTC, and the reader's second result `"no offset"` says so). A reader's third result is
-- the offset it applied, in seconds, when the format says it (nil when the text itself
-- states it in a way the host reads, or for Unix times). `opts.year`: the year for
-- formats without one (syslog's `%b %e %H:%M:%S`).
local M = {}

local MONTHS = { jan = 1, feb = 2, mar = 3, apr = 4, may = 5, jun = 6, jul = 7, aug = 8, sep = 9, oct = 10, nov = 11, dec = 12 }
local MONTH_NAMES = { "January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December" }
local FULL = {}
for i, name in ipairs(MONTH_NAMES) do FULL[name:lower()] = i end

local function leap(y) return y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) end
local DAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
local function days_in(y, m) return m == 2 and leap(y) and 29 or DAYS[m] end

-- Days from 1970-01-01 to year-month-day (proleptic Gregorian; years counted from March
-- so that the leap day comes last).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end
M.days_from_civil = days_from_civil

-- "+05:45", "-0330", "Z", "UTC" -> seconds east of UTC; nil for anything else.
function M.offset(text)
  if text == "Z" or text == "z" or text == "UTC" or text == "GMT" then return 0 end
  local sign, h, m = text:match("^([+-])(%d%d):?(%d%d)$")
  if not sign then return nil end
  h, m = tonumber(h), tonumber(m)
  if h > 23 or m > 59 then return nil end
  return (sign == "+" and 1 or -1) * (h * 3600 + m * 60)
end

-- The Lua pattern of each directive, and the field it sets.
local DIRECTIVES = {
  Y = { "([+-]?%d%d%d%d)", "year" }, y = { "(%d%d)", "year2" }, m = { "(%d%d?)", "month" },
  d = { "(%d%d?)", "day" }, e = { "%s?(%d%d?)", "day" }, H = { "(%d%d?)", "hour" },
  I = { "(%d%d?)", "hour12" }, p = { "(%a%a)", "ampm" }, M = { "(%d%d)", "min" }, S = { "(%d%d)", "sec" },
  f = { "(%d+)", "frac" }, z = { "([Zz+%-][%d:]*)", "zone" }, Z = { "(%a+)", "zonename" },
  b = { "(%a%a%a)", "mon" }, h = { "(%a%a%a)", "mon" }, B = { "(%a+)", "monthname" },
  a = { "%a+" }, A = { "%a+" }, s = { "(%-?%d+)", "epoch" }, j = { "(%d%d?%d?)", "yday" },
}
local COMPOSITE = { T = "%H:%M:%S", F = "%Y-%m-%d", D = "%m/%d/%y", R = "%H:%M" }

local function literal(c) return (c:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")) end

-- A reader for strptime-like `format`, or nil and what is wrong with the format.
local function compile_strptime(given, opts)
  local format = given:gsub("%%([TFDR])", COMPOSITE)
  local parts, fields, has = { "^%s*" }, {}, {}
  local i = 1
  while i <= #format do
    local c = format:sub(i, i)
    if c == "%" then
      local d = format:sub(i + 1, i + 1)
      if d == "%" then
        parts[#parts + 1] = "%%"
      elseif d == "n" or d == "t" then
        parts[#parts + 1] = "%s+"
      else
        local spec = DIRECTIVES[d]
        if not spec then return nil, ("unknown directive %%%s"):format(d) end
        parts[#parts + 1] = spec[1]
        if spec[2] then
          fields[#fields + 1] = spec[2]
          has[spec[2]] = true
        end
      end
      i = i + 2
    elseif c:find("%s") then
      parts[#parts + 1] = "%s*"
      i = i + 1
    else
      parts[#parts + 1] = literal(c)
      i = i + 1
    end
  end
  parts[#parts + 1] = "%s*$"
  if not (has.epoch or ((has.month or has.mon or has.monthname) and has.day) or has.yday) then
    return nil, "needs a date: %Y-%m-%d, %b %d or %s"
  end
  if not (has.year or has.year2 or has.epoch or opts.year) then
    return nil, "has no year (%Y) and no incident year is known"
  end
  local pattern = table.concat(parts)
  local n = #fields
  local match = string.match

  return function(text)
    local caps = { match(text, pattern) }
    if caps[1] == nil then return nil, "not in the format " .. given end
    local v = {}
    for k = 1, n do v[fields[k]] = caps[k] end
    if v.epoch then return tonumber(v.epoch) + (v.frac and tonumber("0." .. v.frac) or 0) end
    local year = v.year and tonumber(v.year) or v.year2 and (tonumber(v.year2) + (tonumber(v.year2) < 69 and 2000 or 1900))
      or opts.year
    local month = tonumber(v.month or "") or (v.mon and MONTHS[v.mon:lower()]) or (v.monthname and FULL[v.monthname:lower()])
    local day = tonumber(v.day or "")
    if v.yday then
      local yday = tonumber(v.yday)
      if yday < 1 or yday > (leap(year) and 366 or 365) then return nil, ("day of the year %d out of range"):format(yday) end
      month, day = 1, yday -- days_from_civil counts on past the end of January
    elseif not month then
      return nil, ("unknown month %q"):format(v.mon or v.monthname or v.month)
    elseif month < 1 or month > 12 then
      return nil, ("month %d out of range"):format(month)
    elseif day < 1 or day > days_in(year, month) then
      return nil, ("day %d out of range for %s %d"):format(day, MONTH_NAMES[month], year)
    end
    local hour = tonumber(v.hour or v.hour12 or "0")
    if v.hour12 then
      if hour < 1 or hour > 12 then return nil, ("hour %d out of range for %%I"):format(hour) end
      local pm_ = v.ampm and v.ampm:upper() == "PM"
      hour = hour % 12 + (pm_ and 12 or 0)
    end
    local min, sec = tonumber(v.min or "0"), tonumber(v.sec or "0")
    if hour > 23 or min > 59 or sec > 60 then
      return nil, ("time %02d:%02d:%02d out of range"):format(hour, min, sec)
    end
    if sec == 60 then sec = 59.999 end -- a leap second, kept in order with its neighbours
    local t = days_from_civil(year, month, 1) * 86400 + (day - 1) * 86400 + hour * 3600 + min * 60 + sec
    if v.frac then t = t + tonumber("0." .. v.frac:sub(1, 3) .. "0") end
    local offset, note
    if v.zone then
      offset = M.offset(v.zone)
      if not offset then return nil, ("unreadable UTC offset %q"):format(v.zone) end
    elseif v.zonename then
      offset = M.offset(v.zonename:upper())
      if not offset then return nil, ("time zone %q is ambiguous: log numeric offsets or set utc_offset"):format(v.zonename) end
    elseif opts.offset then
      offset = opts.offset
    else
      offset, note = 0, "no offset"
    end
    return t - offset, note, offset
  end
end

-- "2025-02-09 10:05:23" (no offset), "2025-02-09T10:05:23,5": RFC 3339 but for the offset.
local NO_OFFSET = "^%d%d%d%d%-%d%d%-%d%d[Tt ]%d%d:%d%d:%d%d[%.,]?%d*$"

-- A reader function(text or number) -> seconds, note | nil, reason (before the range check).
local function compile(format, opts)
  opts = opts or {}
  local parse = pm.time.parse
  if format == "rfc3339" then
    local suffix = opts.offset and ("%s%02d:%02d"):format(opts.offset < 0 and "-" or "+",
      math.abs(opts.offset) // 3600, math.abs(opts.offset) % 3600 // 60)
    return function(text)
      if type(text) == "number" then return text end
      local t, why = parse(text)
      if t then return t end
      if text:find(NO_OFFSET) then
        t = parse(text:gsub(",", ".") .. (suffix or "Z"))
        if t then return t, not suffix and "no offset" or nil, opts.offset or 0 end
      end
      return nil, why
    end
  elseif format == "unix" or format == "nginx" then
    return function(text)
      if type(text) == "number" then return text end
      return parse(text, format)
    end
  end
  local scale = ({ unix_ms = 1e3, unix_us = 1e6, unix_ns = 1e9 })[format]
  if scale then
    return function(text)
      if type(text) == "number" then return text / scale end
      local n = text:match("^%s*(%-?%d+)%s*$")
      if not n then return nil, ("expected an integer count of %s"):format(format:sub(6)) end
      return math.tointeger(n) / scale
    end
  end
  if not format:find("%", 1, true) then
    return nil, "unknown time_format " .. format .. " (rfc3339, unix, unix_ms, unix_us, unix_ns, nginx, or %-directives)"
  end
  return compile_strptime(format, opts)
end

-- A reader function(text or number) -> seconds, note, offset | nil, reason. Times outside
-- the years 0001 to 9999 (which the model cannot hold) are refused like unreadable ones.
function M.compile(format, opts)
  local read, problem = compile(format, opts)
  if not read then return nil, problem end
  local check = pm.time.check
  return function(text)
    local t, note, offset = read(text)
    if t == nil then return nil, note end
    local ok, why = check(t)
    if not ok then return nil, why end
    return t, note, offset
  end
end

return M
