import Foundation
import Testing

@testable import PostmortemCore

@Suite struct UTCOffsetTests {
  @Test func readsAndWritesOffsets() {
    #expect(UTCOffset.seconds("Z") == 0)
    #expect(UTCOffset.seconds("+02:00") == 7200)
    #expect(UTCOffset.seconds("-0530") == -19_800)
    #expect(UTCOffset.seconds("UTC") == 0)
    #expect(UTCOffset.seconds("+23:59") == 86_340)
    for bad in ["+24:00", "+02:60", "0200", "+2:00", "+05", "GMT", "", "+02:0"] {
      #expect(UTCOffset.seconds(bad) == nil, "\(bad)")
    }
    #expect(UTCOffset.text(7200) == "+02:00")
    #expect(UTCOffset.text(-19_800) == "-05:30")
    #expect(UTCOffset.text(0) == "+00:00")
  }

  @Test func findsTheOffsetATimeTextEndsWith() {
    let cases: [(String, Int32?)] = [
      ("09/Feb/2025:11:05:23 +0100", 3600),
      ("2025-02-09T11:08:12+01:00", 3600),
      ("2025-02-09T05:35:23.5-04:30", -16_200),
      ("2025-02-09T10:15:30.412873001Z", 0),
      ("2025-02-09T10:05:23+0200", 7200),
      ("Feb  9 10:05:23", nil),  // syslog: no zone
      ("I0209 10:05:23.123456", nil),  // klog
      ("1739096325.003700", nil),  // Unix seconds
      ("2025-02-09", nil),  // a date, not an offset
      ("build 12345-0600", nil),  // digits, not a time
      ("Z", nil),
    ]
    for (text, offset) in cases { #expect(UTCOffset.trailing(in: text) == offset, "\(text)") }
  }

  @Test func eventsKeepTheTimeAsWrittenInReportJSON() throws {
    var e = TimelineEvent(
      time: Timestamp(milliseconds: 1_739_095_523_000), event: "First 5xx", source: "nginx", kind: "error")
    #expect(e.timeText == nil && e.timeOffset == nil)
    e.timeText = "09/Feb/2025:11:05:23 +0100"
    e.timeOffset = 3600
    let json = String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
    #expect(json.contains(#""time_text":"09\/Feb\/2025:11:05:23 +0100""#))
    #expect(json.contains(#""time_offset":"+01:00""#))
    let back = try JSONDecoder().decode(TimelineEvent.self, from: Data(json.utf8))
    #expect(back == e)
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(
        TimelineEvent.self,
        from: Data(
          #"{"time":"2025-02-09T10:05:23.000Z","event":"x","source":"s","kind":"note","time_offset":"one hour"}"#
            .utf8))
    }
  }
}
