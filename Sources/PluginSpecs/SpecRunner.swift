import Foundation
import LuaBridge
import PluginHost
import PostmortemCore

/// Runs plugin specs (`*_spec.lua`) busted-style: `pmhost test [PATH...]`.
public enum SpecRunner {
  public struct Outcome: Sendable {
    public var passed = 0
    public var failed = 0
    public var pending = 0
  }

  /// Finds spec files under `paths` (files or folders), sorted.
  public static func specFiles(in paths: [String]) throws(HostError) -> [String] {
    var files: [String] = []
    let fm = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw .configuration("pmhost test: \(path): no such file or folder")
      }
      if !isDirectory.boolValue {
        files.append(path)
        continue
      }
      let walker = fm.enumerator(atPath: path)
      while let entry = walker?.nextObject() as? String {
        if entry.hasSuffix("_spec.lua") && !entry.split(separator: "/").contains("fixtures") {
          files.append(PluginCatalog.join(path, entry))
        }
      }
    }
    return files.sorted()
  }

  /// Runs each spec file, printing failures and a closing `N passed, N failed` line.
  public static func run(paths: [String], output: @escaping (String) -> Void) throws(HostError) -> Outcome {
    let files = try specFiles(in: paths)
    guard !files.isEmpty else {
      throw .configuration("pmhost test: no *_spec.lua files under \(paths.joined(separator: ", "))")
    }
    var total = Outcome()
    for file in files {
      let outcome = runFile(file, output: output)
      total.passed += outcome.passed
      total.failed += outcome.failed
      total.pending += outcome.pending
    }
    output(
      "\(total.passed) passed, \(total.failed) failed"
        + (total.pending > 0 ? ", \(total.pending) skipped" : ""))
    return total
  }

  static func runFile(_ file: String, output: @escaping (String) -> Void) -> Outcome {
    let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
    var outcome = Outcome()
    do {
      let lua = try LuaState()
      lua.setTimeLimit(seconds: 300, message: "\(file): took longer than 300 s")
      let pluginName = URL(fileURLWithPath: folder).lastPathComponent
      let source = PluginSource(
        name: pluginName, origin: .directory(folder), folder: folder, mainFile: "init.lua")
      PluginRun.installLibraries(in: lua, source: source, print: { output($0) })
      // describe/it/assert: Sources/PluginSpecs/Lua/spec-prelude.lua.
      try lua.run(SpecLua.source("spec-prelude.lua"), chunkName: "=(pmhost test)")
      // A spec beside a plugin gets `plugin`; one of plugins/lib (the shared `pm.NAME`
      // modules, which have no plugin) gets none.
      if FileManager.default.fileExists(atPath: folder + "/init.lua") {
        lua.setGlobal("plugin", try pluginTable(lua, folder: folder, source: source))
      }
      guard var bytes = FileManager.default.contents(atPath: file).map({ [UInt8]($0) }) else {
        throw HostError.configuration("\(file): cannot read it")
      }
      do {
        try lua.call(try lua.load(bytes: &bytes, chunkName: file))
      } catch {
        output("FAIL \(file): \(error.message)")
        outcome.failed += 1
      }
      let counted = try readResults(lua, file: file, output: output)
      outcome.passed += counted.passed
      outcome.failed += counted.failed
      outcome.pending += counted.pending
    } catch {
      output("FAIL \(file): \(error)")
      outcome.failed += 1
    }
    return outcome
  }

  private static func readResults(_ lua: LuaState, file: String, output: (String) -> Void) throws -> Outcome {
    guard case .table(let results) = try lua.global("__pmhost_spec_results") else { return Outcome() }
    var outcome = Outcome()
    outcome.passed = Int(results["passed"].intValue ?? 0)
    outcome.failed = Int(results["failed"].intValue ?? 0)
    outcome.pending = Int(results["pending"].intValue ?? 0)
    for failure in results["failures"].tableValue?.array ?? [] {
      output(
        "FAIL \(file): \(failure["name"].stringValue ?? "?")\n  \(failure["message"].stringValue?.replacingOccurrences(of: "\n", with: "\n  ") ?? "")"
      )
    }
    return outcome
  }

  /// `plugin.info` and `plugin.run(opts, setup)` for the plugin in `folder`.
  static func pluginTable(_ lua: LuaState, folder: String, source: PluginSource) throws -> LuaValue {
    let manifest = try PluginRun.manifest(of: source)
    try manifest.checkReachDefaults()
    var info = LuaTable()
    info["name"] = .text(manifest.name)
    info["stage"] = .text(manifest.stage.rawValue)
    info["version"] = .text(manifest.version)
    info["options"] = .list(manifest.options.map(\.name))
    var table = LuaTable()
    table["info"] = .table(info)
    table["run"] = lua.function { call in
      let options = try call.value(1).tableValue ?? LuaTable()
      let setup = try call.value(2).tableValue ?? LuaTable()
      return call.returning(
        try runPlugin(source: source, manifest: manifest, folder: folder, options: options, setup: setup))
    }
    return .table(table)
  }

  static let defaultIncident = Incident(
    id: "PM-TEST", title: "Spec incident",
    startedAt: TimeParser.rfc3339("2025-02-09T10:05:00Z")!,
    endedAt: TimeParser.rfc3339("2025-02-09T11:40:00Z")!)

  static func runPlugin(
    source: PluginSource, manifest: PluginManifest, folder: String, options: LuaTable, setup: LuaTable
  ) throws -> LuaValue {
    let out = NSTemporaryDirectory() + "pmhost-spec-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let files = FileAccess(pipelineDirectory: folder, outDirectory: out)
    // Files named in `setup` are read as the plugin would read them: only under the spec's
    // folder (a spec is the plugin's own code).
    func inside(_ path: String, _ field: String) throws -> String {
      do { return try files.readablePath(path) } catch {
        throw LuaRaise("plugin.run: setup.\(field): \(error.description)")
      }
    }
    let model: RunModel
    if let reportPath = setup["report"].stringValue {
      let path = try inside(reportPath, "report")
      guard let data = FileManager.default.contents(atPath: path) else {
        throw LuaRaise("plugin.run: setup.report: cannot read \(path)")
      }
      do { model = try RunModel(report: try Report.decode(data, origin: reportPath)) } catch {
        throw LuaRaise("plugin.run: setup.report: \(error)")
      }
    } else {
      model = RunModel(incident: try incident(setup["incident"], path: { try inside($0, "incident") }))
    }
    if case .table(let events) = setup["events"] {
      for (i, item) in events.array.enumerated() {
        guard case .table(let t) = item else { continue }
        let function = "setup.events[\(i + 1)]"
        let event = try EventCodec.event(t, defaultSource: "spec", person: model.person, function: function)
        do { try model.add(event) } catch { throw LuaRaise("\(function): \(error)") }
      }
      model.timeline.sort()
    }
    var settings = RunSettings()
    settings.quiet = true
    settings.echoWarnings = false
    if case .table(let answers) = setup["answers"] {
      for (key, value) in answers.stringFields { settings.answers[key] = value.stringValue ?? "\(value)" }
    }
    // setup.replay: an evidence folder recorded from real sources answers ctx.http (and ctx.fs).
    var evidence = Evidence.off()
    if let replay = setup["replay"].stringValue {
      let path = try inside(replay, "replay")
      do { evidence = try Evidence.replay(from: path) } catch {
        throw LuaRaise("plugin.run: setup.replay: \(error.message)")
      }
    }
    var result = LuaTable()
    let (run, resolved) = try prepare(
      source: source, manifest: manifest, model: model, files: files, settings: settings, options: options,
      evidence: evidence)
    // The spec names the options, so it would grant itself any variable of the environment
    // pmhost runs in: `ctx.env` reads `setup.env` instead, never the real one.
    var environment: [String: String] = [:]
    if case .table(let env) = setup["env"] {
      for (key, value) in env.stringFields {
        guard let text = value.stringValue else {
          throw LuaRaise("plugin.run: setup.env.\(key) must be a string (got \(value.typeName))")
        }
        environment[key] = text
      }
    }
    run.environment = environment
    if let failure = execute(run, resolved, grants: options) { result["error"] = .text(failure) }
    if manifest.stage == .timeline || manifest.stage == .collect { model.timeline.sort() }
    result["events"] = .table(
      LuaTable(array: model.timeline.events.enumerated().map { EventCodec.lua($1, index: $0 + 1) }))
    let data = try JSONValueEncoder().encode(model.report())
    for key in ["gaps", "warnings", "factors", "severity", "validation", "series"] {
      if let value = data[key], !value.isNull {
        result[key == "validation" ? "checks" : key] = LuaJSON.lua(value, omitNullFields: true)
      }
    }
    result["actions"] = LuaJSON.lua(data["action_items"] ?? .array([]), omitNullFields: true)
    var moments = LuaTable()
    for moment in KeyMoment.allCases {
      if let t = model.moments[moment] { moments[moment.rawValue] = .number(t.seconds) }
    }
    result["moments"] = .table(moments)
    result["root_cause"] = .optionalText(model.incident.rootCause)
    var written = LuaTable()
    for name in model.outputs {
      if let data = FileManager.default.contents(atPath: out + "/" + name) {
        written[name] = .string(LuaString(bytes: [UInt8](data)))
      }
    }
    result["files"] = .table(written)
    return .table(result)
  }

  private static func prepare(
    source: PluginSource, manifest: PluginManifest, model: RunModel, files: FileAccess, settings: RunSettings,
    options: LuaTable, evidence: Evidence
  ) throws -> (PluginRun, LuaTable) {
    let run: PluginRun
    let resolved: LuaTable
    do {
      run = try PluginRun(
        source: source, stage: manifest.stage, model: model, files: files, settings: settings,
        limits: Limits(), evidence: evidence)
      resolved = try run.manifest.resolveOptions(options, origin: "plugin.run")
      if run.manifest.hasCheck {
        try PluginRun.check(source: source, options: resolved, origin: "plugin.run")
      }
    } catch {
      throw LuaRaise(error.message)
    }
    return (run, resolved)
  }

  /// Runs the plugin; the error message when it failed.
  private static func execute(_ run: PluginRun, _ options: LuaTable, grants: LuaTable) -> String? {
    do {
      try run.run(options: options, grants: grants)
      return nil
    } catch {
      return error.message
    }
  }

  static func incident(_ value: LuaValue, path resolve: (String) throws -> String) throws -> Incident {
    switch value {
    case .nil: return defaultIncident
    case .string(let path):
      let resolved = try resolve(path.text)
      do { return try IncidentLoader.load(path: resolved) } catch {
        throw LuaRaise("plugin.run: setup.incident: \(error)")
      }
    case .table:
      do { return try IncidentLoader.decode(try LuaJSON.json(value), origin: "setup.incident") } catch {
        throw LuaRaise("plugin.run: setup.incident: \(error)")
      }
    default: throw LuaRaise("plugin.run: setup.incident must be a table or a YAML path")
    }
  }
}
