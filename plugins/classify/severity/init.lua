-- severity: classify the incident with ordered rules; the first rule that matches wins.
--
-- The default rules are in default_rules.lua (read it: the thresholds are listed at the
-- top). A pipeline can bring its own with `rules = "severity-rules.lua"`, a Lua file that
-- returns a list of rules shaped the same way. A severity set by hand in incident.yaml
-- is kept.

local DEFAULT_RULES = require "default_rules"
local logtext = require "pm.logtext"

-- What a rules file can use: no files, no network, no globals of the host.
local function rules_env()
  return {
    math = math, string = string, table = table, pm = pm,
    ipairs = ipairs, pairs = pairs, type = type, tostring = tostring, tonumber = tonumber,
    select = select, error = error, assert = assert,
  }
end

-- The keys a rule may have (docs/formats.md, "Severity rules").
local RULE_KEYS = { level = true, label = true, name = true, when = true, why = true }

-- The rules a rules file's text returns, with every problem of them.
local function parse_rules(text, path)
  local chunk, err = load(text, "@" .. path, "t", rules_env())
  if not chunk then return nil, { err } end
  local ok, rules = pcall(chunk)
  if not ok then return nil, { tostring(rules) } end
  if type(rules) ~= "table" or #rules == 0 then
    return nil, { path .. ": expected the file to return a non-empty list of rules" }
  end
  local problems = {}
  for i, r in ipairs(rules) do
    if type(r) ~= "table" or type(r.level) ~= "string" or type(r.when) ~= "function" then
      problems[#problems + 1] = ("%s: rule %d needs at least `level` (text) and `when` (a function)"):format(path, i)
    end
    if type(r) == "table" then
      local extra = logtext.unknown_keys(r, RULE_KEYS)
      if #extra > 0 then
        problems[#problems + 1] = ("%s: rule %d: unknown key %s (known: level, label, name, when, why)")
          :format(path, i, table.concat(extra, ", "))
      end
      if r.why ~= nil and type(r.why) ~= "function" then
        problems[#problems + 1] = ("%s: rule %d: `why` must be a function(impact, incident) returning text"):format(path, i)
      end
    end
  end
  return rules, problems
end

local function load_rules(ctx, path)
  local rules, problems = parse_rules(ctx.fs.read(path), path)
  if #problems > 0 then error(problems[1], 0) end
  return rules
end

return {
  name = "severity",
  stage = "classify",
  version = "0.1.0",
  api = 2,
  description = "Severity from ordered rules on the incident's impact (P0-P3 by default)",
  options = {
    rules = { type = "file", doc = "Lua file in the pipeline folder returning an ordered list of rules (default: default_rules.lua)" },
  },

  -- `pmhost check` gives ctx.fs: the rules file is loaded and every problem of it named.
  check = function(opts, ctx)
    if opts.rules and ctx.fs then
      local _, problems = parse_rules(ctx.fs.read(opts.rules), opts.rules)
      return problems
    end
  end,

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
