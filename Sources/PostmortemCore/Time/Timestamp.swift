/// A point in time: milliseconds since the Unix epoch, UTC.
///
/// Times in the model are always UTC with millisecond precision. In JSON a timestamp is an
/// RFC 3339 string with exactly three fraction digits:
///
/// ```swift
/// let t = Timestamp(milliseconds: 1_739_095_523_000)
/// t.formatted(.rfc3339)  // "2025-02-09T10:05:23.000Z"
/// t.formatted(.clock)    // "10:05:23"
/// ```
public struct Timestamp: Comparable, Hashable, Sendable, Codable {
  /// Milliseconds since 1970-01-01T00:00:00Z (negative before it).
  public var milliseconds: Int64

  /// A timestamp `milliseconds` after the Unix epoch.
  public init(milliseconds: Int64) {
    self.milliseconds = milliseconds
  }

  /// A timestamp from Unix seconds, rounded to the nearest millisecond.
  ///
  /// `seconds` must be finite and within ±9.2e15; use ``init(checkedSeconds:)`` for values
  /// that come from users or plugins.
  public init(seconds: Double) {
    self.milliseconds = Int64((seconds * 1000).rounded())
  }

  /// A timestamp from Unix seconds, or `nil` when `seconds` is not finite or outside
  /// ``modelRange``.
  ///
  /// ```swift
  /// Timestamp(checkedSeconds: .nan)  // nil
  /// Timestamp(checkedSeconds: 253_402_300_800)  // nil: 10000-01-01
  /// ```
  public init?(checkedSeconds seconds: Double) {
    let ms = (seconds * 1000).rounded()
    guard ms.isFinite, let value = Int64(exactly: ms) else { return nil }
    guard let checked = Timestamp(milliseconds: value).inModelRange else { return nil }
    self = checked
  }

  /// The times the model holds: the years 0001 to 9999, which RFC 3339 (and so report.json,
  /// Markdown, HTML and the checks) can write. Every time that enters the model from input
  /// (the time parsers, numbers from plugins, incident files) is checked against it here.
  public static let modelRange =
    Timestamp(milliseconds: -62_135_596_800_000)...Timestamp(milliseconds: 253_402_300_799_999)

  /// `0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999Z`, for messages.
  public static let modelRangeText = "0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999Z"

  /// This time when it is inside ``modelRange``, else `nil`.
  public var inModelRange: Timestamp? { Self.modelRange.contains(self) ? self : nil }

  /// Unix seconds as a float with millisecond precision (the Lua representation).
  public var seconds: Double {
    Double(milliseconds) / 1000
  }

  /// This time plus `milliseconds`.
  public func adding(milliseconds delta: Int64) -> Timestamp {
    Timestamp(milliseconds: milliseconds + delta)
  }

  /// Whole seconds from `other` to `self`, truncated toward zero (negative when `self` is
  /// earlier).
  public func seconds(since other: Timestamp) -> Int64 {
    (milliseconds - other.milliseconds) / 1000
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.milliseconds < rhs.milliseconds
  }

  /// Decodes an RFC 3339 string (any offset, 0-9 fraction digits).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    do {
      self = try TimeParser.parseRFC3339(text)
    } catch {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: error.description)
    }
  }

  /// Encodes as `2025-02-09T10:05:23.000Z`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(formatted(.rfc3339))
  }
}

extension Timestamp: CustomStringConvertible {
  /// The RFC 3339 form, `2025-02-09T10:05:23.000Z`.
  public var description: String { formatted(.rfc3339) }
}
