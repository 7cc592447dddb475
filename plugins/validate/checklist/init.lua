-- checklist: the seed's validation checklist, run against the finished report.
--
-- The checks themselves are the list in checks.lua: read it to see exactly what each
-- one looks at. A check that cannot be known yet (the report is not distributed, the
-- track stage has not filed the action items) is recorded as pending, which does not
-- fail the run.

local CHECKS = require "checks"

return {
  name = "checklist",
  stage = "validate",
  version = "0.1.0",
  api = 1,
  description = "The seed's validation checklist: timeline, factors, action items, blameless wording, follow-through",
  options = {
    distributed_within_h = { type = "number", default = 48, doc = "hours after the incident's end within which the report must be distributed" },
    follow_up_days = { type = "integer", default = 28, doc = "days after the incident's end for the follow-up review" },
  },

  run = function(ctx, opts)
    local data = ctx.report:data()
    for _, check in ipairs(CHECKS) do
      local ok, detail = check.run(data, opts)
      ctx.report:check(check.name, ok, detail)
    end
  end,
}
