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
  public var events: [TimelineEvent] {
    didSet { inOrder = false }
  }

  /// Set when the events were last left in time order by this type's own steps (sort,
  /// dedupe, burst collapse), and cleared by any change to `events`: the steps after the
  /// first skip a pass over a million events to find them sorted.
  private var inOrder = false

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
  /// Collectors add each source in order, so the timeline is a few ascending runs. Usually
  /// one source (the application log) is most of it: the other runs, at most a quarter of
  /// the events, are moved aside, merged, and merged back from the end into the longest
  /// run, which is read and written in sequence (``mergeIntoLongestRun(_:runs:)``). Otherwise
  /// the runs are merged (k-way) into an order of indices and the events are moved into
  /// that order in place. No event is copied either way.
  public mutating func sort() {
    if inOrder { return }
    defer { inOrder = true }
    let t = times
    let runs = Self.runStarts(t)
    guard runs.count > 1 else { return }
    if mergeIntoLongestRun(t, runs: runs) { return }
    guard let order = Self.mergeOrder(t, runs: runs) else { return }
    Self.permute(&events, into: order)
  }

  /// Marks the events as still in time order after a step that kept every time and the
  /// order (dedupe, burst collapse).
  mutating func keptInOrder() { inOrder = true }

  /// Where each ascending run of `t` starts.
  static func runStarts(_ t: [Int64]) -> [Int] {
    var starts = [0]
    if t.count > 1 {
      for i in 1..<t.count where t[i] < t[i - 1] { starts.append(i) }
    }
    return starts
  }

  /// Sorts when the runs other than the longest hold at most a quarter of the events;
  /// false (nothing moved) otherwise.
  ///
  /// The other runs are moved into a buffer and merged there (an order of indices), the
  /// longest run is moved to the front, and the two are merged from the back into the
  /// whole array: the longest run is read and written in sequence, as memory likes it,
  /// where following a permutation's cycles jumps across the whole array for every event
  /// (at a million events that was two thirds of the timeline step).
  mutating func mergeIntoLongestRun(_ t: [Int64], runs: [Int]) -> Bool {
    let n = t.count
    var longest = 0
    var longestLength = 0
    for r in runs.indices {
      let end = r + 1 < runs.count ? runs[r + 1] : n
      if end - runs[r] > longestLength {
        longest = r
        longestLength = end - runs[r]
      }
    }
    let rest = n - longestLength
    guard rest * 4 <= n else { return false }
    let ls = runs[longest]  // the longest run is t[ls ..< ls + longestLength]
    // The other events in their original order (before the run, then after it), with their
    // times; q < ls is original index q, q >= ls is original index q + longestLength.
    var restTimes = [Int64](repeating: 0, count: rest)
    for q in 0..<rest { restTimes[q] = t[q < ls ? q : q + longestLength] }
    let restOrder = Self.mergeOrder(restTimes) ?? Array(0..<rest)
    let buffer = UnsafeMutablePointer<TimelineEvent>.allocate(capacity: rest)
    defer { buffer.deallocate() }
    events.withUnsafeMutableBufferPointer { all in
      let base = all.baseAddress!
      buffer.moveInitialize(from: base, count: ls)
      (buffer + ls).moveInitialize(from: base + ls + longestLength, count: rest - ls)
      if ls > 0 { base.moveInitialize(from: base + ls, count: longestLength) }
      // Backward merge: the largest (time, original index) first.
      var a = longestLength - 1
      var b = rest - 1
      var w = n - 1
      while b >= 0 {
        let q = restOrder[b]
        let tb = restTimes[q]
        let ob = q < ls ? q : q + longestLength
        if a >= 0 {
          let ta = t[ls + a]
          if ta > tb || (ta == tb && ls + a > ob) {
            (base + w).moveInitialize(from: base + a, count: 1)
            a -= 1
            w -= 1
            continue
          }
        }
        (base + w).moveInitialize(from: buffer + q, count: 1)
        b -= 1
        w -= 1
      }
    }
    return true
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
  /// Ascending runs are found in one pass (or given: `runs`, where each starts); up to 64
  /// runs are merged with a heap keyed by (time, run), which keeps equal times in their
  /// original order. More runs (an input in no order) fall back to a stable sort of the
  /// indices.
  static func mergeOrder(_ t: [Int64], runs: [Int]? = nil) -> [Int]? {
    let starts = runs ?? runStarts(t)
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

  /// The window of ``deduplicate(window:)`` unless told otherwise, in milliseconds: the
  /// pipeline's `dedupe_window_s` defaults to it.
  public static let defaultDedupeWindow: Int64 = 120_000

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
  public func deduplicated(window: Int64 = Timeline.defaultDedupeWindow) -> [TimelineEvent] {
    var copy = self
    copy.deduplicate(window: window)
    return copy.events
  }

  /// Sorts and merges rows that describe the same happening in place: see
  /// ``deduplicated(window:)``.
  ///
  /// Only rows that can merge take part (not errors or notes), as small numbers: their
  /// time, their kind and their set of sources (a bit set). They are split into streams,
  /// one per kind and starting set of sources, each in time order. A row looks only at the
  /// streams it can merge with: kinds its kind has a rule with, and, for its own kind, the
  /// streams of other sources; it takes their rows within the window in time order. So a
  /// thousand alerts a minute from Alertmanager and PagerDuty cost each alert one look at
  /// the next PagerDuty row, not at every alert in the window.
  public mutating func deduplicate(window: Int64 = Timeline.defaultDedupeWindow) {
    sort()
    defer { keptInOrder() }  // merging keeps each row's time
    var kinds: [String: Int32] = [:]
    var sourceBits: [String: Int] = [:]
    var index: [Int] = []
    var time: [Int64] = []
    var kind: [Int32] = []
    var sourceLists: [[Int]] = []  // each row's source numbers, until the bit sets are made
    events.withUnsafeBufferPointer { rows in
      for i in rows.indices {
        let k = rows[i].kind
        if k == "error" || k == "note" { continue }
        index.append(i)
        time.append(rows[i].time.milliseconds)
        kind.append(Self.number(of: k, in: &kinds))
        sourceLists.append(
          rows[i].sources.map { s in
            if let bit = sourceBits[s] { return bit }
            sourceBits[s] = sourceBits.count
            return sourceBits.count - 1
          })
      }
    }
    guard !index.isEmpty else { return }
    let names = kinds.sorted { $0.value < $1.value }.map(\.key)
    var sources = SourceSets(rows: sourceLists, sourceCount: sourceBits.count)
    sourceLists = []
    let removed = Self.mergeSameHappenings(
      time: time, kind: kind, kindNames: names, sources: &sources, window: window
    ) { keep, drop in
      Self.merge(events[index[drop]], into: &events[index[keep]])
    }
    guard removed.contains(true) else { return }
    var drop = [Bool](repeating: false, count: events.count)
    for x in removed.indices where removed[x] { drop[index[x]] = true }
    Self.compact(&events, filler: .filler) { drop[$0] }
  }

  static func number(of name: String, in numbers: inout [String: Int32]) -> Int32 {
    if let n = numbers[name] { return n }
    numbers[name] = Int32(numbers.count)
    return Int32(numbers.count - 1)
  }

  /// The merge of ``deduplicate(window:)`` on rows given as numbers, in time order:
  /// `merge(keep, drop)` is called for every pair merged, in the order of the rules, and
  /// the rows dropped are returned.
  static func mergeSameHappenings(
    time: [Int64], kind: [Int32], kindNames: [String], sources: inout SourceSets, window: Int64,
    merge: (_ keep: Int, _ drop: Int) -> Void
  ) -> [Bool] {
    let n = time.count
    let kindCount = kindNames.count
    // rule[a * kindCount + b]: what a row of kind a followed by one of kind b does.
    var rule = [Match?](repeating: nil, count: kindCount * kindCount)
    for a in 0..<kindCount {
      for b in 0..<kindCount { rule[a * kindCount + b] = match(kind: kindNames[a], kindNames[b]) }
    }
    // Streams: rows of one kind and one starting set of sources, in time order.
    struct StreamKey: Hashable {
      let kind: Int32
      let sources: UInt64  // the first 64 sources
      let more: [UInt64]  // the others, when there are more (rare: no array otherwise)
    }
    var streamOf: [StreamKey: Int] = [:]
    var streamKind: [Int32] = []
    var streamSources: [[UInt64]] = []
    var rows: [[Int]] = []
    for x in 0..<n {
      let key = StreamKey(
        kind: kind[x], sources: sources.bits[x * sources.words],
        more: sources.words > 1 ? Array(sources.words(of: x).dropFirst()) : [])
      if let s = streamOf[key] {
        rows[s].append(x)
      } else {
        streamOf[key] = rows.count
        streamKind.append(key.kind)
        streamSources.append(sources.words(of: x))
        rows.append([x])
      }
    }
    // The streams a row of each kind may merge with.
    let partners: [[Int]] = (0..<kindCount).map { a in
      rows.indices.filter { rule[a * kindCount + Int(streamKind[$0])] != nil }
    }
    var removed = [Bool](repeating: false, count: n)
    var cursor = [Int](repeating: 0, count: rows.count)  // first row after the current x
    var active: [Int] = []  // streams x is looking at
    var next: [Int] = []  // and the next row to take from each
    /// Drops active stream `k` (order among the active streams does not matter).
    func stopLooking(at k: Int) {
      active.swapAt(k, active.count - 1)
      next.swapAt(k, next.count - 1)
      active.removeLast()
      next.removeLast()
    }
    for x in 0..<n where !removed[x] {
      let a = Int(kind[x])
      active.removeAll(keepingCapacity: true)
      next.removeAll(keepingCapacity: true)
      for s in partners[a] {
        // A row never merges with a row of its own kind that shares a source.
        if streamKind[s] == kind[x], sources.intersects(x, streamSources[s]) { continue }
        var c = cursor[s]
        let list = rows[s]
        while c < list.count, list[c] <= x || removed[list[c]] { c += 1 }
        cursor[s] = c
        if c < list.count, time[list[c]] - time[x] <= window {
          active.append(s)
          next.append(c)
        }
      }
      // Take the rows of the active streams in time order, as one list.
      while !removed[x], !active.isEmpty {
        var best = -1
        var y = Int.max
        var k = 0
        while k < active.count {
          let list = rows[active[k]]
          var c = next[k]
          while c < list.count, removed[list[c]] { c += 1 }
          next[k] = c
          if c == list.count || time[list[c]] - time[x] > window {
            stopLooking(at: k)
            continue
          }
          if list[c] < y {
            y = list[c]
            best = k
          }
          k += 1
        }
        guard best >= 0 else { break }
        next[best] += 1
        let b = Int(kind[y])
        if a == b, sources.intersects(x, y) { continue }
        switch rule[a * kindCount + b]! {
        case .keepFirst:
          merge(x, y)
          removed[y] = true
          sources.add(y, to: x)
          // Streams of this kind that share a source with x now have nothing for it.
          var k = 0
          while k < active.count {
            if streamKind[active[k]] == kind[x], sources.intersects(x, streamSources[active[k]]) {
              stopLooking(at: k)
            } else {
              k += 1
            }
          }
        case .keepSecond:
          merge(y, x)
          removed[x] = true
          sources.add(x, to: y)
        }
      }
    }
    return removed
  }
}

/// Each row's set of sources as bits: `words` 64-bit words per row, one bit per source.
struct SourceSets {
  let words: Int
  var bits: [UInt64]

  init(rows: [[Int]], sourceCount: Int) {
    words = max(1, (sourceCount + 63) / 64)
    bits = [UInt64](repeating: 0, count: rows.count * words)
    for (row, list) in rows.enumerated() {
      for s in list { bits[row * words + s / 64] |= 1 << UInt64(s % 64) }
    }
  }

  func words(of row: Int) -> [UInt64] { Array(bits[(row * words)..<((row + 1) * words)]) }

  func intersects(_ a: Int, _ b: Int) -> Bool {
    for w in 0..<words where bits[a * words + w] & bits[b * words + w] != 0 { return true }
    return false
  }

  func intersects(_ a: Int, _ set: [UInt64]) -> Bool {
    for w in 0..<words where bits[a * words + w] & set[w] != 0 { return true }
    return false
  }

  /// Row `to` gets the sources of row `from` too.
  mutating func add(_ from: Int, to: Int) {
    for w in 0..<words { bits[to * words + w] |= bits[from * words + w] }
  }
}

extension Timeline {
  /// Removes the elements whose index `drop` names, keeping the others in order, in place.
  /// No element is copied or retained.
  ///
  /// When most are dropped (a burst collapse), the kept ones are swapped forward and the
  /// dropped ones destroyed at the end. When few are (a dedupe), the dropped ones are
  /// destroyed where they are, each run of kept ones moves down in one block, and the few
  /// freed slots at the end are refilled with `filler` (a value that owns nothing) before
  /// the array shrinks: at a million rows, moving blocks instead of swapping every row
  /// after the first dropped one halved the time.
  static func compact<T>(_ items: inout [T], filler: T, drop: (Int) -> Bool) {
    let n = items.count
    var dropped = 0
    for i in 0..<n where drop(i) { dropped += 1 }
    guard dropped > 0 else { return }
    var write = 0
    items.withUnsafeMutableBufferPointer { buffer in
      if dropped * 2 > n {
        for read in buffer.indices where !drop(read) {
          if read != write { buffer.swapAt(read, write) }
          write += 1
        }
        return
      }
      let base = buffer.baseAddress!
      var read = 0
      while read < n {
        if drop(read) {
          (base + read).deinitialize(count: 1)
          read += 1
          continue
        }
        var end = read + 1
        while end < n, !drop(end) { end += 1 }
        if write != read { (base + write).moveInitialize(from: base + read, count: end - read) }
        write += end - read
        read = end
      }
      (base + write).initialize(repeating: filler, count: n - write)
    }
    items.removeLast(n - write)
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
