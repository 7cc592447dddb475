import PostmortemCore

/// A hand-written Markdown post-mortem read into report.json's shape, with what was
/// recognised where in `imported` (sections, every timeline row, every action item, the
/// prose and the metadata facts, each with its source line).
///
/// ```swift
/// let data = DocumentReader.read(text: markdown, name: "2024-01-14-db-outage.md")
/// data["imported"]?["rows"]  // [{line, time, written, text, approximate}, ...]
/// ```
public enum DocumentReader {
  /// The largest document read (bytes of UTF-8); the caller refuses larger ones.
  public static let maxBytes = 10 << 20
  /// A line with more table cells than this is read as text: libcmark-gfm's table
  /// extension takes time quadratic in a row's cells.
  public static let maxCellsPerLine = 256

  /// Why a document of `byteCount` bytes is not read, nil when it is read.
  public static func refusal(byteCount: Int, name: String) -> String? {
    guard byteCount > maxBytes else { return nil }
    return "\(name): \(byteCount) bytes is more than a post-mortem (\(maxBytes >> 20) MB at most): not read"
  }

  /// `notes`: what the caller has to say about the text (how it was decoded), kept in
  /// `imported.notes` with the reader's own.
  public static func read(text: String, name: String, notes: [String] = []) -> JSONValue {
    var warnings: [String] = notes
    let source = bounded(text, warnings: &warnings)
    let document = MarkdownDocument(parsing: source)
    var reader = Reader(document: document, name: name)
    reader.warnings = warnings + document.warnings
    return reader.run()
  }

  /// The text with every line of more than `maxCellsPerLine` pipes escaped (read as a
  /// paragraph), and a warning naming the first such line.
  static func bounded(_ text: String, warnings: inout [String]) -> String {
    var pipes = 0
    var wide = false
    for byte in text.utf8 {
      if byte == UInt8(ascii: "|") {
        pipes += 1
        if pipes > maxCellsPerLine {
          wide = true
          break
        }
      } else if byte == 0x0A {
        pipes = 0
      }
    }
    guard wide else { return text }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var first: Int?
    for i in lines.indices
    where lines[i].utf8.lazy.filter({ $0 == UInt8(ascii: "|") }).count > maxCellsPerLine {
      first = first ?? i + 1
      lines[i] = lines[i].replacingAll("|", with: "\\|")
    }
    if let first {
      warnings.append(
        "line \(first) has more than \(maxCellsPerLine) table cells: such lines are read as text")
    }
    return lines.joined(separator: "\n")
  }
}

/// One pass over the document's blocks.
struct Reader {
  struct Row {
    var line: Int
    var time: String?
    var instant: Timestamp?
    var written: String?
    var text: String
    var approximate: Bool
    var actor: String?
    var source: String?
  }
  struct Item {
    var line: Int
    var text: String
    var fields: ItemFields
    var id: String?
  }
  struct OpenSection {
    var level: Int
    var kind: SectionKind
    var title: String
  }
  struct StatedZone {
    var zone: WrittenZone
    var line: Int
  }

  let document: MarkdownDocument
  let name: String
  var warnings: [String] = []
  var order = DateOrder.unknown
  var title: String?
  var titleLine: Int?
  var docDate: WrittenDate?
  var docZone: StatedZone?
  /// A note such as "All times are in UTC" anywhere in the document.
  var zoneNote: StatedZone?

  var sections: [JSONValue] = []
  var rows: [Row] = []
  var items: [Item] = []
  var prose: [JSONValue] = []
  var facts: [(line: Int, key: String, text: String)] = []

  var stack: [OpenSection] = []
  var timelineZone: StatedZone?
  var currentDate: WrittenDate?
  /// The row a `### 14:43` heading opened: the paragraphs under it are its text.
  var entryRow: Int?
  /// The level of the headings that are timeline entries, once one was seen.
  var entryLevel: Int?
  var zoneUsed: StatedZone?
  var ambiguous: [String] = []

  var hasActionsSection = false
  var hasTimelineSection = false
  /// Paragraphs starting with a clock time, in a document without a Timeline section.
  var timedParagraphs = 0
  /// The local date and clock of the last row placed from the context, for a day's roll-over.
  var lastClock: (date: WrittenDate, minutes: Int)?
  var texts: [SectionKind: [String]] = [:]
  var listTexts: [SectionKind: [String]] = [:]

  /// The tree is at most ``MarkdownDocument/maxDepth`` deep: a bound for the walks, not a cut.
  static let walkLimit = MarkdownDocument.maxDepth * 2 + 8

  init(document: MarkdownDocument, name: String) {
    self.document = document
    self.name = name
  }

  var kind: SectionKind { stack.last?.kind ?? .other }
  var sectionLabel: String {
    guard let top = stack.last else { return "document" }
    return top.kind == .other ? top.title : top.kind.rawValue
  }

  // MARK: - The run

  mutating func run() -> JSONValue {
    var all: [String] = []
    collect(document.blocks, into: &all, depth: 0)
    order = WrittenTimes.dateOrder(of: all)
    findTitle()
    for case .heading(let h) in document.blocks where h.line != titleLine {
      let kind = SectionKind.of(heading: h.text.text)
      if kind == .actions { hasActionsSection = true }
      if kind == .timeline { hasTimelineSection = true }
    }
    if !hasTimelineSection {
      for case .paragraph(let p) in document.blocks where rowMoment(firstLine(p.text.text))?.clock != nil {
        timedParagraphs += 1
      }
    }
    gatherFacts(document.blocks, depth: 0)
    findDocumentDateAndZone()
    walk(document.blocks, depth: 0)
    return output()
  }

  /// Every text of the document (for the date order), in order.
  func collect(_ blocks: [MarkdownBlock], into all: inout [String], depth: Int) {
    for block in blocks {
      switch block {
      case .heading(let h): all.append(h.text.text)
      case .paragraph(let p): all.append(contentsOf: p.text.text.split(separator: "\n").map(String.init))
      case .list(let l):
        for item in l.items {
          all.append(item.text.text)
          if depth < Self.walkLimit { collect(item.children, into: &all, depth: depth + 1) }
        }
      case .table(let t):
        all += t.header.map(\.text)
        for row in t.rows { all += row.cells.map(\.text) }
      case .quote(let q): if depth < Self.walkLimit { collect(q.blocks, into: &all, depth: depth + 1) }
      default: break
      }
    }
  }

