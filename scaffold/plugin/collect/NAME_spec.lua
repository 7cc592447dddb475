-- Run with: pmhost test plugins/{{name}}
describe("{{name}}", function()
  it("turns matching lines into events", function()
    local r = plugin.run { path = "fixtures/sample.log" }
    assert.is_nil(r.error)
    assert.equals(1, #r.events)
    assert.equals("2025-02-09T10:05:23.000Z", r.events[1].time)
    assert.equals("deploy api-service v2.3.1 by @alice", r.events[1].event)
  end)
end)
