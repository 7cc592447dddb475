/// The incident a post-mortem is about: what `incident.yaml` holds.
///
/// ```swift
/// let incident = try IncidentLoader.load(path: "incident.yaml")
/// formatDuration(seconds: incident.durationSeconds)  // "1h 35min"
/// ```
public struct Incident: Codable, Sendable, Equatable {
  /// Identifier such as `PM-2025-02-09`.
  public var id: String
  /// One-line title.
  public var title: String
  /// When impact began.
  public var startedAt: Timestamp
  /// When impact ended.
  public var endedAt: Timestamp
  /// Services involved.
  public var services: [String]
  /// Authors of the post-mortem (`@alice`).
  public var authors: [String]
  /// Severity such as `P1`; set by the classify stage when absent.
  public var severity: String?
  /// Impact figures as written in incident.yaml (ints stay ints).
  public var impact: [String: JSONValue]
  /// Summary paragraph.
  public var summary: String?
  /// Root cause statement.
  public var rootCause: String?
  /// Date of the review meeting (`YYYY-MM-DD`), when held.
  public var reviewed: String?
  /// When the post-mortem was distributed.
  public var distributedAt: Timestamp?
  /// Handle to aliases (names, emails, chat ids), for attributing events to people.
  public var people: [String: [String]]
  /// What went well.
  public var whatWentWell: [String]
  /// Lessons learned.
  public var lessonsLearned: [String]

  /// An incident; everything but the four required fields may be filled in later.
  public init(
    id: String, title: String, startedAt: Timestamp, endedAt: Timestamp,
    services: [String] = [], authors: [String] = [], severity: String? = nil,
    impact: [String: JSONValue] = [:], summary: String? = nil, rootCause: String? = nil,
    reviewed: String? = nil, distributedAt: Timestamp? = nil, people: [String: [String]] = [:],
    whatWentWell: [String] = [], lessonsLearned: [String] = []
  ) {
    self.id = id
    self.title = title
    self.startedAt = startedAt
    self.endedAt = endedAt
    self.services = services
    self.authors = authors
    self.severity = severity
    self.impact = impact
    self.summary = summary
    self.rootCause = rootCause
    self.reviewed = reviewed
    self.distributedAt = distributedAt
    self.people = people
    self.whatWentWell = whatWentWell
    self.lessonsLearned = lessonsLearned
  }

  /// Whole seconds from ``startedAt`` to ``endedAt``.
  public var durationSeconds: Int64 { endedAt.seconds(since: startedAt) }

  enum CodingKeys: String, CodingKey {
    case id, title, services, authors, severity, impact, summary, reviewed, people
    case startedAt = "started_at"
    case endedAt = "ended_at"
    case rootCause = "root_cause"
    case distributedAt = "distributed_at"
    case whatWentWell = "what_went_well"
    case lessonsLearned = "lessons_learned"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    title = try c.decode(String.self, forKey: .title)
    startedAt = try c.decode(Timestamp.self, forKey: .startedAt)
    endedAt = try c.decode(Timestamp.self, forKey: .endedAt)
    services = try c.value(.services, or: [])
    authors = try c.value(.authors, or: [])
    severity = try c.optional(.severity)
    impact = try c.value(.impact, or: [:])
    summary = try c.optional(.summary)
    rootCause = try c.optional(.rootCause)
    reviewed = try c.optional(.reviewed)
    distributedAt = try c.optional(.distributedAt)
    people = try c.value(.people, or: [:])
    whatWentWell = try c.value(.whatWentWell, or: [])
    lessonsLearned = try c.value(.lessonsLearned, or: [])
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encode(title, forKey: .title)
    try c.encode(startedAt, forKey: .startedAt)
    try c.encode(endedAt, forKey: .endedAt)
    try c.encode(services, forKey: .services)
    try c.encode(authors, forKey: .authors)
    try c.encode(severity, forKey: .severity)
    try c.encode(impact, forKey: .impact)
    try c.encode(summary, forKey: .summary)
    try c.encode(rootCause, forKey: .rootCause)
    try c.encode(reviewed, forKey: .reviewed)
    try c.encode(distributedAt, forKey: .distributedAt)
    try c.encode(people, forKey: .people)
    try c.encode(whatWentWell, forKey: .whatWentWell)
    try c.encode(lessonsLearned, forKey: .lessonsLearned)
  }
}
