import PostmortemCore

/// `pmhost archive report --html FILE`: the archive's trends as one self-contained HTML page.
/// A header with the totals; inline SVG charts of incidents per quarter by severity, time to
/// resolve per quarter (median and p90), the recurring contributing factors and the
/// incidents per service, each with its figures as a table; the overdue actions and the
/// incidents as tables.
///
/// The page fetches nothing and runs nothing: no script, font, image or link, and a
/// Content-Security-Policy that forbids every fetch and every script, should one ever slip
/// in. Every text from incidents is escaped (``ArchivePageText``). Light and dark follow the
/// reader's setting; print uses the light one.
///
/// ```swift
/// let page = ArchivePage.html(trends)
/// try page.write(toFile: "archive.html", atomically: true, encoding: .utf8)
/// ```
public enum ArchivePage {
  /// The page's `<meta name="generator">`: `archive report` replaces a file only when it
  /// carries this (a page it wrote before).
  public static let generator = "pmhost archive report"

  /// The newest incidents the table shows; the rest are counted.
  public static let maxIncidentRows = 1_000
  /// The overdue actions the table shows (the most overdue first); the rest are counted.
  public static let maxActionRows = 500
  /// The services drawn as bars; the rest are one bar, `N other services`.
  public static let maxServiceBars = 12
  /// The recurring factors drawn as bars (the table lists more).
  public static let maxFactorBars = 10
  /// Rows of the factor and service tables.
  static let maxFactorRows = 200
  static let maxServiceRows = 500
  /// Incident ids listed for one factor, services for one incident.
  static let idsPerFactor = 12
  static let servicesPerIncident = 6

  /// The policy of the page: nothing may be fetched (scripts, styles from elsewhere, images,
  /// fonts, frames, connections), no script may run, no form may be sent, no base URL set.
  /// The page's own `<style>` is the one thing allowed.
  public static let contentSecurityPolicy =
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'none'; "
    + "connect-src 'none'; base-uri 'none'; form-action 'none'"

