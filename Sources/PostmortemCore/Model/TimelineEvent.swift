/// One row of the timeline: something that happened, when, and who reported it.
///
/// ```swift
/// var ev = TimelineEvent(time: t, event: "HighErrorRate firing", source: "alertmanager", kind: "alert_fired")
/// ev.sources  // ["alertmanager"]
/// ```
public struct TimelineEvent: Codable, Sendable, Equatable {
  /// When it happened (UTC, ms).
  public var time: Timestamp
  /// What happened, one line.
  public var event: String
  /// The source label shown in the Source column.
  public var source: String
  /// Every source that reported this happening; starts as `[source]`, grows when rows merge.
  public var sources: [String]
  /// `error`, `alert_fired`, `paged`, `action`, `deploy`, `metric_crossed`... or any word.
  public var kind: String
  /// Burst label for rows collapsed together (`5xx errors`).
  public var group: String?
  /// How many events this row stands for (1 unless collapsed).
  public var count: Int
  /// The first evidence reference (most rows have exactly one): kept inline, the others in
  /// ``rare``.
  public private(set) var firstEvidence: String?
  /// What most rows do not have (an actor, a last time, fields, merged rows, more than one
  /// evidence reference), in one shared box: a million log lines stay small. Copy on write.
  private var rare: Rare?

  /// The box of rarely set values. Never mutated once shared (see ``mutateRare(_:)``).
  private final class Rare: @unchecked Sendable {
    var actor: String?
    var last: Timestamp?
    var fields: [String: JSONValue] = [:]
    var merged: [MergedOccurrence] = []
    var moreEvidence: [String] = []
    var timeText: String?
    var timeOffset: Int32?

    init() {}
    init(copying other: Rare) {
      actor = other.actor
      last = other.last
      fields = other.fields
      merged = other.merged
      moreEvidence = other.moreEvidence
      timeText = other.timeText
      timeOffset = other.timeOffset
    }
    var isEmpty: Bool {
      actor == nil && last == nil && fields.isEmpty && merged.isEmpty && moreEvidence.isEmpty
        && timeText == nil && timeOffset == nil
    }
  }

  private mutating func mutateRare(_ change: (Rare) -> Void) {
    if rare == nil {
      rare = Rare()
    } else if !isKnownUniquelyReferenced(&rare!) {
      rare = Rare(copying: rare!)
    }
    change(rare!)
    if rare!.isEmpty { rare = nil }
  }

  /// Who did it, when a person did.
  public var actor: String? {
    get { rare?.actor }
    set {
      if newValue == nil && rare?.actor == nil { return }
      mutateRare { $0.actor = newValue }
    }
  }
  /// Where it was seen: `data/api.log:123`, URLs, message ids.
  public var evidence: [String] {
    get {
      guard let first = firstEvidence else { return [] }
      guard let more = rare?.moreEvidence, !more.isEmpty else { return [first] }
      return [first] + more
    }
    set {
      firstEvidence = newValue.first
      if newValue.count <= 1 && (rare?.moreEvidence.isEmpty ?? true) { return }
      mutateRare { $0.moreEvidence = Array(newValue.dropFirst()) }
    }
  }
  /// The last collapsed event's time, when ``count`` > 1.
  public var last: Timestamp? {
    get { rare?.last }
    set {
      if newValue == nil && rare?.last == nil { return }
      mutateRare { $0.last = newValue }
    }
  }
  /// Extra scalar values from the source.
  public var fields: [String: JSONValue] {
    get { rare?.fields ?? [:] }
    set {
      if newValue.isEmpty && (rare?.fields.isEmpty ?? true) { return }
      mutateRare { $0.fields = newValue }
    }
  }
  /// Rows from other sources folded into this one as the same happening (a metric crossing
  /// folded into the alert it raised): what and when each said, so no moment is lost.
  public var merged: [MergedOccurrence] {
    get { rare?.merged ?? [] }
    set {
      if newValue.isEmpty && (rare?.merged.isEmpty ?? true) { return }
      mutateRare { $0.merged = newValue }
    }
  }
  /// The time as the source wrote it (`09/Feb/2025:12:05:23 +0200`, `I0209 10:05:23.123456`),
  /// when the collector passed it: what ``time`` was read from.
  public var timeText: String? {
    get { rare?.timeText }
    set {
      if newValue == nil && rare?.timeText == nil { return }
      mutateRare { $0.timeText = newValue }
    }
  }
  /// The UTC offset, in seconds east of UTC, that the source's time carried or that the
  /// collector applied (`+7200` for `+02:00`); nil when not known.
  public var timeOffset: Int32? {
    get { rare?.timeOffset }
    set {
      if newValue == nil && rare?.timeOffset == nil { return }
      mutateRare { $0.timeOffset = newValue }
    }
  }

