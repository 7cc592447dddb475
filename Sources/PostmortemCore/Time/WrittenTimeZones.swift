import Foundation

/// The zone names `WrittenTimes` knows: abbreviations, names written out in words, cities
/// ("Berlin time") and IANA identifiers.
enum WrittenZoneTable {
  /// A zone and whether its name also reads as something else (`PT`, `ART`, `BST`, `WEST`),
  /// so that it names a zone only after a time or in text about times.
  struct Entry: Sendable {
    let zone: WrittenZone
    let needsContext: Bool
  }

  /// A name written out in words, after its first word (`pacific` then `standard`, `time`).
  struct Phrase: Sendable {
    let rest: [String]
    let entry: Entry
    /// A region's bare name (`Pacific`, `Eastern`): a zone only after a time, or as a name
    /// on its own.
    let bare: Bool
  }

  static func fixed(_ label: String, _ seconds: Int) -> WrittenZone { .fixed(label: label, seconds: seconds) }

  /// `UTC`, `UTC+02:00`, `UTC-05:30`: the label of a fixed offset.
  static func offsetLabel(_ seconds: Int) -> String {
    if seconds == 0 { return "UTC" }
    let sign = seconds < 0 ? "-" : "+"
    let a = abs(seconds)
    let h = a / 3600
    let m = a % 3600 / 60
    return "UTC" + sign + (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
  }

  /// Upper-case abbreviations.
  static let abbreviations: [String: Entry] = {
    var t: [String: Entry] = [:]
    func f(_ a: String, _ minutes: Int, context: Bool = false) {
      t[a] = Entry(zone: .fixed(label: a, seconds: minutes * 60), needsContext: context)
    }
    func r(_ a: String, _ id: String) {
      t[a] = Entry(zone: .region(label: a, identifier: id), needsContext: true)
    }
    func amb(_ a: String, _ meanings: [String], context: Bool = false) {
      t[a] = Entry(zone: .ambiguous(label: a, meanings: meanings), needsContext: context)
    }
    f("UTC", 0)
    f("GMT", 0)
    f("CET", 60)
    f("CEST", 120)
    f("EET", 120)
    f("EEST", 180)
    f("WET", 0, context: true)
    f("WEST", 60, context: true)
    f("MSK", 180, context: true)  // also Amazon's managed Kafka
    f("SAST", 120)
    f("PST", -480)
    f("PDT", -420)
    f("MST", -420)
    f("MDT", -360)
    f("CDT", -300)
    f("EST", -300)
    f("EDT", -240)
    f("ADT", -180, context: true)
    f("AKST", -540)
    f("AKDT", -480)
    f("HST", -600)
    f("JST", 540)
    f("KST", 540)
    f("AEST", 600)
    f("AEDT", 660)
    f("ACST", 570)
    f("ACDT", 630)
    f("AWST", 480)
    f("NZST", 720)
    f("NZDT", 780)
    f("SGT", 480)
    f("HKT", 480)
    f("BRT", -180)
    f("ART", -180, context: true)
    r("PT", "America/Los_Angeles")
    r("ET", "America/New_York")
    r("CT", "America/Chicago")
    r("MT", "America/Denver")
    amb("CST", ["US Central (UTC-6)", "China (UTC+8)", "Cuba (UTC-5)"])
    amb("IST", ["India (UTC+5:30)", "Israel (UTC+2)", "Irish (UTC+1)"])
    amb("BST", ["British Summer (UTC+1)", "Bangladesh (UTC+6)"], context: true)
    amb("AST", ["Atlantic (UTC-4)", "Arabia (UTC+3)"], context: true)
    amb("ECT", ["Ecuador (UTC-5)", "Eastern Caribbean (UTC-4)"], context: true)
    return t
  }()

  /// A standard and a summer abbreviation written together (`PST/PDT`): the region.
  static let pairs: [String: WrittenZone] = {
    var t: [String: WrittenZone] = [:]
    func pair(_ a: String, _ b: String, _ label: String, _ id: String) {
      t[a + "/" + b] = .region(label: label, identifier: id)
      t[b + "/" + a] = .region(label: label, identifier: id)
    }
    pair("PST", "PDT", "PT", "America/Los_Angeles")
    pair("MST", "MDT", "MT", "America/Denver")
    pair("CST", "CDT", "CT", "America/Chicago")
    pair("EST", "EDT", "ET", "America/New_York")
    pair("AKST", "AKDT", "AKT", "America/Anchorage")
    pair("CET", "CEST", "CET/CEST", "Europe/Paris")
    pair("EET", "EEST", "EET/EEST", "Europe/Helsinki")
    pair("WET", "WEST", "WET/WEST", "Europe/Lisbon")
    pair("GMT", "BST", "Europe/London", "Europe/London")
    pair("AEST", "AEDT", "Australia/Sydney", "Australia/Sydney")
    pair("NZST", "NZDT", "Pacific/Auckland", "Pacific/Auckland")
    return t
  }()

  /// Names written in words, by their first word in lower case; longest first.
  static let phrases: [String: [Phrase]] = {
    var t: [String: [Phrase]] = [:]
    func add(_ words: String, _ zone: WrittenZone, bare: Bool = false) {
      let w = words.split(separator: " ").map { String($0) }
      t[w[0], default: []].append(
        Phrase(rest: Array(w.dropFirst()), entry: Entry(zone: zone, needsContext: bare), bare: bare))
    }
    func region(_ words: String, _ label: String, _ id: String, bare: Bool = false) {
      add(words, .region(label: label, identifier: id), bare: bare)
    }
    let abbr = abbreviations
    func named(_ words: String, _ a: String) { add(words, abbr[a]!.zone) }
    named("coordinated universal time", "UTC")
    named("universal time", "UTC")
    named("zulu time", "UTC")
    named("greenwich mean time", "GMT")
    named("pacific standard time", "PST")
    named("pacific daylight time", "PDT")
    region("pacific time", "PT", "America/Los_Angeles")
    region("pacific", "PT", "America/Los_Angeles", bare: true)
    named("mountain standard time", "MST")
    named("mountain daylight time", "MDT")
    region("mountain time", "MT", "America/Denver")
    region("mountain", "MT", "America/Denver", bare: true)
    add("central standard time", fixed("Central Standard Time", -6 * 3600))
    named("central daylight time", "CDT")
    region("central time", "CT", "America/Chicago")
    region("central", "CT", "America/Chicago", bare: true)
    named("eastern standard time", "EST")
    named("eastern daylight time", "EDT")
    region("eastern time", "ET", "America/New_York")
    region("eastern", "ET", "America/New_York", bare: true)
    named("central european time", "CET")
    named("central european standard time", "CET")
    named("central european summer time", "CEST")
    named("central european daylight time", "CEST")
    named("eastern european time", "EET")
    named("eastern european summer time", "EEST")
    named("western european time", "WET")
    named("western european summer time", "WEST")
    add("british summer time", fixed("British Summer Time", 3600))
    add("irish standard time", fixed("Irish Standard Time", 3600))
    add("india standard time", fixed("India Standard Time", 19_800))
    add("indian standard time", fixed("India Standard Time", 19_800))
    add("israel standard time", fixed("Israel Standard Time", 7200))
    add("china standard time", fixed("China Standard Time", 8 * 3600))
    add("atlantic standard time", fixed("Atlantic Standard Time", -4 * 3600))
    add("arabia standard time", fixed("Arabia Standard Time", 3 * 3600))
    named("japan standard time", "JST")
    named("korea standard time", "KST")
    named("singapore time", "SGT")
    named("singapore standard time", "SGT")
    named("hong kong time", "HKT")
    named("moscow time", "MSK")
    named("moscow standard time", "MSK")
    named("hawaii standard time", "HST")
    named("hawaii time", "HST")
    region("alaska time", "AKT", "America/Anchorage")
    named("australian eastern standard time", "AEST")
    named("australian eastern daylight time", "AEDT")
    named("new zealand standard time", "NZST")
    named("new zealand daylight time", "NZDT")
    region("uk time", "Europe/London", "Europe/London")
    for (k, v) in t { t[k] = v.sorted { $0.rest.count > $1.rest.count } }
    return t
  }()

  /// IANA identifiers Foundation knows, by their lower-case spelling.
  static let identifiers: [String: String] = {
    var t: [String: String] = [:]
    for id in TimeZone.knownTimeZoneIdentifiers { t[id.lowercased()] = id }
    return t
  }()

  /// Cities of `Area/City` identifiers (`new_york` → `America/New_York`), for "New York time".
  static let cities: [String: String] = {
    var t: [String: String] = [:]
    for id in TimeZone.knownTimeZoneIdentifiers {
      let parts = id.split(separator: "/")
      guard parts.count == 2, ["Europe", "America", "Asia", "Africa", "Australia"].contains(parts[0]) else {
        continue
      }
      let city = parts[1].lowercased()
      if t[city] == nil { t[city] = id }
    }
    return t
  }()

  /// The first words of `phrases` and `cities`, packed (`WrittenScanner.packed`).
  static let firstWords: Set<UInt64> = {
    var t = Set<UInt64>()
    for k in phrases.keys { t.insert(WrittenScanner.packed(Substring(k))) }
    for k in cities.keys {
      if let w = k.split(separator: "_").first, w.allSatisfy({ $0.isASCII && $0.isLetter }) {
        t.insert(WrittenScanner.packed(w))
      }
    }
    t.remove(0)
    return t
  }()

  /// Older identifiers Foundation reads but does not list (`US/Eastern`, `Etc/UTC`).
  static let legacyAreas: Set<String> = ["us", "canada", "etc", "mexico", "brazil", "chile"]

  /// The identifier an IANA-shaped token names, spelled as Foundation spells it.
  static func identifier(_ token: String) -> String? {
    let lower = token.lowercased()
    if let id = identifiers[lower] { return id }
    guard let slash = lower.firstIndex(of: "/"), legacyAreas.contains(String(lower[..<slash])),
      token.utf8.count <= 40
    else { return nil }
    // Foundation's spelling is case-sensitive: try the token as written, then title case.
    for candidate in [token, titled(token)] where TimeZone(identifier: candidate) != nil {
      return candidate
    }
    return nil
  }

  private static func titled(_ s: String) -> String {
    var out = ""
    var start = true
    for ch in s {
      if ch == "/" || ch == "_" || ch == "-" {
        out.append(ch)
        start = true
      } else {
        out += start ? ch.uppercased() : ch.lowercased()
        start = false
      }
    }
    if out.hasPrefix("Us/") { out = "US/" + out.dropFirst(3) }
    return out
  }

  /// Seconds east of UTC in `identifier` at a local date and time. A local time that occurs
  /// twice (clocks set back) reads as its first occurrence; one that does not occur (clocks
  /// set forward) reads with the offset before the change.
  static func offset(identifier: String, year: Int, month: Int, day: Int, hour: Int, minute: Int) -> Int? {
    guard let tz = TimeZone(identifier: identifier) else { return nil }
    let local =
      CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)) * 86_400 + Int64(hour) * 3600
      + Int64(minute) * 60
    func at(_ utc: Int64) -> Int { tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))) }
    let before = at(local - 86_400)
    let after = at(local + 86_400)
    let fitsBefore = at(local - Int64(before)) == before
    let fitsAfter = at(local - Int64(after)) == after
    switch (fitsBefore, fitsAfter) {
    case (true, true): return max(before, after)
    case (true, false): return before
    case (false, true): return after
    case (false, false): return before
    }
  }
}
