/// Why a time string could not be parsed.
///
/// ```swift
/// do { _ = try TimeParser.parseRFC3339("2025-13-01T00:00:00Z") }
/// catch { print(error) }  // month 13 out of range in '2025-13-01T00:00:00Z'
/// ```
public struct TimeParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What was wrong, without the input: `day 30 out of range for February 2025`.
  public var reason: String
  /// The text that failed to parse.
  public var input: String
  /// The format that was expected.
  public var format: TimeFormat

  /// An error for `input` in `format`.
  public init(reason: String, input: String, format: TimeFormat) {
    self.reason = reason
    self.input = input
    self.format = format
  }

  /// `month 13 out of range in '2025-13-01T00:00:00Z'`
  public var description: String { "\(reason) in '\(input)'" }
}
