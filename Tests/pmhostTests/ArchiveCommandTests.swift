import Foundation
import PostmortemArchive
import PostmortemCore
import Testing

/// The archive as a team would fill it: the seed example's report, the real post-mortems of
/// ../shared/corpus and a dozen generated incidents sharing factors, on SQLite and on a real
/// PostgreSQL (scripts/with-postgres), with the same answers from both.
@Suite(.serialized) struct ArchiveCommandTests {
  static let corpus = PMHostProcess.packageRoot + "/../shared/corpus/dfds-postmortems"

  /// A fresh PostgreSQL archive: a schema of its own on the test server, named in the URL
  /// through libpq's `options` (search_path). Nil without a server (and an issue under CI).
  static func postgresArchive() throws -> (url: String, drop: () -> Void)? {
    guard let server = ProcessInfo.processInfo.environment["PMHOST_TEST_POSTGRES"], !server.isEmpty else {
      if ProcessInfo.processInfo.environment["CI"] != nil {
        Issue.record(
          "PMHOST_TEST_POSTGRES is not set: run the tests under scripts/with-postgres (scripts/test does)")
      }
      return nil
    }
    let schema = "pmhost_cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let admin = try PostgresConnection(url: server)
    try admin.run("CREATE SCHEMA \(schema)")
    admin.close()
    let separator = server.contains("?") ? "&" : "?"
    return (
      server + separator + "options=-csearch_path%3D\(schema)",
      {
        if let c = try? PostgresConnection(url: server) {
          try? c.run("DROP SCHEMA \(schema) CASCADE")
          c.close()
        }
      }
    )
  }

  /// Fills the archive at `url` and returns each question's JSON answer without the
  /// `archive` member (where it is differs by back end; what it says must not).
  func answers(archive url: String, reports: [String], documents: [String], newReport: String) throws
    -> [String:
    JSONValue]
  {
    let env = ["PMHOST_ARCHIVE": url]
    let add = try PMHostProcess.run(["archive", "add", "--json"] + reports, environment: env)
    #expect(add.status == 0, "\(add.stderr)")
    if !documents.isEmpty {
      let imported = try PMHostProcess.run(["archive", "import", "--json"] + documents, environment: env)
      // The corpus's ADSync post-mortem has no exact time: it is named, the rest are recorded.
      #expect(imported.status == 1, "\(imported.stderr)")
      let importJSON = try JSONValue.parse(Data(imported.stdout.utf8))
      let failed = (importJSON["failed"]?.arrayValue ?? []).compactMap { $0["file"]?.stringValue }
      #expect(failed.allSatisfy { $0.contains("PM2020-003") }, "\(failed)")
    }
    var out: [String: JSONValue] = [:]
    for (name, arguments) in [
      ("list", ["list"]), ("factors", ["factors"]),
      ("actions", ["actions", "--overdue", "--today", "2026-12-01"]),
      ("metrics", ["metrics", "--by", "quarter"]), ("metrics-all", ["metrics"]),
      ("similar", ["similar", newReport]),
      ("service", ["list", "--service", "orders-api", "--since", "2023-01-01"]),
    ] {
      let r = try PMHostProcess.run(["archive"] + arguments + ["--json"], environment: env)
      #expect(r.status == 0, "\(name): \(r.stderr)")
      guard case .object(var object) = try JSONValue.parse(Data(r.stdout.utf8)) else {
        Issue.record("\(name): not a JSON object")
        continue
      }
      object["archive"] = nil
      // Where each record came from is a path in a scratch folder: the same on both.
      out[name] = .object(object)
    }
    return out
  }

