-- severity: classify the incident with ordered rules; the first rule that matches wins.
--
-- The default rules are in default_rules.lua (read it: the thresholds are listed at the
-- top). A pipeline can bring its own with `rules = "severity-rules.lua"`, a Lua file that
-- returns a list of rules shaped the same way. A severity set by hand in incident.yaml
-- is kept.

local DEFAULT_RULES = require "default_rules"

-- What a rules file can use: no files, no network, no globals of the host.
local function rules_env()
  return {
    math = math, string = string, table = table, pm = pm,
    ipairs = ipairs, pairs = pairs, type = type, tostring = tostring, tonumber = tonumber,
    select = select, error = error, assert = assert,
  }
end

local function load_rules(ctx, path)
  local chunk, err = load(ctx.fs.read(path), "@" .. path, "t", rules_env())
  if not chunk then error(err, 0) end
  local rules = chunk()
  if type(rules) ~= "table" or #rules == 0 then
    error(path .. ": expected the file to return a non-empty list of rules", 0)
  end
  for i, r in ipairs(rules) do
    if type(r) ~= "table" or type(r.level) ~= "string" or type(r.when) ~= "function" then
      error(("%s: rule %d needs at least `level` (text) and `when` (a function)"):format(path, i), 0)
    end
  end
  return rules
end

return {
  name = "severity",
  stage = "classify",
  version = "0.1.0",
  api = 2,
  description = "Severity from ordered rules on the incident's impact (P0-P3 by default)",
  options = {
    rules = { type = "string", doc = "Lua file in the pipeline folder returning an ordered list of rules (default: default_rules.lua)" },
  },

  run = function(ctx, opts)
    local rules = opts.rules and load_rules(ctx, opts.rules) or DEFAULT_RULES
    local incident = ctx.incident

    -- Set by hand: keep it, and keep the rules' label for that level so the report
    -- can still say "P1 (Critical service degraded)".
    if incident.severity then
      local label
      for _, r in ipairs(rules) do
        if r.level == incident.severity then label = r.label break end
      end
      ctx.severity.set { level = incident.severity, rule = "incident.yaml",
                         reason = label and (label .. ": set by hand") or "set by hand" }
      return
    end

    local impact = {}
    for k, v in pairs(incident.impact or {}) do impact[k] = v end
    if incident.start and incident["end"] then impact.duration_s = incident["end"] - incident.start end

    for _, r in ipairs(rules) do
      if r.when(impact, incident) then
        local why = r.why and r.why(impact, incident)
        local label = r.label or r.level
        ctx.severity.set { level = r.level, rule = r.name or r.level,
                           reason = why and (label .. ": " .. why) or label }
        return
      end
    end
    ctx.log.warn("no severity rule matched the impact: the report says Unclassified")
  end,
}
