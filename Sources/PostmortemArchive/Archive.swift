import Foundation
import PostmortemCore

/// Every incident a team has written up: reports recorded by `pmhost run`, added from
/// report.json files or imported from hand-written post-mortems, one record per incident id.
///
/// ```swift
/// let archive = try Archive(location: .sqlite(path: "/tmp/a.sqlite"))
/// try archive.record(report, origin: .report, source: "out/report.json")  // .added
/// try archive.list(ArchiveFilter())                                      // [ArchivedIncident]
/// ```
public final class Archive {
  /// Where a record came from.
  public enum Origin: String, Sendable, CaseIterable {
    /// Recorded by `pmhost run` when it finished.
    case run
    /// Added from a report.json (`pmhost archive add`).
    case report
    /// Imported from a hand-written post-mortem (`pmhost archive import`).
    case document
  }

  /// What recording did.
  public enum RecordOutcome: String, Sendable {
    case added, replaced
  }

  /// The connection every query goes through.
  public let db: any SQLConnection
  /// Where it is, for messages (a PostgreSQL password is never shown).
  public let display: String

  /// How many of an incident's distinct words are indexed for `similar`: the most frequent.
  static let termsPerIncident = 160
  /// How many distinct timeline messages of an incident feed its words.
  static let messagesPerIncident = 400

  /// Connects and brings the schema up to date.
  public init(location: ArchiveLocation) throws(ArchiveError) {
    db = try location.connect()
    display = location.display
    do {
      try ArchiveSchema.migrate(db)
    } catch {
      db.close()
      throw error
    }
  }

  /// An archive over an open connection (tests).
  public init(connection: any SQLConnection) throws(ArchiveError) {
    db = connection
    display = connection.display
    try ArchiveSchema.migrate(db)
  }

  public func close() { db.close() }

  // MARK: - Recording

  /// Records `report`, replacing any record of the same incident id, in one transaction: a
  /// reader sees the old record or the new one, never half of either, and two recorders at
  /// once queue (SQLite's write lock; a table lock on PostgreSQL) instead of losing a record.
  @discardableResult
  public func record(_ report: Report, origin: Origin, source: String, unknown: [String] = [])
    throws(ArchiveError)
    -> RecordOutcome
  {
    let id = report.incident.id.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !id.isEmpty else {
      throw ArchiveError("\(source): the report has no incident id; the archive keys incidents by it")
    }
    let rows = Self.rows(of: report, id: id, origin: origin, source: source, unknown: unknown)
    return try db.writeTransaction { () throws(ArchiveError) -> RecordOutcome in
      if db.dialect == .postgres {
        // Writers one at a time (a record is a delete and inserts over four tables); readers
        // are not blocked by this mode.
        try db.run("LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE")
      }
      let existed = try removeRecord(id)
      try db.insert(into: "incidents", columns: IncidentRows.incidentColumns, rows: [rows.incident])
      try db.insert(into: "incident_services", columns: ["incident_id", "service"], rows: rows.services)
      try db.insert(
        into: "factors", columns: ["incident_id", "seq", "level", "category", "text", "signature"],
        rows: rows.factors)
      try db.insert(
        into: "actions",
        columns: [
          "incident_id", "seq", "item_id", "action", "owner", "deadline", "due_ms", "priority", "status",
          "closed",
          "tracking",
        ], rows: rows.actions)
      try db.insert(into: "terms", columns: ["term", "incident_id", "tf"], rows: rows.terms)
      try adjustTotals(incidents: 1, terms: rows.termCount)
      return existed ? .replaced : .added
    }
  }

  /// Removes an incident's record; false when there was none.
  @discardableResult
  public func remove(id: String) throws(ArchiveError) -> Bool {
    try db.writeTransaction { () throws(ArchiveError) -> Bool in
      if db.dialect == .postgres { try db.run("LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE") }
      return try removeRecord(id)
    }
  }

  /// Deletes a record (its services, factors, actions and words go with it: ON DELETE
  /// CASCADE) and takes it off the totals; inside a write transaction.
  private func removeRecord(_ id: String) throws(ArchiveError) -> Bool {
    guard let old = try db.query("SELECT term_count FROM incidents WHERE id = ?", [.text(id)]).first else {
      return false
    }
    try db.query("DELETE FROM incidents WHERE id = ?", [.text(id)])
    try adjustTotals(incidents: -1, terms: -(old[0].int ?? 0))
    return true
  }

  private func adjustTotals(incidents: Int64, terms: Int64) throws(ArchiveError) {
    try db.query("UPDATE archive_totals SET value = value + ? WHERE name = 'incidents'", [.int(incidents)])
    try db.query("UPDATE archive_totals SET value = value + ? WHERE name = 'terms'", [.int(terms)])
  }

  /// The running totals: incidents recorded, and indexed words over all of them.
  func totals() throws(ArchiveError) -> (incidents: Int64, terms: Int64) {
    var out: [String: Int64] = [:]
    for r in try db.query("SELECT name, value FROM archive_totals", []) {
      out[r[0].text ?? ""] = r[1].int ?? 0
    }
    return (out["incidents"] ?? 0, out["terms"] ?? 0)
  }

  /// The rows one report becomes.
  struct IncidentRows {
    static let incidentColumns = [
      "id", "title", "started_ms", "ended_ms", "quarter", "severity", "summary", "root_cause", "origin",
      "source",
      "recorded_ms", "ttd_s", "tta_s", "ttm_s", "ttr_s", "duration_s", "term_count", "unknown",
    ]
    var incident: [SQLValue]
    var services: [[SQLValue]]
    var factors: [[SQLValue]]
    var actions: [[SQLValue]]
    var terms: [[SQLValue]]
    /// The words indexed, counted with repeats (the record's length for BM25).
    var termCount: Int64
  }

