/// The severity the classify stage decided on, and why.
///
/// ```swift
/// SeverityAssessment(level: "P1", rule: "customer-facing-outage", reason: "error rate 40% for 95 min")
/// ```
public struct SeverityAssessment: Codable, Sendable, Equatable {
  /// Level such as `P1` or `SEV2`.
  public var level: String
  /// The rule that matched, by name.
  public var rule: String?
  /// Why, in words.
  public var reason: String?

  /// An assessment.
  public init(level: String, rule: String? = nil, reason: String? = nil) {
    self.level = level
    self.rule = rule
    self.reason = reason
  }

  enum CodingKeys: String, CodingKey { case level, rule, reason }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    level = try c.decode(String.self, forKey: .level)
    rule = try c.optional(.rule)
    reason = try c.optional(.reason)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(level, forKey: .level)
    try c.encode(rule, forKey: .rule)
    try c.encode(reason, forKey: .reason)
  }
}
