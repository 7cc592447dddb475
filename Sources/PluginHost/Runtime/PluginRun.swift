import Foundation
import LuaBridge
import PostmortemCore

/// One run of one plugin: its own Lua state, its options, the `ctx` it gets.
package final class PluginRun {
  let lua: LuaState
  package let manifest: PluginManifest
  let runFunction: LuaValue
  /// The table the plugin's chunk returned.
  let pluginTable: LuaValue
  let stage: Stage
  let model: RunModel
  let files: FileAccess
  let settings: RunSettings
  let limits: Limits
  /// Where reads and fetches are saved (or, under `--replay`, served from).
  let evidence: Evidence
  var sourceLabel: String
  /// URLs this plugin reference's options name: the only ones `ctx.http` may fetch.
  var namedURLs: [URLComponents] = []
  /// Environment variables this plugin reference's `*_env` options name.
  var namedEnvironment: Set<String> = []
  /// Where `ctx.env` reads them: the process's environment, or under `pmhost test` the
  /// spec's `setup.env` (a spec is the plugin's own code, so it grants no real variable).
  package var environment: [String: String]? = nil
  private var outputBytes = 0
  /// `ctx.fs.lines` readers not yet at their end (their buffers count against memory).
  var lineReaders: [LineReader] = []
  /// What the line readers of this run said of their files: a file read twice (a collector
  /// that looks at its first line, then reads it all) is warned about once.
  var readProblemsSaid: Set<String> = []
  /// Where `ctx.progress` puts its text for the stage's progress line (nil: nowhere).
  var status: PluginStatus? = nil
  /// `view` and `each` of the timeline view's Lua half, once loaded.
  var viewFunctions: (view: LuaValue, each: LuaValue)?

  /// Loads the plugin into a fresh sandboxed state and reads its manifest.
  package init(
    source: PluginSource, stage: Stage, model: RunModel, files: FileAccess, settings: RunSettings,
    limits: Limits, evidence: Evidence = .off()
  ) throws(HostError) {
    do { lua = try LuaState() } catch { throw HostError(.internal, error.message) }
    self.stage = stage
    self.model = model
    self.files = files
    self.settings = settings
    self.limits = limits
    self.evidence = evidence
    sourceLabel = source.name
    let name = source.name
    Self.installLibraries(in: lua, source: source, print: { diagnostic("pmhost: [\(name)] \($0)") })
    lua.setMemoryLimit(
      bytes: limits.memoryBytes,
      message: "plugin \(name): memory limit of \(Limits.format(limits.memoryMB)) MB exceeded")
    lua.setTimeLimit(
      seconds: limits.timeSeconds,
      message: "plugin \(name): time limit of \(Limits.format(limits.timeSeconds)) s exceeded")
    guard var main = source.file(source.mainFile) else {
      throw .configuration("\(source.displayPath): cannot read the plugin file")
    }
    let value: LuaValue
    do {
      let chunk = try lua.load(bytes: &main, chunkName: source.displayPath)
      value = try lua.call(chunk).first ?? .nil
    } catch {
      throw .configuration("plugin \(name): \(error.message)")
    }
    guard case .table(let table) = value else {
      throw .configuration("\(source.displayPath): must return the plugin table (got \(value.typeName))")
    }
    manifest = try PluginManifest(table: table, source: source)
    runFunction = table["run"]
    pluginTable = value
  }

  /// Runs the plugin's `check(opts)`, when it has one, in a fresh state: an error it raises
  /// is a configuration error (exit 2) naming the plugin reference, before anything runs.
  package static func check(source: PluginSource, options: LuaTable, origin: String) throws(HostError) {
    let problems = checkProblems(source: source, options: options, files: nil)
    guard problems.isEmpty else {
      throw .configuration(problems.map { "\(origin) (\(source.name)): \($0)" }.joined(separator: "\n"))
    }
  }

  /// What the plugin's `check(opts, ctx)` finds wrong, in a fresh state: the error it
  /// raises, or each string of the list it returns (a check that reads a file reports
  /// every problem of it at once). With `files` (`pmhost check`), `ctx.fs` reads the
  /// pipeline folder, so that a check reads and checks the files its options name; in a
  /// run `ctx` is empty and the files are read when the plugin runs.
  static func checkProblems(source: PluginSource, options: LuaTable, files: FileAccess?) -> [String] {
    let model = RunModel(
      incident: Incident(
        id: "-", title: "-", startedAt: Timestamp(milliseconds: 0), endedAt: Timestamp(milliseconds: 0)))
    var limits = Limits()
    limits.timeSeconds = 5
    let outcome = LuaWatchdog.run { () -> [String] in
      do throws(HostError) {
        return try runCheck(source: source, model: model, limits: limits, options: options, files: files)
      } catch {
        return [error.message]
      }
    }
    return outcome ?? ["check took longer than 5 s"]
  }

  private static func runCheck(
    source: PluginSource, model: RunModel, limits: Limits, options: LuaTable, files: FileAccess?
  ) throws(HostError) -> [String] {
    let run = try PluginRun(
      source: source, stage: .collect, model: model,
      files: files ?? FileAccess(pipelineDirectory: ".", outDirectory: "/nonexistent"),
      settings: RunSettings(),
      limits: limits)
    guard run.manifest.hasCheck, case .table(let table) = run.pluginTable else { return [] }
    var ctx = LuaTable()
    if files != nil {
      do {
        if case .table(let full) = try run.makeContext() { ctx["fs"] = full["fs"] }
      } catch {
        return [error.message]
      }
    }
    run.lua.setTimeLimit(seconds: 5, message: "check took longer than 5 s")
    do {
      let returned = try run.lua.call(table["check"], [.table(options), .table(ctx)]).first ?? .nil
      switch returned {
      case .nil, .boolean(true): return []
      case .table(let list) where list.fields.isEmpty:
        return list.array.map { $0.stringValue ?? PluginRun.displayText($0) }
      default:
        return ["check returned \(returned.typeName): it returns nothing, or a list of problems (strings)"]
      }
    } catch {
      return [error.message]
    }
  }

  /// The option a check's message is about, when it starts `option NAME` (or `option 'NAME'`).
  static func optionNamed(in message: String) -> String? {
    guard message.hasPrefix("option ") else { return nil }
    let rest = message.dropFirst(7).drop(while: { $0 == "'" || $0 == "`" })
    let name = rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" })
    return name.isEmpty ? nil : String(name)
  }

  /// Reads only the manifest (for `check`, `plugins list|info`).
  package static func manifest(of source: PluginSource) throws(HostError) -> PluginManifest {
    let model = RunModel(
      incident: Incident(
        id: "-", title: "-", startedAt: Timestamp(milliseconds: 0), endedAt: Timestamp(milliseconds: 0)))
    let outcome: Result<PluginManifest, HostError>? = LuaWatchdog.run {
      Result { () throws(HostError) -> PluginManifest in
        try PluginRun(
          source: source, stage: .collect, model: model,
          files: FileAccess(pipelineDirectory: ".", outDirectory: "/nonexistent"), settings: RunSettings(),
          limits: Limits()
        ).manifest
      }
    }
    guard let outcome else {
      throw .configuration(
        "\(source.displayPath): plugin \(source.name): loading took longer than the time limit of \(Limits.format(Limits().timeSeconds)) s"
      )
    }
    return try outcome.get()
  }

  /// `pm`, `require` (the plugin's own folder only) and `print` (to the log).
  package static func installLibraries(
    in lua: LuaState, source: PluginSource, print: @escaping (String) -> Void
  ) {
    PMLibrary.install(in: lua)
    var loaded: [String: LuaValue] = [:]
    lua.setGlobal(
      "require",
      lua.function(named: "require") { call in
        let name = try call.string(1, "require")
        if let module = loaded[name] { return call.returning(module) }
        if name.hasPrefix("pm.") {
          // A shared module bundled with pmhost (plugins/lib/), the same for every plugin.
          let library = String(name.dropFirst(3))
          guard var bytes = BundledPlugins.shared.libraries[library] else {
            let known = BundledPlugins.shared.libraries.keys.sorted().map { "pm." + $0 }
            throw LuaRaise(
              "require '\(name)': no such shared module (shared modules: \(known.joined(separator: ", ")))")
          }
          let chunk = try call.state.load(bytes: &bytes, chunkName: "bundled/lib/\(library).lua")
          let result = try call.call(chunk, [.text(name)]).first ?? .nil
          loaded[name] = result.isNil ? .boolean(true) : result
          return call.returning(loaded[name]!)
        }
        guard !name.contains(".."), !name.hasPrefix("/"), !name.contains("\\"),
          name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) })
        else {
          throw LuaRaise(
            "require '\(name)': a module name is a file of this plugin's folder, such as require \"parse\"")
        }
        let relative = name.replacingOccurrences(of: ".", with: "/") + ".lua"
        guard var bytes = source.module(relative) else {
          throw LuaRaise(
            "require '\(name)': no \(relative) in \(source.folder) (plugins may require only their own modules, files inside their folder)"
          )
        }
        let chunk = try call.state.load(bytes: &bytes, chunkName: source.displayPath(of: relative))
        let result = try call.call(chunk, [.text(name)]).first ?? .nil
        loaded[name] = result.isNil ? .boolean(true) : result
        return call.returning(loaded[name]!)
      })
    lua.setGlobal(
      "print",
      lua.function(named: "print") { call in
        print(try printedLine(call))
        return 0
      })
  }

  /// What `print(...)` shows: its arguments as text, tab-separated.
  static func printedLine(_ call: LuaCall) throws -> String {
    var parts: [String] = []
    for i in stride(from: 1, through: call.count, by: 1) { parts.append(displayText(try call.value(i))) }
    return parts.joined(separator: "\t")
  }

  /// A value as log text: strings as they are, numbers as Lua prints them, else the type.
  static func displayText(_ value: LuaValue) -> String {
    switch value {
    case .string(let s): s.text
    case .integer(let i): String(i)
    case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : String(d)
    case .boolean(let b): String(b)
    case .nil: "nil"
    default: value.typeName
    }
  }

  /// Calls `run(ctx, opts)`. Lua errors come back as ``LuaError``.
  ///
  /// `options` are the resolved options (defaults filled in) the plugin gets; `grants` are
  /// the options as the pipeline wrote them, the only ones whose URLs and `*_env` names
  /// give the plugin reach (`ctx.http`, `ctx.env`): a plugin's own defaults never do.
  package func run(options: LuaTable, grants: LuaTable = LuaTable()) throws(LuaError) {
    if let label = options["source"].stringValue { sourceLabel = label }
    namedURLs = Self.namedURLs(in: grants)
    namedEnvironment = Self.namedEnvironment(in: grants, schema: manifest.options)
    let ctx = try makeContext()
    // Each host function gets the name a time-out message and the progress line call it by
    // (`ctx.fs.read`, `pm.json.decode`), unless it has one (the ctx methods: `ctx.report.get`).
    lua.nameHostFunctions(in: ctx, prefix: "ctx")
    lua.nameGlobalHostFunctions()
    var opts = options
    if stage == .collect, opts["source"].isNil { opts["source"] = .text(sourceLabel) }
    // The time limit counts from here: loading and option checks do not use it up.
    lua.setTimeLimit(
      seconds: limits.timeSeconds,
      message: "plugin \(manifest.name): time limit of \(Limits.format(limits.timeSeconds)) s exceeded")
    defer { lineReaders.forEach(finishReading) }
    // Once its code has returned, the plugin's time is over: tearing down a state that holds
    // a lot (closing it frees every table) must not make the watchdog give up on a run
    // whose outcome is known, blaming a C function.
    defer { lua.clearTimeLimit() }
    do {
      try lua.call(runFunction, [ctx, .table(opts)])
    } catch let error where error.kind == .limit {
      guard let place = lua.timeLimitPlace else { throw error }
      throw LuaError(
        kind: .limit, message: timeLimitMessage(place, abandoned: false), traceback: error.traceback)
    }
  }

  /// The time-out message: where the plugin was (its line, the host call it was inside) and
  /// what to do about it.
  func timeLimitMessage(_ place: LuaPlace, abandoned: Bool) -> String {
    Self.timeLimitMessage(
      plugin: manifest.name, seconds: limits.timeSeconds, place: place, abandoned: abandoned,
      events: model.timeline.events.count)
  }

  /// `plugin x: time limit of 60 s exceeded inside ctx.report.get, called from
  /// plugins/x/init.lua:172 (...); its run was abandoned. ...`: the stage is the runner's.
  static func timeLimitMessage(
    plugin: String, seconds: Double, place: LuaPlace, abandoned: Bool, events: Int
  ) -> String {
    var text = "plugin \(plugin): time limit of \(Limits.format(seconds)) s exceeded"
    if let call = place.call {
      text += " inside \(call)"
      if let from = place.callLocation { text += ", called from \(from)" }
      if call.hasPrefix("ctx.timeline") || call.hasPrefix("ctx.report") {
        text += " (\(call) is slow with the run's \(events) timeline events)"
      }
    } else if let library = place.library {
      text += " inside the C library function \(library)"
      if let from = place.libraryLocation { text += ", called at or just after \(from)" }
      text +=
        library.hasPrefix("string.")
        ? " (a pattern with several *, + or - items can backtrack for a very long time when it fails on a long text)"
        : " (over a huge table or range)"
    } else if abandoned {
      text += " inside a C library function"
      if let location = place.location { text += " called at or just after \(location)" }
      text +=
        " (such as string.find or string.match with a backtracking pattern, or table.sort or table.concat over a huge table)"
    } else if let location = place.location {
      text += " at \(location)"
    }
    if abandoned { text += "; its run was abandoned" }
    let more = Limits.format(max(1, (seconds * 2).rounded()))
    text +=
      "; if it needs longer, raise its limit in the pipeline: { \"\(plugin)\", limits = { time_s = \(more) } }"
    return text
  }

  // MARK: output accounting

  /// Counts bytes of log and report output against the output limit.
  func spend(_ bytes: Int) throws {
    outputBytes += bytes
    if outputBytes > limits.outputBytes {
      let message = "plugin \(manifest.name): output limit of \(Limits.format(limits.outputMB)) MB exceeded"
      lua.stop(message: message)
      throw LuaRaise(message)
    }
  }

  /// Counts `bytes` the host keeps for this plugin against its memory limit, the one Lua's
  /// allocations count against: past it the plugin stops as for Lua memory, the message
  /// naming `what` took it there.
  func charge(_ bytes: Int, for what: @autoclosure () -> String) throws {
    guard !lua.reserveHostMemory(bytes) else { return }
    throw memoryExceeded(what())
  }

  /// Stops the plugin for passing its memory limit through `what`; the error to raise.
  func memoryExceeded(_ what: String) -> LuaRaise {
    let message = "\(lua.memoryLimitMessage) (\(what))"
    lua.stop(message: message)
    return LuaRaise(message)
  }

  func warn(_ message: String) {
    let message = MessageCap.capped(message)
    model.addWarning(RunWarning(plugin: manifest.name, stage: stage.rawValue, message: message))
    if settings.echoWarnings { diagnostic("pmhost: [\(manifest.name)] warning: \(message)") }
  }

  func info(_ message: String) {
    if !settings.quiet { diagnostic("pmhost: [\(manifest.name)] \(message)") }
  }
}
