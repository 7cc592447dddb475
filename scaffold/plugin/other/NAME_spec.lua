-- Run with: pmhost test plugins/{{name}}
describe("{{name}}", function()
  it("runs", function()
    local r = plugin.run({})
    assert.is_nil(r.error)
  end)
end)
