-- kubectl-logs: error lines from `kubectl logs --timestamps [--prefix]` output.
--
--   [pod/api-7d9f/api] 2025-02-09T10:15:30.123456789Z level=error msg="Database connection pool exhausted"
--
-- Each selected line becomes an `error` event whose text is the log message, grouped by
-- that text so that the `bursts` timeline plugin can fold repeats into one row.
local message = require "message"

local MAX_TEXT = 200 -- a timeline row, not a log dump

local function shorten(s)
  s = s:gsub("%s+", " ")
  if #s <= MAX_TEXT then return s end
  local cut = utf8.offset(s, MAX_TEXT) or MAX_TEXT -- never cut inside a UTF-8 sequence
  return s:sub(1, cut - 1) .. "…"
end

local function files(ctx, path)
  if path:find("[*?]") then
    local list = ctx.fs.glob(path)
    if #list == 0 then error(("no file matches %s (paths are relative to the pipeline folder)"):format(path)) end
    return list
  end
  if not ctx.fs.exists(path) then
    error(("cannot read %s: no such file (paths are relative to the pipeline folder)"):format(path))
  end
  return { path }
end

local function collect(ctx, opts, path)
  -- With `match` the user's pattern decides; otherwise let the host drop lines that cannot
  -- be errors before they reach Lua, and check precisely below.
  local filter = opts.match and { match = opts.match } or { contains = message.prefilter }
  local bad = {} -- line numbers with an unreadable timestamp
  for line, lineno in ctx.fs.lines(path, filter) do
    local pod, container, rest = line:match("^%[pod/([^/%]]+)/([^%]]+)%] (.*)$")
    rest = rest or line
    local stamp, text = rest:match("^(%S+) ?(.*)$")
    local t = stamp and pm.time.parse(stamp)
    if not t then
      bad[#bad + 1] = lineno
    else
      local msg, level = message.parse(text)
      if opts.match or message.is_error(text, level) then
        msg = shorten(msg ~= "" and msg or text)
        if msg == "" then msg = "(empty log line)" end
        ctx.timeline:add {
          time = t, event = msg, kind = "error", group = msg,
          evidence = path .. ":" .. lineno,
          fields = { pod = pod, container = container, level = level, service = opts.service },
        }
      end
    end
  end
  if #bad > 0 and #bad <= 3 then
    for _, n in ipairs(bad) do
      ctx.log.warn(("%s:%d: no RFC 3339 timestamp (was the log taken with --timestamps?); line skipped"):format(path, n))
    end
  elseif #bad > 3 then
    ctx.log.warn(("%s: %d lines without an RFC 3339 timestamp skipped, the first at %s:%d (was the log taken with --timestamps?)")
      :format(path, #bad, path, bad[1]))
  end
end

return {
  name = "kubectl-logs",
  stage = "collect",
  version = "0.1.0",
  api = 1,
  description = "Error lines from `kubectl logs --timestamps` output (logfmt, JSON, klog or plain text)",
  options = {
    path = { type = "string", required = true,
      doc = "log file saved from `kubectl logs --timestamps [--prefix]`, or a glob (`*`, `?`, `**`) of several" },
    match = { type = "string",
      doc = "Lua pattern a line must contain to be kept; default: error, fatal, panic or critical levels and HTTP 5xx status fields" },
    service = { type = "string", doc = "service name recorded in each event's fields" },
  },
  run = function(ctx, opts)
    for _, path in ipairs(files(ctx, opts.path)) do collect(ctx, opts, path) end
  end,
}
