/// A contributing factor, with the why chain that led to it.
///
/// ```swift
/// ContributingFactor(category: "process", text: "No canary stage", whyChain: ["Errors rose", "Bad config", "No canary stage"])
/// ```
public struct ContributingFactor: Codable, Sendable, Equatable {
  /// Fishbone category (`people`, `process`, `technology`...), when known.
  public var category: String?
  /// The factor, one sentence.
  public var text: String
  /// The Five Whys answers that lead here, first why first.
  public var whyChain: [String]
  /// Evidence references.
  public var evidence: [String]
  /// How the report names the category (`Monitoring Gap`), when a plugin set one.
  public var label: String?

  /// A factor.
  public init(
    category: String? = nil, text: String, whyChain: [String] = [], evidence: [String] = [],
    label: String? = nil
  ) {
    self.label = label
    self.category = category
    self.text = text
    self.whyChain = whyChain
    self.evidence = evidence
  }

  enum CodingKeys: String, CodingKey {
    case category, text, evidence, label
    case whyChain = "why_chain"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    category = try c.optional(.category)
    text = try c.decode(String.self, forKey: .text)
    whyChain = try c.value(.whyChain, or: [])
    evidence = try c.value(.evidence, or: [])
    label = try c.optional(.label)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(category, forKey: .category)
    try c.encode(text, forKey: .text)
    try c.encode(whyChain, forKey: .whyChain)
    try c.encode(evidence, forKey: .evidence)
    try c.encode(label, forKey: .label)
  }
}