  mutating func findTitle() {
    var levelOnes = 0
    var first: Heading?
    for block in document.blocks {
      if case .heading(let h) = block {
        if first == nil { first = h }
        if h.level == 1 { levelOnes += 1 }
      }
    }
    if let first, first.level == 1, levelOnes == 1 {
      title = first.text.text.trimmedSpaces
      titleLine = first.line
    } else if let first, first.level == 1, SectionKind.of(heading: first.text.text) == nil {
      title = first.text.text.trimmedSpaces
      titleLine = first.line
    }
  }

  // MARK: - Facts: "**Duration**: 1h 35min", "Date: 2024-01-14", metadata tables

  /// Metadata names as written, to the fact key they give.
  static let factKeys: [String: String] = {
    let keys: [(String, [String])] = [
      ("time_to_detect", ["time to detect", "time to detection", "ttd", "mttd", "time-to-detect"]),
      ("time_to_acknowledge", ["time to acknowledge", "time to ack", "tta", "time to acknowledgement"]),
      ("time_to_mitigate", ["time to mitigate", "time to mitigation", "ttm", "time-to-mitigate"]),
      ("time_to_resolve", ["time to resolve", "time to resolution", "ttr", "mttr", "time-to-resolve"]),
      ("time_to_recover", ["time to recovery", "time to recover", "time-to-recovery"]),
      (
        "duration",
        ["duration", "total duration", "outage duration", "incident duration", "impact duration", "length"]
      ),
      (
        "start",
        [
          "start", "start time", "started", "started at", "incident start", "impact start", "began",
          "start of impact", "begin",
        ]
      ),
      (
        "end",
        ["end", "end time", "ended", "ended at", "incident end", "impact end", "end of impact", "finish"]
      ),
      (
        "detected",
        ["detected", "detection", "detection time", "time detected", "detected at", "first detected"]
      ),
      ("resolved", ["resolved", "resolution time", "time resolved", "resolved at", "fixed"]),
      ("mitigated", ["mitigated", "mitigation time", "time mitigated", "mitigated at"]),
      (
        "date",
        [
          "date", "incident date", "date of incident", "day", "occurred", "occurred on",
          "date of the incident",
        ]
      ),
      ("zone", ["time zone", "timezone", "zone", "times in", "times", "all times"]),
      ("severity", ["severity", "sev", "severity level", "incident severity", "priority"]),
      ("status", ["status", "incident status"]),
      (
        "distributed",
        ["distributed", "distributed at", "published", "published at", "shared with stakeholders"]
      ),
      (
        "follow_up",
        [
          "follow-up review", "follow up review", "follow-up meeting", "review meeting",
          "follow-up review date",
        ]
      ),
      ("authors", ["author", "authors", "written by", "owner", "incident commander", "ic"]),
    ]

    var out: [String: String] = [:]
    for (key, names) in keys { for name in names where out[name] == nil { out[name] = key } }
    return out
  }()

  static func factKey(_ raw: String) -> String? {
    guard raw.utf8.count <= 48 else { return nil }
    var k = raw.lowercased().trimmingMarks
    while let l = k.last, ":*_ ".contains(l) { k.removeLast() }
    return factKeys[k.trimmedSpaces]
  }

  /// A line cut at " · ", " | ", " • " (metadata written on one line).
  static func factParts(_ line: String) -> [String] {
    var parts = [line]
    for separator in [" · ", " | ", " • "] {
      parts = parts.flatMap { $0.split(separator: separator).map(String.init) }
    }
    return parts
  }

  /// A "Key: value" line, the key in bold or not.
  static func keyValue(_ line: String) -> (key: String, value: String)? {
    guard let colon = line.firstIndex(of: ":") else { return nil }
    let key = String(line[..<colon])
    guard key.count <= 40, let k = factKey(key) else { return nil }
    var value = String(line[line.index(after: colon)...]).trimmedSpaces
    while let f = value.first, "*_".contains(f) { value.removeFirst() }
    value = value.trimmedSpaces
    return value.isEmpty ? nil : (k, value)
  }

