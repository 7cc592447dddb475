-- github-issues: the script mode (api mode runs against a loopback server in the Swift tests).

describe("github-issues, script mode", function()
  local r = plugin.run({ repo = "acme/api", labels = { "post-mortem", "sev:P1" } }, { report = "fixtures/report.json" })
  local script = r.files["track/github-issues.sh"]

  it("writes one gh issue create per action item, from the script's own folder", function()
    assert.is_nil(r.error)
    assert.matches("^#!/bin/sh\n", script)
    assert.matches('\ncd %-%- "%$%(dirname %-%- "%$0"%)"\n', script)
    assert.equals(6, select(2, script:gsub("\ngh issue create ", "")))
  end)

  it("quotes titles for sh and puts each body in a file beside the script", function()
    assert.matches([[--title='AI%-002: Create runbook: DB connection saturation %(don'\''t wait for the "big" rewrite%)']], script)
    assert.matches("%-%-body%-file='github%-issues/AI%-002%.md'", script)
    assert.equals("Action item from the post-mortem **PM-2025-02-09: API Service Degradation**.\n\n- Owner: @alice\n"
      .. "- Deadline: 2025-02-20\n- Priority: High\n\n<!-- pmhost:PM-2025-02-09:AI-002 -->",
      r.files["track/github-issues/AI-002.md"])
  end)

  it("adds the labels, the repository and the owner's handle as assignee, each as --name=VALUE", function()
    assert.matches("\ngh issue create %-%-repo='acme/api' %-%-title='AI%-001: Add connection pool metrics to Grafana' "
      .. "%-%-body%-file='github%-issues/AI%-001%.md' %-%-label='post%-mortem' %-%-label='sev:P1' %-%-assignee='bob'\n", script)
  end)

  it("leaves tracking to the run of the script", function()
    for _, a in ipairs(r.actions) do assert.is_nil(a.tracking) end
  end)

  it("refuses a repository that is not OWNER/NAME before running", function()
    local ok, err = pcall(plugin.run, { repo = "acme" }, { report = "fixtures/report.json" })
    assert.is_false(ok)
    assert.matches([[option 'repo': "acme" does not match the pattern .* %(OWNER/NAME of the repository%)]], err)
  end)

  it("needs a token in api mode", function()
    local api = plugin.run({ repo = "acme/api", mode = "api", api_url = "http://127.0.0.1:9",
      token_env = "PMHOST_SPEC_NO_SUCH_TOKEN" }, { report = "fixtures/report.json" })
    assert.equals("option token_env: the environment variable PMHOST_SPEC_NO_SUCH_TOKEN is not set: "
      .. "export it before the run (a replay needs none)", api.error)
  end)

  it("needs the pipeline to name the API and the token's variable in api mode", function()
    local report = { report = "fixtures/report.json" }
    assert.has_error(function() plugin.run({ repo = "acme/api", mode = "api", token_env = "GITHUB_TOKEN" }, report) end,
      'needs api_url = "https://api.github.com"')
    local named = { repo = "acme/api", mode = "api", api_url = "https://api.github.com" }
    assert.has_error(function() plugin.run(named, report) end,
      'needs token_env = "GITHUB_TOKEN"')
  end)

end)

describe("github-issues, script mode, with hostile ids and texts", function()
  local r = plugin.run({ repo = "acme/api" }, { report = "fixtures/hostile.json" })
  local script = r.files["track/github-issues.sh"]

  it("keeps every value on its own line of the script, inside single quotes", function()
    assert.is_nil(r.error)
    local lines = {}
    for line in script:gmatch("[^\n]*") do if line ~= "" then lines[#lines + 1] = line end end
    assert.equals(6 + 5, #lines) -- shebang, 3 comments, set -e, cd, then one line per item
    assert.matches("^# GitHub issues for the action items of PM%-1 #!/bin/sh rm %-rf ~ %(T touch CANARY %[2J%)", lines[2])
    assert.is_nil((script:gsub("\n", "")):find("%c"))
    assert.matches(" %-%-title='%.%./%.%./etc/passwd: a'\\''; touch CANARY; '\\''b' ", script)
    assert.matches(" %-%-title='%-R evil/repo: %$%(touch CANARY%) `touch CANARY`' ", script)
    assert.matches(" %-%-title='%.%.: line break' ", script)
  end)

  it("names each body file after its item, made safe and unique", function()
    local names = {}
    for name in script:gmatch("%-%-body%-file='github%-issues/([^']*)'") do names[#names + 1] = name end
    assert.same({ "_.._etc_passwd.md", "R_evil_repo.md", "item.md", "a_b.md", "a_b-2.md" }, names)
    for _, name in ipairs(names) do assert.equals("string", type(r.files["track/github-issues/" .. name])) end
    local body = r.files["track/github-issues/R_evil_repo.md"]
    -- Markdown on GitHub: the data is inert text on one line, and the marker's ids are encoded.
    assert.truthy(body:find("**PM-1 #!/bin/sh rm -rf \\~: T touch CANARY \\[2J**", 1, true), body)
    assert.truthy(body:find("- Owner: \\-a evil\n", 1, true), body)
    assert.matches("\n<!%-%- pmhost:PM%-1%%0A%%23%%21%%2Fbin%%2Fsh%%0Arm%%20%-rf%%20%%7E:%-R%%20evil%%2Frepo %-%->$", body)
  end)

  it("gives no assignee to an owner that is not a handle", function()
    assert.is_nil(script:find("--assignee='-a", 1, true))
  end)
end)
