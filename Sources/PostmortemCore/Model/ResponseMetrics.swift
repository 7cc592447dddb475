/// How fast the response was, in whole seconds (truncated); `nil` when a moment is unknown.
///
/// ```swift
/// let m = ResponseMetrics.compute(moments: moments, incident: incident)
/// m.timeToDetectS  // detected - impact_start
/// ```
public struct ResponseMetrics: Codable, Sendable, Equatable {
  /// detected − impact_start.
  public var timeToDetectS: Int64?
  /// acknowledged − detected.
  public var timeToAcknowledgeS: Int64?
  /// mitigated − impact_start.
  public var timeToMitigateS: Int64?
  /// resolved − impact_start.
  public var timeToResolveS: Int64?
  /// incident ended_at − started_at.
  public var durationS: Int64?

  /// Metrics as given.
  public init(
    timeToDetectS: Int64? = nil, timeToAcknowledgeS: Int64? = nil, timeToMitigateS: Int64? = nil,
    timeToResolveS: Int64? = nil, durationS: Int64? = nil
  ) {
    self.timeToDetectS = timeToDetectS
    self.timeToAcknowledgeS = timeToAcknowledgeS
    self.timeToMitigateS = timeToMitigateS
    self.timeToResolveS = timeToResolveS
    self.durationS = durationS
  }

  /// The metrics that follow from `moments` and the incident window.
  public static func compute(moments: KeyMoments, incident: Incident) -> ResponseMetrics {
    func between(_ from: Timestamp?, _ to: Timestamp?) -> Int64? {
      guard let from, let to else { return nil }
      return to.seconds(since: from)
    }
    return ResponseMetrics(
      timeToDetectS: between(moments.impactStart, moments.detected),
      timeToAcknowledgeS: between(moments.detected, moments.acknowledged),
      timeToMitigateS: between(moments.impactStart, moments.mitigated),
      timeToResolveS: between(moments.impactStart, moments.resolved),
      durationS: incident.durationSeconds)
  }

  enum CodingKeys: String, CodingKey {
    case timeToDetectS = "time_to_detect_s"
    case timeToAcknowledgeS = "time_to_acknowledge_s"
    case timeToMitigateS = "time_to_mitigate_s"
    case timeToResolveS = "time_to_resolve_s"
    case durationS = "duration_s"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    timeToDetectS = try c.optional(.timeToDetectS)
    timeToAcknowledgeS = try c.optional(.timeToAcknowledgeS)
    timeToMitigateS = try c.optional(.timeToMitigateS)
    timeToResolveS = try c.optional(.timeToResolveS)
    durationS = try c.optional(.durationS)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(timeToDetectS, forKey: .timeToDetectS)
    try c.encode(timeToAcknowledgeS, forKey: .timeToAcknowledgeS)
    try c.encode(timeToMitigateS, forKey: .timeToMitigateS)
    try c.encode(timeToResolveS, forKey: .timeToResolveS)
    try c.encode(durationS, forKey: .durationS)
  }
}
