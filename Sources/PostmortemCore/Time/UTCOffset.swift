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
    let bytes = Array(text.utf8)
    guard let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else {
      return nil
    }
    var digits = Array(bytes.dropFirst())
    if digits.count == 5, digits[2] == UInt8(ascii: ":") { digits.remove(at: 2) }
    guard digits.count == 4, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
    let hours = Int32(digits[0] - 48) * 10 + Int32(digits[1] - 48)
    let minutes = Int32(digits[2] - 48) * 10 + Int32(digits[3] - 48)
    guard hours <= 23, minutes <= 59 else { return nil }
    let value = (hours * 60 + minutes) * 60
    return first == UInt8(ascii: "-") ? -value : value
  }

  /// The offset a time text ends with (`...Z`, `...+02:00`, `... +0200`), or nil when it
  /// states none (`Feb  9 10:05:23`, `I0209 10:05:23.123456`, Unix seconds).
  public static func trailing(in text: String) -> Int32? {
    let bytes = Array(text.utf8)
    guard let last = bytes.last else { return nil }
    if last == UInt8(ascii: "Z") || last == UInt8(ascii: "z") {
      // A digit before it: 10:05:23Z, 10:05:23.5Z (not a word ending in Z).
      return bytes.count >= 2 && bytes[bytes.count - 2] >= 48 && bytes[bytes.count - 2] <= 57 ? 0 : nil
    }
    for length in [6, 5] where bytes.count > length {
      let start = bytes.count - length
      let sign = bytes[start]
      guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { continue }
      // After a time (a digit or a space before the sign), not in a date (2025-02-09).
      let before = bytes[start - 1]
      guard before == UInt8(ascii: " ") || (before >= 48 && before <= 57) else { continue }
      if length == 5, before != UInt8(ascii: " "), !bytes[..<start].contains(UInt8(ascii: ":")) { continue }
      if let value = seconds(String(decoding: bytes[start...], as: UTF8.self)) { return value }
    }
    return nil
  }
}
