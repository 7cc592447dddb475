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
  /// Show progress on stderr: bars for big inputs, and a line for each step of a stage that
  /// runs longer than a second (stderr is a terminal, NO_COLOR is unset, no --quiet).
  public var progress = false
  /// `--timings`: at the end of the run, one `pmhost: timing stage=S plugin=P seconds=N.NNN`
  /// line on stderr per plugin run and built-in step, in the order they ran, then the total.
  public var timings = false
  /// What this incident shares with earlier ones (`report.json` `recurrence`): given the
  /// report as it stands once the act stage has run, the archive's answer. The runner calls it
  /// once, just before the report stage, and saves its answer in the evidence; a `--replay`
  /// is given that recorded answer and the closure is not called. What it throws is a
  /// warning, never a failed run. Nil (`--no-archive`, specs): nothing is looked up, nor
  /// replayed. pmhost wires it to the archive, which PluginHost does not know.
  public var recurrence: (@Sendable (Report) throws -> [Recurrence])?

  public init() {}
}

/// Writes a diagnostic line to stderr, control characters escaped (TerminalText).
func diagnostic(_ line: String) {
  // Through the shared line: a progress line being shown is cleared first.
  TerminalLine.shared.write(TerminalText.escape(line) + "\n")
}
