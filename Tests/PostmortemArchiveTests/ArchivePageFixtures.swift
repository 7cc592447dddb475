import PostmortemCore

@testable import PostmortemArchive

/// Trends for the archive page's tests: an ordinary archive, a hostile one (every text field
/// holds markup, quotes, controls or 10,000 characters) and one at scale.
enum ArchivePageFixtures {
  static let now = Timestamp(milliseconds: 1_767_225_600_000)  // 2026-01-01T00:00:00Z
  static let day: Int64 = 86_400_000

  /// Texts that would do something if they were not escaped. The scripts set an attribute
  /// on the document element, which the browser test looks for.
  static let hostile = [
    "</title><script>document.documentElement.setAttribute('data-pwned','1')</script>",
    "\"><svg onload=\"document.documentElement.setAttribute('data-pwned','2')\"><rect/></svg>",
    "'><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','3')\">",
    "]]><script>document.documentElement.setAttribute('data-pwned','4')</script><![CDATA[",
    "</style><style>html{display:none}</style><!-- &amp; &#60;",
    "bell\u{07} esc\u{1B}[2J nul\u{00} del\u{7F} c1\u{85} tab\tline\nreturn\r end",
    "payroll\u{202E}exe.txt \u{2066}isolated\u{2069}",
    "see http://bob:hunter2@wiki.local/pm?token=abc",
    String(repeating: "A", count: 10_000),
    "Z" + String(repeating: "\u{0301}", count: 10_000),
  ]

  /// Four quarters, three severities and unknown, two factors, three services, six
  /// incidents: the bars the browser test counts.
  static func typical() -> ArchiveTrends {
    func d(_ median: Int64?, _ p90: Int64?, _ n: Int) -> ArchiveTrends.Durations {
      .init(median: median, p90: p90, max: p90, count: n)
    }
    let first = Timestamp(milliseconds: 1_736_000_000_000)
    let totals = ArchiveTrends.Totals(
      incidents: 9, services: 3, overdueActions: 2, timeToResolve: d(5_400, 14_400, 8), firstStarted: first,
      lastStarted: Timestamp(milliseconds: 1_764_000_000_000))
    let quarters: [ArchiveTrends.Quarter] = [
      .init(
        period: "2025-Q1", incidentsBySeverity: ["SEV1": 1, "SEV2": 2], timeToDetect: d(300, 900, 3),
        timeToResolve: d(3_600, 7_200, 3)),
      .init(
        period: "2025-Q2", incidentsBySeverity: ["SEV3": 1, "unknown": 1], timeToResolve: d(nil, nil, 0)),
      .init(period: "2025-Q3", incidentsBySeverity: [:]),
      .init(
        period: "2025-Q4", incidentsBySeverity: ["SEV1": 2, "SEV2": 1, "SEV3": 1],
        timeToResolve: d(9_000, 86_400, 4)),
    ]
    let factors: [ArchiveTrends.Factor] = [
      .init(
        label: "connection pool exhausted", category: "technology", incidentCount: 3,
        incidents: ["PM-1", "PM-4", "PM-9"]),
      .init(label: "no canary stage", category: "process", incidentCount: 2, incidents: ["PM-2", "PM-7"]),
    ]
    let actions: [ArchiveTrends.OverdueAction] = [
      .init(incident: "PM-4", item: "AI-2", action: "Canary stage", deadline: "2025-12-01", daysOverdue: 31),
      .init(
        incident: "PM-1", item: "AI-1", action: "Add pool metrics", owner: "dana", deadline: "2025-02-01",
        daysOverdue: 334),
    ]
    let services: [ArchiveTrends.Service] = [
      .init(service: "payments", incidentCount: 3),
      .init(service: "checkout-api", incidentCount: 5, timeToResolve: d(7_200, 14_400, 5)),
      .init(service: "search", incidentCount: 1, timeToResolve: d(600, 600, 1)),
    ]
    var incidents: [ArchiveTrends.IncidentRow] = []
    for i in 1...6 {
      let started = first.adding(milliseconds: Int64(i) * 40 * day)
      let severity: String? = i % 3 == 0 ? nil : "SEV\(i % 3)"
      let resolve: Int64? = i == 2 ? nil : Int64(i) * 1_800
      incidents.append(
        .init(
          id: "PM-\(i)", title: "Incident \(i)", started: started, severity: severity,
          services: ["checkout-api"],
          timeToResolve: resolve))
    }
    return ArchiveTrends(
      generatedAt: now, archive: "/home/sre/.local/share/pmhost/archive.sqlite", filter: "since 2025-01-01",
      totals: totals, quarters: quarters, recurringFactors: factors, overdueActions: actions,
      services: services,
      incidents: incidents)
  }

