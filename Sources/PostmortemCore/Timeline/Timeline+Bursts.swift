/// Burst collapse: thousands of repeated errors become one row with a count.
extension Timeline {
  struct BurstKey: Hashable {
    let source: String
    let group: String
  }

  /// Folds runs of events with the same source and `group` that follow each other within
  /// `gap` milliseconds into the run's first row, when a run has at least `minCount`
  /// events. Events without a group are never folded.
  ///
  /// The folded row keeps the first event's time, sources, fields and evidence; its
  /// ``TimelineEvent/count`` is the sum of the run's counts (no event is lost) and
  /// ``TimelineEvent/last`` the run's last time. Its text is the first event's when every
  /// event said the same, else `title` with `%s` replaced by the group ("First %s appear").
  /// Its evidence is "first .. last" (the first reference of the first and last event).
  /// Works in place on the sorted timeline; returns the number of rows removed.
  ///
  /// ```swift
  /// timeline.collapseBursts(gap: 300_000, minCount: 2, title: "First %s appear")
  /// ```
  @discardableResult
  public mutating func collapseBursts(gap: Int64, minCount: Int, title: String)
    -> Int
  {
    sort()
    defer { keptInOrder() }
    let n = events.count
    var runOf = [Int32](repeating: -1, count: n)
    var head: [Int] = []
    var tail: [Int] = []
    var size: [Int] = []
    var total: [Int] = []
    var lastTime: [Int64] = []
    var sameText: [Bool] = []
    var sameActor: [Bool] = []
    var open: [BurstKey: Int] = [:]
    // Most neighbours share source and group: a one-entry cache spares the hashing.
    var cachedSource = ""
    var cachedGroup = ""
    var cachedRun = -1
    for i in 0..<n {
      guard let group = events[i].group else { continue }
      let source = events[i].source
      var run: Int
      if cachedRun >= 0, source == cachedSource, group == cachedGroup {
        run = cachedRun
      } else {
        run = open[BurstKey(source: source, group: group)] ?? -1
      }
      let time = events[i].time.milliseconds
      if run >= 0, time - lastTime[run] <= gap {
        size[run] += 1
        total[run] += events[i].count
        lastTime[run] = events[i].last?.milliseconds ?? time
        tail[run] = i
        let first = head[run]
        if sameText[run], events[i].event != events[first].event { sameText[run] = false }
        if sameActor[run], events[i].actor != events[first].actor { sameActor[run] = false }
      } else {
        run = head.count
        head.append(i)
        tail.append(i)
        size.append(1)
        total.append(events[i].count)
        lastTime.append(events[i].last?.milliseconds ?? time)
        sameText.append(true)
        sameActor.append(true)
        open[BurstKey(source: source, group: group)] = run
      }
      runOf[i] = Int32(run)
      cachedSource = source
      cachedGroup = group
      cachedRun = run
    }
    var removed = 0
    for run in head.indices where size[run] >= minCount {
      let first = head[run]
      let last = tail[run]
      let firstEvidence = events[first].evidence.first
      let lastEvidence = events[last].evidence.first
      events[first].count = total[run]
      events[first].last = Timestamp(milliseconds: lastTime[run])
      if !sameText[run] { events[first].event = Self.title(title, group: events[first].group ?? "") }
      if !sameActor[run] { events[first].actor = nil }
      if let a = firstEvidence, let b = lastEvidence, a != b {
        events[first].evidence = ["\(a) .. \(b)"]
      } else if firstEvidence == nil, let b = lastEvidence {
        events[first].evidence = [b]
      }
      removed += size[run] - 1
    }
    if removed > 0 {
      Self.compact(&events, filler: .filler) { i in
        let run = Int(runOf[i])
        return run >= 0 && size[run] >= minCount && head[run] != i
      }
    }
    return removed
  }

  /// `title` with `%s` replaced by `group` and `%%` by `%`.
  static func title(_ title: String, group: String) -> String {
    var out = ""
    var chars = title.makeIterator()
    var replaced = false
    while let c = chars.next() {
      guard c == "%" else {
        out.append(c)
        continue
      }
      switch chars.next() {
      case "s" where !replaced:
        out += group
        replaced = true
      case "%": out.append("%")
      case let other?:
        out.append("%")
        out.append(other)
      case nil: out.append("%")
      }
    }
    return out
  }
}
