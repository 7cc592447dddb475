/// An error for the person at the terminal, with the exit code CONTRACT.md gives it.
///
/// ```swift
/// throw HostError.configuration("pipeline.lua: unknown stage 'colect' (stages: collect, ...)")
/// ```
public struct HostError: Error, CustomStringConvertible, Sendable {
  public enum Code: Int32, Sendable {
    /// The post-mortem failed validation or a required stage failed.
    case failed = 1
    /// Usage or configuration: bad flag, unreadable pipeline, unknown plugin, bad option.
    case configuration = 2
    /// A bug in pmhost.
    case `internal` = 3
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public static func configuration(_ message: String) -> HostError { HostError(.configuration, message) }
  public static func failed(_ message: String) -> HostError { HostError(.failed, message) }

  public var description: String { message }
}
