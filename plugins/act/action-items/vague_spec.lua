-- pm.actions.vague, item by item: action items as teams write them (a bank's platform group,
-- a game studio, a university's IT service, a logistics company, a SaaS start-up, a public
-- health data team, a telecom NOC, an open-source foundation), vague ones and specific ones.
local actions = require "pm.actions"

-- { item, phrase } : vague, with the phrase it is vague for.
local VAGUE = {
  -- exhortations
  { "Be more careful with hand-issued tokens.", "be more careful" },
  { "Engineers need to be careful when editing the payments Helm values", "be careful" },
  { "Pay more attention to disk alerts during the night shift", "pay more attention" },
  { "Everyone should pay closer attention to the deploy channel", "pay closer attention" },
  { "Be more vigilant about expiring tokens", "be vigilant" },
  { "Raise awareness of the change freeze among contractors", "raise awareness" },
  { "Phishing awareness", "raise awareness" },
  { "Stay in closer contact with the SMS vendor. Owner: Ida Holm", "stay in contact" },
  { "Work more closely with the payments provider", "stay in contact" },
  { "Communicate better with the support desk during incidents", "communicate better" },
  { "Better communication with franchise partners", "communicate better" },
  { "Follow best practices for Terraform state", "follow best practices" },
  { "Double check the replica count before scaling down", "double check" },
  { "Make sure this doesn't happen again next quarter", "doesn't happen again" },
  { "Ensure the outage never happens again", "doesn't happen again" },
  { "Take steps to prevent recurrence", "doesn't happen again" },
  { "Keep an eye on queue depth during sales events", "keep an eye on" },
  { "Read vendor release notes more thoroughly", "more thoroughly" },
  { "Responders should diagnose properly before failing over", "properly" },
  { "Add retries where possible", "as needed" },
  { "Remember to announce maintenance windows", "remember to" },
  -- improvement without a measure
  { "Improve monitoring", "improve" },
  { "Improve monitoring of the ALB", "improve" },
  { "Improve the failover runbook (Owner: Rui Costa)", "improve" },
  { "We are improving how we notify affected merchants", "improve" },
  { "Enhance alerting for the ingestion pipeline", "enhance" },
  { "Optimise the nightly report queries", "optimise" },
  { "Harden the VPN concentrators", "harden" },
  { "Monitor the queue better", "monitor better" },
  { "Better alerting on disk usage", "better" },
  { "Add more monitoring to the order service", "more monitoring" },
  { "More testing before releases", "more testing" },
  { "Add more alerts for Kafka", "more alerts" },
  { "Increase test coverage of the billing module", "increase coverage" },
  { "Test on more handsets", "more" },
  { "Set up more RabbitMQ alerts", "more" },
  { "Monitor the situation", "keep an eye on" },
  -- exploring without an outcome
  { "Look into the cache eviction settings", "look into" },
  { "Look into the Twilio support contract", "look into" },
  { "Look into edge cache capacity (@marta.v)", "look into" },
  { "Investigate the outage (Owner: Mei Lin, due 2024-12-01)", "investigate" },
  { "Investigate", "investigate" },
  { "[ ] investigate", "investigate" },
  { "Investigate high memory on the kiam pods", "investigate" },
  { "Review processes", "review" },
  { "Review the tenancy model", "review" },
  { "Review and update processes", "review" },
  { "Discuss ownership of the VPN", "discuss" },
  { "figure out the duplicate refunds thing", "figure out" },
  { "Consider moving session storage out of the main database", "consider" },
  { "Evaluate alternatives to the current CDN setup", "evaluate" },
  { "We should revisit how feature flags are cleaned up", "revisit" },
  { "Investigate and fix the root cause", "investigate" },
  { "Follow up with the vendor", "follow up" },
}

