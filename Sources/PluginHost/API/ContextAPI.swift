import Foundation
import LuaBridge
import PostmortemCore

/// `ctx`: the handles a plugin gets (docs/plugin-api.md). Each handle checks the stage.
extension PluginRun {
  /// The environment variables options name: the string values of `*_env` options.
  static func namedEnvironment(in options: LuaTable) -> Set<String> {
    Set(options.stringFields.compactMap { $0.key.hasSuffix("_env") ? $0.value.stringValue : nil })
  }

  func makeContext() -> LuaValue {
    var ctx = LuaTable()
    ctx["stage"] = .text(stage.rawValue)
    ctx["plugin"] = .text(manifest.name)
    ctx["pipeline_dir"] = .text(files.root)
    ctx["incident"] = incidentTable()
    ctx["log"] = .table(logTable())
    ctx["gap"] = lua.function { [unowned self] call in
      // Capped as it leaves Lua (call.string only raises the usual error for a non-string).
      let reason = try call.cappedString(1) ?? call.string(1, "ctx.gap")
      let extra = try call.value(2)
      var window: TimeWindow? = nil
      if case .table(let w) = extra["window"] {
        let start = try EventCodec.time(w["start"], field: "window.start", function: "ctx.gap")
        let finish = try EventCodec.time(
          w["finish"].isNil ? w["end"] : w["finish"], field: "window.finish", function: "ctx.gap")
        window = TimeWindow(start: start, end: finish)
      }
      let source = extra["source"].stringValue ?? sourceLabel
      model.gaps.append(Gap(source: source, plugin: manifest.name, reason: reason, window: window))
      info("gap: \(reason)")
      return 0
    }
    ctx["fs"] = .table(fsTable())
    ctx["http"] = .table(httpTable())
    ctx["env"] = lua.function { [unowned self] call in
      let name = try call.string(1, "ctx.env")
      guard namedEnvironment.contains(name) else {
        throw LuaRaise(
          "ctx.env: plugin \(manifest.name) may read only the environment variables the pipeline names in its `*_env` options (not \(name))"
        )
      }
      return call.returning(.optionalText((environment ?? ProcessInfo.processInfo.environment)[name]))
    }
    ctx["timeline"] = .table(timelineTable())
    ctx["factors"] = .table(factorsTable())
    ctx["severity"] = .table(severityTable())
    ctx["actions"] = .table(actionsTable())
    ctx["report"] = .table(reportTable())
    ctx["prompt"] = lua.function { [unowned self] call in
      let id = try call.string(1, "ctx.prompt")
      let question = try call.string(2, "ctx.prompt")
      let extra = try call.value(3)
      return call.returning(.text(try prompt(id: id, question: question, options: extra)))
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

  /// A host method guarded by stage: `ctx.timeline:add` in `collect` and `timeline` only.
  func method(_ name: String, stages declared: [Stage]? = nil, _ body: @escaping (LuaCall) throws -> Int32)
    -> LuaValue
  {
    // The stages come from the one declaration of the API (APIReference); a call site that
    // still names them must agree with it.
    let stages = APIReference.stages(of: name)
    assert(declared == nil || declared == stages, "\(name): stages differ from APIReference")
    // Named: while it runs, a time-out message and the progress line say it is inside it.
    return lua.function(named: name) { [unowned self] call in
      if let stages, !stages.contains(stage) {
        throw LuaRaise(
          "\(name) cannot be called in stage \(stage.rawValue) (only in: \(stages.map(\.rawValue).joined(separator: ", ")))"
        )
      }
      return try body(call)
    }
  }

  private func incidentTable() -> LuaValue {
    let i = model.incident
    var t = LuaTable()
    t["id"] = .text(i.id)
    t["title"] = .text(i.title)
    t["started_at"] = .text(i.startedAt.formatted(.rfc3339))
    t["ended_at"] = .text(i.endedAt.formatted(.rfc3339))
    t["start"] = .number(i.startedAt.seconds)
    t["finish"] = .number(i.endedAt.seconds)
    t["services"] = .list(i.services)
    t["authors"] = .list(i.authors)
    t["severity"] = .optionalText(model.severityLevel)
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
  private func logText(_ call: LuaCall) throws -> String {
    if let length = call.withBytes(1, { $0.count }) {
      try spend(length)
      return call.cappedString(1) ?? ""
    }
    let s = Self.displayText(try call.value(1))
    try spend(s.utf8.count)
    return s
  }

  // The closures reach self only unowned: a local function using `spend` would capture it
  // strongly, and the state's host functions would then keep the run and its whole Lua state
  // alive for good (found by FuzzCollectors under LeakSanitizer).
  private func logTable() -> LuaTable {
    var t = LuaTable()
    t["info"] = lua.function { [unowned self] call in
      info(try logText(call))
      return 0
    }
    t["warn"] = lua.function { [unowned self] call in
      warn(try logText(call))
      return 0
    }
    t["debug"] = lua.function { [unowned self] call in
      let s = try logText(call)
      if settings.debug { diagnostic("pmhost: [\(manifest.name)] debug: \(s)") }
      return 0
    }
    return t
  }

  private func readable(_ call: LuaCall, _ function: String) throws -> (relative: String, path: String) {
    let relative = try call.string(1, function)
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
    t["lines"] = lua.function { [unowned self] call in
      let (relative, resolved) = try readable(call, "ctx.fs.lines")
      // Live: the original is checked before its evidence copy starts (under --replay the
      // saved copy is read, and LineReader checks it).
      if evidence.mode != .replay { try regularFile(resolved, relative, "ctx.fs.lines") }
      let path = try evidenceFile(relative, resolved, "ctx.fs.lines")
      let options = try call.value(2)
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
          call.push(bytes: line)
          call.pushInteger(Int64(number))
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
              local line, n = next_line()
              if line == nil or find(line, pattern) then return line, n end
            end
          end
          """, chunkName: "=(ctx.fs.lines)")
        iterator = try call.call(wrap, [iterator, pattern]).first ?? .nil
      }
      return call.returning(iterator)
    }
    t["read"] = lua.function { [unowned self] call in
      let (relative, resolved) = try readable(call, "ctx.fs.read")
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
    t["exists"] = lua.function { [unowned self] call in
      // A path outside the pipeline folder is refused, not reported as missing.
      let (relative, path) = try readable(call, "ctx.fs.exists")
      let exists = try lookup("exists", Evidence.normalized(relative)) {
        .bool(FileManager.default.fileExists(atPath: path))
      }
      return call.returning(.boolean(exists.boolValue ?? false))
    }
    t["glob"] = lua.function { [unowned self] call in
      let pattern = try call.string(1, "ctx.fs.glob")
      let found = try lookup("glob", pattern) {
        do {
          return .array(try files.glob(pattern).map { .string($0) })
        } catch {
          throw LuaRaise("ctx.fs.glob: plugin \(manifest.name): \(error)")
        }
      }
      return call.returning(.list(found.arrayValue?.compactMap(\.stringValue) ?? []))
    }
    t["list"] = lua.function { [unowned self] call in
      let (relative, path) = try readable(call, "ctx.fs.list")
      let entries = try lookup("list", Evidence.normalized(relative)) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
          throw LuaRaise("ctx.fs.list: \(relative) is not a readable folder")
        }
        return .array(entries.sorted().map { .string($0) })
      }
      return call.returning(.list(entries.arrayValue?.compactMap(\.stringValue) ?? []))
    }
    t["write"] = method("ctx.fs.write", stages: [.report, .track]) { [unowned self] call in
      call.returning(.text(try write(call, "ctx.fs.write")))
    }
    return t
  }

  /// Writes call argument 2 as file argument 1 (after `self` for methods) in the out folder.
  func write(_ call: LuaCall, _ function: String, offset: Int32 = 0) throws -> String {
    let name = try call.string(1 + offset, function)
    guard let bytes = call.withBytes(2 + offset, { Array($0) }) else {
      throw LuaRaise(
        "bad argument #\(2 + offset) to '\(function)' (string expected, got \(call.typeName(2 + offset)))")
    }
    try spend(bytes.count)
    return try writeOutput(name, function) { path in try FileAccess.writeAtomically(bytes, to: path) }
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

  private func timelineTable() -> LuaTable {
    var t = LuaTable()
    t["add"] = method("ctx.timeline:add", stages: [.collect, .timeline]) { [unowned self] call in
      let event = try EventCodec.event(
        try call.table(2, "ctx.timeline:add"), defaultSource: sourceLabel, person: model.person,
        function: "ctx.timeline:add")
      try charge(HostMemory.bytes(event), for: "timeline events added by ctx.timeline:add")
      do { try model.add(event) } catch { throw LuaRaise("ctx.timeline:add: \(error)") }
      return 0
    }
    t["events"] = method("ctx.timeline:events") { [unowned self] call in
      guard call.reserve(8) else { throw LuaRaise("ctx.timeline:events: out of stack") }
      EventCodec.pushAll(model.timeline.events, on: call)
      return 1
    }
    // Lazy: each(...) yields i and the named fields, a chunk at a time; view() is
    // indexable (v[i].event) and has #v and v:each(...).
    if let (view, each) = try? timelineViewFunctions() {
      t["each"] = each
      t["view"] = view
    }
    t["collapse_bursts"] = method("ctx.timeline:collapse_bursts", stages: [.timeline]) {
      [unowned self] call in
      let o = try call.value(2)
      let gap = o["gap"].doubleValue ?? 300
      let minCount = Int(o["min_count"].intValue ?? 2)
      let title = o["title"].stringValue ?? "First %s appear"
      let before = model.timeline.count
      let removed = model.timeline.collapseBursts(
        gap: Int64((gap * 1000).rounded()), minCount: max(minCount, 1), title: title)
      return call.returning(.integer(Int64(before)), .integer(Int64(before - removed)))
    }
    t["count"] = method("ctx.timeline:count") { [unowned self] call in
      call.returning(.integer(Int64(model.timeline.count)))
    }
    t["replace"] = method("ctx.timeline:replace", stages: [.timeline]) { [unowned self] call in
      let list = try call.table(2, "ctx.timeline:replace")
      var events: [TimelineEvent] = []
      for (i, item) in list.array.enumerated() {
        guard case .table(let table) = item else {
          throw LuaRaise("ctx.timeline:replace: item \(i + 1) is a \(item.typeName), not an event table")
        }
        events.append(
          try EventCodec.event(
            table, defaultSource: sourceLabel, person: model.person,
            function: "ctx.timeline:replace (item \(i + 1))"))
      }
      try charge(
        events.reduce(0) { $0 + HostMemory.bytes($1) }, for: "timeline events given to ctx.timeline:replace")
      do { try model.replaceTimeline(events) } catch {
        throw LuaRaise("ctx.timeline:replace: \(error)")
      }
      return 0
    }
    t["set_moment"] = method("ctx.timeline:set_moment", stages: [.timeline]) { [unowned self] call in
      let name = try call.string(2, "ctx.timeline:set_moment")
      guard let moment = KeyMoment(rawValue: name) else {
        throw LuaRaise(
          "ctx.timeline:set_moment: unknown moment '\(name)' (known: \(KeyMoment.allCases.map(\.rawValue).joined(separator: ", ")))"
        )
      }
      let value = try call.value(3)
      let time =
        value.isNil ? nil : try EventCodec.time(value, field: name, function: "ctx.timeline:set_moment")
      model.moments[moment] = time
      return 0
    }
    t["add_series"] = method("ctx.timeline:add_series", stages: [.collect, .timeline]) {
      [unowned self] call in
      let series = try EventCodec.series(
        try call.table(2, "ctx.timeline:add_series"), defaultSource: sourceLabel, plugin: manifest.name)
      try charge(HostMemory.bytes(series), for: "series points added by ctx.timeline:add_series")
      model.series.append(series)
      return 0
    }
    t["series"] = method("ctx.timeline:series") { [unowned self] call in
      call.returning(.table(LuaTable(array: model.series.map(EventCodec.lua))))
    }
    t["moments"] = method("ctx.timeline:moments") { [unowned self] call in
      var table = LuaTable()
      for moment in KeyMoment.allCases {
        if let time = model.moments[moment] { table[moment.rawValue] = .number(time.seconds) }
      }
      return call.returning(.table(table))
    }
    return t
  }

  private func factorsTable() -> LuaTable {
    var t = LuaTable()
    t["add_immediate"] = method("ctx.factors:add_immediate", stages: [.analyze]) { [unowned self] call in
      model.factors.addImmediate(try call.string(2, "ctx.factors:add_immediate"))
      return 0
    }
    t["add_systemic"] = method("ctx.factors:add_systemic", stages: [.analyze]) { [unowned self] call in
      model.factors.addSystemic(try call.string(2, "ctx.factors:add_systemic"))
      return 0
    }
    t["add"] = method("ctx.factors:add", stages: [.analyze]) { [unowned self] call in
      model.factors.addContributing(try Self.factor(try call.table(2, "ctx.factors:add")))
      return 0
    }
    t["set"] = method("ctx.factors:set", stages: [.analyze]) { [unowned self] call in
      let table = try call.table(2, "ctx.factors:set")
      var factors = Factors()
      for item in table["immediate"].tableValue?.array ?? [] {
        if let s = item.stringValue { factors.addImmediate(s) }
      }
      for item in table["systemic"].tableValue?.array ?? [] {
        if let s = item.stringValue { factors.addSystemic(s) }
      }
      for item in table["contributing"].tableValue?.array ?? [] {
        guard case .table(let f) = item else {
          throw LuaRaise("ctx.factors:set: contributing items must be tables")
        }
        factors.addContributing(try Self.factor(f))
      }
      model.factors = factors
      return 0
    }
    t["get"] = method("ctx.factors:get") { [unowned self] call in
      call.returning(try luaData(model.factors))
    }
    t["set_root_cause"] = method("ctx.factors:set_root_cause", stages: [.analyze]) { [unowned self] call in
      model.incident.rootCause = try call.string(2, "ctx.factors:set_root_cause")
      return 0
    }
    return t
  }

  static func factor(_ t: LuaTable) throws -> ContributingFactor {
    guard let text = t["text"].stringValue, !text.isEmpty else {
      throw LuaRaise("ctx.factors:add: field 'text' must be a non-empty string")
    }
    return ContributingFactor(
      category: t["category"].stringValue, text: text,
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
    t["set"] = method("ctx.severity:set", stages: [.classify]) { [unowned self] call in
      let table = try call.table(2, "ctx.severity:set")
      guard let level = table["level"].stringValue, !level.isEmpty else {
        throw LuaRaise("ctx.severity:set: field 'level' must be a string such as \"P1\"")
      }
      let assessment = SeverityAssessment(
        level: level, rule: table["rule"].stringValue, reason: table["reason"].stringValue)
      model.setSeverity(assessment)
      return 0
    }
    t["get"] = method("ctx.severity:get") { [unowned self] call in
      guard let severity = model.severity else { return call.returning(.nil) }
      return call.returning(try luaData(severity))
    }
    return t
  }

  private func actionsTable() -> LuaTable {
    var t = LuaTable()
    t["add"] = method("ctx.actions:add", stages: [.act]) { [unowned self] call in
      let table = try call.table(2, "ctx.actions:add")
      guard let action = table["action"].stringValue, !action.isEmpty else {
        throw LuaRaise("ctx.actions:add: field 'action' must be a non-empty string")
      }
      let item = ActionItem(
        id: table["id"].stringValue ?? "", action: action, owner: table["owner"].stringValue,
        deadline: table["deadline"].stringValue, priority: table["priority"].stringValue,
        status: table["status"].stringValue ?? "open",
        tracking: table["tracking"].isNil ? nil : try? LuaJSON.json(table["tracking"]))
      let id: String
      do { id = try model.addAction(item) } catch { throw LuaRaise("ctx.actions:add: \(error)") }
      return call.returning(.text(id))
    }
    t["list"] = method("ctx.actions:list") { [unowned self] call in
      call.returning(try luaData(model.actions))
    }
    t["update"] = method("ctx.actions:update", stages: [.act, .track]) { [unowned self] call in
      let id = try call.string(2, "ctx.actions:update")
      let changes = try call.table(3, "ctx.actions:update")
      guard model.action(id: id) != nil else { throw LuaRaise("ctx.actions:update: no action item \(id)") }
      // Translated first (an unknown field or bad tracking changes nothing), then applied.
      var tracking: JSONValue?? = nil
      for (key, value) in changes.stringFields {
        switch key {
        case "action", "owner", "deadline", "priority", "status": break
        case "tracking":
          do { tracking = .some(try LuaJSON.json(value)) } catch {
            throw LuaRaise("ctx.actions:update: tracking: \(error)")
          }
        default:
          throw LuaRaise(
            "ctx.actions:update: unknown field '\(key)' (known: action, owner, deadline, priority, status, tracking)"
          )
        }
      }
      let fields = changes.stringFields
      try? model.updateAction(id: id) { item in
        for (key, value) in fields {
          switch key {
          case "action": item.action = value.stringValue ?? item.action
          case "owner": item.owner = value.stringValue
          case "deadline": item.deadline = value.stringValue
          case "priority": item.priority = value.stringValue
          case "status": item.status = value.stringValue ?? item.status
          default: if let tracking { item.tracking = tracking }
          }
        }
      }
      return 0
    }
    return t
  }

  private func reportTable() -> LuaTable {
    var t = LuaTable()
    t["data"] = method("ctx.report:data") { [unowned self] call in
      let options = try call.value(2)
      guard options.isNil || options.tableValue != nil else {
        throw LuaRaise(
          "bad argument #1 to 'ctx.report:data' (table or nil expected, got \(options.typeName))")
      }
      let timeline = options["timeline"]
      guard timeline.isNil || timeline.boolValue != nil else {
        throw LuaRaise("ctx.report:data: option timeline must be true or false")
      }
      if let imported = model.imported { return call.returning(LuaJSON.lua(imported, omitNullFields: true)) }
      // Without the timeline (read it with ctx.timeline:each): a table per event is what
      // makes data() slow and large on a real-size incident.
      var report = model.report()
      if timeline.boolValue == false { report.timeline = [] }
      var data = LuaJSON.lua(try report.jsonValue(), omitNullFields: true)
      if timeline.boolValue == false, case .table(var t) = data {
        t["timeline"] = .nil
        data = .table(t)
      }
      return call.returning(data)
    }
    t["json"] = method("ctx.report:json") { [unowned self] call in
      let data = try model.report().jsonData()
      return data.withUnsafeBytes { raw in
        call.push(bytes: raw)
        return 1
      }
    }
    t["write"] = method("ctx.report:write", stages: [.report, .track]) { [unowned self] call in
      call.returning(.text(try write(call, "ctx.report:write", offset: 1)))
    }
    t["write_json"] = method("ctx.report:write_json", stages: [.report, .track]) { [unowned self] call in
      let name = call.isNil(2) ? "report.json" : try call.string(2, "ctx.report:write_json")
      // Streamed from the model to the file: never a Lua string, never one buffer. The
      // host's own output, so not counted against the plugin's output limit.
      let report = model.report()
      return call.returning(
        .text(
          try writeOutput(name, "ctx.report:write_json") { path in
            try FileAccess.writeAtomically(to: path) { write in try report.writeJSON(write) }
          }))
    }
    t["set"] = method("ctx.report:set", stages: [.analyze, .classify, .act, .track]) { [unowned self] call in
      let field = try call.string(2, "ctx.report:set")
      let value = try call.value(3)
      let list = value.tableValue?.array.compactMap(\.stringValue)
      guard (field == "follow_up") == (stage == .track) else {
        throw LuaRaise(
          field == "follow_up"
            ? "ctx.report:set(\"follow_up\") cannot be called in stage \(stage.rawValue) (only in: track)"
            : "ctx.report:set(\"\(field)\") cannot be called in stage track (only in: analyze, classify, act)"
        )
      }
      switch field {
      case "follow_up":
        do { model.followUp = value.isNil ? nil : try LuaJSON.json(value) } catch {
          throw LuaRaise("ctx.report:set: follow_up: \(error)")
        }
      case "what_went_well": model.whatWentWell = list ?? []
      case "lessons_learned": model.lessonsLearned = list ?? []
      case "root_cause": model.incident.rootCause = value.stringValue
      default:
        throw LuaRaise(
          "ctx.report:set: unknown field '\(field)' (known: what_went_well, lessons_learned, root_cause, follow_up)"
        )
      }
      return 0
    }
    t["check"] = method("ctx.report:check", stages: [.validate]) { [unowned self] call in
      let name = try call.string(2, "ctx.report:check")
      let ok = try call.value(3)
      guard ok.isNil || ok.boolValue != nil else {
        throw LuaRaise("ctx.report:check: ok must be true, false or nil (pending)")
      }
      let detail = call.optionalString(4) ?? ""
      let (findings, extra) = try Self.checkExtra(try call.value(5))
      model.record(
        ValidationResult(check: name, ok: ok.boolValue, detail: detail, findings: findings, extra: extra))
      return 0
    }
    return t
  }

  /// ctx.report:check's fourth argument: `{ findings = { {line =, text =} }, rows =, zone =, items = }`.
  static func checkExtra(_ value: LuaValue) throws -> ([ValidationFinding], [String: JSONValue]) {
    if value.isNil { return ([], [:]) }
    guard case .table(let table) = value else {
      throw LuaRaise(
        "ctx.report:check: the fourth argument must be a table { findings = ..., rows = ..., zone = ..., items = ... }"
      )
    }
    var findings: [ValidationFinding] = []
    var extra: [String: JSONValue] = [:]
    let json: JSONValue
    do { json = try LuaJSON.json(.table(table)) } catch {
      throw LuaRaise("ctx.report:check: the fourth argument: \(error)")
    }
    guard case .object(let fields) = json else {
      if case .array(let a) = json, a.isEmpty { return ([], [:]) }
      throw LuaRaise("ctx.report:check: the fourth argument must be a table with named fields")
    }
    for (key, v) in fields.sorted(by: { $0.key < $1.key }) {
      if key == "findings" {
        guard case .array(let list) = v else {
          if case .object(let o) = v, o.isEmpty { continue }
          throw LuaRaise("ctx.report:check: findings must be a list of { line = n, text = \"...\" }")
        }
        for (i, f) in list.enumerated() {
          guard let text = f["text"]?.stringValue else {
            throw LuaRaise("ctx.report:check: findings[\(i + 1)] has no text")
          }
          let line: Int?
          switch f["line"] {
          case nil, .some(.null): line = nil
          case .some(let l):
            guard let n = l.intValue, n > 0, n < Int64(Int32.max) else {
              throw LuaRaise("ctx.report:check: findings[\(i + 1)].line must be a positive integer")
            }
            line = Int(n)
          }
          findings.append(ValidationFinding(line: line, text: text))
        }
      } else if ValidationResult.extraKeys.contains(key) {
        extra[key] = v
      } else {
        throw LuaRaise(
          "ctx.report:check: unknown field '\(key)' in the fourth argument (known: findings, \(ValidationResult.extraKeys.sorted().joined(separator: ", ")))"
        )
      }
    }
    return (findings, extra)
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
