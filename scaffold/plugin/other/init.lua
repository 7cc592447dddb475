-- {{name}}: a {{stage}} plugin. Reference: docs/plugin-api.md (ctx and pm).
-- Editors: point the Lua language server at pmhost's docs/pmhost.lua (`pmhost api --lua`) and
-- every ctx call and table field completes.
---@type pmhost.Plugin
return {
  name = "{{name}}",
  stage = "{{stage}}",
  version = "0.1.0",
  api = {{api}},
  description = "What this plugin does, in one line",
  -- Options: name = { type = "string", default = "...", doc = "..." }; run gets them as its
  -- second argument, run = function(ctx, opts).
  options = {},
  run = function(ctx)
    -- ctx.{{handle}} is this stage's handle; docs/plugin-api.md lists them all.
    ctx.log.info(("%d timeline rows"):format(ctx.timeline.count()))
  end,
}
