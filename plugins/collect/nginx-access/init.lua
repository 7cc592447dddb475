-- nginx-access: failed requests from an nginx access log.
--
--   198.51.100.212 - - [09/Feb/2025:11:05:23 +0100] "GET /api/v1/orders?customer=4821 HTTP/1.1" 504 167 "-" "curl/8.5"
--   --> 10:05:23Z  "HTTP 504 GET /api/v1/orders", kind error, group "5xx errors"
local logformat = require "logformat"

local COMBINED = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
local DEFAULT_STATUS = "5%d%d"

-- The request time in seconds from whichever time variable the format logs.
local function request_time(v)
  if v.time_local then return pm.time.parse(v.time_local, "nginx") end
  if v.time_iso8601 then return pm.time.parse(v.time_iso8601) end
  if v.msec then return pm.time.parse(v.msec, "unix") end
  return nil
end

-- Warn about unreadable lines once per kind, naming the first few.
local function report_bad(ctx, path, what, linenos)
  if #linenos == 0 then return end
  local shown = {}
  for k = 1, math.min(3, #linenos) do shown[k] = path .. ":" .. linenos[k] end
  ctx.log.warn(("%d line(s) %s skipped: %s%s"):format(#linenos, what, table.concat(shown, ", "),
    #linenos > 3 and ", ..." or ""))
end

return {
  name = "nginx-access",
  stage = "collect",
  version = "0.1.0",
  api = 1,
  description = "Failed requests (by default 5xx) from an nginx access log, in any log_format",
  options = {
    path = { type = "string", required = true, doc = "access log file, relative to the pipeline" },
    format = { type = "string", default = COMBINED,
      doc = "the log_format string the log was written with (default: nginx's `combined`)" },
    status = { type = "string", default = DEFAULT_STATUS,
      doc = "Lua pattern the whole status code must match, e.g. `5%d%d` or `[45]%d%d`" },
  },
  run = function(ctx, opts)
    if not ctx.fs.exists(opts.path) then
      error(("cannot read %s: no such file (paths are relative to the pipeline folder)"):format(opts.path))
    end
    local pattern, names = logformat.compile(opts.format)
    local has = {}
    for _, n in ipairs(names) do has[n] = true end
    if not has.status then error("format has no $status variable: " .. opts.format) end
    if not (has.time_local or has.time_iso8601 or has.msec) then
      error("format has no $time_local, $time_iso8601 or $msec variable: " .. opts.format)
    end

    -- In the combined format the status follows the request's closing quote: let the host
    -- skip every line that cannot hold a 5xx before it reaches Lua.
    local filter = nil
    if opts.status == DEFAULT_STATUS and opts.format == COMBINED then filter = { contains = '" 5' } end

    local unmatched, untimed = {}, {}
    local status_pattern = "^" .. opts.status .. "$"
    for line, lineno in ctx.fs.lines(opts.path, filter) do
      local v = logformat.parse(pattern, names, line)
      if not v then
        unmatched[#unmatched + 1] = lineno
      elseif v.status:find(status_pattern) then
        local t = request_time(v)
        if not t then
          untimed[#untimed + 1] = lineno
        else
          -- "GET /path?query HTTP/1.1"; anything else (TLS bytes sent to the HTTP port,
          -- an empty request) is reported as malformed.
          local request = logformat.unescape(v.request or "")
          local method, target = request:match("^(%u+) (%S+)")
          local path = target and target:match("^[^?#]*")
          local event = method and ("HTTP %s %s %s"):format(v.status, method, path)
            or ("HTTP %s (malformed request)"):format(v.status)
          ctx.timeline:add {
            time = t, event = event,
            kind = v.status:sub(1, 1) == "5" and "error" or "note",
            group = v.status:sub(1, 1) .. "xx errors",
            evidence = opts.path .. ":" .. lineno,
            fields = {
              status = math.tointeger(tonumber(v.status)), method = method, path = path,
              remote_addr = v.remote_addr,
              bytes = tonumber(v.body_bytes_sent or v.bytes_sent),
              user_agent = v.http_user_agent and logformat.unescape(v.http_user_agent),
            },
          }
        end
      end
    end
    report_bad(ctx, opts.path, "not in the given log_format", unmatched)
    report_bad(ctx, opts.path, "with an unreadable time", untimed)
  end,
}
