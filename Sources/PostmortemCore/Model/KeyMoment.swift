/// The moments of an incident the response metrics are measured between.
///
/// ```swift
/// KeyMoment(rawValue: "impact_start")  // .impactStart
/// ```
public enum KeyMoment: String, Sendable, CaseIterable, Codable {
  /// The first error or metric crossing.
  case impactStart = "impact_start"
  /// The first alert fired.
  case detected
  /// The first page.
  case paged
  /// The first acknowledgement.
  case acknowledged
  /// The action after which the metric recovered, or an explicit mark.
  case mitigated
  /// Resolution.
  case resolved
}
