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
  /// Its stage list and place in it (1-based), for messages with lines.
  public var stage: Stage = .collect
  public var index = 0
  /// The pipeline file.
  public var file = ""

  /// `collect[2]`: where in the pipeline it is written.
  public var place: String { "\(stage.rawValue)[\(index)]" }
}

/// A problem of a pipeline or of a plugin reference in it, where it was written.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
  public var file: String
  public var line: Int?
  public var message: String

  public init(file: String, line: Int?, message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  /// `pipeline.lua:12: collect[2] (slack-export): option 'keywords'[1]: ...`
  public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }

  /// The problems as one error, one a line.
  static func error(_ problems: [ConfigProblem]) -> HostError {
    .configuration(problems.map(\.description).joined(separator: "\n"))
  }
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
  public var clockOffsets: [String: Double]
  /// `skew_tolerance_s`: differences between sources up to this are not clock skew.
  public var skewToleranceSeconds: Double
  /// `continuous_sources`: sources (or metric series names) that report all the time, so
  /// a silence in the incident window is a data gap.
  public var continuousSources: [String]
  /// `gap_min_s`: the shortest silence of a continuous source recorded as a gap.
  public var gapMinSeconds: Double
  /// `table_margin_s`: the report's table shows events from the incident's start minus
  /// this to its end plus this; nil (`table_margin_s = false`) shows every event.
  public var tableMarginSeconds: Double?
  /// `evidence = "copy"` keeps a copy of every file read; `"auto"` (the default) hard-links
  /// files of 64 MB and more when the out folder is on the same file system.
  public var evidence: String
  /// `archive`: the post-mortem archive this pipeline's runs are recorded in (a path
  /// relative to the pipeline's folder, `sqlite:PATH` or `postgres://...`), unless
  /// `--archive` or `PMHOST_ARCHIVE` names another; nil: the default archive. pmhost reads
  /// it (PluginHost knows no archive).
  public var archive: String?
  public var stages: [Stage: [PluginReference]]
  /// Where each key, entry and option is written (for messages).
  public var lines = PipelineLines()

  public enum IncidentSpec: Sendable {
    case file(String)
    case inline(LuaTable)
  }

  /// The pipeline file's keys: their types, defaults and docs, in this one place. The file
  /// is read with the code that reads plugin options (``OptionSchema``).
  public static let schema: [OptionSpec] =
    [
      OptionSpec(
        "incident", ["string", "table"], default: "incident.yaml",
        doc:
          "the incident: a YAML or JSON file relative to the pipeline, or a table { id, title, start, end, ... }"
      ),
      OptionSpec("out", ["string"], default: "out", doc: "the out folder, relative to the pipeline"),
      OptionSpec(
        "limits", ["record"],
        doc: "per-plugin-run limits for every plugin (an entry's own `limits` overrides them)",
        fields: [
          OptionSpec("limits.time_s", ["number"], doc: "seconds a plugin may run (default 60)"),
          OptionSpec("limits.memory_mb", ["number"], doc: "megabytes of Lua memory (default 256)"),
          OptionSpec("limits.output_mb", ["number"], doc: "megabytes a plugin may write (default 64)"),
        ]),
      OptionSpec(
        "dedupe_window_s", ["number"], default: .integer(Timeline.defaultDedupeWindow / 1000),
        doc: "events alike within this many seconds are one (0 turns dedupe off)",
        min: 0),
      OptionSpec(
        "evidence", ["string"], default: "auto",
        doc: "auto: hard-link files of 64 MB and more into the evidence; copy: copy every file",
        values: ["auto", "copy"]),
      OptionSpec(
        "archive", ["string"],
        doc:
          "the post-mortem archive runs are recorded in: a path relative to the pipeline, sqlite:PATH or postgres://... (--archive and PMHOST_ARCHIVE win; default $XDG_DATA_HOME/pmhost/archive.sqlite)"
      ),
      OptionSpec(
        "clock_offsets", ["map"], default: .table(LuaTable()),
        doc: "source label = seconds added to its times, e.g. { [\"app logs\"] = -3.5 }",
        of: OptionSpec("clock_offsets item", ["number"], doc: "seconds")),
      OptionSpec(
        "skew_tolerance_s", ["number"], default: 5,
        doc: "differences between sources up to this are not clock skew",
        min: 0),
      OptionSpec(
        "continuous_sources", ["list"], default: .table(LuaTable()),
        doc:
          "sources (or metric series) that report all the time: a silence in the incident window is a data gap",
        of: OptionSpec("continuous_sources item", ["string"], doc: "a source label")),
      OptionSpec(
        "gap_min_s", ["number"], default: 600,
        doc: "the shortest silence of a continuous source recorded as a gap",
        min: 1),
      OptionSpec(
        "table_margin_s", ["number", "boolean"], default: 3600,
        doc:
          "the report's table shows events from the start minus this to the end plus this; false shows every event",
        min: 0),
    ]
    + Stage.allCases.map { stage in
      OptionSpec(
        stage.rawValue, ["list"],
        doc: "the \(stage.rawValue) stage's plugins: { \"name\", { \"name\", option = value } }",
        of: OptionSpec(
          "\(stage.rawValue) entry", ["string", "table"],
          doc: "a plugin name, or { \"name\", option = value }"))
    }

  /// Loads a pipeline file: runs it in a sandbox (no files, no network) and checks its shape.
  public static func load(path: String) throws(HostError) -> Pipeline {
    var problems: [ConfigProblem] = []
    guard let pipeline = try load(path: path, problems: &problems), problems.isEmpty else {
      throw ConfigProblem.error(problems)
    }
    return pipeline
  }

  /// Loads a pipeline file, adding every problem of it to `problems`; nil when it cannot be
  /// read at all. Problems name the file and line.
  static func load(path: String, problems: inout [ConfigProblem]) throws(HostError) -> Pipeline? {
    let display = path
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "cannot read it" : "no such file"
      throw .configuration("\(display): \(reason)")
    }
    var bytes = [UInt8](data)
    let lines = PipelineLines(text: bytes, stages: Set(Stage.allCases.map(\.rawValue)))
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
    return parse(table, path: display, directory: directory, lines: lines, problems: &problems)
  }

  static func parse(_ table: LuaTable, path: String, directory: String) throws(HostError) -> Pipeline {
    var problems: [ConfigProblem] = []
    let pipeline = parse(table, path: path, directory: directory, lines: PipelineLines(), problems: &problems)
    guard problems.isEmpty else { throw ConfigProblem.error(problems) }
    return pipeline
  }

  /// Reads the pipeline's table against ``schema``; every problem goes to `problems`.
  static func parse(
    _ table: LuaTable, path: String, directory: String, lines: PipelineLines, problems: inout [ConfigProblem]
  ) -> Pipeline {
    let schema = OptionSchema(specs: schema, noun: "key")
    let (keys, found) = schema.read(table, SchemaContext())
    func problem(_ key: String?, _ message: String) {
      problems.append(ConfigProblem(file: path, line: key.flatMap(lines.line(key:)), message: message))
    }
    for p in found { problem(p.key, p.message) }
    let incident: IncidentSpec =
      switch keys["incident"] {
      case .table(let t): .inline(t)
      default: .file(keys["incident"].stringValue ?? "")
      }
    var limits = Limits()
    if case .table = keys["limits"] {
      do { limits = try limits.merging(keys["limits"], origin: "limits") } catch {
        problem("limits", error.message)
      }
    }
    var margin = keys["table_margin_s"]
    if margin == .boolean(true) {
      problem(
        "table_margin_s",
        "key 'table_margin_s' is a number of seconds, or false to show every event in the report's table (not true)"
      )
      margin = .nil
    }
    let archive = keys["archive"].stringValue
    if let archive, archive.allSatisfy(\.isWhitespace) {
      problem(
        "archive",
        "key 'archive' is empty: give a path relative to the pipeline, sqlite:PATH or postgres://..., or leave the key out for the default archive"
      )
    }
    var stages: [Stage: [PluginReference]] = [:]
    for stage in Stage.allCases {
      guard case .table(let list) = keys[stage.rawValue], list.fields.isEmpty else { continue }
      var references: [PluginReference] = []
      for (i, item) in list.array.enumerated() {
        let origin = "\(stage.rawValue)[\(i + 1)]"
        do {
          var reference = try reference(item, origin: origin, limits: limits)
          reference.stage = stage
          reference.index = i + 1
          reference.file = path
          reference.origin = "\(path): \(origin)"
          references.append(reference)
        } catch {
          problems.append(
            ConfigProblem(
              file: path, line: lines.line(stage: stage.rawValue, entry: i + 1), message: error.message))
        }
      }
      stages[stage] = references
    }
    var clockOffsets: [String: Double] = [:]
    for (source, seconds) in keys["clock_offsets"].tableValue?.stringFields ?? [] {
      if let v = seconds.doubleValue { clockOffsets[source] = v }
    }
    return Pipeline(
      path: path, directory: directory, incident: incident, out: keys["out"].stringValue ?? "",
      limits: limits, dedupeWindowSeconds: keys["dedupe_window_s"].doubleValue ?? 0,
      clockOffsets: clockOffsets,
      skewToleranceSeconds: keys["skew_tolerance_s"].doubleValue ?? 0,
      continuousSources: keys["continuous_sources"].tableValue?.array.compactMap(\.stringValue) ?? [],
      gapMinSeconds: keys["gap_min_s"].doubleValue ?? 0,
      tableMarginSeconds: margin == .boolean(false)
        ? nil : margin.doubleValue.flatMap { $0.isFinite ? $0 : nil },
      evidence: keys["evidence"].stringValue ?? "",
      archive: archive.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }, stages: stages, lines: lines)
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