  @Test func aQuestionToAMissingArchiveIsRefusedNotAnsweredEmpty() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let missing = scratch.path + "/typo/archive.sqlite"
    let r = try PMHostProcess.run(["archive", "list", "--archive", missing])
    #expect(r.status == 2)
    #expect(r.stderr.contains("no archive at \(missing)"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path + "/typo"))
    // Recording creates it.
    try scratch.write(
      "r.json",
      "{\"incident\": {\"id\": \"X-1\", \"title\": \"t\", \"started_at\": \"2025-01-01T00:00:00Z\", \"ended_at\": \"2025-01-01T01:00:00Z\"}}"
    )
    // A relative file is recorded with its absolute path: from another folder it still names it.
    let add = try PMHostProcess.run(["archive", "add", "--archive", missing, "r.json"], in: scratch.path)
    #expect(add.status == 0, "\(add.stderr)")
    let json = try PMHostProcess.run(["archive", "list", "--json", "--archive", missing])
    let source = try JSONValue.parse(Data(json.stdout.utf8))["incidents"]?[0]?["source"]?.stringValue
    #expect(source == scratch.path + "/r.json")
    let list = try PMHostProcess.run(["archive", "list", "--archive", missing])
    #expect(list.status == 0 && list.stdout.contains("X-1"), "\(list.stderr)")
  }

  @Test func aTeamsArchiveAnswersTheSameOnSQLiteAndPostgreSQL() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    // A dozen incidents sharing three factor themes, and one more of the same family as
    // the "new" report.
    let gen = try PMHostProcess.run(
      [
        "python3", PMHostProcess.packageRoot + "/scripts/gen-incidents", "--family", "--seed", "18", "--out",
        scratch.path + "/family",
      ], binary: "/usr/bin/env")
    try #require(gen.status == 0, "\(gen.stderr)")
    let family = try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/family").filter {
      $0.hasSuffix(".json")
    }.sorted().map { scratch.path + "/family/" + $0 }
    #expect(family.count == 12)
    // The seed example, run as the Quick start runs it.
    let run = try PMHostProcess.run(
      [
        "run", "examples/api-outage/pipeline.lua", "--no-input", "--quiet", "--no-archive", "--out",
        scratch.path + "/seed",
      ])
    #expect(FileManager.default.fileExists(atPath: scratch.path + "/seed/report.json"), "\(run.stderr)")
    let reports = [scratch.path + "/seed/report.json"] + family.dropLast()
    let newReport = family.last!
    var documents: [String] = []
    if let names = try? FileManager.default.contentsOfDirectory(atPath: Self.corpus) {
      documents = names.filter { $0.hasPrefix("PM20") && $0.hasSuffix(".md") }.sorted().map {
        Self.corpus + "/" + $0
      }
    } else if ProcessInfo.processInfo.environment["CI"] != nil {
      Issue.record("\(Self.corpus) is absent: the corpus post-mortems are part of this test")
    }

    let sqlite = try answers(
      archive: scratch.path + "/archive.sqlite", reports: reports, documents: documents, newReport: newReport)

    // What the archive says.
    let listed = sqlite["list"]?["incidents"]?.arrayValue ?? []
    #expect(listed.count == reports.count + max(0, documents.count - 1))
    let clusters = sqlite["factors"]?["clusters"]?.arrayValue ?? []
    let biggest = try #require(clusters.first)
    #expect((biggest["incident_count"]?.intValue ?? 0) >= 4, "\(biggest)")
    #expect(
      clusters.contains {
        ($0["incidents"]?.arrayValue ?? []).contains { $0.stringValue?.hasPrefix("PM20") == true }
      })
    let overdue = sqlite["actions"]?["actions"]?.arrayValue ?? []
    #expect(Set(overdue.compactMap { $0["incident"]?.stringValue }).count >= 3)
    #expect(overdue.allSatisfy { $0["standing"]?.stringValue == "overdue" })
    let days = overdue.compactMap { $0["overdue_days"]?.intValue }
    #expect(days == days.sorted(by: >))
    let all = try #require(sqlite["metrics-all"]?["groups"]?.arrayValue?.first)
    #expect((all["time_to_resolve"]?["count"]?.intValue ?? 0) >= 10)
    #expect(all["time_to_resolve"]?["p90_s"]?.intValue != nil)
    let similar = sqlite["similar"]?["similar"]?.arrayValue ?? []
    let first = try #require(similar.first)
    #expect(first["incident"]?["id"]?.stringValue?.hasPrefix("INC-") == true, "\(first)")
    let alike = first["alike_factors"]?.arrayValue ?? []
    #expect(alike.count >= 2, "\(first)")

    // The same answers from PostgreSQL.
    guard let pg = try Self.postgresArchive() else { return }
    defer { pg.drop() }
    let postgres = try answers(archive: pg.url, reports: reports, documents: documents, newReport: newReport)
    for key in sqlite.keys.sorted() {
      #expect(
        sqlite[key]?.jsonText(pretty: true) == postgres[key]?.jsonText(pretty: true),
        "\(key) differs between SQLite and PostgreSQL")
    }
  }
}
