import Foundation
import LuaBridge
import PluginHost
import PostmortemCore

/// Text the command line prints: kept here so `pmhost` stays thin.
public enum Summary {
  /// The terminal summary of a run (stderr). Values from the data each stay on their line
  /// (TerminalText.value).
  public static func text(_ outcome: RunOutcome) -> String {
    let m = outcome.model
    let v = TerminalText.value
    let sources = Set(m.timeline.events.flatMap(\.sources))
    var lines = ["pmhost: \(v(m.incident.id)): \(v(m.incident.title))"]
    lines.append("  timeline   \(m.timeline.count) rows from \(sources.count) sources, \(m.gaps.count) gaps")
    let moments = KeyMoment.allCases.compactMap { k in
      m.moments[k].map { "\(k.rawValue) \($0.formatted(.dateTime))" }
    }
    // Dated: a clock time alone is ambiguous once an incident crosses midnight.
    if !moments.isEmpty { lines.append("  moments    " + moments.joined(separator: ", ") + " UTC") }
    if let s = m.severity {
      lines.append(
        "  severity   \(v(s.level))" + (s.rule.map { " (rule \(v($0)))" } ?? "")
          + (s.reason.map { ": \(v($0))" } ?? ""))
    }
    let f = m.factors
    lines.append(
      "  factors    \(f.immediate.count) immediate, \(f.contributing.count) contributing, \(f.systemic.count) systemic"
    )
    lines.append("  actions    \(m.actions.count) action items")
    if !m.validation.isEmpty {
      let passed = m.validation.filter { $0.ok == true }.count
      let failed = m.validation.filter { $0.ok == false }
      let pending = m.validation.filter { $0.ok == nil }.count
      lines.append("  validation \(passed) passed, \(failed.count) failed, \(pending) pending")
      for check in failed { lines.append("    failed: \(v(check.check)): \(v(check.detail))") }
    }
    if !m.evidence.isEmpty {
      let saved = m.evidence.filter { $0.file != nil }
      let bytes = saved.reduce(0) { $0 + ($1.bytes ?? 0) }
      let size = bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : "\(bytes) bytes"
      lines.append(
        outcome.replayedFrom.map {
          "  evidence   replayed from \(PluginHostPaths.display($0)) (\(saved.count) items)"
        }
          ?? "  evidence   \(saved.count) items, \(size), in \(PluginHostPaths.display(outcome.outDirectory + "/evidence"))"
      )
    }
    for recurred in m.recurrence { lines.append("  recurrence \(v(recurred.text))") }
    if !m.warnings.isEmpty { lines.append("  warnings   \(m.warnings.count) (see report.json)") }
    for gap in m.gaps { lines.append("  gap        \(v(gap.source)) (\(v(gap.plugin))): \(v(gap.reason))") }
    for failure in outcome.failures { lines.append("  FAILED     \(v(failure))") }
    if let main = m.outputs.first(where: { $0.hasSuffix(".md") }) ?? m.outputs.first {
      lines.append("  report     \(PluginHostPaths.display(outcome.outDirectory + "/" + main))")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

public enum ValidationOutput {
  /// Findings shown per check in the text output; `--explain` and `--json` show them all.
  public static let findingsShown = 10

  /// One line per check, then its findings (at most ``findingsShown`` unless `all`).
  public static func text(_ results: [ValidationResult], all: Bool = false) -> String {
    var out = ""
    for r in results {
      let mark = r.ok == true ? "[x]" : r.ok == false ? "[ ]" : "[~]"
      let state = r.ok == true ? "pass" : r.ok == false ? "FAIL" : "pending"
      out += "\(mark) \(TerminalText.value(r.check)) (\(state)): \(TerminalText.value(r.detail))\n"
      let shown = all ? r.findings.count : min(r.findings.count, findingsShown)
      for f in r.findings.prefix(shown) { out += "      \(finding(f))\n" }
      if shown < r.findings.count {
        out += "      ... \(r.findings.count - shown) more (--explain or --json lists them all)\n"
      }
    }
    return out
  }

  static func finding(_ f: ValidationFinding) -> String {
    (f.line.map { "line \($0): " } ?? "") + TerminalText.value(f.text)
  }

  public static func json(_ results: [ValidationResult]) throws -> String {
    try JSONValueEncoder().encode(results).jsonText(pretty: true)
  }

  /// `pmhost validate --explain`: what was recognised where in a document (sections, the
  /// zone, each timeline row with the time read from it, each action item with its owner,
  /// deadline and priority), then every check with all its findings.
  public static func explain(_ results: [ValidationResult], imported: JSONValue?, path: String) -> String {
    var out = ""
    func v(_ s: String) -> String { TerminalText.value(s) }
    func field(_ j: JSONValue?) -> String? {
      guard let j, j != .null else { return nil }
      return j.stringValue ?? j.intValue.map(String.init) ?? j.jsonText(pretty: false)
    }
    if let imp = imported?["imported"] {
      out += "\(v(path)): a Markdown post-mortem\n\nSections recognised:\n"
      let sections = imp["sections"]?.arrayValue ?? []
      if sections.isEmpty { out += "  (none)\n" }
      for s in sections {
        let line = field(s["line"]).map { "line \($0)" } ?? ""
        out +=
          "  \(line.padding(toLength: 10, withPad: " ", startingAt: 0)) \(v(field(s["kind"]) ?? "?")): \(v(field(s["title"]) ?? ""))\n"
      }
      let zone = field(imp["zone"])
      let zoneLine = field(imp["zone_line"]).map { " (line \($0))" } ?? ""
      if let meanings = imp["zone_ambiguous"]?.arrayValue, !meanings.isEmpty {
        out +=
          "\nZone: \(v(zone ?? "?"))\(zoneLine), ambiguous: \(v(meanings.compactMap(\.stringValue).joined(separator: " or ")))\n"
      } else {
        out += "\nZone: \(v(zone ?? "none stated"))\(zoneLine)\n"
      }
      let rows = imp["rows"]?.arrayValue ?? []
      out += "\nTimeline rows (\(rows.count)): line, as written -> time read\n"
      for r in rows {
        let line = field(r["line"]) ?? "?"
        let written = field(r["written"]) ?? ""
        let time = field(r["time"]) ?? "NO EXACT TIME"
        let approx = r["approximate"] == .bool(true) ? " (approximate)" : ""
        out +=
          "  \(line.padding(toLength: 5, withPad: " ", startingAt: 0)) \(v(written)) -> \(v(time))\(approx): \(v(field(r["text"]) ?? ""))\n"
      }
      let items = imp["items"]?.arrayValue ?? []
      out += "\nAction items (\(items.count)): line, text [owner; deadline; priority]\n"
      for a in items {
        let line = field(a["line"]) ?? "?"
        let owner = field(a["owner"]) ?? "no owner"
        let deadline = field(a["deadline"]) ?? "no deadline"
        let priority = field(a["priority"]) ?? "no priority"
        let done = a["done"] == .bool(true) ? " (done)" : ""
        out +=
          "  \(line.padding(toLength: 5, withPad: " ", startingAt: 0)) \(v(field(a["text"]) ?? ""))\(done) [\(v(owner)); \(v(deadline)); \(v(priority))]\n"
      }
      out += "\nChecks:\n"
    } else {
      out += "\(v(path)): a report.json written by pmhost\n\nChecks:\n"
    }
    out += text(results, all: true)
    return out
  }
}

/// `pmhost plugins list|info`.
public enum PluginListing {
  public struct Row: Sendable {
    public var name: String
    public var stage: String
    public var version: String
    public var origin: String
    public var path: String
    public var shadowed: Bool
    public var problem: String?
  }

  public static func rows(pipelineDirectory: String) throws -> [Row] {
    PluginCatalog(pipelineDirectory: pipelineDirectory).all().map { source, shadowed in
      do {
        let m = try PluginRun.manifest(of: source)
        return Row(
          name: m.name, stage: m.stage.rawValue, version: m.version, origin: source.originDescription,
          path: source.displayPath, shadowed: shadowed, problem: nil)
      } catch {
        return Row(
          name: source.name, stage: source.stageFolder ?? "?", version: "?", origin: source.originDescription,
          path: source.displayPath, shadowed: shadowed, problem: "\(error)")
      }
    }
  }

  public static func table(_ rows: [Row]) -> String {
    let ordered = rows.sorted {
      (Stage(rawValue: $0.stage) ?? .track, $0.name) < (Stage(rawValue: $1.stage) ?? .track, $1.name)
    }
    let width = max(4, ordered.map(\.name.count).max() ?? 4)
    var out = "NAME".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "STAGE     VERSION  ORIGIN\n"
    for r in ordered {
      out += r.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
      out += r.stage.padding(toLength: 10, withPad: " ", startingAt: 0)
      out += r.version.padding(toLength: 9, withPad: " ", startingAt: 0)
      out += r.origin == "bundled" ? "bundled" : r.path
      if r.shadowed { out += "  (shadowed)" }
      if let p = r.problem { out += "  ERROR: \(p)" }
      out += "\n"
    }
    return out
  }

  public static func json(_ rows: [Row]) throws -> String {
    let items: [JSONValue] = rows.map { r in
      var o: [String: JSONValue] = [
        "name": .string(r.name), "stage": .string(r.stage), "version": .string(r.version),
        "origin": .string(r.origin), "path": .string(r.path), "shadowed": .bool(r.shadowed),
      ]
      if let p = r.problem { o["error"] = .string(p) }
      return .object(o)
    }
    return JSONValue.array(items).jsonText(pretty: true)
  }

  public static func info(_ name: String, pipelineDirectory: String) throws -> String {
    let source = try PluginCatalog(pipelineDirectory: pipelineDirectory).find(name)
    let m = try PluginRun.manifest(of: source)
    var out = "\(m.name) \(m.version) (stage \(m.stage.rawValue), pm API \(m.api))\n"
    out +=
      "origin: \(source.originDescription == "bundled" ? "bundled (\(source.displayPath))" : source.displayPath)\n"
    if !m.description.isEmpty { out += "\n\(m.description)\n" }
    out += "\noptions:\n"
    var options = m.options
    if m.stage == .collect {
      options.append(
        try! OptionSpec(
          name: "source",
          spec: .table(
            LuaTable(fields: [
              "type": "string", "doc": "label for the Source column (default: the plugin name)",
            ])), plugin: ""))
    }
    if options.isEmpty { out += "  (none)\n" }
    for o in options {
      var line = "  \(o.name) (\(o.type)\(o.required ? ", required" : ""))"
      if !o.defaultValue.isNil { line += " default: \(describe(o.defaultValue))" }
      if !o.values.isEmpty { line += " one of: \(o.values.map(describe).joined(separator: ", "))" }
      out += line + "\n"
      if !o.doc.isEmpty { out += "      \(o.doc)\n" }
    }
    out += "  limits (table) { time_s, memory_mb, output_mb }: per-run limits\n"
    return out
  }

  static func describe(_ v: LuaValue) -> String {
    switch v {
    case .string(let s): return "\"\(s.text)\""
    case .integer(let i): return String(i)
    case .number(let d): return String(d)
    case .boolean(let b): return String(b)
    // As the plugin writes it: an empty table is `{}` whether a list or a map is meant.
    case .table(let t) where t.isEmpty: return "{}"
    case .table: return (try? LuaJSON.json(v).jsonText()) ?? "{...}"
    default: return v.typeName
    }
  }
}

/// `pmhost actions`: the action items of one or more reports for the weekly review, overdue
/// first, then by deadline.
public enum ActionListing {
  public struct Row: Sendable, Equatable {
    public var incident: String
    public var item: ActionItem
    /// Days past the deadline (open items only), nil when not overdue.
    public var overdueDays: Int?
  }

  /// Loads the reports and sorts their items: overdue (most overdue first), then open by
  /// deadline, then those without a deadline, then closed ones.
  public static func rows(reportPaths: [String], today: Timestamp) throws(HostError) -> [Row] {
    var rows: [Row] = []
    for path in reportPaths {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw .configuration("\(path): no such file")
      }
      let report: Report
      do { report = try Report.decode(data, origin: path) } catch { throw .configuration("\(error)") }
      for item in report.actionItems {
        rows.append(Row(incident: report.incident.id, item: item, overdueDays: item.overdueDays(at: today)))
      }
    }
    func rank(_ r: Row) -> Int {
      if r.overdueDays != nil { return 0 }
      if r.item.isClosed { return 3 }
      return r.item.dueAt == nil ? 2 : 1
    }
    return rows.enumerated().sorted { a, b in
      let (x, y) = (a.element, b.element)
      if rank(x) != rank(y) { return rank(x) < rank(y) }
      if let dx = x.overdueDays, let dy = y.overdueDays, dx != dy { return dx > dy }
      let tx = x.item.dueAt?.milliseconds ?? .max
      let ty = y.item.dueAt?.milliseconds ?? .max
      return tx != ty ? tx < ty : a.offset < b.offset
    }.map(\.element)
  }

  static func tracking(_ value: JSONValue?) -> String {
    switch value {
    case .string(let s)?: s
    case .object(let o)?: o["url"]?.stringValue ?? o["number"].map { "#\($0.intValue ?? 0)" } ?? "-"
    default: "-"
    }
  }

  /// A plain-text table.
  public static func text(_ rows: [Row]) -> String {
    guard !rows.isEmpty else { return "no action items\n" }
    let header = ["INCIDENT", "ID", "STATUS", "OWNER", "DEADLINE", "ACTION", "TRACKING"]
    // Each cell on one line, control characters shown escaped (TerminalText.value).
    let table = rows.map { r in
      [
        r.incident, r.item.id, r.overdueDays.map { "OVERDUE \($0)d" } ?? r.item.status, r.item.owner ?? "-",
        r.item.deadline ?? "-", r.item.action, tracking(r.item.tracking),
      ].map(TerminalText.value)
    }
    return TextTable.render(header: header, rows: table)
  }

  public static func json(_ rows: [Row]) throws -> String {
    let list: [JSONValue] = try rows.map { r in
      var object = try JSONValueEncoder().encode(r.item).objectValue ?? [:]
      object["incident"] = .string(r.incident)
      object["overdue_days"] = r.overdueDays.map { .int(Int64($0)) } ?? .null
      return .object(object)
    }
    return JSONValue.array(list).jsonText(pretty: true)
  }
}

/// A plain-text table: columns padded to their widest cell, two spaces apart, the last column
/// unpadded (long texts run on). Cells are shown with control characters escaped
/// (TerminalText.value) by whoever builds the rows.
public enum TextTable {
  public static func render(header: [String], rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count - 1 { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, c in
        i < widths.count - 1 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0) : c
      }
      .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
  }
}
