-- One series of a response: its samples, its threshold crossings, and the series kept for
-- the report's charts.
local M = {}

-- Prometheus writes sample values as strings, including these three (Lua's tonumber
-- refuses them).
local SPECIAL = { ["NaN"] = "NaN", ["+Inf"] = "+Inf", ["Inf"] = "+Inf", ["-Inf"] = "-Inf" }

local function show(v)
  local ok, text = pcall(pm.json.encode, v)
  return ok and text or tostring(v)
end

-- `{code="503", job="api"}`, names sorted so the text is stable; rate() drops __name__.
function M.label(metric)
  local keys = {}
  for k in pairs(metric) do if k ~= "__name__" then keys[#keys + 1] = k end end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = ('%s="%s"'):format(k, tostring(metric[k])) end
  return (metric.__name__ or "") .. "{" .. table.concat(parts, ", ") .. "}"
end

-- The samples of `s` (result[i]) sorted by time: { t = seconds, v = number or nil (NaN),
-- text = "NaN" / "+Inf" / "-Inf" or nil }. Unreadable samples are reported and left out.
function M.samples(s, where, problems)
  local pairs_ = s.values
  if pairs_ == nil and s.value ~= nil then pairs_ = { s.value } end
  if type(pairs_) ~= "table" then
    problems:add("no values", where, "no values (expected a list of [time, \"value\"] pairs); series skipped")
    return {}
  end
  local out = {}
  for i, pair in ipairs(pairs_) do
    local at = ("%s.values[%d]"):format(where, i)
    local t, raw = type(pair) == "table" and pair[1], type(pair) == "table" and pair[2]
    if type(t) == "string" and tonumber(t) then
      problems:add("string time", at .. "[1]", ("%q is a string; Prometheus writes times as JSON numbers (read anyway)"):format(t))
      t = tonumber(t)
    end
    local sample
    if type(t) ~= "number" then
      problems:add("bad time", at, ("%s is not a time in Unix seconds; sample skipped"):format(show(pair)))
    elseif not pm.time.check(t) then
      problems:add("bad time", at, ("%s is outside the years 0001 to 9999; sample skipped"):format(show(pair)))
    elseif type(raw) == "string" and SPECIAL[raw] then
      local text = SPECIAL[raw]
      sample = { t = t, text = text, v = text == "+Inf" and math.huge or text == "-Inf" and -math.huge or nil }
    elseif type(raw) == "string" and tonumber(raw) then
      sample = { t = t, v = tonumber(raw) }
    elseif type(raw) == "number" then -- not what Prometheus writes, but clear enough
      problems:add("number value", at .. "[2]", ("%s is a JSON number; Prometheus writes values as strings (read anyway)")
        :format(tostring(raw)))
      sample = { t = t, v = raw }
    else
      problems:add("bad value", at .. "[2]", ("%s is not a sample value; sample skipped")
        :format(raw == nil and "missing" or show(raw)))
    end
    out[#out + 1] = sample
  end
  table.sort(out, function(a, b) return a.t < b.t end)
  return out
end

-- The series of every response read (a list of { result, origin }, in time order), joined
-- by label set: a list of { metric, label, samples } in the order each first appears. The
-- samples are sorted by time with each time once (a store answering a range's boundary
-- point twice gives it once, as first read), and each knows the response it came from
-- (`origin`, its evidence). A series found in only some of the ranges keeps what they gave.
function M.join(chunks, problems)
  local by_key, order = {}, {}
  for _, chunk in ipairs(chunks) do
    for i, s in ipairs(chunk.result) do
      local where = ("%s: data.result[%d]"):format(chunk.origin, i)
      if type(s) ~= "table" then
        problems:add("bad series", where, "is not a series object; skipped")
      else
        local metric = type(s.metric) == "table" and s.metric or {}
        local key = pm.json.encode(metric) -- keys sorted: one text per label set
        local joined = by_key[key]
        if not joined then
          joined = { metric = metric, label = M.label(metric), samples = {} }
          by_key[key], order[#order + 1] = joined, joined
        end
        for _, sample in ipairs(M.samples(s, where, problems)) do
          sample.origin = chunk.origin
          joined.samples[#joined.samples + 1] = sample
        end
      end
    end
  end
  for _, joined in ipairs(order) do
    local list, sorted = joined.samples, true
    for k = 2, #list do
      if list[k].t < list[k - 1].t then sorted = false break end
    end
    if not sorted then -- ranges answered out of order: sort, the first read first among equal times
      for k, sample in ipairs(list) do sample.seq = k end
      table.sort(list, function(a, b)
        if a.t ~= b.t then return a.t < b.t end
        return a.seq < b.seq
      end)
    end
    local kept = {}
    for _, sample in ipairs(list) do
      if #kept == 0 or kept[#kept].t ~= sample.t then kept[#kept + 1] = sample end
    end
    joined.samples = kept
  end
  return order
end

-- The points of a series for ctx.series.add: {t, v} with v a number or one of
-- the strings "NaN", "+Inf", "-Inf" (JSON has no infinities).
function M.points(samples)
  local points = {}
  for i, s in ipairs(samples) do points[i] = { s.t, s.text or s.v } end
  return points
end

-- metric_crossed when the series starts breaching the threshold, metric_recovered when it
-- stops. NaN samples neither breach nor recover. A first sample that breaches counts as a
-- crossing. `suffix` tells series apart when a query gives several.
function M.crossings(ctx, opts, samples, info)
  local breaching = false
  for _, s in ipairs(samples) do
    if s.v then
      local now
      if opts.above then now = s.v > opts.threshold else now = s.v < opts.threshold end
      if now ~= breaching then
        ctx.timeline.add {
          time = s.t,
          kind = now and "metric_crossed" or "metric_recovered",
          event = now
            and ("%s %s %g%s"):format(opts.name, opts.above and "above" or "below", opts.threshold, info.suffix)
            or ("%s returns to normal%s"):format(opts.name, info.suffix),
          evidence = s.origin or info.evidence,
          fields = { series = info.label, value = s.text or s.v, threshold = opts.threshold, query = opts.query },
        }
        breaching = now
      end
    end
  end
end

return M
