import Testing

@testable import PostmortemCore

/// 2025-02-09T10:05:23Z
let base: Int64 = 1_739_095_523_000

@Suite struct RFC3339Tests {
  @Test(arguments: [
    ("2025-02-09T10:05:23Z", base),
    ("2025-02-09T10:05:23.123Z", base + 123),
    ("2025-02-09T10:05:23.123456Z", base + 123),
    ("2025-02-09T10:05:23.123456789Z", base + 123),
    ("2025-02-09T10:05:23.9Z", base + 900),
    ("2025-02-09T10:05:23.999999999Z", base + 999),
    ("2025-02-09t10:05:23z", base),
    ("2025-02-09 10:05:23Z", base),
    ("2025-02-09T15:35:23+05:30", base),
    ("2025-02-09T02:05:23-08:00", base),
    ("2025-02-09T02:05:23-0800", base),
    ("2025-02-09T11:05:23.500+01:00", base + 500),
    ("2025-02-08T23:59:59.999-10:05", 1_739_095_499_999),
    ("1970-01-01T00:00:00Z", 0),
    ("1969-12-31T23:59:59.999Z", -1),
    ("0001-01-01T00:00:00Z", -62_135_596_800_000),
    ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
    ("2024-02-29T00:00:00Z", 1_709_164_800_000),
    ("2000-02-29T00:00:00Z", 951_782_400_000),
  ])
  func parsesValidTimes(text: String, expected: Int64) throws {
    #expect(TimeParser.rfc3339(text)?.milliseconds == expected)
    #expect(try TimeParser.parseRFC3339(text).milliseconds == expected)
    #expect(TimeParser.parse(text, format: .rfc3339)?.milliseconds == expected)
  }

  @Test func parsesSubstrings() {
    let line = "2025-02-09T10:05:23.123456Z GET /api 500"
    let prefix = line.prefix(27)
    #expect(TimeParser.rfc3339(prefix)?.milliseconds == base + 123)
  }

  @Test func leapSecondIsLastMillisecondOfTheMinute() {
    #expect(
      TimeParser.rfc3339("2016-12-31T23:59:60Z")?.formatted(.rfc3339) == "2016-12-31T23:59:59.999Z")
    let before = TimeParser.rfc3339("2016-12-31T23:59:59.500Z")!
    let leap = TimeParser.rfc3339("2016-12-31T23:59:60.200Z")!
    let after = TimeParser.rfc3339("2017-01-01T00:00:00Z")!
    #expect(before < leap && leap < after)
  }

  @Test(arguments: [
    ("2025-02-29T00:00:00Z", "day 29 out of range for February 2025"),
    ("1900-02-29T00:00:00Z", "day 29 out of range for February 1900"),
    ("2025-04-31T00:00:00Z", "day 31 out of range for April 2025"),
    ("2025-13-01T00:00:00Z", "month 13 out of range"),
    ("2025-00-01T00:00:00Z", "month 0 out of range"),
    ("2025-01-00T00:00:00Z", "day 0 out of range for January 2025"),
    ("2025-02-09T24:00:00Z", "hour 24 out of range"),
    ("2025-02-09T10:60:00Z", "minute 60 out of range"),
    ("2025-02-09T10:00:61Z", "second 61 out of range"),
    ("2025-02-09T10:00:00+24:00", "offset hour 24 out of range"),
    ("2025-02-09T10:00:00", "expected a UTC offset (Z, +hh:mm or -hh:mm) at character 20"),
    ("2025-02-09T10:00Z", "expected ':' after the minute (seconds are required) at character 17"),
    ("2025-02-09T10:00:00.Z", "expected fraction digits after '.' at character 21"),
    ("2025-02-09X10:00:00Z", "expected 'T' or a space between date and time at character 11"),
    ("2025-02-09T10:00:00Z junk", "unexpected text after the time at character 21"),
    ("", "empty time"),
    ("25-02-09T10:00:00Z", "expected a 4-digit year at character 3"),
  ])
  func rejectsInvalidTimes(text: String, reason: String) {
    #expect(TimeParser.rfc3339(text) == nil)
    #expect(throws: TimeParseError(reason: reason, input: text, format: .rfc3339)) {
      try TimeParser.parseRFC3339(text)
    }
  }

  @Test func errorDescriptionQuotesTheInput() {
    do {
      _ = try TimeParser.parseRFC3339("2025-13-01T00:00:00Z")
      Issue.record("expected an error")
    } catch {
      #expect(error.description == "month 13 out of range in '2025-13-01T00:00:00Z'")
    }
  }
}

@Suite struct NginxTimeTests {
  @Test(arguments: [
    ("09/Feb/2025:10:05:23 +0000", base),
    ("09/Feb/2025:11:05:23 +0100", base),
    ("09/feb/2025:04:35:23 -0530", base),
    ("09/FEB/2025:11:05:23 +01:00", base),
    ("28/Sep/1970:12:00:00 +0600", 23_349_600_000),
  ])
  func parsesTimeLocal(text: String, expected: Int64) {
    #expect(TimeParser.nginx(text)?.milliseconds == expected)
    #expect(TimeParser.parse(text, format: .nginx)?.milliseconds == expected)
  }

  @Test(arguments: [
    (
      "09/Fev/2025:10:05:23 +0000",
      "expected an English month abbreviation (Jan ... Dec) at character 4"
    ),
    ("30/Feb/2025:10:05:23 +0000", "day 30 out of range for February 2025"),
    ("09/Feb/2025:10:05:23", "expected a space before the UTC offset at character 21"),
    ("09/Feb/2025:25:05:23 +0000", "hour 25 out of range"),
  ])
  func rejectsBadTimes(text: String, reason: String) {
    #expect(TimeParser.nginx(text) == nil)
    #expect(throws: TimeParseError(reason: reason, input: text, format: .nginx)) {
      try TimeParser.parseNginx(text)
    }
  }
}

@Suite struct UnixSecondsTests {
  @Test(arguments: [
    ("1739096325.001200", 1_739_096_325_001),
    ("1739096325", 1_739_096_325_000),
    ("1485913694.000025", 1_485_913_694_000),
    ("1739096325.999999", 1_739_096_325_999),
    ("1739096325.5", 1_739_096_325_500),
    ("0.001", 1),
    ("-1.5", -1_500),
    (".25", 250),
  ])
  func parsesExactly(text: String, expected: Int64) {
    #expect(TimeParser.unixSeconds(text)?.milliseconds == expected)
    #expect(TimeParser.parse(text, format: .unix)?.milliseconds == expected)
  }

  @Test func doubleWouldRoundButParserDoesNot() {
    // Digits past the millisecond are cut, not rounded.
    #expect(TimeParser.unixSeconds("1739096325.0019")?.milliseconds == 1_739_096_325_001)
  }

  @Test(arguments: ["", "abc", "12a", "1.2.3", "-", ".", "9999999999999999"])
  func rejectsJunk(text: String) {
    #expect(TimeParser.unixSeconds(text) == nil)
    #expect(throws: TimeParseError.self) { try TimeParser.parseUnixSeconds(text) }
  }
}
