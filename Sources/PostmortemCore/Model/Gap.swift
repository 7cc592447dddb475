/// Data that could not be collected: the report's Data Gaps section.
///
/// ```swift
/// Gap(source: "prometheus", plugin: "prometheus", reason: "connection refused")
/// ```
public struct Gap: Codable, Sendable, Equatable {
  /// The source label.
  public var source: String
  /// The plugin that recorded it.
  public var plugin: String
  /// What went wrong.
  public var reason: String
  /// The time span missing, when known.
  public var window: TimeWindow?

  /// A gap. Credentials in URLs in `reason` are masked (``Redaction``).
  public init(source: String, plugin: String, reason: String, window: TimeWindow? = nil) {
    self.source = Redaction.text(source)
    self.plugin = plugin
    self.reason = Redaction.text(reason)
    self.window = window
  }

  enum CodingKeys: String, CodingKey { case source, plugin, reason, window }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    source = try c.decode(String.self, forKey: .source)
    plugin = try c.decode(String.self, forKey: .plugin)
    reason = try c.decode(String.self, forKey: .reason)
    window = try c.optional(.window)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(source, forKey: .source)
    try c.encode(plugin, forKey: .plugin)
    try c.encode(reason, forKey: .reason)
    try c.encode(window, forKey: .window)
  }
}
