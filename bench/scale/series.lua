-- scripts/bench-scale: one metric series of a month at 15 s steps (172,801 points, written by
-- bench/scale/gen-series.py as a saved Prometheus query_range response) collected by the
-- bundled prometheus plugin and written into report.json. SERIES and REPORT are replaced by
-- scripts/bench-scale: REPORT by { "json" }, { "json", HTML } or nil (no report stage), where
-- HTML draws the whole month: the incident window widened by 16 days either side.
return {
  incident = "incident.yaml",
  out = "out",
  collect = {
    { "prometheus", file = "SERIES", name = "Error ratio", unit = "ratio" },
  },
  report = REPORT,
}
