import Foundation

/// The post-mortem under construction: one aggregate that the stages add to, with the rules
/// that belong to the report (action item ids are unique, one place holds the severity, an
/// event is valid before it joins the timeline, one result per check, a factor has a text,
/// a series has a name and times in range...). Plugins reach it through drafts
/// (``EventDraft``, ``SeriesDraft``, ``ActionDraft``) that the binding fills from Lua tables.
/// ``report(generatedAt:)`` gives the value written as report.json.
///
/// The state is one ``Report`` (no field copied into a field of its own), with the timeline
/// kept aside in the indexed ``Timeline`` and the severity stated from one place.
///
/// Every operation a plugin reaches is O(1) or O(log n) in the size of the incident (an
/// event's add is amortised O(1); action items and checks are found by id through an index).
///
/// ```swift
/// let model = ReportModel(incident: incident)
/// try model.add(try model.event(from: EventDraft(time: .seconds(t), event: "5xx", kind: "error"), source: "api"))
/// let id = try model.addAction(ActionDraft(action: "Add a pool alert"))  // "AI-001"
/// model.record(ValidationResult(check: "timeline_complete", ok: true, detail: ""))
/// try model.report(generatedAt: now).writeJSON { chunk in ... }
/// ```
open class ReportModel {
  /// The report as it stands, but for its timeline (in ``timeline``), its metrics and meta
  /// (made by ``report(generatedAt:)``); its incident is the one the file declared.
  private var state: Report
  /// The timeline, indexed (``Report/timeline`` is built from it).
  public var timeline = Timeline()

  /// The incident as the report states it: its `severity` is ``severityLevel`` (the one
  /// level, also what `ctx.incident.severity` gives); the file's is ``declaredSeverity``.
  public var incident: Incident {
    var stated = state.incident
    stated.severity = severityLevel
    return stated
  }
  /// Key moments.
  public var moments: KeyMoments {
    get { state.keyMoments }
    set { state.keyMoments = newValue }
  }
  /// Contributing factors (``addFactor(immediate:)`` and the others): texts not blank, each once.
  public var factors: Factors { state.factors }
  /// What went well (``setWhatWentWell(_:)``).
  public var whatWentWell: [String] { state.whatWentWell }
  /// Lessons learned (``setLessonsLearned(_:)``).
  public var lessonsLearned: [String] { state.lessonsLearned }
  /// Data gaps (``addGap(reason:source:plugin:window:)``, ``addGap(_:)``).
  public var gaps: [Gap] { state.gaps }
  /// Warnings (``addWarning(_:)``).
  public var warnings: [RunWarning] { state.warnings }
  /// The follow-up review the track stage scheduled (``setFollowUp(_:)``).
  public var followUp: JSONValue? { state.followUp }
  /// Metric series (``addSeries(_:)``).
  public var series: [MetricSeries] { state.series }
  /// Clock offsets applied and skew found by the built-in timeline step.
  public var clock: ClockReport? {
    get { state.clock }
    set { state.clock = newValue }
  }
  /// The span the report's table shows (incident plus margin); nil shows every event.
  public var tableWindow: TimeWindow? {
    get { state.tableWindow }
    set { state.tableWindow = newValue }
  }
  /// Evidence read or fetched (recorded, or replayed from an earlier run).
  public var evidence: [EvidenceRecord] {
    get { state.evidence }
    set { state.evidence = newValue }
  }
  /// What this incident shares with earlier ones in the archive (report.json `recurrence`),
  /// set by the run just before the report stage.
  public var recurrence: [Recurrence] {
    get { state.recurrence }
    set { state.recurrence = newValue }
  }
  /// Every plugin the run used and where it came from (report.json `pmhost.plugins`;
  /// ``addPlugin(_:)``).
  public var plugins: [PluginUse] { state.meta.plugins }
  /// The classify stage's assessment: the one place the severity is kept.
  public var severity: SeverityAssessment? { state.severity }
  /// Action items, in the order added.
  public var actions: [ActionItem] { state.actionItems }
  /// Validation results, one per check, in the order first recorded.
  public var validation: [ValidationResult] { state.validation }

