-- github-issues: one GitHub issue per action item, created exactly once.
--
--   mode = "script" (default): writes track/github-issues.sh, one `gh issue create` per item,
--     for a person to review and run. Nothing is contacted.
--   mode = "api": POST {api_url}/repos/{repo}/issues with the token from the environment
--     variable `token_env`; the pipeline names both (api_url = "https://api.github.com",
--     token_env = "GITHUB_TOKEN"), since only the pipeline grants reach. Each issue's body carries a marker naming the incident and the
--     item; a re-run finds the issue by that marker instead of creating a second one. The
--     created (or found) issue's URL goes into the item's `tracking`, which the checklist's
--     action_items_tracked check reads.
--
-- The token is sent in a header only: ctx.http never saves request headers as evidence.

-- 'text' for sh: single quotes, each ' written as '\''. Safe for any bytes but NUL.
local function sh(text) return "'" .. tostring(text):gsub("'", "'\\''") .. "'" end

local function marker(incident, item) return ("<!-- pmhost:%s:%s -->"):format(incident.id, item.id) end

local function title_of(item) return ("%s: %s"):format(item.id, item.action) end

local function body_of(incident, item)
  local lines = {
    ("Action item from the post-mortem **%s: %s**."):format(incident.id, incident.title),
    "",
    ("- Owner: %s"):format(item.owner or "unassigned"),
    ("- Deadline: %s"):format(item.deadline or "none"),
    ("- Priority: %s"):format(item.priority or "none"),
    "",
    marker(incident, item),
  }
  return table.concat(lines, "\n")
end

-- "@bob" -> "bob"; an owner that is not a GitHub handle gets no assignee.
local function login(owner)
  local handle = owner and owner:match("^@([%w][%w%-]*)$")
  return handle
end

