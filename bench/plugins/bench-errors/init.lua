-- scripts/bench's collector: counts level=error lines per minute with ctx.fs.lines, and
-- logs the counts (`errors MINUTE N` per minute, then `total N`) with ctx.log.info, which
-- scripts/bench compares with the standalone lua5.4 run.
local count = require "count"

return {
  name = "bench-errors", stage = "collect", version = "1.0.0", api = 2,
  description = "Benchmark: level=error lines per minute of a kubectl-style log",
  options = {
    path = { type = "string", required = true, doc = "log file, relative to the pipeline" },
    contains = { type = "string", doc = "passed on to ctx.fs.lines (lines without it never reach Lua)" },
  },
  run = function(ctx, opts)
    local counts, total
    if opts.contains then
      counts, total = count(ctx.fs.lines(opts.path, { contains = opts.contains }))
    else
      counts, total = count(ctx.fs.lines(opts.path))
    end
    local minutes = {}
    for minute in pairs(counts) do minutes[#minutes + 1] = minute end
    table.sort(minutes)
    for _, minute in ipairs(minutes) do ctx.log.info("errors " .. minute .. " " .. counts[minute]) end
    ctx.log.info("total " .. total)
  end,
}
