-- PagerDuty log entries as timeline events: what each entry type means.
local jsoninput = require "pm.jsoninput"

local M = {}

local function summary(e) return type(e.summary) == "string" and e.summary or tostring(e.type) end
local function field_summary(e, field)
  local v = e[field]
  return type(v) == "table" and type(v.summary) == "string" and v.summary or nil
end

local function with(prefix) return function(e) return prefix .. summary(e) end end

-- kind: the timeline kind; text: the event text from the entry; system: the actor is
-- PagerDuty itself (who was notified is in fields.user).
local TYPES = {
  trigger = { kind = "alert_fired", text = function(e)
    return "Incident triggered: " .. (field_summary(e, "incident") or field_summary(e, "channel") or summary(e))
  end },
  notify = { kind = "paged", text = function() return "On-call engineer paged" end, system = true },
  acknowledge = { kind = "acknowledged", text = function() return "Engineer acknowledges alert" end },
  unacknowledge = { kind = "note", text = summary },
  escalate = { kind = "escalated", text = with("Incident escalated: ") },
  delegate = { kind = "escalated", text = with("Incident reassigned: ") },
  repeat_escalation_path = { kind = "escalated", text = with("Escalation policy repeated: ") },
  exhaust_escalation_path = { kind = "note", text = with("Escalation policy exhausted: ") },
  assign = { kind = "note", text = summary },
  -- a note's text is the channel's summary; the entry's own summary is only "Note added"
  annotate = { kind = "note", text = function(e) return field_summary(e, "channel") or summary(e) end },
  resolve = { kind = "resolved", text = function() return "Incident marked resolved" end },
  snooze = { kind = "note", text = summary },
  urgency_change = { kind = "note", text = summary },
  reach_ack_limit = { kind = "note", text = summary },
  reach_trigger_limit = { kind = "note", text = summary },
  field_value_change = { kind = "note", text = summary },
  custom_field_value_change = { kind = "note", text = summary },
}
local UNKNOWN = { kind = "note", text = summary }

-- "acknowledge_log_entry", "acknowledgement_log_entry" (the API reference's spelling) and
-- "..._log_entry_reference" all name the same thing: "acknowledge".
local function base_type(t)
  t = t:gsub("_reference$", ""):gsub("_log_entry$", "")
  return t == "acknowledgement" and "acknowledge" or t
end


-- A person's handle from incident.yaml's `people` when it lists the PagerDuty user id or
-- email; else the name PagerDuty shows (which the host maps through `people` too).
local function person(ctx, agent)
  for handle, aliases in pairs(ctx.incident and ctx.incident.people or {}) do
    for _, alias in ipairs(aliases) do
      if alias == agent.id or (agent.email and alias == agent.email) then return handle end
    end
  end
  if type(agent.summary) == "string" and agent.summary ~= "" then return agent.summary end
  if type(agent.id) == "string" and agent.id ~= "" then return agent.id end
  return nil
end

local function actor(ctx, e, system)
  local agent = e.agent
  if system or type(agent) ~= "table" or (agent.type ~= "user_reference" and agent.type ~= "user") then
    return "System"
  end
  return person(ctx, agent)
end

-- A collector of entries: add(entry, origin, path, evidence) for each, where origin is the
-- file or URL and path the entry's place in it (`log_entries[3]`); the same id twice is
-- one entry (pages overlap when entries arrive while paging). flush(origin) at the end.
function M.new(ctx, problems)
  local self = { seen = {}, unknown = {}, unknown_order = {} }

  function self.add(e, origin, path, evidence)
    local where = origin .. ": " .. path
    if type(e) ~= "table" then
      problems:add("not entry", where, "is not a log entry object; skipped")
      return
    end
    if e.id ~= nil and self.seen[e.id] then return end
    -- Any offset: PagerDuty writes the account's time zone unless asked for UTC.
    local t, applied = jsoninput.time(e, "created_at", where, problems, "entry")
    if not t then return end
    if e.id ~= nil then self.seen[e.id] = true end
    local how
    if type(e.type) == "string" then how = TYPES[base_type(e.type)] end
    if not how then
      local name = type(e.type) == "string" and e.type or "(no type)"
      local u = self.unknown[name]
      if not u then
        u = { name = name, count = 0, where = path }
        self.unknown[name] = u
        self.unknown_order[#self.unknown_order + 1] = u
      end
      u.count = u.count + 1
      how = UNKNOWN
    end
    local channel = type(e.channel) == "table" and e.channel or {}
    ctx.timeline.add {
      time = t, time_text = e.created_at, time_offset = applied, kind = how.kind, event = how.text(e),
      actor = actor(ctx, e, how.system),
      evidence = evidence,
      fields = {
        type = type(e.type) == "string" and e.type or nil,
        incident = type(e.incident) == "table" and type(e.incident.id) == "string" and e.incident.id or nil,
        -- who was notified (the actor of a notify entry is PagerDuty itself)
        user = field_summary(e, "user"),
        -- how: phone, sms, email, web_ui, api, timeout (an automatic escalation), ...
        channel = type(channel.type) == "string" and channel.type or nil,
      },
    }
  end

  -- One warning for all entries of types this plugin does not know.
  function self.flush(origin)
    if #self.unknown_order == 0 then return end
    local parts = {}
    for i, u in ipairs(self.unknown_order) do
      parts[i] = u.count == 1 and ("%s (%s)"):format(u.name, u.where)
        or ("%s (%d entries, the first %s)"):format(u.name, u.count, u.where)
    end
    ctx.log.warn(("%s: log entries of unknown types kept as notes: %s"):format(origin, table.concat(parts, ", ")))
  end

  return self
end

return M
