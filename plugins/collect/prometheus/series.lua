-- The series of the responses read: their samples, joined across the ranges of a split
-- query (labels, points and crossings are pm.store's, shared with loki).
local store = require "pm.store"

local M = {}

-- Prometheus writes sample values as strings, including these three (Lua's tonumber
-- refuses them).
local SPECIAL = { ["NaN"] = "NaN", ["+Inf"] = "+Inf", ["Inf"] = "+Inf", ["-Inf"] = "-Inf" }

local function show(v)
  local ok, text = pcall(pm.json.encode, v)
  return ok and text or tostring(v)
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
-- (`evidence`: the answer it came in). A series found in only some of the ranges keeps what they gave.
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
          joined = { metric = metric, label = store.label(metric), samples = {} }
          by_key[key], order[#order + 1] = joined, joined
        end
        for _, sample in ipairs(M.samples(s, where, problems)) do
          sample.evidence = chunk.origin
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

return M
