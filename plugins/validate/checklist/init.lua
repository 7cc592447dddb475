-- checklist: the seed's validation checklist, run against the finished report.
--
-- The checks themselves are the list in checks.lua: read it to see exactly what each
-- one looks at. A check that cannot be known yet (the report is not distributed, the
-- track stage has not filed the action items) is recorded as pending, which does not
-- fail the run.

local CHECKS = require "checks"

-- One lazy pass over the timeline (ctx.timeline.each, the times only): how many rows, the
-- first and last time, the first row out of order. A row's text is read only when a check
-- quotes it (ctx.timeline.view, on demand).
local function summary(ctx)
  local s = { n = 0 }
  local prev
  for i, at in ctx.timeline.each("t") do
    if prev and at < prev and not s.unsorted then s.unsorted = i end
    s.first = s.first or at
    prev, s.n = at, i
  end
  s.last = prev
  local view = ctx.timeline.view()
  s.row = function(i)
    local r = view[i]
    return { time = r.time, event = r.event, evidence = r.evidence }
  end
  return s
end

return {
  name = "checklist",
  stage = "validate",
  version = "0.1.0",
  api = 2,
  description = "The seed's validation checklist: timeline, factors, action items, blameless wording, follow-through",
  options = {
    distributed_within_h = { type = "number", default = 48, min = 0, doc = "hours after the incident's end within which the report must be distributed" },
    follow_up_days = { type = "integer", default = 28, min = 0, doc = "days after the incident's end for the follow-up review" },
  },

  run = function(ctx, opts)
    -- Without the timeline (a table per row is most of the time and memory on a real-size
    -- incident). An imported Markdown document (`pmhost validate FILE.md`) comes whole, its
    -- rows in data.timeline, and ctx.timeline is empty.
    local data = ctx.report.get { timeline = false }
    local tl = data.imported and CHECKS.summary(data) or summary(ctx)
    for _, check in ipairs(CHECKS) do
      local ok, detail, extra = check.run(data, opts, tl)
      ctx.report.check(check.name, ok, detail, extra)
    end
  end,
}
