/// The hand scanner behind `WrittenTimes`: one pass over a text's UTF-8 bytes, no regular
/// expression and no allocation but for the few short words it looks up.
@inline(__always) private func ch(_ s: Unicode.Scalar) -> UInt8 { UInt8(ascii: s) }

struct WrittenScanner {
  let b: UnsafeBufferPointer<UInt8>

  init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

  /// The byte at `i`, 0 past the end.
  @inline(__always) subscript(i: Int) -> UInt8 { i >= 0 && i < b.count ? b[i] : 0 }

  @inline(__always) static func digit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
  @inline(__always) static func alpha(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
  @inline(__always) static func alnum(_ c: UInt8) -> Bool { digit(c) || alpha(c) }
  @inline(__always) static func upper(_ c: UInt8) -> Bool { c &- 0x41 < 26 }

  // MARK: Small pieces

  /// Past blanks: spaces, tabs and no-break spaces.
  func spaces(_ i: Int) -> Int {
    var i = i
    while true {
      let c = self[i]
      if c == 0x20 || c == 0x09 {
        i += 1
      } else if c == 0xC2 && self[i + 1] == 0xA0 {
        i += 2
      } else if c == 0xE2 && self[i + 1] == 0x80 && (self[i + 2] &- 0x80 < 0x0B || self[i + 2] == 0xAF) {
        i += 3  // the Unicode spaces U+2000...U+200A, U+202F
      } else {
        return i
      }
    }
  }

  /// The length of a Unicode punctuation or space character at `i` (dashes, quotes, bullets,
  /// arrows, the minus sign, no-break and ideographic spaces), 0 otherwise.
  func punctuation(_ i: Int) -> Int {
    let c = self[i]
    if c == 0xC2 && (self[i + 1] == 0xA0 || self[i + 1] == 0xB7) { return 2 }
    if c == 0xE2 && Self.symbolBlocks.contains(self[i + 1]) { return 3 }
    if c == 0xE3 && self[i + 1] == 0x80 && self[i + 2] == 0x80 { return 3 }
    if c == 0xF0 && self[i + 1] == 0x9F { return 4 }  // emoji
    return 0
  }

  /// Second bytes of U+2000...U+2BFF blocks that hold no letters or digits: punctuation,
  /// arrows, mathematical operators, box drawing, shapes, symbols, dingbats (not letterlike
  /// symbols, number forms, enclosed alphanumerics).
  static let symbolBlocks: Set<UInt8> = [
    0x80, 0x81, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8F, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A,
    0x9B,
    0x9C, 0x9D, 0x9E, 0x9F, 0xAC, 0xAD, 0xAE, 0xAF,
  ]

  /// Whether a word or number may end before `i`: nothing, a blank or punctuation follows.
  func endsBefore(_ i: Int) -> Bool {
    let c = self[i]
    if Self.alnum(c) { return false }
    if c >= 0x80 { return punctuation(i) > 0 }
    return true
  }

  /// Whether a word or number may start at `i`.
  func startsAt(_ i: Int) -> Bool {
    if i == 0 { return true }
    let c = self[i - 1]
    if Self.alnum(c) { return false }
    if c < 0x80 { return true }
    if c == 0xA0 && self[i - 2] == 0xC2 { return true }
    if i >= 3 && self[i - 3] == 0xE2 { return punctuation(i - 3) == 3 }
    if i >= 4 && self[i - 4] == 0xF0 { return punctuation(i - 4) == 4 }
    // After an emoji's variation selector (U+FE0F).
    if i >= 3 && self[i - 3] == 0xEF && self[i - 2] == 0xB8 && c == 0x8F { return true }
    return false
  }

  /// Digits at `i`: their value (of the first 9) and how many there are.
  func digits(_ i: Int) -> (value: Int, count: Int) {
    var v = 0
    var n = 0
    while Self.digit(self[i + n]) {
      if n < 9 { v = v * 10 + Int(self[i + n] &- 0x30) }
      n += 1
    }
    return (v, n)
  }

  /// The end of the ASCII letters at `i`.
  func letters(_ i: Int) -> Int {
    var j = i
    while Self.alpha(self[j]) { j += 1 }
    return j
  }

  /// The bytes `i..<j` in lower case (short words only).
  func lower(_ i: Int, _ j: Int) -> String {
    guard j > i, j - i <= 24 else { return "" }
    var s = ""
    s.reserveCapacity(j - i)
    for k in i..<j { s.unicodeScalars.append(Unicode.Scalar(self[k] | (Self.alpha(self[k]) ? 0x20 : 0))) }
    return s
  }

  /// The bytes `i..<j` as they are.
  func text(_ i: Int, _ j: Int) -> String {
    guard j > i else { return "" }
    return String(decoding: UnsafeBufferPointer(rebasing: b[i..<min(j, b.count)]), as: UTF8.self)
  }

  /// Whether the word at `i` is `word` (lower case) in any case, ending there.
  func isWord(_ i: Int, _ word: String) -> Bool {
    var k = i
    for u in word.utf8 {
      guard self[k] | 0x20 == u else { return false }
      k += 1
    }
    return !Self.alpha(self[k])
  }

  static let months: [String: Int] = {
    var t: [String: Int] = [:]
    for (n, name) in CivilDate.monthNames.enumerated() {
      t[name.lowercased()] = n + 1
      t[String(name.lowercased().prefix(3))] = n + 1
    }
    t["sept"] = 9
    return t
  }()

  static let weekdays: Set<String> = [
    "mon", "monday", "tue", "tues", "tuesday", "wed", "weds", "wednesday", "thu", "thur", "thurs",
    "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
  ]

  /// A month's name or abbreviation at `i` (`Jan`, `Jan.`, `January`, `Sept`).
  func month(_ i: Int) -> (month: Int, end: Int)? {
    let e = letters(i)
    guard e - i >= 3, e - i <= 9, let m = Self.months[lower(i, e)] else { return nil }
    return (m, self[e] == ch(".") && e - i <= 4 ? e + 1 : e)
  }

  /// A weekday at `i` with its dot and comma (`Tue`, `Tuesday,`), and the blanks after.
  func weekday(_ i: Int) -> Int? {
    let e = letters(i)
    guard e - i >= 3, e - i <= 9, Self.weekdays.contains(lower(i, e)) else { return nil }
    var k = e
    if self[k] == ch(".") { k += 1 }
    if self[k] == ch(",") { k += 1 }
    let s = spaces(k)
    return s > k || self[s] == 0 ? s : nil
  }

  /// Past an ordinal suffix (`st`, `nd`, `rd`, `th`) at `i`.
  func ordinal(_ i: Int) -> Int {
    let a = self[i] | 0x20
    let b = self[i + 1] | 0x20
    let ok =
      (a == ch("s") && b == ch("t")) || (a == ch("n") && b == ch("d")) || (a == ch("r") && b == ch("d"))
      || (a == ch("t") && b == ch("h"))
    return ok && !Self.alpha(self[i + 2]) ? i + 2 : i
  }

  /// A word of up to 12 ASCII letters as one number, case folded (0 for longer words).
  static func packed(_ s: WrittenScanner, _ i: Int, _ e: Int) -> UInt64 {
    guard e - i <= 12 else { return 0 }
    var v: UInt64 = 0
    for k in i..<e { v = v << 5 | UInt64((s[k] | 0x20) &- 0x60) }
    return v
  }

  static func packed(_ word: Substring) -> UInt64 {
    guard word.utf8.count <= 12 else { return 0 }
    var v: UInt64 = 0
    for b in word.utf8 { v = v << 5 | UInt64((b | 0x20) &- 0x60) }
    return v
  }

  // MARK: Dates

  struct DateRead {
    var date: WrittenDate
    var end: Int
    /// Year-first with dashes: a `T` may join the time to it.
    var iso: Bool
    /// A numeric date without a year (`01-14`): a date only when a time follows.
    var needsClock: Bool
  }

  static func valid(year: Int?, month: Int, day: Int) -> Bool {
    guard month >= 1, month <= 12, day >= 1 else { return false }
    if let year, year < 1900 || year > 2199 { return false }
    return day <= Int(CivilDate.daysInMonth(year: Int64(year ?? 2000), month: Int64(month)))
  }

  /// Month and day of a numeric `a`/`b` date, in the document's order or else by the rule:
  /// a first number above 12 is a day, a second above 12 is a day; otherwise slashes are
  /// month-first and dashes and dots day-first (a date without a year, `01-14`, month-first).
  static func resolve(_ a: Int, _ b: Int, sep: UInt8, order: DateOrder, yearless: Bool) -> (
    month: Int, day: Int
  ) {
    let dayFirst: Bool
    switch order {
    case .dayFirst: dayFirst = b <= 12 || a > 12
    case .monthFirst: dayFirst = a > 12 && b <= 12
    case .unknown:
      if a > 12 {
        dayFirst = true
      } else if b > 12 {
        dayFirst = false
      } else {
        dayFirst = !yearless && sep != ch("/")
      }
    }
    return dayFirst ? (b, a) : (a, b)
  }

  /// A date at `i`: `2024-01-14`, `2024/01/14`, `14-01-2024`, `01/14/24`, `14.01.2024`,
  /// `01-14` (then a time must follow), `Jan 14`, `January 14th, 2024`, `14 Jan 2024`,
  /// `14th of January`, `14-Jan-2024`.
  func date(_ i: Int, order: DateOrder) -> DateRead? {
    let c = self[i]
    if Self.digit(c) {
      let (n1, c1) = digits(i)
      let j = i + c1
      let sep = self[j]
      let numericSep = sep == ch("-") || sep == ch("/") || sep == ch(".")
      if c1 == 4 {
        guard numericSep else { return nil }
        let (n2, c2) = digits(j + 1)
        guard c2 == 1 || c2 == 2, self[j + 1 + c2] == sep else { return nil }
        let (n3, c3) = digits(j + 2 + c2)
        guard c3 == 1 || c3 == 2, Self.valid(year: n1, month: n2, day: n3) else { return nil }
        return DateRead(
          date: WrittenDate(year: n1, month: n2, day: n3), end: j + 2 + c2 + c3, iso: sep == ch("-"),
          needsClock: false)
      }
      guard c1 <= 2 else { return nil }
      if numericSep && Self.digit(self[j + 1]) {
        let (n2, c2) = digits(j + 1)
        guard c2 <= 2 else { return nil }
        let k = j + 1 + c2
        if self[k] == sep && Self.digit(self[k + 1]) {
          let (n3, c3) = digits(k + 1)
          guard c3 == 2 || c3 == 4 else { return nil }
          // `2.10.24` is more likely a version than a date: short years want two-digit parts.
          if c3 == 2 && sep != ch("/") && (c1 != 2 || c2 != 2) { return nil }
          let year = c3 == 4 ? n3 : 2000 + n3
          let (m, d) = Self.resolve(n1, n2, sep: sep, order: order, yearless: false)
          guard Self.valid(year: year, month: m, day: d) else { return nil }
          return DateRead(
            date: WrittenDate(year: year, month: m, day: d), end: k + 1 + c3, iso: false, needsClock: false)
        }
        guard sep != ch("."), c1 == 2, c2 == 2, self[k] == ch(" ") || self[k] == ch("T") else { return nil }
        let (m, d) = Self.resolve(n1, n2, sep: sep, order: order, yearless: true)
        guard Self.valid(year: nil, month: m, day: d) else { return nil }
        return DateRead(date: WrittenDate(year: nil, month: m, day: d), end: k, iso: false, needsClock: true)
      }
      // 14 Jan, 14th of January, 14-Jan-2024
      var k = ordinal(j)
      var sep2 = ch(" ")
      if self[k] == ch("-") || self[k] == ch("/") {
        sep2 = self[k]
        k += 1
      } else {
        let s = spaces(k)
        guard s > k else { return nil }
        k = s
        if isWord(k, "of") { k = spaces(k + 2) }
      }
      guard let (m, me) = month(k) else { return nil }
      var end = me
      var year: Int?
      if sep2 != ch(" ") {
        if self[me] == sep2 {
          let (y, yc) = digits(me + 1)
          if yc == 4 || yc == 2 {
            year = yc == 4 ? y : 2000 + y
            end = me + 1 + yc
          }
        }
      } else if let (y, ye) = yearAfter(me) {
        year = y
        end = ye
      }
      guard !Self.alpha(self[end]), Self.valid(year: year, month: m, day: n1) else { return nil }
      return DateRead(
        date: WrittenDate(year: year, month: m, day: n1), end: end, iso: false, needsClock: false)
    }
    guard Self.alpha(c), let (m, me) = month(i) else { return nil }
    let k = spaces(me)
    guard k > me || self[me - 1] == ch(".") else { return nil }
    let (d, dc) = digits(k)
    guard dc == 1 || dc == 2 else { return nil }
    var end = ordinal(k + dc)
    guard !Self.alnum(self[end]) else { return nil }
    var year: Int?
    if let (y, ye) = yearAfter(end) {
      year = y
      end = ye
    }
    guard Self.valid(year: year, month: m, day: d) else { return nil }
    return DateRead(date: WrittenDate(year: year, month: m, day: d), end: end, iso: false, needsClock: false)
  }

  /// A year after a day: `, 2024` or ` 2024`, not the hour of `10:18`.
  func yearAfter(_ i: Int) -> (year: Int, end: Int)? {
    var p = i
    if self[p] == ch(",") { p += 1 }
    let s = spaces(p)
    guard s > i else { return nil }
    let (y, yc) = digits(s)
    guard yc == 4, !(self[s + 4] == ch(":") && Self.digit(self[s + 5])), !Self.alpha(self[s + 4]),
      !(self[s + 4] == ch(".") && Self.digit(self[s + 5])),
      y >= 1900, y <= 2199
    else { return nil }
    return (y, s + 4)
  }

  // MARK: Clocks

  struct ClockRead {
    var hour: Int
    var minute: Int
    var second: Int?
    var approximate: Bool
    var meridiem: Bool
    /// Written with minutes (`10:18`, `10h18`, `1018Z`), not an hour alone (`10am`).
    var full: Bool
    /// Digits of the hour as written (`8:47` 1, `08:47` 2, `1018Z` 4).
    var hourDigits: Int
    var end: Int
  }

  /// A clock time at `i`: `8:47`, `08:47:12.5`, `10:18 AM`, `10am`, `12:05 a.m.`, `10h18`,
  /// `1018Z`, `10:xx`.
  func clock(_ i: Int) -> ClockRead? {
    let (h, hc) = digits(i)
    guard hc >= 1 else { return nil }
    var j = i + hc
    var hour = h
    var minute = 0
    var second: Int?
    var approximate = false
    var full = false
    if hc <= 2 && self[j] == ch(":") {
      let (m, mc) = digits(j + 1)
      if mc == 2 {
        minute = m
        j += 3
        full = true
        if self[j] == ch(":") && Self.digit(self[j + 1]) {
          let (s, sc) = digits(j + 1)
          guard sc == 2 else { return nil }
          second = s
          j += 3
          if (self[j] == ch(".") || self[j] == ch(",")) && Self.digit(self[j + 1]) {
            j += 1
            while Self.digit(self[j]) { j += 1 }
          }
        }
      } else if mc == 0 && isUnknownPair(j + 1) && !Self.alnum(self[j + 3]) {
        j += 3
        full = true
        approximate = true
      } else if mc == 1 && m <= 5 && (self[j + 2] | 0x20 == ch("x") || self[j + 2] == ch("?"))
        && !Self.alnum(self[j + 3])
      {
        // `10:2x`: some time in the twenties.
        minute = m * 10
        j += 3
        full = true
        approximate = true
      } else {
        return nil
      }
    } else if hc <= 2 && self[j] == ch(".") && Self.digit(self[j + 1]) && Self.digit(self[j + 2])
      && !Self.digit(self[j + 3]) && meridiemAt(self[j + 3] == ch(" ") ? j + 4 : j + 3) != nil
    {
      // `9.05 am`: dotted only with a meridiem (`9.05` alone may be a version or a number).
      minute = Int(self[j + 1] &- 0x30) * 10 + Int(self[j + 2] &- 0x30)
      j += 3
    } else if hc <= 2 && self[j] == ch("h") && Self.digit(self[j + 1]) {
      let (m, mc) = digits(j + 1)
      guard mc == 2 else { return nil }
      minute = m
      j += 3
      full = true
    } else if hc == 4 {
      // Military: `1018Z`, `1018 UTC`.
      let zulu = self[j] | 0x20 == ch("z") && !Self.alnum(self[j + 1])
      let s = spaces(j)
      let named = s == j + 1 && (isWord(s, "utc") || isWord(s, "gmt"))
      let hrs = isWord(j, "hrs") || (s == j + 1 && (isWord(s, "hrs") || isWord(s, "uhr")))
      guard zulu || named || hrs else { return nil }
      hour = h / 100
      minute = h % 100
      full = true
      if hrs { j = letters(s) }
    } else if hc > 2 {
      return nil
    }
    var meridiem = false
    var k = j
    if self[k] == ch(" ") { k += 1 }
    if let (pm, e) = meridiemAt(k) {
      guard hour >= 1, hour <= 12, hc <= 2 else { return nil }
      hour = hour == 12 ? (pm ? 12 : 0) : (pm ? hour + 12 : hour)
      meridiem = true
      j = e
    } else if !full {
      return nil
    }
    guard hour <= 23, minute <= 59, (second ?? 0) <= 59 else { return nil }
    // `10:45~`, `10:45?`, `10:30ish`, `10am-ish`
    if self[j] == ch("~") || (self[j] == ch("?") && !Self.alnum(self[j + 1])) {
      approximate = true
      j += 1
    } else if isWord(j, "ish") {
      approximate = true
      j += 3
    } else if self[j] == ch("-") && isWord(j + 1, "ish") {
      approximate = true
      j += 4
    }
    return ClockRead(
      hour: hour, minute: minute, second: second, approximate: approximate, meridiem: meridiem, full: full,
      hourDigits: hc, end: j)
  }

  /// `xx`, `XX`, `??`, `--`: minutes not known.
  private func isUnknownPair(_ i: Int) -> Bool {
    let a = self[i]
    let b = self[i + 1]
    return (a | 0x20 == ch("x") && b | 0x20 == ch("x")) || (a == ch("?") && b == ch("?"))
      || (a == ch("-") && b == ch("-"))
  }

  /// A time left unwritten: `HH:mm`, `hh:MM`, `--:--`, `??:??`, `xx:xx` (and `:ss`).
  func placeholderClock(_ i: Int) -> Int? {
    func pair(_ k: Int, _ letter: UInt8) -> Bool {
      let a = self[k]
      let b = self[k + 1]
      return (a | 0x20 == letter && b | 0x20 == letter) || isUnknownPair(k)
    }
    guard pair(i, ch("h")), self[i + 2] == ch(":"), pair(i + 3, ch("m")) else { return nil }
    var e = i + 5
    if self[e] == ch(":") && pair(e + 1, ch("s")) { e += 3 }
    return Self.alnum(self[e]) ? nil : e
  }

  /// `am`, `PM`, `a.m.`, `P.M.` at `i`: whether afternoon, and the end.
  func meridiemAt(_ i: Int) -> (pm: Bool, end: Int)? {
    let c = self[i] | 0x20
    guard c == ch("a") || c == ch("p") else { return nil }
    var j = i + 1
    let dotted = self[j] == ch(".")
    if dotted { j += 1 }
    guard self[j] | 0x20 == ch("m") else { return nil }
    j += 1
    if self[j] == ch(".") && (dotted || !Self.alnum(self[j + 1])) { j += 1 }
    guard !Self.alnum(self[j]) else { return nil }
    return (c == ch("p"), j)
  }

  static let durationWords: Set<String> = [
    "min", "mins", "minute", "minutes", "h", "hr", "hrs", "uhr", "hour", "hours", "sec", "secs", "second",
    "seconds",
    "ms",
  ]

  /// The duration unit after `i` (`1:30 hours`), in lower case; nil when none.
  func durationFollows(_ i: Int) -> (word: String, end: Int)? {
    let s = spaces(i)
    let e = letters(s)
    guard e > s, !Self.digit(self[e]) else { return nil }
    let word = lower(s, e)
    return Self.durationWords.contains(word) ? (word, e) : nil
  }

  // MARK: Zones

  /// Where a zone is read: what its name may mean there.
  enum ZoneContext {
    /// Right after a time: `PT`, `ET`, `Pacific` are zones.
    case afterTime
    /// Text about times (a heading with "time", "timeline", "zone"): `PT`, `BST` and
    /// `Pacific` are zones only where a zone is named (`placed`): in parentheses, after "in",
    /// "are", "times" (`Timeline (PT)`, `All times PT`, `Times are in Pacific`).
    case timesText(placed: Bool)
    /// Text about something else: only names that cannot mean anything else.
    case prose
    /// A name on its own: any case for names (`pacific`), upper case for abbreviations.
    case named
  }

  /// `+02:00`, `+0200`, `-5`, `+5:30`, `−03` (Unicode minus) at `i`: seconds and end.
  /// `short` allows one or two digits without minutes.
  func numericOffset(_ i: Int, short: Bool) -> (seconds: Int, end: Int)? {
    var k = i
    let negative: Bool
    switch self[k] {
    case ch("+"):
      negative = false
      k += 1
    case ch("-"):
      negative = true
      k += 1
    case 0xE2 where self[k + 1] == 0x88 && self[k + 2] == 0x92:
      negative = true
      k += 3
    default: return nil
    }
    let (v, n) = digits(k)
    var hours = 0
    var minutes = 0
    var end = k + n
    switch n {
    case 1, 2:
      hours = v
      if self[end] == ch(":") {
        let (m, mc) = digits(end + 1)
        guard mc == 2 else { return nil }
        minutes = m
        end += 3
      } else if !short {
        return nil
      }
    case 4:
      hours = v / 100
      minutes = v % 100
    default: return nil
    }
    guard hours <= 14, minutes <= 59, !Self.alnum(self[end]) else { return nil }
    if self[end] == ch(":") || self[end] == ch("."), Self.digit(self[end + 1]) { return nil }
    let seconds = (hours * 3600 + minutes * 60) * (negative ? -1 : 1)
    return (seconds, end)
  }

  /// A zone named at `i` (which starts a word): `UTC`, `UTC+2`, `GMT-05:00`, `PDT`, `PT`,
  /// `Pacific Time`, `Central European Summer Time`, `Berlin time`, `Europe/Berlin`.
  func zoneWord(_ i: Int, _ context: ZoneContext) -> (zone: WrittenZone, end: Int)? {
    guard Self.alpha(self[i]) else { return nil }
    let e = letters(i)
    let length = e - i
    // UTC and GMT, with an offset or not.
    if length == 3 && (isWord(i, "utc") || isWord(i, "gmt")) {
      var p = e
      if self[p] == ch(" ") && (self[p + 1] == ch("+") || self[p + 1] == ch("-") || self[p + 1] == 0xE2)
        && Self.digit(self[p + 2] == 0x88 ? self[p + 4] : self[p + 2])
      {
        p += 1
      }
      if let (seconds, end) = numericOffset(p, short: true) {
        return (.fixed(label: WrittenZoneTable.offsetLabel(seconds), seconds: seconds), end)
      }
      guard !Self.digit(self[e]), !joined(e) else { return nil }
      if self[i] | 0x20 == ch("g") && self[e] == ch("/") && isWord(e + 1, "bst") {
        return (.region(label: "Europe/London", identifier: "Europe/London"), e + 4)
      }
      let label = self[i] | 0x20 == ch("u") ? "UTC" : "GMT"
      return (.fixed(label: label, seconds: 0), e)
    }
    guard length <= 24 else { return nil }
    // IANA identifiers: `Europe/Berlin`, `America/Argentina/Buenos_Aires`, `US/Eastern`.
    if self[e] == ch("/") || self[e] == ch("_") {
      var t = e
      while Self.alnum(self[t]) || self[t] == ch("/") || self[t] == ch("_") || self[t] == ch("-")
        || self[t] == ch("+"),
        t - i < 48
      {
        t += 1
      }
      while t > e && (self[t - 1] == ch("/") || self[t - 1] == ch("-")) { t -= 1 }
      if endsBefore(t), let id = WrittenZoneTable.identifier(text(i, t)) {
        return (.region(label: id, identifier: id), t)
      }
      if self[e] == ch("_") { return nil }
    }
    // Names in words and cities, for the few words that begin one (most words cost no string).
    let first = WrittenZoneTable.firstWords.contains(Self.packed(self, i, e)) ? lower(i, e) : ""
    if !first.isEmpty, let phrases = WrittenZoneTable.phrases[first] {
      for phrase in phrases {
        var p = e
        var matched = true
        for word in phrase.rest {
          let s = spaces(p)
          guard s > p, isWord(s, word) else {
            matched = false
            break
          }
          p = s + word.utf8.count
        }
        guard matched, endsBefore(p) else { continue }
        if phrase.bare {
          switch context {
          case .afterTime, .named, .timesText(placed: true):
            guard Self.upper(self[i]) || isNamed(context) else { continue }
          default: continue
          }
        }
        return (phrase.entry.zone, p)
      }
    }
    // "Berlin time", "New York time".
    if !first.isEmpty && (Self.upper(self[i]) || isNamed(context)) {
      var p = e
      var key = first
      for _ in 0..<3 {
        let s = spaces(p)
        if s > p, isWord(s, "time"), let id = WrittenZoneTable.cities[key] {
          return (.region(label: id, identifier: id), s + 4)
        }
        let e2 = letters(s)
        guard s > p, e2 > s, Self.upper(self[s]) || isNamed(context) else { break }
        key += "_" + lower(s, e2)
        p = e2
      }
    }
    // Abbreviations.
    guard length >= 2, length <= 5, endsBefore(e), !joined(e) else { return nil }
    var allUpper = true
    for k in i..<e where !Self.upper(self[k]) { allUpper = false }
    guard allUpper, let entry = WrittenZoneTable.abbreviations[text(i, e)] else { return nil }
    // `PST/PDT`, `CET/CEST`: the region whose standard and summer times they are.
    if self[e] == ch("/") && Self.upper(self[e + 1]) {
      let e2 = letters(e + 1)
      if endsBefore(e2), !joined(e2), let zone = WrittenZoneTable.pairs[text(i, e2)] { return (zone, e2) }
    }
    if entry.needsContext {
      switch context {
      case .afterTime, .named, .timesText(placed: true): break
      default: return nil
      }
    }
    return (entry.zone, e)
  }

  /// Whether an identifier goes on at `i` (`utc_offset`, `GMT_2`).
  @inline(__always) func joined(_ i: Int) -> Bool {
    self[i] == ch("_") && Self.alnum(self[i + 1])
  }

  private func isNamed(_ c: ZoneContext) -> Bool {
    if case .named = c { return true }
    return false
  }

  /// The zone written right after a time at `i`: `Z`, `+02:00`, ` UTC`, ` (PST)`, ` PT`,
  /// `UTC` attached. `minusOffset`: whether `-05:00` is an offset there, not a range.
  func zoneAfterTime(_ i: Int, minusOffset: Bool) -> (zone: WrittenZone, end: Int)? {
    let c = self[i]
    if c | 0x20 == ch("z") && endsBefore(i + 1) { return (.fixed(label: "UTC", seconds: 0), i + 1) }
    if c == ch("+") || (minusOffset && (c == ch("-") || c == 0xE2)) {
      if let (seconds, end) = numericOffset(i, short: false) {
        return (.fixed(label: WrittenZoneTable.offsetLabel(seconds), seconds: seconds), end)
      }
    }
    var k = spaces(i)
    guard k - i <= 6 else { return nil }
    if k == i + 1 && (self[k] == ch("+") || (minusOffset && (self[k] == ch("-") || self[k] == 0xE2))),
      let (seconds, end) = numericOffset(k, short: false)
    {
      return (.fixed(label: WrittenZoneTable.offsetLabel(seconds), seconds: seconds), end)
    }
    var paren = false
    if self[k] == ch("(") {
      paren = true
      k = spaces(k + 1)
    }
    guard let (zone, e) = zoneWord(k, .afterTime) else { return nil }
    guard paren else { return refined(zone, e) }
    let close = spaces(e)
    guard self[close] == ch(")") else { return nil }
    return (zone, close + 1)
  }

  /// A zone made precise by the offset or abbreviation in parentheses after it: `IST
  /// (UTC+5:30)` is India's, `Mountain Time (MDT, UTC-6)` is MDT, `Eastern (EDT)` is EDT.
  /// A fixed zone stays as it is (`JST (UTC+9)`, `GMT+0100 (Central European Standard Time)`).
  func refined(_ zone: WrittenZone, _ end: Int) -> (zone: WrittenZone, end: Int) {
    let open = spaces(end)
    guard self[open] == ch("(") else { return (zone, end) }
    let k = spaces(open + 1)
    let inner: (zone: WrittenZone, end: Int)?
    if self[k] == ch("+") || self[k] == ch("-") || self[k] == 0xE2 {
      inner = numericOffset(k, short: true).map {
        (.fixed(label: WrittenZoneTable.offsetLabel($0.seconds), seconds: $0.seconds), $0.end)
      }
    } else {
      inner = zoneWord(k, .afterTime)
    }
    guard let inner else { return (zone, end) }
    var close = spaces(inner.end)
    if self[close] == ch(",") || self[close] == ch(";") {
      var c = close
      while c < b.count && c - close < 32 && self[c] != ch(")") && self[c] != ch("(") { c += 1 }
      close = c
    }
    guard self[close] == ch(")") else { return (zone, end) }
    switch (zone, inner.zone) {
    case (.ambiguous(let label, _), .fixed(_, let seconds)):
      return (.fixed(label: label, seconds: seconds), close + 1)
    case (.region, .fixed): return (inner.zone, close + 1)
    default: return (zone, close + 1)
    }
  }
}
