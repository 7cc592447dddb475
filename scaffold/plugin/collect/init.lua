-- {{name}}: a collect plugin. Reference: docs/plugin-api.md (ctx and pm).
-- Editors: point the Lua language server at pmhost's docs/pmhost.lua (`pmhost api --lua`) and
-- every ctx call and table field completes.
---@type pmhost.Plugin
return {
  name = "{{name}}",
  stage = "collect",
  version = "0.1.0",
  api = {{api}},
  description = "What this plugin does, in one line",
  options = {
    path = { type = "file", required = true, doc = "the log, relative to the pipeline" },
    contains = { type = "string", default = "deploy", doc = "text a line must hold to be read" },
  },
  run = function(ctx, opts)
    -- Lines reach Lua only when they hold `contains`; match and parse each one.
    for n, line in ctx.fs.lines(opts.path, { contains = opts.contains }) do
      local ts, what = line:match("^(%S+) (.*)$")
      local t = ts and pm.time.parse(ts)
      if t then
        ctx.timeline.add { time = t, event = what, kind = "deploy", evidence = opts.path .. ":" .. n }
      else
        ctx.log.warn(("%s:%d: no time at the start of the line"):format(opts.path, n))
      end
    end
  end,
}