local function script(ctx, opts, items)
  local incident = ctx.incident
  local out = {
    "#!/bin/sh",
    ("# GitHub issues for the action items of %s (%s), written by pmhost."):format(incident.id, incident.title),
    "# Review it, then run it once: sh " .. opts.file,
    "set -e",
  }
  for _, item in ipairs(items) do
    local args = { "gh issue create", "-R " .. sh(opts.repo), "-t " .. sh(title_of(item)), "-b " .. sh(body_of(incident, item)) }
    for _, label in ipairs(opts.labels) do args[#args + 1] = "-l " .. sh(label) end
    local who = login(item.owner)
    if who then args[#args + 1] = "-a " .. sh(who) end
    out[#out + 1] = table.concat(args, " ")
  end
  ctx.fs.write(opts.file, table.concat(out, "\n") .. "\n")
  ctx.log.info(("%d issues in %s: run it to file them"):format(#items, opts.file))
end

-- Existing issues of the repository that carry one of our markers: marker -> issue. Pages
-- follow the Link header's rel="next" (GitHub's pagination), at most 50 of them.
local function existing_issues(ctx, opts, headers)
  local found = {}
  for page = 1, 50 do
    local list, res = ctx.http:get_json(("%s/repos/%s/issues"):format(opts.api_url, opts.repo), {
      query = { state = "all", labels = opts.labels[1], per_page = 100, page = page }, headers = headers,
    })
    if not list then return nil, res end
    for _, issue in ipairs(list) do
      local m = type(issue.body) == "string" and issue.body:match("<!%-%- pmhost:[^ ]+ %-%->")
      if m then found[m] = issue end
    end
    if not (res.headers.link or ""):find('rel="next"', 1, true) then break end
  end
  return found
end

local function why(res)
  local status = res.status
  local ok, data = pcall(pm.json.decode, res.body)
  local message = ok and type(data) == "table" and data.message or nil
  if status == 429 or (status == 403 and (res.headers["x-ratelimit-remaining"] == "0" or res.headers["retry-after"])) then
    return ("rate limited (HTTP %d); retry after %s s"):format(status, res.headers["retry-after"] or "?")
  end
  local meaning = ({ [401] = "the token was refused", [403] = "the token may not create issues here",
    [404] = "no such repository (or the token cannot see it)", [410] = "issues are disabled in this repository",
    [422] = "GitHub refused the issue" })[status] or "unexpected answer"
  return ("HTTP %d: %s%s"):format(status, meaning, message and (" (" .. message .. ")") or "")
end

local function api(ctx, opts, items)
  local token = ctx.env(opts.token_env)
  if not token or token == "" then
    error(("mode = \"api\" needs a token in the environment variable %s"):format(opts.token_env), 0)
  end
  local headers = { Authorization = "Bearer " .. token, Accept = "application/vnd.github+json",
    ["X-GitHub-Api-Version"] = "2022-11-28" }
  local existing, problem = existing_issues(ctx, opts, headers)
  if not existing then
    ctx.log.warn("cannot list the repository's issues, so none is created (a re-run could duplicate them): " .. problem)
    return
  end
  local created, found, failed = 0, 0, 0
  for _, item in ipairs(items) do
    local issue = existing[marker(ctx.incident, item)]
    if issue then
      found = found + 1
    else
      local payload = { title = title_of(item), body = body_of(ctx.incident, item), labels = opts.labels }
      local who = login(item.owner)
      if who then payload.assignees = { who } end
      local res, err = ctx.http:post(("%s/repos/%s/issues"):format(opts.api_url, opts.repo),
        { json = payload, headers = headers, gap = false })
      if not res then
        failed = failed + 1
        ctx.log.warn(("%s: not filed: %s"):format(item.id, err))
      elseif res.status == 201 then
        issue = pm.json.decode(res.body)
        created = created + 1
      else
        failed = failed + 1
        ctx.log.warn(("%s: not filed: %s"):format(item.id, why(res)))
      end
    end
    if issue then ctx.actions:update(item.id, { tracking = issue.html_url or ("#" .. tostring(issue.number)) }) end
  end
  ctx.log.info(("%d issues created, %d already there, %d failed"):format(created, found, failed))
  if failed > 0 then ctx.gap(("%d of %d action items could not be filed as issues"):format(failed, #items)) end
end

return {
  name = "github-issues",
  stage = "track",
  version = "0.1.0",
  api = 1,
  description = "One GitHub issue per action item: a gh script to run, or created through the REST API exactly once",
  options = {
    repo = { type = "string", required = true, doc = "OWNER/NAME of the repository" },
    labels = { type = "list", default = { "post-mortem" }, doc = "labels of every issue; the first also finds them again on a re-run" },
    mode = { type = "string", values = { "script", "api" }, default = "script", doc = "script: write a gh script; api: create the issues" },
    file = { type = "string", default = "track/github-issues.sh", doc = "the script, in the out folder (script mode)" },
    api_url = { type = "string",
      doc = "GitHub's REST API, `https://api.github.com` (or a GitHub Enterprise one); api mode needs it" },
    token_env = { type = "string", doc = "environment variable holding the token, e.g. `GITHUB_TOKEN`; api mode needs it" },
  },
  check = function(opts)
    if not opts.repo:match("^[%w%.%-_]+/[%w%.%-_]+$") then
      error(("option repo: %q is not OWNER/NAME"):format(opts.repo), 0)
    end
    if #opts.labels == 0 then error("option labels: give at least one label (it finds the issues again)", 0) end
    -- Only the pipeline grants reach: the API's URL and the token's variable are written there.
    if opts.mode == "api" then
      if not opts.api_url then
        error('mode = "api" needs api_url = "https://api.github.com" (or your GitHub Enterprise API)'
          .. " in the pipeline", 0)
      end
      if not opts.token_env then
        error('mode = "api" needs token_env = "GITHUB_TOKEN" (the environment variable holding the token)'
          .. " in the pipeline", 0)
      end
    end
  end,
  run = function(ctx, opts)
    local items = ctx.actions:list()
    if #items == 0 then
      ctx.log.info("no action items: no issue to file")
      return
    end
    if opts.mode == "api" then api(ctx, opts, items) else script(ctx, opts, items) end
  end,
}
