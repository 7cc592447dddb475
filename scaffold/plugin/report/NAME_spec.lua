-- Run with: pmhost test plugins/{{name}}
describe("{{name}}", function()
  it("writes its file", function()
    local events = { { time = "2025-02-09T10:05:23Z", event = "First errors", kind = "error" } }
    local r = plugin.run({}, { events = events })
    assert.is_nil(r.error)
    assert.matches("%- 2025%-02%-09T10:05:23%.000Z First errors", r.files["{{name}}.md"])
  end)
end)
