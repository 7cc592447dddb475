-- github-issues: the script mode (api mode runs against a loopback server in the Swift tests).

describe("github-issues, script mode", function()
  local r = plugin.run({ repo = "acme/api", labels = { "post-mortem", "sev:P1" } }, { report = "fixtures/report.json" })
  local script = r.files["track/github-issues.sh"]

  it("writes one gh issue create per action item", function()
    assert.is_nil(r.error)
    assert.matches("^#!/bin/sh\n", script)
    assert.equals(6, select(2, script:gsub("\ngh issue create ", "")))
  end)

  it("quotes titles and bodies for sh, whatever they hold", function()
    assert.matches([[-t 'AI%-002: Create runbook: DB connection saturation %(don'\''t wait for the "big" rewrite%)']], script)
    assert.matches("%-b 'Action item from the post%-mortem %*%*PM%-2025%-02%-09: API Service Degradation%*%*%.\n\n%- Owner: @alice\n%- Deadline: 2025%-02%-20\n%- Priority: High\n\n<!%-%- pmhost:PM%-2025%-02%-09:AI%-002 %-%->'", script)
  end)

  it("adds the labels, the repository and the owner's handle as assignee", function()
    assert.matches("\ngh issue create %-R 'acme/api' %-t 'AI%-001: Add connection pool metrics to Grafana' %-b '", script)
    assert.matches("<!%-%- pmhost:PM%-2025%-02%-09:AI%-001 %-%->' %-l 'post%-mortem' %-l 'sev:P1' %-a 'bob'\n", script)
  end)

  it("leaves tracking to the run of the script", function()
    for _, a in ipairs(r.actions) do assert.is_nil(a.tracking) end
  end)

  it("refuses a repository that is not OWNER/NAME before running", function()
    local ok, err = pcall(plugin.run, { repo = "acme" }, { report = "fixtures/report.json" })
    assert.is_false(ok)
    assert.matches('option repo: "acme" is not OWNER/NAME', err)
  end)

  it("needs a token in api mode", function()
    local api = plugin.run({ repo = "acme/api", mode = "api", api_url = "http://127.0.0.1:9",
      token_env = "PMHOST_SPEC_NO_SUCH_TOKEN" }, { report = "fixtures/report.json" })
    assert.equals('mode = "api" needs a token in the environment variable PMHOST_SPEC_NO_SUCH_TOKEN', api.error)
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
