import Testing

@testable import PostmortemCore

/// syslog and klog times without a year, and local times without an offset.
@Suite struct ZonelessTimeTests {
  static func t(_ s: String) -> Timestamp { TimeParser.rfc3339(s)! }

  @Test func syslogTakesTheYearNearestTheIncident() {
    let near = Self.t("2025-02-09T10:00:00Z")
    #expect(TimeParser.parseSyslog("Feb  9 10:05:23", near: near) == Self.t("2025-02-09T10:05:23Z"))
    #expect(TimeParser.parseSyslog("Feb 9 10:05:23.250", near: near) == Self.t("2025-02-09T10:05:23.250Z"))
    // A log written on New Year's Eve, read for an incident just after midnight.
    #expect(
      TimeParser.parseSyslog("Dec 31 23:59:50", near: Self.t("2025-01-01T00:10:00Z"))
        == Self.t("2024-12-31T23:59:50Z"))
    #expect(
      TimeParser.parseSyslog("Jan  1 00:00:05", near: Self.t("2024-12-31T23:50:00Z"))
        == Self.t("2025-01-01T00:00:05Z"))
    // 29 February only in a leap year: 2024, not 2025.
    #expect(
      TimeParser.parseSyslog("Feb 29 12:00:00", near: Self.t("2025-03-01T00:00:00Z"))
        == Self.t("2024-02-29T12:00:00Z"))
    // Written at +05:45 (Kathmandu).
    #expect(
      TimeParser.parseSyslog("Feb  9 15:50:23", near: near, offsetSeconds: 5 * 3600 + 45 * 60)
        == Self.t("2025-02-09T10:05:23Z"))
    for bad in ["Foo  9 10:05:23", "Feb 30 10:05:23", "Feb  9 25:05:23", "Feb  9", "Feb  9 10:05"] {
      #expect(TimeParser.parseSyslog(bad, near: near) == nil, "\(bad)")
    }
  }

  @Test func klogHeaderTimes() {
    let near = Self.t("2024-03-18T12:00:00Z")
    #expect(TimeParser.parseKlog("I0318 15:46:14.238135", near: near) == Self.t("2024-03-18T15:46:14.238Z"))
    #expect(
      TimeParser.parseKlog("E1231 23:59:59.999999", near: Self.t("2025-01-01T00:00:00Z"))
        == Self.t("2024-12-31T23:59:59.999Z"))
    #expect(TimeParser.parseKlog("X0318 15:46:14.238135", near: near) == nil)
    #expect(TimeParser.parseKlog("I1318 15:46:14.238135", near: near) == nil)
  }

  @Test func localTimesWithAConfiguredOffset() {
    #expect(
      TimeParser.parseLocal("2015-07-29 17:41:44,747", offsetSeconds: 2 * 3600)
        == Self.t("2015-07-29T15:41:44.747Z"))
    #expect(
      TimeParser.parseLocal("2015-07-29 17:41:44.7", offsetSeconds: -3 * 3600 - 1800)
        == Self.t("2015-07-29T21:11:44.700Z"))
    #expect(TimeParser.parseLocal("2015-07-29T17:41:44", offsetSeconds: 0) == Self.t("2015-07-29T17:41:44Z"))
    #expect(TimeParser.parseLocal("2015-02-29 17:41:44", offsetSeconds: 0) == nil)
    #expect(TimeParser.parseLocal("2015-07-29 17:41", offsetSeconds: 0) == nil)
  }
}