  private var actionIndex: [String: Int] = [:]
  private var nextActionNumber = 1
  private var checkIndex: [String: Int] = [:]
  /// Lower-cased alias to handle, from incident.people.
  private var aliases: [String: String] = [:]

  public init(incident: Incident) {
    state = Report(
      meta: ReportMeta(version: PMHostVersion.current, generatedAt: incident.endedAt), incident: incident)
    rebuildAliases()
  }

  /// A model that continues from a saved report.json. Its action items obey the model's
  /// rules (an action that says what to do; two with one id are an error naming both); the
  /// error names the item (`action_items[3]: ...`).
  public init(report: Report) throws(ReportError) {
    state = report
    state.timeline = []
    state.actionItems = []
    state.validation = []
    timeline = Timeline(report.timeline)
    rebuildAliases()
    for (i, item) in report.actionItems.enumerated() {
      do { try addAction(item) } catch { throw ReportError("action_items[\(i + 1)]: \(error.message)") }
    }
    // A saved report's gaps keep the rule a plugin's gaps are held to.
    for (i, gap) in report.gaps.enumerated() {
      if let problem = gap.window?.problem { throw ReportError("gaps[\(i + 1)]: \(problem)") }
    }
    for result in report.validation { record(result) }
  }

  /// Adds a warning (report.json `warnings`).
  public func addWarning(_ warning: RunWarning) { state.warnings.append(warning) }

  /// Records a plugin the run used.
  public func addPlugin(_ use: PluginUse) { state.meta.plugins.append(use) }

  // MARK: People

  /// Rebuilds the alias index after `incident.people` changed.
  public func rebuildAliases() {
    aliases = [:]
    for (handle, names) in state.incident.people {
      aliases[handle.lowercased()] = handle
      for name in names { aliases[name.lowercased()] = handle }
    }
  }

  /// The person's handle (`@alice`) when incident.people knows the name, else the name.
  public func person(_ name: String) -> String { aliases[name.lowercased()] ?? name }

  // MARK: Events

  /// The event a plugin's draft describes, once every rule of an event holds
  /// (``TimelineEvent/init(_:source:person:)``); the actor becomes its handle when
  /// incident.people knows the name. `source` is the default Source label.
  public func event(from draft: EventDraft, source: String) throws(ReportError) -> TimelineEvent {
    try TimelineEvent(draft, source: source, person: person)
  }

  /// The events of a list of drafts; an error names the event's position (`event 3: field 'time' ...`).
  public func events(from drafts: [EventDraft], source: String) throws(ReportError) -> [TimelineEvent] {
    var events: [TimelineEvent] = []
    events.reserveCapacity(drafts.count)
    for (i, draft) in drafts.enumerated() {
      do { events.append(try event(from: draft, source: source)) } catch {
        throw ReportError("event \(i + 1): \(error.message)")
      }
    }
    return events
  }

  /// Adds an event once it is valid (``TimelineEvent/problem``).
  public func add(_ event: TimelineEvent) throws(ReportError) {
    if let problem = event.problem { throw ReportError(problem) }
    timeline.add(event)
  }

  /// Folds repeated events into one row with a count and span (``Timeline/collapseBursts(gap:minCount:title:)``):
  /// `gap` is seconds of quiet that end a burst (finite, not negative), `minCount` the
  /// events that make one (at least 1). Returns the rows left.
  @discardableResult
  public func collapseBursts(gap: Double, minCount: Int, title: String) throws(ReportError) -> Int {
    guard gap.isFinite, gap >= 0 else { throw ReportError("field 'gap' must be seconds >= 0 (got \(gap))") }
    guard minCount >= 1 else { throw ReportError("field 'min_count' must be at least 1 (got \(minCount))") }
    timeline.collapseBursts(gap: Int64((gap * 1000).rounded()), minCount: minCount, title: title)
    return timeline.count
  }

