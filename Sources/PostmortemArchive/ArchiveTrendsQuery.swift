import PostmortemCore

extension Archive {
  /// The trends `pmhost archive report --html` draws, from the same questions the other
  /// commands ask (so the page and `list`, `metrics`, `factors` and `actions` agree).
  public func trends(_ filter: ArchiveFilter = ArchiveFilter(), today: Timestamp) throws(ArchiveError)
    -> ArchiveTrends
  {
    let incidents = try list(filter)
    let overdue = try actions(filter, today: today, overdueOnly: true)
    let overall = try metrics(filter).first
    let byQuarter = Dictionary(uniqueKeysWithValues: try metrics(filter, by: .quarter).map { ($0.key, $0) })
    var severities: [String: [String: Int]] = [:]
    for i in incidents { severities[i.quarter, default: [:]][i.severity ?? "unknown", default: 0] += 1 }
    var trends = ArchiveTrends(generatedAt: today, archive: display, filter: filter.description)
    trends.totals = ArchiveTrends.Totals(
      incidents: incidents.count, services: Set(incidents.flatMap(\.services)).count,
      overdueActions: overdue.count,
      timeToResolve: overall?.resolve ?? DurationStats(), firstStarted: incidents.last?.startedAt,
      lastStarted: incidents.first?.startedAt)
    trends.quarters = Self.quarters(from: incidents.last?.quarter, to: incidents.first?.quarter).map {
      period in
      let m = byQuarter[period]
      return ArchiveTrends.Quarter(
        period: period, incidentsBySeverity: severities[period] ?? [:],
        timeToDetect: m?.detect ?? DurationStats(),
        timeToAcknowledge: m?.acknowledge ?? DurationStats(), timeToMitigate: m?.mitigate ?? DurationStats(),
        timeToResolve: m?.resolve ?? DurationStats())
    }
    trends.recurringFactors = try factors(filter).map {
      ArchiveTrends.Factor(
        label: $0.label, category: $0.category == Self.uncategorized ? nil : $0.category,
        incidentCount: $0.incidents.count, incidents: $0.incidents)
    }
    trends.overdueActions = overdue.map {
      ArchiveTrends.OverdueAction(
        incident: $0.incident, item: $0.item.id, action: $0.item.action, owner: $0.item.owner,
        deadline: $0.item.deadline ?? "", daysOverdue: $0.overdueDays ?? 0)
    }
    trends.services = try metrics(filter, by: .service).map {
      ArchiveTrends.Service(service: $0.key, incidentCount: $0.incidents, timeToResolve: $0.resolve)
    }
    trends.incidents = incidents.map {
      ArchiveTrends.IncidentRow(
        id: $0.id, title: $0.title, started: $0.startedAt, severity: $0.severity, services: $0.services,
        timeToResolve: $0.metrics.timeToResolveS)
    }
    return trends
  }

  /// Every quarter from `first` to `last` (`2024-Q3`...`2025-Q2`), none left out.
  static func quarters(from first: String?, to last: String?) -> [String] {
    func parse(_ q: String?) -> (Int, Int)? {
      guard let q, q.count == 7, let y = Int(q.prefix(4)), let n = Int(q.suffix(1)) else { return nil }
      return (y, n)
    }
    guard let (y0, q0) = parse(first), let (y1, q1) = parse(last), (y0, q0) <= (y1, q1) else { return [] }
    var out: [String] = []
    var (y, q) = (y0, q0)
    while (y, q) <= (y1, q1) && out.count < 400 {
      out.append("\(y)-Q\(q)")
      (y, q) = q == 4 ? (y + 1, 1) : (y, q + 1)
    }
    return out
  }
}
