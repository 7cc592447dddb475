-- Run with: pmhost test plugins/{{name}}
describe("{{name}}", function()
  it("records its check", function()
    local r = plugin.run({})
    assert.is_nil(r.error)
    assert.equals("has_summary", r.checks[1].check)
  end)
end)
