import Foundation

/// The whole post-mortem, shaped like report.json.
///
/// ```swift
/// let data = try report.jsonData()          // canonical report.json bytes
/// let again = try Report.decode(data)       // == report
/// ```
public struct Report: Codable, Sendable, Equatable {
  /// Which pmhost wrote it (`pmhost` in JSON).
  public var meta: ReportMeta
  /// The incident.
  public var incident: Incident
  /// The timeline, sorted by time.
  public var timeline: [TimelineEvent]
  /// Key moments.
  public var keyMoments: KeyMoments
  /// Response metrics.
  public var metrics: ResponseMetrics
  /// Contributing factors.
  public var factors: Factors
  /// Severity, once classified.
  public var severity: SeverityAssessment?
  /// Action items.
  public var actionItems: [ActionItem]
  /// What went well.
  public var whatWentWell: [String]
  /// Lessons learned.
  public var lessonsLearned: [String]
  /// Data gaps.
  public var gaps: [Gap]
  /// Warnings logged by plugins.
  public var warnings: [RunWarning]
  /// Validation results.
  public var validation: [ValidationResult]
  /// The follow-up review the track stage scheduled (`{at, ...}`), when it did.
  public var followUp: JSONValue?
  /// Metric series kept by collectors, for charts.
  public var series: [MetricSeries]
  /// The evidence the run read or fetched (as in `evidence/manifest.json`).
  public var evidence: [EvidenceRecord]
  /// Clock offsets applied and skew found (`clock`), when the timeline stage ran.
  public var clock: ClockReport?
  /// The span whose events the report's table shows (`table_window`): the incident plus
  /// a margin. Events outside it stay in ``timeline`` (and the evidence). Nil: all.
  public var tableWindow: TimeWindow?
  /// What this incident shares with earlier ones in the archive (`recurrence`): looked up
  /// by `pmhost run` just before the report stage; empty without an archive.
  public var recurrence: [Recurrence] = []

  /// A report; metrics default to those computed from `keyMoments` and `incident`.
  public init(
    meta: ReportMeta, incident: Incident, timeline: [TimelineEvent] = [],
    keyMoments: KeyMoments = KeyMoments(), metrics: ResponseMetrics? = nil,
    factors: Factors = Factors(),
    severity: SeverityAssessment? = nil, actionItems: [ActionItem] = [],
    whatWentWell: [String]? = nil,
    lessonsLearned: [String]? = nil, gaps: [Gap] = [], warnings: [RunWarning] = [],
    validation: [ValidationResult] = [], followUp: JSONValue? = nil, series: [MetricSeries] = [],
    evidence: [EvidenceRecord] = []
  ) {
    self.followUp = followUp
    self.series = series
    self.evidence = evidence
    self.meta = meta
    self.incident = incident
    self.timeline = timeline
    self.keyMoments = keyMoments
    self.metrics = metrics ?? ResponseMetrics.compute(moments: keyMoments, incident: incident)
    self.factors = factors
    self.severity = severity
    self.actionItems = actionItems
    self.whatWentWell = whatWentWell ?? incident.whatWentWell
    self.lessonsLearned = lessonsLearned ?? incident.lessonsLearned
    self.gaps = gaps
    self.warnings = warnings
    self.validation = validation
  }

  enum CodingKeys: String, CodingKey {
    case incident, timeline, metrics, factors, severity, gaps, warnings, validation, series, evidence
    case clock, recurrence
    case tableWindow = "table_window"
    case meta = "pmhost"
    case followUp = "follow_up"
    case keyMoments = "key_moments"
    case actionItems = "action_items"
    case whatWentWell = "what_went_well"
    case lessonsLearned = "lessons_learned"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    incident = try c.decode(Incident.self, forKey: .incident)
    meta = try c.value(.meta, or: ReportMeta(version: "unknown", generatedAt: incident.endedAt))
    timeline = try c.value(.timeline, or: [])
    keyMoments = try c.value(.keyMoments, or: KeyMoments())
    metrics = try c.value(
      .metrics, or: ResponseMetrics.compute(moments: keyMoments, incident: incident))
    factors = try c.value(.factors, or: Factors())
    severity = try c.optional(.severity)
    actionItems = try c.value(.actionItems, or: [])
    whatWentWell = try c.value(.whatWentWell, or: [])
    lessonsLearned = try c.value(.lessonsLearned, or: [])
    gaps = try c.value(.gaps, or: [])
    warnings = try c.value(.warnings, or: [])
    validation = try c.value(.validation, or: [])
    followUp = try c.optional(.followUp)
    series = try c.value(.series, or: [])
    evidence = try c.value(.evidence, or: [])
    clock = try c.optional(.clock)
    tableWindow = try c.optional(.tableWindow)
    recurrence = try c.value(.recurrence, or: [])
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(meta, forKey: .meta)
    try c.encode(incident, forKey: .incident)
    try c.encode(timeline, forKey: .timeline)
    try c.encode(keyMoments, forKey: .keyMoments)
    try c.encode(metrics, forKey: .metrics)
    try c.encode(factors, forKey: .factors)
    try c.encode(severity, forKey: .severity)
    try c.encode(actionItems, forKey: .actionItems)
    try c.encode(whatWentWell, forKey: .whatWentWell)
    try c.encode(lessonsLearned, forKey: .lessonsLearned)
    try c.encode(gaps, forKey: .gaps)
    try c.encode(warnings, forKey: .warnings)
    try c.encode(validation, forKey: .validation)
    try c.encode(followUp, forKey: .followUp)
    try c.encode(series, forKey: .series)
    try c.encode(evidence, forKey: .evidence)
    try c.encode(recurrence, forKey: .recurrence)
    if let clock { try c.encode(clock, forKey: .clock) }
    if let tableWindow { try c.encode(tableWindow, forKey: .tableWindow) }
  }

