-- json: the whole post-mortem as machine-readable report.json.
--
-- The host owns the format (docs/plugin-api.md, "report.json"); this plugin only
-- chooses the file name, so a pipeline can write it elsewhere or not at all.

return {
  name = "json",
  stage = "report",
  version = "0.1.0",
  api = 1,
  description = "The post-mortem as report.json",
  options = {
    file = { type = "string", default = "report.json", doc = "output file name in the out folder" },
  },

  run = function(ctx, opts)
    ctx.report:write(opts.file, ctx.report:json())
  end,
}
