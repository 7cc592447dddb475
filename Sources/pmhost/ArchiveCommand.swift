import ArgumentParser
import Foundation
import PluginHost
import PostmortemArchive
import PostmortemCore

/// `pmhost archive ...`: every incident remembered, and what they say together.
struct ArchiveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "archive",
    abstract:
      "The post-mortem archive: record reports and hand-written post-mortems; list incidents, recurring factors, action items across incidents, response-time percentiles and similar past incidents.",
    discussion: """
      The archive is a SQLite file ($XDG_DATA_HOME/pmhost/archive.sqlite by default) or a PostgreSQL \
      database: --archive URL (a path, sqlite:PATH or postgres://...) or PMHOST_ARCHIVE names it. \
      docs/archive.md documents each --json answer.
      """,
    subcommands: [
      ArchiveAdd.self, ArchiveImport.self, ArchiveList.self, ArchiveFactors.self, ArchiveActions.self,
      ArchiveMetrics.self, ArchiveSimilar.self, ArchiveReport.self,
    ])
}

/// `--archive URL`, shared by every subcommand.
struct ArchiveLocationOption: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The archive: a path, sqlite:PATH or postgres://... (default: PMHOST_ARCHIVE, else $XDG_DATA_HOME/pmhost/archive.sqlite).",
      valueName: "URL"))
  var archive: String?

  /// The archive, created when `creating` (add, import); a question asked of a SQLite file
  /// that does not exist is refused rather than answered from a new, empty one (a mistyped
  /// path would otherwise say "no incidents").
  func open(creating: Bool) throws -> Archive {
    let location: ArchiveLocation
    let origin: String
    do {
      (location, origin) = try ArchiveLocation.resolve(
        flag: archive, environment: ProcessInfo.processInfo.environment)
    } catch {
      throw HostError.configuration("archive: \(error.message)")
    }
    if case .sqlite(let path) = location, !creating, !FileManager.default.fileExists(atPath: path) {
      throw HostError.configuration(
        "archive: no archive at \(path) (\(origin)): nothing is recorded there yet; pmhost run records its reports there, and pmhost archive add or import fills it"
      )
    }
    do {
      return try Archive(location: location)
    } catch {
      throw HostError.configuration("archive: \(error.message)")
    }
  }
}

/// The filters and output flag of the questions.
struct ArchiveQueryOptions: ParsableArguments {
  @OptionGroup var location: ArchiveLocationOption
  @Flag(help: "Print the answer as JSON (docs/archive.md gives its schema).") var json = false
  @Option(
    help: ArgumentHelp(
      "Incidents that began on or after: a date, RFC 3339 time, or 90d/12w/6m/1y ago.", valueName: "WHEN"))
  var since: String?
  @Option(
    help: ArgumentHelp("Incidents that began on or before (a date takes the whole day).", valueName: "WHEN"))
  var until: String?
  @Option(help: "Incidents involving this service.") var service: String?
  @Option(help: "Incidents of this severity (SEV1, sev-1 and Sev 1 are the same).") var severity: String?

  func filter(now: Timestamp = .current) throws -> ArchiveFilter {
    do {
      return try ArchiveFilter.parse(
        since: since, until: until, service: service, severity: severity, now: now)
    } catch {
      throw HostError.configuration(error.message)
    }
  }

  /// Runs `body` with the archive open; an archive error becomes pmhost's error.
  func with<T>(_ body: (Archive, ArchiveFilter) throws -> T) throws -> T {
    let filter = try filter()
    let archive = try location.open(creating: false)
    defer { archive.close() }
    do {
      return try body(archive, filter)
    } catch let error as ArchiveError {
      throw HostError.failed("archive: \(error.message)")
    }
  }

  /// The JSON answer: schema name, archive, filter, then the command's members.
  func answer(_ schema: String, _ archive: Archive, _ filter: ArchiveFilter, _ members: [String: JSONValue])
    -> String
  {
    var object = members
    object["schema"] = .string("pmhost.archive.\(schema)/1")
    object["archive"] = .string(archive.display)
    object["filter"] = filter.json
    return JSONValue.object(object).jsonText(pretty: true)
  }
}

