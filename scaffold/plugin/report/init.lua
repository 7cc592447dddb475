-- {{name}}: a report plugin. Reference: docs/plugin-api.md (ctx and pm).
-- Editors: point the Lua language server at pmhost's docs/pmhost.lua (`pmhost api --lua`) and
-- every ctx call and table field completes.
---@type pmhost.Plugin
return {
  name = "{{name}}",
  stage = "report",
  version = "0.1.0",
  api = {{api}},
  description = "What this plugin does, in one line",
  options = {
    file = { type = "string", default = "{{name}}.md", doc = "output file in the out folder" },
  },
  run = function(ctx, opts)
    -- Text from the data goes into Markdown through pm.mdtext, so it shows as typed.
    local md = require "pm.mdtext"
    local data = ctx.report.get()
    local lines = { "# " .. md.text(data.incident.title), "" }
    for _, e in ipairs(data.timeline) do lines[#lines + 1] = ("- %s %s"):format(e.time, md.text(e.event)) end
    ctx.report.write(opts.file, table.concat(lines, "\n") .. "\n")
  end,
}
