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
  public var immediate: [String]
  /// Contributing factors.
  public var contributing: [ContributingFactor]
  /// Systemic issues.
  public var systemic: [String]

  /// Factors as given.
  public init(
    immediate: [String] = [], contributing: [ContributingFactor] = [], systemic: [String] = []
  ) {
    self.immediate = immediate
    self.contributing = contributing
    self.systemic = systemic
  }

  /// Adds an immediate cause unless the same text is listed.
  public mutating func addImmediate(_ text: String) {
    if !immediate.contains(text) { immediate.append(text) }
  }

  /// Adds a contributing factor unless one with the same text is listed.
  public mutating func addContributing(_ factor: ContributingFactor) {
    if !contributing.contains(where: { $0.text == factor.text }) { contributing.append(factor) }
  }

  /// Adds a systemic issue unless the same text is listed.
  public mutating func addSystemic(_ text: String) {
    if !systemic.contains(text) { systemic.append(text) }
  }

  /// Whether no factor of any kind is listed.
  public var isEmpty: Bool { immediate.isEmpty && contributing.isEmpty && systemic.isEmpty }

  enum CodingKeys: String, CodingKey { case immediate, contributing, systemic }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    immediate = try c.value(.immediate, or: [])
    contributing = try c.value(.contributing, or: [])
    systemic = try c.value(.systemic, or: [])
  }
}
