-- scripts/bench, variant (c): ctx.fs.lines with contains = "level=error"; the other lines
-- are dropped in Swift and never reach Lua.
return {
  incident = "incident.yaml",
  collect = {
    { "bench-errors", path = "data/kubectl-2m.log", contains = "level=error", limits = { time_s = 600 } },
  },
}
