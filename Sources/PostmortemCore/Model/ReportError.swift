/// A report.json that could not be read, with the place and what was wrong.
///
/// ```swift
/// do { _ = try Report.decode(data) } catch { print(error) }
/// // report.json: timeline[3].time: not an RFC 3339 time (month 13 out of range in '2025-13-01T00:00:00Z')
/// ```
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The full message.
  public var message: String

  /// An error with `message`.
  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
