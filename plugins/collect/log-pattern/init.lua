-- log-pattern: events from a log in any line format, described by a Lua pattern.
--
--   { "log-pattern", path = "data/worker.log",
--     pattern = "^(%S+ %S+) (%u+) %[(.-)%] (.*)$", fields = { "time", "level", "logger", "message" },
--     time_format = "%Y-%m-%d %H:%M:%S,%f", utc_offset = "+01:00", match = " ERROR " }
--   2025-02-09 11:05:23,250 ERROR [worker.pool] job 42 failed: timeout
--   --> 10:05:23.250Z  "job 42 failed: timeout", kind error, fields.level = "ERROR"
--
-- Captures are named by `fields` (in order), or in the pattern itself: `(?<time>%S+)`.
-- `parse` instead of `pattern`: Lua code given the line (a file NAME.lua returning a
-- function, or the body of one, which gets `line, lineno` as `...`), returning a table of
-- fields (time, message, ...) or nil to skip the line. Pipeline options are data, so a
-- function cannot be passed directly.
local logtext = require "pm.logtext"
local timefmt = require "timefmt"

local PROBLEMS = {
  unmatched = { one = "a selected line does not match `pattern`", many = "selected lines do not match `pattern`",
    after = "skipped" },
  no_time = { one = "a line has no time", many = "lines have no time", after = "left out of the timeline" },
  bad_time = { one = "a line has an unreadable time", many = "lines have unreadable times",
    after = "left out of the timeline" },
  parse_error = { one = "`parse` failed on a line", many = "`parse` failed on lines", after = "skipped" },
  utf8 = { one = "an event's line has bytes that are not UTF-8", many = "events' lines have bytes that are not UTF-8",
    after = "shown as U+FFFD" },
}

local function config(option, problem) error(("option %s: %s"):format(option, problem), 0) end