extension Timestamp {
  static var current: Timestamp { Timestamp(seconds: Date().timeIntervalSince1970) }
}

// MARK: - Recording

struct ArchiveAdd: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract:
      "Record report.json files (as pmhost run writes them); an incident already recorded is replaced.")

  @OptionGroup var location: ArchiveLocationOption
  @Argument(help: "report.json files.") var reports: [String]
  @Flag(help: "Print what was recorded as JSON.") var json = false

  func run() throws {
    try ArchiveIntake.run(files: reports, location: location, json: json, schema: "add") { path in
      (try ArchiveIntake.report(path: path), [])
    } origin: {
      .report
    }
  }
}

struct ArchiveImport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract:
      "Record hand-written Markdown post-mortems, read as pmhost import reads them; what a document does not state stays unknown. Importing a document again replaces its record."
  )

  @OptionGroup var location: ArchiveLocationOption
  @Argument(help: "Markdown post-mortems (.md).") var documents: [String]
  @Flag(help: "Print what was recorded as JSON.") var json = false

  func run() throws {
    try ArchiveIntake.run(files: documents, location: location, json: json, schema: "import") { path in
      try ArchiveIntake.document(path: path)
    } origin: {
      .document
    }
  }
}

/// Reading what `add` and `import` record.
enum ArchiveIntake {
  /// Records each file; one that cannot be read is named with the reason and the rest go on
  /// (exit 1 at the end when any failed).
  static func run(
    files: [String], location: ArchiveLocationOption, json: Bool, schema: String,
    read: (String) throws -> (Report, [String]), origin: () -> Archive.Origin
  ) throws {
    guard !files.isEmpty else { throw HostError.configuration("archive \(schema): name at least one file") }
    let archive = try location.open(creating: true)
    defer { archive.close() }
    var recorded: [JSONValue] = []
    var failed: [JSONValue] = []
    var counts: [Archive.RecordOutcome: Int] = [:]
    for path in files {
      do {
        let (report, unknown) = try read(path)
        // Where it came from, absolute: a relative path means nothing from another folder.
        let source = ArchiveLocation.absolute(path)
        let outcome = try archive.record(report, origin: origin(), source: source, unknown: unknown)
        counts[outcome, default: 0] += 1
        recorded.append(
          .object([
            "file": .string(path), "id": .string(report.incident.id), "outcome": .string(outcome.rawValue),
            "unknown": .array(unknown.map { .string($0) }),
          ]))
        if !json {
          say("\(TerminalText.value(path)): \(outcome.rawValue) \(TerminalText.value(report.incident.id))")
        }
      } catch {
        let message =
          switch error {
          case let e as HostError: e.message
          case let e as ArchiveError: e.message
          default: "\(error)"
          }
        failed.append(.object(["file": .string(path), "error": .string(message)]))
        if !json { writeError("pmhost: archive \(schema): \(message)") }
      }
    }
    if json {
      print(
        JSONValue.object([
          "schema": .string("pmhost.archive.\(schema)/1"), "archive": .string(archive.display),
          "recorded": .array(recorded), "failed": .array(failed),
        ]).jsonText(pretty: true))
    } else {
      say(
        "archive \(archive.display): \(counts[.added] ?? 0) added, \(counts[.replaced] ?? 0) replaced"
          + (failed.isEmpty ? "" : ", \(failed.count) not recorded"))
    }
    if !failed.isEmpty { throw ExitCode(1) }
  }

