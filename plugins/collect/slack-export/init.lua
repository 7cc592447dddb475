-- slack-export: what people did during the incident, from a Slack export of its channel.
--
-- A Slack export is a folder with channels.json, users.json and one folder per channel
-- holding a JSON array of messages per day (`incident-2025-02-09/2025-02-09.json`).
-- Messages that mention a keyword become timeline events:
--
--   keywords = { pganalyze = "pganalyze", kubectl = { source = "kubectl", kind = "deploy" } }
--   "Cache layer deployed as mitigation. kubectl rollout status ... finished"
--   --> "Cache layer deployed as mitigation", source kubectl, kind deploy, actor @alice
--
-- With notes = true the other messages become `note` events. Joins and leaves are ignored.
local export = require "export"
local logtext = require "pm.logtext"
local text = require "text"

local IGNORED = { channel_join = true, channel_leave = true, group_join = true, group_leave = true }

-- The keywords option as a list sorted by keyword, so that the first match is stable.
local function keyword_list(keywords)
  local list = {}
  for word, how in pairs(keywords) do
    if type(how) ~= "table" then how = { source = how } end
    list[#list + 1] = { word = tostring(word), lower = tostring(word):lower(),
      source = how.source and tostring(how.source), kind = how.kind or "action" }
  end
  table.sort(list, function(a, b) return a.word < b.word end)
  return list
end

local function find_keyword(list, body)
  local lower = body:lower()
  for _, k in ipairs(list) do
    if lower:find(k.lower, 1, true) then return k end
  end
end

-- The first argument that is a non-empty string.
local function first_text(...)
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" and v ~= "" then return v end
  end
end

-- The message's text; an app's message may carry it only in its first attachment.
local function body_of(msg, where, found)
  if type(msg.text) == "string" and msg.text:find("%S") then return msg.text end
  if msg.text ~= nil and type(msg.text) ~= "string" then
    found:add("text", where .. ".text", "is not a string; message read without it")
  end
  local first = type(msg.attachments) == "table" and msg.attachments[1]
  if type(first) == "table" then
    for _, field in ipairs { "fallback", "text", "pretext", "title" } do
      if type(first[field]) == "string" and first[field]:find("%S") then return first[field] end
    end
  end
  return ""
end

-- ts is the message id ("1739096325.000200"): kept as the exact string (a float loses
-- digits). Returns ts text and seconds, or nil when the message has no usable ts.
local function timestamp(msg, where, found)
  if type(msg.ts) == "string" then
    local t = pm.time.parse(msg.ts, "unix")
    if t then return msg.ts, t end
    found:add("bad ts", where .. ".ts", ("%q is not a Slack timestamp; message skipped"):format(msg.ts))
  elseif type(msg.ts) == "number" and not pm.time.check(msg.ts) then
    found:add("far ts", where .. ".ts", ("%s is outside the years 0001 to 9999; message skipped"):format(msg.ts))
  elseif type(msg.ts) == "number" then
    found:add("number ts", where .. ".ts",
      ("%s is a JSON number; Slack writes a string (its last digits may be lost; read anyway)"):format(msg.ts))
    return ("%.6f"):format(msg.ts), msg.ts
  else
    found:add("no ts", where .. ".ts", (msg.ts == nil and "missing" or "not a string") .. "; message skipped")
  end
end

return {
  name = "slack-export",
  stage = "collect",
  version = "0.2.0",
  api = 2,
  description = "Actions and notes from a Slack export of the incident channel",
  options = {
    dir = { type = "dir", required = true, doc = "the export folder (holds channels.json and users.json)" },
    channel = { type = "string", required = true, doc = "channel name or id (from channels.json or groups.json) whose messages to read" },
    keywords = { type = "map", default = {},
      of = { type = { "string", "record" }, fields = { source = "string", kind = "string" } },
      doc = "keyword -> label for the Source column, or keyword -> { source = label, kind = \"deploy\" }; "
        .. "a message containing a keyword (any case) becomes an event, kind `action` unless given" },
    notes = { type = "boolean", default = false, doc = "also add the other messages (people's and bots') as `note` events" },
  },
  run = function(ctx, opts)
    local found = logtext.problems(ctx)
    local users = export.names(ctx, opts.dir, { "users.json", "org_users.json" }, found)
    local channels = export.names(ctx, opts.dir, { "channels.json", "groups.json" }, found)
    local folder = opts.dir .. "/" .. (channels[opts.channel] or opts.channel) -- an id names its folder
    local days = export.days(ctx, folder)
    if not days or #days == 0 then
      error(("no messages for channel %s: %s is missing or has no day files (is `channel` the name in channels.json?)")
        :format(opts.channel, folder))
    end
    local keywords = keyword_list(opts.keywords)

    -- The person's handle when incident.yaml lists the Slack user id, else @name from
    -- users.json (the host maps names it knows to handles), else the id.
    local handles = {}
    for handle, aliases in pairs(ctx.incident.people or {}) do
      for _, alias in ipairs(aliases) do handles[alias] = handle end
    end
    local function person(id)
      return handles[id] or (users[id] and "@" .. users[id]) or id
    end

    local function message(msg, file, i)
      local where = ("%s: [%d]"):format(file, i)
      if type(msg) ~= "table" then return found:add("not message", where, "is not a message object; skipped") end
      if IGNORED[msg.subtype] then return end -- joins and leaves say nothing about the incident
      local ts, t = timestamp(msg, where, found)
      if not ts then return end

      local bot = msg.subtype == "bot_message" or (msg.bot_id ~= nil and msg.user == nil)
      local actor
      if bot then
        local profile = type(msg.bot_profile) == "table" and msg.bot_profile or {}
        actor = first_text(msg.username, profile.name, msg.bot_id)
      elseif type(msg.user) == "string" then
        actor = person(msg.user)
      else
        found:add("no user", where, ("message %s has no user and is no bot message; read without an actor"):format(ts))
      end

      local body = text.plain(body_of(msg, where, found), users, channels)
      local keyword = find_keyword(keywords, body)
      local kind, event, source
      if keyword then
        kind, event, source = keyword.kind, text.first_sentence(body), keyword.source
      elseif opts.notes then
        kind, event = "note", (body:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
      end
      if not event or event == "" then return end

      local thread_ts = type(msg.thread_ts) == "string" and msg.thread_ts or nil
      local edited = type(msg.edited) == "table"
      ctx.timeline.add {
        time = t, time_text = ts, kind = kind, event = event, source = source, actor = actor,
        evidence = file .. "#" .. ts,
        fields = {
          ts = ts, thread_ts = thread_ts,
          reply = thread_ts ~= nil and thread_ts ~= ts, -- a thread's parent has thread_ts == ts
          replies = math.type(msg.reply_count) == "integer" and msg.reply_count or nil,
          edited = edited, edited_ts = edited and type(msg.edited.ts) == "string" and msg.edited.ts or nil,
          subtype = type(msg.subtype) == "string" and msg.subtype or nil,
        },
      }
    end

    for _, day in ipairs(days) do
      local file = folder .. "/" .. day
      local list, problem = export.read_array(ctx, file, found)
      if not list then
        ctx.gap(("the messages of %s are missing: the file %s"):format(file, problem))
      else
        for i, msg in ipairs(list) do message(msg, file, i) end
      end
    end
    found:warn()
  end,
}
