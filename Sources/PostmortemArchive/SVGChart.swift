/// Inline SVG charts for the archive page: stacked columns, lines with points, horizontal
/// bars. Each is one `<svg>` element with a `<title>` and a `<desc>` (`role="img"`), drawn
/// in a fixed viewBox that the page's CSS scales to its width; colours come from CSS classes
/// so that the page's light and dark schemes and print apply. Every label is untrusted and
/// escaped here (``ArchivePageText``); every coordinate goes through ``number(_:)``, which
/// never writes NaN or infinity.
///
/// ```swift
/// SVGChart.horizontalBars(
///   SVGChart.Frame(id: "services", title: "Incidents per service", summary: "checkout-api: 3"),
///   bars: [SVGChart.Bar(label: "checkout-api", value: 3, note: "3 incidents")])
/// ```
enum SVGChart {
  /// The chart's id (our own, never from incident text), its title and its description.
  struct Frame {
    var id: String
    var title: String
    var summary: String
  }

  /// A part of a stacked column: its series (a severity) and value.
  struct Segment {
    var value: Int
    /// The series' CSS class (ours: `s0`...`s5`, `su`).
    var style: String
    /// The tooltip.
    var note: String
  }

  /// One column (a quarter) of a stacked chart.
  struct Column {
    var label: String
    var segments: [Segment]
  }

  /// A series in the legend.
  struct LegendEntry {
    var label: String
    var style: String
  }

  /// A line of a line chart: one value per column label, `nil` where there is none (the line
  /// breaks there).
  struct Series {
    var name: String
    var style: String
    var values: [Double?]
    /// The tooltip of each point.
    var notes: [String]
  }

  /// One horizontal bar.
  struct Bar {
    var label: String
    var value: Int
    var note: String
    /// `bar` or `bar other`.
    var style: String = "bar"
  }

  static let width = 880.0

  /// Columns stacked by series, a count axis on the left, one label per few columns below.
  static func stackedColumns(_ frame: Frame, columns: [Column], legend: [LegendEntry]) -> String {
    let left = 52.0
    let right = 16.0
    let (legendSVG, legendHeight) = legendRow(legend, top: 8)
    let top = 16 + legendHeight
    let plot = 220.0
    let height = top + plot + 40
    let totals = columns.map { $0.segments.reduce(0) { $0 + max(0, $1.value) } }
    let axis = SVGChartAxis.counts(upTo: Double(totals.max() ?? 0))
    let band = (width - left - right) / Double(max(columns.count, 1))
    let barWidth = max(1, band * 0.72)
    func y(_ v: Double) -> Double { top + plot - v / axis.top * plot }

    var out = open(frame, height: height)
    out += legendSVG
    out += valueAxis(axis, left: left, right: right, y: y)
    out += columnLabels(columns.map(\.label), left: left, band: band, y: top + plot + 18)
    out += "<g class=\"bars\">"
    for (i, column) in columns.enumerated() {
      let x = left + band * Double(i) + (band - barWidth) / 2
      var sum = 0.0
      for segment in column.segments where segment.value > 0 {
        let from = y(sum)
        sum += Double(segment.value)
        let to = y(sum)
        out += "<rect class=\"bar \(segment.style)\" x=\"\(number(x))\" y=\"\(number(to))\""
        out += " width=\"\(number(barWidth))\" height=\"\(number(from - to))\">"
        out += "<title>\(ArchivePageText.escape(segment.note, limit: 300))</title></rect>"
      }
      if columns.count <= 24 && totals[i] > 0 {
        out += "<text class=\"value\" x=\"\(number(x + barWidth / 2))\" y=\"\(number(y(sum) - 4))\""
        out += " text-anchor=\"middle\">\(ArchivePageText.count(totals[i]))</text>"
      }
    }
    out += "</g></svg>"
    return out
  }

  /// Lines over the same columns, with a duration axis: a point per value, the line broken
  /// where a value is missing.
  static func durationLines(_ frame: Frame, labels: [String], series: [Series]) -> String {
    let left = 76.0
    let right = 16.0
    let (legendSVG, legendHeight) = legendRow(
      series.map { LegendEntry(label: $0.name, style: $0.style) }, top: 8, line: true)
    let top = 16 + legendHeight
    let plot = 220.0
    let height = top + plot + 40
    let largest = series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0
    let axis = SVGChartAxis.durations(upTo: largest)
    let band = (width - left - right) / Double(max(labels.count, 1))
    func x(_ i: Int) -> Double { left + band * (Double(i) + 0.5) }
    func y(_ v: Double) -> Double { top + plot - min(max(v, 0), axis.top) / axis.top * plot }

    var out = open(frame, height: height)
    out += legendSVG
    out += valueAxis(axis, left: left, right: right, y: y)
    out += columnLabels(labels, left: left, band: band, y: top + plot + 18)
    let radius = labels.count > 24 ? 2.5 : 3.5
    for line in series {
      out += "<g class=\"series \(line.style)\">"
      // A polyline for each run of known values; a lone value is only its point.
      var run: [String] = []
      func flush() {
        if run.count > 1 { out += "<polyline class=\"line\" points=\"\(run.joined(separator: " "))\"/>" }
        run = []
      }
      for (i, value) in line.values.enumerated() {
        guard let value else {
          flush()
          continue
        }
        run.append("\(number(x(i))),\(number(y(value)))")
      }
      flush()
      for (i, value) in line.values.enumerated() {
        guard let value else { continue }
        let note = i < line.notes.count ? line.notes[i] : ""
        out +=
          "<circle class=\"point\" cx=\"\(number(x(i)))\" cy=\"\(number(y(value)))\" r=\"\(number(radius))\">"
        out += "<title>\(ArchivePageText.escape(note, limit: 300))</title></circle>"
      }
      out += "</g>"
    }
    out += "</svg>"
    return out
  }

