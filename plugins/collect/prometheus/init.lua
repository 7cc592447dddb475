-- prometheus: threshold crossings of a metric, from a saved /api/v1/query_range response.
--
--   curl -G http://prometheus:9090/api/v1/query_range --data-urlencode 'query=...' \
--     --data-urlencode start=... --data-urlencode end=... --data-urlencode step=15s > error-rate.json
--
-- With `threshold`, each series gives a `metric_crossed` event when it starts breaching
-- and a `metric_recovered` event when it stops.

-- Sample values are strings; Lua's tonumber refuses "NaN" and "Inf", so map them here.
local specials = { ["+Inf"] = math.huge, ["Inf"] = math.huge, ["-Inf"] = -math.huge }
local function sample_value(s)
  if specials[s] then return specials[s] end
  local v = tonumber(s)
  if v ~= v then return nil end -- NaN: no value, neither breaching nor normal
  return v
end

-- `{job="api", code="503"}`, labels sorted so the text is stable.
local function series_label(metric)
  local keys = {}
  for k in pairs(metric or {}) do if k ~= "__name__" then keys[#keys + 1] = k end end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = ('%s="%s"'):format(k, tostring(metric[k])) end
  return ((metric or {}).__name__ or "") .. "{" .. table.concat(parts, ", ") .. "}"
end

-- start/end as RFC 3339 text or Unix seconds.
local function to_seconds(v, option)
  if v == nil or type(v) == "number" then return v end
  local t = tonumber(v) or pm.time.parse(v)
  if not t then error(("%s: %q is neither RFC 3339 nor Unix seconds"):format(option, v)) end
  return t
end

local function crossings(ctx, opts, series, label, several)
  local samples = {}
  for _, pair in ipairs(series.values or { series.value }) do
    samples[#samples + 1] = { t = tonumber(pair[1]), v = sample_value(pair[2]), text = pair[2] }
  end
  table.sort(samples, function(a, b) return a.t < b.t end)

  local lo, hi = to_seconds(opts.start, "start"), to_seconds(opts["end"], "end")
  local threshold = opts.threshold
  local suffix = several and (" " .. label) or "" -- tell series apart when there are several
  local breaching = false
  for _, s in ipairs(samples) do
    if s.v and (not lo or s.t >= lo) and (not hi or s.t <= hi) then
      local now
      if opts.above then now = s.v > threshold else now = s.v < threshold end
      if now ~= breaching then
        ctx.timeline:add {
          time = s.t,
          kind = now and "metric_crossed" or "metric_recovered",
          event = now and ("%s %s %g%s"):format(opts.name, opts.above and "above" or "below", threshold, suffix)
            or ("%s returns to normal%s"):format(opts.name, suffix),
          evidence = opts.file,
          -- JSON has no infinity: keep "+Inf" as text
          fields = { series = label, value = math.abs(s.v) == math.huge and s.text or s.v, threshold = threshold },
        }
        breaching = now
      end
    end
  end
end

return {
  name = "prometheus",
  stage = "collect",
  version = "0.1.0",
  api = 1,
  description = "Threshold crossings and recoveries of a Prometheus range query",
  options = {
    file = { type = "string", doc = "a saved /api/v1/query_range JSON response, relative to the pipeline" },
    url = { type = "string", doc = "Prometheus base URL for a live query (not supported yet: use `file`)" },
    query = { type = "string", doc = "the PromQL expression (recorded with the evidence; sent when querying live)" },
    start = { type = "any", doc = "ignore samples before this time (RFC 3339 or Unix seconds); live default: incident start" },
    ["end"] = { type = "any", doc = "ignore samples after this time (RFC 3339 or Unix seconds); live default: incident end" },
    step = { type = "any", default = "15s", doc = "query resolution for live queries, e.g. `15s`" },
    threshold = { type = "number", doc = "value that marks trouble; without it no events are added" },
    above = { type = "boolean", default = true, doc = "true: values above the threshold breach it; false: values below" },
    name = { type = "string", default = "metric", doc = "what the query measures, used in event texts (`Error rate above 0.05`)" },
  },
  run = function(ctx, opts)
    if not opts.file then
      if opts.url then
        -- TODO: query opts.url through ctx.http once the host provides it.
        ctx.gap("live Prometheus queries are not supported yet; save the query_range response and pass file =")
        return
      end
      error("set file = (a saved query_range response) or url =")
    end

    local ok, doc = pcall(pm.json.decode, ctx.fs.read(opts.file))
    if not ok then error(("%s is not a Prometheus response: %s"):format(opts.file, doc)) end
    if type(doc) ~= "table" then error(opts.file .. " is not a Prometheus response") end
    if doc.status == "error" then
      error(("%s: Prometheus answered %s: %s"):format(opts.file, tostring(doc.errorType), tostring(doc.error)))
    end
    for _, w in ipairs(type(doc.warnings) == "table" and doc.warnings or {}) do
      ctx.log.warn(opts.file .. ": Prometheus warning: " .. tostring(w))
    end

    local result = type(doc.data) == "table" and doc.data.result
    if type(result) ~= "table" then error(opts.file .. " has no data.result: is it a query_range response?") end
    if #result == 0 then
      ctx.gap("query returned no series")
      return
    end
    if not opts.threshold then
      ctx.log.info(("%d series read; no threshold given, so no events"):format(#result))
      return
    end
    for _, series in ipairs(result) do
      crossings(ctx, opts, series, series_label(series.metric), #result > 1)
    end
  end,
}
