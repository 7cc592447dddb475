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
    assert.same({ check = "blameless", ok = true, findings = {},
      detail = "no blaming wording in the report's prose" }, check(r))
  end)

  it("refuses a word list entry that is not a Lua pattern", function()
    local ok, err = pcall(plugin.run, { words = { "(unclosed" } }, { report = "fixtures/blaming.json" })
    assert.is_false(ok)
    assert.matches([[option 'words'%[1%]: "%(unclosed" is not a Lua pattern: unfinished capture]], err)
  end)
end)

describe("blameless on an imported document", function()
  -- The plugin's run, given a ctx as the validate stage builds it for `pmhost validate doc.md`.
  local function run(data, opts)
    local module = require "init"
    local got = { warnings = {} }
    local ctx = {
      report = {
        get = function() return data end,
        check = function(name, ok, detail, extra) got.name, got.ok, got.detail, got.extra = name, ok, detail, extra end,
      },
      log = { warn = function(message) got.warnings[#got.warnings + 1] = message end },
    }
    module.run(ctx, opts or { words = {}, phrases = {}, allow = {} })
    return got
  end

  it("quotes each sentence with its line and passes the findings as { line, text }", function()
    local got = run {
      incident = { summary = "The certificate expired." },
      imported = { prose = {
        { line = 7, section = "summary", text = "The certificate expired." },
        { line = 15, section = "timeline", text = "09:12 The on-call engineer paged the platform team" },
        { line = 16, section = "timeline", text = "09:20 Renewal\nfailed; the operator error gauge rose" },
        { line = 22, section = "happened", text = "Renewal was manual.\nThe admin\nforgot to renew it, again." },
      } },
    }
    assert.equals("blameless", got.name)
    assert.is_false(got.ok)
    assert.equals('what happened, line 23: "The admin forgot to renew it, again." '
      .. "(say which checklist, automation or reminder was missing)", got.detail)
    assert.same({ findings = { { line = 23, text = "The admin forgot to renew it, again." } } }, got.extra)
    assert.equals(1, #got.warnings)
  end)

  it("passes with an empty list of findings", function()
    local got = run { imported = { prose = { { line = 3, section = "summary", text = "Thanks to Ana, nothing was lost." } } } }
    assert.is_true(got.ok)
    assert.same({ findings = {} }, got.extra)
  end)
end)