  static func report(path: String) throws -> Report {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HostError.configuration("\(path): no such file")
    }
    do {
      return try Report.decode(data, origin: path)
    } catch {
      throw HostError.configuration("\(error) (archive add reads the report.json pmhost run writes)")
    }
  }

  /// A Markdown post-mortem as a report, and what it did not state. Durations the document
  /// states ("Time to detection: 5 minutes") are kept; none is computed from guessed moments.
  static func document(path: String) throws -> (Report, [String]) {
    let bytes = try DocumentImport.report(path: path)
    let tree: JSONValue
    do { tree = try JSONValue.parse(Data(bytes)) } catch {
      throw HostError.failed("\(path): \(error.message)")
    }
    var report: Report
    do { report = try Report.decode(tree, origin: path) } catch { throw HostError.failed("\(error)") }
    var unknown = (tree["imported"]?["unknown"]?.arrayValue ?? []).compactMap(\.stringValue)
    var metrics = ResponseMetrics()
    var stated: [String: Int64] = [:]
    for fact in tree["imported"]?["facts"]?.arrayValue ?? [] {
      guard let key = fact["key"]?.stringValue, let text = fact["text"]?.stringValue,
        let seconds = parseDuration(text)
      else { continue }
      stated[key] = stated[key] ?? seconds
    }
    metrics.timeToDetectS = stated["time_to_detect"]
    metrics.timeToAcknowledgeS = stated["time_to_acknowledge"]
    metrics.timeToMitigateS = stated["time_to_mitigate"]
    // "Time to recovery" is the end of impact: counted as resolve when no time to resolve is given.
    metrics.timeToResolveS = stated["time_to_resolve"] ?? stated["time_to_recover"]
    metrics.durationS = stated["duration"]
    for (name, value) in [
      ("time to detect", metrics.timeToDetectS), ("time to acknowledge", metrics.timeToAcknowledgeS),
      ("time to mitigate", metrics.timeToMitigateS), ("time to resolve", metrics.timeToResolveS),
    ] where value == nil {
      unknown.append("metrics: \(name)")
    }
    report.metrics = metrics
    return (report, unknown)
  }
}

// MARK: - Questions

func durationCell(_ seconds: Int64?) -> String { seconds.map { formatDuration(seconds: $0) } ?? "-" }

func incidentJSON(_ i: ArchivedIncident) -> JSONValue {
  .object([
    "id": .string(i.id), "title": .string(i.title), "started_at": .string(i.startedAt.formatted(.rfc3339)),
    "ended_at": .string(i.endedAt.formatted(.rfc3339)), "quarter": .string(i.quarter),
    "severity": i.severity.map { .string($0) } ?? .null, "services": .array(i.services.map { .string($0) }),
    "origin": .string(i.origin), "source": .string(i.source),
    "metrics": (try? JSONValueEncoder().encode(i.metrics)) ?? .null,
    "unknown": .array(i.unknown.map { .string($0) }),
  ])
}

struct ArchiveList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "Incidents, latest first: date, severity, services, time to detect and resolve.")

  @OptionGroup var options: ArchiveQueryOptions
  @Option(help: "Show at most N incidents.") var limit: Int?

  func run() throws {
    try options.with { archive, filter in
      let incidents = try archive.list(filter, limit: limit)
      if options.json {
        print(options.answer("list", archive, filter, ["incidents": .array(incidents.map(incidentJSON))]))
        return
      }
      guard !incidents.isEmpty else { return say("no incidents (\(filter.description))") }
      let rows = incidents.map { i in
        [
          i.startedAt.formatted(.dateTime), i.id, i.severity ?? "-",
          i.services.isEmpty ? "-" : i.services.joined(separator: ","), durationCell(i.metrics.timeToDetectS),
          durationCell(i.metrics.timeToResolveS), durationCell(i.metrics.durationS), i.title,
        ].map(TerminalText.value)
      }
      say(
        TextTable.render(
          header: ["STARTED (UTC)", "ID", "SEV", "SERVICES", "DETECT", "RESOLVE", "DURATION", "TITLE"],
          rows: rows),
        terminator: "")
    }
  }
}

