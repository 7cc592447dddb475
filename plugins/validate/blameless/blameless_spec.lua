-- blameless: quotes each blaming sentence with a systems framing; systems wording passes.

local function check(r)
  for _, c in ipairs(r.checks or {}) do if c.check == "blameless" then return c end end
end

describe("blameless", function()
  it("quotes the person-as-cause sentences and suggests a framing", function()
    local r = plugin.run({}, { report = "fixtures/blaming.json" })
    assert.is_nil(r.error)
    local c = check(r)
    assert.is_false(c.ok)
    assert.equals('summary: "@alice caused the outage by deploying a careless change." '
      .. '(say what in the system let the change through (a missing review, check or test)); '
      .. 'why chain: "The on-call engineer forgot to check the pool metrics." '
      .. '(say which checklist, automation or reminder was missing)', c.detail)
    assert.equals(2, #r.warnings)
  end)

  it("leaves systems wording alone: 'traffic failed to', 'should have clear rules'", function()
    local r = plugin.run({}, { report = "fixtures/blaming.json" })
    assert.is_nil(check(r).detail:find("Traffic failed", 1, true))
    assert.is_nil(check(r).detail:find("repository", 1, true))
  end)

  it("takes an organisation's own words, phrases and allowed idioms", function()
    local r = plugin.run({ phrases = { "ignored the alert" }, allow = { "careless change" } },
      { report = "fixtures/blaming.json" })
    local c = check(r)
    assert.is_nil(c.detail:find("@alice", 1, true))
    local extra = plugin.run({ words = { "%f[%w]negligen" } }, { report = "fixtures/blaming.json" })
    assert.matches("engineer forgot", check(extra).detail)
  end)

  it("passes the seed's example report", function()
    local r = plugin.run({}, { report = "fixtures/report.json" })
    assert.same({ check = "blameless", ok = true,
      detail = "no blaming wording in the report's prose" }, check(r))
  end)

  it("refuses a word list entry that is not a Lua pattern", function()
    local ok, err = pcall(plugin.run, { words = { "(unclosed" } }, { report = "fixtures/blaming.json" })
    assert.is_false(ok)
    assert.matches("option words%[1%]: %(unclosed is not a Lua pattern", err)
  end)
end)
