/// The readers of `WrittenTimes`, over a text's UTF-8 bytes with `WrittenScanner`.
@inline(__always) private func ch(_ s: Unicode.Scalar) -> UInt8 { UInt8(ascii: s) }

extension WrittenTimes {
  /// `body` over the UTF-8 bytes of `text`, without a copy when the string is native.
  static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let r = text.utf8.withContiguousStorageIfAvailable(body) { return r }
    var copy = text
    copy.makeContiguousUTF8()
    return copy.utf8.withContiguousStorageIfAvailable(body)!
  }

  // MARK: leading

  static func readLeading(_ s: WrittenScanner, order: DateOrder) -> WrittenMoment? {
    var i = openers(s, 0)
    var writtenStart = i
    var approximate = false
    var sawWeekday = false
    var between = false
    prefixes: for _ in 0..<5 {
      let c = s[i]
      if c == ch("~") {
        approximate = true
        i = s.spaces(i + 1)
        continue
      }
      if c == 0xE2 && s[i + 1] == 0x89 && s[i + 2] == 0x88 {  // ≈
        approximate = true
        i = s.spaces(i + 3)
        continue
      }
      guard WrittenScanner.alpha(c) else { break }
      let e = s.letters(i)
      guard e - i <= 13 else { break }
      let w = s.lower(i, e)
      switch w {
      case "around", "about", "approximately", "circa", "roughly":
        guard s.spaces(e) > e else { break prefixes }
        approximate = true
        i = s.spaces(e)
      case "approx", "ca", "c", "est":
        let dot = s[e] == ch(".") ? e + 1 : e
        guard s.spaces(dot) > dot || (dot > e && WrittenScanner.digit(s[dot])) else { break prefixes }
        approximate = true
        i = s.spaces(dot)
      case "shortly":
        let w = s.spaces(e)
        guard w > e, s.isWord(w, "after") || s.isWord(w, "before") else { break prefixes }
        approximate = true
        i = s.spaces(s.letters(w))
      case "at", "on", "from", "kl":
        // `kl.` (Danish, Norwegian: klokken)
        let dot = w == "kl" && s[e] == ch(".") ? e + 1 : e
        guard s.spaces(dot) > dot else { break prefixes }
        let moved = writtenStart == i
        i = s.spaces(dot)
        if moved { writtenStart = i }
      case "between":
        guard s.spaces(e) > e else { break prefixes }
        between = true
        let moved = writtenStart == i
        i = s.spaces(e)
        if moved { writtenStart = i }
      default:
        guard !sawWeekday, let w = s.weekday(i) else { break prefixes }
        sawWeekday = true
        i = w
      }
    }

    var date: WrittenDate?
    var clock: WrittenScanner.ClockRead?
    var end: Int
    var iso = false
    if let d = s.date(i, order: order) {
      date = d.date
      end = d.end
      iso = d.iso
      if let (c, ce) = clockAfterDate(s, d.end, iso: d.iso) {
        clock = c
        end = ce
      } else if let pe = placeholderAfterDate(s, d.end) {
        end = pe
      } else if d.needsClock {
        return nil
      } else {
        // A date alone: not a range (`Jan 14-15`), not part of a longer number.
        let c = s[end]
        if (c == ch("-") || c == ch("/") || c == ch(".") || c == ch(":")) && WrittenScanner.digit(s[end + 1])
        {
          return nil
        }
        // `Jan 13 – 14`, `2024-01-13 - 2024-01-14`
        let k = s.spaces(end)
        let dash =
          s[k] == ch("-")
          ? 1 : (s[k] == 0xE2 && s[k + 1] == 0x80 && (s[k + 2] == 0x93 || s[k + 2] == 0x94)) ? 3 : 0
        if dash > 0 && WrittenScanner.digit(s[s.spaces(k + dash)]) { return nil }
      }
    } else if let c = s.clock(i) {
      clock = c
      end = c.end
    } else if let c = noonOrMidnight(s, i) {
      clock = c
      end = c.end
    } else {
      return nil
    }

    var zone: WrittenZone?
    var until: WrittenClock?
    if var c = clock {
      approximate = approximate || c.approximate
      // `14:00 hrs` is a time; `1:30 hrs`, `10:00 minutes` are durations.
      if !c.meridiem, let (word, we) = s.durationFollows(end) {
        guard (word == "hrs" || word == "h" || word == "uhr") && c.hourDigits == 2 && c.second == nil else {
          return nil
        }
        end = we
      }
      if let (z, ze) = s.zoneAfterTime(end, minusOffset: iso || c.second != nil) {
        zone = z
        end = ze
      } else if let (last, re) = rangeEnd(s, end, first: &c, between: between) {
        // `09:00 - 11:00 UTC`, `10:00–11:30 PM`: the zone written once for both.
        clock = c
        until = WrittenClock(hour: last.hour, minute: last.minute, second: last.second)
        end = last.end
        if let (z, ze) = s.zoneAfterTime(end, minusOffset: false) {
          zone = z
          end = ze
        } else {
          end = re
        }
      }
      // `10:18 UTC on Jan 14`
      if date == nil {
        let k = s.spaces(end)
        let d0 = s.spaces(k + 2)
        if k > end && s.isWord(k, "on") && d0 > k + 2,
          let d = s.date(s.weekday(d0) ?? d0, order: order), !d.needsClock
        {
          date = d.date
          end = d.end
        }
      }
      // `Tue Jan 14 10:18:00 UTC 2024`
      if var d = date, d.year == nil, let (y, ye) = s.yearAfter(end),
        WrittenScanner.valid(year: y, month: d.month, day: d.day)
      {
        d.year = y
        date = d
        end = ye
      }
    }
    if s[end] == ch("~") {
      approximate = true
      end += 1
    } else if clock != nil, let e = approximateNote(s, end) {
      approximate = true
      end = e
    }
    // The moment ends here: not inside a longer word or number (`1.2.3`, `10:18:12:14`).
    let after = s[end]
    if WrittenScanner.alnum(after) { return nil }
    if (after == ch(".") || after == ch(":") || after == ch("/") || after == ch(","))
      && WrittenScanner.digit(s[end + 1])
    {
      return nil
    }
    if after >= 0x80 && s.punctuation(end) == 0 { return nil }

    let written = s.text(writtenStart, end)
    let rest = restAfter(s, end)
    return WrittenMoment(
      date: date,
      clock: clock.map { WrittenClock(hour: $0.hour, minute: $0.minute, second: $0.second) },
      zone: zone, approximate: approximate, written: written, rest: rest, until: until)
  }

  /// The end of a range of times after `i` (`- 11:00`, `–11:30 PM`, ` to 11:00`), both with
  /// minutes or a meridiem; a first time without a meridiem takes the second's afternoon.
  static func rangeEnd(
    _ s: WrittenScanner, _ i: Int, first: inout WrittenScanner.ClockRead, between: Bool = false
  ) -> (WrittenScanner.ClockRead, Int)? {
    var k = s.spaces(i)
    if between {
      guard k > i, s.isWord(k, "and") else { return nil }
      k += 3
      guard s.spaces(k) > k else { return nil }
    } else if s[k] == ch("-") {
      k += 1
    } else if s[k] == 0xE2 && s[k + 1] == 0x80 && (s[k + 2] == 0x93 || s[k + 2] == 0x94) {
      k += 3
    } else if k > i && (s.isWord(k, "to") || s.isWord(k, "until")) {
      k = s.letters(k)
      guard s.spaces(k) > k else { return nil }
    } else {
      return nil
    }
    k = s.spaces(k)
    guard let last = s.clock(k), last.full || last.meridiem, first.full || first.meridiem else { return nil }
    if s.durationFollows(last.end) != nil { return nil }
    if last.meridiem && !first.meridiem && first.hourDigits <= 2 && first.hour >= 1 && first.hour < 12
      && last.hour >= 12 && first.hour + 12 <= last.hour
    {
      first.hour += 12
    }
    return (last, last.end)
  }

  /// ` (approx.)`, ` (estimated)`, ` (?)` after a time: its end.
  static func approximateNote(_ s: WrittenScanner, _ i: Int) -> Int? {
    let open = s.spaces(i)
    guard s[open] == ch("(") else { return nil }
    var k = s.spaces(open + 1)
    if s[k] == ch("?") {
      k += 1
    } else {
      let e = s.letters(k)
      switch s.lower(k, e) {
      case "approx", "approximately", "approximate", "est", "estimated", "roughly", "about", "circa", "ca":
        k = s[e] == ch(".") ? e + 1 : e
      default: return nil
      }
    }
    k = s.spaces(k)
    return s[k] == ch(")") ? k + 1 : nil
  }

  /// `noon`, `midnight`, when a separator or a zone follows (`Noon - deploy`, `midnight UTC:`).
  static func noonOrMidnight(_ s: WrittenScanner, _ i: Int) -> WrittenScanner.ClockRead? {
    let e = s.letters(i)
    let hour: Int
    switch s.lower(i, e) {
    case "noon": hour = 12
    case "midnight": hour = 0
    default: return nil
    }
    let k = s.spaces(e)
    let c = s[k]
    let separated =
      c == 0 || c == ch("-") || c == ch(":") || c == ch("|") || c == ch(",") || c == ch("]") || c == ch(")")
      || c == ch("*") || (c == 0xE2 && s[k + 1] == 0x80) || s.zoneAfterTime(e, minusOffset: false) != nil
    guard separated else { return nil }
    return WrittenScanner.ClockRead(
      hour: hour, minute: 0, second: nil, approximate: false, meridiem: true, full: true, hourDigits: 0,
      end: e)
  }

  /// Past blanks and the marks a caller may leave before a moment: `[`, `(`, `**`, `` ` ``, `_`.
  static func openers(_ s: WrittenScanner, _ i: Int) -> Int {
    var i = i
    while true {
      let c = s[i]
      if c == ch("[") || c == ch("(") || c == ch("*") || c == ch("_") || c == ch("`") || c == ch("\n")
        || c == ch("\r")
      {
        i += 1
      } else if s.spaces(i) > i {
        i = s.spaces(i)
      } else {
        return i
      }
    }
  }

  /// The clock after a date: `T10:18`, ` 10:18`, `, 10:18 AM`, ` at 10am`, ` @ 10:18`,
  /// ` - 10:18`.
  static func clockAfterDate(_ s: WrittenScanner, _ j: Int, iso: Bool) -> (WrittenScanner.ClockRead, Int)? {
    if iso && (s[j] == ch("T") || s[j] == ch("t")) && WrittenScanner.digit(s[j + 1]) {
      guard let c = s.clock(j + 1), c.full else { return nil }
      return (c, c.end)
    }
    guard let (k, dash) = afterDateSeparator(s, j) else { return nil }
    guard let c = s.clock(k), !dash || c.full else { return nil }
    return (c, c.end)
  }

  /// A time left unwritten after a date (`2021-12-10 HH:mm`, `2019-12-03 --:--`).
  static func placeholderAfterDate(_ s: WrittenScanner, _ j: Int) -> Int? {
    if s.spaces(j) > j, let e = s.placeholderClock(s.spaces(j)) { return e }
    guard let (k, _) = afterDateSeparator(s, j) else { return nil }
    return s.placeholderClock(k)
  }

  /// Where a time may start after a date, and whether a dash came between.
  static func afterDateSeparator(_ s: WrittenScanner, _ j: Int) -> (Int, Bool)? {
    var k = s.spaces(j)
    var dash = false
    if s[k] == ch(",") || s[k] == ch("@") {
      k = s.spaces(k + 1)
    } else if k > j
      && (s[k] == ch("-") || (s[k] == 0xE2 && s[k + 1] == 0x80 && (s[k + 2] == 0x93 || s[k + 2] == 0x94)))
    {
      let after = s[k] == ch("-") ? k + 1 : k + 3
      guard s.spaces(after) > after else { return nil }
      k = s.spaces(after)
      dash = true
    } else if k == j {
      return nil
    }
    if s.isWord(k, "at") && s.spaces(k + 2) > k + 2 { k = s.spaces(k + 2) }
    return (k, dash)
  }

  /// The text after a moment: past closing marks and one separator, trimmed.
  static func restAfter(_ s: WrittenScanner, _ end: Int) -> String {
    // Closing marks right after the moment (`]`, `**`, `` ` ``, `)`), not the next one's opening.
    var k = s.spaces(end)
    var closed = false
    while true {
      let c = s[k]
      guard c == ch("]") || c == ch(")") || c == ch("*") || c == ch("_") || c == ch("`") else { break }
      k += 1
      closed = true
    }
    if closed { k = s.spaces(k) }
    let c = s[k]
    switch c {
    case ch("-"), ch("="):
      k += 1
      if s[k] == ch(">") || s[k] == ch("-") { k += 1 }
    case ch(":"), ch("|"), ch(","), ch(";"), ch(">"):
      k += 1
    case ch("."):
      if s[k + 1] == ch(" ") || s[k + 1] == 0 { k += 1 }
    case 0xE2:
      // – — → •
      if (s[k + 1] == 0x80 && (s[k + 2] == 0x93 || s[k + 2] == 0x94 || s[k + 2] == 0xA2)) || s[k + 1] == 0x86
      {
        k += 3
      }
    default: break
    }
    while s.spaces(k) > k || s[k] == ch("\n") || s[k] == ch("\r") { k = s[k] < 0x80 ? k + 1 : s.spaces(k) }
    var e = s.b.count
    while e > k, s[e - 1] == ch(" ") || s[e - 1] == ch("\t") || s[e - 1] == ch("\n") || s[e - 1] == ch("\r") {
      e -= 1
    }
    return s.text(k, e)
  }

  // MARK: day

  /// Texts longer than this name more than a day.
  static let dayTextLimit = 160

  static func readDay(_ s: WrittenScanner, order: DateOrder) -> WrittenDate? {
    guard s.b.count <= dayTextLimit else { return nil }
    func mark(_ c: UInt8) -> Bool {
      c == ch("#") || c == ch("*") || c == ch("_") || c == ch("`") || c == ch("=") || c == ch(" ")
        || c == ch("\t")
        || c == ch("\r") || c == ch("\n")
    }
    var i = 0
    while i < s.b.count && mark(s[i]) { i += 1 }
    var end = s.b.count
    while end > i && (mark(s[end - 1]) || s[end - 1] == ch(":") || s[end - 1] == ch(".")) { end -= 1 }
    if s.isWord(i, "on") && s.spaces(i + 2) > i + 2 { i = s.spaces(i + 2) }
    // `Day 2 - January 15`, `Day 2 (Jan 15, 2024)`, `Day 2: Jan 15`
    var paren = false
    if s.isWord(i, "day") {
      let n = s.spaces(i + 3)
      let (_, dc) = s.digits(n)
      guard n > i + 3, dc >= 1, dc <= 3 else { return nil }
      var k = s.spaces(n + dc)
      switch s[k] {
      case ch("("):
        paren = true
        k += 1
      case ch("-"), ch(":"), ch(","), ch("|"), ch("/"): k += 1
      case 0xE2 where s[k + 1] == 0x80 && (s[k + 2] == 0x93 || s[k + 2] == 0x94): k += 3
      default: return nil
      }
      i = s.spaces(k)
    }
    if let w = s.weekday(i) {
      i = w
      // `Monday (2024-01-15)`
      if s[i] == ch("(") && !paren {
        paren = true
        i = s.spaces(i + 1)
      }
    }
    guard let d = s.date(i, order: order), !d.needsClock else { return nil }
    var k = s.spaces(d.end)
    // `January 14 - Day 1`
    if k < end && k > d.end || s[k] == ch(",") {
      var sep = k
      if s[sep] == ch("-") || s[sep] == ch(",") || s[sep] == ch(":") || s[sep] == ch("|") {
        sep += 1
      } else if s[sep] == 0xE2 && s[sep + 1] == 0x80 && (s[sep + 2] == 0x93 || s[sep + 2] == 0x94) {
        sep += 3
      }
      if sep > k, let e = dayLabel(s, s.spaces(sep)), s.spaces(e) >= end { return d.date }
    }
    // `(Tuesday)`, `(all times UTC)`: a note in parentheses that names no other date.
    if k < end && s[k] == ch("(") && !paren {
      var close = k + 1
      var hasDigit = false
      while close < end && s[close] != ch(")") {
        if WrittenScanner.digit(s[close]) { hasDigit = true }
        close += 1
      }
      guard close < end else { return nil }
      if hasDigit && dayLabel(s, s.spaces(k + 1)).map({ s.spaces($0) == close }) != true {
        let inner = String(decoding: UnsafeBufferPointer(rebasing: s.b[(k + 1)..<close]), as: UTF8.self)
        guard withBytes(inner, { readZone(WrittenScanner($0)) }) != nil else { return nil }
      }
      k = s.spaces(close + 1)
    }
    if paren {
      guard s[k] == ch(")") else { return nil }
      k = s.spaces(k + 1)
    }
    return k >= end ? d.date : nil
  }

  /// The end of `Day 2` at `i`.
  static func dayLabel(_ s: WrittenScanner, _ i: Int) -> Int? {
    guard s.isWord(i, "day") else { return nil }
    let n = s.spaces(i + 3)
    let (_, dc) = s.digits(n)
    guard n > i + 3, dc >= 1, dc <= 3, !WrittenScanner.alpha(s[n + dc]) else { return nil }
    return n + dc
  }

  // MARK: zone(in:)

  static let timesWords: Set<UInt64> = packedSet([
    "time", "times", "timezone", "timezones", "timeline", "timestamp", "timestamps", "zone", "zones", "tz",
    "utc", "gmt",
  ])

  static func packedSet(_ words: [String]) -> Set<UInt64> {
    Set(words.map { WrittenScanner.packed(Substring($0)) })
  }

  /// Whether a text speaks of times or zones (so that `PT` in it is a zone).
  static func speaksOfTimes(_ s: WrittenScanner) -> Bool {
    var i = 0
    let n = s.b.count
    while i < n {
      if WrittenScanner.alpha(s[i]) && s.startsAt(i) {
        let e = s.letters(i)
        if e - i >= 2 && e - i <= 10 && timesWords.contains(WrittenScanner.packed(s, i, e)) { return true }
        i = e
      } else {
        i += 1
      }
    }
    return false
  }

  /// Words after which a zone is named: "in PT", "times are Pacific", "All times ET".
  static let zoneLeadWords: Set<UInt64> = packedSet([
    "in", "are", "is", "times", "timezone", "zone", "tz", "timeline", "timestamps", "as",
  ])

  static func readZone(_ s: WrittenScanner) -> WrittenZone? {
    let n = s.b.count
    var i = 0
    var clockEnd = -10  // where the last time read ended
    var previousWord: UInt64 = 0
    var times: Bool?
    while i < n {
      let c = s[i]
      if WrittenScanner.digit(c) {
        guard s.startsAt(i) else {
          i += 1
          continue
        }
        if let clock = s.clock(i) {
          if let (z, _) = s.zoneAfterTime(clock.end, minusOffset: clock.second != nil) { return z }
          clockEnd = clock.end
          i = clock.end
        } else {
          i += max(1, s.digits(i).count)
        }
        previousWord = 0
        continue
      }
      if (c == ch("+") || c == ch("-") || c == 0xE2) && s.startsAt(i) {
        if let (seconds, e) = s.numericOffset(i, short: false) {
          if times == nil { times = speaksOfTimes(s) }
          if times == true { return .fixed(label: WrittenZoneTable.offsetLabel(seconds), seconds: seconds) }
          i = e
          continue
        }
        i += 1
        continue
      }
      if WrittenScanner.alpha(c) {
        guard s.startsAt(i), !(s[i - 1] == ch("_") && WrittenScanner.alnum(s[i - 2])) else {
          i = s.letters(i)
          continue
        }
        // A time just before: only blanks or an opening parenthesis between.
        var k = i - 1
        while k > clockEnd && (s[k] == ch(" ") || s[k] == ch("(")) { k -= 1 }
        let context: WrittenScanner.ZoneContext
        if clockEnd >= 0 && k == clockEnd - 1 {
          context = .afterTime
        } else if WrittenScanner.upper(c) {
          if times == nil { times = speaksOfTimes(s) }
          let placed = zoneLeadWords.contains(previousWord) || s[i - 1] == ch("(") || s[i - 1] == ch("[")
          context = times == true ? .timesText(placed: placed) : .prose
        } else {
          context = .prose
        }
        if let (z, e) = s.zoneWord(i, context) { return s.refined(z, e).zone }
        let e = s.letters(i)
        previousWord = WrittenScanner.packed(s, i, e)
        i = e
        continue
      }
      i += 1
    }
    return nil
  }

  // MARK: zone(named:)

  static func readNamedZone(_ s: WrittenScanner) -> WrittenZone? {
    var i = 0
    var end = s.b.count
    func blank(_ c: UInt8) -> Bool { c == ch(" ") || c == ch("\t") || c == ch("\n") || c == ch("\r") }
    func mark(_ c: UInt8) -> Bool { c == ch("*") || c == ch("_") || c == ch("`") }
    while i < end && (blank(s[i]) || s[i] == ch("(") || s[i] == ch("[") || mark(s[i])) { i += 1 }
    while end > i
      && (blank(s[end - 1]) || s[end - 1] == ch(")") || s[end - 1] == ch("]") || mark(s[end - 1])
        || s[end - 1] == ch(".") || s[end - 1] == ch(":") || s[end - 1] == ch(","))
    {
      end -= 1
    }
    guard end > i, end - i <= 64 else { return nil }
    if end - i == 1 && s[i] == ch("Z") { return .fixed(label: "UTC", seconds: 0) }
    if s[i] == ch("+") || s[i] == ch("-") || s[i] == 0xE2 {
      guard let (seconds, e) = s.numericOffset(i, short: false), e == end else { return nil }
      return .fixed(label: WrittenZoneTable.offsetLabel(seconds), seconds: seconds)
    }
    guard let (word, wordEnd) = s.zoneWord(i, .named) else { return nil }
    let (zone, e) = s.refined(word, wordEnd)
    if e >= end { return zone }
    // `Pacific Time (PT)`: a name and its abbreviation.
    let open = s.spaces(e)
    guard s[open] == ch("("), let (_, e2) = s.zoneWord(s.spaces(open + 1), .named) else { return nil }
    let close = s.spaces(e2)
    return s[close] == ch(")") && close + 1 >= end ? zone : nil
  }

  // MARK: dateOrder

  /// Evidence for the order of numeric dates in `s`: (day-first, month-first) counts.
  static func orderEvidence(_ s: WrittenScanner) -> (dayFirst: Int, monthFirst: Int) {
    var dayFirst = 0
    var monthFirst = 0
    let n = s.b.count
    var i = 0
    while i < n {
      guard WrittenScanner.digit(s[i]) else {
        i += 1
        continue
      }
      let (a, ac) = s.digits(i)
      let before = i > 0 ? s[i - 1] : 0
      let j = i + ac
      let sep = s[j]
      defer { i = max(i + 1, j) }
      guard ac <= 2, s.startsAt(i), before != ch("-"), before != ch("/"), before != ch("."),
        before != ch(":"),
        sep == ch("-") || sep == ch("/") || sep == ch(".")
      else { continue }
      let (b, bc) = s.digits(j + 1)
      guard bc >= 1, bc <= 2 else { continue }
      let k = j + 1 + bc
      var dated = false
      if s[k] == sep {
        let (_, yc) = s.digits(k + 1)
        dated =
          (yc == 4 || yc == 2) && !WrittenScanner.alnum(s[k + 1 + yc])
          && !((s[k + 1 + yc] == sep || s[k + 1 + yc] == ch(".")) && WrittenScanner.digit(s[k + 2 + yc]))
        if dated && yc == 2 && sep != ch("/") && (ac != 2 || bc != 2) { dated = false }
      } else if sep != ch("."), ac == 2, bc == 2, s[k] == ch(" ") {
        // `01-14 10:18`: a date without a year, before a time.
        dated = s.clock(s.spaces(k))?.full == true
      }
      guard dated, a >= 1, b >= 1, a <= 31, b <= 31 else { continue }
      if a > 12 && b <= 12 { dayFirst += 1 }
      if b > 12 && a <= 12 { monthFirst += 1 }
    }
    return (dayFirst, monthFirst)
  }
}
