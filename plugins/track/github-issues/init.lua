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

-- The script never interprets data: each value reaches `gh` as one single-quoted word of
-- the `--name=VALUE` form (so a value starting with "-" is never read as a flag), and each
-- body (many lines of free text) in a file beside the script, named by --body-file.

-- Control characters (C0, DEL and the UTF-8 encoded C1 range) would end a line of the
-- script or rewrite the terminal of whoever reads it: runs of them become one space.
local function one_line(text)
  return (tostring(text):gsub("\xC2[\x80-\x9F]", "\1"):gsub("%c+", " "))
end

-- One word for sh: single quotes, each ' written as '\''. one_line leaves no NUL or newline.
local function sh(text) return "'" .. one_line(text):gsub("'", "'\\''") .. "'" end

-- An item id as a file name: letters, digits, ".", "_" and "-" only, no leading "." or "-"
-- (so no "..", no hidden file, no flag), at most 64 bytes, never empty.
local function file_name(id)
  local name = tostring(id):gsub("[^%w%._%-]", "_"):gsub("^[%.%-]+", ""):sub(1, 64)
  return name ~= "" and name or "item"
end

local md = require "pm.mdtext"
local store = require "pm.store"

-- An id inside the marker: every byte but letters, digits, ".", "_" and "-" as %XX, so no id
-- can hold the space or "-->" that would end the marker (and make a re-run file it again).
-- Ids made of those characters only (PM-2025-02-09, AI-001) read as they are.
local function marker_id(id)
  return (tostring(id):gsub("[^%w%._%-]", function(c) return ("%%%02X"):format(c:byte()) end))
end

local function marker(incident, item)
  return ("<!-- pmhost:%s:%s -->"):format(marker_id(incident.id), marker_id(item.id))
end

local function title_of(item) return one_line(("%s: %s"):format(item.id, item.action)) end

-- GitHub renders the body as Markdown: every value in it goes through pm.mdtext, so an image,
-- a link or HTML in a title or an owner shows as the text it is.
local function body_of(incident, item)
  local lines = {
    ("Action item from the post-mortem **%s: %s**."):format(md.text(incident.id), md.text(incident.title)),
    "",
    ("- Owner: %s"):format(md.text(item.owner or "unassigned")),
    ("- Deadline: %s"):format(md.text(item.deadline or "none")),
    ("- Priority: %s"):format(md.text(item.priority or "none")),
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
  -- "track/github-issues.sh": the bodies go to "track/github-issues/ID.md", named in the
  -- script relative to its own folder, which it changes to first.
  local dir, base = opts.file:match("^(.-)([^/]*)$")
  local stem = base:gsub("%.[^.]*$", "")
  if stem == "" or stem == base then stem = stem .. "-bodies" end
  local out = {
    "#!/bin/sh",
    ("# GitHub issues for the action items of %s (%s), written by pmhost."):format(one_line(incident.id), one_line(incident.title)),
    "# Review it, then run it once: sh " .. sh(opts.file),
    ("# Each issue's text is in %s/, named by --body-file."):format(one_line(stem)),
    "set -e",
    'cd -- "$(dirname -- "$0")"',
  }
  local taken = {}
  for _, item in ipairs(items) do
    -- Two ids may come out as one name ("a/b", "a_b"; "AI-1", "ai-1" on a file system that
    -- ignores case): the later ones get "-2", "-3", ...
    local name, n = file_name(item.id), 1
    while taken[(n == 1 and name or ("%s-%d"):format(name, n)):lower()] do n = n + 1 end
    if n > 1 then name = ("%s-%d"):format(name, n) end
    taken[name:lower()] = true
    local body = stem .. "/" .. name .. ".md"
    ctx.report.write(dir .. body, body_of(incident, item))
    local args = { "gh issue create", "--repo=" .. sh(opts.repo), "--title=" .. sh(title_of(item)),
      "--body-file=" .. sh(body) }
    for _, label in ipairs(opts.labels) do args[#args + 1] = "--label=" .. sh(label) end
    local who = login(item.owner)
    if who then args[#args + 1] = "--assignee=" .. sh(who) end
    out[#out + 1] = table.concat(args, " ")
  end
  ctx.report.write(opts.file, table.concat(out, "\n") .. "\n")
  ctx.log.info(("%d issues in %s: run it to file them"):format(#items, opts.file))
end

-- Existing issues of the repository that carry one of our markers: marker -> issue. Pages
-- follow the Link header's rel="next" (GitHub's pagination), at most 50 of them.
local function existing_issues(ctx, opts, headers)
  local found = {}
  for page = 1, 50 do
    local list, res = ctx.http.get_json(("%s/repos/%s/issues"):format(opts.api_url, opts.repo), {
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
  local headers = { Authorization = "Bearer " .. store.secret(ctx, opts, "token_env"), Accept = "application/vnd.github+json",
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
      local res, err = ctx.http.post(("%s/repos/%s/issues"):format(opts.api_url, opts.repo),
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
    if issue then ctx.actions.update(item.id, { tracking = issue.html_url or ("#" .. tostring(issue.number)) }) end
  end
  ctx.log.info(("%d issues created, %d already there, %d failed"):format(created, found, failed))
  if failed > 0 then ctx.gap(("%d of %d action items could not be filed as issues"):format(failed, #items)) end
end

return {
  name = "github-issues",
  stage = "track",
  version = "0.1.0",
  api = 2,
  description = "One GitHub issue per action item: a gh script to run, or created through the REST API exactly once",
  options = {
    repo = { type = "string", required = true, pattern = "^[%w%.%-_]+/[%w%.%-_]+$", doc = "OWNER/NAME of the repository" },
    labels = { type = "list", of = "string", default = { "post-mortem" }, doc = "labels of every issue; the first also finds them again on a re-run" },
    mode = { type = "string", values = { "script", "api" }, default = "script", doc = "script: write a gh script; api: create the issues" },
    file = { type = "string", default = "track/github-issues.sh", doc = "the script, in the out folder (script mode)" },
    api_url = { type = "url",
      doc = "GitHub's REST API, `https://api.github.com` (or a GitHub Enterprise one); api mode needs it" },
    token_env = { type = "env", doc = "environment variable holding the token, e.g. `GITHUB_TOKEN`; api mode needs it" },
  },
  check = function(opts)
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
    local items = ctx.actions.get()
    if #items == 0 then
      ctx.log.info("no action items: no issue to file")
      return
    end
    if opts.mode == "api" then api(ctx, opts, items) else script(ctx, opts, items) end
  end,
}
