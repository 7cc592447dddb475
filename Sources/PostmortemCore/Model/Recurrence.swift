/// Something this incident shares with earlier ones in the archive: a service, or a
/// contributing factor of the same category and like text (report.json `recurrence`).
///
/// ```swift
/// Recurrence(kind: "factor", subject: "connection-pool", category: "technology", period: "2025-Q1",
///            count: 3, incidents: ["PM-101", "PM-107"], text: "Third incident in 2025-Q1 with a connection-pool factor (technology): PM-101, PM-107")
/// ```
public struct Recurrence: Codable, Sendable, Equatable {
  /// `factor` or `service`.
  public var kind: String
  /// The service, or the factor's shared words (`connection-pool`).
  public var subject: String
  /// The factor's fishbone category; nil for a service.
  public var category: String?
  /// The quarter counted (`2025-Q1`).
  public var period: String
  /// Incidents in the period with it, this one included.
  public var count: Int
  /// The other incidents' ids, earliest first.
  public var incidents: [String]
  /// One sentence for the report.
  public var text: String

  public init(
    kind: String, subject: String, category: String? = nil, period: String, count: Int, incidents: [String],
    text: String
  ) {
    self.kind = kind
    self.subject = subject
    self.category = category
    self.period = period
    self.count = count
    self.incidents = incidents
    self.text = text
  }

  enum CodingKeys: String, CodingKey { case kind, subject, category, period, count, incidents, text }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    try c.encode(subject, forKey: .subject)
    try c.encode(category, forKey: .category)
    try c.encode(period, forKey: .period)
    try c.encode(count, forKey: .count)
    try c.encode(incidents, forKey: .incidents)
    try c.encode(text, forKey: .text)
  }
}
