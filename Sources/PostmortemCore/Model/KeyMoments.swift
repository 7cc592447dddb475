/// When each ``KeyMoment`` happened; `nil` for one not known. Encoded with every key
/// present (unknown moments as `null`).
///
/// ```swift
/// var moments = KeyMoments()
/// moments[.detected] = alertTime
/// ```
public struct KeyMoments: Codable, Sendable, Equatable {
  /// First error or metric crossing.
  public var impactStart: Timestamp?
  /// First alert fired.
  public var detected: Timestamp?
  /// First page.
  public var paged: Timestamp?
  /// First acknowledgement.
  public var acknowledged: Timestamp?
  /// Mitigation.
  public var mitigated: Timestamp?
  /// Resolution.
  public var resolved: Timestamp?

  /// Moments, all unknown unless given.
  public init(
    impactStart: Timestamp? = nil, detected: Timestamp? = nil, paged: Timestamp? = nil,
    acknowledged: Timestamp? = nil, mitigated: Timestamp? = nil, resolved: Timestamp? = nil
  ) {
    self.impactStart = impactStart
    self.detected = detected
    self.paged = paged
    self.acknowledged = acknowledged
    self.mitigated = mitigated
    self.resolved = resolved
  }

  /// The time of `moment`, by name.
  public subscript(moment: KeyMoment) -> Timestamp? {
    get {
      switch moment {
      case .impactStart: return impactStart
      case .detected: return detected
      case .paged: return paged
      case .acknowledged: return acknowledged
      case .mitigated: return mitigated
      case .resolved: return resolved
      }
    }
    set {
      switch moment {
      case .impactStart: impactStart = newValue
      case .detected: detected = newValue
      case .paged: paged = newValue
      case .acknowledged: acknowledged = newValue
      case .mitigated: mitigated = newValue
      case .resolved: resolved = newValue
      }
    }
  }

  struct MomentKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ moment: KeyMoment) { stringValue = moment.rawValue }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: MomentKey.self)
    self.init()
    for moment in KeyMoment.allCases {
      self[moment] = try c.decodeIfPresent(Timestamp.self, forKey: MomentKey(moment))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: MomentKey.self)
    for moment in KeyMoment.allCases {
      try c.encode(self[moment], forKey: MomentKey(moment))
    }
  }
}
