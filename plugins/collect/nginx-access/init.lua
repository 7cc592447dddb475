-- nginx-access: failed requests from an nginx access log.
--
--   198.51.100.212 - - [09/Feb/2025:11:05:23 +0100] "GET /api/v1/orders?customer=4821 HTTP/1.1" 504 167 "-" "curl/8.5"
--   --> 10:05:23Z  "HTTP 504 GET /api/v1/orders", kind error, group "5xx errors"
--
-- Any log_format (logformat.lua), `combined` by default. nginx writes a line when the
-- request ends, so $time_local is when the client got its answer; `time = "start"` places
-- events when requests began instead ($request_time earlier).
local logformat = require "logformat"
local logtext = require "pm.logtext"

local PROBLEMS = {
  format = { one = "a line is not in the given log_format", many = "lines are not in the given log_format",
    after = "skipped (is `format` the log_format this log was written with?)" },
  bad_time = { one = "a selected line has an unreadable time", many = "selected lines have unreadable times",
    after = "left out of the timeline" },
  utf8 = { one = "an event's request has bytes that are not UTF-8", many = "events' requests have bytes that are not UTF-8",
    after = "shown as U+FFFD" },
}

-- The plain text a Lua pattern's matches all start with: "5%d%d" -> "5", "50[234]" -> "50".
local function leading_text(pattern)
  local out, i = {}, 1
  while i <= #pattern do
    local c = pattern:sub(i, i)
    local char
    if c == "%" and pattern:sub(i + 1, i + 1):find("^%p") then
      char, i = pattern:sub(i + 1, i + 1), i + 2
    elseif c:find("^[%w ]") then
      char, i = c, i + 1
    else
      break
    end
    if pattern:sub(i, i):find("^[*+%-?]") then break end
    out[#out + 1] = char
  end
  return table.concat(out)
end

-- The request time in seconds from whichever time variable the format logs.
local function request_time(v)
  if v.time_local then return pm.time.parse(v.time_local, "nginx") end
  if v.time_iso8601 then return pm.time.parse(v.time_iso8601) end
  if v.msec then return pm.time.parse(v.msec, "unix") end
end

-- "GET /path?query HTTP/1.1" -> "GET", "/path" (the query is left out: it varies, and may
-- hold personal data). Anything else is described: a TLS handshake sent to a plain HTTP
-- port, an empty request, bytes that are no request line.
local function describe(request, escape)
  local method, target = request:match("^([%u_][%u%d_%-]*) (%S+)")
  if method then
    local path = logformat.unescape(target:match("^[^?#]*"), escape)
    return method, path, method .. " " .. path
  end
  if request == "" or request == "-" then return nil, nil, "(no request line)" end
  if request:find("^\\x16\\x03") then return nil, nil, "(TLS handshake sent to a plain HTTP port)" end
  return nil, nil, ('(malformed request "%s")'):format(logtext.event_text(request, 40))
end

local function collect(ctx, opts, path, f, filter, status_pattern)
  local _, first = ctx.fs.lines(path)()
  if first == nil then return ctx.gap(("%s is empty: no log lines to read"):format(path)) end
  local problems = logtext.problems(ctx, path)
  local read, escape = f.read, opts.escape
  local fitted = 0
  for lineno, line in ctx.fs.lines(path, filter) do
    local v = read(line)
    if not v then
      problems:add("format", lineno, nil, line)
    else
      fitted = fitted + 1
      local status = v.status
      if status and status:find(status_pattern) then
        local t, why = request_time(v)
        if t and opts.time == "start" then
          -- request_time comes from the log: the start may fall outside the years 0001-9999.
          t, why = pm.time.check(t - (tonumber(v.request_time) or 0))
        end
        if not t then
          problems:add("bad_time", lineno, why, v.time_local or v.time_iso8601 or v.msec or line)
        else
          local method, target, what = describe(v.request or "", escape)
          local event, bad = logtext.event_text(("HTTP %s %s"):format(status, what))
          if bad then problems:add("utf8", lineno) end
          local class = status:sub(1, 1)
          ctx.timeline.add {
            time = t, time_text = v.time_local or v.time_iso8601 or v.msec, event = event, actor = nil,
            kind = opts.kind or (class == "5" and "error" or "note"),
            group = class .. ((class == "4" or class == "5") and "xx errors" or "xx responses"),
            evidence = path .. ":" .. lineno,
            fields = {
              status = math.tointeger(tonumber(status)), method = method, path = target and (logtext.event_text(target)),
              remote_addr = v.remote_addr, host = v.host or v.server_name,
              bytes = math.tointeger(tonumber(v.body_bytes_sent or v.bytes_sent)),
              request_time = tonumber(v.request_time),
              upstream_status = v.upstream_status ~= "-" and v.upstream_status or nil,
              user_agent = v.http_user_agent and v.http_user_agent ~= "-"
                and (logtext.event_text(logformat.unescape(v.http_user_agent, escape))) or nil,
            },
          }
        end
      end
    end
  end
  problems:warn(PROBLEMS)
  if fitted == 0 and problems:count("format") > 0 then
    ctx.gap(("%s: no line is in the given log_format (%d read); the log was not used"):format(
      path, problems:count("format")))
  end
end

return {
  name = "nginx-access",
  stage = "collect",
  version = "1.0.0",
  api = 2,
  description = "Failed requests (by default 5xx) from an nginx access log, in any log_format",
  options = {
    path = { type = "glob", required = true,
      doc = "access log, relative to the pipeline, or a glob (`*`, `?`, `**`) of several (rotated logs)" },
    format = { type = "string", default = "combined",
      doc = "the log_format the log was written with: `combined`, `main`, or the format string itself "
        .. "(`$remote_addr ... $status ...`; a JSON object for JSON logs)" },
    escape = { type = "string", default = "default", values = { "default", "json", "none" },
      doc = "the log_format's escape= parameter" },
    status = { type = "lua_pattern", default = "5%d%d",
      doc = "Lua pattern the whole status code must match, e.g. `5%d%d`, `[45]%d%d`, `50[234]`" },
    kind = { type = "string", doc = "kind of every event; default: error for 5xx, note for other statuses" },
    time = { type = "string", default = "end", values = { "end", "start" },
      doc = "place a request when it ended (nginx's time, the default) or began (needs $request_time)" },
  },
  -- Called by the host before any stage runs (`pmhost check` too): a format without the
  -- variables the plugin needs is a configuration error (the schema has checked `status`).
  check = function(opts)
    local f = logformat.compile(opts.format, opts.escape)
    local has = {}
    for _, n in ipairs(f.names) do has[n] = true end
    if not has.status then error("option format: no $status variable in " .. opts.format, 0) end
    if not (has.time_local or has.time_iso8601 or has.msec) then
      error("option format: no $time_local, $time_iso8601 or $msec variable in " .. opts.format, 0)
    end
    if opts.time == "start" and not has.request_time then
      error('option time: "start" needs $request_time in the format', 0)
    end
  end,
  run = function(ctx, opts)
    local f = logformat.compile(opts.format, opts.escape)
    local status = opts.status:gsub("^%^", ""):gsub("%$$", "")
    -- Every selected line holds the format's text before $status and then the status'
    -- first digits (`" 5` in combined): let the host drop the others before Lua.
    local filter
    local lead = leading_text(status)
    if lead ~= "" and f.before.status then filter = { contains = f.before.status .. lead } end
    for _, path in ipairs(logtext.files(ctx, opts.path)) do
      collect(ctx, opts, path, f, filter, "^" .. status .. "$")
    end
  end,
}
