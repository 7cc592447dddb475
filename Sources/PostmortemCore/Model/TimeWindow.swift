/// A span of time, `start` to `end` (JSON `{start, end}`).
///
/// ```swift
/// TimeWindow(start: incident.startedAt, end: incident.endedAt).contains(t)
/// ```
public struct TimeWindow: Codable, Sendable, Equatable, Hashable {
  /// First instant.
  public var start: Timestamp
  /// Last instant.
  public var end: Timestamp

  /// A window.
  public init(start: Timestamp, end: Timestamp) {
    self.start = start
    self.end = end
  }

  /// Why this window cannot be one (its end before its start), or nil: the one rule for a
  /// gap's window, whether a plugin gives it or a saved report.json holds it.
  public var problem: String? {
    end < start
      ? "field 'window.end' (\(end.formatted(.rfc3339))) is before 'window.start' (\(start.formatted(.rfc3339)))"
      : nil
  }

  /// Whether `time` lies in `start...end`.
  public func contains(_ time: Timestamp) -> Bool { start <= time && time <= end }
}
