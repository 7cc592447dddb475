import Testing

@testable import PostmortemCore

/// The dedupe as first written: every pair of rows inside the window, compared directly on
/// the events. Slow (it looks at every row in the window for each row) but plain; the
/// engine's stream-based dedupe must give exactly its result.
func referenceDeduplicated(_ timeline: Timeline, window: Int64) -> [TimelineEvent] {
  var rows = Timeline.stableSorted(timeline.events)
  var removed = [Bool](repeating: false, count: rows.count)
  for x in rows.indices where !removed[x] {
    if Timeline.unmergedKinds.contains(rows[x].kind) { continue }
    var y = x + 1
    while y < rows.count, !removed[x] {
      defer { y += 1 }
      if removed[y] || Timeline.unmergedKinds.contains(rows[y].kind) { continue }
      if rows[y].time.milliseconds - rows[x].time.milliseconds > window { break }
      guard let match = Timeline.match(rows[x], rows[y]) else { continue }
      if rows[x].kind == rows[y].kind, rows[x].sources.contains(where: rows[y].sources.contains) { continue }
      switch match {
      case .keepFirst:
        Timeline.merge(rows[y], into: &rows[x])
        removed[y] = true
      case .keepSecond:
        Timeline.merge(rows[x], into: &rows[y])
        removed[x] = true
      }
    }
  }
  return rows.indices.filter { !removed[$0] }.map { rows[$0] }
}

/// A timeline where one source is most of the events (as an application log is), the
/// others small and sometimes out of order, the big run anywhere in the order added, some
/// rows reported by several sources, and optionally more than 64 source labels.
func dominatedTimeline(seed: UInt64, labels: Int = 6, small: ClosedRange<Int> = 0...60) -> Timeline {
  var rng = SplitMix(seed: seed)
  let kinds = ["alert_fired", "paged", "deploy", "action", "metric_crossed", "acknowledged", "note"]
  let big = Int.random(in: 0..<4, using: &rng)
  var timeline = Timeline()
  var serial = 0
  for s in 0..<4 {
    var time: Int64 = 1_739_095_200_000
    let count = s == big ? Int.random(in: 400...900, using: &rng) : Int.random(in: small, using: &rng)
    for _ in 0..<count {
      serial += 1
      if s == big {
        time += Int64.random(in: 0...4_000, using: &rng)
        var e = TimelineEvent(
          time: Timestamp(milliseconds: time), event: "log \(serial)", source: "app logs", kind: "error",
          evidence: ["app.log:\(serial)"], group: "5xx errors")
        // A few rows from the big source that can merge too.
        if Int.random(in: 0..<20, using: &rng) == 0 { e.kind = kinds.randomElement(using: &rng)! }
        timeline.add(e)
        continue
      }
      // Small sources jitter: not always in order.
      time += Int.random(in: 0..<3, using: &rng) == 0 ? -20_000 : Int64.random(in: 0...90_000, using: &rng)
      let label = "source \(Int.random(in: 0..<labels, using: &rng))"
      var sources: [String]? = nil
      if Int.random(in: 0..<8, using: &rng) == 0 {
        sources = [label, "source \(Int.random(in: 0..<labels, using: &rng))"]
      }
      timeline.add(
        TimelineEvent(
          time: Timestamp(milliseconds: time), event: "e\(serial)", source: label, sources: sources,
          kind: kinds.randomElement(using: &rng)!, evidence: ["s\(s):\(serial)"]))
    }
  }
  return timeline
}

@Suite struct TimelineScaleTests {
  @Test(arguments: 0..<60) func sortWithOneDominantSourceIsAStableSort(seed: Int) {
    let original = dominatedTimeline(seed: UInt64(seed))
    var sorted = original
    sorted.sort()
    #expect(sorted.events == Timeline.referenceSorted(original.events), "seed \(seed)")
  }

  @Test(arguments: 0..<60) func dedupeEqualsThePairwiseReference(seed: Int) {
    for timeline in [dominatedTimeline(seed: UInt64(seed)), randomTimeline(seed: UInt64(seed))] {
      var deduped = timeline
      deduped.deduplicate(window: 120_000)
      #expect(deduped.events == referenceDeduplicated(timeline, window: 120_000), "seed \(seed)")
    }
  }

  @Test(arguments: 0..<10) func dedupeWithMoreThan64SourceLabels(seed: Int) {
    let timeline = dominatedTimeline(seed: UInt64(seed) + 1000, labels: 150, small: 150...200)
    #expect(Set(timeline.events.flatMap(\.sources)).count > 64)
    var deduped = timeline
    deduped.deduplicate(window: 600_000)
    #expect(deduped.events == referenceDeduplicated(timeline, window: 600_000), "seed \(seed)")
  }

  @Test func aChangedEventIsSortedAgain() {
    var timeline = Timeline()
    for second in [3, 1, 2] {
      timeline.add(
        TimelineEvent(
          time: Timestamp(milliseconds: Int64(second) * 1000), event: "\(second)", source: "a", kind: "note"))
    }
    timeline.sort()
    #expect(timeline.events.map(\.event) == ["1", "2", "3"])
    timeline.events[0].time = Timestamp(milliseconds: 9_000)
    timeline.sort()
    #expect(timeline.events.map(\.event) == ["2", "3", "1"])
    timeline.shift(source: "a", by: -10_000)
    timeline.events.swapAt(0, 2)
    timeline.deduplicate()
    #expect(timeline.events.map(\.event) == ["2", "3", "1"])
    timeline.add(TimelineEvent(time: Timestamp(milliseconds: 0), event: "0", source: "b", kind: "note"))
    timeline.collapseBursts(gap: 1_000, minCount: 2, title: "First %s appear")
    #expect(timeline.events.map(\.event) == ["2", "3", "1", "0"])
  }

  @Test(arguments: [0, 1, 2, 50, 99, 100]) func compactKeepsTheOthersInOrder(dropped: Int) {
    // Both ways: few dropped (blocks moved down) and most dropped (kept ones swapped up).
    var rng = SplitMix(seed: UInt64(dropped))
    let gone = Set((0..<100).shuffled(using: &rng).prefix(dropped))
    var items = (0..<100).map { "item \($0) with a text long enough to live on the heap" }
    Timeline.compact(&items, filler: "") { gone.contains($0) }
    #expect(
      items
        == (0..<100).filter { !gone.contains($0) }.map {
          "item \($0) with a text long enough to live on the heap"
        })
  }
}

extension Timeline {
  /// A plain stable sort by time, for comparison.
  static func referenceSorted(_ events: [TimelineEvent]) -> [TimelineEvent] {
    events.enumerated().sorted {
      $0.element.time != $1.element.time ? $0.element.time < $1.element.time : $0.offset < $1.offset
    }.map(\.element)
  }
}