  /// Replaces the timeline; every event must be valid, else nothing changes.
  public func replaceTimeline(_ events: [TimelineEvent]) throws(ReportError) {
    for (i, event) in events.enumerated() {
      if let problem = event.problem { throw ReportError("event \(i + 1): \(problem)") }
    }
    timeline = Timeline(events)
  }

  /// Moves every event and series point of `source` by `milliseconds` (a clock offset the
  /// pipeline states); returns how many events moved.
  @discardableResult
  public func shift(source: String, byMilliseconds milliseconds: Int64) -> Int {
    let moved = timeline.shift(source: source, by: milliseconds)
    let seconds = Double(milliseconds) / 1000
    for i in state.series.indices where state.series[i].source == source {
      for k in state.series[i].points.indices { state.series[i].points[k].time += seconds }
    }
    return moved
  }

  // MARK: Series and gaps

  /// Keeps a metric series (made by ``MetricSeries/init(_:plugin:source:)``, which checks it).
  public func addSeries(_ series: MetricSeries) { state.series.append(series) }

  /// Records a data gap. A window's times are in the years 0001 to 9999 and its end is not
  /// before its start; errors name the field (`window.end`).
  public func addGap(
    reason: String, source: String, plugin: String, window: (start: TimeInput, end: TimeInput)? = nil
  ) throws(ReportError) {
    var span: TimeWindow? = nil
    if let window {
      let start = try window.start.timestamp(field: "window.start")
      let end = try window.end.timestamp(field: "window.end")
      let checked = TimeWindow(start: start, end: end)
      if let problem = checked.problem { throw ReportError(problem) }
      span = checked
    }
    state.gaps.append(Gap(source: source, plugin: plugin, reason: reason, window: span))
  }

  /// Records a gap already made (the built-in steps').
  public func addGap(_ gap: Gap) { state.gaps.append(gap) }

  // MARK: Factors

  /// Adds an immediate cause (a text already listed is ignored); it must not be blank.
  public func addFactor(immediate text: String) throws(ReportError) {
    try Self.nonBlank(text, "the text")
    state.factors.addImmediate(text)
  }

  /// Adds a systemic issue (a text already listed is ignored); it must not be blank.
  public func addFactor(systemic text: String) throws(ReportError) {
    try Self.nonBlank(text, "the text")
    state.factors.addSystemic(text)
  }

  /// Adds a contributing factor (one whose text is listed is ignored); its text must not be blank.
  public func addFactor(_ factor: ContributingFactor) throws(ReportError) {
    try Self.nonBlank(factor.text, "field 'text'")
    state.factors.addContributing(factor)
  }

  /// Replaces every factor, given as the plugin listed them; each text must not be blank
  /// (the error names it by the plugin's position: `field 'contributing[2].text'`), else
  /// nothing changes. Repeated texts are kept once.
  public func setFactors(
    immediate: [String], contributing: [ContributingFactor], systemic: [String]
  ) throws(ReportError) {
    for (i, text) in immediate.enumerated() { try Self.nonBlank(text, "field 'immediate[\(i + 1)]'") }
    for (i, factor) in contributing.enumerated() {
      try Self.nonBlank(factor.text, "field 'contributing[\(i + 1)].text'")
    }
    for (i, text) in systemic.enumerated() { try Self.nonBlank(text, "field 'systemic[\(i + 1)]'") }
    state.factors = Factors(immediate: immediate, contributing: contributing, systemic: systemic)
  }

