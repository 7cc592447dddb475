/// Parses the time formats found in incident data into ``Timestamp``s.
///
/// The parsers work on UTF-8 bytes and allocate nothing on success or on a `nil` result, so
/// they can run once per log line. Each format has a convenience that returns `nil` and a
/// throwing variant whose ``TimeParseError`` says what was wrong:
///
/// ```swift
/// TimeParser.rfc3339("2025-02-09T10:05:23.5+01:00")     // 09:05:23.500Z
/// TimeParser.nginx("10/Feb/2025:10:05:23 +0100")        // 09:05:23.000Z
/// TimeParser.unixSeconds("1739096325.001200")           // ...325.001, exactly
/// try TimeParser.parseRFC3339("2025-02-30T10:00:00Z")   // throws: day 30 out of range for February 2025
/// ```
public enum TimeParser {
  // MARK: Convenience (nil on failure)

  /// An RFC 3339 time, or `nil`. See ``parseRFC3339(_:)`` for the accepted syntax.
  public static func rfc3339(_ text: some StringProtocol) -> Timestamp? {
    try? scan(text) { RFC3339Scanner.scan($0) }.get()
  }

  /// An nginx `$time_local` time, or `nil`. See ``parseNginx(_:)``.
  public static func nginx(_ text: some StringProtocol) -> Timestamp? {
    try? scan(text) { NginxScanner.scan($0) }.get()
  }

  /// Unix seconds from a decimal string, or `nil`. See ``parseUnixSeconds(_:)``.
  public static func unixSeconds(_ text: some StringProtocol) -> Timestamp? {
    try? scan(text) { UnixScanner.scan($0) }.get()
  }

  /// A time in `format`, or `nil`.
  public static func parse(_ text: some StringProtocol, format: TimeFormat) -> Timestamp? {
    switch format {
    case .rfc3339: return rfc3339(text)
    case .nginx: return nginx(text)
    case .unix: return unixSeconds(text)
    }
  }

  // MARK: Throwing

  /// Parses `YYYY-MM-DD(T|t| )hh:mm:ss[.fraction](Z|z|±hh:mm|±hhmm)`.
  ///
  /// - The fraction may have any number of digits; it is truncated to milliseconds.
  /// - Ranges are checked, including the days of each month in leap and common years.
  /// - A leap second (`23:59:60`) is accepted and read as `:59.999`, the last millisecond
  ///   of that minute, so that order with neighbouring times is kept.
  /// - The offset is required: a time without one is ambiguous.
  public static func parseRFC3339(_ text: some StringProtocol) throws(TimeParseError) -> Timestamp {
    try check(text, .rfc3339) { RFC3339Scanner.scan($0) }
  }

  /// Parses nginx `$time_local`: `DD/Mon/YYYY:hh:mm:ss ±hhmm` with English month
  /// abbreviations (`Jan` ... `Dec`, any letter case). `±hh:mm` is also accepted.
  public static func parseNginx(_ text: some StringProtocol) throws(TimeParseError) -> Timestamp {
    try check(text, .nginx) { NginxScanner.scan($0) }
  }

  /// Parses Unix seconds written as a decimal string (`"1739096325"`,
  /// `"1739096325.001200"`, `"-1.5"`), exactly: the integer and fraction digits are read
  /// separately, never through a `Double`. The fraction is truncated to milliseconds.
  public static func parseUnixSeconds(_ text: some StringProtocol) throws(TimeParseError)
    -> Timestamp
  {
    try check(text, .unix) { UnixScanner.scan($0) }
  }

  /// Parses `text` in `format`, throwing a ``TimeParseError`` that says what was wrong.
  public static func parse(_ text: some StringProtocol, format: TimeFormat) throws(TimeParseError)
    -> Timestamp
  {
    switch format {
    case .rfc3339: return try parseRFC3339(text)
    case .nginx: return try parseNginx(text)
    case .unix: return try parseUnixSeconds(text)
    }
  }

  // MARK: Plumbing

  private static func check(
    _ text: some StringProtocol, _ format: TimeFormat,
    _ body: (UnsafeBufferPointer<UInt8>) -> Result<Timestamp, ScanFailure>
  ) throws(TimeParseError) -> Timestamp {
    switch scan(text, body) {
    case .success(let t): return t
    case .failure(let f):
      throw TimeParseError(reason: f.reason, input: String(text), format: format)
    }
  }

  /// Runs a scanner and refuses times outside ``Timestamp/modelRange``.
  @inline(__always)
  private static func scan(
    _ text: some StringProtocol, _ body: (UnsafeBufferPointer<UInt8>) -> Result<Timestamp, ScanFailure>
  ) -> Result<Timestamp, ScanFailure> {
    withBytes(text, body).flatMap { $0.inModelRange.map { .success($0) } ?? .failure(.outsideYears) }
  }

