-- scripts/bench-scale: a three-day log through the collectors, the timeline, the three
-- report plugins and the checklist. LOG and true are replaced by scripts/bench-scale.
local report = true
return {
  incident = "incident.yaml",
  out = "/tmp/scale-out-1m",
  table_margin_s = 3 * 86400,
  collect = {
    { "log-pattern", path = "data/scale-1m.log", match = "level=[we]",
      pattern = '^(%S+) level=(%a+) msg="(.-)"', fields = { "time", "level", "message" } },
  },
  timeline = { "bursts", "key-moments" },
  report = report and { "json" } or nil,
  
}
