-- scripts/bench-scale: a three-day log through the collectors, the timeline, the three
-- report plugins and the checklist. LOG and REPORT are replaced by scripts/bench-scale.
-- The report shows the whole log: the table (table_margin_s) and the HTML's timeline
-- (margin_s) reach three days either side of the three-hour incident.
local report = REPORT
return {
  incident = "incident.yaml",
  out = "OUT",
  table_margin_s = 3 * 86400,
  collect = {
    { "log-pattern", path = "LOG", match = "level=[we]",
      pattern = '^(%S+) level=(%a+) msg="(.-)"', fields = { "time", "level", "message" } },
  },
  timeline = { "bursts", "key-moments" },
  report = report and { "json", "markdown", { "html", margin_s = 3 * 86400 } } or nil,
  validate = { "checklist" },
}
