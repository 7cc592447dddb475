/// Times, dates and zones as people write them in post-mortems: `10:18 AM`, `Jan 14, 10:18`,
/// `[01-14 10:18]`, `14-01-2024 10:18`, `**16:58 UTC**`, `2pm PT`, "All times in CEST".
///
/// A document's reader asks for the moment at the start of a row's text (`leading`), for
/// the day a heading names (`day`), and for the zone a heading or note states (`zone(in:)`);
/// it then places each row with `instant(on:zone:)`. An ambiguous abbreviation (CST, IST,
/// BST) is kept as such and gives no instant: it is reported, never guessed.

/// Which comes first in a numeric date that does not say (`03/04/2024`).
public enum DateOrder: Sendable, Equatable {
  case monthFirst, dayFirst, unknown
}

/// A date as written; `year` is nil when the text gives none (`Jan 14`, `[01-14 10:18]`).
public struct WrittenDate: Sendable, Equatable, Hashable {
  public var year: Int?
  public var month: Int
  public var day: Int
  public init(year: Int?, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }
}

/// A clock time on the 24-hour clock (`10:18 PM` is hour 22); `second` nil when not written.
public struct WrittenClock: Sendable, Equatable, Hashable {
  public var hour: Int
  public var minute: Int
  public var second: Int?
  public init(hour: Int, minute: Int, second: Int? = nil) {
    self.hour = hour
    self.minute = minute
    self.second = second
  }
}

/// A time zone as a document names it.
public enum WrittenZone: Sendable, Equatable, Hashable {
  /// A fixed offset: UTC, Z, GMT, CEST, PDT, `UTC+2`, `+05:30`.
  case fixed(label: String, seconds: Int)
  /// A region whose offset depends on the date: PT, ET, "Pacific Time", `America/New_York`.
  case region(label: String, identifier: String)
  /// An abbreviation with several meanings (CST: US Central or China; IST: India, Israel or
  /// Ireland): reported as such, never guessed.
  case ambiguous(label: String, meanings: [String])

  /// The zone as the document wrote it, normalised (`PDT`, `UTC+02:00`, `PT`).
  public var label: String {
    switch self {
    case .fixed(let label, _), .region(let label, _), .ambiguous(let label, _): label
    }
  }

  /// Seconds east of UTC at a local date and time; nil when ambiguous.
  public func offset(year: Int, month: Int, day: Int, hour: Int, minute: Int) -> Int? {
    switch self {
    case .fixed(_, let seconds): seconds
    case .region(_, let identifier):
      WrittenZoneTable.offset(
        identifier: identifier, year: year, month: month, day: day, hour: hour, minute: minute)
    case .ambiguous: nil
    }
  }
}

/// A moment read at the start of a text: a date, a clock time, or both, with the zone written
/// beside them.
public struct WrittenMoment: Sendable, Equatable {
  public var date: WrittenDate?
  public var clock: WrittenClock?
  public var zone: WrittenZone?
  /// `~10:00`, `around 10am`, `10:xx`, `approx. 14:00`: read, but not an exact time.
  public var approximate: Bool
  /// What the moment was read from, as written (`Jan 14, 10:18 AM PT`).
  public var written: String
  /// The text after the moment and its separator (`-`, `–`, `:`, `|`, `]`), trimmed.
  public var rest: String
  /// The end of a range of times written at the start (`09:00 - 11:00 UTC`: 11:00), on the
  /// moment's date and in its zone; `clock` is the start.
  public var until: WrittenClock?

  public init(
    date: WrittenDate? = nil, clock: WrittenClock? = nil, zone: WrittenZone? = nil, approximate: Bool = false,
    written: String, rest: String, until: WrittenClock? = nil
  ) {
    self.date = date
    self.clock = clock
    self.zone = zone
    self.approximate = approximate
    self.written = written
    self.rest = rest
    self.until = until
  }

  /// The instant this moment names, its date and zone filled from the context when it does
  /// not write them (a day heading above it, the document's date, the zone the timeline
  /// states). Nil without a clock, without a full date (year included), or with an
  /// ambiguous or missing zone.
  public func instant(on fallbackDate: WrittenDate?, zone fallbackZone: WrittenZone?) -> Timestamp? {
    guard let clock, let d = date ?? fallbackDate else { return nil }
    guard let year = d.year ?? fallbackDate.flatMap({ Self.nearestYear(month: d.month, day: d.day, to: $0) })
    else {
      return nil
    }
    guard let zone = zone ?? fallbackZone,
      let offset = zone.offset(year: year, month: d.month, day: d.day, hour: clock.hour, minute: clock.minute)
    else { return nil }
    let days = CivilDate.days(year: Int64(year), month: Int64(d.month), day: Int64(d.day))
    let seconds =
      days * 86_400 + Int64(clock.hour) * 3600 + Int64(clock.minute) * 60 + Int64(clock.second ?? 0)
      - Int64(offset)
    return Timestamp(milliseconds: seconds * 1000)
  }

