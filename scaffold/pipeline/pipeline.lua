-- A post-mortem as code. Stages run in this order whatever order this file lists them in;
-- `pmhost plugins list` shows every plugin and `pmhost plugins info NAME` its options.
--   pmhost check pipeline.lua      -- loads everything, runs nothing
--   pmhost run pipeline.lua        -- writes out/report.md, report.html, report.json
-- Everything here is a worked example about a sample incident (incident.yaml,
-- data/events.log, whys.yaml, actions.yaml, severity-rules.lua): replace it with yours.

-- The sample incident's log: one log-pattern entry per kind of line ("... ERROR ...").
local sample = {}
for _, kind in ipairs { "deploy", "error", "alert_fired", "paged", "acknowledged", "mitigated", "resolved" } do
  sample[#sample + 1] = { "log-pattern", path = "data/events.log", source = "sample log", kind = kind,
    pattern = "^(%S+) " .. kind:upper() .. " (.*)$", fields = { "time", "message" } }
end

return {
  incident = "incident.yaml",
  out = "out",

  collect = sample,
  -- Sources to start from, instead of the sample:
  -- collect = {
  --   { "kubectl-logs", path = "data/api.log", source = "app logs" },
  --   { "nginx-access", path = "data/access.log", source = "load balancer" },
  --   { "prometheus", url = "http://127.0.0.1:9090", query = "...", threshold = 0.05, name = "Error rate" },
  --   { "alertmanager", file = "data/alerts.json" },
  --   { "pagerduty", url = "https://api.pagerduty.com/incidents/ID/log_entries", token_env = "PAGERDUTY_TOKEN" },
  --   { "slack-export", dir = "data/slack", channel = "incident-channel" },
  -- },
  timeline = { "bursts", "key-moments" },
  -- five-whys reads its why chains from whys.yaml. Without `answers` it asks them at the
  -- terminal instead, and `pmhost run pipeline.lua --answers answers.yaml` answers from a file.
  analyze  = { { "five-whys", answers = "whys.yaml" }, "fishbone" },
  classify = { { "severity", rules = "severity-rules.lua" } },   -- without rules: P0-P3 by impact
  act      = { { "action-items", file = "actions.yaml" } },
  report   = { "markdown", "html", "json" },
  validate = { "checklist", "blameless" },
  track    = { "calendar" },                -- { "github-issues", repo = "OWNER/NAME" }
}
