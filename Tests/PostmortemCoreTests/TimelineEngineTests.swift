import Testing

@testable import PostmortemCore

/// A deterministic random generator (SplitMix64), so a failing property names its seed.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Events from `sources` sources, each in time order (as collectors add them), appended one
/// source after another; times collide often so stability matters.
func randomTimeline(seed: UInt64, sources: Int = 5, perSource: Int = 60) -> Timeline {
  var rng = SplitMix(seed: seed)
  let kinds = ["error", "alert_fired", "paged", "acknowledged", "note", "deploy", "action", "metric_crossed"]
  var timeline = Timeline()
  var serial = 0
  for s in 0..<sources {
    var time: Int64 = 1_739_095_200_000
    for _ in 0..<Int.random(in: 0...perSource, using: &rng) {
      time += Int64.random(in: 0...90_000, using: &rng) / 1000 * 1000
      serial += 1
      var e = TimelineEvent(
        time: Timestamp(milliseconds: time), event: "e\(serial)", source: "source \(s)",
        kind: kinds.randomElement(using: &rng)!, evidence: ["s\(s):\(serial)"])
      if e.kind == "error", Bool.random(using: &rng) { e.group = "5xx" }
      timeline.add(e)
    }
  }
  // Sometimes a source out of order too (a collector that adds newest first).
  if Bool.random(using: &rng) { timeline.events.reverse() }
  return timeline
}

@Suite struct MergeProperties {
  @Test(arguments: 0..<40) func mergeIsSortedStableAndIdempotent(seed: Int) {
    let original = randomTimeline(seed: UInt64(seed))
    var merged = original
    merged.sort()
    // Sorted, and the same events (a permutation).
    #expect(zip(merged.events, merged.events.dropFirst()).allSatisfy { $0.time <= $1.time })
    #expect(merged.events.map(\.event).sorted() == original.events.map(\.event).sorted())
    // Stable: equal times keep the order they were added in.
    let position = Dictionary(uniqueKeysWithValues: original.events.enumerated().map { ($1.event, $0) })
    for (a, b) in zip(merged.events, merged.events.dropFirst()) where a.time == b.time {
      #expect(position[a.event]! < position[b.event]!, "seed \(seed)")
    }
    // Idempotent.
    var again = merged
    again.sort()
    #expect(again == merged)
    // The same order as a plain stable sort.
    let reference = original.events.enumerated().sorted {
      $0.element.time != $1.element.time ? $0.element.time < $1.element.time : $0.offset < $1.offset
    }.map(\.element)
    #expect(merged.events == reference)
  }

  @Test(arguments: 0..<40) func dedupeNeverLosesASourceOrEvidence(seed: Int) {
    let original = randomTimeline(seed: UInt64(seed))
    var deduped = original
    deduped.deduplicate(window: 120_000)
    #expect(Set(deduped.events.flatMap(\.sources)) == Set(original.events.map(\.source)))
    #expect(Set(deduped.events.flatMap(\.evidence)) == Set(original.events.flatMap(\.evidence)))
    // Every event is a row or an occurrence folded into one.
    #expect(deduped.events.count + deduped.events.map(\.merged.count).reduce(0, +) == original.count)
    #expect(zip(deduped.events, deduped.events.dropFirst()).allSatisfy { $0.time <= $1.time })
    var twice = deduped
    twice.deduplicate(window: 120_000)
    #expect(twice.count <= deduped.count)
  }

  @Test(arguments: 0..<40) func burstsNeverLoseACount(seed: Int) {
    let original = randomTimeline(seed: UInt64(seed))
    var collapsed = original
    collapsed.collapseBursts(gap: 300_000, minCount: 2, title: "First %s appear")
    #expect(collapsed.events.map(\.count).reduce(0, +) == original.count)
    #expect(Set(collapsed.events.map(\.source)) == Set(original.events.map(\.source)))
    #expect(zip(collapsed.events, collapsed.events.dropFirst()).allSatisfy { $0.time <= $1.time })
    for row in collapsed.events where row.count > 1 { #expect(row.last! >= row.time) }
  }
}

@Suite struct BurstTests {
  @Test func foldsRunsOfTheSameSourceAndGroup() {
    var timeline = Timeline([
      ev("10:05:23", "error", "nginx", "HTTP 504 GET /a", evidence: ["access.log:973"]),
      ev("10:05:25", "error", "nginx", "HTTP 503 GET /b", evidence: ["access.log:989"]),
      ev("10:05:30", "error", "edge", "HTTP 502 GET /", evidence: ["edge.log:7"]),
      ev("10:06:00", "error", "nginx", "HTTP 503 GET /c", evidence: ["access.log:1100"]),
      ev("10:20:00", "error", "nginx", "HTTP 503 GET /d", evidence: ["access.log:4000"]),
    ])
    for i in timeline.events.indices { timeline.events[i].group = "5xx errors" }
    timeline.collapseBursts(gap: 300_000, minCount: 2, title: "First %s appear")
    #expect(timeline.events.map(\.event) == ["First 5xx errors appear", "HTTP 502 GET /", "HTTP 503 GET /d"])
    #expect(timeline.events.map(\.count) == [3, 1, 1])
    #expect(timeline.events[0].last == t("2025-02-09T10:06:00Z"))
    #expect(timeline.events[0].evidence == ["access.log:973 .. access.log:1100"])
  }

