import Foundation
import LuaBridge
import PostmortemCore

/// A plugin named in a pipeline stage, with its options.
public struct PluginReference: Sendable {
  public var name: String
  /// Options as written (the `limits` key removed).
  public var options: LuaTable
  public var limits: Limits
  /// Where it was written, e.g. `pipeline.lua: collect[2]`.
  public var origin: String
}

/// A loaded `pipeline.lua`.
public struct Pipeline: Sendable {
  /// The file, as given on the command line.
  public var path: String
  /// Its folder: plugin paths and file access are relative to it.
  public var directory: String
  public var incident: IncidentSpec
  public var out: String
  public var limits: Limits
  public var dedupeWindowSeconds: Double
  /// `clock_offsets`: seconds added to a source's times before the merge.
  public var clockOffsets: [String: Double] = [:]
  /// `skew_tolerance_s`: differences between sources up to this are not clock skew.
  public var skewToleranceSeconds: Double = 5
  /// `continuous_sources`: sources (or metric series names) that report all the time, so
  /// a silence in the incident window is a data gap.
  public var continuousSources: [String] = []
  /// `gap_min_s`: the shortest silence of a continuous source recorded as a gap.
  public var gapMinSeconds: Double = 600
  /// `table_margin_s`: the report's table shows events from the incident's start minus
  /// this to its end plus this; nil (`table_margin_s = false`) shows every event.
  public var tableMarginSeconds: Double? = 3600
  /// `evidence = "copy"` keeps a copy of every file read; `"auto"` (the default) hard-links
  /// files of 64 MB and more when the out folder is on the same file system.
  public var evidence: String = "auto"
  public var stages: [Stage: [PluginReference]]

  public enum IncidentSpec: Sendable {
    case file(String)
    case inline(LuaTable)
  }

  static let topLevelKeys: Set<String> =
    Set(Stage.allCases.map(\.rawValue)).union([
      "incident", "out", "limits", "dedupe_window_s", "evidence", "clock_offsets", "skew_tolerance_s",
      "continuous_sources", "gap_min_s", "table_margin_s",
    ])

