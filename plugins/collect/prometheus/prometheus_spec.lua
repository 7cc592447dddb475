local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do out[i] = e.time .. " " .. e.kind .. " " .. e.event end
  return out
end

describe("prometheus (file)", function()
  it("emits crossings and recoveries, skipping NaN", function()
    local r = plugin.run { file = "fixtures/error-rate.json", threshold = 0.05, name = "Error rate", source = "Prometheus" }
    assert.is_nil(r.error)
    assert.same({
      "2025-02-09T10:05:45.000Z metric_crossed Error rate above 0.05",
      "2025-02-09T10:06:45.500Z metric_recovered Error rate returns to normal",
      "2025-02-09T10:07:00.000Z metric_crossed Error rate above 0.05",
      "2025-02-09T10:25:15.250Z metric_recovered Error rate returns to normal",
    }, rows(r))
    local e = r.events[1]
    assert.equals("Prometheus", e.source)
    assert.equals("fixtures/error-rate.json", e.evidence)
    assert.equals('{job="api"}', e.fields.series)
    assert.equals(0.0712, e.fields.value)
    assert.is_nil(e.actor)
  end)

  it("compares +Inf like any other value", function()
    local r = plugin.run { file = "fixtures/error-rate.json", threshold = 0.2 }
    assert.same({
      "2025-02-09T10:06:30.000Z metric_crossed metric above 0.2",
      "2025-02-09T10:06:45.500Z metric_recovered metric returns to normal",
      "2025-02-09T10:07:00.000Z metric_crossed metric above 0.2",
      "2025-02-09T10:25:00.000Z metric_recovered metric returns to normal",
    }, rows(r))
    assert.equals("+Inf", r.events[1].fields.value)
  end)

  it("counts a first sample that already breaches as a crossing", function()
    local r = plugin.run { file = "fixtures/error-rate.json", threshold = 0.001 }
    assert.equals("2025-02-09T10:05:00.000Z metric_crossed metric above 0.001", rows(r)[1])
    assert.equals(1, #r.events)
  end)

  it("handles several series, below thresholds, -Inf and warnings", function()
    local r = plugin.run { file = "fixtures/by-code.json", threshold = 0.98, above = false, name = "Availability" }
    assert.same({
      '2025-02-09T10:05:15.000Z metric_crossed Availability below 0.98 {code="503", job="api"}',
      '2025-02-09T10:05:30.000Z metric_crossed Availability below 0.98 {code="504", job="api"}',
      '2025-02-09T10:05:45.000Z metric_recovered Availability returns to normal {code="503", job="api"}',
    }, rows(r))
    assert.equals(1, #r.warnings)
    assert.matches("might not be a counter", r.warnings[1].message)
  end)

  it("keeps only samples between start and end", function()
    local r = plugin.run { file = "fixtures/error-rate.json", threshold = 0.05,
      start = "2025-02-09T10:06:50Z", ["end"] = 1739096705 }
    assert.same({ "2025-02-09T10:07:00.000Z metric_crossed metric above 0.05" }, rows(r))
  end)

  it("adds no events without a threshold", function()
    local r = plugin.run { file = "fixtures/error-rate.json" }
    assert.is_nil(r.error)
    assert.equals(0, #r.events)
  end)

  it("records a gap when the query matched nothing", function()
    local r = plugin.run { file = "fixtures/empty.json", threshold = 1 }
    assert.is_nil(r.error)
    assert.equals(1, #r.gaps)
    assert.equals("query returned no series", r.gaps[1].reason)
  end)

  it("fails with Prometheus' own message on an error response", function()
    local r = plugin.run { file = "fixtures/bad-query.json", threshold = 1 }
    assert.matches("bad_data: invalid parameter \"query\"", r.error)
    assert.equals(0, #r.events)
  end)

  it("records a gap for live queries (not supported yet)", function()
    local r = plugin.run { url = "http://127.0.0.1:9090", query = "up", threshold = 1 }
    assert.is_nil(r.error)
    assert.equals(1, #r.gaps)
    assert.matches("^live Prometheus queries are not supported yet", r.gaps[1].reason)
  end)
end)
