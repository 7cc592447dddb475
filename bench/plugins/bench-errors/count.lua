-- The parsing code every Lua variant of scripts/bench runs, unchanged: one pattern match
-- per line takes the minute out of the timestamp and the level, and level=error lines are
-- counted per minute. `...` is a generic-for iterator (io.lines or ctx.fs.lines).
-- Returns counts (minute -> n) and the total.
local match = string.match
return function(...)
  local counts, total = {}, 0
  for line in ... do
    local minute, level = match(line, "^(%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d):%d%d[%.%d]*Z level=(%a+)")
    if level == "error" then
      counts[minute] = (counts[minute] or 0) + 1
      total = total + 1
    end
  end
  return counts, total
end