  /// One bar per row, its label on the left and its value at its end.
  static func horizontalBars(_ frame: Frame, bars: [Bar]) -> String {
    let labelWidth = 290.0
    let right = 64.0
    let row = 26.0
    let top = 6.0
    let height = top + row * Double(bars.count) + 6
    let largest = Double(max(bars.map(\.value).max() ?? 0, 1))
    let area = width - labelWidth - right

    var out = open(frame, height: height)
    out += "<g class=\"bars\">"
    for (i, bar) in bars.enumerated() {
      let y = top + row * Double(i)
      let value = Double(max(bar.value, 0))
      let length = value > 0 ? max(1, value / largest * area) : 0
      out += "<text class=\"label\" x=\"\(number(labelWidth - 8))\" y=\"\(number(y + row / 2 + 4))\""
      out += " text-anchor=\"end\">\(ArchivePageText.escape(bar.label, limit: 28))</text>"
      out += "<rect class=\"\(bar.style)\" x=\"\(number(labelWidth))\" y=\"\(number(y + 4))\""
      out += " width=\"\(number(length))\" height=\"\(number(row - 8))\">"
      out += "<title>\(ArchivePageText.escape(bar.note, limit: 300))</title></rect>"
      out +=
        "<text class=\"value\" x=\"\(number(labelWidth + length + 6))\" y=\"\(number(y + row / 2 + 4))\">"
      out += "\(ArchivePageText.count(bar.value))</text>"
    }
    out += "</g></svg>"
    return out
  }

  // MARK: - Parts

  private static func open(_ frame: Frame, height: Double) -> String {
    let id = ArchivePageText.escape(frame.id)
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" class=\"chart\""
      + " viewBox=\"0 0 \(number(width)) \(number(height))\" width=\"\(number(width))\""
      + " height=\"\(number(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\">"
      + "<title id=\"\(id)-title\">\(ArchivePageText.escape(frame.title, limit: 400))</title>"
      + "<desc id=\"\(id)-desc\">\(ArchivePageText.escape(frame.summary, limit: 4_000))</desc>"
  }

  /// The legend as one or more rows of swatches and names; its SVG and height.
  private static func legendRow(_ entries: [LegendEntry], top: Double, line: Bool = false) -> (String, Double)
  {
    guard !entries.isEmpty else { return ("", 0) }
    var out = "<g class=\"legend\">"
    var x = 52.0
    var y = top
    for entry in entries {
      let label = ArchivePageText.shown(entry.label, limit: 24)
      let itemWidth = 22 + 7.5 * Double(label.unicodeScalars.count) + 18
      if x + itemWidth > width - 16 && x > 52 {
        x = 52
        y += 20
      }
      if line {
        out += "<line class=\"\(entry.style) line\" x1=\"\(number(x))\" y1=\"\(number(y + 7))\""
        out += " x2=\"\(number(x + 16))\" y2=\"\(number(y + 7))\"/>"
      } else {
        out +=
          "<rect class=\"swatch \(entry.style)\" x=\"\(number(x))\" y=\"\(number(y))\" width=\"14\" height=\"14\"/>"
      }
      out += "<text x=\"\(number(x + 22))\" y=\"\(number(y + 11))\">\(ArchivePageText.html(label))</text>"
      x += itemWidth
    }
    out += "</g>"
    return (out, y - top + 20)
  }

  /// Grid lines and labels of a value axis.
  private static func valueAxis(
    _ axis: SVGChartAxis, left: Double, right: Double, y: (Double) -> Double
  ) -> String {
    var out = "<g class=\"axis\">"
    for tick in axis.ticks {
      let at = number(y(tick.value))
      out += "<line x1=\"\(number(left))\" y1=\"\(at)\" x2=\"\(number(width - right))\" y2=\"\(at)\"/>"
      out += "<text x=\"\(number(left - 6))\" y=\"\(number(y(tick.value) + 4))\" text-anchor=\"end\">"
      out += "\(ArchivePageText.html(tick.label))</text>"
    }
    out += "</g>"
    return out
  }

  /// The column labels below the plot: every one when they fit, else every few.
  private static func columnLabels(_ labels: [String], left: Double, band: Double, y: Double) -> String {
    let every = max(1, Int((64 / max(band, 1)).rounded(.up)))
    var out = "<g class=\"axis labels\">"
    for (i, label) in labels.enumerated() where i % every == 0 {
      out +=
        "<text x=\"\(number(left + band * (Double(i) + 0.5)))\" y=\"\(number(y))\" text-anchor=\"middle\">"
      out += "\(ArchivePageText.escape(label, limit: 10))</text>"
    }
    out += "</g>"
    return out
  }

  /// A coordinate with at most one decimal; `0` for NaN or infinity, so that no input can
  /// write a coordinate a browser refuses.
  static func number(_ value: Double) -> String {
    guard value.isFinite, abs(value) < 1e12 else { return "0" }
    let tenths = Int64((abs(value) * 10).rounded())
    let sign = value < 0 && tenths != 0 ? "-" : ""
    return tenths % 10 == 0 ? "\(sign)\(tenths / 10)" : "\(sign)\(tenths / 10).\(tenths % 10)"
  }
}
