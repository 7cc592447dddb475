import Foundation
import LuaBridge
import PostmortemCore

/// `ctx`: the handles a plugin gets (docs/plugin-api.md). Each handle checks the stage.
extension PluginRun {
  /// The environment variables the pipeline's options name: the string values of options
  /// typed `env` in the plugin's schema, and of options called `*_env`.
  static func namedEnvironment(in options: LuaTable, schema: [OptionSpec]) -> Set<String> {
    let typed = Set(schema.filter { $0.types.contains("env") }.map(\.name))
    return Set(
      options.stringFields.compactMap {
        $0.key.hasSuffix("_env") || typed.contains($0.key) ? $0.value.stringValue : nil
      })
  }

  func makeContext() throws(LuaError) -> LuaValue {
    var ctx = LuaTable()
    ctx["stage"] = .text(stage.rawValue)
    ctx["plugin"] = .text(manifest.name)
    ctx["pipeline_dir"] = .text(files.root)
    // Under --replay every answer comes from the evidence: no secret is needed for a request.
    ctx["replay"] = .boolean(evidence.mode == .replay)
    ctx["incident"] = incidentTable()
    ctx["log"] = .table(logTable())
    ctx["gap"] = bind("ctx.gap") { [unowned self] args in
      // Capped as it leaves Lua.
      let reason = args.call.cappedString(1) ?? args.string(1)
      let extra = args[2]
      var window: (start: TimeInput, end: TimeInput)? = nil
      if case .table(let w) = extra["window"] {
        window = (
          try EventCodec.time(w["start"], field: "window.start", function: "ctx.gap"),
          try EventCodec.time(w["end"], field: "window.end", function: "ctx.gap")
        )
      }
      let source = extra["source"].stringValue ?? sourceLabel
      try EventCodec.core("ctx.gap") { () throws(ReportError) in
        try model.addGap(reason: reason, source: source, plugin: manifest.name, window: window)
      }
      info("gap: \(reason)")
      return 0
    }
    ctx["fs"] = .table(fsTable())
    ctx["http"] = .table(httpTable())
    ctx["env"] = bind("ctx.env") { [unowned self] args in
      let call = args.call
      let name = args.string(1)
      guard namedEnvironment.contains(name) else {
        throw LuaRaise(
          "ctx.env: plugin \(manifest.name) may read only the environment variables the pipeline names in its `env`-typed or `*_env` options (not \(name))"
        )
      }
      return call.returning(.optionalText((environment ?? ProcessInfo.processInfo.environment)[name]))
    }
    ctx["progress"] = bind("ctx.progress") { [unowned self] args in
      status?.set(args.string(1))
      return 0
    }
    ctx["timeline"] = .table(try timelineTable())
    ctx["moments"] = .table(momentsTable())
    ctx["series"] = .table(seriesTable())
    ctx["factors"] = .table(factorsTable())
    ctx["severity"] = .table(severityTable())
    ctx["actions"] = .table(actionsTable())
    ctx["report"] = .table(reportTable())
    ctx["prompt"] = bind("ctx.prompt") { [unowned self] args in
      args.call.returning(.text(try prompt(id: args.string(1), question: args.string(2), options: args[3])))
    }
    lua.setGlobal(
      "print",
      lua.function { [unowned self] call in
        let line = try Self.printedLine(call)
        try spend(line.utf8.count)
        info(line)
        return 0
      })
    return .table(ctx)
  }

  /// A declared function of `ctx` (APIReference), guarded by stage: `ctx.timeline.add` in
  /// `collect` and `timeline` only; its arguments checked against the declaration.
  func bind(_ name: String, _ body: @escaping (APIArguments) throws -> Int32) -> LuaValue {
    APIReference.bind(
      lua, name,
      guardStage: { [unowned self] function in
        if let stages = function.stages, !stages.contains(stage) {
          throw LuaRaise(
            "\(name) cannot be called in stage \(stage.rawValue) (only in: \(stages.map(\.rawValue).joined(separator: ", ")))"
          )
        }
      }, body)
  }