  /// The page for `trends`.
  public static func html(_ trends: ArchiveTrends) -> String {
    let filter = ArchivePageText.escape(trends.filter, limit: 300)
    var out = ""
    out.reserveCapacity(64_000 + min(trends.incidents.count, maxIncidentRows) * 400)
    out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy)\">\n"
    out += "<meta name=\"referrer\" content=\"no-referrer\">\n"
    out += "<meta name=\"generator\" content=\"\(generator)\">\n"
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    out += "<meta name=\"color-scheme\" content=\"light dark\">\n"
    out += "<meta name=\"generator\" content=\"pmhost archive report\">\n"
    out += "<title>Post-mortem archive: \(filter)</title>\n<style>\n\(style)</style></head>\n<body>\n"
    out += header(trends, filter: filter)
    out += "<main>\n"
    out += quartersSection(trends)
    out += resolveSection(trends)
    out += factorsSection(trends)
    out += servicesSection(trends)
    out += actionsSection(trends)
    out += incidentsSection(trends)
    out += "</main>\n<footer><p class=\"note\">Made by pmhost archive report on "
    out +=
      "\(trends.generatedAt.formatted(.dateTime)) UTC. Durations are medians and 90th percentiles of the "
    out += "incidents that state them, never means.</p></footer>\n</body></html>\n"
    return out
  }

  // MARK: - Header

  private static func header(_ trends: ArchiveTrends, filter: String) -> String {
    let totals = trends.totals
    let incidents = max(totals.incidents, trends.incidents.count)
    var out = "<header><h1>Post-mortem archive</h1>\n<p class=\"sub\">\(filter) · "
    out += "\(ArchivePageText.escape(trends.archive, limit: 300)) · made "
    out += "\(trends.generatedAt.formatted(.dateTime)) UTC</p>\n<dl class=\"totals\">"
    func item(_ term: String, _ value: String, _ note: String = "") {
      out += "<div><dt>\(term)</dt><dd>\(value)\(note.isEmpty ? "" : " <small>\(note)</small>")</dd></div>"
    }
    item("Incidents", ArchivePageText.count(incidents))
    if let first = totals.firstStarted, let last = totals.lastStarted {
      let from = first.formatted(.date)
      let to = last.formatted(.date)
      item("Period", from == to ? from : "\(from) – \(to)")
    }
    item("Services", ArchivePageText.count(max(totals.services, trends.services.count)))
    item("Overdue actions", ArchivePageText.count(max(totals.overdueActions, trends.overdueActions.count)))
    let ttr = totals.timeToResolve
    item(
      "Time to resolve, median", ArchivePageText.duration(ttr.median),
      ttr.p90.map { "p90 \(formatDuration(seconds: $0))" } ?? "")
    out += "</dl></header>\n"
    return out
  }

  // MARK: - Incidents per quarter

  private static func quartersSection(_ trends: ArchiveTrends) -> String {
    var out = "<section id=\"per-quarter\"><h2>Incidents per quarter</h2>\n"
    let quarters = trends.quarters
    guard !quarters.isEmpty else {
      return out + "<p class=\"none\">No incidents match.</p></section>\n"
    }
    let severities = Severities(quarters.flatMap { $0.incidentsBySeverity.keys })
    let columns = quarters.map { quarter in
      SVGChart.Column(
        label: quarter.period,
        segments: severities.names.compactMap { name in
          guard let n = quarter.incidentsBySeverity[name], n > 0 else { return nil }
          return SVGChart.Segment(
            value: n, style: severities.style(name),
            note: "\(short(quarter.period)), \(short(name)): \(ArchivePageText.count(n, "incident"))")
        })
    }
    let summary = quarters.map { q in
      let parts = severities.names.compactMap { name in
        q.incidentsBySeverity[name].flatMap { $0 > 0 ? "\(short(name)) \($0)" : nil }
      }
      return "\(short(q.period)): \(q.incidents)"
        + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }.joined(separator: "; ")
    let chart = SVGChart.stackedColumns(
      SVGChart.Frame(
        id: "chart-quarters", title: "Incidents per quarter, stacked by severity",
        summary: "Incidents per quarter: " + summary),
      columns: columns,
      legend: severities.names.map { SVGChart.LegendEntry(label: $0, style: severities.style($0)) })
    let total = quarters.reduce(0) { $0 + $1.incidents }
    out += "<figure>\(chart)\n<figcaption>\(ArchivePageText.count(total, "incident")) over "
    out += "\(ArchivePageText.count(quarters.count, "quarter")), stacked by severity, the most severe at the "
    out += "bottom.</figcaption></figure>\n"

    out += "<details><summary>The figures as a table</summary><table><thead><tr><th>Quarter</th>"
    out += "<th class=\"num\">Incidents</th>"
    for name in severities.names {
      out += "<th class=\"num\">\(ArchivePageText.escape(name, limit: 40))</th>"
    }
    out += "</tr></thead><tbody>\n"
    for q in quarters {
      out += "<tr><td>\(ArchivePageText.escape(q.period, limit: 40))</td>"
      out += "<td class=\"num\">\(ArchivePageText.count(q.incidents))</td>"
      for name in severities.names {
        out += "<td class=\"num\">\(ArchivePageText.count(q.incidentsBySeverity[name] ?? 0))</td>"
      }
      out += "</tr>\n"
    }
    out += "</tbody></table></details></section>\n"
    return out
  }

  // MARK: - Time to resolve per quarter

  private static func resolveSection(_ trends: ArchiveTrends) -> String {
    var out = "<section id=\"response-times\"><h2>Time to resolve</h2>\n"
    let quarters = trends.quarters
    let known = quarters.contains { $0.timeToResolve.median != nil || $0.timeToResolve.p90 != nil }
    if !known {
      out += "<p class=\"none\">No incident states when it was resolved.</p>\n"
    } else {
      func note(_ q: ArchiveTrends.Quarter, _ what: String, _ value: Int64?) -> String {
        "\(short(q.period)): \(what) time to resolve \(ArchivePageText.duration(value)), of "
          + ArchivePageText.count(q.timeToResolve.count, "incident")
      }
      let median = SVGChart.Series(
        name: "median", style: "median", values: quarters.map { $0.timeToResolve.median.map(Double.init) },
        notes: quarters.map { note($0, "median", $0.timeToResolve.median) })
      let p90 = SVGChart.Series(
        name: "90th percentile", style: "p90", values: quarters.map { $0.timeToResolve.p90.map(Double.init) },
        notes: quarters.map { note($0, "p90", $0.timeToResolve.p90) })
      let summary = quarters.compactMap { q -> String? in
        let t = q.timeToResolve
        guard t.median != nil || t.p90 != nil else { return nil }
        return
          "\(short(q.period)): median \(ArchivePageText.duration(t.median)), p90 \(ArchivePageText.duration(t.p90))"
      }.joined(separator: "; ")
      let chart = SVGChart.durationLines(
        SVGChart.Frame(
          id: "chart-resolve", title: "Median and p90 time to resolve per quarter",
          summary: "Time to resolve per quarter: " + summary),
        labels: quarters.map(\.period), series: [median, p90])
      out += "<figure>\(chart)\n<figcaption>Time to resolve (impact start to resolved) per quarter: the "
      out += "median (solid) and the 90th percentile (dashed) of the incidents that state it; a quarter "
      out += "with none has no point.</figcaption></figure>\n"
    }
    guard !quarters.isEmpty else { return out + "</section>\n" }
    out += "<details><summary>Every response time per quarter</summary><table><thead><tr><th>Quarter</th>"
    for what in ["Detect", "Acknowledge", "Mitigate", "Resolve"] {
      out += "<th class=\"num\">\(what)<br><small>median · p90 (of)</small></th>"
    }
    out += "</tr></thead><tbody>\n"
    for q in quarters {
      out += "<tr><td>\(ArchivePageText.escape(q.period, limit: 40))</td>"
      for d in [q.timeToDetect, q.timeToAcknowledge, q.timeToMitigate, q.timeToResolve] {
        out += "<td class=\"num\">\(ArchivePageText.duration(d.median)) · \(ArchivePageText.duration(d.p90))"
        out += " <span class=\"n\">(\(ArchivePageText.count(d.count)))</span></td>"
      }
      out += "</tr>\n"
    }
    out += "</tbody></table></details></section>\n"
    return out
  }

  // MARK: - Recurring factors

  private static func factorsSection(_ trends: ArchiveTrends) -> String {
    var out = "<section id=\"factors\"><h2>Recurring contributing factors</h2>\n"
    let factors = trends.recurringFactors.enumerated().sorted {
      ($0.element.incidentCount, $1.offset) > ($1.element.incidentCount, $0.offset)
    }.map(\.element)
    guard !factors.isEmpty else {
      return out + "<p class=\"none\">No contributing factor recurs.</p></section>\n"
    }
    func named(_ f: ArchiveTrends.Factor) -> String {
      short(f.label) + (f.category.map { " (\(short($0)))" } ?? "")
    }
    let drawn = factors.prefix(maxFactorBars)
    let bars = drawn.map { f in
      SVGChart.Bar(
        label: f.label, value: f.incidentCount,
        note: "\(named(f)): \(ArchivePageText.count(f.incidentCount, "incident"))"
          + (f.incidents.isEmpty
            ? "" : ": " + f.incidents.prefix(idsPerFactor).map(short).joined(separator: ", ")))
    }
    let chart = SVGChart.horizontalBars(
      SVGChart.Frame(
        id: "chart-factors", title: "Recurring contributing factors by incidents",
        summary: drawn.map { "\(named($0)): \($0.incidentCount)" }.joined(separator: "; ")),
      bars: Array(bars))
    out += "<figure>\(chart)\n<figcaption>"
    out += factors.count > drawn.count ? "The \(drawn.count) factors" : "The factors"
    out +=
      " that came back in the most incidents (same fishbone category, like text).</figcaption></figure>\n"
    // Open when the chart shows every factor; a long list waits to be asked for.
    out += factors.count <= maxFactorBars ? "<details open>" : "<details>"
    out += "<summary>Every recurring factor with its incidents</summary>"
    out += "<table><thead><tr><th>Factor</th><th>Category</th><th class=\"num\">Incidents</th>"
    out += "<th>Incident ids</th></tr></thead><tbody>\n"
    for f in factors.prefix(maxFactorRows) {
      out += "<tr><td>\(cell(f.label, limit: 200))</td><td>\(cell(f.category ?? "-", limit: 40))</td>"
      out += "<td class=\"num\">\(ArchivePageText.count(f.incidentCount))</td><td>"
      out += f.incidents.prefix(idsPerFactor).map { ArchivePageText.escape($0, limit: 60) }.joined(
        separator: ", ")
      if f.incidents.count > idsPerFactor {
        out += " <span class=\"n\">and \(ArchivePageText.count(f.incidents.count - idsPerFactor)) more</span>"
      }
      out += "</td></tr>\n"
    }
    out += "</tbody></table>\n"
    out += notShown(factors.count - maxFactorRows, "factor", "pmhost archive factors")
    out += "</details></section>\n"
    return out
  }

  // MARK: - Services

  private static func servicesSection(_ trends: ArchiveTrends) -> String {
    var out = "<section id=\"services\"><h2>Incidents per service</h2>\n"
    let services = trends.services.enumerated().sorted {
      ($0.element.incidentCount, $1.offset) > ($1.element.incidentCount, $0.offset)
    }.map(\.element)
    guard !services.isEmpty else {
      return out + "<p class=\"none\">No incident names a service.</p></section>\n"
    }
    // With one more than the limit, that one is drawn rather than a bar of "1 other service".
    let drawnCount = services.count <= maxServiceBars + 1 ? services.count : maxServiceBars
    let drawn = services.prefix(drawnCount)
    let rest = services.dropFirst(drawnCount)
    var bars = drawn.map { s in
      SVGChart.Bar(
        label: s.service, value: s.incidentCount,
        note:
          "\(short(s.service)): \(ArchivePageText.count(s.incidentCount, "incident")), median time to resolve "
          + ArchivePageText.duration(s.timeToResolve.median))
    }
    var summary = drawn.map { "\(short($0.service)): \($0.incidentCount)" }
    if !rest.isEmpty {
      let sum = rest.reduce(0) { $0 + max(0, $1.incidentCount) }
      let label = "\(ArchivePageText.count(rest.count)) other services"
      bars.append(
        SVGChart.Bar(
          label: label, value: sum,
          note:
            "\(label): \(ArchivePageText.count(sum)) incidents between them (an incident with two services "
            + "counts for both)", style: "bar other"))
      summary.append("\(label): \(sum)")
    }
    let chart = SVGChart.horizontalBars(
      SVGChart.Frame(
        id: "chart-services", title: "Incidents per service", summary: summary.joined(separator: "; ")),
      bars: bars)
    out += "<figure>\(chart)\n<figcaption>Incidents that name each service"
    if !rest.isEmpty {
      out += "; the \(ArchivePageText.count(drawnCount)) with the most, and the other "
      out += "\(ArchivePageText.count(rest.count)) together (an incident with two services counts for both)"
    }
    out += ".</figcaption></figure>\n"
    out += "<details><summary>Every service as a table</summary><table><thead><tr><th>Service</th>"
    out += "<th class=\"num\">Incidents</th><th class=\"num\">Median time to resolve</th>"
    out += "<th class=\"num\">p90</th></tr></thead><tbody>\n"
    for s in services.prefix(maxServiceRows) {
      out += "<tr><td>\(cell(s.service, limit: 120))</td>"
      out += "<td class=\"num\">\(ArchivePageText.count(s.incidentCount))</td>"
      out += "<td class=\"num\">\(ArchivePageText.duration(s.timeToResolve.median))</td>"
      out += "<td class=\"num\">\(ArchivePageText.duration(s.timeToResolve.p90))</td></tr>\n"
    }
    out += "</tbody></table>\n"
    out += notShown(services.count - maxServiceRows, "service", "pmhost archive metrics --by service")
    out += "</details></section>\n"
    return out
  }

  // MARK: - Overdue actions

  private static func actionsSection(_ trends: ArchiveTrends) -> String {
    var out = "<section id=\"overdue\"><h2>Overdue actions</h2>\n"
    let actions = trends.overdueActions.enumerated().sorted {
      ($0.element.daysOverdue, $1.offset) > ($1.element.daysOverdue, $0.offset)
    }.map(\.element)
    guard !actions.isEmpty else {
      return out + "<p class=\"none\">No action item is overdue.</p></section>\n"
    }
    out += "<table><thead><tr><th>Incident</th><th>Item</th><th>Action</th><th>Owner</th><th>Deadline</th>"
    out += "<th class=\"num\">Days overdue</th></tr></thead><tbody>\n"
    for a in actions.prefix(maxActionRows) {
      out += "<tr><td>\(cell(a.incident, limit: 60))</td><td>\(cell(a.item, limit: 40))</td>"
      out += "<td>\(cell(a.action, limit: 300))</td><td>\(cell(a.owner ?? "-", limit: 60))</td>"
      out += "<td class=\"date\">\(cell(a.deadline, limit: 40))</td>"
      out += "<td class=\"num\">\(ArchivePageText.count(a.daysOverdue))</td></tr>\n"
    }
    out += "</tbody></table>\n"
    let total = max(trends.totals.overdueActions, actions.count)
    out += notShown(
      total - min(actions.count, maxActionRows), "overdue action", "pmhost archive actions --overdue")
    out += "</section>\n"
    return out
  }

  // MARK: - Incidents

  private static func incidentsSection(_ trends: ArchiveTrends) -> String {
    var out = "<section id=\"incidents\"><h2>Incidents</h2>\n"
    guard !trends.incidents.isEmpty else {
      return out + "<p class=\"none\">No incidents match.</p></section>\n"
    }
    // The newest first; ids break ties so the page is the same for the same archive.
    let rows = trends.incidents.sorted { ($0.started, $1.id) > ($1.started, $0.id) }
    out += "<table><thead><tr><th>Started</th><th>Incident</th><th>Title</th><th>Severity</th>"
    out += "<th>Services</th><th class=\"num\">Time to resolve</th></tr></thead><tbody>\n"
    for r in rows.prefix(maxIncidentRows) {
      out += "<tr><td class=\"date\">\(r.started.formatted(.date))</td><td>\(cell(r.id, limit: 60))</td>"
      out += "<td>\(cell(r.title, limit: 200))</td><td>\(cell(r.severity ?? "unknown", limit: 30))</td><td>"
      out += r.services.prefix(servicesPerIncident).map { ArchivePageText.escape($0, limit: 60) }
        .joined(separator: ", ")
      if r.services.count > servicesPerIncident {
        out += " <span class=\"n\">+\(ArchivePageText.count(r.services.count - servicesPerIncident))</span>"
      }
      out += "</td><td class=\"num\">\(ArchivePageText.duration(r.timeToResolve))</td></tr>\n"
    }
    out += "</tbody></table>\n"
    let total = max(trends.totals.incidents, rows.count)
    out += notShown(total - min(rows.count, maxIncidentRows), "incident", "pmhost archive list")
    out += "</section>\n"
    return out
  }

  // MARK: - Parts

  /// Untrusted text in a table cell: cut at `limit`, the longer text as its tooltip.
  private static func cell(_ text: String, limit: Int) -> String {
    let cut = ArchivePageText.cut(text, limit: limit)
    guard let full = cut.full else { return cut.html }
    return "<span title=\"\(full)\">\(cut.html)</span>"
  }

  /// A name inside a tooltip or a chart's description, cut short (the description holds
  /// many; the escaping follows where the text is written).
  private static func short(_ text: String) -> String { ArchivePageText.shown(text, limit: 60) }

  /// `N more incidents are not shown: pmhost archive list lists them all.`, or nothing.
  private static func notShown(_ hidden: Int, _ noun: String, _ command: String) -> String {
    guard hidden > 0 else { return "" }
    return "<p class=\"note\">\(ArchivePageText.count(hidden)) more \(hidden == 1 ? noun : noun + "s") "
      + "\(hidden == 1 ? "is" : "are") not shown here: <code>\(command)</code> lists them all.</p>\n"
  }
}
