import PostmortemCore

/// What the host keeps for a plugin, in bytes, as counted against its `memory_mb` (see
/// ``PluginRun/charge(_:for:)``): approximate, the bytes of every string plus a fixed
/// overhead per value, so that a plugin adding events in a loop is stopped at its memory
/// limit rather than by the system running out.
enum HostMemory {
  /// Per event: the row itself, its arrays and the box of rare values.
  static let perEvent = 160
  /// Per string, array or field value held.
  static let perValue = 16

  static func bytes(_ event: TimelineEvent) -> Int {
    var total = perEvent + text(event.event) + text(event.source) + text(event.kind)
    total += event.sources.reduce(0) { $0 + text($1) }
    total += event.evidence.reduce(0) { $0 + text($1) }
    if let group = event.group { total += text(group) }
    if let actor = event.actor { total += text(actor) }
    if let timeText = event.timeText { total += text(timeText) }
    for (key, value) in event.fields { total += text(key) + bytes(value) }
    return total
  }

  static func bytes(_ series: MetricSeries) -> Int {
    var total = perEvent + text(series.name) + text(series.source) + text(series.plugin)
    if let query = series.query { total += text(query) }
    if let unit = series.unit { total += text(unit) }
    for (key, value) in series.labels { total += text(key) + text(value) }
    return total + series.points.count * MemoryLayout<SeriesPoint>.stride
  }

  static func bytes(_ value: JSONValue) -> Int {
    switch value {
    case .string(let s): text(s)
    case .array(let list): list.reduce(perValue) { $0 + bytes($1) }
    case .object(let object): object.reduce(perValue) { $0 + text($1.key) + bytes($1.value) }
    default: perValue
    }
  }

  static func text(_ s: String) -> Int { perValue + s.utf8.count }
}
