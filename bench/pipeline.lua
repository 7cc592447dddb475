-- scripts/bench, variant (b): every line of the log reaches Lua through ctx.fs.lines.
return {
  incident = "incident.yaml",
  collect = {
    { "bench-errors", path = "data/kubectl-2m.log", limits = { time_s = 600 } },
  },
}