  /// Loads a pipeline file: runs it in a sandbox (no files, no network) and checks its shape.
  public static func load(path: String) throws(HostError) -> Pipeline {
    let display = path
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "cannot read it" : "no such file"
      throw .configuration("\(display): \(reason)")
    }
    var bytes = [UInt8](data)
    let value: LuaValue
    do {
      let lua = try LuaState()
      lua.setTimeLimit(seconds: 10, message: "\(display): took longer than 10 s to evaluate")
      let chunk = try lua.load(bytes: &bytes, chunkName: display)
      value = try lua.call(chunk).first ?? .nil
    } catch {
      throw .configuration("\(error.message)")
    }
    guard case .table(let table) = value else {
      throw .configuration("\(display): must return a table (got \(value.typeName))")
    }
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    return try parse(table, path: display, directory: directory)
  }

  static func parse(_ table: LuaTable, path: String, directory: String) throws(HostError) -> Pipeline {
    for (key, _) in table.fields where !(key.stringValue.map(topLevelKeys.contains) ?? false) {
      throw .configuration(
        "\(path): unknown key \(describe(key)) (known: \(topLevelKeys.subtracting(Stage.allCases.map(\.rawValue)).sorted().joined(separator: ", ")), \(Stage.list))"
      )
    }
    let incident: IncidentSpec
    switch table["incident"] {
    case .string(let s): incident = .file(s.text)
    case .table(let t): incident = .inline(t)
    case .nil: incident = .file("incident.yaml")
    default: throw .configuration("\(path): incident must be a file name or a table")
    }
    var out = "out"
    if case .string(let s) = table["out"] { out = s.text }
    var limits = Limits()
    if !table["limits"].isNil { limits = try limits.merging(table["limits"], origin: "\(path): limits") }
    var window = Double(Timeline.defaultDedupeWindow) / 1000
    if !table["dedupe_window_s"].isNil {
      guard let w = table["dedupe_window_s"].doubleValue, w >= 0 else {
        throw .configuration("\(path): dedupe_window_s must be a number of seconds (0 turns dedupe off)")
      }
      window = w
    }
    var evidence = "auto"
    switch table["evidence"] {
    case .nil: break
    case .string(let s) where s.text == "auto" || s.text == "copy": evidence = s.text
    default:
      throw .configuration(
        "\(path): evidence must be \"auto\" (hard-link big files) or \"copy\" (copy every file)")
    }
    var stages: [Stage: [PluginReference]] = [:]
    for stage in Stage.allCases {
      let entry = table[stage.rawValue]
      if entry.isNil { continue }
      guard case .table(let list) = entry, list.fields.isEmpty else {
        throw .configuration(
          "\(path): \(stage.rawValue) must be a list of plugins, e.g. { \"name\", { \"name\", option = value } }"
        )
      }
      stages[stage] = try list.array.enumerated().map { (i, item) throws(HostError) in
        try reference(item, origin: "\(path): \(stage.rawValue)[\(i + 1)]", limits: limits)
      }
    }
    var pipeline = Pipeline(
      path: path, directory: directory, incident: incident, out: out, limits: limits,
      dedupeWindowSeconds: window, stages: stages)
    pipeline.evidence = evidence
    try parseTimelineOptions(table, path: path, into: &pipeline)
    return pipeline
  }

  /// The timeline options: clock offsets, skew tolerance, continuous sources, gaps, margin.
  static func parseTimelineOptions(_ table: LuaTable, path: String, into pipeline: inout Pipeline)
    throws(HostError)
  {
    func seconds(_ key: String, min: Double = 0) throws(HostError) -> Double? {
      let value = table[key]
      if value.isNil { return nil }
      guard let v = value.doubleValue, v.isFinite, v >= min else {
        throw .configuration("\(path): \(key) must be a number of seconds, at least \(Int(min))")
      }
      return v
    }
    switch table["clock_offsets"] {
    case .nil: break
    case .table(let t) where t.array.isEmpty:
      for (key, value) in t.fields {
        guard let source = key.stringValue, let v = value.doubleValue, v.isFinite else {
          throw .configuration(
            "\(path): clock_offsets maps a source label to seconds added to its times, e.g. clock_offsets = { [\"app logs\"] = -3.5 }"
          )
        }
        pipeline.clockOffsets[source] = v
      }
    default:
      throw .configuration(
        "\(path): clock_offsets must be a table of source label = seconds, e.g. { [\"app logs\"] = -3.5 }")
    }
    if let v = try seconds("skew_tolerance_s") { pipeline.skewToleranceSeconds = v }
    switch table["continuous_sources"] {
    case .nil: break
    case .table(let t) where t.fields.isEmpty && t.array.allSatisfy({ $0.stringValue != nil }):
      pipeline.continuousSources = t.array.compactMap(\.stringValue)
    default:
      throw .configuration(
        "\(path): continuous_sources must be a list of source labels, e.g. { \"app logs\", \"API error rate\" }"
      )
    }
    if let v = try seconds("gap_min_s", min: 1) { pipeline.gapMinSeconds = v }
    switch table["table_margin_s"] {
    case .nil: break
    case .boolean(false): pipeline.tableMarginSeconds = nil
    default:
      guard let v = table["table_margin_s"].doubleValue, v >= 0 else {
        throw .configuration(
          "\(path): table_margin_s must be a number of seconds, or false to show every event in the report's table"
        )
      }
      pipeline.tableMarginSeconds = v.isFinite ? v : nil
    }
  }

  static func reference(_ item: LuaValue, origin: String, limits: Limits) throws(HostError)
    -> PluginReference
  {
    switch item {
    case .string(let name):
      return PluginReference(name: name.text, options: LuaTable(), limits: limits, origin: origin)
    case .table(var table):
      guard let name = table.array.first?.stringValue, table.array.count == 1 else {
        throw .configuration("\(origin): a plugin table needs its name first: { \"name\", option = value }")
      }
      table.array = []
      var own = limits
      if !table["limits"].isNil {
        own = try limits.merging(table["limits"], origin: "\(origin) (\(name))")
        table["limits"] = .nil
      }
      return PluginReference(name: name, options: table, limits: own, origin: origin)
    default:
      throw .configuration("\(origin): expected a plugin name or table, got \(item.typeName)")
    }
  }

  static func describe(_ key: LuaValue) -> String {
    if let s = key.stringValue { return "'\(s)'" }
    return "[\(key.intValue.map(String.init) ?? key.typeName)]"
  }

  /// The out folder: `override`, or the pipeline's `out` relative to its folder.
  public func outDirectory(override: String?) -> String {
    if let override { return override }
    return out.hasPrefix("/") ? out : (directory as NSString).appendingPathComponent(out)
  }
}
