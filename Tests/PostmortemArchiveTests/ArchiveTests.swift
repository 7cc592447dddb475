import Foundation
import PostmortemCore
import Testing

@testable import PostmortemArchive

/// A report for the archive tests: what matters is set, the rest defaults.
func incidentReport(
  _ id: String, start: String, services: [String] = [], severity: String? = nil,
  factors: [(String?, String)] = [], actions: [ActionItem] = [], detect: Int64? = nil, resolve: Int64? = nil,
  title: String? = nil, summary: String? = nil, messages: [String] = []
) -> Report {
  let started = TimeParser.rfc3339(start)!
  var incident = Incident(
    id: id, title: title ?? "Incident \(id)", startedAt: started,
    endedAt: started.adding(milliseconds: 3_600_000),
    services: services, severity: severity, summary: summary)
  incident.rootCause = nil
  var f = Factors()
  for (category, text) in factors { f.addContributing(ContributingFactor(category: category, text: text)) }
  let timeline = messages.enumerated().map { n, m in
    TimelineEvent(
      time: started.adding(milliseconds: Int64(n) * 60_000), event: m, source: "test", kind: "note")
  }
  return Report(
    meta: ReportMeta(version: "test", generatedAt: started), incident: incident, timeline: timeline,
    metrics: ResponseMetrics(timeToDetectS: detect, timeToResolveS: resolve, durationS: 3600), factors: f,
    actionItems: actions)
}

