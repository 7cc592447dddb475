import Foundation
import Testing

@testable import PostmortemCore

/// Times outside the years 0001 to 9999 never enter the model: RFC 3339 (and so report.json,
/// Markdown, HTML and `pmhost validate`) cannot write them.
@Suite struct TimestampRangeTests {
  @Test func theRangeIsTheYears0001To9999() {
    #expect(Timestamp.modelRange.lowerBound.formatted(.rfc3339) == "0001-01-01T00:00:00.000Z")
    #expect(Timestamp.modelRange.upperBound.formatted(.rfc3339) == "9999-12-31T23:59:59.999Z")
    #expect(Timestamp(checkedSeconds: -62_135_596_800) != nil)
    #expect(Timestamp(checkedSeconds: 253_402_300_799.999) != nil)
    #expect(Timestamp(checkedSeconds: -62_135_596_800.001) == nil)
    #expect(Timestamp(checkedSeconds: 253_402_300_800) == nil)
    #expect(Timestamp(checkedSeconds: -1e15) == nil)
  }

  @Test func everyParserRefusesTimesOutsideIt() {
    // Offsets can push a 4-digit year over either edge.
    for text in ["9999-12-31T23:00:00-02:00", "0000-06-01T00:00:00Z", "0001-01-01T01:00:00+02:00"] {
      #expect(TimeParser.rfc3339(text) == nil, "\(text)")
      #expect(throws: TimeParseError.self) { try TimeParser.parseRFC3339(text) }
    }
    do {
      _ = try TimeParser.parseRFC3339("9999-12-31T23:00:00-02:00")
    } catch {
      #expect(error.reason.contains("outside the years 0001 to 9999"), "\(error)")
    }
    #expect(TimeParser.rfc3339("0001-01-01T00:00:00Z") != nil)
    #expect(TimeParser.rfc3339("9999-12-31T23:59:59.999Z") != nil)
    #expect(TimeParser.unixSeconds("253402300800") == nil)
    #expect(TimeParser.unixSeconds("-62135596801") == nil)
    #expect(TimeParser.unixSeconds("253402300799") != nil)
    #expect(TimeParser.nginx("31/Dec/9999:23:30:00 -0100") == nil)
    #expect(TimeParser.nginx("01/Jan/0000:00:00:00 +0000") == nil)
    #expect(TimeParser.parseLocal("9999-12-31 23:30:00", offsetSeconds: -3600) == nil)
    #expect(TimeParser.parseLocal("0000-12-31 23:30:00", offsetSeconds: 0) == nil)
    let lateNear = TimeParser.rfc3339("9999-12-30T00:00:00Z")!
    #expect(TimeParser.parseSyslog("Jan  1 00:00:00", near: lateNear) == nil)  // 10000-01-01
    #expect(TimeParser.parseSyslog("Dec 30 00:00:00", near: lateNear) != nil)
  }

  @Test func incidentTimesOutsideAreConfigurationErrors() {
    for (field, value, line) in [
      ("started_at", "0000-12-31T00:00:00Z", 3), ("ended_at", "253402300800", 4),
    ] {
      var lines = ["id: X", "title: T", "started_at: 2025-02-09T10:00:00Z", "ended_at: 2025-02-09T11:00:00Z"]
      lines[line - 1] = "\(field): \(value)"
      do {
        _ = try IncidentLoader.decodeYAML(lines.joined(separator: "\n"), origin: "incident.yaml")
        Issue.record("expected an error for \(field)")
      } catch {
        #expect(error.description.hasPrefix("incident.yaml:\(line): \(field): "), "\(error)")
        #expect(error.description.contains("0001"), "\(error)")
      }
    }
  }
}
