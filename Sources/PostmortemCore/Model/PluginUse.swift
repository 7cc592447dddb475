/// One plugin a run used, and where it came from (report.json `pmhost.plugins`).
///
/// ```swift
/// PluginUse(name: "checklist", stage: "validate", version: "0.1.0",
///           origin: "pipeline/plugins/checklist", shadowsBundled: true)
/// ```
public struct PluginUse: Codable, Sendable, Equatable {
  /// The name the pipeline gave.
  public var name: String
  /// The stage it ran in.
  public var stage: String
  /// The version the plugin declares.
  public var version: String
  /// `bundled`, or the file it was loaded from (`plugins/collect/x/init.lua`).
  public var origin: String
  /// Whether a plugin bundled with pmhost has the same name, which this one was used instead of.
  public var shadowsBundled: Bool

  /// A plugin used.
  public init(name: String, stage: String, version: String, origin: String, shadowsBundled: Bool) {
    self.name = name
    self.stage = stage
    self.version = version
    self.origin = origin
    self.shadowsBundled = shadowsBundled
  }

  enum CodingKeys: String, CodingKey {
    case name, stage, version, origin
    case shadowsBundled = "shadows_bundled"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    stage = try c.value(.stage, or: "")
    version = try c.value(.version, or: "")
    origin = try c.value(.origin, or: "")
    shadowsBundled = try c.value(.shadowsBundled, or: false)
  }
}
