/// The incident timeline: events from every source, merged.
///
/// ```swift
/// var timeline = Timeline()
/// timeline.add(alertFromAlertmanager)
/// timeline.add(sameAlertFromPagerDuty)
/// timeline.sort()
/// let rows = timeline.deduplicated()  // one row, sources ["alertmanager", "pagerduty"]
/// ```
public struct Timeline: Sendable, Equatable {
  /// The events, in the order added or sorted.
  public var events: [TimelineEvent]

  /// Kinds that never merge as "the same kind": every error or note is its own row.
  public static let unmergedKinds: Set<String> = ["error", "note"]

  /// A timeline holding `events`.
  public init(_ events: [TimelineEvent] = []) {
    self.events = events
  }

  /// Appends an event.
  public mutating func add(_ event: TimelineEvent) {
    events.append(event)
  }

  /// Appends events.
  public mutating func add(contentsOf more: some Sequence<TimelineEvent>) {
    events.append(contentsOf: more)
  }

  /// The number of events.
  public var count: Int { events.count }

  /// Sorts by time; events at the same time keep their order (stable).
  ///
  /// Collectors add each source in order, so the timeline is a few ascending runs: the
  /// runs are merged (k-way) into an order of indices, and the events are moved into that
  /// order in place. No event is copied.
  public mutating func sort() {
    guard let order = Self.mergeOrder(events.lazy.map(\.time.milliseconds)) else { return }
    Self.permute(&events, into: order)
  }

  static func stableSorted(_ events: [TimelineEvent]) -> [TimelineEvent] {
    var copy = events
    guard let order = mergeOrder(events.lazy.map(\.time.milliseconds)) else { return copy }
    permute(&copy, into: order)
    return copy
  }

  /// The stable sorted order of `times` (indices), or nil when already sorted.
  ///
  /// Ascending runs are found in one pass; up to 64 runs are merged with a heap keyed by
  /// (time, run), which keeps equal times in their original order. More runs (an input in
  /// no order) fall back to a stable sort of the indices.
  static func mergeOrder(_ times: some Collection<Int64>) -> [Int]? {
    let t = Array(times)
    var starts = [0]
    if t.count > 1 {
      for i in 1..<t.count where t[i] < t[i - 1] { starts.append(i) }
    }
    if starts.count == 1 { return nil }
    if starts.count > 64 {
      return t.indices.sorted { t[$0] != t[$1] ? t[$0] < t[$1] : $0 < $1 }
    }
    var ends = Array(starts.dropFirst())
    ends.append(t.count)
    var next = starts  // next index to take from each run
    // A binary heap of run numbers, ordered by (time of the run's next event, run).
    var heap = Array(starts.indices)
    func less(_ a: Int, _ b: Int) -> Bool {
      let ta = t[next[a]]
      let tb = t[next[b]]
      return ta != tb ? ta < tb : a < b
    }
    func down(_ from: Int) {
      var i = from
      while true {
        let l = 2 * i + 1
        if l >= heap.count { return }
        var m = l
        if l + 1 < heap.count, less(heap[l + 1], heap[l]) { m = l + 1 }
        if !less(heap[m], heap[i]) { return }
        heap.swapAt(i, m)
        i = m
      }
    }
    for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { down(i) }
    var order: [Int] = []
    order.reserveCapacity(t.count)
    while let run = heap.first {
      order.append(next[run])
      next[run] += 1
      if next[run] == ends[run] {
        heap[0] = heap[heap.count - 1]
        heap.removeLast()
      }
      if !heap.isEmpty { down(0) }
    }
    return order
  }

  /// Moves `items` so that `items[k]` becomes the old `items[order[k]]`, following the
  /// permutation's cycles (one move per element, no second array).
  static func permute<T>(_ items: inout [T], into order: [Int]) {
    var done = [Bool](repeating: false, count: items.count)
    items.withUnsafeMutableBufferPointer { buffer in
      for start in buffer.indices where !done[start] {
        done[start] = true
        var k = start
        var from = order[k]
        if from == start { continue }
        let held = (buffer.baseAddress! + start).move()
        while from != start {
          (buffer.baseAddress! + k).moveInitialize(from: buffer.baseAddress! + from, count: 1)
          done[from] = true
          k = from
          from = order[k]
        }
        (buffer.baseAddress! + k).initialize(to: held)
      }
    }
  }

