local INCIDENT = { id = "PM-1", title = "Checkout failures", started_at = "2025-02-09T10:00:00Z",
  ended_at = "2025-02-09T11:00:00Z" }

describe("otlp-traces", function()
  it("smoke", function()
    local r = plugin.run({ path = "fixtures/traces.json", slow_ms = 1500 }, { incident = INCIDENT })
    print(r.error)
    for _, e in ipairs(r.events) do print(e.time, e.kind, e.event, e.group, e.evidence, pm.json.encode(e.fields)) end
    for _, w in ipairs(r.warnings) do print("W", w.message or w) end
    for _, g in ipairs(r.gaps) do print("G", g.reason) end
  end)
end)
