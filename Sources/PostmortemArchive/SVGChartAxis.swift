import PostmortemCore

/// A value axis from zero: its top and the ticks drawn on it, each with its label. Counts get
/// steps of 1, 2 or 5 times a power of ten; durations get steps people read on a clock and a
/// calendar (30s, 5min, 15min, 1h, 6h, 1d, 7d...) and labels as pmhost writes durations.
///
/// ```swift
/// SVGChartAxis.counts(upTo: 17).ticks.map(\.label)          // ["0", "5", "10", "15", "20"]
/// SVGChartAxis.durations(upTo: 5_400).ticks.map(\.label)    // ["0s", "30min", "1h", "1h 30min"]
/// ```
struct SVGChartAxis: Equatable {
  struct Tick: Equatable {
    var value: Double
    var label: String
  }

  /// The value at the top of the axis; always above zero.
  var top: Double
  var ticks: [Tick]

  /// At most this many steps above zero.
  static let maxSteps = 5

  /// An axis for counts from 0 to at least `largest` (at least 1).
  static func counts(upTo largest: Double) -> SVGChartAxis {
    let largest = largest.isFinite ? max(largest, 1) : 1
    var magnitude = 1.0
    while true {
      for factor in [1.0, 2.0, 5.0] {
        let step = factor * magnitude
        let steps = (largest / step).rounded(.up)
        if steps <= Double(maxSteps) {
          let ticks = (0...Int(steps)).map { i in
            Tick(value: Double(i) * step, label: ArchivePageText.count(Int(whole(Double(i) * step))))
          }
          return SVGChartAxis(top: steps * step, ticks: ticks)
        }
      }
      magnitude *= 10
    }
  }

  /// Steps of a duration axis, in seconds: the ones a reader knows, then years.
  static let durationSteps: [Double] = [
    1, 2, 5, 10, 15, 30,
    60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60,
    3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
    86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400, 90 * 86_400, 180 * 86_400, 365 * 86_400,
  ]

  /// An axis for durations in seconds from 0 to at least `largest` (at least one minute).
  static func durations(upTo largest: Double) -> SVGChartAxis {
    let largest = largest.isFinite ? max(largest, 60) : 60
    var step = durationSteps.first { (largest / $0).rounded(.up) <= Double(maxSteps) }
    if step == nil {
      // Beyond 5 years: whole years, 1, 2 or 5 times a power of ten.
      let years = counts(upTo: largest / (365 * 86_400))
      step = (years.ticks.count > 1 ? years.ticks[1].value : 1) * 365 * 86_400
    }
    let unit = step ?? 60
    let steps = (largest / unit).rounded(.up)
    let ticks = (0...Int(steps)).map { i in
      let value = Double(i) * unit
      return Tick(value: value, label: formatDuration(seconds: whole(value)))
    }
    return SVGChartAxis(top: steps * unit, ticks: ticks)
  }

  /// `value` truncated to a whole number, clamped to the range of Int64 (0 for NaN).
  static func whole(_ value: Double) -> Int64 {
    if value.isNaN { return 0 }
    if value >= 9.2e18 { return .max }
    if value <= -9.2e18 { return .min }
    return Int64(value)
  }
}
