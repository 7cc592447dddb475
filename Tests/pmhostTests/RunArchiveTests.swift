import Foundation
import PostmortemArchive
import Testing

/// `pmhost run` records its report in the post-mortem archive when it finishes (issue 18), and
/// the report of a later incident says what recurred. Every run here has an archive of its own
/// in a scratch folder: the default one (`XDG_DATA_HOME`), `--archive`, `PMHOST_ARCHIVE` or the
/// pipeline's `archive = ...`.
@Suite struct RunArchiveTests {
  /// A pipeline folder whose incident is `id`, on `day` of February 2025, with `services`.
  static func incident(
    _ dir: Scratch, id: String, day: Int = 9, services: [String] = ["api-service"], pipelineExtra: String = ""
  ) throws {
    try dir.write(
      "incident.yaml",
      """
      id: \(id)
      title: Outage \(id)
      started_at: 2025-02-\(String(format: "%02d", day))T10:00:00Z
      ended_at: 2025-02-\(String(format: "%02d", day))T11:00:00Z
      services: [\(services.joined(separator: ", "))]
      authors: ["@alice"]
      summary: The service returned errors.
      """)
    try dir.write(
      "pipeline.lua",
      """
      return {
        incident = "incident.yaml",\(pipelineExtra)
        report = { "markdown", "json" },
      }
      """)
  }

  /// The incidents an archive holds, read through PostmortemArchive (no sqlite3 needed).
  static func recorded(_ path: String) throws -> [ArchivedIncident] {
    let archive = try Archive(location: .sqlite(path: path))
    defer { archive.close() }
    return try archive.list()
  }

  static func reportJSON(_ path: String) throws -> [String: Any] {
    let data = try #require(FileManager.default.contents(atPath: path), "no \(path)")
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func aRunRecordsItsReportInTheDefaultArchiveAndARerunReplacesIt() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.incident(dir, id: "PM-REC-1")
    let data = dir.path + "/data"
    let archive = data + "/pmhost/archive.sqlite"
    let first = try PMHostProcess.run(
      ["run", "pipeline.lua"], in: dir.path, environment: ["XDG_DATA_HOME": data])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stderr.contains("pmhost: recorded PM-REC-1 in \(archive)\n"), "\(first.stderr)")
    var records = try Self.recorded(archive)
    #expect(records.map(\.id) == ["PM-REC-1"])
    #expect(records.first?.origin == "run")
    #expect(records.first?.source == dir.path + "/out/report.json")

    try dir.write(
      "incident.yaml", dir.read("incident.yaml")!.replacingOccurrences(of: "Outage", with: "Again"))
    let second = try PMHostProcess.run(
      ["run", "pipeline.lua"], in: dir.path, environment: ["XDG_DATA_HOME": data])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(
      second.stderr.contains("pmhost: recorded PM-REC-1 in \(archive) (replaced)\n"), "\(second.stderr)")
    records = try Self.recorded(archive)
    #expect(records.map(\.id) == ["PM-REC-1"])
    #expect(records.first?.title == "Again PM-REC-1")

