-- scripts/bench-timeline's collector: n events from five sources, each source in time order
-- (as collectors add them): application errors in bursts (94%), Alertmanager alerts,
-- their PagerDuty triggers 2-20 s later (which dedupe against them), kubectl actions and
-- Slack messages (1.5% each).
return {
  name = "bench-events", stage = "collect", version = "1.0.0", api = 2,
  description = "Benchmark: n already-parsed events from five sources",
  options = { n = { type = "integer", required = true, doc = "how many events" } },
  run = function(ctx, opts)
    local add, n = ctx.timeline.add, opts.n
    local start, span = 1739095200, 8 * 3600
    local other = math.max(n * 3 // 200, 1)
    local logs = n - 4 * other
    local random = math.random
    math.randomseed(42)
    local routes = { "/api/v1/orders", "/api/v1/products", "/api/v1/cart", "/api/v1/users/{id}", "/healthz" }
    local statuses = { 500, 502, 503, 504 }
    local bursts, line = 32, 1
    for b = 0, bursts - 1 do
      local size = logs // bursts + (b < logs % bursts and 1 or 0)
      local t = start + b * span / bursts
      local step = 300 / size
      for _ = 1, size do
        t = t + random() * 2 * step
        local status = statuses[random(4)]
        add({
          time = t, event = ("HTTP %d GET %s upstream timed out"):format(status, routes[random(5)]),
          source = "app logs", kind = "error", group = "5xx errors", evidence = "data/api.log:" .. line,
        })
        line = line + 1
      end
    end
    local names = { "HighErrorRate", "HighLatencyP99", "PodCrashLooping", "UpstreamDown", "SLOBurnRate" }
    for _, delayed in ipairs { false, true } do
      math.randomseed(7)
      for k = 0, other - 1 do
        local base = start + span * k / other
        local name, delay = names[random(5)], 2 + random() * 18
        if delayed then
          add({ time = base + delay, event = "Triggered: " .. name .. " firing (api-service)",
            source = "pagerduty", kind = "alert_fired", evidence = "pagerduty:incident/Q" .. k })
        else
          add({ time = base, event = name .. " firing (api-service)", source = "alertmanager",
            kind = "alert_fired", evidence = "alertmanager:" .. name .. "/" .. k })
        end
      end
    end
    local verbs = { "rollout restart deployment/api", "scale deployment/api --replicas=12", "rollout undo deployment/api" }
    for k = 0, other - 1 do
      add({ time = start + span * k / other + random() * 60, event = "kubectl " .. verbs[random(3)],
        source = "kubectl", actor = "alice", kind = "action", evidence = "data/kubectl-audit.log:" .. (k + 1) })
    end
    local texts = { "looking at the error rate now", "rolled back the api deploy", "errors dropping", "paging db on-call" }
    for k = 0, other - 1 do
      add({ time = start + span * k / other + random() * 90, event = texts[random(4)] .. " (#" .. k .. ")",
        source = "slack", actor = "bob", kind = "note", evidence = "slack:C024BE91L/" .. k })
    end
  end,
}
