-- prometheus: a metric around the incident, from the range query API of Prometheus or any
-- store that speaks it (Thanos, Mimir, Cortex, VictoriaMetrics).
--
-- Live:   url = "http://prometheus:9090", query = "..."   GETs /api/v1/query_range over the
--         incident window widened by `margin` (or start/end), every `step`. The step is
--         the one asked for: a window that would give more than `max_points` points per
--         series (Prometheus refuses 11,000) is read in consecutive ranges, one request
--         each, and each series joined again across them. A store with a lower limit
--         (VictoriaMetrics answers 422 "too many points") gets smaller ranges.
-- Saved:  file = "error-rate.json", a response saved with
--         curl -G URL/api/v1/query_range --data-urlencode 'query=...' \
--           --data-urlencode start=... --data-urlencode end=... --data-urlencode step=15s
--
-- Every series is kept for the report's charts. With `threshold`, each series also gives a
-- `metric_crossed` event when it starts breaching and a `metric_recovered` event when it
-- stops, computed on the whole joined series (a breach across two ranges is one event).
local logtext = require "pm.logtext"
local store = require "pm.store"
local response = require "response"
local series = require "series"

-- Keeps the samples between lo and hi (either may be nil).
local function between(samples, lo, hi)
  local kept = {}
  for _, s in ipairs(samples) do
    if (not lo or s.t >= lo) and (not hi or s.t <= hi) then kept[#kept + 1] = s end
  end
  return kept
end

return {
  name = "prometheus",
  stage = "collect",
  version = "0.3.0",
  api = 2,
  description = "A Prometheus range query: the series for the report's charts, and threshold crossings and recoveries",
  options = store.options {
    url = { type = "url", doc = "base URL of Prometheus (or Thanos, Mimir, VictoriaMetrics) for a live query, e.g. `http://prometheus:9090`" },
    file = { type = "file", doc = "a saved /api/v1/query_range JSON response, relative to the pipeline" },
    query = { type = "string", doc = "the PromQL expression (required with `url`; recorded with the series)" },
    start = { type = { "number", "string" },
      doc = "live: query from this time; saved: ignore samples before it (RFC 3339 or Unix seconds). "
        .. "Live default: the incident's start minus `margin`" },
    ["end"] = { type = { "number", "string" },
      doc = "live: query up to this time; saved: ignore samples after it. Live default: the incident's end plus `margin`" },
    step = { type = { "number", "string" }, default = "15s",
      doc = "resolution of a live query (seconds or a duration: `15s`); kept whatever the window's length" },
    max_points = { type = "integer", min = 1, default = store.MAX_POINTS,
      doc = "points per series in one request; a longer window is read in consecutive ranges "
        .. "(Prometheus refuses more than 11,000; a store refusing fewer gets smaller ranges)" },
    threshold = { type = "number", doc = "value that marks trouble; without it the series are kept but give no events" },
    above = { type = "boolean", default = true, doc = "true: values above the threshold breach it; false: values below" },
    name = { type = "string", default = "metric", doc = "what the query measures, for event texts and charts (`Error rate`)" },
    unit = { type = "string", doc = "unit of the values for charts, e.g. `ratio`, `s`, `req/s`" },
  },
  -- Called by the host before any stage runs (`pmhost check` too): options that exclude
  -- each other, and times and durations that cannot be read, are configuration errors.
  check = function(opts)
    if opts.url and opts.file then error("set either url = (live query) or file = (saved response), not both", 0) end
    if not opts.url and not opts.file then error("set url = (Prometheus, with query =) or file = (a saved query_range response)", 0) end
    if opts.url and not opts.query then error("url = needs query = (the PromQL expression to run)", 0) end
    local problems = store.check(opts)
    local step, problem = store.seconds(opts.step or "15s", "step")
    if problem then
      problems[#problems + 1] = "option " .. problem
    elseif step <= 0 then
      problems[#problems + 1] = "option step: must be positive"
    end
    return problems
  end,
  run = function(ctx, opts)
    local found = logtext.problems(ctx)
    local chunks, w
    if opts.url then
      chunks, w = response.fetch(ctx, opts, found)
    else
      chunks = response.read(ctx, opts.file, found)
    end
    if not chunks then return found:warn() end
    if #chunks == 0 then return found:warn() end -- every range failed: each is a gap already

    local total = 0
    for _, chunk in ipairs(chunks) do total = total + #chunk.result end
    if total == 0 then
      local origin = #chunks == 1 and chunks[1].origin
        or ("%d responses from %s"):format(#chunks, opts.url)
      ctx.gap(("the query matched no series%s (%s)"):format(opts.query and (": " .. opts.query) or "", origin),
        w and { window = { start = w.start, ["end"] = w.finish } })
      return found:warn()
    end

    local lo, hi = store.time(opts.start, "start"), store.time(opts["end"], "end")
    local joined = series.join(chunks, found)
    local several = #joined > 1 -- then event texts and chart names carry each series' labels
    for _, s in ipairs(joined) do
      local samples = between(s.samples, lo, hi)
      if #samples > 0 then -- a series without samples has been warned about: no empty chart
        local above = nil
        if opts.threshold then above = opts.above end
        ctx.series.add {
          name = several and (opts.name .. " " .. s.label) or opts.name,
          query = opts.query, labels = s.metric, unit = opts.unit,
          threshold = opts.threshold, above = above,
          points = store.points(samples),
        }
      end
      if opts.threshold then
        store.crossings(ctx, opts, samples, { label = s.label, suffix = several and (" " .. s.label) or "" })
      end
    end
    if not opts.threshold then
      ctx.log.info(("%d series read; no threshold given, so no crossing events"):format(#joined))
    end
    found:warn()
  end,
}
