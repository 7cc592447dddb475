/// UTC offsets as report.json and plugins write them: `+02:00`, `-05:30`, `Z`.
///
/// ```swift
/// UTCOffset.seconds("+02:00")  // 7200
/// UTCOffset.text(-19_800)      // "-05:30"
/// UTCOffset.trailing(in: "09/Feb/2025:12:05:23 +0200")  // 7200
/// ```
public enum UTCOffset {
  /// The largest offset accepted, in seconds: 23:59, as the RFC 3339 reader allows.
  public static let limit: Int32 = 23 * 3600 + 59 * 60

  /// `+hh:mm` (seconds dropped).
  public static func text(_ seconds: Int32) -> String {
    let sign = seconds < 0 ? "-" : "+"
    let minutes = abs(Int(seconds)) / 60
    let hh = minutes / 60
    let mm = minutes % 60
    return sign + (hh < 10 ? "0" : "") + String(hh) + ":" + (mm < 10 ? "0" : "") + String(mm)
  }

  /// Seconds east of UTC from `Z`, `UTC`, `+hh:mm` or `+hhmm`; nil for anything else.
  public static func seconds(_ text: String) -> Int32? {
    if text == "Z" || text == "z" || text.uppercased() == "UTC" { return 0 }
    return numeric(text.utf8)
  }

  /// `+hh:mm` or `+hhmm` (hours up to 23) as seconds, from bytes; nil for anything else.
  static func numeric(_ bytes: some Collection<UInt8>) -> Int32? {
    var sign: Int32 = 0
    var value: Int32 = 0  // hhmm
    var count = 0
    for (k, b) in bytes.enumerated() {
      switch (k, b) {
      case (0, UInt8(ascii: "+")): sign = 1
      case (0, UInt8(ascii: "-")): sign = -1
      case (3, UInt8(ascii: ":")) where bytes.count == 6: continue
      case (_, 48...57) where k > 0:
        value = value * 10 + Int32(b - 48)
        count += 1
      default: return nil
      }
    }
    let hours = value / 100
    let minutes = value % 100
    guard sign != 0, count == 4, hours <= 23, minutes <= 59 else { return nil }
    return sign * (hours * 60 + minutes) * 60
  }

  /// The offset a time text ends with (`...Z`, `...+02:00`, `... +0200`), or nil when it
  /// states none (`Feb  9 10:05:23`, `I0209 10:05:23.123456`, Unix seconds). Reads the
  /// text in place: collectors call it for every event.
  public static func trailing(in text: String) -> Int32? {
    var text = text
    return text.withUTF8 { bytes -> Int32? in
      guard let last = bytes.last else { return nil }
      let n = bytes.count
      func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
      if last == UInt8(ascii: "Z") || last == UInt8(ascii: "z") {
        // A digit before it: 10:05:23Z, 10:05:23.5Z (not a word ending in Z).
        return n >= 2 && isDigit(bytes[n - 2]) ? 0 : nil
      }
      for length in [6, 5] where n > length {
        let start = n - length
        // After a time (a digit or a space before the sign), not in a date (2025-02-09).
        let before = bytes[start - 1]
        guard before == UInt8(ascii: " ") || isDigit(before) else { continue }
        if length == 5, before != UInt8(ascii: " "), !bytes[..<start].contains(UInt8(ascii: ":")) { continue }
        if let value = numeric(bytes[start...]) { return value }
      }
      return nil
    }
  }
}