  private func incidentTable() -> LuaValue {
    let i = model.incident
    var t = LuaTable()
    t["id"] = .text(i.id)
    t["title"] = .text(i.title)
    t["started_at"] = .text(i.startedAt.formatted(.rfc3339))
    t["ended_at"] = .text(i.endedAt.formatted(.rfc3339))
    t["start"] = .number(i.startedAt.seconds)
    t["end"] = .number(i.endedAt.seconds)
    t["services"] = .list(i.services)
    t["authors"] = .list(i.authors)
    t["severity"] = .optionalText(i.severity)  // the model's one level, as report.json states it
    t["impact"] = LuaJSON.lua(.object(i.impact))
    t["summary"] = .optionalText(i.summary)
    t["root_cause"] = .optionalText(i.rootCause)
    t["reviewed"] = .optionalText(i.reviewed)
    t["distributed_at"] = .optionalText(i.distributedAt?.formatted(.rfc3339))
    var people = LuaTable()
    for (handle, names) in i.people { people[handle] = .list(names) }
    t["people"] = .table(people)
    t["what_went_well"] = .list(model.whatWentWell)
    t["lessons_learned"] = .list(model.lessonsLearned)
    return .table(t)
  }

  /// The text of a `ctx.log` call, counted against the output limit at its full length (what
  /// the plugin asked to write) and capped by ``MessageCap`` before it is copied out of Lua.
  private func logText(_ args: APIArguments) throws -> String {
    let call = args.call
    if let length = call.withBytes(1, { $0.count }) {
      try spend(length)
      return call.cappedString(1) ?? ""
    }
    let s = Self.displayText(args[1])
    try spend(s.utf8.count)
    return s
  }

  // The closures reach self only unowned: a local function using `spend` would capture it
  // strongly, and the state's host functions would then keep the run and its whole Lua state
  // alive for good (found by FuzzCollectors under LeakSanitizer).
  private func logTable() -> LuaTable {
    var t = LuaTable()
    t["info"] = bind("ctx.log.info") { [unowned self] args in
      info(try logText(args))
      return 0
    }
    t["warn"] = bind("ctx.log.warn") { [unowned self] args in
      warn(try logText(args))
      return 0
    }
    t["debug"] = bind("ctx.log.debug") { [unowned self] args in
      let s = try logText(args)
      if settings.debug { diagnostic("pmhost: [\(manifest.name)] debug: \(s)") }
      return 0
    }
    return t
  }

  private func readable(_ args: APIArguments, _ function: String) throws -> (relative: String, path: String) {
    let relative = args.string(1)
    do {
      return (relative, try files.readablePath(relative))
    } catch {
      throw LuaRaise("\(function): plugin \(manifest.name): \(error)")
    }
  }

  /// Refuses a FIFO, device, socket or folder before anything (the evidence copy included)
  /// opens it.
  private func regularFile(_ path: String, _ relative: String, _ function: String) throws {
    do { try InputFile.check(path, shown: relative) } catch {
      throw LuaRaise("\(function): plugin \(manifest.name): \(error)")
    }
  }

  /// A line reader done with (its end reached, or the plugin run over): its warnings are
  /// given, its buffers freed and given back to the memory budget.
  func finishReading(_ reader: LineReader) {
    guard let i = lineReaders.firstIndex(where: { $0 === reader }) else { return }
    lineReaders.remove(at: i)
    if let problems = reader.problems, readProblemsSaid.insert(problems).inserted { warn(problems) }
    lua.releaseHostMemory(reader.heldBytes)
    reader.close()
  }

  /// The file to open for a read: the original (its evidence copy starting) or, under
  /// `--replay`, the saved copy.
  private func evidenceFile(_ relative: String, _ path: String, _ function: String) throws -> String {
    do {
      return try evidence.file(
        relative: relative, resolvedPath: path, plugin: manifest.name, stage: stage.rawValue)
    } catch {
      throw LuaRaise("\(function): \(error.description)")
    }
  }