  /// The year of a month and day read on a dated day: that day's year, or the one next to it
  /// across New Year (`Jan 2` read on 31 December 2024 is in 2025, within 61 days). Nil when
  /// the day has no year, or the date is not in its year (29 February).
  static func nearestYear(month: Int, day: Int, to near: WrittenDate) -> Int? {
    guard let y = near.year else { return nil }
    let target = CivilDate.days(year: Int64(y), month: Int64(near.month), day: Int64(near.day))
    func distance(_ year: Int) -> Int64? {
      guard day <= Int(CivilDate.daysInMonth(year: Int64(year), month: Int64(month))) else { return nil }
      return abs(CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)) - target)
    }
    for year in [y - 1, y + 1] {
      if let d = distance(year), d <= 61 { return year }
    }
    return distance(y) == nil ? nil : y
  }
}

/// The readers.
public enum WrittenTimes {
  /// The moment at the start of `text` (a table cell, a list item, a heading, a paragraph's
  /// first line), after any bracket, bold or code marks the caller left. Nil when the text
  /// does not start with a time or a date.
  ///
  /// Clocks: `8:47`, `08:47:12.5`, `10:18 AM`, `10am`, `12:05 a.m.`, `9.05 pm`, `10h18`,
  /// `1018Z`, `14:00 hrs`, `noon -`; approximate: `~10:00`, `around 10am`, `approx. 14:00`,
  /// `10:xx`, `10:2x`, `10:45~`, `10:30ish`; a range `09:00 - 11:00 UTC` (the end in
  /// `until`). Dates before the clock: `2024-01-14`, `2024-01-14T10:18:00+02:00`,
  /// `14-01-2024`, `01/14/24`, `14.01.2024` (by `order`, else by the rule in `dateOrder`),
  /// `[01-14 10:18]` (month first), `Jan 14`, `January 14th, 2024 at`, `14 Jan 2024`,
  /// `Tue Jan 14 10:18:00 UTC 2024`; after it: `10:18 UTC on Jan 14`. Zones right after the
  /// time: `Z`, `+02:00`, `UTC`, `(PST)`, `PT`, `Pacific`, `UTC+5:30`, `Europe/Berlin`.
  /// Prefixes `At`, `On`, `Between ... and`, `From ... to`, `kl.` and a weekday are read past.
  /// Not moments: `T+5m`, `v2.3.0`, `1.2.3`, `3:1`, `10 minutes`, `1:30 hours`, IP
  /// addresses, `24:00`, `99:99`, `2025-02-30`, a date range (`Jan 14-15`), digits other
  /// than ASCII.
  public static func leading(_ text: String, order: DateOrder = .unknown) -> WrittenMoment? {
    withBytes(text) { readLeading(WrittenScanner($0), order: order) }
  }

  /// The day a whole heading or short line names: `January 14, 2024`, `Tuesday 14 Jan`,
  /// `2024-01-14`, `Day 2 (Jan 15)`, `Day 2 - January 15`, `January 14 (Day 1)`,
  /// `14/01/2024`, `2024-01-14 (all times UTC)`. Nil when it names no single day: a range
  /// (`Jan 14-15`), a date with a time, a sentence that mentions a date, a text over 160
  /// bytes.
  public static func day(_ text: String, order: DateOrder = .unknown) -> WrittenDate? {
    guard text.utf8.count <= dayTextLimit else { return nil }
    return withBytes(text) { readDay(WrittenScanner($0), order: order) }
  }

  /// The zone a heading or note states anywhere in it: "Timeline (UTC)", "All times are
  /// Pacific Time", "times in CEST", "(UTC+2)". Nil when it names none. The first zone
  /// named wins. Whole words only, abbreviations in upper case (`best`, `est` are none);
  /// abbreviations that are also other words (`PT`, `ET`, `BST`, `AST`, `ART`, `MSK`) and
  /// bare region names (`Pacific`) name a zone after a time (`10:18 PT`), or in text about
  /// times where a zone goes (`Timeline (PT)`, `All times ET`, `Times are in Pacific`).
  /// Parentheses after a zone make it precise: `IST (UTC+5:30)` is a fixed offset, not
  /// ambiguous; `Mountain Time (MDT, UTC-6)` is MDT.
  public static func zone(in text: String) -> WrittenZone? {
    withBytes(text) { readZone(WrittenScanner($0)) }
  }

  /// A zone name or abbreviation on its own: `UTC`, `utc`, `PST`, `Europe/Berlin`, `Eastern`, `pacific`
  /// (names in any case, abbreviations in upper case: `est` is no zone).
  public static func zone(named name: String) -> WrittenZone? {
    withBytes(name) { readNamedZone(WrittenScanner($0)) }
  }

  /// The order a document's numeric dates use, from all of them together: day-first when one
  /// has a first number above 12, month-first when one has a second number above 12 (the
  /// more frequent when both occur; `.unknown` on a tie or without evidence). Only dates with
  /// a year last (`14/01/2024`, `14.01.24`) or before a time (`01-14 10:18`) count; versions,
  /// fractions and addresses do not. With `.unknown`, `leading` and `day` read `03/04/2024`
  /// month-first, `03-04-2024` and `03.04.2024` day-first, `[03-04 10:18]` month-first.
  public static func dateOrder(of texts: some Sequence<String>) -> DateOrder {
    var dayFirst = 0
    var monthFirst = 0
    for text in texts {
      let (d, m) = withBytes(text) { orderEvidence(WrittenScanner($0)) }
      dayFirst += d
      monthFirst += m
    }
    return dayFirst > monthFirst ? .dayFirst : monthFirst > dayFirst ? .monthFirst : .unknown
  }
}