struct ArchiveFactors: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "factors",
    abstract:
      "Contributing factors that recur: alike factors (same fishbone category, the same words) of several incidents, most incidents first."
  )

  @OptionGroup var options: ArchiveQueryOptions
  @Option(help: "Only clusters of at least N incidents.") var minIncidents = 2

  func run() throws {
    try options.with { archive, filter in
      let clusters = try archive.factors(filter, minIncidents: minIncidents)
      if options.json {
        let list: [JSONValue] = clusters.map { c in
          .object([
            "label": .string(c.label), "category": .string(c.category),
            "incident_count": .int(Int64(c.incidents.count)),
            "incidents": .array(c.incidents.map { .string($0) }),
            "factors": .array(
              c.members.map { .object(["incident": .string($0.incident), "text": .string($0.text)]) }),
          ])
        }
        print(options.answer("factors", archive, filter, ["clusters": .array(list)]))
        return
      }
      guard !clusters.isEmpty else {
        return say("no factor recurs in \(minIncidents) or more incidents (\(filter.description))")
      }
      var out = ""
      for c in clusters {
        let v = TerminalText.value
        out += "\(c.incidents.count) incidents  \(v(c.category))  \(v(c.label))\n"
        for m in c.members { out += "  \(v(m.incident)): \(v(m.text))\n" }
      }
      say(out, terminator: "")
    }
  }
}

struct ArchiveActions: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "actions",
    abstract:
      "Action items across incidents: overdue first (most overdue first), then open items no tracker holds, then tracked ones, then done."
  )

  @OptionGroup var options: ArchiveQueryOptions
  @Flag(help: "Only overdue items.") var overdue = false
  @Option(
    help: ArgumentHelp("The day to count overdue items from (default: today, UTC).", valueName: "YYYY-MM-DD"))
  var today: String?

  func run() throws {
    var now = Timestamp.current
    if let today {
      guard let day = TimeParser.rfc3339(today + "T00:00:00Z") else {
        throw HostError.configuration("--today \(today): give a date as YYYY-MM-DD")
      }
      now = day
    }
    try options.with { archive, filter in
      let items = try archive.actions(filter, today: now, overdueOnly: overdue)
      if options.json {
        let list: [JSONValue] = items.map { a in
          var object = (try? JSONValueEncoder().encode(a.item).objectValue) ?? [:]
          object["incident"] = .string(a.incident)
          object["incident_title"] = .string(a.incidentTitle)
          object["standing"] = .string(a.standing.rawValue)
          object["overdue_days"] = a.overdueDays.map { .int(Int64($0)) } ?? .null
          return .object(object)
        }
        print(
          options.answer(
            "actions", archive, filter, ["today": .string(now.formatted(.rfc3339)), "actions": .array(list)]))
        return
      }
      guard !items.isEmpty else { return say("no action items (\(filter.description))") }
      let rows = items.map { a in
        [
          a.incident, a.item.id, a.overdueDays.map { "OVERDUE \($0)d" } ?? a.standing.rawValue.uppercased(),
          a.item.owner ?? "-", a.item.deadline ?? "-", a.item.action,
        ].map(TerminalText.value)
      }
      say(
        TextTable.render(header: ["INCIDENT", "ID", "STANDING", "OWNER", "DEADLINE", "ACTION"], rows: rows),
        terminator: "")
    }
  }
}

struct ArchiveMetrics: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "metrics",
    abstract:
      "Time to detect, acknowledge, mitigate and resolve: count, median, p90 and max (never a mean: durations are skewed), overall or by severity, service or quarter."
  )

  @OptionGroup var options: ArchiveQueryOptions
  @Option(help: "Group by severity, service or quarter.") var by: MetricsGrouping?

  func run() throws {
    try options.with { archive, filter in
      let groups = try archive.metrics(filter, by: by)
      func stats(_ s: DurationStats) -> JSONValue {
        .object([
          "count": .int(Int64(s.count)), "median_s": s.median.map { .int($0) } ?? .null,
          "p90_s": s.p90.map { .int($0) } ?? .null, "max_s": s.max.map { .int($0) } ?? .null,
        ])
      }
      if options.json {
        let list: [JSONValue] = groups.map { g in
          .object([
            "key": .string(g.key), "incidents": .int(Int64(g.incidents)), "time_to_detect": stats(g.detect),
            "time_to_acknowledge": stats(g.acknowledge), "time_to_mitigate": stats(g.mitigate),
            "time_to_resolve": stats(g.resolve),
          ])
        }
        print(
          options.answer(
            "metrics", archive, filter,
            ["by": by.map { .string($0.rawValue) } ?? .null, "groups": .array(list)]))
        return
      }
      var rows: [[String]] = []
      for g in groups {
        for (name, s) in [
          ("detect", g.detect), ("acknowledge", g.acknowledge), ("mitigate", g.mitigate),
          ("resolve", g.resolve),
        ] {
          rows.append(
            [
              g.key, "\(g.incidents)", name, "\(s.count)", durationCell(s.median), durationCell(s.p90),
              durationCell(s.max),
            ].map(TerminalText.value))
        }
      }
      say(
        TextTable.render(
          header: [
            (by?.rawValue ?? "GROUP").uppercased(), "INCIDENTS", "TIME TO", "STATED", "MEDIAN", "P90", "MAX",
          ],
          rows: rows), terminator: "")
    }
  }
}

