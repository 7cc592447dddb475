import Foundation
import Testing

@testable import PostmortemCore

@Suite struct TimestampTests {
  @Test func formatsEveryStyle() {
    let t = Timestamp(milliseconds: base + 42)
    #expect(t.formatted(.rfc3339) == "2025-02-09T10:05:23.042Z")
    #expect(t.formatted(.clock) == "10:05:23")
    #expect(t.formatted(.hourMinute) == "10:05")
    #expect(t.formatted(.date) == "2025-02-09")
    #expect(t.formatted(.dateTime) == "2025-02-09 10:05:23")
    #expect(t.description == "2025-02-09T10:05:23.042Z")
  }

  @Test func truncatesNeverRoundsUp() {
    let t = TimeParser.rfc3339("2025-02-09T10:15:30.999Z")!
    #expect(t.formatted(.clock) == "10:15:30")
    #expect(t.formatted(.hourMinute) == "10:15")
    let endOfDay = TimeParser.rfc3339("2025-12-31T23:59:59.999Z")!
    #expect(endOfDay.formatted(.date) == "2025-12-31")
  }

  @Test func negativeTimesFallOnThePreviousDay() {
    #expect(Timestamp(milliseconds: -1).formatted(.rfc3339) == "1969-12-31T23:59:59.999Z")
    #expect(Timestamp(milliseconds: -86_400_000).formatted(.rfc3339) == "1969-12-31T00:00:00.000Z")
    #expect(
      Timestamp(milliseconds: -62_135_596_800_000).formatted(.rfc3339) == "0001-01-01T00:00:00.000Z"
    )
  }

  @Test func roundTripsThroughTextAcrossCenturies() {
    var ms: Int64 = -62_135_596_800_000
    while ms < 253_402_300_799_999 {
      let text = Timestamp(milliseconds: ms).formatted(.rfc3339)
      #expect(TimeParser.rfc3339(text)?.milliseconds == ms, "\(text)")
      ms += 1_234_567_890_123
    }
  }

  @Test func secondsConversions() {
    #expect(Timestamp(seconds: 1_739_095_523.0004).milliseconds == base)
    #expect(Timestamp(seconds: 1_739_095_523.0006).milliseconds == base + 1)
    #expect(Timestamp(milliseconds: base + 500).seconds == 1_739_095_523.5)
    #expect(Timestamp(checkedSeconds: .nan) == nil)
    #expect(Timestamp(checkedSeconds: .infinity) == nil)
    #expect(Timestamp(checkedSeconds: 1e300) == nil)
    #expect(Timestamp(checkedSeconds: 1.5)?.milliseconds == 1500)
  }

  @Test func codableAsRFC3339String() throws {
    let t = Timestamp(milliseconds: base)
    let data = try JSONEncoder().encode([t])
    #expect(String(decoding: data, as: UTF8.self) == #"["2025-02-09T10:05:23.000Z"]"#)
    let back = try JSONDecoder().decode(
      [Timestamp].self, from: Data(#"["2025-02-09T11:05:23+01:00"]"#.utf8))
    #expect(back == [t])
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode([Timestamp].self, from: Data(#"["2025-02-30T00:00:00Z"]"#.utf8))
    }
  }
}

@Suite struct DurationTests {
  @Test(
    arguments: [
      (5700, "1h 35min"), (3600, "1h"), (720, "12min"), (45, "45s"), (183_600, "2d 3h"), (0, "0s"),
      (750, "12min 30s"), (86_400, "1d"), (3659, "1h"), (-5700, "-1h 35min"), (-45, "-45s"),
    ] as [(Int64, String)])
  func formats(seconds: Int64, expected: String) {
    #expect(formatDuration(seconds: seconds) == expected)
  }

  @Test func extremesDoNotTrap() {
    #expect(formatDuration(seconds: .min).hasPrefix("-"))
    #expect(!formatDuration(seconds: .max).isEmpty)
  }
}