  @inline(__always)
  private static func withBytes<R>(
    _ text: some StringProtocol, _ body: (UnsafeBufferPointer<UInt8>) -> R
  ) -> R {
    if let r = text.utf8.withContiguousStorageIfAvailable(body) { return r }
    var copy = String(text)
    return copy.withUTF8(body)
  }
}

/// What a scanner found wrong; rendered into text only when an error is thrown.
enum ScanFailure: Error {
  case empty
  case expected(StaticString, at: Int)
  case outOfRange(StaticString, Int64)
  case dayOutOfRange(day: Int64, month: Int64, year: Int64)
  case trailing(at: Int)
  case tooLarge
  case outsideYears

  var reason: String {
    switch self {
    case .empty: return "empty time"
    case .expected(let what, let at): return "expected \(what) at character \(at + 1)"
    case .outOfRange(let field, let value): return "\(field) \(value) out of range"
    case .dayOutOfRange(let day, let month, let year):
      return "day \(day) out of range for \(CivilDate.monthNames[Int(month) - 1]) \(year)"
    case .trailing(let at): return "unexpected text after the time at character \(at + 1)"
    case .tooLarge: return "time out of range"
    case .outsideYears: return "time outside the years 0001 to 9999 (\(Timestamp.modelRangeText))"
    }
  }
}

/// A cursor over UTF-8 bytes with the small helpers the scanners share.
struct ByteCursor {
  let bytes: UnsafeBufferPointer<UInt8>
  var index = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  var atEnd: Bool { index >= bytes.count }
  var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

  /// Reads exactly `count` ASCII digits.
  mutating func digits(_ count: Int, _ what: StaticString) throws(ScanFailure) -> Int64 {
    var value: Int64 = 0
    for k in 0..<count {
      guard index + k < bytes.count else { throw .expected(what, at: index + k) }
      let d = bytes[index + k] &- 48
      guard d < 10 else { throw .expected(what, at: index + k) }
      value = value * 10 + Int64(d)
    }
    index += count
    return value
  }

  /// Consumes `byte` or fails with "expected `what`".
  mutating func expect(_ byte: UInt8, _ what: StaticString) throws(ScanFailure) {
    guard peek == byte else { throw .expected(what, at: index) }
    index += 1
  }

  /// Reads `±hh:mm` or `±hhmm` and returns the offset in milliseconds.
  mutating func numericOffset() throws(ScanFailure) -> Int64 {
    let sign: Int64
    switch peek {
    case UInt8(ascii: "+"): sign = 1
    case UInt8(ascii: "-"): sign = -1
    default: throw .expected("a UTC offset (Z, +hh:mm or -hh:mm)", at: index)
    }
    index += 1
    let hours = try digits(2, "a 2-digit offset hour")
    if peek == UInt8(ascii: ":") { index += 1 }
    let minutes = try digits(2, "a 2-digit offset minute")
    guard hours <= 23 else { throw .outOfRange("offset hour", hours) }
    guard minutes <= 59 else { throw .outOfRange("offset minute", minutes) }
    return sign * (hours * 3600 + minutes * 60) * 1000
  }

  /// Fails when bytes are left over.
  func end() throws(ScanFailure) {
    guard atEnd else { throw .trailing(at: index) }
  }
}

/// Combines validated civil fields into milliseconds since the epoch.
@inline(__always)
func makeMilliseconds(
  year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64,
  millisecond: Int64, offset: Int64
) -> Int64 {
  let days = CivilDate.days(year: year, month: month, day: day)
  return days * CivilDate.millisecondsPerDay + ((hour * 60 + minute) * 60 + second) * 1000
    + millisecond - offset
}

/// Checks month and day, in that order, so the message names the first wrong field.
@inline(__always)
func validateDate(year: Int64, month: Int64, day: Int64) throws(ScanFailure) {
  guard (1...12).contains(month) else { throw .outOfRange("month", month) }
  guard day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else {
    throw .dayOutOfRange(day: day, month: month, year: year)
  }
}

/// Checks a time of day (second 60, a leap second, is allowed).
@inline(__always)
func validateClock(hour: Int64, minute: Int64, second: Int64) throws(ScanFailure) {
  guard hour <= 23 else { throw .outOfRange("hour", hour) }
  guard minute <= 59 else { throw .outOfRange("minute", minute) }
  guard second <= 60 else { throw .outOfRange("second", second) }
}
