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

-- Evidence of a folded row: where its first and its last event were seen
-- ("access.log:973 .. access.log:6289"). Evidence may also be a list of strings: then the
-- first event's items followed by the last event's.
local function span(first, last)
  if first == nil or last == nil or first == last then return first or last end
  if type(first) ~= "table" then return first .. " .. " .. tostring(last) end
  local out, seen = {}, {}
  for _, list in ipairs { first, type(last) == "table" and last or { last } } do
    for _, item in ipairs(list) do
      if not seen[item] then out[#out + 1], seen[item] = item, true end
    end
  end
  return out
end

local function fold(run, title)
  local first, last = run[1], run[#run]
  local count, same_text, same_actor = 0, true, true
  for _, e in ipairs(run) do
    count = count + (e.count or 1)
    same_text = same_text and e.event == first.event
    same_actor = same_actor and e.actor == first.actor
  end
  local row = {}
  for k, v in pairs(first) do row[k] = v end
  row.event = same_text and first.event or title:format(first.group)
  row.actor = same_actor and first.actor or nil
  row.count = count
  row.last = last.last or last.t
  row.evidence = span(first.evidence, last.evidence)
  return row
end

return {
  name = "bursts",
  stage = "timeline",
  version = "0.1.0",
  api = 1,
  description = "Collapse repeated events (same source and group, close in time) into one row with a count",
  options = {
    gap = { type = "number", default = 300, doc = "seconds of quiet that end a burst" },
    min_count = { type = "integer", default = 2, doc = "fewest events a burst needs to be folded into one row" },
    title = { type = "string", default = "First %s appear",
      doc = "event text of a folded row whose events differ; %s is the group (`First 5xx errors appear`)" },
  },
  run = function(ctx, opts)
    local events = ctx.timeline:events() -- sorted by time
    -- Each event joins the open run of its source+group when the previous one is close
    -- enough; `rows` keeps every event or run at the position of its first event.
    local rows, open = {}, {}
    for _, e in ipairs(events) do
      local key = e.group and (tostring(e.source) .. "\0" .. e.group)
      local run = key and open[key]
      local previous = run and run[#run]
      if previous and e.t - (previous.last or previous.t) <= opts.gap then
        run[#run + 1] = e
      else
        run = { e }
        rows[#rows + 1] = run
        if key then open[key] = run end
      end
    end

    local out = {}
    for _, run in ipairs(rows) do
      if #run >= opts.min_count then
        out[#out + 1] = fold(run, opts.title)
      else
        for _, e in ipairs(run) do out[#out + 1] = e end
      end
    end
    ctx.timeline:replace(out)
    ctx.log.info(("%d events -> %d rows"):format(#events, #out))
  end,
}
