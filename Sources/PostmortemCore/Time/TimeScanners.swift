/// RFC 3339: `YYYY-MM-DD(T|t| )hh:mm:ss[.f+](Z|z|±hh:mm|±hhmm)`.
enum RFC3339Scanner {
  static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Timestamp, ScanFailure> {
    do { return .success(try scanThrowing(bytes)) } catch { return .failure(error) }
  }

  static func scanThrowing(_ bytes: UnsafeBufferPointer<UInt8>) throws(ScanFailure) -> Timestamp {
    guard !bytes.isEmpty else { throw .empty }
    var c = ByteCursor(bytes)
    let year = try c.digits(4, "a 4-digit year")
    try c.expect(UInt8(ascii: "-"), "'-' after the year")
    let month = try c.digits(2, "a 2-digit month")
    try c.expect(UInt8(ascii: "-"), "'-' after the month")
    let day = try c.digits(2, "a 2-digit day")
    try validateDate(year: year, month: month, day: day)
    switch c.peek {
    case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " "): c.index += 1
    default: throw .expected("'T' or a space between date and time", at: c.index)
    }
    let hour = try c.digits(2, "a 2-digit hour")
    try c.expect(UInt8(ascii: ":"), "':' after the hour")
    let minute = try c.digits(2, "a 2-digit minute")
    try c.expect(UInt8(ascii: ":"), "':' after the minute (seconds are required)")
    var second = try c.digits(2, "2-digit seconds")
    try validateClock(hour: hour, minute: minute, second: second)
    var millisecond: Int64 = 0
    if c.peek == UInt8(ascii: ".") {
      c.index += 1
      var count = 0
      while let b = c.peek, b &- 48 < 10 {
        if count < 3 { millisecond = millisecond * 10 + Int64(b &- 48) }
        count += 1
        c.index += 1
      }
      guard count > 0 else { throw .expected("fraction digits after '.'", at: c.index) }
      while count < 3 {
        millisecond *= 10
        count += 1
      }
    }
    if second == 60 {
      second = 59
      millisecond = 999
    }
    let offset: Int64
    switch c.peek {
    case UInt8(ascii: "Z"), UInt8(ascii: "z"):
      c.index += 1
      offset = 0
    default:
      offset = try c.numericOffset()
    }
    try c.end()
    return Timestamp(
      milliseconds: makeMilliseconds(
        year: year, month: month, day: day, hour: hour, minute: minute, second: second,
        millisecond: millisecond, offset: offset))
  }
}

/// nginx `$time_local`: `DD/Mon/YYYY:hh:mm:ss ±hhmm`.
enum NginxScanner {
  static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Timestamp, ScanFailure> {
    do { return .success(try scanThrowing(bytes)) } catch { return .failure(error) }
  }

  /// Month number (1...12) for a three-letter English abbreviation, any case.
  @inline(__always)
  static func month(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int64? {
    // Lower-case the ASCII letters and pack them into one integer.
    let key = UInt32(a | 0x20) << 16 | UInt32(b | 0x20) << 8 | UInt32(c | 0x20)
    switch key {
    case 0x6A_616E: return 1  // jan
    case 0x66_6562: return 2  // feb
    case 0x6D_6172: return 3  // mar
    case 0x61_7072: return 4  // apr
    case 0x6D_6179: return 5  // may
    case 0x6A_756E: return 6  // jun
    case 0x6A_756C: return 7  // jul
    case 0x61_7567: return 8  // aug
    case 0x73_6570: return 9  // sep
    case 0x6F_6374: return 10  // oct
    case 0x6E_6F76: return 11  // nov
    case 0x64_6563: return 12  // dec
    default: return nil
    }
  }

  static func scanThrowing(_ bytes: UnsafeBufferPointer<UInt8>) throws(ScanFailure) -> Timestamp {
    guard !bytes.isEmpty else { throw .empty }
    var c = ByteCursor(bytes)
    let day = try c.digits(2, "a 2-digit day")
    try c.expect(UInt8(ascii: "/"), "'/' after the day")
    guard c.index + 3 <= bytes.count,
      let month = month(bytes[c.index], bytes[c.index + 1], bytes[c.index + 2])
    else { throw .expected("an English month abbreviation (Jan ... Dec)", at: c.index) }
    c.index += 3
    try c.expect(UInt8(ascii: "/"), "'/' after the month")
    let year = try c.digits(4, "a 4-digit year")
    try validateDate(year: year, month: month, day: day)
    try c.expect(UInt8(ascii: ":"), "':' after the year")
    let hour = try c.digits(2, "a 2-digit hour")
    try c.expect(UInt8(ascii: ":"), "':' after the hour")
    let minute = try c.digits(2, "a 2-digit minute")
    try c.expect(UInt8(ascii: ":"), "':' after the minute")
    var second = try c.digits(2, "2-digit seconds")
    try validateClock(hour: hour, minute: minute, second: second)
    var millisecond: Int64 = 0
    if second == 60 {
      second = 59
      millisecond = 999
    }
    try c.expect(UInt8(ascii: " "), "a space before the UTC offset")
    let offset = try c.numericOffset()
    try c.end()
    return Timestamp(
      milliseconds: makeMilliseconds(
        year: year, month: month, day: day, hour: hour, minute: minute, second: second,
        millisecond: millisecond, offset: offset))
  }
}

/// Unix seconds as a decimal string: `[-]digits[.digits]`.
enum UnixScanner {
  static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Timestamp, ScanFailure> {
    do { return .success(try scanThrowing(bytes)) } catch { return .failure(error) }
  }

  static func scanThrowing(_ bytes: UnsafeBufferPointer<UInt8>) throws(ScanFailure) -> Timestamp {
    guard !bytes.isEmpty else { throw .empty }
    var c = ByteCursor(bytes)
    var negative = false
    if c.peek == UInt8(ascii: "-") {
      negative = true
      c.index += 1
    } else if c.peek == UInt8(ascii: "+") {
      c.index += 1
    }
    var seconds: Int64 = 0
    var intDigits = 0
    while let b = c.peek, b &- 48 < 10 {
      // 15 digits of seconds keep the milliseconds inside Int64.
      guard intDigits < 15 else { throw .tooLarge }
      seconds = seconds * 10 + Int64(b &- 48)
      intDigits += 1
      c.index += 1
    }
    var millisecond: Int64 = 0
    var fracDigits = 0
    if c.peek == UInt8(ascii: ".") {
      c.index += 1
      while let b = c.peek, b &- 48 < 10 {
        if fracDigits < 3 { millisecond = millisecond * 10 + Int64(b &- 48) }
        fracDigits += 1
        c.index += 1
      }
      while fracDigits > 0 && fracDigits < 3 {
        millisecond *= 10
        fracDigits += 1
      }
    }
    guard intDigits > 0 || fracDigits > 0 else {
      throw .expected("digits of Unix seconds", at: c.index)
    }
    try c.end()
    let ms = seconds * 1000 + millisecond
    return Timestamp(milliseconds: negative ? -ms : ms)
  }
}