  /// The typical trends with hostile text in every text field.
  static func hostileTrends() -> ArchiveTrends {
    var t = typical()
    let h = hostile
    func at(_ i: Int) -> String { h[i % h.count] }
    t.archive = at(7)
    t.filter = at(0)
    for i in t.quarters.indices {
      t.quarters[i].period = at(i + 1)
      var by: [String: Int] = [:]
      for (j, n) in t.quarters[i].incidentsBySeverity.values.sorted().enumerated() { by[at(i + j)] = n }
      t.quarters[i].incidentsBySeverity = by
    }
    t.recurringFactors = h.indices.map { i in
      .init(label: at(i), category: at(i + 1), incidentCount: 2 + i, incidents: [at(i + 2), at(i + 3)])
    }
    t.overdueActions = h.indices.map { i in
      .init(
        incident: at(i), item: at(i + 1), action: at(i + 2), owner: at(i + 3), deadline: at(i + 4),
        daysOverdue: i)
    }
    t.services = h.indices.map { i in .init(service: at(i), incidentCount: 1 + i) }
    t.incidents = h.indices.map { i in
      .init(
        id: at(i), title: at(i + 1), started: now.adding(milliseconds: -Int64(i) * day), severity: at(i + 2),
        services: [at(i + 3), at(i + 4)], timeToResolve: Int64(i) * 600)
    }
    return t
  }

  /// 40 quarters, 200 services, 10,000 incidents.
  static func atScale() -> ArchiveTrends {
    let severities = ["SEV1", "SEV2", "SEV3", "SEV4", "unknown"]
    var quarters: [ArchiveTrends.Quarter] = []
    for q in 0..<40 {
      var by: [String: Int] = [:]
      for (k, name) in severities.enumerated() { by[name] = 10 + (q * 7 + k * 13) % 60 }
      let resolve =
        q % 9 == 4
        ? ArchiveTrends.Durations()
        : ArchiveTrends.Durations(median: Int64(1_800 + q * 600), p90: Int64(7_200 + q * 3_600), count: 250)
      quarters.append(
        .init(period: "\(2016 + q / 4)-Q\(q % 4 + 1)", incidentsBySeverity: by, timeToResolve: resolve))
    }
    let services = (0..<200).map { s in
      ArchiveTrends.Service(
        service: "service-\(s)", incidentCount: 400 - s, timeToResolve: .init(median: 3_600, count: 10))
    }
    let start = Timestamp(milliseconds: 1_451_606_400_000)  // 2016-01-01
    var incidents: [ArchiveTrends.IncidentRow] = []
    incidents.reserveCapacity(10_000)
    for i in 0..<10_000 {
      let started = start.adding(milliseconds: Int64(i) * 3 * day / 8)
      let resolve: Int64? = i % 10 == 0 ? nil : Int64(600 + i % 7_200)
      let names = ["service-\(i % 200)", "service-\((i * 7) % 200)"]
      incidents.append(
        .init(
          id: "PM-\(i)", title: "Checkout errors after deploy \(i)", started: started,
          severity: severities[i % 5],
          services: names, timeToResolve: resolve))
    }
    let factors = (0..<300).map { f in
      ArchiveTrends.Factor(
        label: "factor \(f)", category: "technology", incidentCount: 300 - f,
        incidents: (0..<(300 - f)).map { "PM-\($0)" })
    }
    let actions = (0..<2_000).map { a in
      ArchiveTrends.OverdueAction(
        incident: "PM-\(a)", item: "AI-\(a)", action: "Do thing \(a)", deadline: "2025-01-01", daysOverdue: a)
    }
    return ArchiveTrends(
      generatedAt: now, archive: "postgres://pm:***@db/pm", filter: "all incidents",
      totals: .init(
        incidents: 10_000, services: 200, overdueActions: 2_000,
        timeToResolve: .init(median: 4_200, p90: 30_000, count: 9_000),
        firstStarted: start, lastStarted: incidents.last?.started),
      quarters: quarters, recurringFactors: factors, overdueActions: actions, services: services,
      incidents: incidents)
  }
}