  static func rows(of report: Report, id: String, origin: Origin, source: String, unknown: [String])
    -> IncidentRows
  {
    let incident = report.incident
    let key = SQLValue.text(id)
    let services = Self.services(of: report)
    let factors = Self.factors(of: report)
    let terms = Self.terms(of: report, services: services, factors: factors)
    let termCount = terms.reduce(0) { $0 + $1.value }
    let m = report.metrics
    let severity = Self.severityKey(report.severity?.level ?? incident.severity)
    let row: [SQLValue] = [
      key, .text(incident.title), .int(incident.startedAt.milliseconds), .int(incident.endedAt.milliseconds),
      .text(quarter(of: incident.startedAt)), .text(severity), .text(incident.summary),
      .text(incident.rootCause), .text(origin.rawValue), .text(source),
      .int(Int64(Date().timeIntervalSince1970 * 1000)), .int(m.timeToDetectS), .int(m.timeToAcknowledgeS),
      .int(m.timeToMitigateS), .int(m.timeToResolveS), .int(m.durationS), .int(Int64(termCount)),
      unknown.isEmpty ? .null : .text(unknown.joined(separator: "\n")),
    ]
    let actionRows: [[SQLValue]] = report.actionItems.enumerated().map { n, item in
      [
        key, .int(Int64(n)), .text(item.id), .text(item.action), .text(item.owner), .text(item.deadline),
        .int(item.dueAt?.milliseconds), .text(item.priority), .text(item.status), .int(item.isClosed ? 1 : 0),
        .text(trackingText(item.tracking)),
      ]
    }
    return IncidentRows(
      incident: row,
      services: services.map { [key, .text($0)] },
      factors: factors.enumerated().map { n, f in
        [
          key, .int(Int64(n)), .text(f.level), .text(f.category), .text(f.text),
          .text(ArchiveText.signature(f.text)),
        ]
      },
      actions: actionRows,
      terms: terms.map { [.text($0.key), key, .int(Int64($0.value))] }, termCount: Int64(termCount))
  }

  /// A factor as the archive keeps it.
  struct FactorText {
    var level: String
    var category: String
    var text: String
  }

  /// The category stored for a factor without one.
  public static let uncategorized = "uncategorized"

  static func factors(of report: Report) -> [FactorText] {
    var out: [FactorText] = []
    var seen: Set<String> = []
    func add(_ level: String, _ category: String?, _ text: String) {
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard !trimmed.isEmpty else { return }
      let cat = category.map(categoryKey) ?? uncategorized
      guard seen.insert(cat + "\u{1}" + trimmed.lowercased()).inserted else { return }
      out.append(FactorText(level: level, category: cat.isEmpty ? uncategorized : cat, text: trimmed))
    }
    for text in report.factors.immediate { add("immediate", nil, text) }
    for factor in report.factors.contributing { add("contributing", factor.category, factor.text) }
    for text in report.factors.systemic { add("systemic", nil, text) }
    return out
  }

  static func services(of report: Report) -> [String] {
    var seen: Set<String> = []
    return report.incident.services.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter {
      !$0.isEmpty && seen.insert($0).inserted
    }
  }

  /// The words `similar` ranks by: title, summary, root cause and factors count twice, then
  /// the distinct timeline messages; services and categories as whole tokens (`service:x`,
  /// `category:y`). Kept to the ``termsPerIncident`` most frequent.
  static func terms(of report: Report, services: [String], factors: [FactorText]) -> [String: Int] {
    var counts: [String: Int] = [:]
    func add(_ text: String?, weight: Int = 1) {
      guard let text else { return }
      for word in ArchiveText.words(text) { counts[word, default: 0] += weight }
    }
    let incident = report.incident
    add(incident.title, weight: 2)
    add(incident.summary, weight: 2)
    add(incident.rootCause, weight: 2)
    for factor in factors {
      add(factor.text, weight: 2)
      counts["category:" + factor.category, default: 0] += 1
    }
    for service in services { counts["service:" + service.lowercased(), default: 0] += 2 }
    var messages: Set<String> = []
    for event in report.timeline where messages.count < messagesPerIncident {
      if messages.insert(event.event).inserted { add(event.event) }
    }
    guard counts.count > termsPerIncident else { return counts }
    let kept = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(
      termsPerIncident)
    return Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
  }

  /// A severity as stored and filtered: upper-case, without spaces, hyphens or underscores
  /// (`Sev 1`, `SEV-1` and `sev1` are `SEV1`); nil when empty.
  public static func severityKey(_ text: String?) -> String? {
    guard let text else { return nil }
    let key = String(
      text.uppercased().unicodeScalars.filter { !" -_\t".unicodeScalars.contains($0) }.map(Character.init))
    return key.isEmpty ? nil : key
  }

  /// A fishbone category as stored: lower-case, trimmed.
  static func categoryKey(_ text: String) -> String {
    text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
  }

  /// `2025-Q1` for a time in January to March 2025 (UTC).
  public static func quarter(of time: Timestamp) -> String {
    let text = time.formatted(.rfc3339)
    let year = text.prefix(4)
    let month = Int(text.dropFirst(5).prefix(2)) ?? 1
    return "\(year)-Q\((month - 1) / 3 + 1)"
  }

  static func trackingText(_ value: JSONValue?) -> String? {
    switch value {
    case nil, .null?: nil
    case .string(let s)?: s.isEmpty ? nil : s
    case .object(let o)?:
      o["url"]?.stringValue ?? o["number"].flatMap { $0.intValue }.map { "#\($0)" }
        ?? value?.jsonText(pretty: false)
    case let other?: other.jsonText(pretty: false)
    }
  }
}
