-- action-items: add the post-mortem's action items and lint them.
--
-- The seed: "Vague actions like 'improve testing' won't get done. Make specific."
-- Every action item needs an owner, a deadline after the incident and a priority from
-- the scale; each contributing factor should be addressed by at least one item.
-- Problems are warnings (they show in the report); they never stop the run. What makes an
-- item vague is decided in plugins/lib/actions.lua (require "pm.actions"), the same rules as
-- validate's action_items_specific check; `vague` adds an organisation's own phrases.

local actions = require "pm.actions"
local logtext = require "pm.logtext"

-- Words too common to tell whether an action addresses a factor.
local STOP = {}
for w in ([[about after again also been before being between both could didn does doesn
  during each from have having into more most much must need only other over same should
  some such than that their them then there these they this those through under until very
  were what when where which while will with within without would your]]):gmatch("%a+") do
  STOP[w] = true
end

-- Significant words of a text as 5-letter stems: "monitored" and "monitoring" both give "monit".
local function stems(text)
  local set = {}
  for word in text:lower():gmatch("%w+") do
    if #word >= 4 and not STOP[word] then set[word:sub(1, 5)] = true end
  end
  return set
end

-- The keys of an item of an actions file (docs/formats.md, "Actions file").
local ITEM_KEYS = { id = true, action = true, owner = true, deadline = true, priority = true, status = true }

-- Why a deadline is not a date as YYYY-MM-DD (2025-02-30, 0000-01-01), or nil.
local function deadline_problem(deadline)
  if not deadline:match("^%d%d%d%d%-%d%d%-%d%d$") then
    return ("deadline %q is not a date as YYYY-MM-DD"):format(deadline)
  end
  local ok, why = pm.time.parse(deadline .. "T00:00:00Z")
  if not ok then return ("deadline %s is not a date (%s)"):format(deadline, (why:gsub(" in '.*'$", ""))) end
end

-- The items of an actions file's text, with every problem of it: not a list, an item
-- without `action`, an unknown key, an id used twice (both items named), an impossible
-- deadline.
local function parse_items(text, path)
  local ok, items = pcall(pm.yaml.decode, text, path)
  if not ok then return {}, { tostring(items) } end
  local problems = {}
  local function problem(fmt, ...) problems[#problems + 1] = (fmt):format(...) end
  if type(items) ~= "table" or (next(items) ~= nil and #items == 0) then
    problem("%s: expected a list of { id, action, owner, deadline, priority, status }", path)
    return {}, problems
  end
  local ids = {}
  local lines = logtext.item_lines(text)
  -- `actions.yaml:9: item 1`: the file and the item's line when the list has one per item.
  local function at(i) return lines[i] and ("%s:%d: item %d"):format(path, lines[i], i) or ("%s: item %d"):format(path, i) end
  for i, item in ipairs(items) do
    if type(item) ~= "table" or type(item.action) ~= "string" then
      problem("%s has no `action` text", at(i))
    end
    if type(item) == "table" then
      local extra = logtext.unknown_keys(item, ITEM_KEYS)
      if #extra > 0 then
        problem("%s: unknown key %s (known: id, action, owner, deadline, priority, status)",
          at(i), table.concat(extra, ", "))
      end
      if item.id ~= nil then
        local id = tostring(item.id)
        if ids[id] then problem("%s: id %s is also item %d's: give each item its own id", at(i), id, ids[id]) end
        ids[id] = ids[id] or i
      end
      local bad = item.deadline ~= nil and deadline_problem(tostring(item.deadline))
      if bad then problem("%s: %s", at(i), bad) end
    end
  end
  return items, problems
end

local function read_items(ctx, path)
  local items, problems = parse_items(ctx.fs.read(path), path)
  -- In a run, deadlines are linted (warnings) as every other item's are and an id used
  -- twice is refused by ctx.actions (the host's rule); the rest stops the plugin.
  local fatal = {}
  for _, p in ipairs(problems) do
    if not (p:find(": deadline ") or p:find(": id .* is also item")) then fatal[#fatal + 1] = p end
  end
  if #fatal > 0 then error(fatal[1], 0) end
  return items
end

local function lint(ctx, item, opts, incident_date)
  local function warn(msg) ctx.log.warn(item.id .. ": " .. msg) end
  if not item.owner or item.owner == "" then warn("no owner: name the person who will do it") end

  local deadline = item.deadline and tostring(item.deadline)
  if not deadline then
    warn("no deadline: give a date as YYYY-MM-DD")
  elseif deadline_problem(deadline) then -- 2025-02-30, 0000-01-01
    warn(deadline_problem(deadline))
  elseif incident_date and deadline <= incident_date then -- ISO dates sort as text
    warn(("deadline %s is not after the incident (%s)"):format(deadline, incident_date))
  end

  local scale = table.concat(opts.priorities, ", ")
  local known = false
  for _, p in ipairs(opts.priorities) do known = known or p == item.priority end
  if item.priority == nil or item.priority == "" then
    warn("no priority: use one of " .. scale)
  elseif not known then
    warn(("priority %q is not one of %s"):format(tostring(item.priority), scale))
  end

  local phrase, suggestion = actions.vague(item.action, opts.vague)
  if phrase then warn(("vague wording %q in %q: %s"):format(phrase, item.action, suggestion)) end
end

return {
  name = "action-items",
  stage = "act",
  version = "0.1.0",
  api = 2,
  description = "Action items from a YAML file, linted for owner, deadline, priority, vague wording and coverage",
  options = {
    file = { type = "file", doc = "YAML list of { id, action, owner, deadline, priority, status }, relative to the pipeline" },
    priorities = { type = "list", of = "string", default = { "High", "Medium", "Low" }, doc = "the priority scale, highest first" },
    vague = { type = "list", of = "string", default = {},
      doc = "more phrases to flag as vague wherever they start a word, besides pm.actions' rules "
        .. "(be more careful, improve without a measure, look into without an outcome, ...)" },
  },

  -- `pmhost check` gives ctx.fs: the actions file is read and every problem of it named.
  check = function(opts, ctx)
    if opts.file and ctx.fs then
      local _, problems = parse_items(ctx.fs.read(opts.file), opts.file)
      return problems
    end
  end,

  run = function(ctx, opts)
    if opts.file then
      for i, item in ipairs(read_items(ctx, opts.file)) do
        -- The host holds the rules (an id used twice is an error naming both items); the
        -- error says where in the file.
        local ok, err = pcall(ctx.actions.add, {
          id = item.id, action = item.action, owner = item.owner,
          deadline = item.deadline and tostring(item.deadline),
          priority = item.priority, status = item.status or "open",
        })
        if not ok then error(("%s: item %d: %s"):format(opts.file, i, tostring(err):gsub("^ctx%.actions%.add: ", "")), 0) end
      end
    end

    -- Lint every item, including those other plugins added.
    local incident_date = ctx.incident.start and pm.time.format(ctx.incident.start, "date")
    local items = ctx.actions.get()
    local covered = {}
    for _, item in ipairs(items) do
      lint(ctx, item, opts, incident_date)
      for stem in pairs(stems(item.action)) do covered[stem] = true end
    end

    -- A contributing factor that shares no significant word with any action is probably
    -- not addressed by one.
    for _, factor in ipairs(ctx.factors.get().contributing or {}) do
      local addressed = false
      for stem in pairs(stems(factor.text)) do addressed = addressed or covered[stem] == true end
      if not addressed then ctx.log.warn("no action item addresses factor: " .. factor.text) end
    end
  end,
}
