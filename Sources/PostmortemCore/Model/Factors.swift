/// The causes of an incident in three layers: immediate, contributing, systemic.
///
/// Adding a text that is already listed does nothing, so a factor reached by two why
/// chains appears once:
///
/// ```swift
/// var f = Factors()
/// f.addImmediate("Bad config pushed")
/// f.addImmediate("Bad config pushed")  // ignored
/// ```
public struct Factors: Codable, Sendable, Equatable {
  /// Immediate causes.
  public private(set) var immediate: [String]
  /// Contributing factors.
  public private(set) var contributing: [ContributingFactor]
  /// Systemic issues.
  public private(set) var systemic: [String]
  /// The texts listed in each layer: an add is O(1), however many factors a plugin adds.
  private var seen = Seen()

  private struct Seen: Sendable, Equatable {
    var immediate: Set<String> = []
    var contributing: Set<String> = []
    var systemic: Set<String> = []
    static func == (_: Seen, _: Seen) -> Bool { true }
  }

  /// Factors as given (repeated texts kept once).
  public init(
    immediate: [String] = [], contributing: [ContributingFactor] = [], systemic: [String] = []
  ) {
    self.immediate = []
    self.contributing = []
    self.systemic = []
    for text in immediate { addImmediate(text) }
    for factor in contributing { addContributing(factor) }
    for text in systemic { addSystemic(text) }
  }

  /// Adds an immediate cause unless the same text is listed.
  public mutating func addImmediate(_ text: String) {
    if seen.immediate.insert(text).inserted { immediate.append(text) }
  }

  /// Adds a contributing factor unless one with the same text is listed.
  public mutating func addContributing(_ factor: ContributingFactor) {
    if seen.contributing.insert(factor.text).inserted { contributing.append(factor) }
  }

  /// Adds a systemic issue unless the same text is listed.
  public mutating func addSystemic(_ text: String) {
    if seen.systemic.insert(text).inserted { systemic.append(text) }
  }

  /// Whether no factor of any kind is listed.
  public var isEmpty: Bool { immediate.isEmpty && contributing.isEmpty && systemic.isEmpty }

  enum CodingKeys: String, CodingKey { case immediate, contributing, systemic }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      immediate: try c.value(.immediate, or: []), contributing: try c.value(.contributing, or: []),
      systemic: try c.value(.systemic, or: []))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(immediate, forKey: .immediate)
    try c.encode(contributing, forKey: .contributing)
    try c.encode(systemic, forKey: .systemic)
  }
}