-- Specific items: none of them is vague.
local SPECIFIC = {
  "Add an alert on pg_stat_activity connections > 80% of max_connections",
  "Improve p99 latency of /search below 300ms by 2024-03",
  "Investigate why search returned 502s on 2024-01-14 and write up the findings",
  "Add connection pool metrics to Grafana",
  "Create runbook: DB connection saturation",
  "Add DB query plan check to CI/CD",
  "Review and adjust connection pool size",
  "Implement DB slow query alerts (<100ms)",
  "Add load testing for new query patterns",
  "Rotate the APNs key and record its owner in the service catalogue",
  "Set the ALB deregistration delay back to 300 seconds",
  "Enable branch protection on the infrastructure repository",
  "Add a CI step that double-checks `replicas` against the HPA minimum",
  "Page the database on-call when replication lag exceeds 30s for 5 minutes",
  "Write a runbook section for restoring the ledger from the hourly snapshot",
  "Move the certificate expiry check into the deploy pipeline",
  "Raise the consumer group's max.poll.interval.ms to 600000",
  "Require two approvals for changes under terraform/prod/",
  "Require code review for changes to the firewall rules",
  "Migrate the cron jobs from the old host to Kubernetes CronJobs",
  "Delete the unused APNs keys listed in JIRA-4412",
  "Document the failover procedure in https://wiki.example.org/failover",
  "Investigate the 5xx spike from 2023-11-02 (ticket #8812)",
  "Look into checkout.latency_ms regressions after each release",
  "Decrease the DNS TTL from 3600 to 300 before the migration",
  "Cap the batch size at 500 rows per transaction",
  "Alert when the rejection folder has files older than 15 minutes",
  "Schedule a game day for region failover on March 12",
  "Replace the hand-maintained spreadsheet with the key inventory in Vault",
  "Reduce the default HTTP client timeout to 2s in the shared library",
  "Add a pre-deploy check so nobody has to double check the flag defaults in flags.yaml",
  "Backfill the missed webhook events for 14 Jan",
  "Turn on deletion protection for the production RDS instances",
  "Split the monolith's worker queue into payments and notifications queues",
  "Upgrade CoreDNS to 1.10 on all clusters",
  "Pin the base image digest in Dockerfile.api",
  "Run the restore drill monthly and record time-to-restore in the SLO dashboard",
  "Give the on-call rotation a secondary for weekends",
  "Disable automatic minor version upgrades on the analytics database",
  "Investigate the incident and write a proposal for queue isolation",
  "Add a security awareness module on phishing to onboarding in LMS-204",
  "Cap the export worker at 200 requests/s (@ines)",
  "Route the registrar's abuse mails to the security pager — @kwame — due June 3",
  "Point sandbox alerting at a test Slack channel so that it aligns more with production",
  "Rename the disk alert to something more descriptive of the volume it watches",
  "Require approval from more than one reviewer for production migrations",
  "Add PodDisruptionBudgets to the checkout services: this helps us improve rollouts",
}

describe("pm.actions.vague", function()
  it("flags each vague item with the phrase that makes it so", function()
    local wrong = {}
    for _, case in ipairs(VAGUE) do
      local phrase, suggestion = actions.vague(case[1])
      if phrase ~= case[2] or type(suggestion) ~= "string" then
        wrong[#wrong + 1] = ("%s -> %s, not %s"):format(case[1], tostring(phrase), case[2])
      end
    end
    assert.same({}, wrong)
    assert.truthy(#VAGUE >= 40)
  end)

  it("leaves each specific item alone", function()
    local wrong = {}
    for _, item in ipairs(SPECIFIC) do
      local phrase = actions.vague(item)
      if phrase then wrong[#wrong + 1] = item .. " -> " .. phrase end
    end
    assert.same({}, wrong)
    assert.truthy(#SPECIFIC >= 40)
  end)

  it("suggests by family", function()
    assert.equals(actions.SUGGESTIONS.exhortation, select(2, actions.vague("Be more careful")))
    assert.equals(actions.SUGGESTIONS.improvement, select(2, actions.vague("Improve alerting")))
    assert.equals(actions.SUGGESTIONS.exploration, select(2, actions.vague("Look into retries")))
  end)

  it("takes extra phrases at the start of a word, after its own rules", function()
    assert.equals("asap", actions.vague("Add a runbook for cache eviction ASAP", { "asap" }))
    assert.is_nil(actions.vague("Add connection pool metrics to Grafana", { "ool" }))
    assert.equals("improve", actions.vague("Improve monitoring asap", { "asap" }))
  end)

  it("is deterministic and takes any text", function()
    local item = "Look into the cache eviction settings"
    assert.same({ actions.vague(item) }, { actions.vague(item) })
    assert.is_nil(actions.vague(nil))
    assert.is_nil(actions.vague(""))
    assert.is_nil(actions.vague("%%(["))
    assert.is_nil(actions.vague(("x"):rep(100000)))
  end)
end)
