/// Which pmhost wrote a report, and when (report.json `pmhost`).
///
/// ```swift
/// ReportMeta(version: "0.1.0", generatedAt: Timestamp(milliseconds: 1_739_100_000_000))
/// ```
public struct ReportMeta: Codable, Sendable, Equatable {
  /// pmhost version.
  public var version: String
  /// When the report was generated.
  public var generatedAt: Timestamp

  /// Metadata.
  public init(version: String, generatedAt: Timestamp) {
    self.version = version
    self.generatedAt = generatedAt
  }

  enum CodingKeys: String, CodingKey {
    case version
    case generatedAt = "generated_at"
  }
}