  /// Whether other rows were folded into this one (cheaper than `!merged.isEmpty`).
  public var hasMerged: Bool { !(rare?.merged.isEmpty ?? true) }

  /// A new event; `sources` defaults to `[source]`.
  public init(
    time: Timestamp, event: String, source: String, sources: [String]? = nil, actor: String? = nil,
    kind: String, evidence: [String] = [], group: String? = nil, count: Int = 1,
    last: Timestamp? = nil,
    fields: [String: JSONValue] = [:]
  ) {
    self.time = time
    self.event = event
    self.source = source
    self.sources = sources ?? [source]
    self.kind = kind
    self.group = group
    self.count = count
    self.actor = actor
    self.evidence = evidence
    self.last = last
    self.fields = fields
  }

  /// Why this event cannot join a timeline (naming the field), or nil when it can: the
  /// text and kind are not empty, the count is positive, the last time is not before the
  /// first, and the time as written is at most 200 bytes.
  public var problem: String? {
    if event.isEmpty { return "field 'event' must be a non-empty string" }
    if kind.isEmpty {
      return
        "field 'kind' must be a string such as \"error\", \"alert_fired\" or \"action\" (got an empty string)"
    }
    if count < 1 { return "field 'count' must be a positive integer" }
    if let last, last < time { return "field 'last' is before the event's time" }
    if let timeText, timeText.utf8.count > 200 {
      return "field 'time_text' must be at most 200 bytes (the time as the source wrote it)"
    }
    return nil
  }

  /// An event that owns no memory (empty texts and lists): what fills slots about to be
  /// removed (see `Timeline.compact`).
  static let filler = TimelineEvent(
    time: Timestamp(milliseconds: 0), event: "", source: "", sources: [], kind: "")

  public static func == (a: TimelineEvent, b: TimelineEvent) -> Bool {
    a.time == b.time && a.event == b.event && a.source == b.source && a.sources == b.sources
      && a.kind == b.kind && a.group == b.group && a.count == b.count && a.firstEvidence == b.firstEvidence
      && (a.rare === b.rare
        || (a.actor == b.actor && a.last == b.last && a.fields == b.fields && a.merged == b.merged
          && a.evidence == b.evidence && a.timeText == b.timeText && a.timeOffset == b.timeOffset))
  }

  enum CodingKeys: String, CodingKey {
    case time, event, source, sources, actor, kind, evidence, group, count, last, fields, merged
    case timeText = "time_text"
    case timeOffset = "time_offset"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    time = try c.decode(Timestamp.self, forKey: .time)
    event = try c.decode(String.self, forKey: .event)
    source = try c.decode(String.self, forKey: .source)
    sources = try c.value(.sources, or: [source])
    kind = try c.decode(String.self, forKey: .kind)
    group = try c.optional(.group)
    count = try c.value(.count, or: 1)
    actor = try c.optional(.actor)
    // A single evidence string is accepted as a list of one.
    if let one = try? c.decodeIfPresent(String.self, forKey: .evidence) {
      evidence = [one]
    } else {
      evidence = try c.value(.evidence, or: [])
    }
    last = try c.optional(.last)
    fields = try c.value(.fields, or: [:])
    merged = try c.value(.merged, or: [])
    timeText = try c.optional(.timeText)
    if let text = try c.optional(.timeOffset) as String? {
      guard let seconds = UTCOffset.seconds(text) else {
        throw DecodingError.dataCorruptedError(
          forKey: .timeOffset, in: c, debugDescription: "'\(text)' is not a UTC offset like +02:00")
      }
      timeOffset = seconds
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(json)
  }

