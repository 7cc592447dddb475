-- Severity rules of this pipeline, read by the severity plugin:
--   classify = { { "severity", rules = "severity-rules.lua" } }
-- Without `rules` it uses its defaults (P0-P3 by error rate, customers and revenue: see
-- `pmhost plugins info severity`). The first rule whose `when` holds gives the level.
--
-- A rule: { name, level, label, when = function(impact, incident), why = function(impact, incident) }.
-- `impact` is incident.yaml's impact plus duration_s (ended_at - started_at, in seconds);
-- `why` says what matched, and the report shows label .. ": " .. why. The file sees math,
-- string, table, pm and the basic functions: no files, no network.

-- Reads a number from the impact: 0 when incident.yaml does not give it.
local function n(impact, field)
  return type(impact[field]) == "number" and impact[field] or 0
end

return {
  {
    name = "checkout-down", level = "P1", label = "Checkout down",
    when = function(impact) return n(impact, "error_rate_peak") >= 0.5 or n(impact, "customers_affected") >= 1000 end,
    why = function(impact)
      return ("error_rate_peak %.2f, %d customers affected"):format(n(impact, "error_rate_peak"),
        n(impact, "customers_affected"))
    end,
  },
  {
    name = "checkout-degraded", level = "P2", label = "Checkout degraded",
    when = function(impact) return n(impact, "error_rate_peak") >= 0.05 end,
    why = function(impact)
      return ("error_rate_peak %.2f >= 0.05 for %d min"):format(n(impact, "error_rate_peak"),
        n(impact, "duration_s") // 60)
    end,
  },
  { name = "minor", level = "P3", label = "Minor impact", when = function() return true end },
}
