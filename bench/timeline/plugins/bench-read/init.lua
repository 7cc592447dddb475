-- scripts/bench-timeline's reader: the same loop over time, event and source of every row,
-- one variant per plugin run (each run has its own Lua state, so no variant pays for
-- another's tables in the garbage collector):
--   lazy   for i, time, event, source in ctx.timeline.each("time", "event", "source")
--   plain  over a Lua table already holding { time, event, source } per row (built untimed)
--   eager  ctx.timeline.get() (a table per row built by the host), then the plain loop
-- Logs "read VARIANT SECONDS ROWS CHECKSUM" (os.clock: CPU seconds).
return {
  name = "bench-read", stage = "analyze", version = "1.0.0", api = 2,
  description = "Benchmark: reading the timeline lazily, from a plain table, and eagerly",
  options = {
    variant = { type = "string", required = true, values = { "lazy", "plain", "eager" }, doc = "what to time" },
  },
  run = function(ctx, opts)
    local function loop(list)
      local sum, rows = 0, 0
      for i = 1, #list do
        local r = list[i]
        sum = sum + #r.time + #r.event + #r.source
        rows = rows + 1
      end
      return rows, sum
    end
    local run
    if opts.variant == "lazy" then
      run = function()
        local sum, rows = 0, 0
        for _, time, event, source in ctx.timeline.each("time", "event", "source") do
          sum = sum + #time + #event + #source
          rows = rows + 1
        end
        return rows, sum
      end
    elseif opts.variant == "plain" then
      local list = {}
      for i, time, event, source in ctx.timeline.each("time", "event", "source") do
        list[i] = { time = time, event = event, source = source }
      end
      run = function() return loop(list) end
    else
      run = function() return loop(ctx.timeline.get()) end
    end
    collectgarbage()
    local t0 = os.clock()
    local rows, sum = run()
    local t1 = os.clock()
    ctx.log.info(("read %s %.6f %d %d"):format(opts.variant, t1 - t0, rows, sum))
  end,
}
