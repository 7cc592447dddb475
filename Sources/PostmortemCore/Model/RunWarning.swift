/// A warning a plugin logged during the run (`ctx.log.warn`).
///
/// ```swift
/// RunWarning(plugin: "kubectl-logs", stage: "collect", message: "12 lines without a timestamp")
/// ```
public struct RunWarning: Codable, Sendable, Equatable {
  /// The plugin.
  public var plugin: String
  /// The stage it ran in.
  public var stage: String
  /// The message.
  public var message: String

  /// A warning. Credentials in URLs in `message` are masked (``Redaction``).
  public init(plugin: String, stage: String, message: String) {
    self.plugin = plugin
    self.stage = stage
    self.message = Redaction.text(message)
  }
}