extension MetricsGrouping: ExpressibleByArgument {}

struct ArchiveSimilar: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "similar",
    abstract:
      "The past incidents most like a report (ranked over summary, factors, services and timeline messages), with what they share."
  )

  @OptionGroup var options: ArchiveQueryOptions
  @Argument(help: "A report.json.") var report: String
  @Option(help: "How many to show.") var limit = 5

  func run() throws {
    let subject = try ArchiveIntake.report(path: report)
    try options.with { archive, filter in
      let found = try archive.similar(to: subject, filter, limit: limit)
      if options.json {
        let list: [JSONValue] = found.map { s in
          .object([
            "incident": incidentJSON(s.incident), "score": .double(s.score),
            "shared_services": .array(s.sharedServices.map { .string($0) }),
            "shared_categories": .array(s.sharedCategories.map { .string($0) }),
            "alike_factors": .array(s.alikeFactors.map { .string($0) }),
            "words": .array(s.words.map { .string($0) }),
          ])
        }
        print(
          options.answer(
            "similar", archive, filter,
            [
              "report": .object([
                "id": .string(subject.incident.id), "title": .string(subject.incident.title),
              ]),
              "similar": .array(list),
            ]))
        return
      }
      guard !found.isEmpty else { return say("no similar incident in the archive (\(filter.description))") }
      var out = ""
      let v = TerminalText.value
      for s in found {
        out +=
          "\(v(s.incident.id))  \(s.incident.startedAt.formatted(.dateTime))  \(v(s.incident.title))  (score \(s.score))\n"
        if !s.sharedServices.isEmpty { out += "  services: \(v(s.sharedServices.joined(separator: ", ")))\n" }
        for f in s.alikeFactors { out += "  factor:   \(v(f))\n" }
        if !s.words.isEmpty { out += "  words:    \(v(s.words.joined(separator: ", ")))\n" }
      }
      say(out, terminator: "")
    }
  }
}

struct ArchiveReport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract:
      "Write one self-contained HTML page of the archive's trends: incidents per quarter by severity, time to resolve, recurring factors, services, overdue actions (SVG charts, no script, no network)."
  )

  @OptionGroup var options: ArchiveQueryOptions
  @Option(
    help: ArgumentHelp(
      "The page to write. An existing file is replaced only when pmhost wrote it.", valueName: "FILE"))
  var html: String

  func run() throws {
    if let existing = FileManager.default.contents(atPath: html) {
      let ours = String(decoding: existing.prefix(4096), as: UTF8.self).contains(
        "<meta name=\"generator\" content=\"\(ArchivePage.generator)\">")
      guard ours else {
        throw HostError.configuration(
          "\(html) exists and is not a page pmhost archive report wrote: not overwritten; name another file")
      }
    }
    let page = try options.with { archive, filter in
      ArchivePage.html(try archive.trends(filter, today: .current))
    }
    do { try FileAccess.writeAtomically(Array(page.utf8), to: html) } catch {
      throw HostError.failed("\(html): cannot write it: \(error)")
    }
    if options.json {
      print(
        JSONValue.object(["schema": .string("pmhost.archive.report/1"), "file": .string(html)]).jsonText(
          pretty: true))
    } else {
      say("\(html): written")
    }
  }
}
