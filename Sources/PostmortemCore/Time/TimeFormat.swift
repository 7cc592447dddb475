/// The time formats ``TimeParser`` understands (the `format` argument of `pm.time.parse`).
public enum TimeFormat: String, Sendable, CaseIterable, Codable {
  /// `2025-02-09T10:05:23.123456Z`, `2025-02-09 10:05:23+01:00`
  case rfc3339
  /// nginx `$time_local`: `10/Feb/2025:10:05:23 +0100`
  case nginx
  /// Unix seconds as a decimal string: `1739096325.001200`
  case unix
}