-- The pattern with `(?<name>` turned into `(`, and the name of every capture (false for
-- unnamed ones), in the order Lua numbers them.
local function named_captures(pattern)
  local out, names, i, n = {}, {}, 1, #pattern
  while i <= n do
    local c = pattern:sub(i, i)
    if c == "%" then
      local e = pattern:sub(i + 1, i + 1)
      local stop = e == "b" and i + 3 or e == "f" and (logtext.set_end(pattern, i + 2) or n + 1) - 1 or i + 1
      out[#out + 1] = pattern:sub(i, stop)
      i = stop + 1
    elseif c == "[" then
      local stop = (logtext.set_end(pattern, i) or n + 1) - 1
      out[#out + 1] = pattern:sub(i, stop)
      i = stop + 1
    elseif c == "(" then
      local name, stop = pattern:match("^%(%?P?<([%a_][%w_]*)>()", i)
      names[#names + 1] = name or false
      out[#out + 1] = "("
      i = stop or i + 1
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out), names
end

-- `{name}` in `template` replaced by the field's text; a field that is absent gives "".
local function render(template, v)
  return (template:gsub("{([%a_][%w_]*)}", function(name)
    local x = v[name]
    return x ~= nil and tostring(x) or ""
  end))
end

-- A function(line, lineno) -> fields table or nil, from `pattern` (+ `fields`) or `parse`.
local function line_reader(ctx, opts)
  if opts.parse then
    if opts.pattern then config("parse", "give `pattern` or `parse`, not both") end
    local env = setmetatable({}, { __index = _ENV })
    local code, name = opts.parse, "=(option parse)"
    if opts.parse:find("^[^\n]+%.lua$") then
      if not ctx.fs.exists(opts.parse) then config("parse", "no such file " .. opts.parse) end
      code, name = ctx.fs.read(opts.parse), "@" .. opts.parse
    end
    local chunk, problem = load(code, name, "t", env)
    if not chunk then config("parse", problem) end
    local fn = chunk
    if name ~= "=(option parse)" then
      fn = chunk()
      if type(fn) ~= "function" then config("parse", opts.parse .. " must return a function(line, lineno)") end
    end
    return function(line, lineno)
      local ok, v = pcall(fn, line, lineno)
      if not ok then return nil, v end
      if v ~= nil and type(v) ~= "table" then return nil, "returned a " .. type(v) .. ", not a table or nil" end
      return v or false
    end, nil
  end

  if not opts.pattern then config("pattern", "give `pattern` (a Lua pattern with captures) or `parse`") end
  local pattern, names = named_captures(opts.pattern)
  local problem = logtext.check(pattern)
  if problem then config("pattern", problem) end
  local named = false
  for _, n in ipairs(names) do named = named or n ~= false end
  if opts.fields then
    if named then config("fields", "the pattern names its captures already (?<name>...)") end
    names = opts.fields
    for _, n in ipairs(names) do
      if type(n) ~= "string" then config("fields", "must be a list of capture names") end
    end
  elseif not named then
    config("pattern", "name the captures: fields = { \"time\", ... } or (?<time>...) in the pattern")
  end
  local has = {}
  for _, n in ipairs(names) do if n then has[n] = true end end
  if not has.time then config("pattern", "no capture is named time") end
  local match, count = string.match, #names
  return function(line)
    local caps = { match(line, pattern) }
    if caps[1] == nil then return false end
    local v = {}
    for k = 1, count do
      local n = names[k]
      if n then v[n] = caps[k] end
    end
    return v
  end, has, pattern
end

local function collect(ctx, opts, path, read, filter, reader, event_tpl, group_tpl, selected_by_filter)
  local _, first = ctx.fs.lines(path)()
  if first == nil then return ctx.gap(("%s is empty: no log lines to read"):format(path)) end
  local problems = logtext.problems(ctx, path)
  local unmatched, no_offset = 0, 0
  for lineno, line in ctx.fs.lines(path, filter) do
    local v, why = reader(line, lineno)
    if v == nil then
      problems:add("parse_error", lineno, why, line)
    elseif v == false then
      if selected_by_filter then problems:add("unmatched", lineno, nil, line) else unmatched = unmatched + 1 end
    elseif v.time == nil or v.time == "" or v.time == "-" then
      problems:add("no_time", lineno, nil, line)
    else
      local t, note, applied = read(v.time)
      if not t then
        problems:add("bad_time", lineno, note, tostring(v.time))
      else
        if note == "no offset" then no_offset = no_offset + 1 end
        v.line = line
        local event, bad = logtext.event_text(render(event_tpl, v))
        if event == "" then event, bad = logtext.event_text(line) end
        if bad then problems:add("utf8", lineno) end
        local fields = {}
        for k, x in pairs(v) do
          if k ~= "time" and k ~= "line" and k ~= "message" and (type(x) == "string" or type(x) == "number"
              or type(x) == "boolean") then
            fields[k] = type(x) == "string" and (logtext.event_text(x)) or x
          end
        end
        ctx.timeline.add {
          time = t, time_text = tostring(v.time), time_offset = applied,
          event = event ~= "" and event or "(empty log line)", kind = opts.kind, actor = nil,
          group = group_tpl and logtext.event_text(render(group_tpl, v)) or event,
          evidence = path .. ":" .. lineno, fields = fields,
        }
      end
    end
  end
  problems:warn(PROBLEMS)
  if no_offset > 0 then
    ctx.log.warn(("%s: %d %s no UTC offset and %s read as UTC; set utc_offset if the log is in local time")
      :format(path, no_offset, no_offset == 1 and "event time carries" or "event times carry",
        no_offset == 1 and "was" or "were"))
  end
  if unmatched > 0 then ctx.log.info(("%s: %d lines did not match the pattern"):format(path, unmatched)) end
end

return {
  name = "log-pattern",
  stage = "collect",
  version = "1.0.0",
  api = 2,
  description = "Events from a log in any line format, read with a Lua pattern or a parse function",
  options = {
    path = { type = "glob", required = true, doc = "log file, relative to the pipeline, or a glob of several" },
    pattern = { type = "string",
      doc = "Lua pattern a line must match; its captures are the fields, one named time. "
        .. "Name them with `fields` or in the pattern: (?<time>%S+)" },
    fields = { type = "list", of = { type = "string", pattern = "^[%a_][%w_]*$" }, doc = "names of the pattern's captures, in order: { \"time\", \"level\", \"message\" }" },
    parse = { type = "string",
      doc = "instead of pattern: a Lua file returning function(line, lineno), or the body of one; "
        .. "it returns a table of fields (time, message, ...) or nil to skip the line" },
    time_format = { type = "string", default = "rfc3339",
      doc = "rfc3339, unix, unix_ms, unix_us, unix_ns, nginx, or strptime-like: %Y-%m-%d %H:%M:%S,%f" },
    utc_offset = { type = "string", doc = "offset of times written without one: +05:45, -03:30, Z (default: UTC, with a warning)" },
    kind = { type = "string", default = "error", doc = "the events' kind" },
    match = { type = "lua_pattern", doc = "Lua pattern selecting the lines to read (checked before `pattern`)" },
    contains = { type = { "string", "list" }, of = "string", doc = "plain text (or a list: any of them) a line must hold; checked by the host, fastest" },
    event = { type = "string", doc = "event text, with {field} for captures and {line}; default: {message}, else the line" },
    group = { type = "string", doc = "label that repeats share, with {field}; default: the event text" },
  },
  -- Called by the host before any stage runs (`pmhost check` too): a pattern that cannot
  -- work is a configuration error (exit 2), not a data gap found halfway through a run.
  check = function(opts)
    if not (opts.parse and opts.parse:find("^[^\n]+%.lua$")) then line_reader(nil, opts) end
    if opts.utc_offset and not timefmt.offset(opts.utc_offset) then
      config("utc_offset", ("%q is not an offset such as +05:45, -0330 or Z"):format(opts.utc_offset))
    end
    if type(opts.contains) == "table" and #opts.contains == 0 then
      config("contains", "is an empty list: give the text a line must hold, or leave contains out")
    end
    -- The time format compiled as a run compiles it (a sample year stands for the
    -- incident's), so that a bad one is a configuration error and not a gap at run time.
    local _, problem = timefmt.compile(opts.time_format, { offset = 0, year = 2000 })
    if problem then config("time_format", problem) end
  end,
  run = function(ctx, opts)
    local reader, has, pattern = line_reader(ctx, opts)
    local offset
    if opts.utc_offset then
      offset = timefmt.offset(opts.utc_offset)
      if not offset then config("utc_offset", ("%q is not an offset such as +05:45, -0330 or Z"):format(opts.utc_offset)) end
    end
    local year = ctx.incident and ctx.incident.start and tonumber(os.date("!%Y", math.floor(ctx.incident.start)))
    local read, problem = timefmt.compile(opts.time_format, { offset = offset, year = year })
    if not read then config("time_format", problem) end

    -- The schema has checked `contains` (text or a list of text) and `match` (a pattern).
    local contains = opts.contains
    if type(contains) == "string" then contains = { contains } end
    for _, t in ipairs { "event", "group" } do
      for name in (opts[t] or ""):gmatch("{([%a_][%w_]*)}") do
        if has and not has[name] and name ~= "line" then
          config(t, ("{%s} is no capture of the pattern"):format(name))
        end
      end
    end
    local event_tpl = opts.event or ((not has or has.message) and "{message}" or "{line}")
    -- The host drops lines without the plain text the pattern (or match) requires.
    local filter = { contains = contains, match = opts.match }
    if not contains and pattern then
      local a = logtext.literal(pattern)
      local b = opts.match and logtext.literal(opts.match)
      filter.contains = (b and (not a or #b > #a)) and b or a
    end
    local selected_by_filter = opts.match ~= nil or opts.contains ~= nil
    for _, path in ipairs(logtext.files(ctx, opts.path)) do
      collect(ctx, opts, path, read, filter, reader, event_tpl, opts.group, selected_by_filter)
    end
  end,
}
