// scripts/bench-timeline's engine measurement (issue 4). Not part of pmhost: a release-built
// executable that only the benchmark runs.
//
//   timeline-bench N
//
// Generates N already-parsed events from five sources the way collectors hand them to the
// host (each source in time order, its own strings per event, added source after source),
// then times the host's timeline step on them: the k-way merge of the sources' runs, the
// dedupe (window 120 s, as the pipeline default) and the burst collapse (gap 300 s, as the
// bursts plugin). Prints one line:
//
//   seconds=S rss_before_kb=A rss_peak_kb=B events=N rows=R merged=M collapsed=C
//
// rss_before_kb is the peak before the timed step (the events themselves), rss_peak_kb the
// process's peak after it (what /usr/bin/time reports too).
import Foundation
import PostmortemCore

/// A small deterministic generator (xorshift), so every run sees the same events.
struct Random {
  var state: UInt64
  mutating func next() -> UInt64 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return state
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func peakKB() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return usage.ru_maxrss
}

let arguments = CommandLine.arguments
guard arguments.count == 2, let n = Int(arguments[1]), n > 0 else {
  FileHandle.standardError.write("usage: timeline-bench N\n".data(using: .utf8)!)
  exit(2)
}

// The incident spans 8 hours; 94% of the events are application errors in bursts, the rest
// is split between alerts (Alertmanager), their PagerDuty triggers (which dedupe against
// them), kubectl actions and Slack messages.
let start: Int64 = 1_739_095_200_000  // 2025-02-09T10:00:00Z
let span: Int64 = 8 * 3_600_000
let other = max(n * 3 / 200, 1)  // 1.5% per minor source
let logs = n - 4 * other
/// Each source in time order, added event by event as `ctx.timeline.add` does.
func appLogs(into timeline: inout Timeline) {
  let routes = ["/api/v1/orders", "/api/v1/products", "/api/v1/cart", "/api/v1/users/{id}", "/healthz"]
  let statuses = [500, 502, 503, 504]
  // 32 bursts, one every 15 minutes: each is 5 minutes of errors a few ms apart (denser the
  // more events), then 10 quiet minutes, longer than the 300 s that end a burst.
  var random = Random(state: 0x9E37_79B9_7F4A_7C15)
  let bursts = 32
  var line = 1
  for b in 0..<bursts {
    let size = logs / bursts + (b < logs % bursts ? 1 : 0)
    let burstStart = start + Int64(b) * span / Int64(bursts)
    let step = max(300_000 / Int64(max(size, 1)), 1)
    var t = burstStart
    for _ in 0..<size {
      t += Int64(random.below(Int(2 * step) + 1))
      let status = statuses[random.below(statuses.count)]
      let route = routes[random.below(routes.count)]
      let text = "HTTP \(status) GET \(route) upstream timed out"
      timeline.add(
        TimelineEvent(
          time: Timestamp(milliseconds: t), event: text, source: "app logs", kind: "error",
          evidence: ["data/api.log:\(line)"], group: "\(status / 100)xx errors",
          fields: [:]))
      line += 1
    }
  }
}

/// Alerts every span/other ms; PagerDuty triggers 2 to 20 s after each alert.
func alerts(into timeline: inout Timeline, delayed: Bool) {
  var local = Random(state: 0xA076_1D64_78BD_642F)
  let names = ["HighErrorRate", "HighLatencyP99", "PodCrashLooping", "UpstreamDown", "SLOBurnRate"]
  for k in 0..<other {
    let base = start + span * Int64(k) / Int64(other)
    let name = names[local.below(names.count)]
    let delay = Int64(2_000 + local.below(18_000))
    if delayed {
      timeline.add(
        TimelineEvent(
          time: Timestamp(milliseconds: base + delay), event: "Triggered: \(name) firing (api-service)",
          source: "pagerduty", kind: "alert_fired", evidence: ["pagerduty:incident/Q\(k)"]))
    } else {
      timeline.add(
        TimelineEvent(
          time: Timestamp(milliseconds: base), event: "\(name) firing (api-service)",
          source: "alertmanager", kind: "alert_fired", evidence: ["alertmanager:\(name)/\(k)"],
          fields: ["severity": .string("page")]))
    }
  }
}

func kubectl(into timeline: inout Timeline) {
  var local = Random(state: 0xE703_7ED1_A0B4_28DB)
  let verbs = [
    "rollout restart deployment/api", "scale deployment/api --replicas=12", "rollout undo deployment/api",
  ]
  for k in 0..<other {
    let t = start + span * Int64(k) / Int64(other) + Int64(local.below(60_000))
    timeline.add(
      TimelineEvent(
        time: Timestamp(milliseconds: t), event: "kubectl \(verbs[local.below(verbs.count)])",
        source: "kubectl", actor: "alice", kind: "action", evidence: ["data/kubectl-audit.log:\(k + 1)"]))
  }
}

func slack(into timeline: inout Timeline) {
  var local = Random(state: 0x8EBC_6AF0_9C88_C6E3)
  let texts = [
    "looking at the error rate now", "rolled back the api deploy", "errors dropping", "paging db on-call",
  ]
  for k in 0..<other {
    let t = start + span * Int64(k) / Int64(other) + Int64(local.below(90_000))
    timeline.add(
      TimelineEvent(
        time: Timestamp(milliseconds: t), event: texts[local.below(texts.count)] + " (#\(k))",
        source: "slack", actor: "bob", kind: "note",
        evidence: ["slack:C024BE91L/\(1_739_095_200 + t / 1000).\(100_000 + k)"],
        fields: ["ts": .string("\(t / 1000).\(100_000 + k)")]))
  }
}

var timeline = Timeline()
timeline.events.reserveCapacity(n)
appLogs(into: &timeline)
alerts(into: &timeline, delayed: false)
alerts(into: &timeline, delayed: true)
kubectl(into: &timeline)
slack(into: &timeline)
let events = timeline.count
let before = peakKB()

let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
var marks = [clock.now]
timeline.sort()
marks.append(clock.now)
let sorted = timeline.count
timeline.deduplicate(window: 120_000)
marks.append(clock.now)
let deduped = timeline.count
let skews = timeline.clockSkews(tolerance: 5_000).count
marks.append(clock.now)
timeline.collapseBursts(gap: 300_000, minCount: 2, title: "First %s appear")
marks.append(clock.now)
let total = seconds(marks.last! - marks[0])
let steps = zip(["sort", "dedupe", "skew", "bursts"], marks.indices.dropFirst()).map {
  "\($0.0)=\(String(format: "%.4f", seconds(marks[$0.1] - marks[$0.1 - 1])))"
}.joined(separator: " ")

print(
  "seconds=\(String(format: "%.6f", total)) rss_before_kb=\(before) rss_peak_kb=\(peakKB()) events=\(events) rows=\(timeline.count) merged=\(sorted - deduped) collapsed=\(deduped - timeline.count) skews=\(skews) \(steps)"
)
