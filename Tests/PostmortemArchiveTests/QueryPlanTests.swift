import Foundation
import PostmortemCore
import Testing

@testable import PostmortemArchive

/// Every question reads through an index: SQLite's own plan for each statement the archive
/// runs (EXPLAIN QUERY PLAN) may scan a whole table only where the question is about every
/// incident the filter lets through, and never a table of an incident's details.
@Suite struct QueryPlanTests {
  /// Plans of every statement `body` runs: "SCAN x" / "SEARCH x USING ..." lines.
  func plans(_ db: SQLiteConnection, _ body: () throws -> Void) throws -> [(sql: String, plan: [String])] {
    var statements: [(String, [SQLValue])] = []
    db.trace = { statements.append(($0, $1)) }
    try body()
    db.trace = nil
    return try statements.filter { $0.0.hasPrefix("SELECT") || $0.0.contains("\nSELECT") }.map {
      sql, parameters in
      let rows = try db.query("EXPLAIN QUERY PLAN " + sql, parameters)
      return (sql, rows.compactMap { $0.last?.text })
    }
  }

  /// The tables (as aliased in the statement) a plan reads whole.
  func scanned(_ plan: [String]) -> [String] {
    plan.compactMap { line in
      guard line.hasPrefix("SCAN ") else { return nil }
      let name = line.dropFirst(5).split(separator: " ").first.map(String.init) ?? ""
      return line.contains("COVERING INDEX") && name != "i" && name != "incidents" ? nil : name
    }
  }

  @Test func questionsReadThroughIndexes() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pmhost-plan-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let db = try SQLiteConnection(path: folder + "/a.sqlite")
    let archive = try Archive(connection: db)
    defer { archive.close() }
    for n in 0..<400 {
      try archive.record(
        incidentReport(
          "INC-\(n)", start: "2025-0\(n % 9 + 1)-0\(n % 9 + 1)T00:00:00Z", services: ["svc\(n % 40)"],
          severity: "SEV\(n % 4 + 1)", factors: [("technology", "connection pool \(n % 5) exhausted")],
          actions: [ActionItem(id: "AI-1", action: "fix \(n)", deadline: "2025-0\(n % 9 + 1)-20")],
          detect: Int64(n), resolve: Int64(n * 10), messages: ["error \(n) in svc\(n % 7)"]), origin: .report,
        source: "r")
    }
    try db.run("ANALYZE")
    let now = TimeParser.rfc3339("2025-06-01T00:00:00Z")!
    let since = try ArchiveFilter.parse(
      since: "2025-05-01", until: nil, service: nil, severity: nil, now: now)
    let report = incidentReport(
      "NEW", start: "2025-03-03T00:00:00Z", services: ["svc1"],
      factors: [("technology", "connection pool exhausted")],
      messages: ["error 3 in svc1"])

    // Questions about one incident, one service or the open items: no table read whole.
    for (name, question) in [
      ("similar", { _ = try archive.similar(to: report) }),
      ("recurrence", { _ = try archive.recurrence(of: report) }),
      ("actions --overdue", { _ = try archive.actions(today: now, overdueOnly: true) }),
      ("list --since", { _ = try archive.list(since) }),
      ("list --service", { _ = try archive.list(ArchiveFilter(service: "svc3")) }),
      ("metrics --since", { _ = try archive.metrics(since, by: .quarter) }),
      ("factors --since", { _ = try archive.factors(since) }),
    ] as [(String, () throws -> Void)] {
      for (sql, plan) in try plans(db, question) {
        // archive_totals is two rows.
        let whole = scanned(plan).filter { $0 != "archive_totals" }
        #expect(whole.isEmpty, "\(name): \(sql.prefix(90)) reads \(whole) whole: \(plan)")
      }
    }
    // Questions about every incident may read incidents whole, and nothing else.
    for (name, question) in [
      ("list", { _ = try archive.list() }),
      ("metrics --by service", { _ = try archive.metrics(by: .service) }),
      ("factors", { _ = try archive.factors() }),
      ("actions", { _ = try archive.actions(today: now) }),
    ] as [(String, () throws -> Void)] {
      for (sql, plan) in try plans(db, question) {
        let whole = Set(scanned(plan)).subtracting(["i", "f", "a", "s", "g"])
        #expect(whole.isEmpty, "\(name): \(sql.prefix(90)) reads \(whole) whole: \(plan)")
      }
    }
  }
}
