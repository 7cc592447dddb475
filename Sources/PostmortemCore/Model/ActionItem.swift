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
