/// How the timeline's clocks were checked and corrected (report.json `clock`).
///
/// ```swift
/// ClockReport(offsets: ["app logs": -3.5], toleranceSeconds: 5, skews: [])
/// ```
public struct ClockReport: Codable, Sendable, Equatable {
  /// Seconds added to each named source's times before the merge (`clock_offsets`).
  public var offsets: [String: Double]
  /// Differences up to this many seconds between sources are not reported.
  public var toleranceSeconds: Double
  /// Source pairs whose clocks disagree by more than the tolerance, after the offsets.
  public var skews: [ClockSkew]

  public init(offsets: [String: Double] = [:], toleranceSeconds: Double = 5, skews: [ClockSkew] = []) {
    self.offsets = offsets
    self.toleranceSeconds = toleranceSeconds
    self.skews = skews
  }

  enum CodingKeys: String, CodingKey {
    case offsets, skews
    case toleranceSeconds = "tolerance_s"
  }
}
