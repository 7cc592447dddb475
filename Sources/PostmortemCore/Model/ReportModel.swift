/// The post-mortem under construction: one aggregate that the stages add to, with the rules
/// that belong to the report (action item ids are unique, one place holds the severity, an
/// event is valid before it joins the timeline, one result per check). ``report(generatedAt:)``
/// gives the value written as report.json.
///
/// Every operation a plugin reaches is O(1) or O(log n) in the size of the incident (an
/// event's add is amortised O(1); action items and checks are found by id through an index).
///
/// ```swift
/// let model = ReportModel(incident: incident)
/// try model.add(event)
/// let id = try model.addAction(ActionItem(id: "", action: "Add a pool alert"))  // "AI-001"
/// model.record(ValidationResult(check: "timeline_complete", ok: true, detail: ""))
/// try model.report(generatedAt: now).writeJSON { chunk in ... }
/// ```
open class ReportModel {
  /// The incident as its file gives it (its `severity` is the declared one; see ``severityLevel``).
  public var incident: Incident
  public var timeline = Timeline()
  public var moments = KeyMoments()
  public var factors = Factors()
  public var whatWentWell: [String]
  public var lessonsLearned: [String]
  public var gaps: [Gap] = []
  public var warnings: [RunWarning] = []
  public var followUp: JSONValue?
  public var series: [MetricSeries] = []
  /// Clock offsets applied and skew found by the built-in timeline step.
  public var clock: ClockReport?
  /// The span the report's table shows (incident plus margin); nil shows every event.
  public var tableWindow: TimeWindow?
  /// Evidence read or fetched (recorded, or replayed from an earlier run).
  public var evidence: [EvidenceRecord] = []
  /// Every plugin the run used and where it came from (report.json `pmhost.plugins`).
  public var plugins: [PluginUse] = []

  /// The classify stage's assessment: the one place the severity is kept.
  public private(set) var severity: SeverityAssessment?
  /// Action items, in the order added.
  public private(set) var actions: [ActionItem] = []
  /// Validation results, one per check, in the order first recorded.
  public private(set) var validation: [ValidationResult] = []

  private var actionIndex: [String: Int] = [:]
  private var nextActionNumber = 1
  private var checkIndex: [String: Int] = [:]
  /// Lower-cased alias to handle, from incident.people.
  private var aliases: [String: String] = [:]

  public init(incident: Incident) {
    self.incident = incident
    whatWentWell = incident.whatWentWell
    lessonsLearned = incident.lessonsLearned
    rebuildAliases()
  }

  /// A model that continues from a saved report.json. Its action items obey the model's
  /// rules: two with one id are an error naming both.
  public convenience init(report: Report) throws(ReportError) {
    self.init(incident: report.incident)
    timeline = Timeline(report.timeline)
    moments = report.keyMoments
    factors = report.factors
    severity = report.severity
    for item in report.actionItems { try addAction(item) }
    whatWentWell = report.whatWentWell
    lessonsLearned = report.lessonsLearned
    gaps = report.gaps
    warnings = report.warnings
    for result in report.validation { record(result) }
    followUp = report.followUp
    series = report.series
    evidence = report.evidence
    clock = report.clock
    tableWindow = report.tableWindow
    plugins = report.meta.plugins
  }

  // MARK: People

  /// Rebuilds the alias index after `incident.people` changed.
  public func rebuildAliases() {
    aliases = [:]
    for (handle, names) in incident.people {
      aliases[handle.lowercased()] = handle
      for name in names { aliases[name.lowercased()] = handle }
    }
  }

  /// The person's handle (`@alice`) when incident.people knows the name, else the name.
  public func person(_ name: String) -> String { aliases[name.lowercased()] ?? name }

  // MARK: Events

  /// Adds an event once it is valid (``TimelineEvent/problem``).
  public func add(_ event: TimelineEvent) throws(ReportError) {
    if let problem = event.problem { throw ReportError(problem) }
    timeline.add(event)
  }

  /// Replaces the timeline; every event must be valid, else nothing changes.
  public func replaceTimeline(_ events: [TimelineEvent]) throws(ReportError) {
    for (i, event) in events.enumerated() {
      if let problem = event.problem { throw ReportError("event \(i + 1): \(problem)") }
    }
    timeline = Timeline(events)
  }

  // MARK: Severity

  /// Sets (or clears) the classify stage's assessment.
  public func setSeverity(_ assessment: SeverityAssessment?) { severity = assessment }

  /// The level the report states: the assessment's, else the one the incident file declared.
  public var severityLevel: String? { severity?.level ?? incident.severity }

  // MARK: Action items

  /// Adds an action item. An empty id gets the next free `AI-nnn`; an id already used is an
  /// error naming both items, and nothing is added. Returns the id.
  @discardableResult
  public func addAction(_ item: ActionItem) throws(ReportError) -> String {
    var item = item
    if item.id.isEmpty {
      while actionIndex[Self.actionID(nextActionNumber)] != nil { nextActionNumber += 1 }
      item.id = Self.actionID(nextActionNumber)
      nextActionNumber += 1
    }
    if let i = actionIndex[item.id] {
      throw ReportError(
        "action item id \(item.id) is used twice: by \(Self.quoted(actions[i].action)) and by \(Self.quoted(item.action)); give one of them another id"
      )
    }
    actionIndex[item.id] = actions.count
    actions.append(item)
    return item.id
  }

  /// The action item with this id.
  public func action(id: String) -> ActionItem? { actionIndex[id].map { actions[$0] } }

  /// Changes the action item with this id (its id stays).
  public func updateAction(
    id: String, _ change: (inout ActionItem) throws(ReportError) -> Void
  ) throws(ReportError) {
    guard let i = actionIndex[id] else { throw ReportError("no action item \(id)") }
    var item = actions[i]
    try change(&item)
    item.id = id
    actions[i] = item
  }

  static func actionID(_ n: Int) -> String {
    let digits = String(n)
    return "AI-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
  }

  static func quoted(_ text: String) -> String {
    let short = text.count > 80 ? String(text.prefix(77)) + "..." : text
    return "\"" + short + "\""
  }

  // MARK: Validation

  /// Records a check's result, replacing an earlier one of the same check.
  public func record(_ result: ValidationResult) {
    if let i = checkIndex[result.check] {
      validation[i] = result
    } else {
      checkIndex[result.check] = validation.count
      validation.append(result)
    }
  }

  /// Forgets every check's result (before checks run again over a saved report).
  public func clearValidation() {
    validation = []
    checkIndex = [:]
  }

  // MARK: The report

  /// The report as it stands (events are not copied: the arrays are shared until changed).
  public func report(generatedAt: Timestamp) -> Report {
    var stated = incident
    stated.severity = severityLevel
    return Report(
      meta: ReportMeta(version: PMHostVersion.current, generatedAt: generatedAt, plugins: plugins),
      incident: stated,
      timeline: timeline.events, keyMoments: moments, factors: factors, severity: severity,
      actionItems: actions, whatWentWell: whatWentWell, lessonsLearned: lessonsLearned, gaps: gaps,
      warnings: warnings, validation: validation, followUp: followUp, series: series, evidence: evidence
    )
    .with(clock: clock, tableWindow: tableWindow)
  }
}
