import PostmortemCore

/// What `pmhost archive report --html` draws: the archive's trends, filled from its queries
/// and handed to ``ArchivePage/html(_:)``. Plain values, no database: the page never reads
/// the archive itself. Every text in it (ids, titles, services, factor labels, actions,
/// owners, severities) is untrusted and escaped by the page.
///
/// ```swift
/// var trends = ArchiveTrends(generatedAt: now, archive: "~/.local/share/pmhost/archive.sqlite")
/// trends.quarters = [
///   .init(period: "2025-Q1", incidentsBySeverity: ["SEV1": 1, "SEV2": 3],
///         timeToResolve: .init(median: 5_400, p90: 14_400, count: 4))
/// ]
/// let html = ArchivePage.html(trends)
/// ```
public struct ArchiveTrends: Sendable, Equatable {
  /// When the page was made.
  public var generatedAt: Timestamp
  /// Where the archive is (a path or a URL with its password already masked).
  public var archive: String
  /// The filters, as one line (`since 2025-01-01 · service checkout-api`); `all incidents`
  /// when there are none.
  public var filter: String
  /// The summary figures of the page's header.
  public var totals: Totals
  /// Quarter by quarter, oldest first, with no quarter left out between the first and the
  /// last (an empty one has no incidents and no durations).
  public var quarters: [Quarter]
  /// Contributing factors that came back, the most incidents first.
  public var recurringFactors: [Factor]
  /// Action items past their deadline and not closed, across incidents.
  public var overdueActions: [OverdueAction]
  /// Every service with its incidents (the page draws the first ones and sums the rest).
  public var services: [Service]
  /// The incidents (the page shows the newest ``ArchivePage/maxIncidentRows``).
  public var incidents: [IncidentRow]

  public init(
    generatedAt: Timestamp, archive: String, filter: String = "all incidents", totals: Totals = Totals(),
    quarters: [Quarter] = [], recurringFactors: [Factor] = [], overdueActions: [OverdueAction] = [],
    services: [Service] = [], incidents: [IncidentRow] = []
  ) {
    self.generatedAt = generatedAt
    self.archive = archive
    self.filter = filter
    self.totals = totals
    self.quarters = quarters
    self.recurringFactors = recurringFactors
    self.overdueActions = overdueActions
    self.services = services
    self.incidents = incidents
  }

  /// Durations in whole seconds with how many incidents stated one: the figures the
  /// `metrics` question gives (``DurationStats``).
  public typealias Durations = DurationStats

  /// The header's figures.
  public struct Totals: Sendable, Equatable {
    /// Incidents that match the filter (all of them, not only the rows handed to the page).
    public var incidents: Int
    /// Distinct services among them.
    public var services: Int
    /// Action items overdue among them.
    public var overdueActions: Int
    /// Time to resolve over every incident that matches.
    public var timeToResolve: Durations
    /// The earliest and the latest incident start.
    public var firstStarted: Timestamp?
    public var lastStarted: Timestamp?

    public init(
      incidents: Int = 0, services: Int = 0, overdueActions: Int = 0, timeToResolve: Durations = Durations(),
      firstStarted: Timestamp? = nil, lastStarted: Timestamp? = nil
    ) {
      self.incidents = incidents
      self.services = services
      self.overdueActions = overdueActions
      self.timeToResolve = timeToResolve
      self.firstStarted = firstStarted
      self.lastStarted = lastStarted
    }
  }

  /// One quarter: its incidents by severity and its response times.
  public struct Quarter: Sendable, Equatable {
    /// `2025-Q1`.
    public var period: String
    /// Incidents by severity as written (`SEV1`, `P2`...); `unknown` for those with none.
    public var incidentsBySeverity: [String: Int]
    public var timeToDetect: Durations
    public var timeToAcknowledge: Durations
    public var timeToMitigate: Durations
    public var timeToResolve: Durations

    public init(
      period: String, incidentsBySeverity: [String: Int] = [:], timeToDetect: Durations = Durations(),
      timeToAcknowledge: Durations = Durations(), timeToMitigate: Durations = Durations(),
      timeToResolve: Durations = Durations()
    ) {
      self.period = period
      self.incidentsBySeverity = incidentsBySeverity
      self.timeToDetect = timeToDetect
      self.timeToAcknowledge = timeToAcknowledge
      self.timeToMitigate = timeToMitigate
      self.timeToResolve = timeToResolve
    }

    /// Incidents in the quarter, every severity.
    public var incidents: Int { incidentsBySeverity.values.reduce(0) { $0 + Swift.max(0, $1) } }
  }

  /// A contributing factor that recurs: its cluster's label, fishbone category and incidents.
  public struct Factor: Sendable, Equatable {
    public var label: String
    public var category: String?
    public var incidentCount: Int
    /// The incidents' ids (the page lists the first ones).
    public var incidents: [String]

    public init(label: String, category: String? = nil, incidentCount: Int, incidents: [String] = []) {
      self.label = label
      self.category = category
      self.incidentCount = incidentCount
      self.incidents = incidents
    }
  }

  /// An action item past its deadline.
  public struct OverdueAction: Sendable, Equatable {
    public var incident: String
    /// The item's id in its report (`AI-3`).
    public var item: String
    public var action: String
    public var owner: String?
    /// The deadline as written (`2025-03-01`).
    public var deadline: String
    public var daysOverdue: Int

    public init(
      incident: String, item: String, action: String, owner: String? = nil, deadline: String, daysOverdue: Int
    ) {
      self.incident = incident
      self.item = item
      self.action = action
      self.owner = owner
      self.deadline = deadline
      self.daysOverdue = daysOverdue
    }
  }

  /// A service and the incidents that touched it.
  public struct Service: Sendable, Equatable {
    public var service: String
    public var incidentCount: Int
    public var timeToResolve: Durations

    public init(service: String, incidentCount: Int, timeToResolve: Durations = Durations()) {
      self.service = service
      self.incidentCount = incidentCount
      self.timeToResolve = timeToResolve
    }
  }

  /// One incident of the list.
  public struct IncidentRow: Sendable, Equatable {
    public var id: String
    public var title: String
    public var started: Timestamp
    public var severity: String?
    public var services: [String]
    /// In whole seconds; `nil` when the incident does not say when it was resolved.
    public var timeToResolve: Int64?

    public init(
      id: String, title: String, started: Timestamp, severity: String? = nil, services: [String] = [],
      timeToResolve: Int64? = nil
    ) {
      self.id = id
      self.title = title
      self.started = started
      self.severity = severity
      self.services = services
      self.timeToResolve = timeToResolve
    }
  }
}
