import Foundation
import PostmortemCore

/// How a run talks to the person: answers, prompts, log output.
public struct RunSettings: Sendable {
  /// Prompt answers by id (`--answers FILE`).
  public var answers: [String: String] = [:]
  /// Whether prompts may ask at the terminal (false with `--no-input` or no TTY).
  public var interactive = false
  /// Suppresses info messages on stderr.
  public var quiet = false
  /// Print warnings on stderr as well as recording them (off in specs).
  public var echoWarnings = true
  /// Show `ctx.log.debug` lines.
  public var debug = ProcessInfo.processInfo.environment["PMHOST_DEBUG"] != nil
  /// `--replay DIR`: serve every read and fetch from DIR's evidence instead of the sources.
  public var replayDirectory: String?
  /// `--distributed WHEN`: when the report went to its readers (the 48-hour check).
  public var distributedAt: Timestamp?
  /// Show progress bars for big inputs (stderr is a terminal and NO_COLOR is unset).
  public var progress = false

  public init() {}
}

/// Writes a diagnostic line to stderr, credentials in URLs masked (``Redaction``).
func diagnostic(_ line: String) {
  FileHandle.standardError.write(Data((Redaction.text(line) + "\n").utf8))
}