  /// A file-system answer, saved as evidence (or replayed from it).
  private func lookup(_ call: String, _ argument: String, _ live: () throws -> JSONValue) throws -> JSONValue
  {
    do {
      return try evidence.lookup(call, argument, live: live)
    } catch let error as Evidence.NotRecorded {
      throw LuaRaise("ctx.fs.\(call): \(error.description)")
    }
  }

  private func fsTable() -> LuaTable {
    var t = LuaTable()
    t["lines"] = bind("ctx.fs.lines") { [unowned self] args in
      let call = args.call
      let (relative, resolved) = try readable(args, "ctx.fs.lines")
      // Live: the original is checked before its evidence copy starts (under --replay the
      // saved copy is read, and LineReader checks it).
      if evidence.mode != .replay { try regularFile(resolved, relative, "ctx.fs.lines") }
      let path = try evidenceFile(relative, resolved, "ctx.fs.lines")
      let options = args[2]
      var needles: [[UInt8]] = []
      switch options["contains"] {
      case .string(let s): needles = [s.bytes]
      case .table(let list):
        needles = list.array.compactMap { if case .string(let s) = $0 { s.bytes } else { nil } }
      default: break
      }
      let reader: LineReader
      do { reader = try LineReader(path: path, shown: relative, needles: needles) } catch {
        throw LuaRaise("ctx.fs.lines: \(error)")
      }
      try charge(reader.heldBytes, for: "line buffer of \(relative)")
      lineReaders.append(reader)
      let pattern = options["match"]
      let progress =
        settings.progress && !settings.quiet && reader.size >= Progress.minimumBytes
        ? Progress(label: "[\(manifest.name)] \(relative)", total: reader.size) : nil
      var iterator = call.state.function { [unowned self] call in
        var pushed: Int32 = 0
        _ = try reader.next { line, number in
          call.pushInteger(Int64(number))
          call.push(bytes: line)
          pushed = 2
        }
        if let progress {
          if pushed == 0 { progress.finish() } else { progress.update(reader.bytesRead) }
        }
        if pushed == 0 { self.finishReading(reader) }
        return pushed == 0 ? call.returning(.nil) : pushed
      }
      if case .string = pattern {
        // `match` is a Lua pattern: filter with string.find in a small Lua wrapper.
        let wrap = try call.state.load(
          """
          local next_line, pattern = ...
          local find = string.find
          return function()
            while true do
              local n, line = next_line()
              if n == nil or find(line, pattern) then return n, line end
            end
          end
          """, chunkName: "=(ctx.fs.lines)")
        iterator = try call.call(wrap, [iterator, pattern]).first ?? .nil
      }
      return call.passing([iterator])
    }
    t["read"] = bind("ctx.fs.read") { [unowned self] args in
      let call = args.call
      let (relative, resolved) = try readable(args, "ctx.fs.read")
      let replaying = evidence.mode == .replay
      let path = replaying ? try evidenceFile(relative, resolved, "ctx.fs.read") : resolved
      let data: [UInt8]
      do {
        data = try InputFile.contents(
          path, shown: relative, maxBytes: min(256 << 20, lua.memoryAvailable),
          limitNote: " (what is left of the memory limit); stream it with ctx.fs.lines")
      } catch {
        throw LuaRaise("ctx.fs.read: plugin \(manifest.name): \(error)")
      }
      // The encoding rule of ctx.fs.lines: UTF-16 with a BOM comes as UTF-8, UTF-32 and
      // BOM-less UTF-16 are refused by name (the evidence keeps the bytes as they are).
      let text: [UInt8]
      do { text = try InputFile.utf8(data, shown: relative) } catch {
        throw LuaRaise("ctx.fs.read: plugin \(manifest.name): \(error)")
      }
      if !replaying {
        data.withUnsafeBytes { raw in
          evidence.recordRead(relative: relative, bytes: raw, plugin: manifest.name, stage: stage.rawValue)
        }
      }
      return text.withUnsafeBytes { raw in
        call.push(bytes: raw)
        return 1
      }
    }
    t["exists"] = bind("ctx.fs.exists") { [unowned self] args in
      let call = args.call
      // A path outside the pipeline folder is refused, not reported as missing.
      let (relative, path) = try readable(args, "ctx.fs.exists")
      let exists = try lookup("exists", Evidence.normalized(relative)) {
        .bool(FileManager.default.fileExists(atPath: path))
      }
      return call.returning(.boolean(exists.boolValue ?? false))
    }
    t["glob"] = bind("ctx.fs.glob") { [unowned self] args in
      let call = args.call
      let pattern = args.string(1)
      let found = try lookup("glob", pattern) {
        do {
          return .array(try files.glob(pattern).map { .string($0) })
        } catch {
          throw LuaRaise("ctx.fs.glob: plugin \(manifest.name): \(error)")
        }
      }
      return call.returning(.list(found.arrayValue?.compactMap(\.stringValue) ?? []))
    }
    t["list"] = bind("ctx.fs.list") { [unowned self] args in
      let call = args.call
      let (relative, path) = try readable(args, "ctx.fs.list")
      let entries = try lookup("list", Evidence.normalized(relative)) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
          throw LuaRaise("ctx.fs.list: \(relative) is not a readable folder")
        }
        return .array(entries.sorted().map { .string($0) })
      }
      return call.returning(.list(entries.arrayValue?.compactMap(\.stringValue) ?? []))
    }
    return t
  }

  /// Writes argument 2 as the out folder's file argument 1.
  func write(_ args: APIArguments, _ function: String) throws -> String {
    guard case .string(let text) = args[2] else { return "" }
    try spend(text.bytes.count)
    return try writeOutput(args.string(1), function) { path in
      try FileAccess.writeAtomically(text.bytes, to: path)
    }
  }

  /// Writes the out folder's file `name` with `body` (given the path to write); returns the
  /// path shown for it.
  func writeOutput(_ name: String, _ function: String, _ body: (String) throws -> Void) throws -> String {
    let path: String
    do { path = try files.writablePath(name) } catch {
      throw LuaRaise("\(function): plugin \(manifest.name): \(error)")
    }
    // Shown as the out folder's path: the build folder is swapped in at the end of the run.
    let shown = files.outDirectory + "/" + name
    do { try body(path) } catch {
      throw LuaRaise("\(function): cannot write \(shown): \(error.localizedDescription)")
    }
    if !model.outputs.contains(name) { model.outputs.append(name) }
    return shown
  }

  private func timelineTable() throws(LuaError) -> LuaTable {
    var t = LuaTable()
    t["add"] = bind("ctx.timeline.add") { [unowned self] args in
      let function = "ctx.timeline.add"
      let draft = try EventCodec.draft(args.table(1), function: function)
      let event = try EventCodec.core(function) { () throws(ReportError) in
        try model.event(from: draft, source: sourceLabel)
      }
      try charge(HostMemory.bytes(event), for: "timeline events added by ctx.timeline.add")
      try EventCodec.core(function) { () throws(ReportError) in try model.add(event) }
      return 0
    }
    t["get"] = bind("ctx.timeline.get") { [unowned self] args in
      guard args.call.reserve(8) else { throw LuaRaise("ctx.timeline.get: out of stack") }
      EventCodec.pushAll(model.timeline.events, on: args.call)
      return 1
    }
    // Lazy: each(...) yields i and the named fields, a chunk at a time; view() is
    // indexable (v[i].event) and has #v and v:each(...).
    (t["view"], t["each"]) = try timelineViewFunctions()
    t["collapse_bursts"] = bind("ctx.timeline.collapse_bursts") { [unowned self] args in
      // The defaults have one home, the bursts plugin's option schema: here every field is given.
      let o = args.table(1)
      let (gap, minCount) = (o["gap"].doubleValue ?? 0, o["min_count"].intValue ?? 0)
      let rows = try EventCodec.core("ctx.timeline.collapse_bursts") { () throws(ReportError) in
        try model.collapseBursts(
          gap: gap, minCount: Int(clamping: minCount), title: o["title"].stringValue ?? "")
      }
      return args.call.returning(.integer(Int64(rows)))
    }
    t["count"] = bind("ctx.timeline.count") { [unowned self] args in
      args.call.returning(.integer(Int64(model.timeline.count)))
    }
    t["replace"] = bind("ctx.timeline.replace") { [unowned self] args in
      let function = "ctx.timeline.replace"
      var drafts: [EventDraft] = []
      for (i, item) in args.table(1).array.enumerated() {
        drafts.append(
          try EventCodec.draft(item.tableValue ?? LuaTable(), function: "\(function): event \(i + 1)"))
      }
      let events = try EventCodec.core(function) { () throws(ReportError) in
        try model.events(from: drafts, source: sourceLabel)
      }
      try charge(
        events.reduce(0) { $0 + HostMemory.bytes($1) }, for: "timeline events given to ctx.timeline.replace")
      try EventCodec.core(function) { () throws(ReportError) in try model.replaceTimeline(events) }
      return 0
    }
    return t
  }

  private func momentsTable() -> LuaTable {
    var t = LuaTable()
    t["set"] = bind("ctx.moments.set") { [unowned self] args in
      let name = args.string(1)
      let moment = KeyMoment(rawValue: name)!  // the declaration admits only the moments' names
      let value = args[2]
      let time = value.isNil ? nil : try EventCodec.time(value, field: name, function: "ctx.moments.set")
      model.moments[moment] = try EventCodec.core("ctx.moments.set") { () throws(ReportError) in
        try time?.timestamp(field: name)
      }
      return 0
    }
    t["get"] = bind("ctx.moments.get") { [unowned self] args in
      var table = LuaTable()
      for moment in KeyMoment.allCases {
        if let time = model.moments[moment] { table[moment.rawValue] = .number(time.seconds) }
      }
      return args.call.returning(.table(table))
    }
    return t
  }

  private func seriesTable() -> LuaTable {
    var t = LuaTable()
    t["add"] = bind("ctx.series.add") { [unowned self] args in
      let draft = try EventCodec.series(args.table(1))
      let series = try EventCodec.core("ctx.series.add") { () throws(ReportError) in
        try MetricSeries(draft, plugin: manifest.name, source: sourceLabel)
      }
      try charge(HostMemory.bytes(series), for: "series points added by ctx.series.add")
      model.addSeries(series)
      return 0
    }
    t["get"] = bind("ctx.series.get") { [unowned self] args in
      args.call.returning(.table(LuaTable(array: model.series.map(EventCodec.lua))))
    }
    return t
  }

  private func factorsTable() -> LuaTable {
    var t = LuaTable()
    t["add_immediate"] = bind("ctx.factors.add_immediate") { [unowned self] args in
      let text = args.string(1)
      try EventCodec.core("ctx.factors.add_immediate") { () throws(ReportError) in
        try model.addFactor(immediate: text)
      }
      return 0
    }
    t["add_systemic"] = bind("ctx.factors.add_systemic") { [unowned self] args in
      let text = args.string(1)
      try EventCodec.core("ctx.factors.add_systemic") { () throws(ReportError) in
        try model.addFactor(systemic: text)
      }
      return 0
    }
    t["add"] = bind("ctx.factors.add") { [unowned self] args in
      let factor = Self.factor(args.table(1))
      try EventCodec.core("ctx.factors.add") { () throws(ReportError) in try model.addFactor(factor) }
      return 0
    }
    t["set"] = bind("ctx.factors.set") { [unowned self] args in
      let table = args.table(1)
      func texts(_ key: String) -> [String] { table[key].tableValue?.array.compactMap(\.stringValue) ?? [] }
      let (immediate, systemic) = (texts("immediate"), texts("systemic"))
      let contributing = (table["contributing"].tableValue?.array ?? []).map {
        Self.factor($0.tableValue ?? LuaTable())
      }
      try EventCodec.core("ctx.factors.set") { () throws(ReportError) in
        try model.setFactors(immediate: immediate, contributing: contributing, systemic: systemic)
      }
      return 0
    }
    t["get"] = bind("ctx.factors.get") { [unowned self] args in
      args.call.returning(try luaData(model.factors))
    }
    return t
  }

  /// A factor table (its types checked by the declaration) as the core's value.
  static func factor(_ t: LuaTable) -> ContributingFactor {
    ContributingFactor(
      category: t["category"].stringValue, text: t["text"].stringValue ?? "",
      whyChain: t["why_chain"].tableValue?.array.compactMap(\.stringValue) ?? [],
      evidence: t["evidence"].tableValue?.array.compactMap(\.stringValue) ?? [],
      label: t["label"].stringValue)
  }

  /// Any model value as the Lua table shaped like its report.json form.
  func luaData(_ value: some Encodable) throws -> LuaValue {
    LuaJSON.lua(try JSONValueEncoder().encode(value), omitNullFields: true)
  }

  private func severityTable() -> LuaTable {
    var t = LuaTable()
    t["set"] = bind("ctx.severity.set") { [unowned self] args in
      let table = args.table(1)
      guard let level = table["level"].stringValue else {
        throw LuaRaise("ctx.severity.set: field 'level' must be a string such as \"P1\"")
      }
      try EventCodec.core("ctx.severity.set") { () throws(ReportError) in
        try model.setSeverity(
          SeverityAssessment(
            level: level, rule: table["rule"].stringValue, reason: table["reason"].stringValue))
      }
      return 0
    }
    t["get"] = bind("ctx.severity.get") { [unowned self] args in
      guard let severity = model.severity else { return args.call.returning(.nil) }
      return args.call.returning(try luaData(severity))
    }
    return t
  }

  private func actionsTable() -> LuaTable {
    var t = LuaTable()
    t["add"] = bind("ctx.actions.add") { [unowned self] args in
      let table = args.table(1)
      guard let action = table["action"].stringValue else {
        throw LuaRaise("ctx.actions.add: field 'action' must be a non-empty string")
      }
      let draft = ActionDraft(
        id: table["id"].stringValue, action: action, owner: table["owner"].stringValue,
        deadline: table["deadline"].stringValue, priority: table["priority"].stringValue,
        status: table["status"].stringValue, tracking: try Self.tracking(table["tracking"], "ctx.actions.add")
      )
      let id = try EventCodec.core("ctx.actions.add") { () throws(ReportError) in try model.addAction(draft) }
      return args.call.returning(.text(id))
    }
    t["get"] = bind("ctx.actions.get") { [unowned self] args in
      args.call.returning(try luaData(model.actions))
    }
    t["update"] = bind("ctx.actions.update") { [unowned self] args in
      let id = args.string(1)
      let changes = args.table(2)
      // Translated first (bad tracking changes nothing), then applied by the model.
      let update = ActionChanges(
        action: changes["action"].stringValue, owner: changes["owner"].stringValue,
        deadline: changes["deadline"].stringValue, priority: changes["priority"].stringValue,
        status: changes["status"].stringValue,
        tracking: try Self.tracking(changes["tracking"], "ctx.actions.update"))
      try EventCodec.core("ctx.actions.update") { () throws(ReportError) in
        try model.updateAction(id: id, update)
      }
      return 0
    }
    return t
  }

  /// An action item's `tracking` as JSON (nil when not given).
  static func tracking(_ value: LuaValue, _ function: String) throws -> JSONValue? {
    if value.isNil { return nil }
    do { return try LuaJSON.json(value) } catch { throw LuaRaise("\(function): field 'tracking': \(error)") }
  }

  private func reportTable() -> LuaTable {
    var t = LuaTable()
    t["get"] = bind("ctx.report.get") { [unowned self] args in
      let timeline = args[1]["timeline"]
      if let imported = model.imported {
        return args.call.returning(LuaJSON.lua(imported, omitNullFields: true))
      }
      // Without the timeline (read it with ctx.timeline.each): a table per event is what
      // makes get() slow and large on a real-size incident.
      var report = model.report()
      if timeline.boolValue == false { report.timeline = [] }
      var data = LuaJSON.lua(try report.jsonValue(), omitNullFields: true)
      if timeline.boolValue == false, case .table(var t) = data {
        t["timeline"] = .nil
        data = .table(t)
      }
      return args.call.returning(data)
    }
    t["json"] = bind("ctx.report.json") { [unowned self] args in
      let data = try model.report().jsonData()
      return data.withUnsafeBytes { raw in
        args.call.push(bytes: raw)
        return 1
      }
    }
    t["write"] = bind("ctx.report.write") { [unowned self] args in
      args.call.returning(.text(try write(args, "ctx.report.write")))
    }
    t["write_json"] = bind("ctx.report.write_json") { [unowned self] args in
      let name = args.optionalString(1) ?? "report.json"
      // Streamed from the model to the file: never a Lua string, never one buffer. The
      // host's own output, so not counted against the plugin's output limit.
      let report = model.report()
      return args.call.returning(
        .text(
          try writeOutput(name, "ctx.report.write_json") { path in
            try FileAccess.writeAtomically(to: path) { write in try report.writeJSON(write) }
          }))
    }
    t["set"] = bind("ctx.report.set") { [unowned self] args in
      let fields = args.table(1)
      if let list = fields["what_went_well"].tableValue {
        model.setWhatWentWell(list.array.compactMap(\.stringValue))
      }
      if let list = fields["lessons_learned"].tableValue {
        model.setLessonsLearned(list.array.compactMap(\.stringValue))
      }
      if let text = fields["root_cause"].stringValue { model.setRootCause(text) }
      return 0
    }
    t["set_follow_up"] = bind("ctx.report.set_follow_up") { [unowned self] args in
      let value: JSONValue?
      do { value = args[1].isNil ? nil : try LuaJSON.json(args[1]) } catch {
        throw LuaRaise("ctx.report.set_follow_up: \(error)")
      }
      try EventCodec.core("ctx.report.set_follow_up") { () throws(ReportError) in try model.setFollowUp(value)
      }
      return 0
    }
    t["check"] = bind("ctx.report.check") { [unowned self] args in
      let found: JSONValue
      switch args[4] {
      case .nil: found = .null
      case .table(let table):
        do { found = try LuaJSON.json(.table(table)) } catch {
          throw LuaRaise("ctx.report.check: the fourth argument: \(error)")
        }
      default:
        throw LuaRaise(
          "ctx.report.check: the fourth argument must be a table { findings = ..., rows = ..., zone = ..., items = ... }"
        )
      }
      let (name, ok, detail) = (args.string(1), args[2].boolValue, args.optionalString(3) ?? "")
      let result = try EventCodec.core("ctx.report.check: the fourth argument") { () throws(ReportError) in
        try ValidationResult(check: name, ok: ok, detail: detail, found: found)
      }
      model.record(result)
      return 0
    }
    return t
  }

  private func prompt(id: String, question: String, options: LuaValue) throws -> String {
    let answer = try ask(id: id, question: question, options: options)
    evidence.recordAnswer(id: id, answer: answer)
    return answer
  }

  private func ask(id: String, question: String, options: LuaValue) throws -> String {
    if let answer = settings.answers[id] { return answer }
    guard settings.interactive else {
      throw LuaRaise(
        "prompt '\(id)' (\(question)) has no answer: pass --answers FILE with a line `\(id): ...`, or run in a terminal without --no-input"
      )
    }
    var text = "\n\(question)\n"
    if case .table(let context) = options["context"] {
      for line in context.array.compactMap(\.stringValue) { text += "    \(line)\n" }
    }
    if let def = options["default"].stringValue { text += "[\(def)] " }
    text += "> "
    FileHandle.standardError.write(Data(TerminalText.escape(text).utf8))
    guard let line = readLine() else {
      throw LuaRaise("prompt '\(id)': input ended before an answer")
    }
    let answer = line.isEmpty ? (options["default"].stringValue ?? "") : line
    model.answered.append((id, answer))
    return answer
  }
}
