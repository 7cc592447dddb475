-- scripts/bench-timeline, part (b): a collector adds 1M events from five sources through
-- ctx.timeline:add (the host merges and dedupes them), then bench-read reads time, event
-- and source of every row, in alternating rounds of lazy, plain and eager (ROUNDS below is
-- replaced by scripts/bench-timeline).
local analyze = {}
for _ = 1, ROUNDS do
  for _, variant in ipairs { "lazy", "plain", "eager" } do
    analyze[#analyze + 1] = { "bench-read", variant = variant, limits = { time_s = 600, memory_mb = 8192 } }
  end
end
return {
  incident = "incident.yaml",
  collect = {
    { "bench-events", n = 1000000, limits = { time_s = 600, memory_mb = 4096 } },
  },
  analyze = analyze,
}
