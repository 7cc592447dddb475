-- pagerduty: an incident's log entries (GET /incidents/{id}/log_entries), saved as JSON.
--
-- Accepts one response ({"log_entries": [...], "more": false, ...}), a bare array of
-- entries, or several pages saved together as a JSON array of responses.

-- What each entry type means on the timeline. `text` builds the event text from the entry.
local function summary(e) return e.summary or e.type end
local function channel_summary(e) return type(e.channel) == "table" and e.channel.summary or nil end
local function incident_summary(e) return type(e.incident) == "table" and e.incident.summary or nil end

local TYPES = {
  trigger = { kind = "alert_fired", text = function(e)
    return "Incident triggered: " .. (incident_summary(e) or channel_summary(e) or summary(e))
  end },
  notify = { kind = "paged", text = function() return "On-call engineer paged" end, system = true },
  acknowledge = { kind = "acknowledged", text = function() return "Engineer acknowledges alert" end },
  resolve = { kind = "resolved", text = function() return "Incident marked resolved" end },
  escalate = { kind = "escalated", text = function(e) return "Incident escalated: " .. summary(e) end },
  annotate = { kind = "note", text = function(e) return channel_summary(e) or summary(e) end },
}
for _, t in ipairs { "assign", "delegate", "snooze", "unacknowledge", "urgency_change", "reach_ack_limit",
  "reach_trigger_limit", "exhaust_escalation_path", "repeat_escalation_path", "field_value_change",
  "custom_field_value_change" } do
  TYPES[t] = { kind = "note", text = summary }
end

-- "acknowledge_log_entry", "acknowledgement_log_entry" (the API spec's spelling) and
-- "..._log_entry_reference" all name the same thing.
local function base_type(t)
  t = tostring(t):gsub("_reference$", ""):gsub("_log_entry$", "")
  return t == "acknowledgement" and "acknowledge" or t
end

-- The entries of whichever shape the file has.
local function entries_of(doc)
  if type(doc) ~= "table" then return nil end
  if doc.log_entries then return doc.log_entries end
  if doc[1] and type(doc[1]) == "table" and doc[1].log_entries then
    local all = {}
    for _, page in ipairs(doc) do
      for _, e in ipairs(page.log_entries or {}) do all[#all + 1] = e end
    end
    return all
  end
  if doc[1] ~= nil or next(doc) == nil then return doc end
  return nil
end

-- A person's handle from incident.yaml's `people` (name, id or email aliases), else the
-- name PagerDuty shows.
local function person(ctx, agent)
  for handle, aliases in pairs(ctx.incident and ctx.incident.people or {}) do
    for _, alias in ipairs(aliases) do
      if alias == agent.summary or alias == agent.id or alias == agent.email then return handle end
    end
  end
  return agent.summary or agent.id
end

local function actor(ctx, entry, system)
  local agent = entry.agent
  if system or type(agent) ~= "table" or (agent.type ~= "user_reference" and agent.type ~= "user") then
    return "System"
  end
  return person(ctx, agent)
end

return {
  name = "pagerduty",
  stage = "collect",
  version = "0.1.0",
  api = 1,
  description = "Incident log entries from PagerDuty: triggered, paged, acknowledged, escalated, resolved, notes",
  options = {
    file = { type = "string", doc = "saved GET /incidents/{id}/log_entries response(s), relative to the pipeline" },
    url = { type = "string", doc = "log_entries API URL for a live query (not supported yet: use `file`)" },
    token_env = { type = "string", doc = "environment variable holding the API token, for `url`" },
  },
  run = function(ctx, opts)
    if not opts.file then
      if opts.url then
        -- TODO: GET opts.url through ctx.http (token from opts.token_env) once the host provides it.
        ctx.gap("live PagerDuty queries are not supported yet; save the log_entries response and pass file =")
        return
      end
      error("set file = (a saved log_entries response) or url =")
    end

    local ok, doc = pcall(pm.json.decode, ctx.fs.read(opts.file))
    if not ok then error(("%s is not PagerDuty JSON: %s"):format(opts.file, doc)) end
    local entries = entries_of(doc)
    if not entries then error(opts.file .. " has no log_entries: is it a GET /incidents/{id}/log_entries response?") end

    local unknown = {}
    for _, entry in ipairs(entries) do
      local evidence = opts.file .. "#" .. tostring(entry.id)
      local t = type(entry.created_at) == "string" and pm.time.parse(entry.created_at)
      local kind = base_type(entry.type)
      local how = TYPES[kind]
      if not t then
        ctx.log.warn(("%s: created_at %s is not RFC 3339; entry skipped"):format(evidence, tostring(entry.created_at)))
      else
        if not how then
          if not unknown[kind] then
            ctx.log.warn(("%s: unknown log entry type %s, kept as a note"):format(evidence, tostring(entry.type)))
            unknown[kind] = true
          end
          how = { kind = "note", text = summary }
        end
        ctx.timeline:add {
          time = t, kind = how.kind, event = how.text(entry),
          actor = actor(ctx, entry, how.system),
          evidence = evidence,
          fields = {
            type = entry.type,
            incident = type(entry.incident) == "table" and entry.incident.id or nil,
            -- who was notified (the actor of a notify entry is PagerDuty itself)
            user = type(entry.user) == "table" and entry.user.summary or nil,
          },
        }
      end
    end
  end,
}
