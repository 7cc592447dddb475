-- slack-export: what people did during the incident, from a Slack export of its channel.
--
-- A Slack export is a folder with channels.json, users.json and one folder per channel
-- holding a JSON array of messages per day (`incident-2025-02-09/2025-02-09.json`).
-- Messages that mention a keyword become timeline events:
--
--   keywords = { pganalyze = "pganalyze", kubectl = { source = "kubectl", kind = "deploy" } }
--   "Cache layer deployed as mitigation. kubectl rollout status ... finished"
--   --> "Cache layer deployed as mitigation", source kubectl, kind deploy, actor @alice
local text = require "text"

local IGNORED = { channel_join = true, channel_leave = true }

local function read_json(ctx, path)
  local ok, value = pcall(pm.json.decode, ctx.fs.read(path))
  if not ok then error(("%s: %s"):format(path, value)) end
  return value
end

-- id -> name from users.json or channels.json (an array of objects with id and name).
local function names(ctx, path)
  local map = {}
  if not ctx.fs.exists(path) then return map end
  for _, item in ipairs(read_json(ctx, path)) do
    if item.id and item.name then map[item.id] = item.name end
  end
  return map
end

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

return {
  name = "slack-export",
  stage = "collect",
  version = "0.1.0",
  api = 1,
  description = "Actions and notes from a Slack export of the incident channel",
  options = {
    dir = { type = "string", required = true, doc = "the export folder (holds channels.json and users.json)" },
    channel = { type = "string", required = true, doc = "channel name (or id) whose messages to read" },
    keywords = { type = "table", default = {},
      doc = "keyword -> label for the Source column, or keyword -> { source = label, kind = \"deploy\" }; "
        .. "a message containing a keyword (any case) becomes an event, kind `action` unless given" },
    notes = { type = "boolean", default = false, doc = "also add the other messages (people's and bots') as `note` events" },
  },
  run = function(ctx, opts)
    local users = names(ctx, opts.dir .. "/users.json")
    local channels = names(ctx, opts.dir .. "/channels.json")
    local channel = channels[opts.channel] or opts.channel -- an id resolves to its folder name
    local folder = opts.dir .. "/" .. channel
    local ok, entries = pcall(ctx.fs.list, folder)
    if not ok or #entries == 0 then
      error(("no messages for channel %s: %s is missing or empty (is `channel` the name in channels.json?)")
        :format(opts.channel, folder))
    end
    local keywords = keyword_list(opts.keywords)

    for _, day in ipairs(entries) do -- sorted by name, so by date
      if day:match("^%d%d%d%d%-%d%d%-%d%d%.json$") then
        local file = folder .. "/" .. day
        for _, msg in ipairs(read_json(ctx, file)) do
          local bot = msg.subtype == "bot_message" or (msg.bot_id ~= nil and msg.user == nil)
          if IGNORED[msg.subtype] or (bot and not opts.notes) then
            -- joins and leaves say nothing about the incident; bots only as notes
          elseif not bot and not msg.user then
            ctx.log.warn(("%s: message %s has no user and is not a bot message; skipped"):format(file, tostring(msg.ts)))
          else
            local body = text.plain(msg.text or "", users, channels)
            local keyword = find_keyword(keywords, body)
            local kind, event, source
            if keyword then
              kind, event, source = keyword.kind, text.first_sentence(body), keyword.source
            elseif opts.notes then
              kind, event = "note", (body:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
            end
            local t = pm.time.parse(tostring(msg.ts), "unix")
            if event and event ~= "" and t then
              ctx.timeline:add {
                time = t, kind = kind, event = event, source = source,
                actor = bot and (msg.username or (msg.bot_profile or {}).name or msg.bot_id)
                  or "@" .. (users[msg.user] or msg.user),
                evidence = file .. "#" .. msg.ts,
                -- ts is the message id: kept as the exact string (a float loses digits)
                fields = { ts = msg.ts, thread_ts = msg.thread_ts, edited = msg.edited ~= nil },
              }
            elseif event and not t then
              ctx.log.warn(("%s: message ts %s is not a Slack timestamp; skipped"):format(file, tostring(msg.ts)))
            end
          end
        end
      end
    end
  end,
}
