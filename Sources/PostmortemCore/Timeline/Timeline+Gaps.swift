/// Silences: spans in which a source that reports continuously said nothing.
extension Timeline {
  /// The spans inside `window` longer than `minGap` milliseconds in which `source` has no
  /// event, including before its first and after its last one. A row stands for its
  /// source from its time to its ``TimelineEvent/last`` time (a collapsed burst), and an
  /// occurrence folded into another row counts at its own time.
  ///
  /// Only meaningful for a source that reports continuously (a heartbeat, a full access
  /// log, a metric): a collector that keeps only errors is silent whenever nothing fails.
  ///
  /// ```swift
  /// timeline.silences(of: "app logs", in: incidentWindow, minGap: 600_000)
  /// // [TimeWindow(start: 10:20:00, end: 11:40:00)]
  /// ```
  public func silences(of source: String, in window: TimeWindow, minGap: Int64) -> [TimeWindow] {
    var spans: [(Int64, Int64)] = []
    for row in events {
      if row.source == source {
        spans.append((row.time.milliseconds, (row.last ?? row.time).milliseconds))
      }
      for m in row.merged where m.source == source {
        spans.append((m.time.milliseconds, m.time.milliseconds))
      }
    }
    return Self.silences(spans: spans, in: window, minGap: minGap)
  }

  /// Silences between covered `spans` (start, end in ms) inside `window`.
  public static func silences(spans: [(Int64, Int64)], in window: TimeWindow, minGap: Int64)
    -> [TimeWindow]
  {
    let sorted = spans.sorted { $0.0 < $1.0 }
    var result: [TimeWindow] = []
    var covered = window.start.milliseconds
    func close(_ until: Int64) {
      let end = min(until, window.end.milliseconds)
      if end - covered >= minGap, end > covered {
        result.append(
          TimeWindow(start: Timestamp(milliseconds: covered), end: Timestamp(milliseconds: end)))
      }
    }
    for (start, end) in sorted {
      if start > covered { close(start) }
      covered = max(covered, end)
      if covered >= window.end.milliseconds { return result }
    }
    close(window.end.milliseconds)
    return result
  }
}
