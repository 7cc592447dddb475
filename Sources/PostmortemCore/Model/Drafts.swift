/// What a plugin (or any other caller) hands the report model before the model's rules have
/// checked it: plain values, typed as they were written (a time as seconds or as text, an
/// offset as seconds or as `+02:00`). The binding translates a Lua table into a draft and
/// nothing more; ``ReportModel`` turns a draft into the report's value or an error that names
/// the field.

/// A time as it was written: Unix seconds or RFC 3339 text.
///
/// ```swift
/// try TimeInput.seconds(1_739_095_200).timestamp(field: "time")    // 2025-02-09T10:00:00Z
/// try TimeInput.text("2025-13-01T00:00:00Z").timestamp(field: "time")  // ReportError naming 'time'
/// ```
public enum TimeInput: Sendable, Equatable {
  case seconds(Double)
  case text(String)

  /// The time, within the years 0001 to 9999 (``Timestamp/modelRange``); the error names `field`.
  public func timestamp(field: String) throws(ReportError) -> Timestamp {
    switch self {
    case .seconds(let seconds):
      guard let time = Timestamp(checkedSeconds: seconds) else {
        throw ReportError(
          "field '\(field)' \(seconds) is not a time in Unix seconds in the years 0001 to 9999 (\(Timestamp.modelRangeText))"
        )
      }
      return time
    case .text(let text):
      do { return try TimeParser.parseRFC3339(text) } catch {
        throw ReportError(
          "field '\(field)': \(error) (pass seconds, or parse other formats with pm.time.parse)")
      }
    }
  }
}

/// A UTC offset as it was written: seconds east of UTC, or `+02:00`, `-0530`, `Z`.
public enum OffsetInput: Sendable, Equatable {
  case seconds(Double)
  case text(String)

  /// Seconds east of UTC, within ±23:59; the error names `field`.
  public func seconds(field: String) throws(ReportError) -> Int32 {
    switch self {
    case .seconds(let seconds):
      guard seconds.isFinite, abs(seconds) <= Double(UTCOffset.limit) else {
        throw ReportError("field '\(field)' must be seconds east of UTC within ±24 h, or \"+hh:mm\"")
      }
      return Int32(seconds.rounded())
    case .text(let text):
      guard let seconds = UTCOffset.seconds(text) else {
        throw ReportError(
          "field '\(field)' '\(text)' is not a UTC offset (use \"+02:00\", \"-0530\", \"Z\" or seconds)")
      }
      return seconds
    }
  }
}

/// A timeline event as a plugin gives it (`ctx.timeline.add`, or a row of `ctx.timeline.get`
/// given back to `ctx.timeline.replace`). ``ReportModel/event(from:source:)`` makes it a
/// ``TimelineEvent``.
public struct EventDraft: Sendable, Equatable {
  public var time: TimeInput
  public var event: String
  public var kind: String
  /// The Source label; nil: the default the model is given (the plugin's).
  public var source: String?
  /// Other sources that reported it (a row given back from `ctx.timeline.get`).
  public var sources: [String] = []
  /// Who acted; empty or `-` means nobody; a name incident.people knows becomes its handle.
  public var actor: String?
  /// `evidence` as written: its first reference is the one shown.
  public var evidence: [String] = []
  /// `evidence_all` (from `ctx.timeline.get`): every reference, kept unless `evidence` was
  /// replaced by something else.
  public var evidenceAll: [String] = []
  public var group: String?
  /// Nil: 1.
  public var count: Int?
  public var last: TimeInput?
  public var fields: [String: JSONValue] = [:]
  public var timeText: String?
  /// Nil: the offset `timeText` ends with, if any.
  public var timeOffset: OffsetInput?
  public var merged: [MergedDraft] = []

  public init(time: TimeInput, event: String, kind: String, source: String? = nil) {
    self.time = time
    self.event = event
    self.kind = kind
    self.source = source
  }
}

/// A row folded into an event, as a plugin gives it back (`merged[i]`).
public struct MergedDraft: Sendable, Equatable {
  public var time: TimeInput
  public var kind: String
  /// Nil: the event's source.
  public var source: String?
  /// Nil: empty.
  public var event: String?

  public init(time: TimeInput, kind: String, source: String? = nil, event: String? = nil) {
    self.time = time
    self.kind = kind
    self.source = source
    self.event = event
  }
}

/// A sample value as written: a number, or `"NaN"`, `"+Inf"`, `"-Inf"`, or a number as text.
public enum SampleInput: Sendable, Equatable {
  case number(Double)
  case text(String)
}

/// A metric series as a plugin gives it (`ctx.series.add`). ``MetricSeries/init(_:plugin:source:)``
/// checks it.
public struct SeriesDraft: Sendable, Equatable {
  public var name: String
  /// `{t, v}` pairs, in any order.
  public var points: [(time: TimeInput, value: SampleInput)]
  public var query: String?
  /// Nil: the default the model is given (the plugin's).
  public var source: String?
  public var labels: [String: String] = [:]
  public var unit: String?
  public var threshold: Double?
  /// Nil: true when there is a threshold.
  public var above: Bool?

  public init(name: String, points: [(time: TimeInput, value: SampleInput)]) {
    self.name = name
    self.points = points
  }

  public static func == (a: SeriesDraft, b: SeriesDraft) -> Bool {
    a.name == b.name && a.points.elementsEqual(b.points, by: { $0.time == $1.time && $0.value == $1.value })
      && a.query == b.query && a.source == b.source && a.labels == b.labels && a.unit == b.unit
      && a.threshold == b.threshold && a.above == b.above
  }
}

/// An action item as a plugin gives it (`ctx.actions.add`): ``ReportModel/addAction(_:)-(ActionDraft)``
/// gives it its id and status.
public struct ActionDraft: Sendable, Equatable {
  /// Nil or empty: the next free `AI-nnn`.
  public var id: String?
  public var action: String
  public var owner: String?
  public var deadline: String?
  public var priority: String?
  /// Nil: `open`.
  public var status: String?
  public var tracking: JSONValue?

  public init(
    id: String? = nil, action: String, owner: String? = nil, deadline: String? = nil, priority: String? = nil,
    status: String? = nil, tracking: JSONValue? = nil
  ) {
    self.id = id
    self.action = action
    self.owner = owner
    self.deadline = deadline
    self.priority = priority
    self.status = status
    self.tracking = tracking
  }
}

/// What `ctx.actions.update` changes: each field given replaces the item's; nil keeps it.
/// The id never changes.
public struct ActionChanges: Sendable, Equatable {
  public var action: String?
  public var owner: String?
  public var deadline: String?
  public var priority: String?
  public var status: String?
  public var tracking: JSONValue?

  public init(
    action: String? = nil, owner: String? = nil, deadline: String? = nil, priority: String? = nil,
    status: String? = nil, tracking: JSONValue? = nil
  ) {
    self.action = action
    self.owner = owner
    self.deadline = deadline
    self.priority = priority
    self.status = status
    self.tracking = tracking
  }
}