  mutating func gatherFacts(_ blocks: [MarkdownBlock], depth: Int) {
    guard depth < Self.walkLimit else { return }
    for block in blocks {
      switch block {
      case .paragraph(let p):
        for (i, line) in p.text.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
          // "**Severity:** SEV2 · **Zone:** CET": several on one line.
          for part in Self.factParts(String(line)) {
            if let kv = Self.keyValue(part) { facts.append((p.line + i, kv.key, kv.value)) }
          }
          // "All times are Pacific Time" anywhere: the document's zone when nothing closer says.
          if zoneNote == nil, line.count <= 160,
            line.lowercased().firstMatch(
              of: /\ball times\b|\btimes (?:are|in|shown)\b|\btime ?zone\b|\btimes? (?:are )?(?:given )?in\b/)
              != nil,
            let z = WrittenTimes.zone(in: String(line))
          {
            zoneNote = StatedZone(zone: z, line: p.line + i)
          }
        }
      case .list(let l):
        for item in l.items {
          for (i, line) in item.text.text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
          {
            if let kv = Self.keyValue(String(line)) { facts.append((item.line + i, kv.key, kv.value)) }
          }
          gatherFacts(item.children, depth: depth + 1)
        }
      case .table(let t):
        // Key | value rows, or keys across the header with one row of values.
        let headerKeys = t.header.map { Self.factKey($0.text) }
        if t.rows.count == 1, headerKeys.contains(where: { $0 != nil }) {
          for (i, key) in headerKeys.enumerated() {
            if let key, i < t.rows[0].cells.count, !t.rows[0].cells[i].text.trimmedSpaces.isEmpty {
              facts.append((t.rows[0].line, key, t.rows[0].cells[i].text.trimmedSpaces))
            }
          }
        }
        let pairs = t.header.count <= 3 ? [MarkdownTable.Row(line: t.line, cells: t.header)] + t.rows : []
        for row in pairs where row.cells.count >= 2 {
          if let key = Self.factKey(row.cells[0].text), !row.cells[1].text.trimmedSpaces.isEmpty,
            headerKeys.filter({ $0 != nil }).count < 2
          {
            facts.append((row.line, key, row.cells[1].text.trimmedSpaces))
          }
        }
      case .quote(let q): gatherFacts(q.blocks, depth: depth + 1)
      default: break
      }
    }
  }

  func dateIn(_ text: String) -> WrittenDate? {
    if let d = WrittenTimes.day(text, order: order) { return d }
    if let d = WrittenTimes.leading(text, order: order)?.date { return d }
    return Self.isoDate(in: text)
  }

  /// The first `YYYY-MM-DD` anywhere in a text (a title, a file name).
  static func isoDate(in text: String) -> WrittenDate? {
    guard let m = text.firstMatch(of: /(?:^|[^0-9])(\d{4})-(\d{2})-(\d{2})(?:[^0-9]|$)/),
      let y = Int(m.1), let mo = Int(m.2), let d = Int(m.3), (1...12).contains(mo), (1...31).contains(d)
    else { return nil }
    return WrittenDate(year: y, month: mo, day: d)
  }

  /// The incident's date as the opening prose writes it ("...the disruption of 3 March
  /// 2025", "Between 10:18 AM and 12:41 PM PT on January 14, 2025"): the paragraphs before
  /// the first section and those of the first section (not a timeline or an action list),
  /// 2,000 characters at most. A sentence about the write-up ("Written up on Friday 7
  /// November 2025") lends its year to a date without one and is the last resort.
  func introDate() -> WrittenDate? {
    var text = ""
    var sectionsSeen = 0
    for block in document.blocks {
      if case .heading(let h) = block, h.line != titleLine {
        sectionsSeen += 1
        let kind = SectionKind.of(heading: h.text.text)
        if sectionsSeen > 1 || kind == .timeline || kind == .actions { break }
      }
      if case .paragraph(let p) = block { text += p.text.text + "\n" }
      if text.count > 2000 { break }
    }
    var authoring: WrittenDate?
    var yearless: WrittenDate?
    for sentence in text.prefix(2000).split(whereSeparator: { $0 == "." || $0 == "\n" }) {
      let lower = sentence.lowercased()
      let aboutWriting = ["written", "prepared", "published", "updated", "reviewed", "drafted", "authored"]
        .contains { lower.contains($0) }
      let words = sentence.split(separator: " ").map {
        String($0).trimmingCharacters(in: [",", ";", ":", "(", ")", "*", "_"])
      }
      for i in words.indices {
        for n in [4, 3, 2, 1] where i + n <= words.count {
          let window = words[i..<(i + n)].joined(separator: " ")
          guard let d = WrittenTimes.day(window, order: order) else { continue }
          if d.year == nil {
            if !aboutWriting && yearless == nil && n >= 2 { yearless = d }
            continue
          }
          if aboutWriting {
            if authoring == nil { authoring = d }
          } else {
            return d
          }
        }
      }
    }
    if let y = yearless, let a = authoring, let year = a.year {
      let before = (y.month, y.day) <= (a.month, a.day)
      return WrittenDate(year: before ? year : year - 1, month: y.month, day: y.day)
    }
    return authoring
  }

  /// The day a title names, whole or in one of its parts ("Post-incident review — Tuesday
  /// 5 March 2024", "DB outage (2024-01-14)").
  func titleDate(_ title: String) -> WrittenDate? {
    var parts = [title]
    parts += title.split(whereSeparator: { "—–:()|[]".contains($0) }).map { String($0).trimmedSpaces }
    parts += title.split(separator: " - ").map { String($0).trimmedSpaces }
    for part in parts where !part.isEmpty {
      if let d = WrittenTimes.day(part, order: order), d.year != nil { return d }
    }
    return Self.isoDate(in: title)
  }

  mutating func findDocumentDateAndZone() {
    for key in ["date", "start", "detected", "end", "resolved"] {
      if let f = facts.first(where: { $0.key == key }), let d = dateIn(f.text), d.year != nil {
        docDate = d
        break
      }
    }
    if docDate == nil, let title, let d = titleDate(title) { docDate = d }
    if docDate == nil, let d = Self.isoDate(in: name) { docDate = d }
    if docDate == nil { docDate = introDate() }
    if let f = facts.first(where: { $0.key == "zone" }),
      let z = WrittenTimes.zone(named: f.text) ?? WrittenTimes.zone(in: f.text)
    {
      docZone = StatedZone(zone: z, line: f.line)
    } else if let zoneNote {
      docZone = zoneNote
    } else {
      for f in facts where ["start", "end", "detected", "resolved", "mitigated", "date"].contains(f.key) {
        if let z = WrittenTimes.leading(f.text, order: order)?.zone ?? WrittenTimes.zone(in: f.text) {
          docZone = StatedZone(zone: z, line: f.line)
          break
        }
      }
    }
  }

  // MARK: - The walk

  mutating func walk(_ blocks: [MarkdownBlock], depth: Int) {
    for (index, block) in blocks.enumerated() {
      switch block {
      case .heading(let h): heading(h, following: blocks[(index + 1)...])
      case .paragraph(let p): paragraph(p)
      case .list(let l): list(l, depth: depth)
      case .table(let t): table(t)
      case .quote(let q): if depth < Self.walkLimit { walk(q.blocks, depth: depth + 1) }
      case .code, .html, .rule: break
      }
    }
  }

  var inTimeline: Bool { kind == .timeline }
  var timelineLevel: Int? { stack.first { $0.kind == .timeline }?.level }

  mutating func heading(_ h: Heading, following: ArraySlice<MarkdownBlock>) {
    let text = h.text.text.trimmedSpaces
    // Under a timeline (or beside its heading, at its level): `### 14:43`, `## January 14`.
    if inTimeline, let level = timelineLevel, h.level >= level, SectionKind.of(heading: text) == nil {
      let m = WrittenTimes.leading(text, order: order)
      if let m, m.clock != nil {
        // `### 14:43` (or `### 14:43 - Alert fires`): a row, its text the paragraphs below.
        addRow(line: h.line, moment: m, written: m.written, text: m.rest)
        entryRow = rows.count - 1
        entryLevel = h.level
        addProse(h.line, m.rest)
        return
      }
      // `### ???` among `### 14:43` entries: an entry whose time is not known.
      if entryLevel == h.level, Self.isUnknownTime(text) {
        addRow(line: h.line, moment: nil, written: text, text: "")
        entryRow = rows.count - 1
        return
      }
      // A day, alone or with a title of its own ("2024-01-15: Recovery").
      if let d = dayOnly(text, moment: m) ?? m?.date {
        currentDate = filled(d)
        entryRow = nil
        return
      }
    }
    entryRow = nil
    while let top = stack.last, top.level >= h.level { stack.removeLast() }
    let own = h.line == titleLine ? nil : SectionKind.of(heading: text)
    let parent = stack.last?.kind
    let kind = h.line == titleLine ? SectionKind.other : (own ?? parent ?? .other)
    stack.append(OpenSection(level: h.level, kind: kind, title: text))
    sections.append([
      "title": .string(text), "kind": .string(kind.rawValue), "line": .int(Int64(h.line)),
      "level": .int(Int64(h.level)),
    ])
    if kind == .timeline && parent != .timeline {
      timelineZone = statedZone(heading: h, following: following)
      currentDate = nil
      entryLevel = nil
    }
  }

  /// A heading that stands for a time nobody knows: `???`, `--:--`, `TBD`, `unknown`.
  static func isUnknownTime(_ text: String) -> Bool {
    let t = text.trimmedSpaces.lowercased()
    if ["tbd", "unknown", "n/a", "later", "time unknown", "unknown time"].contains(t) { return true }
    return !t.isEmpty && t.count <= 12 && !t.contains(where: { $0.isLetter })
  }

  /// The zone a timeline's heading or a note in its section states ("All times PT").
  func statedZone(heading h: Heading, following: ArraySlice<MarkdownBlock>) -> StatedZone? {
    if let z = WrittenTimes.zone(in: h.text.text) { return StatedZone(zone: z, line: h.line) }
    for block in following {
      switch block {
      case .heading(let next) where next.level <= h.level: return nil
      case .paragraph(let p):
        for (i, line) in p.text.text.split(separator: "\n").enumerated() {
          let l = String(line)
          if let m = WrittenTimes.leading(l, order: order), m.clock != nil { continue }
          if l.count <= 200, let z = WrittenTimes.zone(in: l) { return StatedZone(zone: z, line: p.line + i) }
        }
      default: continue
      }
    }
    return nil
  }

  /// The day a line names when it names only a day (`### January 14, 2024`, `**2024-01-14**`,
  /// `**2015-10-21** (all times UTC)`, `2024-01-14 (Sunday)`).
  func dayOnly(_ text: String, moment: WrittenMoment?) -> WrittenDate? {
    if let m = moment {
      if m.clock == nil, let d = m.date, Self.isAside(m.rest) { return d }
      if m.clock != nil { return nil }
    }
    guard text.count <= 60 else { return nil }
    return WrittenTimes.day(text, order: order)
  }

  /// What may follow a day on its line without making it an event: nothing, a weekday, a
  /// parenthesis, a zone note ("(all times UTC)", "- Sunday", "UTC").
  static func isAside(_ rest: String) -> Bool {
    let t = rest.trimmedSpaces
    let bare = t.trimmingMarks.trimmedSpaces
    if bare.isEmpty { return true }
    if t.hasPrefix("(") && t.hasSuffix(")") && t.count <= 40 { return true }
    let lower = bare.lowercased().trimmingCharacters(in: ["-", ":", ",", " ", "–"])
    let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    if weekdays.contains(lower)
      || weekdays.contains(where: { lower.hasPrefix(String($0.prefix(3))) && lower.count <= 4 })
    {
      return true
    }
    return bare.count <= 30 && WrittenTimes.zone(in: bare) != nil
      && bare.split(separator: " ").count <= 5
  }

  /// A date with its year from the context when it has none.
  func filled(_ d: WrittenDate) -> WrittenDate {
    guard d.year == nil else { return d }
    return WrittenDate(year: currentDate?.year ?? docDate?.year, month: d.month, day: d.day)
  }

  func proseEntry(_ line: Int, _ text: String) -> JSONValue {
    ["line": .int(Int64(line)), "section": .string(sectionLabel), "text": .string(text)]
  }

  mutating func addProse(_ line: Int, _ text: String) {
    let t = text.trimmedSpaces
    if !t.isEmpty { prose.append(proseEntry(line, t)) }
  }

  // MARK: - Timeline rows

  /// Adds a timeline row, its time placed with the context: a date of its own, else the
  /// day above it or the last dated row, else the document's date; its zone, else the
  /// table's, the timeline's, the document's.
  mutating func addRow(
    line: Int, moment: WrittenMoment?, written: String?, text: String, date: WrittenDate? = nil,
    tableZone: StatedZone? = nil, actor: String? = nil, source: String? = nil
  ) {
    var row = Row(
      line: line, time: nil, instant: nil, written: written, text: text.trimmedSpaces, approximate: false,
      actor: actor,
      source: source)
    if let rowDate = moment?.date ?? date {
      currentDate = filled(rowDate)
    }
    if var m = moment {
      row.approximate = m.approximate
      if let d = m.date ?? date { m.date = filled(d) }
      let context = currentDate ?? docDate
      var zone: StatedZone?
      if let z = m.zone {
        zone = StatedZone(zone: z, line: line)
      } else {
        zone = tableZone ?? timelineZone ?? docZone
      }
      if let z = zone {
        if zoneUsed == nil { zoneUsed = z }
        if case .ambiguous(_, let meanings) = z.zone {
          for meaning in meanings where !ambiguous.contains(meaning) { ambiguous.append(meaning) }
        }
      }
      if let clock = m.clock, !m.approximate {
        var context = context
        let minutes = clock.hour * 60 + clock.minute
        if m.date == nil, let c = context, let last = lastClock, last.date == c, last.minutes >= 18 * 60,
          minutes < 6 * 60, let next = Self.nextDay(c)
        {
          // 23:50 then 00:10 with no date written: the next day.
          context = next
          currentDate = next
        }
        if let c = m.date ?? context, c.year != nil { lastClock = (c, minutes) }
        if let instant = m.instant(on: context, zone: zone?.zone) {
          row.instant = instant
          row.time = instant.formatted(.dateTime).replacingAll(" ", with: "T") + "Z"
        } else if let d = m.date ?? context, let year = d.year ?? context?.year {
          row.time = Self.localISO(year: year, month: d.month, day: d.day, clock: clock)
        } else {
          // A clock time and no date anywhere: exact to the minute, its day unknown
          // ("10:18:00"); ordered by clock, never reported as undated.
          row.time = String(Self.localISO(year: 0, month: 1, day: 1, clock: clock).dropFirst(11))
        }
      }
    }
    rows.append(row)
  }

  static func nextDay(_ d: WrittenDate) -> WrittenDate? {
    guard let y = d.year else { return nil }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard (1...12).contains(d.month) else { return nil }
    if d.day < lengths[d.month - 1] { return WrittenDate(year: y, month: d.month, day: d.day + 1) }
    return d.month == 12
      ? WrittenDate(year: y + 1, month: 1, day: 1) : WrittenDate(year: y, month: d.month + 1, day: 1)
  }

  static func localISO(year: Int, month: Int, day: Int, clock: WrittenClock) -> String {
    func pad(_ v: Int, _ w: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return
      "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(clock.hour, 2)):\(pad(clock.minute, 2)):\(pad(clock.second ?? 0, 2))"
  }

  /// The texts of the blocks under a list item (sub-bullets, paragraphs), in order.
  func texts(of blocks: [MarkdownBlock], depth: Int) -> [(line: Int, text: String)] {
    var out: [(Int, String)] = []
    guard depth < Self.walkLimit else { return out }
    for block in blocks {
      switch block {
      case .paragraph(let p): out.append((p.line, p.text.text))
      case .heading(let h): out.append((h.line, h.text.text))
      case .list(let l):
        for item in l.items {
          out.append((item.line, item.text.text))
          out += texts(of: item.children, depth: depth + 1)
        }
      case .table(let t):
        for row in t.rows { out.append((row.line, row.cells.map(\.text).joined(separator: " | "))) }
      case .quote(let q): out += texts(of: q.blocks, depth: depth + 1)
      default: break
      }
    }
    return out
  }

  func firstLine(_ text: String) -> String {
    String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
  }

  /// A moment that starts a row: a clock time, or a date followed by text.
  func rowMoment(_ text: String) -> WrittenMoment? {
    guard let m = WrittenTimes.leading(text, order: order) ?? Self.introducedMoment(text, order: order) else {
      return nil
    }
    if m.clock != nil || m.approximate { return m }
    if m.date != nil && !Self.isAside(m.rest) { return m }
    return nil
  }

  /// A clock time after an opening word ("At 9:37 AM PST, we began...") or after a short
  /// label ("**Monitoring** — 16:10 UTC"); the label stays in the text.
  static func introducedMoment(_ text: String, order: DateOrder) -> WrittenMoment? {
    let t = text.trimmedSpaces
    if let m = t.prefixMatch(
      of: /(?i)(?:at|by|around|approximately|approx\.?|about|from|shortly after|just after)\s+/)
    {
      let after = String(t[m.range.upperBound...])
      guard var moment = WrittenTimes.leading(after, order: order), moment.clock != nil else { return nil }
      if !m.output.lowercased().hasPrefix("at") && !m.output.lowercased().hasPrefix("from") {
        moment.approximate = true
      }
      while let f = moment.rest.first, ",;".contains(f) { moment.rest.removeFirst() }
      moment.rest = moment.rest.trimmedSpaces
      return moment
    }
    if let m = t.prefixMatch(of: /([A-Za-z][A-Za-z ]{0,28}?)\s*[—–:|-]\s+/) {
      let after = String(t[m.range.upperBound...])
      guard var moment = WrittenTimes.leading(after, order: order), moment.clock != nil else { return nil }
      let label = String(m.1).trimmedSpaces
      moment.rest = moment.rest.isEmpty ? label : label + ": " + moment.rest
      return moment
    }
    return nil
  }

  mutating func timelineList(_ list: MarkdownList, depth: Int) {
    for item in list.items {
      let own = item.text.text
      let first = String(own.split(separator: "\n", maxSplits: 1).first ?? "")
      let m = rowMoment(first)
      let under = texts(of: item.children, depth: depth + 1)
      if let m {
        var lines = [m.rest]
        let more = own.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init)
        lines += more
        lines += under.map(\.text)
        addRow(
          line: item.line, moment: m, written: m.written,
          text: lines.filter { !$0.trimmedSpaces.isEmpty }.joined(separator: "\n"))
        addProse(item.line, own)
        for u in under { addProse(u.line, u.text) }
        continue
      }
      let childLists = item.children.compactMap { block -> MarkdownList? in
        if case .list(let l) = block { return l }
        return nil
      }
      let day = dayOnly(own.trimmedSpaces, moment: WrittenTimes.leading(own, order: order))
      let timedChildren = childLists.contains { l in
        l.items.contains { rowMoment(String($0.text.text.split(separator: "\n").first ?? "")) != nil }
      }
      if (day != nil || timedChildren) && !childLists.isEmpty && depth < Self.walkLimit {
        // A day bullet (or a group) whose sub-bullets are the times.
        if let day { currentDate = filled(day) }
        addProse(item.line, own)
        for l in childLists { timelineList(l, depth: depth + 1) }
        continue
      }
      if let day, under.isEmpty {
        // A day alone on its bullet ("- 2024-01-14 (Sunday)"): the rows after it are on it.
        currentDate = filled(day)
        continue
      }
      if let entryRow {
        rows[entryRow].text +=
          (rows[entryRow].text.isEmpty ? "" : "\n") + ([own] + under.map(\.text)).joined(separator: "\n")
        addProse(item.line, own)
        for u in under { addProse(u.line, u.text) }
        continue
      }
      if own.trimmedSpaces.isEmpty && under.isEmpty { continue }
      // A row without a time: kept, time nil.
      addRow(
        line: item.line, moment: nil, written: nil, text: ([own] + under.map(\.text)).joined(separator: "\n"))
      addProse(item.line, own)
      for u in under { addProse(u.line, u.text) }
    }
  }

  mutating func timelineParagraph(_ p: Paragraph) {
    let text = p.text.text
    addProse(p.line, text)
    if let entryRow {
      rows[entryRow].text += (rows[entryRow].text.isEmpty ? "" : "\n") + text
      return
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.count == 1 || p.text.isWhollyMarked,
      let d = dayOnly(text.trimmedSpaces, moment: WrittenTimes.leading(text, order: order))
    {
      currentDate = filled(d)
      return
    }
    var started = false
    for (i, line) in lines.enumerated() {
      if let m = rowMoment(line) {
        addRow(line: p.line + i, moment: m, written: m.written, text: m.rest)
        started = true
      } else if started, !line.trimmedSpaces.isEmpty {
        rows[rows.count - 1].text += "\n" + line
      }
    }
  }

  // MARK: - Tables

  /// The first header cell with a word starting with one of `words` ("Time (UTC)" for
  /// "time", not "Downtime"; "Update" is not a "date"); a phrase with a space matches as is.
  static func column(_ header: [String], _ words: [String], except: Set<Int> = []) -> Int? {
    for (i, h) in header.enumerated() where !except.contains(i) {
      let lower = h.lowercased()
      let cellWords = lower.split(whereSeparator: { !$0.isLetter && $0 != "#" })
      for w in words {
        if w.contains(" ") ? lower.contains(w) : cellWords.contains(where: { $0.hasPrefix(w) }) { return i }
      }
    }
    return nil
  }

  static func cell(_ row: MarkdownTable.Row, _ i: Int?) -> String {
    guard let i, i < row.cells.count else { return "" }
    return row.cells[i].text.trimmedSpaces
  }

  /// Whether a table lists timeline events (a Time column and an Event column).
  static func isTimelineTable(_ header: [String]) -> Bool {
    let lower = header.map { $0.lowercased().trimmingMarks }
    let time = lower.contains {
      $0 == "time" || $0.hasPrefix("time (") || $0 == "timestamp" || $0.hasPrefix("date and time")
        || $0.hasPrefix("date/time") || $0 == "when"
    }
    let event = lower.contains {
      ["event", "events", "description", "what", "what happened", "activity", "details"].contains($0)
    }
    return time && event
  }

  mutating func timelineTable(_ t: MarkdownTable) {
    let header = t.header.map(\.text)
    var timeCol = Self.column(header, ["time", "when", "timestamp", "clock", "hour"])
    var dateCol = Self.column(header, ["date", "day"], except: timeCol.map { [$0] } ?? [])
    if timeCol == nil, let d = dateCol {
      timeCol = d
      dateCol = nil
    }
    if timeCol == nil {
      // No header word: the first column whose cells mostly start with a time.
      let width = t.rows.map(\.cells.count).max() ?? 0
      for c in 0..<min(width, 4) {
        let cells = t.rows.map { Self.cell($0, c) }.filter { !$0.isEmpty }
        let timed = cells.prefix(20).filter {
          rowMoment($0)?.clock != nil || WrittenTimes.leading($0, order: order)?.clock != nil
        }
        if !cells.isEmpty && timed.count * 2 >= min(cells.count, 20) {
          timeCol = c
          break
        }
      }
    }
    // A table written without a header row: its first line is a row too.
    var rows = t.rows
    if let c = timeCol, c < t.header.count, rowMoment(t.header[c].text)?.clock != nil {
      rows.insert(MarkdownTable.Row(line: t.line, cells: t.header), at: 0)
    }
    var used: Set<Int> = Set([timeCol, dateCol].compactMap { $0 })
    let actorCol = Self.column(
      header, ["who", "actor", "owner", "person", "responder", "author"], except: used)
    if let actorCol { used.insert(actorCol) }
    let sourceCol = Self.column(header, ["source", "system"], except: used)
    if let sourceCol { used.insert(sourceCol) }
    let eventCol =
      Self.column(
        header,
        [
          "event", "description", "what", "action", "detail", "activity", "note", "summary", "update",
          "message", "happen", "comment",
        ], except: used)
      ?? (0..<max(header.count, 1)).first { !used.contains($0) }
    let tableZone: StatedZone? =
      (timeCol.flatMap { header.indices.contains($0) ? WrittenTimes.zone(in: header[$0]) : nil }
      ?? dateCol.flatMap { header.indices.contains($0) ? WrittenTimes.zone(in: header[$0]) : nil })
      .map { StatedZone(zone: $0, line: t.line) }
    for row in rows {
      let timeText = Self.cell(row, timeCol)
      let dateText = Self.cell(row, dateCol)
      var event = Self.cell(row, eventCol)
      if eventCol == nil || (event.isEmpty && row.cells.count > 2) {
        event = row.cells.enumerated().filter { !used.contains($0.offset) }.map {
          $0.element.text.trimmedSpaces
        }
        .filter { !$0.isEmpty }.joined(separator: " | ")
      }
      if row.cells.allSatisfy({ $0.text.trimmedSpaces.isEmpty }) { continue }
      for (i, c) in row.cells.enumerated() where i != timeCol && i != dateCol {
        addProse(row.line, c.text)
      }
      let written = [dateText, timeText].filter { !$0.isEmpty }.joined(separator: " ")
      let date =
        dateText.isEmpty
        ? nil
        : (WrittenTimes.day(dateText, order: order) ?? WrittenTimes.leading(dateText, order: order)?.date)
      var m = WrittenTimes.leading(timeText, order: order)
      if m == nil, dateCol != nil, !dateText.isEmpty, timeText.isEmpty {
        m = WrittenTimes.leading(dateText, order: order)
      }
      if var moment = m {
        moment.written = written
        addRow(
          line: row.line, moment: moment, written: written, text: event, date: date, tableZone: tableZone,
          actor: actorCol.map { Self.cell(row, $0) }.flatMap { $0.isEmpty ? nil : $0 },
          source: sourceCol.map { Self.cell(row, $0) }.flatMap { $0.isEmpty ? nil : $0 })
      } else {
        if let date { currentDate = filled(date) }
        addRow(line: row.line, moment: nil, written: written.isEmpty ? nil : written, text: event)
      }
    }
  }

  static let actionWords = [
    "action", "task", "item", "what", "description", "todo", "to do", "remediation", "measure", "fix",
    "countermeasure", "improvement",
  ]
  static let ownerWords = [
    "owner", "assignee", "assigned", "who", "responsible", "dri", "team", "poc", "pilot", "in charge", "lead",
    "driver", "accountable", "respons", "verantwort",
  ]

  mutating func table(_ t: MarkdownTable) {
    let header = t.header.map(\.text)
    if inTimeline || (Self.isTimelineTable(header) && kind != .actions) {
      entryRow = nil
      timelineTable(t)
      return
    }
    let hasAction = Self.column(header, Self.actionWords) != nil
    let hasOwner = Self.column(header, Self.ownerWords) != nil
    // In an actions section, any table with a column an action list has ("| metric | value |"
    // numbers under the fixes are no items).
    let listLike =
      hasAction || hasOwner
      || Self.column(
        header, ["deadline", "due", "date", "eta", "priority", "status", "ticket", "issue", "jira"]) != nil
    if (kind == .actions && listLike) || (hasAction && hasOwner) {
      actionTable(t)
      return
    }
    for row in t.rows {
      for c in row.cells { addProse(row.line, c.text) }
      if [.factors, .immediate, .systemic, .lessons, .wentWell, .rootCause, .summary, .impact].contains(kind),
        Self.factKey(row.cells.first?.text ?? "") == nil
      {
        listTexts[kind, default: []].append(
          row.cells.map(\.text).filter { !$0.isEmpty }.joined(separator: ": "))
      }
    }
  }

  mutating func actionTable(_ t: MarkdownTable) {
    let header = t.header.map(\.text)
    var used: Set<Int> = []
    func col(_ words: [String]) -> Int? {
      let c = Self.column(header, words, except: used)
      if let c { used.insert(c) }
      return c
    }
    let idCol = header.firstIndex {
      ["id", "#", "no", "no.", "number", "ref", "key"].contains($0.lowercased().trimmingMarks)
    }
    if let idCol { used.insert(idCol) }
    let ownerCol = col(Self.ownerWords)
    let deadlineCol = col([
      "deadline", "due", "date", "eta", "target", "when", "prazo", "plazo", "frist", "échéance",
    ])
    let priorityCol = col(["priority", "prio", "severity", "importance"])
    let statusCol = col(["status", "state", "done", "complete"])
    let trackingCol = col([
      "ticket", "issue", "tracking", "jira", "link", "bug", "pull request", "tracker", "url",
    ])
    let actionCol = col(Self.actionWords) ?? (0..<max(header.count, 1)).first { !used.contains($0) }
    for row in t.rows {
      if row.cells.allSatisfy({ $0.text.trimmedSpaces.isEmpty }) { continue }
      for c in row.cells { addProse(row.line, c.text) }
      let actionCell = actionCol.flatMap { $0 < row.cells.count ? row.cells[$0] : nil } ?? RichText()
      var fields = ItemFields.read(actionCell.text, links: actionCell.links)
      func value(_ c: Int?) -> String? {
        let v = Self.cell(row, c)
        return v.isEmpty || ["-", "—", "–", "n/a", "tbd", "?", "none"].contains(v.lowercased()) ? nil : v
      }
      if ownerCol != nil { fields.owner = value(ownerCol) }
      if deadlineCol != nil { fields.deadline = value(deadlineCol) ?? fields.deadline }
      if priorityCol != nil { fields.priority = value(priorityCol) ?? fields.priority }
      if let trackingCol {
        let cell = trackingCol < row.cells.count ? row.cells[trackingCol] : RichText()
        fields.tracking = cell.links.first?.url ?? value(trackingCol) ?? fields.tracking
      }
      if let statusCol {
        let status = Self.cell(row, statusCol).lowercased().trimmingMarks
        fields.done =
          ItemFields.doneWords.contains(status) || status.hasPrefix("done") || status.hasPrefix("complete")
          || status.hasPrefix("closed") || status.contains("✅")
      }
      let text = actionCell.text.trimmedSpaces
      items.append(
        Item(
          line: row.line, text: text.isEmpty ? row.cells.map(\.text).joined(separator: " ") : text,
          fields: fields, id: value(idCol)))
    }
  }

  // MARK: - Lists and paragraphs

  mutating func paragraph(_ p: Paragraph) {
    if inTimeline {
      timelineParagraph(p)
      return
    }
    // A document without a Timeline section that tells its events as paragraphs starting
    // with a time ("At 9:37 AM PST, ...", status page updates): those paragraphs are rows.
    if timedParagraphs >= 3, kind != .actions, rowMoment(firstLine(p.text.text))?.clock != nil {
      timelineParagraph(p)
      return
    }
    addProse(p.line, p.text.text)
    texts[kind, default: []].append(p.text.text.replacingAll("\n", with: " "))
  }

  /// An item that is only a link or a bare URL: the tracking of the item before it.
  static func isOnlyLink(_ item: ListItem) -> Bool {
    let t = item.text.text.trimmedSpaces
    if t.isEmpty || !item.children.isEmpty { return false }
    if item.text.links.count == 1 && item.text.links[0].text.trimmedSpaces == t { return true }
    return t.wholeMatch(of: /https?:\/\/\S+/) != nil
  }

  /// Whether a list outside a timeline section is one: two or more items, two thirds of
  /// them starting with a clock time.
  func isTimedList(_ l: MarkdownList) -> Bool {
    guard l.items.count >= 2 else { return false }
    let timed = l.items.filter {
      rowMoment(String($0.text.text.split(separator: "\n", maxSplits: 1).first ?? ""))?.clock != nil
    }.count
    return timed >= 2 && timed * 3 >= l.items.count * 2
  }

  mutating func list(_ l: MarkdownList, depth: Int) {
    if inTimeline || (!hasTimelineSection && kind != .actions && isTimedList(l)) {
      timelineList(l, depth: depth)
      return
    }
    // A task list is the action list outside an actions section only in a document that has
    // none (pmhost's own report.md ticks its checks in a task list under "Validation").
    let isTaskList = l.items.contains { $0.task != nil }
    if kind == .actions || (isTaskList && !hasActionsSection) {
      actionList(l, depth: depth)
      return
    }
    for item in l.items {
      addProse(item.line, item.text.text)
      let under = texts(of: item.children, depth: depth + 1)
      for u in under { addProse(u.line, u.text) }
      listTexts[kind, default: []].append(
        ([item.text.text] + under.map(\.text)).filter { !$0.isEmpty }.joined(separator: " ").replacingAll(
          "\n", with: " "))
    }
  }

  mutating func actionList(_ l: MarkdownList, depth: Int) {
    for item in l.items {
      let own = item.text.text.trimmedSpaces
      let under = texts(of: item.children, depth: depth + 1)
      addProse(item.line, own)
      for u in under { addProse(u.line, u.text) }
      if Self.isOnlyLink(item), !items.isEmpty, items[items.count - 1].line < item.line {
        if items[items.count - 1].fields.tracking == nil {
          items[items.count - 1].fields.tracking = item.text.links.first?.url ?? own
        }
        continue
      }
      if own.isEmpty && under.isEmpty { continue }
      // "Short term:" with the items as sub-bullets: the sub-bullets are the items.
      let childLists = item.children.compactMap { block -> MarkdownList? in
        if case .list(let sub) = block { return sub }
        return nil
      }
      let label = own.hasSuffix(":") || (item.text.isWhollyMarked && own.split(separator: " ").count <= 4)
      if label, !childLists.isEmpty, own.count <= 60, depth < Self.walkLimit, item.task == nil {
        for sub in childLists { actionList(sub, depth: depth + 1) }
        continue
      }
      var fields = ItemFields.read(own, links: item.text.links)
      // Sub-bullets: their owner, deadline, link when the item has none.
      let subLinks = item.children.flatMap { block -> [RichText.Link] in
        if case .list(let sub) = block { return sub.items.flatMap(\.text.links) }
        if case .paragraph(let p) = block { return p.text.links }
        return []
      }
      if !under.isEmpty {
        let extra = ItemFields.read(under.map(\.text).joined(separator: "\n"), links: subLinks)
        fields.owner = fields.owner ?? extra.owner
        fields.deadline = fields.deadline ?? extra.deadline
        fields.priority = fields.priority ?? extra.priority
        fields.tracking = fields.tracking ?? extra.tracking
      }
      if item.task == true { fields.done = true }
      let text = own.isEmpty ? under.map(\.text).joined(separator: "\n") : own
      items.append(Item(line: item.line, text: text, fields: fields, id: nil))
    }
  }

  // MARK: - Output

  func output() -> JSONValue {
    func str(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    let evidenceName = name
    var timeline: [JSONValue] = []
    var untimed: [JSONValue] = []
    for row in rows {
      if let instant = row.instant {
        var e: [String: JSONValue] = [
          "time": .string(instant.formatted(.rfc3339)),
          "event": .string(row.text.isEmpty ? "(no text)" : row.text.replacingAll("\n", with: " ")),
          "source": .string(row.source ?? "document"), "kind": "note",
          "evidence": [.string("\(evidenceName):\(row.line)")], "count": 1, "sources": ["document"],
        ]
        if let actor = row.actor { e["actor"] = .string(actor) }
        timeline.append(.object(e))
      } else {
        untimed.append([
          "line": .int(Int64(row.line)), "time": .string(row.written ?? ""), "event": .string(row.text),
        ])
      }
    }
    var actionItems: [JSONValue] = []
    var importedItems: [JSONValue] = []
    for (i, item) in items.enumerated() {
      actionItems.append([
        "id": .string(item.id ?? "AI-\(i + 1)"),
        "action": .string(item.text.isEmpty ? "(no text)" : item.text.replacingAll("\n", with: " ")),
        "owner": str(item.fields.owner), "deadline": str(item.fields.deadline),
        "priority": str(item.fields.priority),
        "tracking": str(item.fields.tracking), "status": .string(item.fields.done ? "done" : "open"),
      ])
      importedItems.append([
        "line": .int(Int64(item.line)), "text": .string(item.text), "owner": str(item.fields.owner),
        "deadline": str(item.fields.deadline), "priority": str(item.fields.priority),
        "tracking": str(item.fields.tracking),
        "done": .bool(item.fields.done), "id": str(item.id),
      ])
    }
    func joined(_ kind: SectionKind, lists: Bool = true) -> String? {
      let parts = (texts[kind] ?? []) + (lists ? listTexts[kind] ?? [] : [])
      let t = parts.filter { !$0.isEmpty }.joined(separator: " ")
      return t.isEmpty ? nil : t
    }
    func list(_ kind: SectionKind) -> [String] {
      let items = listTexts[kind] ?? []
      if !items.isEmpty { return items }
      return joined(kind).map { [$0] } ?? []
    }
    let rootCause: String? = {
      let items = listTexts[.rootCause] ?? []
      return items.isEmpty ? joined(.rootCause) : items.joined(separator: " ")
    }()
    var id = name
    if let dot = id.lastIndex(of: "."), dot != id.startIndex { id = String(id[..<dot]) }
    let importedRows: [JSONValue] = rows.map { row in
      [
        "line": .int(Int64(row.line)), "time": str(row.time), "written": str(row.written),
        "text": .string(row.text),
        "approximate": .bool(row.approximate),
      ]
    }
    var imported: [String: JSONValue] = [
      "format": "markdown", "path": .string(name), "sections": .array(sections),
      "zone": str(zoneUsed?.zone.label), "zone_line": zoneUsed.map { .int(Int64($0.line)) } ?? .null,
      "zone_ambiguous": ambiguous.isEmpty ? .null : .array(ambiguous.map { .string($0) }),
      "rows": .array(importedRows), "items": .array(importedItems), "prose": .array(prose),
      "facts": .array(
        facts.map { ["line": .int(Int64($0.line)), "key": .string($0.key), "text": .string($0.text)] }),
      "untimed": .array(untimed), "notes": .array(warnings.map { .string($0) }),
      "extensions": .bool(document.extensions),
    ]
    if let docDate, let y = docDate.year {
      imported["date"] = .string(
        Self.localISO(
          year: y, month: docDate.month, day: docDate.day, clock: WrittenClock(hour: 0, minute: 0)
        ).prefix(10).description)
    }
    return [
      "incident": [
        "id": .string(id), "title": str(title), "summary": str(joined(.summary)),
        "root_cause": str(rootCause),
        "impact_text": str(joined(.impact)), "people": [], "authors": [], "services": [],
      ],
      "timeline": .array(timeline), "key_moments": [:], "gaps": [], "validation": [],
      "action_items": .array(actionItems),
      "factors": [
        "immediate": .array(list(.immediate).map { .string($0) }),
        "contributing": .array(
          list(.factors).map { ["text": .string($0), "why_chain": [], "evidence": []] }),
        "systemic": .array(list(.systemic).map { .string($0) }),
      ],
      "what_went_well": .array((listTexts[.wentWell] ?? []).map { .string($0) }),
      "lessons_learned": .array((listTexts[.lessons] ?? []).map { .string($0) }),
      "imported": .object(imported),
    ]
  }
}
