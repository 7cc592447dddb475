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

  /// Whether `time` lies in `start...end`.
  public func contains(_ time: Timestamp) -> Bool { start <= time && time <= end }
}
