import Foundation
import PostmortemCore

/// The archive's one schema, for SQLite and PostgreSQL alike, as numbered migrations. A new
/// version appends a migration; an archive is brought up to date when a command opens it,
/// inside one write transaction, so two commands opening a new archive at once apply each
/// migration once.
///
/// Every question the archive answers reads these columns through an index: no command reads
/// a report's JSON (none is stored; `source` says where the report was recorded from).
enum ArchiveSchema {
  /// The newest version; an archive written by a newer pmhost is refused rather than misread.
  static var version: Int { migrations.count }

  /// Migration N (1-based) is `migrations[N-1]`: statements in the SQL both servers accept.
  static let migrations: [[String]] = [
    [
      """
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        started_ms BIGINT NOT NULL,
        ended_ms BIGINT NOT NULL,
        quarter TEXT NOT NULL,
        severity TEXT,
        summary TEXT,
        root_cause TEXT,
        origin TEXT NOT NULL,
        source TEXT NOT NULL,
        recorded_ms BIGINT NOT NULL,
        ttd_s BIGINT,
        tta_s BIGINT,
        ttm_s BIGINT,
        ttr_s BIGINT,
        duration_s BIGINT,
        term_count BIGINT NOT NULL,
        unknown TEXT
      )
      """,
      "CREATE INDEX incidents_started ON incidents (started_ms)",
      "CREATE INDEX incidents_severity ON incidents (severity, started_ms)",
      "CREATE INDEX incidents_quarter ON incidents (quarter, started_ms)",
      """
      CREATE TABLE incident_services (
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        service TEXT NOT NULL,
        PRIMARY KEY (incident_id, service)
      )
      """,
      "CREATE INDEX incident_services_service ON incident_services (service, incident_id)",
      """
      CREATE TABLE factors (
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        level TEXT NOT NULL,
        category TEXT NOT NULL,
        text TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (incident_id, seq)
      )
      """,
      "CREATE INDEX factors_category ON factors (category, incident_id)",
      """
      CREATE TABLE actions (
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        item_id TEXT NOT NULL,
        action TEXT NOT NULL,
        owner TEXT,
        deadline TEXT,
        due_ms BIGINT,
        priority TEXT,
        status TEXT NOT NULL,
        closed BIGINT NOT NULL,
        tracking TEXT,
        PRIMARY KEY (incident_id, seq)
      )
      """,
      "CREATE INDEX actions_open_due ON actions (closed, due_ms)",
      """
      CREATE TABLE terms (
        term TEXT NOT NULL,
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        tf BIGINT NOT NULL,
        PRIMARY KEY (term, incident_id)
      )
      """,
      "CREATE INDEX terms_incident ON terms (incident_id)",
      // Running totals for `similar` (how many incidents, how many indexed words in all), kept
      // by every record and removal so no question counts the incidents.
      "CREATE TABLE archive_totals (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
      "INSERT INTO archive_totals (name, value) VALUES ('incidents', 0), ('terms', 0)",
    ]
  ]

  /// Brings the archive to ``version``.
  static func migrate(_ db: any SQLConnection) throws(ArchiveError) {
    try db.run(
      "CREATE TABLE IF NOT EXISTS archive_schema (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)")
    let current = try applied(db)
    if current == version { return }
    if current > version {
      throw ArchiveError(
        "\(db.display): the archive's schema is version \(current), newer than this pmhost knows (\(version)): use a newer pmhost"
      )
    }
    try db.writeTransaction { () throws(ArchiveError) in
      if db.dialect == .postgres {
        // One migrator at a time; readers go on.
        try db.run("LOCK TABLE archive_schema IN SHARE ROW EXCLUSIVE MODE")
      }
      // Read again under the lock: another command may have migrated meanwhile.
      let now = try applied(db)
      guard now < version else { return }
      for n in (now + 1)...version {
        for statement in migrations[n - 1] { try db.run(statement) }
        try db.query(
          "INSERT INTO archive_schema (version, applied_ms) VALUES (?, ?)",
          [.int(Int64(n)), .int(Int64(Date().timeIntervalSince1970 * 1000))])
      }
    }
  }

  static func applied(_ db: any SQLConnection) throws(ArchiveError) -> Int {
    let rows = try db.query("SELECT MAX(version) FROM archive_schema", [])
    return Int(rows.first?.first?.int ?? 0)
  }
}
