-- json: the whole post-mortem as machine-readable report.json.
--
-- The host owns the format (docs/plugin-api.md, "report.json") and writes it streamed from
-- the model, whatever the size of the incident; this plugin only chooses the file name, so
-- a pipeline can write it elsewhere or not at all. The report stage runs it before the
-- other report plugins, so report.json is there even when one of them fails.

return {
  name = "json",
  stage = "report",
  version = "0.2.0",
  api = 2,
  description = "The post-mortem as report.json",
  options = {
    file = { type = "string", default = "report.json", doc = "output file name in the out folder" },
  },

  run = function(ctx, opts)
    ctx.report.write_json(opts.file)
  end,
}
