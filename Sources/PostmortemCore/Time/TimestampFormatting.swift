extension Timestamp {
  /// How ``Timestamp/formatted(_:)`` renders a time. All styles are UTC and truncate (a
  /// time of `10:15:30.999` shows as `10:15:30`, never `10:15:31`).
  public enum Style: String, Sendable, CaseIterable {
    /// `2025-02-09T10:05:23.000Z`
    case rfc3339
    /// `10:05:23`
    case clock
    /// `10:05`
    case hourMinute
    /// `2025-02-09`
    case date
    /// `2025-02-09 10:05:23`
    case dateTime
  }

  /// The civil UTC fields of this time.
  public var components:
    (
      year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64,
      millisecond: Int64
    )
  {
    let (days, msOfDay) = CivilDate.floorDivMod(milliseconds, CivilDate.millisecondsPerDay)
    let (y, m, d) = CivilDate.civil(days: days)
    let secondOfDay = msOfDay / 1000
    return (y, m, d, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60, msOfDay % 1000)
  }

  /// This time as UTC text in `style`.
  ///
  /// ```swift
  /// Timestamp(milliseconds: 1_739_096_130_999).formatted(.clock)  // "10:15:30"
  /// ```
  public func formatted(_ style: Style = .rfc3339) -> String {
    let c = components
    let capacity = 32
    return String(unsafeUninitializedCapacity: capacity) { buffer in
      var i = 0
      func put(_ byte: UInt8) {
        buffer[i] = byte
        i += 1
      }
      func digits(_ value: Int64, _ width: Int) {
        var v = value
        var w = width
        // Years beyond 9999 get their extra digits.
        var scratch = v
        var count = 0
        repeat {
          count += 1
          scratch /= 10
        } while scratch > 0
        if count > w { w = count }
        var pos = i + w - 1
        while pos >= i {
          buffer[pos] = UInt8(truncatingIfNeeded: 48 + v % 10)
          v /= 10
          pos -= 1
        }
        i += w
      }
      func date() {
        var year = c.year
        if year < 0 {
          put(UInt8(ascii: "-"))
          year = -year
        }
        digits(year, 4)
        put(UInt8(ascii: "-"))
        digits(c.month, 2)
        put(UInt8(ascii: "-"))
        digits(c.day, 2)
      }
      func clock(seconds: Bool) {
        digits(c.hour, 2)
        put(UInt8(ascii: ":"))
        digits(c.minute, 2)
        if seconds {
          put(UInt8(ascii: ":"))
          digits(c.second, 2)
        }
      }
      switch style {
      case .rfc3339:
        date()
        put(UInt8(ascii: "T"))
        clock(seconds: true)
        put(UInt8(ascii: "."))
        digits(c.millisecond, 3)
        put(UInt8(ascii: "Z"))
      case .clock:
        clock(seconds: true)
      case .hourMinute:
        clock(seconds: false)
      case .date:
        date()
      case .dateTime:
        date()
        put(UInt8(ascii: " "))
        clock(seconds: true)
      }
      return i
    }
  }
}
