-- Alert occurrences seen in one or more inputs, deduplicated, and their timeline events.
local jsoninput = require "pm.jsoninput"

local M = {}

-- Webhook payloads of firing alerts carry this endsAt: "not ended".
local function is_zero_time(text) return type(text) == "string" and text:sub(1, 5) == "0001-" end

-- Alertmanager's identity of an alert; very old payloads have no fingerprint: use the labels.
local function identity(alert)
  if type(alert.fingerprint) == "string" and alert.fingerprint ~= "" then return alert.fingerprint end
  local parts = {}
  for k, v in pairs(type(alert.labels) == "table" and alert.labels or {}) do parts[#parts + 1] = k .. "=" .. tostring(v) end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end

local function non_empty_list(v) return type(v) == "table" and v[1] ~= nil end

-- One record per alert occurrence (identity + start), however often and wherever it was seen.
function M.new_store(problems)
  local store = { order = {}, by_key = {} }

  -- `where` names the alert in messages (`alerts.json: [3]`, `webhook.log:5: alerts[1]`),
  -- `evidence` is the event's reference. API alerts have status {state, silencedBy,
  -- inhibitedBy}; webhook alerts have status "firing" or "resolved".
  function store.add(alert, where, evidence)
    if type(alert) ~= "table" then
      problems:add("not alert", where, "is not an alert object; skipped")
      return
    end
    local started, started_offset = jsoninput.time(alert, "startsAt", where, problems, "alert")
    if not started then return end
    local id = identity(alert)
    local key = id .. "@" .. started
    local rec = store.by_key[key]
    if not rec then
      rec = { alert = alert, id = id, started = started, started_offset = started_offset, evidence = evidence }
      store.by_key[key] = rec
      store.order[#store.order + 1] = rec
    end

    local status = alert.status
    local resolved
    if type(status) == "table" then
      -- active, suppressed (silenced or inhibited) or unprocessed (just arrived): all firing.
      -- Their endsAt is only "last seen + resolve_timeout", a guess that moves forward
      -- while the alert keeps firing, not an end.
      local state = status.state
      if state ~= nil and state ~= "active" and state ~= "suppressed" and state ~= "unprocessed" then
        problems:add("state", where .. ".status.state", ("unknown state %s; taken as firing"):format(pm.json.encode(state)))
      end
      if non_empty_list(status.silencedBy) then
        rec.silenced_by = table.concat(status.silencedBy, ",")
      elseif non_empty_list(status.inhibitedBy) then
        rec.inhibited_by = table.concat(status.inhibitedBy, ",")
      elseif state == "suppressed" then
        rec.silenced_by = rec.silenced_by or ""
      end
      resolved = false
    else
      resolved = status == "resolved"
      if status ~= "resolved" and status ~= "firing" then
        problems:add("status", where .. ".status", ("%s is neither \"firing\" nor \"resolved\"; taken as firing")
          :format(status == nil and "missing" or pm.json.encode(status)))
      end
    end

    if resolved then
      if is_zero_time(alert.endsAt) then
        problems:add("resolved without end", where .. ".endsAt", "a resolved alert without an end time; resolution skipped")
      else
        local ended, ended_offset = jsoninput.time(alert, "endsAt", where, problems, "alert")
        if ended and (not rec.ended or ended < rec.ended) then
          rec.ended, rec.ended_evidence, rec.ended_text, rec.ended_offset = ended, evidence, alert.endsAt, ended_offset
        end
      end
    end
  end

  return store
end

-- alert_fired for every occurrence, alert_resolved for those seen resolved.
function M.emit(ctx, store)
  for _, rec in ipairs(store.order) do
    local a = rec.alert
    local labels = type(a.labels) == "table" and a.labels or {}
    local annotations = type(a.annotations) == "table" and a.annotations or {}
    local function text(v) return type(v) == "string" and v ~= "" and v or nil end
    local what = text(annotations.summary) or text(labels.alertname) or "unnamed"
    local fields = {
      alertname = text(labels.alertname), severity = text(labels.severity), fingerprint = rec.id,
      silenced = rec.silenced_by and true or nil, silenced_by = rec.silenced_by ~= "" and rec.silenced_by or nil,
      inhibited = rec.inhibited_by and true or nil, inhibited_by = rec.inhibited_by,
    }
    local mark = rec.silenced_by and " (silenced)" or rec.inhibited_by and " (inhibited)" or ""
    ctx.timeline.add {
      time = rec.started, time_text = rec.alert.startsAt, time_offset = rec.started_offset, kind = "alert_fired",
      evidence = rec.evidence,
      fields = fields,
      event = what .. " alert fires" .. mark,
    }
    if rec.ended then
      ctx.timeline.add {
        time = rec.ended, time_text = rec.ended_text, time_offset = rec.ended_offset, kind = "alert_resolved",
        evidence = rec.ended_evidence,
        fields = fields,
        event = what .. " alert resolves",
      }
    end
  end
end

return M
