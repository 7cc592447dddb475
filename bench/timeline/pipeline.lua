-- scripts/bench-timeline, part (b): a collector adds 1M events from five sources through
-- ctx.timeline.add (the host merges and dedupes them), then bench-read reads time, event
-- and source of every row one way (VARIANT below is replaced by scripts/bench-timeline,
-- which runs one process per variant and round: the eager variant's 4 GB would otherwise
-- slow down whatever runs after it in the same process).
local analyze = {
  { "bench-read", variant = "VARIANT", limits = { time_s = 600, memory_mb = 8192 } },
}
return {
  incident = "incident.yaml",
  collect = {
    { "bench-events", n = 1000000, limits = { time_s = 600, memory_mb = 4096 } },
  },
  analyze = analyze,
}
