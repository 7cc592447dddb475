import Foundation
import PostmortemCore
import Testing

@testable import PostmortemArchive

/// The archive page as text: its sections, charts and tables, what it does with hostile
/// text, an empty archive, one quarter, and 10,000 incidents. ArchivePageBrowserTests opens
/// it in Chromium.
@Suite struct ArchivePageTests {
  typealias F = ArchivePageFixtures

  /// The markup of one chart: from `<svg ... id="ID"` to its `</svg>`.
  static func chart(_ id: String, in html: String) -> String? {
    guard let at = html.range(of: "id=\"\(id)\""),
      let start = html[..<at.lowerBound].range(of: "<svg ", options: .backwards),
      let end = html[at.upperBound...].range(of: "</svg>")
    else { return nil }
    return String(html[start.lowerBound..<end.upperBound])
  }

  /// Whether `html` holds `needle`, byte for byte (a search by characters is slow over a
  /// character of 10,000 combining marks, and would not find a mark inside one).
  static func has(_ html: String, _ needle: String) -> Bool {
    html.utf8.firstRange(of: needle.utf8) != nil
  }

  static func occurrences(_ needle: String, in text: some StringProtocol) -> Int {
    text.components(separatedBy: needle).count - 1
  }

  /// Every tag of `html` (`<name attr="v" ...>`, `</name>`): its name and attribute names.
  /// Our own markup always quotes attribute values with `"`, so a value cannot hide a `>`;
  /// an unquoted value is reported as an attribute of its own.
  static func tags(_ html: String) -> [(name: String, attributes: [String])] {
    let bytes = Array(html.utf8)
    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C }
    var out: [(String, [String])] = []
    var i = 0
    while i < bytes.count {
      guard bytes[i] == UInt8(ascii: "<") else {
        i += 1
        continue
      }
      i += 1
      if bytes[i...].starts(with: "!DOCTYPE".utf8) {
        while i < bytes.count && bytes[i] != UInt8(ascii: ">") { i += 1 }
        continue
      }
      let nameStart = i
      if i < bytes.count && bytes[i] == UInt8(ascii: "/") { i += 1 }
      while i < bytes.count && !isSpace(bytes[i]) && bytes[i] != UInt8(ascii: ">")
        && bytes[i] != UInt8(ascii: "/")
      {
        i += 1
      }
      let name = text(nameStart..<i)
      var attributes: [String] = []
      while i < bytes.count && bytes[i] != UInt8(ascii: ">") {
        if isSpace(bytes[i]) || bytes[i] == UInt8(ascii: "/") {
          i += 1
          continue
        }
        let attrStart = i
        while i < bytes.count && !isSpace(bytes[i]) && bytes[i] != UInt8(ascii: "=")
          && bytes[i] != UInt8(ascii: ">")
        {
          i += 1
        }
        let attr = text(attrStart..<i)
        attributes.append(attr)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { continue }
        i += 1
        if i < bytes.count && bytes[i] == UInt8(ascii: "\"") {
          i += 1
          while i < bytes.count && bytes[i] != UInt8(ascii: "\"") { i += 1 }
          i += 1
        } else {
          attributes.append("unquoted value after \(attr)")
          while i < bytes.count && !isSpace(bytes[i]) && bytes[i] != UInt8(ascii: ">") { i += 1 }
        }
      }
      out.append((name, attributes))
    }
    return out
  }

  static let allowedTags: Set<String> = [
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "dl", "div", "dt", "dd",
    "small", "main", "section", "figure", "figcaption", "svg", "g", "rect", "text", "desc", "line",
    "polyline",
    "circle", "details", "summary", "table", "thead", "tbody", "tr", "th", "td", "span", "br", "code",
    "footer",
  ]
  static let allowedAttributes: Set<String> = [
    "lang", "charset", "http-equiv", "content", "name", "xmlns", "id", "class", "viewBox", "width", "height",
    "role", "aria-labelledby", "open", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "points",
    "text-anchor", "title",
  ]

  /// The tags and attributes of `html` that the page never writes itself.
  static func foreignMarkup(_ html: String) -> [String] {
    var found: [String] = []
    for tag in tags(html) {
      let name = tag.name.hasPrefix("/") ? String(tag.name.dropFirst()) : tag.name
      if !allowedTags.contains(name) { found.append("<\(tag.name)>") }
      found += tag.attributes.filter { !allowedAttributes.contains($0) }.map { "\(tag.name) \($0)=" }
    }
    return found
  }

  @Test func aTypicalArchiveHasItsChartsAndTables() throws {
    let html = ArchivePage.html(F.typical())
    #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"))
    #expect(
      html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'none';"))
    let foreign = Self.foreignMarkup(html)
    #expect(foreign.count == 0, "\(foreign.prefix(10))")
    let outside = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
    #expect(
      !outside.contains("<script") && !outside.contains("http:") && !outside.contains("https:")
        && !outside.contains("url(") && !outside.contains("@import"))
    #expect(Self.occurrences("<svg ", in: html) == 4)

    // Incidents per quarter: a rect for each severity present in a quarter (2 + 2 + 0 + 3),
    // most severe at the bottom, one legend swatch per severity, totals on top.
    let quarters = try #require(Self.chart("chart-quarters", in: html))
    #expect(Self.occurrences("<rect class=\"bar ", in: quarters) == 7)
    #expect(Self.occurrences("<rect class=\"swatch ", in: quarters) == 4)
    #expect(quarters.contains("<rect class=\"swatch s0\"") && quarters.contains("<rect class=\"swatch su\""))
    #expect(quarters.contains("<title>2025-Q4, SEV1: 2 incidents</title>"))
    #expect(
      quarters.contains(
        "<desc id=\"chart-quarters-desc\">Incidents per quarter: 2025-Q1: 3 (SEV1 1, SEV2 2);"))
    #expect(quarters.contains("role=\"img\" aria-labelledby=\"chart-quarters-title chart-quarters-desc\""))
    let legend = ["SEV1", "SEV2", "SEV3", "unknown"].map { quarters.range(of: ">\($0)</text>")?.lowerBound }
    #expect(legend.allSatisfy { $0 != nil } && legend.map { $0! } == legend.map { $0! }.sorted())
    // The axis: 0 to 4 in ones.
    #expect(quarters.contains(">4</text>") && !quarters.contains(">5</text>"))

    // Time to resolve: two quarters with values, so one two-point line per series (Q2 and Q3
    // have none: the lines break there... Q1 and Q4 are not adjacent, so points only).
    let resolve = try #require(Self.chart("chart-resolve", in: html))
    #expect(Self.occurrences("<circle ", in: resolve) == 4)
    #expect(Self.occurrences("<polyline", in: resolve) == 0)
    #expect(
      resolve.contains(">1d</text>") || resolve.contains(">1d 6h</text>"), "a duration axis up to a day")
    #expect(resolve.contains("<title>2025-Q4: p90 time to resolve 1d, of 4 incidents</title>"))

    let factors = try #require(Self.chart("chart-factors", in: html))
    #expect(Self.occurrences("<rect class=\"bar", in: factors) == 2)
    #expect(factors.contains(">connection pool exhausted</text>"))
    let services = try #require(Self.chart("chart-services", in: html))
    #expect(Self.occurrences("<rect class=\"bar", in: services) == 3)
    #expect(!services.contains("bar other"))

    // Header and tables.
    #expect(html.contains("<dt>Incidents</dt><dd>9</dd>"))
    #expect(html.contains("<dt>Time to resolve, median</dt><dd>1h 30min <small>p90 4h</small></dd>"))
    #expect(html.contains("<details open><summary>Every recurring factor"), "two factors: the table open")
    #expect(html.contains("<dt>Period</dt><dd>2025-01-04 – 2025-11-24</dd>"))
    let overdue = try #require(html.components(separatedBy: "<section id=\"overdue\">").last)
    #expect(
      overdue.range(of: "AI-1")!.lowerBound < overdue.range(of: "AI-2")!.lowerBound, "most overdue first")
    #expect(overdue.contains("<td class=\"num\">334</td>"))
    let incidents = try #require(html.components(separatedBy: "<section id=\"incidents\">").last)
    #expect(Self.occurrences("<tr><td class=\"date\">", in: incidents) == 6)
    #expect(
      incidents.range(of: ">PM-6<")!.lowerBound < incidents.range(of: ">PM-1<")!.lowerBound, "newest first")
    #expect(incidents.contains("<td>unknown</td>"), "PM-3 has no severity")
    #expect(html.contains("3 more incidents are not shown here"), "totals say 9, six rows given")
    #expect(!html.contains("NaN") && !html.contains("inf"))
  }

  @Test func hostileTextIsInertEverywhere() throws {
    let html = ArchivePage.html(F.hostileTrends())
    let foreign = Self.foreignMarkup(html)
    #expect(foreign.count == 0, "\(foreign.prefix(10))")
    #expect(Self.occurrences("<svg ", in: html) == 4)
    #expect(
      Self.occurrences("<title", in: html) == 1 + 4 + Self.occurrences("<rect class=\"bar", in: html)
        + Self.occurrences("<circle", in: html))
    #expect(Self.occurrences("</title>", in: html) == Self.occurrences("<title", in: html))
    #expect(
      !Self.has(html, "<script") && !Self.has(html, "<img") && !Self.has(html, "<![CDATA[")
        && !Self.has(html, "]]>"))
    #expect(!Self.has(html, "<!--") && !Self.has(html, "</style><style>"))
    #expect(
      Self.has(
        html,
        "&lt;/title&gt;&lt;script&gt;document.documentElement.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)")
    )
    #expect(Self.has(html, "&quot;&gt;&lt;svg onload=&quot;"))
    #expect(Self.has(html, "]]&gt;&lt;script&gt;"))
    // Controls shown, never written; the bidirectional override and isolates shown as escapes.
    let controls = html.unicodeScalars.filter {
      ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value)
    }
    #expect(controls.isEmpty, "\(controls.map { $0.value })")
    #expect(Self.has(html, "bell\\x07 esc\\e[2J nul\\x00 del\\x7f c1\\x85 tab line return  end"))
    #expect(
      !html.unicodeScalars.contains {
        (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value)
      })
    #expect(Self.has(html, "payroll\\u{202e}exe.txt \\u{2066}isolated\\u{2069}"))
    // Credentials in URLs masked; 10,000 characters cut, the tooltip longer but bounded.
    #expect(
      !Self.has(html, "hunter2") && !Self.has(html, "token=abc") && Self.has(html, "bob:***@wiki.local"))
    #expect(!Self.has(html, String(repeating: "A", count: 2_001)))
    #expect(Self.has(html, String(repeating: "A", count: 199) + "…"))
    #expect(Self.has(html, "<span title=\"" + String(repeating: "A", count: 1_999) + "…\">"))
    #expect(!Self.has(html, String(repeating: "\u{0301}", count: ArchivePageText.maxMarks + 1)))
    #expect(Self.has(html, ">Z" + String(repeating: "\u{0301}", count: ArchivePageText.maxMarks) + "<"))
    #expect(html.utf8.count < 600_000, "\(html.utf8.count) bytes")
    #expect(!Self.has(html, "NaN"))
  }

  @Test func anEmptyArchiveSaysSoWithNoChart() {
    let html = ArchivePage.html(ArchiveTrends(generatedAt: F.now, archive: "archive.sqlite"))
    #expect(Self.occurrences("<svg", in: html) == 0)
    #expect(html.contains("<dt>Incidents</dt><dd>0</dd>"))
    #expect(html.contains("<dt>Time to resolve, median</dt><dd>-</dd>"))
    #expect(!html.contains("<dt>Period</dt>"))
    for text in [
      "No incidents match.", "No incident states when it was resolved.", "No contributing factor recurs.",
      "No incident names a service.", "No action item is overdue.",
    ] {
      #expect(html.contains("<p class=\"none\">\(text)</p>"), "\(text)")
    }
    #expect(!html.contains("NaN") && !html.contains("inf") && !html.contains("not shown"))
    #expect(Self.foreignMarkup(html).isEmpty)
  }

  @Test func oneQuarterAndZerosDrawWithoutDividingByZero() throws {
    var trends = ArchiveTrends(generatedAt: F.now, archive: "archive.sqlite")
    trends.quarters = [
      .init(
        period: "2025-Q3", incidentsBySeverity: ["SEV2": 0], timeToResolve: .init(median: 0, p90: 0, count: 1)
      )
    ]
    trends.services = [.init(service: "api", incidentCount: 0)]
    trends.recurringFactors = [.init(label: "x", incidentCount: 0)]
    let html = ArchivePage.html(trends)
    #expect(Self.occurrences("<svg ", in: html) == 4)
    #expect(!html.contains("NaN") && !html.contains("inf"))
    let quarters = try #require(Self.chart("chart-quarters", in: html))
    #expect(Self.occurrences("<rect class=\"bar", in: quarters) == 0)
    #expect(quarters.contains(">1</text>"), "the axis still goes to one")
    let resolve = try #require(Self.chart("chart-resolve", in: html))
    #expect(Self.occurrences("<circle ", in: resolve) == 2 && !resolve.contains("<polyline"))
    #expect(resolve.contains("cx=\"470\""), "the lone point in the middle of the plot")
    let services = try #require(Self.chart("chart-services", in: html))
    #expect(services.contains("width=\"0\""))

    // Durations far beyond a calendar, negative ones (a bad record) and the largest counts.
    trends.quarters = [
      .init(
        period: "a", incidentsBySeverity: ["SEV1": Int.max / 2],
        timeToResolve: .init(median: -5, p90: .max, count: 1)),
      .init(
        period: "b", incidentsBySeverity: ["SEV1": Int.max / 2], timeToResolve: .init(median: .min, count: 1)),
    ]
    let extreme = ArchivePage.html(trends)
    #expect(!extreme.contains("NaN") && !extreme.contains("inf"))
  }

  @Test func tenThousandIncidentsAreCappedAndCounted() throws {
    let trends = F.atScale()
    let began = Date()
    let html = ArchivePage.html(trends)
    let seconds = Date().timeIntervalSince(began)
    #expect(html.utf8.count < 2_000_000, "\(html.utf8.count) bytes")
    let incidents = try #require(html.components(separatedBy: "<section id=\"incidents\">").last)
    #expect(Self.occurrences("<tr><td class=\"date\">", in: incidents) == ArchivePage.maxIncidentRows)
    #expect(incidents.contains("9,000 more incidents are not shown here: <code>pmhost archive list</code>"))
    #expect(incidents.contains(">PM-9999<") && !incidents.contains(">PM-0<"), "the newest shown")
    #expect(html.contains("1,500 more overdue actions are not shown here"))
    #expect(html.contains("100 more factors are not shown here"))
    #expect(html.contains("<details><summary>Every recurring factor"), "300 factors: the table closed")

    let quarters = try #require(Self.chart("chart-quarters", in: html))
    #expect(Self.occurrences("<rect class=\"bar", in: quarters) == 200)
    #expect(!quarters.contains("class=\"value\""), "no totals over 40 columns")
    let labels = Self.occurrences("text-anchor=\"middle\">20", in: quarters)
    #expect(labels >= 8 && labels <= 14, "every few quarters labelled: \(labels)")
    let resolve = try #require(Self.chart("chart-resolve", in: html))
    #expect(Self.occurrences("<circle ", in: resolve) == 2 * 36, "four quarters state no time to resolve")
    #expect(Self.occurrences("<polyline", in: resolve) == 2 * 5, "the lines break at them")
    let services = try #require(Self.chart("chart-services", in: html))
    #expect(Self.occurrences("<rect class=\"bar", in: services) == ArchivePage.maxServiceBars + 1)
    #expect(services.contains(">188 other services</text>") && services.contains("class=\"bar other\""))
    let factors = try #require(Self.chart("chart-factors", in: html))
    #expect(Self.occurrences("<rect class=\"bar", in: factors) == ArchivePage.maxFactorBars)
    #expect(html.contains("and 288 more</span>"))
    #expect(!html.contains("NaN"))
    print("archive page at scale: \(html.utf8.count) bytes in \(String(format: "%.2f", seconds)) s")
  }

  @Test func severitiesOrderFromTheMostSevere() {
    let s = ArchivePage.Severities([
      "unknown", "SEV10", "SEV2", "P0", "low", "critical", "weird", "SEV-1", "",
    ])
    #expect(s.names == ["P0", "critical", "SEV-1", "SEV2", "low", "SEV10", "weird", "", "unknown"])
    #expect(s.style("P0") == "s0" && s.style("SEV10") == "s5" && s.style("weird") == "s0")
    #expect(s.style("unknown") == "su" && s.style("") == "su")
  }

  @Test func axesUseRoundCountsAndClockDurations() {
    #expect(SVGChartAxis.counts(upTo: 17).ticks.map(\.label) == ["0", "5", "10", "15", "20"])
    #expect(SVGChartAxis.counts(upTo: 0).top == 1)
    #expect(SVGChartAxis.counts(upTo: 12_345).ticks.map(\.label) == ["0", "5,000", "10,000", "15,000"])
    #expect(SVGChartAxis.durations(upTo: 5_400).ticks.map(\.label) == ["0s", "30min", "1h", "1h 30min"])
    #expect(SVGChartAxis.durations(upTo: 0).ticks.map(\.label) == ["0s", "15s", "30s", "45s", "1min"])
    #expect(SVGChartAxis.durations(upTo: 3 * 86_400).ticks.map(\.label) == ["0s", "1d", "2d", "3d"])
    #expect(SVGChartAxis.durations(upTo: .nan).top == 60)
    #expect(SVGChartAxis.durations(upTo: 9e18).top > 0)
    #expect(
      SVGChart.number(.nan) == "0" && SVGChart.number(.infinity) == "0" && SVGChart.number(-0.04) == "0")
    #expect(
      SVGChart.number(12.345) == "12.3" && SVGChart.number(-3.25) == "-3.3" && SVGChart.number(40) == "40")
  }

  @Test func textIsEscapedForHTMLAndSVG() {
    #expect(ArchivePageText.escape("</title><script>") == "&lt;/title&gt;&lt;script&gt;")
    #expect(ArchivePageText.escape("\"a\" & 'b'") == "&quot;a&quot; &amp; &#39;b&#39;")
    #expect(ArchivePageText.escape("]]>") == "]]&gt;")
    #expect(ArchivePageText.escape("a\u{202E}b\u{200F}") == "a\\u{202e}b\u{200F}")
    #expect(ArchivePageText.escape("x\u{1B}[31m\u{0}") == "x\\e[31m\\x00")
    #expect(ArchivePageText.escape("abcdef", limit: 4) == "abc…")
    #expect(
      ArchivePageText.escape("e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}") == "e\u{301}\u{302}\u{303}\u{304}"
    )
    #expect(ArchivePageText.escape("Tiếng Việt, עִבְרִית") == "Tiếng Việt, עִבְרִית")
    #expect(ArchivePageText.escape("<<<<<<", limit: 3) == "&lt;&lt;…")
    #expect(ArchivePageText.cut("abc", limit: 4).full == nil)
    #expect(ArchivePageText.cut("abcdef", limit: 4).full == "abcdef")
    #expect(ArchivePageText.count(1_234_567) == "1,234,567" && ArchivePageText.count(-1_000) == "-1,000")
    #expect(ArchivePageText.count(999) == "999")
  }
}
