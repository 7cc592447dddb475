/// Two sources whose clocks disagree: they reported the same happenings (rows the merge
/// folded together as one) at times that differ by more than the tolerance.
///
/// ```swift
/// let skews = timeline.clockSkews(tolerance: 5_000)
/// skews.first?.message  // "'app logs' is 42.0 s ahead of 'alertmanager' ..."
/// ```
public struct ClockSkew: Codable, Sendable, Equatable {
  /// The source whose times are compared.
  public var source: String
  /// The source compared against.
  public var reference: String
  /// The median of `source`'s time minus `reference`'s time over the matched happenings,
  /// in seconds: positive when `source` reports later.
  public var offsetSeconds: Double
  /// How many happenings both reported.
  public var matches: Int
  /// The smallest and largest single difference, in seconds.
  public var minSeconds: Double
  public var maxSeconds: Double
  /// One matched happening, for the reader to check (`HighErrorRate firing`).
  public var example: String

  enum CodingKeys: String, CodingKey {
    case source, reference, matches, example
    case offsetSeconds = "offset_s"
    case minSeconds = "min_s"
    case maxSeconds = "max_s"
  }

  /// The warning text: both sources, the offset, and the pipeline line that corrects it.
  public var message: String {
    let direction = offsetSeconds > 0 ? "ahead of" : "behind"
    let amount = Self.seconds(abs(offsetSeconds))
    var text =
      "clock skew: '\(source)' reports \(amount) s \(direction) '\(reference)' (median of \(matches) happening\(matches == 1 ? "" : "s") both reported"
    if matches > 1 { text += ", from \(Self.seconds(minSeconds)) to \(Self.seconds(maxSeconds)) s" }
    text += ", e.g. \"\(example)\")"
    if matches == 1 { text += "; one match may also be a reporting delay" }
    text +=
      ". If '\(source)' has the wrong clock, add clock_offsets = { [\"\(source)\"] = \(Self.seconds(-offsetSeconds)) } to the pipeline"
    return text
  }

  static func seconds(_ s: Double) -> String {
    let rounded = (s * 1000).rounded() / 1000
    return rounded == rounded.rounded() ? String(format: "%.1f", rounded) : String(rounded)
  }
}

extension Timeline {
  /// Clock skew between sources, from the rows the merge folded together as the same
  /// happening of the same kind (an alert seen by Alertmanager and by a webhook log; a
  /// page in PagerDuty and in Slack). Rows of different kinds (a metric crossing and the
  /// alert it raised) differ by cause, not by clock, and are not compared.
  ///
  /// Per pair of sources the median difference is taken; pairs whose median exceeds
  /// `tolerance` milliseconds are returned, sorted by source names. Skews larger than the
  /// dedupe window are not seen (the rows were not merged).
  public func clockSkews(tolerance: Int64) -> [ClockSkew] {
    struct Pair: Hashable {
      let a: String
      let b: String
    }
    var deltas: [Pair: [Int64]] = [:]
    var examples: [Pair: String] = [:]
    // Only the rows that hold merged occurrences, found without copying any row.
    let rows = events.withUnsafeBufferPointer { buffer in buffer.indices.filter { buffer[$0].hasMerged } }
    for i in rows {
      let row = events[i]
      for m in row.merged where m.kind == row.kind && m.source != row.source {
        // Normalised: b's time minus a's time, with a < b by name.
        let pair = row.source < m.source ? Pair(a: row.source, b: m.source) : Pair(a: m.source, b: row.source)
        let delta = m.time.milliseconds - row.time.milliseconds
        deltas[pair, default: []].append(row.source == pair.a ? delta : -delta)
        if examples[pair] == nil { examples[pair] = row.event }
      }
    }
    var result: [ClockSkew] = []
    for (pair, list) in deltas {
      let sorted = list.sorted()
      let mid = sorted.count / 2
      let median = sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
      guard abs(median) > Double(tolerance) else { continue }
      result.append(
        ClockSkew(
          source: pair.b, reference: pair.a, offsetSeconds: median / 1000, matches: sorted.count,
          minSeconds: Double(sorted.first!) / 1000, maxSeconds: Double(sorted.last!) / 1000,
          example: examples[pair] ?? ""))
    }
    return result.sorted { ($0.reference, $0.source) < ($1.reference, $1.source) }
  }

  /// Adds `offset` milliseconds to the times of every event whose source is `source`
  /// (its time, its last time, and occurrences of that source folded into other rows).
  /// Returns how many events moved. Run it before the merge.
  @discardableResult
  public mutating func shift(source: String, by offset: Int64) -> Int {
    var moved = 0
    for i in events.indices {
      if events[i].source == source {
        events[i].time = events[i].time.adding(milliseconds: offset)
        if let last = events[i].last { events[i].last = last.adding(milliseconds: offset) }
        moved += 1
      }
      if events[i].hasMerged, events[i].merged.contains(where: { $0.source == source }) {
        for k in events[i].merged.indices where events[i].merged[k].source == source {
          events[i].merged[k].time = events[i].merged[k].time.adding(milliseconds: offset)
        }
      }
    }
    return moved
  }
}
