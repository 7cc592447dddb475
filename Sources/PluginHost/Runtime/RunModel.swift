import Foundation
import PostmortemCore

/// The post-mortem as one `pmhost run` (or one spec's `plugin.run`) builds it: the report
/// model of the core (``ReportModel``, which holds the report and its rules) and what only
/// the run needs (files written, answers given, an imported document).
public final class RunModel: ReportModel {
  /// A hand-written post-mortem read by DocumentReader (`pmhost validate FILE.md`): what
  /// `ctx.report.get()` gives instead of the model, which it has no run to fill.
  public var imported: JSONValue?
  /// Files written to the out folder, relative to it, in order.
  public var outputs: [String] = []
  /// Answers given at the terminal, to save for `--answers`.
  public var answered: [(id: String, answer: String)] = []

  /// The report as it stands.
  public func report() -> Report {
    report(generatedAt: Timestamp(seconds: Date().timeIntervalSince1970))
  }
}
