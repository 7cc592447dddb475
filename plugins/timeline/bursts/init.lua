-- bursts: fold runs of similar events into one timeline row with a count.
--
-- Events from the same source with the same `group` (collectors set it: "5xx errors", or
-- the log message itself) that follow each other within `gap` seconds become one row:
--
--   10:05:23  HTTP 504 GET /api/v1/orders       nginx   group "5xx errors"
--   10:05:25  HTTP 503 GET /api/v1/products     nginx   group "5xx errors"   ...x 1520
--   --> 10:05:23  First 5xx errors appear  (count 1521, last 10:34:45)
--
-- Events without a group are never folded.

-- The folded row keeps its first event's time, sources and fields; its count is the sum
-- of the run's counts, `last` the run's last time, its evidence "first .. last" (where the
-- first and the last event were seen), its text the events' own when they all said the
-- same, else `title`. Its actor is kept only when every event had the same one.

return {
  name = "bursts",
  stage = "timeline",
  version = "0.1.0",
  api = 2,
  description = "Collapse repeated events (same source and group, close in time) into one row with a count",
  options = {
    gap = { type = "number", default = 300, min = 0, doc = "seconds of quiet that end a burst" },
    min_count = { type = "integer", default = 2, min = 2, doc = "fewest events a burst needs to be folded into one row" },
    title = { type = "string", default = "First %s appear",
      doc = "event text of a folded row whose events differ; %s is the group (`First 5xx errors appear`)" },
  },
  run = function(ctx, opts)
    -- The host folds in place (one pass over the sorted timeline, no table per event): the
    -- rules above, so a million log lines collapse in well under a second.
    local before = ctx.timeline.count()
    local after = ctx.timeline.collapse_bursts { gap = opts.gap, min_count = opts.min_count, title = opts.title }
    ctx.log.info(("%d events -> %d rows"):format(before, after))
  end,
}