    // --quiet: recorded, and nothing said.
    let quiet = try PMHostProcess.run(
      ["run", "pipeline.lua", "--quiet"], in: dir.path, environment: ["XDG_DATA_HOME": data])
    #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
  }

  @Test func noArchiveNeitherRecordsNorLooksUp() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.incident(dir, id: "PM-NONE")
    let data = dir.path + "/data"
    let run = try PMHostProcess.run(
      ["run", "pipeline.lua", "--no-archive"], in: dir.path, environment: ["XDG_DATA_HOME": data])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!run.stderr.contains("recorded"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: data), "--no-archive created \(data)")
    let report = try Self.reportJSON(dir.path + "/out/report.json")
    #expect((report["recurrence"] as? [Any])?.isEmpty == true)
    // --archive names one, --no-archive none: a usage error, before anything runs.
    let both = try PMHostProcess.run(
      ["run", "pipeline.lua", "--no-archive", "--archive", dir.path + "/a.sqlite", "--out", "o2"],
      in: dir.path)
    #expect(both.status == 2)
    #expect(both.stderr.contains("--archive and --no-archive"), "\(both.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/o2"))
  }

  @Test func aDefaultArchiveThatCannotBeWrittenIsAWarningAndTheReportIsKept() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.incident(dir, id: "PM-WARN")
    // XDG_DATA_HOME is a file: the archive's folder cannot be made (root could write anywhere else).
    try dir.write("not-a-folder", "x")
    let run = try PMHostProcess.run(
      ["run", "pipeline.lua", "--quiet"], in: dir.path,
      environment: ["XDG_DATA_HOME": dir.path + "/not-a-folder"])
    #expect(run.status == 0, "the run's own exit code: \(run.stderr)")
    let archive = dir.path + "/not-a-folder/pmhost/archive.sqlite"
    #expect(
      run.stderr.contains("pmhost: warning: could not record PM-WARN in \(archive) (the default archive): "),
      "\(run.stderr)")
    #expect(
      run.stderr.contains(
        "the report is kept in out/report.json; record it later with: pmhost archive add out/report.json\n"),
      "\(run.stderr)")
    let report = try Self.reportJSON(dir.path + "/out/report.json")
    // The lookup failed before the report stage: a warning in the report, not a failed run.
    let warnings = report["warnings"] as? [[String: Any]] ?? []
    #expect(
      warnings.contains { ($0["message"] as? String)?.contains("recurrence could not be looked up") == true },
      "\(warnings)")
    #expect(dir.read("out/report.md")?.contains("# Post-Mortem: Outage PM-WARN") == true)
  }

  @Test func anArchiveTheUserNamedThatIsNotADatabaseFailsTheRunAndKeepsTheReport() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.incident(dir, id: "PM-BAD")
    try dir.write("bad.sqlite", String(repeating: "this is not a SQLite database\n", count: 40))
    let run = try PMHostProcess.run(
      ["run", "pipeline.lua", "--quiet", "--archive", "bad.sqlite", "--out", "my out"], in: dir.path)
    #expect(run.status == 1, "\(run.stderr)")
    let archive = dir.path + "/bad.sqlite"
    #expect(
      run.stderr.contains(
        "pmhost: could not record PM-BAD in \(archive) (--archive): file is not a database"),
      "\(run.stderr)")
    #expect(
      run.stderr.contains(
        "the report is kept in my out/report.json; record it later with: pmhost archive add --archive \(archive) 'my out/report.json'\n"
      ), "\(run.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir.path + "/my out/report.json"))
    #expect(FileManager.default.fileExists(atPath: dir.path + "/my out/report.md"))

    // PMHOST_ARCHIVE is named by the user too; a PostgreSQL password is never shown.
    let pg = try PMHostProcess.run(
      ["run", "pipeline.lua", "--quiet"], in: dir.path,
      environment: ["PMHOST_ARCHIVE": "postgres://pm:hunter2@127.0.0.1:1/pm?connect_timeout=2"])
    #expect(pg.status == 1, "\(pg.stderr)")
    #expect(pg.stderr.contains("could not record PM-BAD in postgres://pm:***@127.0.0.1:1/pm"), "\(pg.stderr)")
    #expect(pg.stderr.contains("(PMHOST_ARCHIVE)"), "\(pg.stderr)")
    #expect(!pg.stderr.contains("hunter2"), "\(pg.stderr)")
    // It is set, so `pmhost archive add` finds it without --archive.
    #expect(pg.stderr.contains("record it later with: pmhost archive add out/report.json\n"), "\(pg.stderr)")
  }

  @Test func theArchiveThatCannotBeReadIsAUsageErrorBeforeTheRun() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.incident(dir, id: "PM-URL")
    let run = try PMHostProcess.run(
      ["run", "pipeline.lua", "--archive", "ftp://example.org/a"], in: dir.path)
    #expect(run.status == 2)
    #expect(
      run.stderr.contains("pmhost: --archive: ftp://example.org/a: not an archive location"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/out"))
  }

  @Test func thePipelinesArchiveIsResolvedFromItsFolderAndChecked() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.incident(dir, id: "PM-KEY", pipelineExtra: "\n  archive = \"team/archive.sqlite\",")
    // Run from another folder: the path is the pipeline's, not the current folder's.
    let elsewhere = try Scratch()
    defer { elsewhere.remove() }
    let run = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"], in: elsewhere.path)
    #expect(run.status == 0, "\(run.stderr)")
    let archive = dir.path + "/team/archive.sqlite"
    #expect(run.stderr.contains("pmhost: recorded PM-KEY in \(archive)\n"), "\(run.stderr)")
    #expect(try Self.recorded(archive).map(\.id) == ["PM-KEY"])
    #expect(!FileManager.default.fileExists(atPath: elsewhere.path + "/team"))
    // --archive and PMHOST_ARCHIVE win over the key.
    let env = try PMHostProcess.run(
      ["run", dir.path + "/pipeline.lua", "--quiet"], in: elsewhere.path,
      environment: ["PMHOST_ARCHIVE": elsewhere.path + "/env.sqlite"])
    #expect(env.status == 0, "\(env.stderr)")
    #expect(try Self.recorded(elsewhere.path + "/env.sqlite").map(\.id) == ["PM-KEY"])

    #expect(try PMHostProcess.run(["check", "pipeline.lua"], in: dir.path).status == 0)
    for (value, message) in [
      (
        "\"ftp://team/archive\"",
        "pipeline.lua:3: archive: ftp://team/archive: not an archive location pmhost knows"
      ),
      ("\" \"", "pipeline.lua:3: key 'archive' is empty"),
      ("42", "pipeline.lua:3: key 'archive': expected string, got number 42"),
    ] {
      try Self.incident(dir, id: "PM-KEY", pipelineExtra: "\n  archive = \(value),")
      let check = try PMHostProcess.run(["check", "pipeline.lua"], in: dir.path)
      #expect(check.status == 2)
      #expect(check.stderr.contains(message), "\(check.stderr)")
    }
    // The run stops before anything runs, naming the line.
    try Self.incident(dir, id: "PM-KEY", pipelineExtra: "\n  archive = \"ftp://team/archive\",")
    let bad = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o-bad"], in: dir.path)
    #expect(bad.status == 2)
    #expect(
      bad.stderr.contains("pipeline.lua:3: archive: ftp://team/archive: not an archive location"),
      "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/o-bad"))
  }

  @Test func theSecondOfTwoIncidentsOnAServiceSaysSoAndAReplayKeepsIt() throws {
    let first = try Scratch()
    defer { first.remove() }
    let second = try Scratch()
    defer { second.remove() }
    let archive = first.path + "/archive.sqlite"
    try Self.incident(first, id: "PM-FIRST", day: 3, services: ["checkout"])
    try Self.incident(second, id: "PM-SECOND", day: 20, services: ["checkout", "search"])
    let a = try PMHostProcess.run(["run", "pipeline.lua", "--archive", archive], in: first.path)
    #expect(a.status == 0, "\(a.stderr)")
    #expect(first.read("out/report.md")?.contains("## Recurrence") == false)
    let b = try PMHostProcess.run(["run", "pipeline.lua", "--archive", archive], in: second.path)
    #expect(b.status == 0, "\(b.stderr)")
    let text = "Second incident in 2025-Q1 involving checkout: PM-FIRST"
    let md = try #require(second.read("out/report.md"))
    #expect(md.contains("\n## Recurrence\n\n- \(text)\n"), "\(md)")
    #expect(!md.contains("search:"))
    #expect(b.stderr.contains("  recurrence \(text)\n"), "\(b.stderr)")
    let report = try Self.reportJSON(second.path + "/out/report.json")
    let recurrence = try #require(report["recurrence"] as? [[String: Any]])
    #expect(recurrence.count == 1)
    #expect(recurrence.first?["kind"] as? String == "service")
    #expect(recurrence.first?["subject"] as? String == "checkout")
    #expect(recurrence.first?["incidents"] as? [String] == ["PM-FIRST"])

    // A replay asks no source, the archive included: the recorded answer, nothing recorded,
    // even once the archive is gone.
    try FileManager.default.removeItem(atPath: archive)
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--replay", "out", "--out", "out-replay"], in: second.path)
    #expect(replay.status == 0, "\(replay.stderr)")
    #expect(!replay.stderr.contains("recorded"), "\(replay.stderr)")
    #expect(!FileManager.default.fileExists(atPath: archive))
    #expect(second.read("out-replay/report.md")?.contains("- \(text)\n") == true)
  }

  /// The server scripts/with-postgres starts (scripts/test runs the tests under it).
  static let postgresServer = ProcessInfo.processInfo.environment["PMHOST_TEST_POSTGRES"].flatMap {
    $0.isEmpty ? nil : $0
  }

  @Test(.enabled(if: postgresServer != nil, "needs PMHOST_TEST_POSTGRES (scripts/with-postgres sets it)"))
  func aTeamsPostgreSQLArchiveRecordsReplacesAndAnswersRecurrence() throws {
    let server = try #require(Self.postgresServer)
    let name = "pmhost_run_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    var parts = try #require(URLComponents(string: server))
    parts.path = "/" + name
    let url = try #require(parts.string)
    let admin = try PostgresConnection(url: server)
    try admin.run("CREATE DATABASE \(name)")
    admin.close()
    defer {
      if let admin = try? PostgresConnection(url: server) {
        try? admin.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        admin.close()
      }
    }
    let first = try Scratch()
    defer { first.remove() }
    let second = try Scratch()
    defer { second.remove() }
    try Self.incident(first, id: "PM-PG-1", day: 2, services: ["payments"])
    try Self.incident(second, id: "PM-PG-2", day: 12, services: ["payments"])
    let a = try PMHostProcess.run(
      ["run", "pipeline.lua"], in: first.path, environment: ["PMHOST_ARCHIVE": url])
    #expect(a.status == 0, "\(a.stderr)")
    // The terminal hides a URL's userinfo whole (a lone name there is often a token).
    let shown = "postgres://***@\(parts.host ?? ""):\(parts.port.map(String.init) ?? "")/\(name)"
    #expect(a.stderr.contains("pmhost: recorded PM-PG-1 in \(shown)\n"), "\(a.stderr)")
    let again = try PMHostProcess.run(
      ["run", "pipeline.lua"], in: first.path, environment: ["PMHOST_ARCHIVE": url])
    #expect(again.stderr.contains("PM-PG-1 in \(shown) (replaced)\n"), "\(again.stderr)")
    let b = try PMHostProcess.run(["run", "pipeline.lua", "--archive", url], in: second.path)
    #expect(b.status == 0, "\(b.stderr)")
    #expect(
      second.read("out/report.md")?.contains(
        "\n## Recurrence\n\n- Second incident in 2025-Q1 involving payments: PM-PG-1\n")
        == true)
    let archive = try Archive(location: .postgres(url: url))
    defer { archive.close() }
    #expect(try archive.list().map(\.id) == ["PM-PG-2", "PM-PG-1"])
  }
}