  /// This report with the timeline stage's clock report and table window.
  public func with(clock: ClockReport?, tableWindow: TimeWindow?) -> Report {
    var copy = self
    copy.clock = clock
    copy.tableWindow = tableWindow
    return copy
  }

  /// This report as a ``JSONValue`` tree (what `ctx.report.get()` is built from).
  public func jsonValue() throws -> JSONValue {
    try JSONValueEncoder().encode(self)
  }

  /// The canonical report.json: pretty (2 spaces), keys sorted, `/` not escaped, ints and
  /// doubles kept apart, ending in a newline.
  public func jsonData() throws -> Data {
    var data = Data()
    try writeJSON { data.append(contentsOf: $0) }
    return data
  }

  /// Writes report.json (the bytes of ``jsonData()``) to `sink` in chunks, in one pass:
  /// each timeline row, evidence record and series is made into a JSON tree only when it is
  /// written, so the whole report is never held as a tree.
  public func writeJSON(_ sink: ([UInt8]) throws -> Void) throws {
    try withoutActuallyEscaping(sink) { try writeJSON(stream: JSONStream(sink: $0)) }
  }

  private func writeJSON(stream: JSONStream) throws {
    var stream = stream
    let encoder = JSONValueEncoder()
    stream.open()
    // Members in the order of their keys' bytes, as jsonText sorts them.
    try stream.elements("action_items", actionItems) { try encoder.encode($0) }
    if let clock { try stream.member("clock", try encoder.encode(clock)) }
    try stream.elements("evidence", evidence) { try encoder.encode($0) }
    try stream.member("factors", try encoder.encode(factors))
    try stream.member("follow_up", try encoder.encode(followUp))
    try stream.elements("gaps", gaps) { try encoder.encode($0) }
    try stream.member("incident", try encoder.encode(incident))
    try stream.member("key_moments", try encoder.encode(keyMoments))
    try stream.elements("lessons_learned", lessonsLearned) { .string($0) }
    try stream.member("metrics", try encoder.encode(metrics))
    try stream.member("pmhost", try encoder.encode(meta))
    try stream.elements("recurrence", recurrence) { try encoder.encode($0) }
    // A series' points are written as bytes, not as a tree per point: a month at 15 s
    // steps is 172,801 of them.
    try stream.objects(
      "series", series,
      members: { series in
        var bare = series
        bare.points = []
        guard case .object(let members) = try encoder.encode(bare) else { return [:] }
        return members
      }, spliced: "points", \.points, { point, out, level in point.write(into: &out, level: level) })
    try stream.member("severity", try encoder.encode(severity))
    if let tableWindow { try stream.member("table_window", try encoder.encode(tableWindow)) }
    try stream.elements("timeline", timeline) { $0.json }
    try stream.elements("validation", validation) { try encoder.encode($0) }
    try stream.elements("warnings", warnings) { try encoder.encode($0) }
    try stream.elements("what_went_well", whatWentWell) { .string($0) }
    try stream.close()
  }

  /// Reads a report.json (as written by ``jsonData()``). Missing lists and sections default
  /// to empty, so a hand-trimmed file still loads; errors name the field.
  public static func decode(_ data: Data, origin: String = "report.json") throws -> Report {
    let tree: JSONValue
    do {
      tree = try JSONValue.parse(data)
    } catch {
      throw ReportError("\(origin):\(error.line):\(error.column): \(error.message)")
    }
    return try decode(tree, origin: origin)
  }

  /// A report from a JSON tree already parsed (errors name the field).
  public static func decode(_ tree: JSONValue, origin: String = "report.json") throws -> Report {
    do {
      return try JSONValueDecoder().decode(Report.self, from: tree)
    } catch let error as DecodingError {
      throw ReportError("\(origin): \(describeDecodingError(error))")
    }
  }
}
