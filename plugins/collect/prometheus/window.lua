-- Times and durations in options, and the time range of a live query.
local M = {}

local UNIT = { ms = 0.001, s = 1, m = 60, h = 3600, d = 86400, w = 604800, y = 31536000 }

-- Seconds from a number or a Prometheus duration ("15s", "1m30s", "500ms"); nil, message
-- for anything else.
function M.seconds(v, option)
  if type(v) == "number" then return v end
  local text = tostring(v)
  if tonumber(text) then return tonumber(text) end
  local total, rest = 0, text
  while rest ~= "" do
    local n, unit, tail = rest:match("^(%d+%.?%d*)(ms)(.*)$")
    if not n then n, unit, tail = rest:match("^(%d+%.?%d*)([smhdwy])(.*)$") end
    if not n then
      return nil, ("%s: %q is not a duration such as 15s, 5m or 1h30m"):format(option, text)
    end
    total, rest = total + tonumber(n) * UNIT[unit], tail
  end
  if text == "" then return nil, option .. ": empty duration" end
  return total
end

-- Unix seconds from a number, a decimal string or RFC 3339 text; nil when v is nil.
function M.time(v, option)
  if v == nil or type(v) == "number" then return v end
  local t = tonumber(v) or pm.time.parse(tostring(v))
  if not t then error(("%s: %q is neither RFC 3339 nor Unix seconds"):format(option, tostring(v))) end
  return t
end

-- A time or step as a query parameter: "1739095200" or "1739095200.5".
function M.param(t)
  if t == math.floor(t) then return ("%d"):format(t) end
  return (("%.3f"):format(t):gsub("0+$", ""))
end

-- Prometheus refuses a range query that would give more than 11,000 points per series.
local MAX_POINTS = 11000

-- The range of a live query: start/end when given, else the incident window widened by
-- `margin` on each side (an incident without an end runs until now). Returns
-- { start, finish, step } with step in seconds, widened when the range is too long for it.
function M.live(ctx, opts)
  local margin = assert(M.seconds(opts.margin, "margin"))
  local start = M.time(opts.start, "start")
  local finish = M.time(opts["end"], "end")
  if not start then
    if not ctx.incident.start then error("start = is needed: the incident has no started_at") end
    start = ctx.incident.start - margin
  end
  if not finish then finish = (ctx.incident["end"] or os.time()) + margin end
  if finish <= start then
    error(("the query range is empty: end (%s) is not after start (%s)")
      :format(pm.time.format(finish), pm.time.format(start)))
  end
  local step, problem = M.seconds(opts.step, "step")
  if not step then error(problem) end
  if step <= 0 then error("step must be positive") end
  if (finish - start) / step > MAX_POINTS then
    local wider = math.ceil((finish - start) / MAX_POINTS)
    ctx.log.info(("step %s would give more than %d points per series; using %ds"):format(tostring(opts.step),
      MAX_POINTS, wider))
    step = wider
  end
  return { start = start, finish = finish, step = step }
end

return M
