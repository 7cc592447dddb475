/// A metric series a collector kept for the report's charts (report.json `series`).
///
/// ```swift
/// MetricSeries(name: "API error rate", plugin: "prometheus", source: "prometheus",
///              points: [SeriesPoint(time: 1_739_095_500, value: .number(0.02))])
/// ```
public struct MetricSeries: Codable, Sendable, Equatable {
  /// Display name.
  public var name: String
  /// The query that produced it, when there is one.
  public var query: String?
  /// Source label.
  public var source: String
  /// The plugin that kept it.
  public var plugin: String
  /// Series labels (`{job="api"}`).
  public var labels: [String: String]
  /// Unit, for axis labels.
  public var unit: String?
  /// The threshold the collector compared against.
  public var threshold: Double?
  /// Whether breaching means above the threshold (nil when there is no threshold).
  public var above: Bool?
  /// Samples, in time order.
  public var points: [SeriesPoint]

  /// A series.
  public init(
    name: String, query: String? = nil, source: String, plugin: String, labels: [String: String] = [:],
    unit: String? = nil, threshold: Double? = nil, above: Bool? = nil, points: [SeriesPoint]
  ) {
    self.name = name
    self.query = query
    self.source = source
    self.plugin = plugin
    self.labels = labels
    self.unit = unit
    self.threshold = threshold
    self.above = above
    self.points = points
  }

  enum CodingKeys: String, CodingKey {
    case name, query, source, plugin, labels, unit, threshold, above, points
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    query = try c.optional(.query)
    source = try c.value(.source, or: "")
    plugin = try c.value(.plugin, or: "")
    labels = try c.value(.labels, or: [:])
    unit = try c.optional(.unit)
    threshold = try c.optional(.threshold)
    above = try c.optional(.above)
    points = try c.value(.points, or: [])
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(query, forKey: .query)
    try c.encode(source, forKey: .source)
    try c.encode(plugin, forKey: .plugin)
    try c.encode(labels, forKey: .labels)
    try c.encode(unit, forKey: .unit)
    try c.encode(threshold, forKey: .threshold)
    try c.encode(above, forKey: .above)
    try c.encode(points, forKey: .points)
  }

}

/// One sample: `[t, v]` in JSON, `t` in Unix seconds, `v` a number or `"NaN"`, `"+Inf"`,
/// `"-Inf"` (JSON has no such numbers).
public struct SeriesPoint: Codable, Sendable, Equatable {
  /// Unix seconds (fractions allowed).
  public var time: Double
  /// The value.
  public var value: SampleValue

  /// A sample.
  public init(time: Double, value: SampleValue) {
    self.time = time
    self.value = value
  }

  public init(from decoder: any Decoder) throws {
    var c = try decoder.unkeyedContainer()
    time = try c.decode(Double.self)
    if let number = try? c.decode(Double.self) {
      value = .number(number)
    } else {
      let text = try c.decode(String.self)
      guard let special = SampleValue(text: text) else {
        throw DecodingError.dataCorrupted(
          .init(
            codingPath: c.codingPath, debugDescription: "expected a number, \"NaN\", \"+Inf\" or \"-Inf\""))
      }
      value = special
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(json)
  }

  /// Whole seconds are written as an integer.
  private var timeIsWhole: Bool { time == time.rounded() && abs(time) < 1e15 }

  /// ``json``'s pretty text at `level` (as JSONWriter writes it), without building it.
  func write(into out: inout [UInt8], level: Int) {
    let writer = JSONWriter(pretty: true)
    out.append(UInt8(ascii: "["))
    writer.newline(&out, level + 1)
    if timeIsWhole {
      out.append(contentsOf: String(Int64(time)).utf8)
    } else {
      out.append(contentsOf: JSONWriter.number(time).utf8)
    }
    out.append(UInt8(ascii: ","))
    writer.newline(&out, level + 1)
    switch value {
    case .number(let v): out.append(contentsOf: JSONWriter.number(v).utf8)
    default: JSONWriter.string(value.text, into: &out)
    }
    writer.newline(&out, level)
    out.append(UInt8(ascii: "]"))
  }

  /// `[t, v]`: whole seconds as an integer, a value JSON cannot hold as its text. Built
  /// directly (no Encoder per point): a month at 15 s steps is 172,801 of them.
  public var json: JSONValue {
    let t: JSONValue = timeIsWhole ? .int(Int64(time)) : .double(time)
    switch value {
    case .number(let v): return .array([t, .double(v)])
    default: return .array([t, .string(value.text)])
    }
  }
}

/// A sample value: finite, or one of the values JSON cannot hold.
public enum SampleValue: Sendable, Equatable {
  case number(Double)
  case notANumber
  case plusInfinity
  case minusInfinity

  /// From Prometheus text: `"0.25"`, `"NaN"`, `"+Inf"`, `"-Inf"`.
  public init?(text: String) {
    switch text {
    case "NaN": self = .notANumber
    case "+Inf", "Inf": self = .plusInfinity
    case "-Inf": self = .minusInfinity
    default:
      guard let v = Double(text), v.isFinite else { return nil }
      self = .number(v)
    }
  }

  /// From a double (NaN and infinities mapped).
  public init(_ v: Double) {
    if v.isNaN {
      self = .notANumber
    } else if v.isInfinite {
      self = v > 0 ? .plusInfinity : .minusInfinity
    } else {
      self = .number(v)
    }
  }

  /// The text form (`"NaN"`, `"+Inf"`, `"-Inf"`, or the number).
  public var text: String {
    switch self {
    case .number(let v): "\(v)"
    case .notANumber: "NaN"
    case .plusInfinity: "+Inf"
    case .minusInfinity: "-Inf"
    }
  }
}

extension MetricSeries {
  /// A series from what a plugin gave, with the rules of a series: a name, times in the
  /// years 0001 to 9999, values that are numbers (or `"NaN"`, `"+Inf"`, `"-Inf"`), a finite
  /// threshold crossed upwards unless `above` says otherwise; points sorted by time. Errors
  /// name the field (`points[3][2]`).
  public init(_ draft: SeriesDraft, plugin: String, source defaultSource: String) throws(ReportError) {
    guard !draft.name.isEmpty else { throw ReportError("field 'name' must be a non-empty string") }
    var points: [SeriesPoint] = []
    points.reserveCapacity(draft.points.count)
    for (i, point) in draft.points.enumerated() {
      let field = "points[\(i + 1)]"
      let time = try point.time.timestamp(field: field + "[1]")
      let value: SampleValue
      switch point.value {
      case .number(let v): value = SampleValue(v)
      case .text(let text):
        guard let v = SampleValue(text: text) else {
          throw ReportError("field '\(field)[2]' '\(text)' is not a number, \"NaN\", \"+Inf\" or \"-Inf\"")
        }
        value = v
      }
      points.append(SeriesPoint(time: Double(time.milliseconds) / 1000, value: value))
    }
    points.sort { $0.time < $1.time }
    if let threshold = draft.threshold, !threshold.isFinite {
      throw ReportError("field 'threshold' must be a finite number (got \(threshold))")
    }
    self.init(
      name: draft.name, query: draft.query, source: draft.source ?? defaultSource, plugin: plugin,
      labels: draft.labels, unit: draft.unit, threshold: draft.threshold,
      above: draft.above ?? (draft.threshold == nil ? nil : true), points: points)
  }
}
