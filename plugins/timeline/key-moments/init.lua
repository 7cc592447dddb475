-- key-moments: mark when impact started, when it was detected, paged, acknowledged,
-- mitigated and resolved, from the kinds of the timeline's events. The host computes the
-- response metrics (time to detect, acknowledge, mitigate, resolve) from these marks.

local pmx = require "pm.postmortem"

-- The first event of each kind marks the moment.
local FIRST_OF = {
  impact_start = { error = true, metric_crossed = true },
  detected = { alert_fired = true },
  paged = { paged = true },
  acknowledged = { acknowledged = true },
  resolved = { resolved = true },
}

-- Mitigation is rarely logged as such: take the last action or deploy before the metric
-- recovered (once impact had started), unless someone marked it with a `mitigated` event.
local function mitigated(events, impact_start)
  for _, e in ipairs(events) do
    if e.kind == "mitigated" then return e.t end
  end
  if not impact_start then return nil end
  local recovered
  for _, e in ipairs(events) do
    if e.kind == "metric_recovered" and e.t >= impact_start then recovered = e.t; break end
  end
  if not recovered then return nil end
  local last
  for _, e in ipairs(events) do
    if e.t > recovered then break end
    if e.kind == "action" or e.kind == "deploy" then last = e.t end
  end
  return last
end

return {
  name = "key-moments",
  stage = "timeline",
  version = "0.1.0",
  api = 2,
  description = "Mark impact start, detection, page, acknowledgement, mitigation and resolution from event kinds",
  options = {
    margin = { type = "number", default = 3600, min = 0,
      doc = "seconds before the incident's start and after its end in which events still count" },
  },
  run = function(ctx, opts)
    -- Only events near the incident: an alert from last week's export must not count.
    local lo = ctx.incident.start and ctx.incident.start - opts.margin or -math.huge
    local hi = ctx.incident["end"] and ctx.incident["end"] + opts.margin or math.huge
    local events = {}
    -- Read lazily (three fields, a chunk at a time), not as a table per event.
    for _, t, kind, merged in ctx.timeline.each("t", "kind", "merged") do -- sorted by time
      if t >= lo and t <= hi then events[#events + 1] = { t = t, kind = kind, merged = merged } end
    end

    -- A row may stand for several happenings the merge folded together (a metric crossing
    -- folded into the alert it raised): each counts at its own time.
    local moments = {}
    local function consider(kind, t)
      for name, kinds in pairs(FIRST_OF) do
        if kinds[kind] and t >= lo and t <= hi and (not moments[name] or t < moments[name]) then
          moments[name] = t
        end
      end
    end
    for _, e in ipairs(events) do
      consider(e.kind, e.t)
      for _, m in ipairs(e.merged or {}) do consider(m.kind, m.t) end
    end
    moments.mitigated = mitigated(events, moments.impact_start)

    -- One line naming the moments, dated when the incident or its events span more than
    -- one UTC day (pm.postmortem's rule): "impact_start 10:05:23" of a three-day incident
    -- would not say which day.
    local clock = pmx.clock_for(ctx.incident, events[1] and events[1].t, events[#events] and events[#events].t)
    local marked = {}
    for _, name in ipairs { "impact_start", "detected", "paged", "acknowledged", "mitigated", "resolved" } do
      if moments[name] then
        ctx.moments.set(name, moments[name])
        marked[#marked + 1] = name .. " " .. clock(moments[name])
      else
        ctx.log.info("no event marks " .. name)
      end
    end
    if #marked > 0 then ctx.log.info("key moments (UTC): " .. table.concat(marked, ", ")) end
  end,
}