  static func nonBlank(_ text: String, _ what: String) throws(ReportError) {
    if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw ReportError("\(what) must be a non-empty string")
    }
  }

  // MARK: Severity

  /// Sets (or clears) the classify stage's assessment; its level must not be empty.
  public func setSeverity(_ assessment: SeverityAssessment?) throws(ReportError) {
    if let assessment, assessment.level.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ReportError("field 'level' must be a string such as \"P1\"")
    }
    state.severity = assessment
  }

  /// The level the report states: the assessment's, else the one the incident file declared.
  public var severityLevel: String? { state.severity?.level ?? state.incident.severity }

  /// The level the incident file declared.
  public var declaredSeverity: String? { state.incident.severity }

  // MARK: Report fields

  /// Sets the root cause (incident.root_cause); a blank text states none.
  public func setRootCause(_ text: String?) {
    let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    state.incident.rootCause = trimmed.isEmpty ? nil : text
  }

  /// Sets what went well; blank entries are left out.
  public func setWhatWentWell(_ items: [String]) { state.whatWentWell = Self.entries(items) }

  /// Sets the lessons learned; blank entries are left out.
  public func setLessonsLearned(_ items: [String]) { state.lessonsLearned = Self.entries(items) }

  static func entries(_ items: [String]) -> [String] {
    items.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
  }

  /// Records when the report was distributed (incident.distributed_at).
  public func setDistributedAt(_ time: Timestamp?) { state.incident.distributedAt = time }

  /// Records (nil or an empty value: clears) the follow-up review: named fields such as
  /// `at`, which when given is a string.
  public func setFollowUp(_ value: JSONValue?) throws(ReportError) {
    switch value {
    case nil, .some(.null): state.followUp = nil
    case .some(.array(let items)) where items.isEmpty: state.followUp = nil
    case .some(.object(let fields)):
      if let at = fields["at"], at.stringValue == nil {
        throw ReportError("field 'at' must be a string (the review's date or time)")
      }
      state.followUp = fields.isEmpty ? nil : .object(fields)
    default:
      throw ReportError("the follow-up must be a table with named fields such as at (got a list or a value)")
    }
  }

  // MARK: Action items

  /// Adds the action item a plugin described: its action must not be empty, its status is
  /// `open` unless given, and without an id it gets the next free `AI-nnn`. Returns the id.
  @discardableResult
  public func addAction(_ draft: ActionDraft) throws(ReportError) -> String {
    try addAction(
      ActionItem(
        id: draft.id ?? "", action: draft.action, owner: draft.owner, deadline: draft.deadline,
        priority: draft.priority, status: draft.status ?? "open", tracking: draft.tracking))
  }

  /// Adds an action item. Its action must not be empty. An empty id gets the next free
  /// `AI-nnn`; an id already used is an error naming both items, and nothing is added.
  /// Returns the id.
  @discardableResult
  public func addAction(_ item: ActionItem) throws(ReportError) -> String {
    var item = item
    if item.action.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw ReportError("field 'action' must be a non-empty string")
    }
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
    actionIndex[item.id] = state.actionItems.count
    state.actionItems.append(item)
    return item.id
  }

  /// The action item with this id.
  public func action(id: String) -> ActionItem? { actionIndex[id].map { actions[$0] } }

  /// Changes the action item with this id: each field given replaces the item's (an
  /// action must not become empty); the id stays. Nothing changes on an error.
  public func updateAction(id: String, _ changes: ActionChanges) throws(ReportError) {
    guard let i = actionIndex[id] else { throw ReportError("no action item \(id)") }
    var item = state.actionItems[i]
    if let action = changes.action {
      guard !action.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        throw ReportError("field 'action' must be a non-empty string")
      }
      item.action = action
    }
    if let owner = changes.owner { item.owner = owner }
    if let deadline = changes.deadline { item.deadline = deadline }
    if let priority = changes.priority { item.priority = priority }
    if let status = changes.status { item.status = status }
    if let tracking = changes.tracking { item.tracking = tracking }
    state.actionItems[i] = item
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
      state.validation[i] = result
    } else {
      checkIndex[result.check] = state.validation.count
      state.validation.append(result)
    }
  }

  /// Forgets every check's result (before checks run again over a saved report).
  public func clearValidation() {
    state.validation = []
    checkIndex = [:]
  }

  // MARK: The report

  /// The report as it stands (events are not copied: the arrays are shared until changed),
  /// its metrics computed from the key moments.
  public func report(generatedAt: Timestamp) -> Report {
    var report = state
    report.meta.version = PMHostVersion.current
    report.meta.generatedAt = generatedAt
    report.incident = incident
    report.timeline = timeline.events
    report.metrics = ResponseMetrics.compute(moments: report.keyMoments, incident: report.incident)
    return report
  }
}
