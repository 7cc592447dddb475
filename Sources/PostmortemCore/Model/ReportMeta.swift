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
  /// Every plugin the run used, with where it came from (empty in reports written before
  /// pmhost recorded them).
  public var plugins: [PluginUse]

  /// Metadata.
  public init(version: String, generatedAt: Timestamp, plugins: [PluginUse] = []) {
    self.version = version
    self.generatedAt = generatedAt
    self.plugins = plugins
  }

  enum CodingKeys: String, CodingKey {
    case version, plugins
    case generatedAt = "generated_at"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    version = try c.decode(String.self, forKey: .version)
    generatedAt = try c.decode(Timestamp.self, forKey: .generatedAt)
    plugins = try c.value(.plugins, or: [])
  }
}

/// The version `pmhost --version` prints and report.json records.
public enum PMHostVersion {
  public static let current = "0.1.0"
}
