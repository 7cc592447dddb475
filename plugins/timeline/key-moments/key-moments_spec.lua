local INCIDENT = "fixtures/incident.yaml" -- 10:05 to 11:40 UTC

local function ev(clock, kind, text, source)
  return { time = "2025-02-09T" .. clock .. "Z", kind = kind, event = text or kind, source = source or "test" }
end

local function marks(r)
  local out = {}
  for name, t in pairs(r.moments) do out[name] = pm.time.format(t, "clock") end
  return out
end

-- The seed's incident, as the collectors see it.
local seed = {
  ev("08:30:00", "alert_fired", "DiskSpaceLow alert fires", "Prometheus"), -- before the window
  ev("10:05:23", "error", "First 5xx errors appear", "nginx access logs"),
  ev("10:05:45", "metric_crossed", "Error rate above 0.05", "Prometheus"),
  ev("10:06:45", "alert_fired", "High error rate alert fires", "Prometheus"),
  ev("10:06:46", "alert_fired", "Incident triggered: HighErrorRate", "PagerDuty"),
  ev("10:08:12", "paged", "On-call engineer paged", "PagerDuty"),
  ev("10:12:00", "acknowledged", "Engineer acknowledges alert", "PagerDuty"),
  ev("10:15:30", "error", "Database connection pool exhausted", "app logs"),
  ev("10:18:45", "action", "Database queries identified as slow", "pganalyze"),
  ev("10:22:10", "deploy", "Cache layer deployed as mitigation", "kubectl"),
  ev("10:35:00", "metric_recovered", "Error rate returns to normal", "Prometheus"),
  ev("10:40:00", "resolved", "Incident marked resolved", "PagerDuty"),
  ev("10:45:00", "action", "Post-mortem scheduled", "Slack"),
}

describe("key-moments", function()
  it("marks the seed's moments", function()
    local r = plugin.run({}, { incident = INCIDENT, events = seed })
    assert.is_nil(r.error)
    assert.same({
      impact_start = "10:05:23", detected = "10:06:45", paged = "10:08:12",
      acknowledged = "10:12:00", mitigated = "10:22:10", resolved = "10:40:00",
    }, marks(r))
  end)

  it("prefers an explicit mitigated event", function()
    local events = { table.unpack(seed) }
    events[#events + 1] = ev("10:30:00", "mitigated", "Traffic shifted to the cache")
    local r = plugin.run({}, { incident = INCIDENT, events = events })
    assert.equals("10:30:00", marks(r).mitigated)
  end)

  it("leaves mitigated unset when the metric never recovers", function()
    local r = plugin.run({}, { incident = INCIDENT, events = {
      ev("10:05:45", "metric_crossed"), ev("10:22:10", "deploy"), ev("10:40:00", "resolved"),
    } })
    assert.same({ impact_start = "10:05:45", resolved = "10:40:00" }, marks(r))
  end)

  it("ignores a recovery from before the impact started", function()
    local r = plugin.run({}, { incident = INCIDENT, events = {
      ev("09:50:00", "action", "Scaled down replicas"),
      ev("10:00:00", "metric_recovered"),
      ev("10:05:45", "metric_crossed"),
      ev("10:18:45", "action"),
      ev("10:22:10", "deploy", "Cache layer deployed as mitigation"),
      ev("10:35:00", "metric_recovered"),
    } })
    assert.equals("10:22:10", marks(r).mitigated)
  end)

  it("counts a crossing the timeline merge folded into an alert row at its own time", function()
    local alert = ev("10:06:45", "alert_fired", "HighErrorRate firing")
    alert.merged = { { time = "2025-02-09T10:05:45Z", kind = "metric_crossed", source = "Prometheus",
      event = "Error rate above 0.05" } }
    local r = plugin.run({}, { incident = INCIDENT, events = { alert, ev("10:40:00", "resolved") } })
    assert.same({ impact_start = "10:05:45", detected = "10:06:45", resolved = "10:40:00" }, marks(r))
  end)

  it("widens the window with margin", function()
    local r = plugin.run({ margin = 7200 }, { incident = INCIDENT, events = seed })
    assert.equals("08:30:00", marks(r).detected)
  end)

  it("sets nothing on an empty timeline", function()
    local r = plugin.run({}, { incident = INCIDENT, events = {} })
    assert.is_nil(r.error)
    assert.same({}, marks(r))
  end)
end)