  @Test func titleFormat() {
    #expect(Timeline.title("First %s appear", group: "5xx") == "First 5xx appear")
    #expect(Timeline.title("100%% %s", group: "x") == "100% x")
  }
}

@Suite struct ClockSkewTests {
  /// Alertmanager's clock is right; the webhook log's host runs 42 s fast.
  func skewed(by seconds: Int64) -> Timeline {
    var timeline = Timeline()
    for (i, clock) in ["10:05:00", "10:20:00", "10:41:10"].enumerated() {
      timeline.add(ev(clock, "alert_fired", "alertmanager", "alert \(i) firing"))
      var seen = ev(clock, "alert_fired", "webhook log", "alert \(i) firing")
      seen.time = seen.time.adding(milliseconds: seconds * 1000 + Int64(i) * 200)
      timeline.add(seen)
    }
    timeline.add(ev("10:06:00", "metric_crossed", "prometheus", "error rate > 5%"))
    timeline.add(ev("10:07:30", "alert_fired", "alertmanager", "HighErrorRate firing"))
    return timeline
  }

  @Test func findsBothSourcesAndTheMedianOffset() {
    var timeline = skewed(by: 42)
    timeline.deduplicate()
    let skews = timeline.clockSkews(tolerance: 5_000)
    #expect(skews.count == 1)
    let skew = skews[0]
    #expect(skew.source == "webhook log")
    #expect(skew.reference == "alertmanager")
    #expect(skew.offsetSeconds == 42.2)
    #expect(skew.matches == 3)
    #expect(skew.minSeconds == 42.0 && skew.maxSeconds == 42.4)
    #expect(skew.message.contains("'webhook log' reports 42.2 s ahead of 'alertmanager'"))
    #expect(skew.message.contains("clock_offsets = { [\"webhook log\"] = -42.2 }"))
  }

  @Test func withinToleranceOrAcrossKindsIsNotSkew() {
    var timeline = skewed(by: 3)
    timeline.deduplicate()
    // The metric crossing 90 s before its alert is cause and effect, not a clock.
    #expect(timeline.clockSkews(tolerance: 5_000).isEmpty)
  }

  @Test func behindIsNegative() {
    var timeline = skewed(by: -30)
    timeline.deduplicate()
    let skew = timeline.clockSkews(tolerance: 5_000)[0]
    #expect(skew.offsetSeconds == -29.8)
    #expect(skew.message.contains("29.8 s behind"))
  }

  @Test func shiftingTheSourceRemovesTheSkew() {
    var timeline = skewed(by: 42)
    #expect(timeline.shift(source: "webhook log", by: -42_200) == 3)
    timeline.deduplicate()
    #expect(timeline.clockSkews(tolerance: 5_000).isEmpty)
    #expect(timeline.events.filter { $0.kind == "alert_fired" }.count == 4)
  }
}

@Suite struct SilenceTests {
  let window = TimeWindow(start: t("2025-02-09T10:05:00Z"), end: t("2025-02-09T11:40:00Z"))

  @Test func aLogThatStopsIsAGapToTheEnd() {
    var timeline = Timeline()
    for minute in stride(from: 5, through: 20, by: 1) {
      timeline.add(ev(String(format: "10:%02d:00", minute), "note", "app logs"))
    }
    let gaps = timeline.silences(of: "app logs", in: window, minGap: 600_000)
    #expect(gaps == [TimeWindow(start: t("2025-02-09T10:20:00Z"), end: t("2025-02-09T11:40:00Z"))])
  }

  @Test func shortSilencesAndBurstSpansAreNotGaps() {
    var timeline = Timeline([ev("10:04:00", "error", "app logs"), ev("11:35:00", "error", "app logs")])
    timeline.events[0].count = 500
    timeline.events[0].last = t("2025-02-09T11:30:00Z")
    #expect(timeline.silences(of: "app logs", in: window, minGap: 600_000).isEmpty)
    let late = Timeline([ev("10:30:00", "error", "app logs")])
    #expect(
      late.silences(of: "app logs", in: window, minGap: 600_000) == [
        TimeWindow(start: t("2025-02-09T10:05:00Z"), end: t("2025-02-09T10:30:00Z")),
        TimeWindow(start: t("2025-02-09T10:30:00Z"), end: t("2025-02-09T11:40:00Z")),
      ])
    #expect(
      Timeline().silences(of: "app logs", in: window, minGap: 600_000) == [window])
  }
}
