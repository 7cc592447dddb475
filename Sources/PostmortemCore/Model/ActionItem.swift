/// Something to do so it does not happen again: an owner, a deadline, a priority.
///
/// ```swift
/// ActionItem(id: "AI-001", action: "Add a canary stage to the deploy pipeline", owner: "@bob", deadline: "2025-03-01", priority: "P1")
/// ```
public struct ActionItem: Codable, Sendable, Equatable {
  /// Identifier such as `AI-001`.
  public var id: String
  /// What to do, specific enough to be checked.
  public var action: String
  /// Who owns it.
  public var owner: String?
  /// Due date, `YYYY-MM-DD`.
  public var deadline: String?
  /// Priority such as `P1`.
  public var priority: String?
  /// `open`, `in_progress`, `done`...
  public var status: String
  /// Where it is tracked (an issue URL, or any JSON a track plugin records).
  public var tracking: JSONValue?

  /// An action item; status defaults to `open`.
  public init(
    id: String, action: String, owner: String? = nil, deadline: String? = nil,
    priority: String? = nil, status: String = "open", tracking: JSONValue? = nil
  ) {
    self.id = id
    self.action = action
    self.owner = owner
    self.deadline = deadline
    self.priority = priority
    self.status = status
    self.tracking = tracking
  }

  enum CodingKeys: String, CodingKey {
    case id, action, owner, deadline, priority, status, tracking
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    action = try c.decode(String.self, forKey: .action)
    owner = try c.optional(.owner)
    deadline = try c.optional(.deadline)
    priority = try c.optional(.priority)
    status = try c.value(.status, or: "open")
    tracking = try c.optional(.tracking)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encode(action, forKey: .action)
    try c.encode(owner, forKey: .owner)
    try c.encode(deadline, forKey: .deadline)
    try c.encode(priority, forKey: .priority)
    try c.encode(status, forKey: .status)
    try c.encode(tracking, forKey: .tracking)
  }
}

extension ActionItem {
  /// Statuses that close an item (compared case-insensitively).
  public static let closedStatuses: Set<String> = [
    "done", "closed", "resolved", "completed", "cancelled", "wontfix",
  ]

  /// Whether the item's status closes it.
  public var isClosed: Bool { Self.closedStatuses.contains(status.lowercased()) }

  /// When the item falls due: the end of its deadline's day (`2025-02-16` is due until
  /// 23:59:59 UTC), or the RFC 3339 time given; nil without a readable deadline.
  public var dueAt: Timestamp? {
    guard let deadline, !deadline.isEmpty else { return nil }
    if deadline.count == 10, let day = TimeParser.rfc3339(deadline + "T23:59:59Z") { return day }
    return TimeParser.rfc3339(deadline)
  }

  /// Whole days begun since the item fell due, for an open item past its deadline at `now`.
  public func overdueDays(at now: Timestamp) -> Int? {
    guard !isClosed, let due = dueAt, due < now else { return nil }
    return Int((now.milliseconds - due.milliseconds + 86_399_999) / 86_400_000)
  }

  /// Whether anything records where it is tracked (an issue URL or a tracker's record).
  public var isTracked: Bool {
    switch tracking {
    case nil, .null?: false
    case .string(let s)?: !s.trimmingCharacters(in: .whitespaces).isEmpty
    default: true
    }
  }
}
