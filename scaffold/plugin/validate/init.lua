-- {{name}}: a validate plugin. Reference: docs/plugin-api.md (ctx and pm).
-- Editors: point the Lua language server at pmhost's docs/pmhost.lua (`pmhost api --lua`) and
-- every ctx call and table field completes.
---@type pmhost.Plugin
return {
  name = "{{name}}",
  stage = "validate",
  version = "0.1.0",
  api = {{api}},
  description = "What this plugin does, in one line",
  -- Options: name = { type = "string", default = "...", doc = "..." }; run gets them as its
  -- second argument, run = function(ctx, opts).
  options = {},
  run = function(ctx)
    local summary = ctx.report.get().incident.summary
    ctx.report.check("has_summary", summary ~= nil, summary and "summary present" or "no summary")
  end,
}
