/// Times written without a year or without an offset, read against what the incident knows:
/// syslog's `Feb  9 10:05:23`, klog's `I0209 10:05:23.123456`, and local times such as
/// `2015-07-29 17:41:44,747` in a configured offset.
///
/// ```swift
/// TimeParser.parseSyslog("Feb  9 10:05:23", near: incidentStart)   // the year nearest the incident
/// TimeParser.parseLocal("2015-07-29 17:41:44,747", offsetSeconds: 7200)
/// ```
extension TimeParser {
  /// `Mmm dd hh:mm:ss[.fff]` (RFC 3164), in UTC plus `offsetSeconds`; the year is the one
  /// that puts the time nearest `near` (so a December log read for a January incident works).
  public static func parseSyslog(_ text: some StringProtocol, near: Timestamp, offsetSeconds: Int64 = 0)
    -> Timestamp?
  {
    let parts = text.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 3, parts[0].count == 3,
      let month = CivilDate.monthNames.firstIndex(where: { $0.prefix(3) == parts[0] }),
      let day = Int64(parts[1])
    else { return nil }
    return nearest(month: Int64(month) + 1, day: day, clock: parts[2], near: near, offset: offsetSeconds)?
      .inModelRange
  }

  /// klog's header time `Lmmdd hh:mm:ss.uuuuuu` (the level letter first), as syslog.
  public static func parseKlog(_ text: some StringProtocol, near: Timestamp, offsetSeconds: Int64 = 0)
    -> Timestamp?
  {
    let parts = text.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 2, parts[0].count == 5, "IWEF".contains(parts[0].first!),
      let month = Int64(parts[0].dropFirst().prefix(2)), let day = Int64(parts[0].suffix(2))
    else { return nil }
    return nearest(month: month, day: day, clock: parts[1], near: near, offset: offsetSeconds)?.inModelRange
  }

  /// `yyyy-mm-dd hh:mm:ss[,.]fff` without an offset, in `offsetSeconds` east of UTC.
  public static func parseLocal(_ text: some StringProtocol, offsetSeconds: Int64) -> Timestamp? {
    let s = String(text).replacingOccurrences(of: ",", with: ".")
    let parts = s.split(separator: s.contains("T") ? "T" : " ", maxSplits: 1)
    guard parts.count == 2 else { return nil }
    let date = parts[0].split(separator: "-")
    guard date.count == 3, let y = Int64(date[0]), let m = Int64(date[1]), let d = Int64(date[2]),
      date[0].count == 4, (1...12).contains(m), d >= 1, d <= CivilDate.daysInMonth(year: y, month: m),
      let ms = clockMilliseconds(parts[1])
    else { return nil }
    return Timestamp(
      milliseconds: CivilDate.days(year: y, month: m, day: d) * CivilDate.millisecondsPerDay + ms
        - offsetSeconds * 1000
    ).inModelRange
  }

  /// `hh:mm:ss[.fraction]` as milliseconds into the day.
  static func clockMilliseconds(_ text: some StringProtocol) -> Int64? {
    let pieces = text.split(separator: ".", maxSplits: 1)
    let hms = pieces[0].split(separator: ":")
    guard hms.count == 3, hms.allSatisfy({ $0.count == 2 }), let h = Int64(hms[0]), let m = Int64(hms[1]),
      let sec = Int64(hms[2]), h < 24, m < 60, sec < 61
    else { return nil }
    var ms: Int64 = 0
    if pieces.count == 2 {
      let digits = pieces[1].prefix(3)
      guard !pieces[1].isEmpty, pieces[1].allSatisfy(\.isNumber), let v = Int64(digits) else { return nil }
      ms = v * [100, 10, 1][digits.count - 1]
    }
    return ((h * 60 + m) * 60 + sec) * 1000 + ms
  }

  private static func nearest(
    month: Int64, day: Int64, clock: some StringProtocol, near: Timestamp, offset: Int64
  )
    -> Timestamp?
  {
    guard (1...12).contains(month), day >= 1, let ms = clockMilliseconds(clock) else { return nil }
    let year = CivilDate.civil(days: CivilDate.floorDivMod(near.milliseconds, CivilDate.millisecondsPerDay).0)
      .year
    var best: Timestamp?
    for y in [year - 1, year, year + 1] where day <= CivilDate.daysInMonth(year: y, month: month) {
      let t = Timestamp(
        milliseconds: CivilDate.days(year: y, month: month, day: day) * CivilDate.millisecondsPerDay + ms
          - offset * 1000)
      if best == nil || abs(t.milliseconds - near.milliseconds) < abs(best!.milliseconds - near.milliseconds)
      {
        best = t
      }
    }
    return best
  }
}