  /// How two events from different sources are recognised as one happening.
  enum Match {
    /// Keep the earlier row.
    case keepFirst
    /// Keep the later row.
    case keepSecond
  }

  /// Whether `first` (not later than `second`) and `second` are the same happening, and
  /// which row survives.
  static func match(_ first: TimelineEvent, _ second: TimelineEvent) -> Match? {
    if first.kind == second.kind {
      return unmergedKinds.contains(first.kind) ? nil : .keepFirst
    }
    switch (first.kind, second.kind) {
    case ("metric_crossed", "alert_fired"): return .keepSecond
    case ("action", "deploy"): return .keepSecond
    case ("deploy", "action"): return .keepFirst
    default: return nil
    }
  }

  /// Folds `other` into `kept`: its sources (no duplicates), its evidence, and what it said
  /// when (``TimelineEvent/merged``).
  static func merge(_ other: TimelineEvent, into kept: inout TimelineEvent) {
    kept.merged.append(
      MergedOccurrence(time: other.time, kind: other.kind, source: other.source, event: other.event))
    kept.merged.append(contentsOf: other.merged)
    kept.merged.sort { $0.time < $1.time }
    for source in other.sources where !kept.sources.contains(source) {
      kept.sources.append(source)
    }
    for item in other.evidence where !kept.evidence.contains(item) {
      kept.evidence.append(item)
    }
  }

  static func candidate(_ kind: String) -> Bool { !unmergedKinds.contains(kind) }

  /// The events with rows from different sources that describe the same happening merged.
  ///
  /// Two events within `window` milliseconds are one happening when:
  /// - (a) they have the same kind, other than `error` and `note`, and come from different
  ///   sources (no source in common): the earliest row is kept;
  /// - (b) a `metric_crossed` is followed by an `alert_fired` (the alert is how the crossing
  ///   was seen): the alert row is kept;
  /// - (c) an `action` and a `deploy`: the deploy row is kept.
  ///
  /// The kept row gets the other row's sources appended to ``TimelineEvent/sources`` and its
  /// evidence; the other row is dropped. The result is sorted by time, stable; no source is
  /// ever lost.
  public func deduplicated(window: Int64 = 120_000) -> [TimelineEvent] {
    var copy = self
    copy.deduplicate(window: window)
    return copy.events
  }

  /// Sorts and merges rows that describe the same happening in place: see
  /// ``deduplicated(window:)``.
  public mutating func deduplicate(window: Int64 = 120_000) {
    sort()
    var removed = [Bool](repeating: false, count: events.count)
    var any = false
    // Only rows that can merge are compared; errors and notes are skipped fast.
    let candidates = events.indices.filter { Self.candidate(events[$0].kind) }
    for (n, i) in candidates.enumerated() where !removed[i] {
      var m = n + 1
      while m < candidates.count, !removed[i] {
        let j = candidates[m]
        m += 1
        if removed[j] { continue }
        if events[j].time.milliseconds - events[i].time.milliseconds > window { break }
        // Two rows of one kind from one source are two happenings (two alerts). A crossing
        // and the alert it caused may well carry the same source label.
        if events[i].kind == events[j].kind, events[i].sources.contains(where: events[j].sources.contains) {
          continue
        }
        switch Self.match(events[i], events[j]) {
        case .keepFirst:
          Self.merge(events[j], into: &events[i])
          removed[j] = true
          any = true
        case .keepSecond:
          Self.merge(events[i], into: &events[j])
          removed[i] = true
          any = true
        case nil:
          continue
        }
      }
    }
    if any { Self.compact(&events) { removed[$0] } }
  }

  /// Removes the elements whose index `drop` names, keeping the others in order, in place.
  static func compact<T>(_ items: inout [T], drop: (Int) -> Bool) {
    var write = 0
    for read in items.indices where !drop(read) {
      if read != write { items.swapAt(read, write) }
      write += 1
    }
    items.removeLast(items.count - write)
  }
}