@Suite struct ArchiveTests {
  @Test(arguments: Backend.allCases)
  func recordingAgainReplacesNeverDuplicates(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      let first = incidentReport(
        "INC-1", start: "2025-01-10T10:00:00Z", services: ["api", "db"], severity: "SEV2",
        factors: [("technology", "Connection pool too small")],
        actions: [ActionItem(id: "AI-1", action: "Raise the pool size", deadline: "2025-01-20")])
      #expect(try archive.record(first, origin: .run, source: "out/report.json") == .added)
      var second = first
      second.incident.title = "Renamed"
      second.incident.services = ["api"]
      second.factors = Factors()
      second.actionItems = []
      #expect(try archive.record(second, origin: .run, source: "out/report.json") == .replaced)
      let listed = try archive.list()
      #expect(listed.map(\.id) == ["INC-1"])
      #expect(listed.first?.title == "Renamed")
      #expect(listed.first?.services == ["api"])
      #expect(try archive.factors(minIncidents: 1).isEmpty)
      #expect(try archive.actions(today: TimeParser.rfc3339("2025-02-01T00:00:00Z")!).isEmpty)
      #expect(try archive.totals().incidents == 1)
      #expect(try archive.remove(id: "INC-1"))
      #expect(try archive.totals().incidents == 0)
      #expect(try archive.totals().terms == 0)
      #expect(try !archive.remove(id: "INC-1"))
    }
  }

  @Test(arguments: Backend.allCases)
  func filtersSelectBySinceUntilServiceAndSeverity(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      try archive.record(
        incidentReport("A", start: "2025-01-01T00:00:00Z", services: ["api"], severity: "Sev 1"),
        origin: .report,
        source: "a")
      try archive.record(
        incidentReport("B", start: "2025-01-31T23:59:59Z", services: ["db"], severity: "SEV-2"),
        origin: .report,
        source: "b")
      try archive.record(
        incidentReport("C", start: "2025-02-01T00:00:00Z", services: ["api", "db"]), origin: .report,
        source: "c")
      let now = TimeParser.rfc3339("2025-03-01T00:00:00Z")!
      func ids(_ since: String?, _ until: String?, _ service: String?, _ severity: String?) throws -> [String]
      {
        try archive.list(
          ArchiveFilter.parse(since: since, until: until, service: service, severity: severity, now: now)
        ).map(\.id)
      }
      #expect(try ids(nil, nil, nil, nil) == ["C", "B", "A"])
      #expect(try ids("2025-01-02", nil, nil, nil) == ["C", "B"])
      #expect(try ids(nil, "2025-01-31", nil, nil) == ["B", "A"])  // the whole last day
      #expect(try ids(nil, nil, "api", nil) == ["C", "A"])
      #expect(try ids(nil, nil, nil, "sev1") == ["A"])
      #expect(try ids(nil, nil, nil, "SEV2") == ["B"])
      #expect(try ids("28d", nil, "db", nil) == ["C"])
      #expect(try ids("29d", nil, "db", nil) == ["C", "B"])
      #expect(try ids(nil, nil, "nope", nil).isEmpty)
      #expect(throws: ArchiveError.self) { _ = try ids("yesterday", nil, nil, nil) }
      #expect(throws: ArchiveError.self) { _ = try ids("2025-02-01", "2025-01-01", nil, nil) }
    }
  }

  @Test(arguments: Backend.allCases)
  func actionsAcrossIncidentsOverdueFirst(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      try archive.record(
        incidentReport(
          "INC-1", start: "2025-01-10T10:00:00Z",
          actions: [
            ActionItem(id: "AI-1", action: "done one", deadline: "2025-01-01", status: "done"),
            ActionItem(id: "AI-2", action: "late a week", deadline: "2025-02-22"),
            ActionItem(
              id: "AI-3", action: "tracked", deadline: "2025-04-01", tracking: .string("https://x/1")),
          ]), origin: .run, source: "r1")
      try archive.record(
        incidentReport(
          "INC-2", start: "2025-02-10T10:00:00Z",
          actions: [
            ActionItem(id: "AI-1", action: "late a month", deadline: "2025-01-30"),
            ActionItem(id: "AI-2", action: "no deadline, untracked"),
          ]), origin: .run, source: "r2")
      let today = TimeParser.rfc3339("2025-03-01T00:00:00Z")!
      let all = try archive.actions(today: today)
      #expect(
        all.map { "\($0.incident)/\($0.item.id)" } == [
          "INC-2/AI-1", "INC-1/AI-2", "INC-2/AI-2", "INC-1/AI-3", "INC-1/AI-1",
        ])
      #expect(all.map(\.standing) == [.overdue, .overdue, .untracked, .open, .done])
      #expect(all.map(\.overdueDays) == [30, 7, nil, nil, nil])
      let overdue = try archive.actions(today: today, overdueOnly: true)
      #expect(overdue.map(\.item.action) == ["late a month", "late a week"])
      #expect(overdue.first?.incidentTitle == "Incident INC-2")
    }
  }

  @Test(arguments: Backend.allCases)
  func metricsArePercentilesNeverMeans(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      // Resolve times 60, 120, 180, 240 and 3600 s: the mean would be 840.
      let resolves: [Int64?] = [60, 120, 180, 240, 3600, nil]
      for (n, r) in resolves.enumerated() {
        try archive.record(
          incidentReport(
            "I\(n)", start: "2025-0\(n < 3 ? 1 : 4)-1\(n)T00:00:00Z",
            services: n.isMultiple(of: 2) ? ["api"] : ["db"],
            severity: n < 2 ? "SEV1" : nil, detect: Int64(n * 10), resolve: r), origin: .report, source: "r")
      }
      let all = try #require(try archive.metrics().first)
      #expect(all.key == "all" && all.incidents == 6)
      #expect(all.resolve == DurationStats([60, 120, 180, 240, 3600]))
      #expect(all.resolve.count == 5)
      #expect(all.resolve.median == 180)
      #expect(all.resolve.p90 == 2256)  // 240 + 0.6 * (3600 - 240)
      #expect(all.resolve.max == 3600)
      #expect(all.detect.median == 25)  // 20 and 30 halfway
      let byQuarter = try archive.metrics(by: .quarter)
      #expect(byQuarter.map(\.key) == ["2025-Q1", "2025-Q2"])
      #expect(byQuarter.map(\.incidents) == [3, 3])
      #expect(byQuarter[1].resolve.count == 2)
      let bySeverity = try archive.metrics(by: .severity)
      #expect(bySeverity.map(\.key) == ["SEV1", "unknown"])
      let byService = try archive.metrics(by: .service)
      #expect(byService.map(\.key) == ["api", "db"])
      #expect(byService[0].resolve.median == 180)  // 60, 180, 3600
    }
  }

  @Test func percentilesInterpolateBetweenRanks() {
    #expect(DurationStats([]).median == nil)
    #expect(DurationStats([]).count == 0)
    #expect(DurationStats([7]).p90 == 7)
    #expect(DurationStats([1, 2]).median == 2)  // 1.5 rounds away from zero
    #expect(DurationStats([10, 20, 30, 40]).median == 25)
    #expect(DurationStats([5, 1, 3]).max == 5)
    #expect(DurationStats(Array(1...100)).p90 == 90)  // 90.1
  }

  @Test(arguments: Backend.allCases)
  func recurringFactorsClusterByCategoryAndWords(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      let reports = [
        incidentReport(
          "P-1", start: "2025-01-05T00:00:00Z",
          factors: [
            ("technology", "Database connection pool exhausted under peak load"),
            ("process", "No canary stage in the deploy pipeline"),
          ]),
        incidentReport(
          "P-2", start: "2025-02-05T00:00:00Z",
          factors: [("Technology", "DB conn pool too small for the traffic spike")]),
        incidentReport(
          "P-3", start: "2025-03-05T00:00:00Z",
          factors: [
            ("technology", "connection pools saturated on the orders database"),
            ("process", "Deploy pipeline has no canary stage"),
          ]),
        // Same words, another category: not the same factor.
        incidentReport(
          "P-4", start: "2025-03-06T00:00:00Z",
          factors: [("people", "Connection pool sizing unknown to on-call")]),
        incidentReport(
          "P-5", start: "2025-03-07T00:00:00Z", factors: [("technology", "Certificate expired on the edge")]),
      ]
      for r in reports { try archive.record(r, origin: .report, source: r.incident.id) }
      let clusters = try archive.factors()
      #expect(clusters.count == 2)
      #expect(clusters.first?.category == "technology")
      #expect(clusters.first?.incidents == ["P-1", "P-2", "P-3"])
      #expect(clusters.first?.label == "database-connection-pool")
      #expect(clusters.last?.incidents == ["P-1", "P-3"])
      #expect(clusters.last?.category == "process")
      #expect(try archive.factors(minIncidents: 3).count == 1)
      let since = try ArchiveFilter.parse(
        since: "2025-02-01", until: nil, service: nil, severity: nil,
        now: TimeParser.rfc3339("2025-04-01T00:00:00Z")!)
      #expect(try archive.factors(since).first?.incidents == ["P-2", "P-3"])
    }
  }

  @Test(arguments: Backend.allCases)
  func looseLikenessesDoNotChainUnrelatedFactors(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      // Each alike to the next only: A-B, B-C, C-D; A and D share nothing.
      let chain = [
        "Disk volume full", "Volume full, quota hit", "Full quota exceeded by tenant",
        "Quota exceeded by tenant billing",
      ]
      for (n, text) in chain.enumerated() {
        try archive.record(
          incidentReport("C-\(n)", start: "2025-01-0\(n + 1)T00:00:00Z", factors: [("technology", text)]),
          origin: .report, source: "c")
      }
      let clusters = try archive.factors()
      #expect(clusters.count == 1)
      #expect(clusters.first?.incidents == ["C-0", "C-1", "C-2"])
    }
  }

  @Test(arguments: Backend.allCases)
  func similarRanksTheCloserIncidentFirstAndSaysWhy(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      let pool = ("technology", "Database connection pool exhausted")
      try archive.record(
        incidentReport(
          "OLD-POOL", start: "2024-05-01T00:00:00Z", services: ["checkout"], factors: [pool],
          summary: "Checkout failed: the orders database connection pool was exhausted",
          messages: ["HikariPool-1 - Connection is not available, request timed out", "checkout 503"]),
        origin: .report, source: "x")
      try archive.record(
        incidentReport(
          "OLD-CERT", start: "2024-06-01T00:00:00Z", services: ["edge"],
          factors: [("technology", "TLS certificate expired")], summary: "Edge TLS certificate expired",
          messages: ["x509: certificate has expired"]), origin: .report, source: "y")
      for n in 0..<6 {
        try archive.record(
          incidentReport(
            "FILL-\(n)", start: "2024-0\(n + 1)-15T00:00:00Z", services: ["batch\(n)"],
            summary: "Nightly batch \(n) was late"), origin: .report, source: "z")
      }
      let new = incidentReport(
        "NEW", start: "2025-01-01T00:00:00Z", services: ["checkout"],
        factors: [("technology", "Connection pool of the orders database too small")],
        summary: "Checkout errors as the database connection pool ran out",
        messages: ["HikariPool-1 - Connection is not available"])
      try archive.record(new, origin: .run, source: "n")
      let found = try archive.similar(to: new, limit: 3)
      #expect(found.first?.incident.id == "OLD-POOL")
      #expect(!found.contains { $0.incident.id == "NEW" })
      #expect(found.first?.sharedServices == ["checkout"])
      #expect(found.first?.sharedCategories == ["technology"])
      #expect(found.first?.alikeFactors.count == 1)
      let words = Set(found.first?.words ?? [])
      #expect(words.isSuperset(of: ["connection", "pool", "checkout"]))
      if found.count > 1 { #expect(found[0].score > found[1].score) }
    }
  }

  @Test(arguments: Backend.allCases)
  func recurrenceCountsTheQuarter(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      let pool = "Database connection pool exhausted"
      try archive.record(
        incidentReport(
          "Q1-A", start: "2025-01-05T00:00:00Z", services: ["api"], factors: [("technology", pool)]),
        origin: .report, source: "a")
      try archive.record(
        incidentReport(
          "Q1-B", start: "2025-02-05T00:00:00Z", services: ["web"],
          factors: [("technology", "DB connection pool too small")]),
        origin: .report, source: "b")
      try archive.record(
        incidentReport(
          "Q4-OLD", start: "2024-12-30T00:00:00Z", services: ["api"], factors: [("technology", pool)]),
        origin: .report, source: "c")
      let new = incidentReport(
        "Q1-C", start: "2025-03-05T00:00:00Z", services: ["api"],
        factors: [("technology", "connection pool saturation"), ("process", "No load test")])
      try archive.record(new, origin: .run, source: "d")  // its own record never counts
      let found = try archive.recurrence(of: new)
      #expect(found.count == 2)
      let service = try #require(found.first { $0.kind == "service" })
      #expect(service.count == 2 && service.incidents == ["Q1-A"] && service.period == "2025-Q1")
      #expect(service.text == "Second incident in 2025-Q1 involving api: Q1-A")
      let factor = try #require(found.first { $0.kind == "factor" })
      #expect(factor.count == 3)
      #expect(factor.incidents == ["Q1-A", "Q1-B"])
      #expect(factor.subject == "connection-pool")
      #expect(
        factor.text == "Third incident in 2025-Q1 with a connection-pool factor (technology): Q1-A, Q1-B")
    }
  }

  @Test(arguments: Backend.allCases)
  func twoRecordersAtOnceLoseNothing(_ backend: Backend) throws {
    let fresh = try backend.fresh()
    defer { fresh.cleanup() }
    let location = fresh.location
    _ = try Archive(location: location)  // schema in place before the race
    let failures = Failures()
    DispatchQueue.concurrentPerform(iterations: 4) { worker in
      do {
        let archive = try Archive(location: location)
        defer { archive.close() }
        for n in 0..<25 {
          // Workers 0 and 1 write the same ids (a re-run racing the first run); 2 and 3 their own.
          let id = worker < 2 ? "SHARED-\(n)" : "W\(worker)-\(n)"
          try archive.record(
            incidentReport(
              id, start: "2025-01-01T00:00:00Z", services: ["s\(worker)"],
              factors: [("technology", "pool \(n)")],
              actions: [ActionItem(id: "AI-1", action: "a")]), origin: .run, source: "w\(worker)")
        }
      } catch {
        failures.add("\(error)")
      }
    }
    #expect(failures.all.isEmpty)
    let archive = try Archive(location: fresh.location)
    defer { archive.close() }
    let listed = try archive.list()
    #expect(listed.count == 75)
    #expect(try archive.totals().incidents == 75)
    // One set of children per shared id, whichever worker wrote last.
    #expect(try archive.actions(today: TimeParser.rfc3339("2025-01-02T00:00:00Z")!).count == 75)
    #expect(listed.allSatisfy { $0.services.count == 1 })
  }

  @Test(arguments: Backend.allCases)
  func hostileTextIsDataOnBothBackEnds(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      defer { archive.close() }
      let nasty = "x'); DROP TABLE incidents; -- ? $1 \u{202E}\n<script>"
      try archive.record(
        incidentReport(
          nasty, start: "2025-01-01T00:00:00Z", services: [nasty], severity: nasty, factors: [(nasty, nasty)],
          actions: [ActionItem(id: nasty, action: nasty, owner: nasty, deadline: nasty)], title: nasty),
        origin: .run,
        source: nasty)
      let listed = try archive.list()
      #expect(listed.count == 1)
      #expect(listed.first?.id == nasty && listed.first?.title == nasty && listed.first?.services == [nasty])
      #expect(
        try archive.actions(today: TimeParser.rfc3339("2025-01-02T00:00:00Z")!).first?.item.owner == nasty)
      let filtered = try archive.list(ArchiveFilter(service: nasty))
      #expect(filtered.count == 1)
    }
  }

  @Test(arguments: Backend.allCases)
  func aNewerSchemaIsRefusedNotMisread(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      let archive = try Archive(location: location)
      try archive.db.query("INSERT INTO archive_schema (version, applied_ms) VALUES (?, 0)", [.int(99)])
      archive.close()
      #expect {
        _ = try Archive(location: location)
      } throws: { error in
        (error as? ArchiveError)?.message.contains("version 99, newer than this pmhost knows") == true
      }
    }
  }
}

/// Errors collected from concurrent workers.
final class Failures: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []
  func add(_ s: String) { lock.withLock { list.append(s) } }
  var all: [String] { lock.withLock { list } }
}
