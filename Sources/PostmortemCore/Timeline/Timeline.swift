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
  public mutating func sort() {
    events = Self.stableSorted(events)
  }

  static func stableSorted(_ events: [TimelineEvent]) -> [TimelineEvent] {
    events.enumerated()
      .sorted { a, b in
        a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
      }
      .map(\.element)
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
    var rows = Self.stableSorted(events)
    var removed = [Bool](repeating: false, count: rows.count)
    // Only rows that can merge are compared; errors and notes are skipped fast.
    let candidates = rows.indices.filter { Self.candidate(rows[$0].kind) }
    for (n, i) in candidates.enumerated() where !removed[i] {
      var m = n + 1
      while m < candidates.count, !removed[i] {
        let j = candidates[m]
        m += 1
        if removed[j] { continue }
        if rows[j].time.milliseconds - rows[i].time.milliseconds > window { break }
        // Two rows of one kind from one source are two happenings (two alerts). A crossing
        // and the alert it caused may well carry the same source label.
        if rows[i].kind == rows[j].kind, rows[i].sources.contains(where: rows[j].sources.contains) {
          continue
        }
        switch Self.match(rows[i], rows[j]) {
        case .keepFirst:
          Self.merge(rows[j], into: &rows[i])
          removed[j] = true
        case .keepSecond:
          Self.merge(rows[i], into: &rows[j])
          removed[i] = true
        case nil:
          continue
        }
      }
    }
    return rows.indices.compactMap { removed[$0] ? nil : rows[$0] }
  }

  /// Replaces the events with ``deduplicated(window:)``.
  public mutating func deduplicate(window: Int64 = 120_000) {
    events = deduplicated(window: window)
  }
}