  /// The row as report.json holds it, built directly (no Encoder per row: a timeline has a
  /// hundred thousand of them). Absent optional values are `null`; `merged`, `time_text`
  /// and `time_offset` appear only when set.
  public var json: JSONValue {
    func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    var o: [String: JSONValue] = [
      "time": .string(time.formatted(.rfc3339)), "event": .string(event), "source": .string(source),
      "sources": .array(sources.map(JSONValue.string)), "actor": text(actor), "kind": .string(kind),
      "evidence": .array(evidence.map(JSONValue.string)), "group": text(group), "count": .int(Int64(count)),
      "last": text(last?.formatted(.rfc3339)), "fields": .object(fields),
    ]
    if hasMerged {
      o["merged"] = .array(merged.map(\.json))
    }
    if let timeText { o["time_text"] = .string(timeText) }
    if let timeOffset { o["time_offset"] = .string(UTCOffset.text(timeOffset)) }
    return .object(o)
  }
}

/// A row folded into another by the timeline merge (report.json `timeline[].merged`).
public struct MergedOccurrence: Codable, Sendable, Equatable {
  public var time: Timestamp
  public var kind: String
  public var source: String
  public var event: String

  public init(time: Timestamp, kind: String, source: String, event: String) {
    self.time = time
    self.kind = kind
    self.source = source
    self.event = event
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(json)
  }

  /// `{time, kind, source, event}` as report.json holds it.
  public var json: JSONValue {
    .object([
      "time": .string(time.formatted(.rfc3339)), "kind": .string(kind), "source": .string(source),
      "event": .string(event),
    ])
  }
}

extension TimelineEvent {
  /// An event from what a plugin gave, with every rule of an event (``problem`` and the
  /// times in the years 0001 to 9999, offsets within ±24 h, merged rows with their kind
  /// and time); errors name the field. `person` maps an actor to the handle incident.people
  /// gives it; an empty actor or `-` is nobody. `sources` starts with the source and has no
  /// repeats; `evidence_all` is kept unless `evidence` was replaced by another reference.
  /// An offset not given is the one `time_text` ends with, when it ends with one.
  public init(
    _ draft: EventDraft, source defaultSource: String, person: (String) -> String = { $0 }
  ) throws(ReportError) {
    let time = try draft.time.timestamp(field: "time")
    let source = draft.source ?? defaultSource
    var sources = [source]
    for s in draft.sources where !sources.contains(s) { sources.append(s) }
    var evidence = draft.evidence
    if !draft.evidenceAll.isEmpty, evidence.isEmpty || draft.evidenceAll.first == evidence.first {
      evidence = draft.evidenceAll
    }
    let actor = draft.actor.flatMap { $0.isEmpty || $0 == "-" ? nil : person($0) }
    let last = try draft.last.map { input throws(ReportError) in try input.timestamp(field: "last") }
    self.init(
      time: time, event: draft.event, source: source, sources: sources, actor: actor, kind: draft.kind,
      evidence: evidence, group: draft.group, count: draft.count ?? 1, last: last, fields: draft.fields)
    if let text = draft.timeText {
      timeText = text
      timeOffset = UTCOffset.trailing(in: text)
    }
    if let offset = draft.timeOffset { timeOffset = try offset.seconds(field: "time_offset") }
    var merged: [MergedOccurrence] = []
    for (i, m) in draft.merged.enumerated() {
      let field = "merged[\(i + 1)]"
      guard !m.kind.isEmpty else { throw ReportError("field '\(field).kind' must be a non-empty string") }
      merged.append(
        MergedOccurrence(
          time: try m.time.timestamp(field: field + ".time"), kind: m.kind, source: m.source ?? source,
          event: m.event ?? ""))
    }
    if !merged.isEmpty { self.merged = merged }
    if let problem { throw ReportError(problem) }
  }
}
