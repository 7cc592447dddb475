-- prometheus: a metric around the incident, from Prometheus' range query API.
--
-- Live:   url = "http://prometheus:9090", query = "..."   GETs /api/v1/query_range over the
--         incident window widened by `margin` (or start/end), every `step`.
-- Saved:  file = "error-rate.json", a response saved with
--         curl -G URL/api/v1/query_range --data-urlencode 'query=...' \
--           --data-urlencode start=... --data-urlencode end=... --data-urlencode step=15s
--
-- Every series is kept for the report's charts. With `threshold`, each series also gives a
-- `metric_crossed` event when it starts breaching and a `metric_recovered` event when it stops.
local logtext = require "pm.logtext"
local response = require "response"
local series = require "series"
local window = require "window"

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
  version = "0.2.0",
  api = 2,
  description = "A Prometheus range query: the series for the report's charts, and threshold crossings and recoveries",
  options = {
    url = { type = "url", doc = "Prometheus base URL for a live query, e.g. `http://prometheus:9090`" },
    file = { type = "file", doc = "a saved /api/v1/query_range JSON response, relative to the pipeline" },
    query = { type = "string", doc = "the PromQL expression (required with `url`; recorded with the series)" },
    start = { type = { "number", "string" },
      doc = "live: query from this time; saved: ignore samples before it (RFC 3339 or Unix seconds). "
        .. "Live default: the incident's start minus `margin`" },
    ["end"] = { type = { "number", "string" },
      doc = "live: query up to this time; saved: ignore samples after it. Live default: the incident's end plus `margin`" },
    margin = { type = { "number", "string" }, default = "15m",
      doc = "how much to widen the incident window on each side for a live query (seconds or a duration: `15m`)" },
    step = { type = { "number", "string" }, default = "15s", doc = "resolution of a live query (seconds or a duration: `15s`)" },
    timeout_s = { type = "number", min = 0, doc = "seconds to wait for Prometheus (default: the host's 30)" },
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
    local problems = {}
    for _, o in ipairs { "margin", "step" } do
      local _, problem = window.seconds(opts[o], o)
      if problem then problems[#problems + 1] = "option " .. problem end
    end
    for _, o in ipairs { "start", "end" } do
      local ok, err = pcall(window.time, opts[o], o)
      if not ok then problems[#problems + 1] = "option " .. tostring(err):gsub("^[^:]*:%d+: ", "") end
    end
    return problems
  end,
  run = function(ctx, opts)

    local found = logtext.problems(ctx)
    local result, origin, range
    if opts.url then
      range = window.live(ctx, opts)
      result, origin = response.fetch(ctx, opts, range, found)
    else
      result, origin = response.read(ctx, opts.file, found)
    end
    if not result then return found:warn() end

    if #result == 0 then
      ctx.gap(("the query matched no series%s (%s)"):format(opts.query and (": " .. opts.query) or "", origin),
        range and { window = { start = range.start, ["end"] = range.finish } })
      return found:warn()
    end

    local lo, hi = window.time(opts.start, "start"), window.time(opts["end"], "end")
    local count = 0
    for _, s in ipairs(result) do if type(s) == "table" then count = count + 1 end end
    local several = count > 1 -- then event texts and chart names carry each series' labels
    for i, s in ipairs(result) do
      local where = ("%s: data.result[%d]"):format(origin, i)
      if type(s) ~= "table" then
        found:add("bad series", where, "is not a series object; skipped")
      else
        local metric = type(s.metric) == "table" and s.metric or {}
        local label = series.label(metric)
        local samples = between(series.samples(s, where, found), lo, hi)
        if #samples > 0 then -- a series without samples has been warned about: no empty chart
          local above = nil
          if opts.threshold then above = opts.above end
          ctx.series.add {
            name = several and (opts.name .. " " .. label) or opts.name,
            query = opts.query, labels = metric, unit = opts.unit,
            threshold = opts.threshold, above = above,
            points = series.points(samples),
          }
        end
        if opts.threshold then
          series.crossings(ctx, opts, samples, { label = label, evidence = origin, suffix = several and (" " .. label) or "" })
        end
      end
    end
    if not opts.threshold then
      ctx.log.info(("%d series read; no threshold given, so no crossing events"):format(#result))
    end
    found:warn()
  end,
}
