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

  /// Repeated strings shared by the events ``add(_:)`` takes: one copy of each source label,
  /// kind, group, actor and repeated event text, and one `[source]` array per source.
  private var strings = StringPool()

  /// Kinds that never merge as "the same kind": every error or note is its own row.
  public static let unmergedKinds: Set<String> = ["error", "note"]

  /// A timeline holding `events`.
  public init(_ events: [TimelineEvent] = []) {
    self.events = events
  }

  public static func == (a: Timeline, b: Timeline) -> Bool { a.events == b.events }

  /// Appends an event. Its repeated strings (source, kind, group, actor, text) are shared
  /// with earlier events: a million log lines hold a few copies of each, not a million.
  public mutating func add(_ event: TimelineEvent) {
    var e = event
    strings.share(&e)
    events.append(e)
  }

  /// Appends events.
  public mutating func add(contentsOf more: some Sequence<TimelineEvent>) {
    for e in more { add(e) }
  }

  /// The number of events.
  public var count: Int { events.count }

  /// Sorts by time; events at the same time keep their order (stable).
  ///
  /// Collectors add each source in order, so the timeline is a few ascending runs: the
  /// runs are merged (k-way) into an order of indices, and the events are moved into that
  /// order in place. No event is copied.
  public mutating func sort() {
    guard let order = Self.mergeOrder(times) else { return }
    Self.permute(&events, into: order)
  }

  /// Every event's time in ms, read in place.
  var times: [Int64] {
    events.withUnsafeBufferPointer { buffer in
      [Int64](unsafeUninitializedCapacity: buffer.count) { out, count in
        for i in buffer.indices { out[i] = buffer[i].time.milliseconds }
        count = buffer.count
      }
    }
  }

  static func stableSorted(_ events: [TimelineEvent]) -> [TimelineEvent] {
    var copy = events
    guard let order = mergeOrder(Timeline(events).times) else { return copy }
    permute(&copy, into: order)
    return copy
  }

  /// The stable sorted order of `times` (indices), or nil when already sorted.
  ///
  /// Ascending runs are found in one pass; up to 64 runs are merged with a heap keyed by
  /// (time, run), which keeps equal times in their original order. More runs (an input in
  /// no order) fall back to a stable sort of the indices.
  static func mergeOrder(_ t: [Int64]) -> [Int]? {
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
    match(kind: first.kind, second.kind)
  }

  /// ``match(_:_:)`` by the rows' kinds.
  static func match(kind first: String, _ second: String) -> Match? {
    if first == second {
      return unmergedKinds.contains(first) ? nil : .keepFirst
    }
    switch (first, second) {
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
    // The rows that can merge (not errors or notes), with their time, their kind and their
    // only source as small numbers: the pairs inside the window are compared on these, and
    // events are touched only when two rows merge.
    var kinds: [String: Int32] = [:]
    var sourceCodes: [String: Int32] = [:]
    var index: [Int] = []
    var time: [Int64] = []
    var kind: [Int32] = []
    var source: [Int32] = []  // -1: more than one source (compare the lists)
    events.withUnsafeBufferPointer { rows in
      for i in rows.indices {
        let k = rows[i].kind
        if k == "error" || k == "note" { continue }
        index.append(i)
        time.append(rows[i].time.milliseconds)
        kind.append(
          kinds[k]
            ?? {
              kinds[k] = Int32(kinds.count)
              return Int32(kinds.count - 1)
            }())
        let sources = rows[i].sources
        if sources.count == 1 {
          let s = sources[0]
          source.append(
            sourceCodes[s]
              ?? {
                sourceCodes[s] = Int32(sourceCodes.count)
                return Int32(sourceCodes.count - 1)
              }())
        } else {
          source.append(-1)
        }
      }
    }
    guard !index.isEmpty else { return }
    // rule[a * kindCount + b]: what a row of kind a followed by one of kind b does.
    let names = kinds.sorted { $0.value < $1.value }.map(\.key)
    let kindCount = names.count
    var rule = [Match?](repeating: nil, count: kindCount * kindCount)
    for a in 0..<kindCount {
      for b in 0..<kindCount { rule[a * kindCount + b] = Self.match(kind: names[a], names[b]) }
    }
    let n = index.count
    var removed = [Bool](repeating: false, count: n)
    var any = false
    for x in 0..<n where !removed[x] {
      var y = x + 1
      while y < n, !removed[x] {
        defer { y += 1 }
        if removed[y] { continue }
        if time[y] - time[x] > window { break }
        guard let match = rule[Int(kind[x]) * kindCount + Int(kind[y])] else { continue }
        // Two rows of one kind from one source are two happenings (two alerts). A crossing
        // and the alert it caused may well carry the same source label.
        if kind[x] == kind[y] {
          if source[x] >= 0 && source[y] >= 0 {
            if source[x] == source[y] { continue }
          } else if events[index[x]].sources.contains(where: events[index[y]].sources.contains) {
            continue
          }
        }
        let i = index[x]
        let j = index[y]
        switch match {
        case .keepFirst:
          Self.merge(events[j], into: &events[i])
          removed[y] = true
          source[x] = -1
        case .keepSecond:
          Self.merge(events[i], into: &events[j])
          removed[x] = true
          source[y] = -1
        }
        any = true
      }
    }
    guard any else { return }
    var drop = [Bool](repeating: false, count: events.count)
    for x in 0..<n where removed[x] { drop[index[x]] = true }
    Self.compact(&events) { drop[$0] }
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

/// One shared copy of each repeated string (see ``Timeline/add(_:)``). Strings of up to 15
/// bytes are stored inside the `String` value and need no sharing. At most `limit` distinct
/// strings are kept; later ones are shared only when already known.
struct StringPool: Sendable {
  private var pool: Set<String> = []
  private var singles: [String: [String]] = [:]
  static let limit = 65_536

  mutating func shared(_ s: String) -> String {
    if s.utf8.count <= 15 { return s }
    if pool.count >= Self.limit {
      if let i = pool.firstIndex(of: s) { return pool[i] }
      return s
    }
    return pool.insert(s).memberAfterInsert
  }

  mutating func share(_ e: inout TimelineEvent) {
    e.source = shared(e.source)
    e.kind = shared(e.kind)
    e.event = shared(e.event)
    if let g = e.group { e.group = shared(g) }
    if let a = e.actor { e.actor = shared(a) }
    if e.sources.count == 1, e.sources[0] == e.source {
      if let one = singles[e.source] {
        e.sources = one
      } else {
        e.sources = [e.source]
        singles[e.source] = e.sources
      }
    }
  }
}
