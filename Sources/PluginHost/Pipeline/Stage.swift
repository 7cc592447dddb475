/// The pipeline stages, in the order they always run.
public enum Stage: String, CaseIterable, Sendable, Comparable {
  case collect, timeline, analyze, classify, act, report, validate, track

  public static func < (a: Stage, b: Stage) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }

  /// "collect, timeline, ..." for messages.
  public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
