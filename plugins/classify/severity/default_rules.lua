--[[ Default severity rules. The first rule whose `when` holds gives the level.

  level  label                       when
  P0     Service down or data lost   impact.data_loss, or error_rate_peak >= 0.9
  P1     Critical service degraded   error_rate_peak >= 0.25, customers_affected >= 1000
                                     or revenue_usd >= 10000
  P2     Service degraded            error_rate_peak >= 0.05 or customers_affected >= 100
  P3     Minor impact                anything else

`impact` is incident.yaml's impact plus duration_s (ended_at - started_at, in seconds).
A rule is { name, level, label, when = function(impact, incident), why = function(impact, incident) }:
`why` explains the match ("error_rate_peak 0.40 >= 0.25"); the report's reason is
label .. ": " .. why. To use your own rules, write a file that returns such a list and
name it in the pipeline: classify = { { "severity", rules = "severity-rules.lua" } }.
]]

-- A test returns a reason when it holds and nil when it does not, so one function
-- serves as both `when` and `why`.
local function at_least(field, limit, fmt)
  return function(impact)
    local v = impact[field]
    if type(v) == "number" and v >= limit then
      return (("%s " .. fmt .. " >= " .. fmt):format(field, v, limit))
    end
  end
end

local function is_true(field)
  return function(impact)
    if impact[field] == true then return field .. " is true" end
  end
end

-- The first test that holds explains the rule.
local function any(...)
  local tests = { ... }
  return function(impact)
    for _, test in ipairs(tests) do
      local reason = test(impact)
      if reason then return reason end
    end
  end
end

local function rule(name, level, label, test)
  return {
    name = name, level = level, label = label,
    when = function(impact) return test(impact) ~= nil end,
    why = test,
  }
end

return {
  rule("outage-or-data-loss", "P0", "Service down or data lost",
    any(is_true("data_loss"), at_least("error_rate_peak", 0.9, "%.2f"))),
  rule("critical-degradation", "P1", "Critical service degraded",
    any(at_least("error_rate_peak", 0.25, "%.2f"), at_least("customers_affected", 1000, "%.0f"),
        at_least("revenue_usd", 10000, "%.0f"))),
  rule("degradation", "P2", "Service degraded",
    any(at_least("error_rate_peak", 0.05, "%.2f"), at_least("customers_affected", 100, "%.0f"))),
  {
    name = "minor", level = "P3", label = "Minor impact",
    when = function() return true end,
    why = function() return "below every threshold above" end,
  },
}
