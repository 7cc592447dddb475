import Foundation
import PostmortemCore

/// The post-mortem as the stages build it: each stage reads what earlier stages left
/// and adds to it. One per `pmhost run` (or per spec `plugin.run`).
public final class RunModel {
  public var incident: Incident
  public var timeline = Timeline()
  public var moments = KeyMoments()
  public var factors = Factors()
  public var severity: SeverityAssessment?
  public var actions: [ActionItem] = []
  public var whatWentWell: [String]
  public var lessonsLearned: [String]
  public var gaps: [Gap] = []
  public var warnings: [RunWarning] = []
  public var validation: [ValidationResult] = []
  public var followUp: JSONValue?
  public var series: [MetricSeries] = []
  /// Clock offsets applied and skew found by the built-in timeline step.
  public var clock: ClockReport?
  /// The span the report's table shows (incident plus margin); nil shows every event.
  public var tableWindow: TimeWindow?
  /// Evidence read or fetched (recorded, or replayed from an earlier run).
  public var evidence: [EvidenceRecord] = []
  /// A hand-written post-mortem read by pm.mdreport (`pmhost validate FILE.md`): what
  /// `ctx.report:data()` gives instead of the model, which it has no run to fill.
  public var imported: JSONValue?
  /// Every plugin the run used and where it came from (report.json `pmhost.plugins`).
  public var plugins: [PluginUse] = []
  /// Files written to the out folder, relative to it, in order.
  public var outputs: [String] = []
  /// Answers given at the terminal, to save for `--answers`.
  public var answered: [(id: String, answer: String)] = []
  /// Lower-cased alias to handle, from incident.people.
  private(set) var aliases: [String: String] = [:]

  public init(incident: Incident) {
    self.incident = incident
    whatWentWell = incident.whatWentWell
    lessonsLearned = incident.lessonsLearned
    rebuildAliases()
  }

  /// A model that continues from a saved report.json.
  public convenience init(report: Report) {
    self.init(incident: report.incident)
    timeline = Timeline(report.timeline)
    moments = report.keyMoments
    factors = report.factors
    severity = report.severity
    actions = report.actionItems
    whatWentWell = report.whatWentWell
    lessonsLearned = report.lessonsLearned
    gaps = report.gaps
    warnings = report.warnings
    validation = report.validation
    followUp = report.followUp
    series = report.series
    evidence = report.evidence
    clock = report.clock
    tableWindow = report.tableWindow
    plugins = report.meta.plugins
  }

  func rebuildAliases() {
    aliases = [:]
    for (handle, names) in incident.people {
      aliases[handle.lowercased()] = handle
      for name in names { aliases[name.lowercased()] = handle }
    }
  }

  /// The person's handle (`@alice`) when incident.people knows the name, else the name.
  func person(_ name: String) -> String { aliases[name.lowercased()] ?? name }

  /// The report as it stands.
  public func report(generatedAt: Timestamp = Timestamp(seconds: Date().timeIntervalSince1970)) -> Report {
    Report(
      meta: ReportMeta(version: PMHostVersion.current, generatedAt: generatedAt, plugins: plugins),
      incident: incident,
      timeline: timeline.events, keyMoments: moments, factors: factors, severity: severity,
      actionItems: actions, whatWentWell: whatWentWell, lessonsLearned: lessonsLearned, gaps: gaps,
      warnings: warnings, validation: validation, followUp: followUp, series: series, evidence: evidence
    )
    .with(clock: clock, tableWindow: tableWindow)
  }

  /// Records a validation result, replacing an earlier one of the same check.
  func record(_ result: ValidationResult) {
    if let i = validation.firstIndex(where: { $0.check == result.check }) {
      validation[i] = result
    } else {
      validation.append(result)
    }
  }
}
