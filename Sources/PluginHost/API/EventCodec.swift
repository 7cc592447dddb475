import LuaBridge
import PostmortemCore

/// Timeline events, series and times between Lua tables and the core's values: Lua types
/// are checked here; every rule of the domain (times in the years 0001 to 9999, offsets,
/// counts, merged rows, evidence, series points) is the core's (``TimelineEvent/init(_:source:person:)``,
/// ``MetricSeries/init(_:plugin:source:)``, ``ReportModel``), whose errors this prefixes
/// with the function.
package enum EventCodec {
  /// Runs a core operation; its error (which names the field) is raised as `function: error`.
  static func core<T>(_ function: String, _ body: () throws(ReportError) -> T) throws -> T {
    do { return try body() } catch { throw LuaRaise("\(function): \(error.message)") }
  }

  /// A validated event from a table as `ctx.timeline.add` takes it (the draft made into an
  /// event by the core); errors name the field.
  package static func event(
    _ t: LuaTable, defaultSource: String, person: (String) -> String, function: String
  ) throws -> TimelineEvent {
    let draft = try self.draft(t, function: function)
    return try core(function) { () throws(ReportError) in
      try TimelineEvent(draft, source: defaultSource, person: person)
    }
  }

  /// Reads an event table into the core's ``EventDraft``: Lua types only; errors name the field.
  static func draft(_ t: LuaTable, function: String) throws -> EventDraft {
    func fail(_ field: String, _ problem: String) -> LuaRaise {
      LuaRaise("\(function): field '\(field)' \(problem)")
    }
    let time = try self.time(t["time"], field: "time", function: function)
    guard let event = t["event"].stringValue else {
      throw fail("event", "must be a non-empty string (got \(t["event"].typeName))")
    }
    guard let kind = t["kind"].stringValue else {
      throw fail(
        "kind",
        "must be a string such as \"error\", \"alert_fired\" or \"action\" (got \(t["kind"].typeName))")
    }
    var draft = EventDraft(time: time, event: event, kind: kind, source: t["source"].stringValue)
    switch t["actor"] {
    case .nil, .lightUserdata(0): break
    case .string(let s): draft.actor = s.text
    default: throw fail("actor", "must be a string or nil")
    }
    if case .table(let list) = t["sources"] { draft.sources = list.array.compactMap(\.stringValue) }
    draft.evidence = try strings(t["evidence"], field: "evidence", function: function)
    draft.evidenceAll = try strings(t["evidence_all"], field: "evidence_all", function: function)
    if !t["count"].isNil {
      guard let c = t["count"].intValue else { throw fail("count", "must be a positive integer") }
      draft.count = Int(c)
    }
    if !t["last"].isNil { draft.last = try self.time(t["last"], field: "last", function: function) }
    if case .table(let f) = t["fields"] {
      for (key, value) in f.stringFields {
        do { draft.fields[key] = try LuaJSON.json(value, path: "fields.\(key)") } catch {
          throw fail("fields", "\(error)")
        }
      }
    }
    draft.group = t["group"].stringValue
    switch t["time_text"] {
    case .nil: break
    case .string(let s): draft.timeText = s.text
    default: throw fail("time_text", "must be a string (the time as the source wrote it)")
    }
    switch t["time_offset"] {
    case .nil: break
    case .integer, .number: draft.timeOffset = .seconds(t["time_offset"].doubleValue!)
    case .string(let s): draft.timeOffset = .text(s.text)
    default: throw fail("time_offset", "must be seconds east of UTC or a string like \"+02:00\"")
    }
    if case .table(let list) = t["merged"] {
      for (i, item) in list.array.enumerated() {
        guard case .table(let m) = item, let kind = m["kind"].stringValue else {
          throw fail("merged[\(i + 1)]", "must be a table with kind, time, source and event")
        }
        draft.merged.append(
          MergedDraft(
            time: try self.time(m["time"], field: "merged[\(i + 1)].time", function: function), kind: kind,
            source: m["source"].stringValue, event: m["event"].stringValue))
      }
    }
    return draft
  }

  /// A time as written: Unix seconds or text (the core reads and checks it).
  static func time(_ value: LuaValue, field: String, function: String) throws -> TimeInput {
    switch value {
    case .integer, .number: return .seconds(value.doubleValue!)
    case .string(let s): return .text(s.text)
    default:
      throw LuaRaise(
        "\(function): field '\(field)' must be Unix seconds or an RFC 3339 string (got \(value.typeName))")
    }
  }

  static func strings(_ value: LuaValue, field: String, function: String) throws -> [String] {
    switch value {
    case .nil: return []
    case .string(let s): return [s.text]
    case .table(let t): return t.array.compactMap(\.stringValue)
    default: throw LuaRaise("\(function): field '\(field)' must be a string or a list of strings")
    }
  }

  /// Pushes the list `ctx.timeline.get()` returns: a table per event, as ``lua(_:index:)``
  /// makes them, built on the Lua stack directly (a million events made through Swift
  /// tables took 20 s and 3.9 GB). Texts repeated within 4096 events are one Lua string.
  static func pushAll(_ events: [TimelineEvent], on call: LuaCall) {
    call.pushTable(array: events.count, fields: 0)
    let list = call.count
    call.pushTable(array: 4096, fields: 0)  // the strings RecentTexts pushes again
    var sink = ColumnSink(call: call, table: call.count, next: 1)
    var texts = RecentTexts()
    var clock = RFC3339Writer()
    func text(_ value: String?) {
      if texts.push(bits: RecentTexts.bits(of: value), into: sink, text: { value }) { sink.keep() }
    }
    for (i, e) in events.enumerated() {
      if i % 4096 == 0 {
        texts = RecentTexts()
        sink.next = 1
      }
      call.pushTable(array: 0, fields: 18)
      clock.push(e.time, on: call)
      call.setField("time")
      call.pushNumber(e.time.seconds)
      call.setField("t")
      text(e.event)
      call.setField("event")
      text(e.source)
      call.setField("source")
      pushList(e.sources, on: call)
      call.setField("sources")
      if let actor = e.actor {
        text(actor)
        call.setField("actor")
      }
      text(e.kind)
      call.setField("kind")
      let evidence = e.evidence
      if let first = evidence.first {
        text(first)
        call.setField("evidence")
      }
      pushList(evidence, on: call)
      call.setField("evidence_all")
      if let group = e.group {
        text(group)
        call.setField("group")
      }
      call.pushInteger(Int64(e.count))
      call.setField("count")
      if let last = e.last {
        call.pushNumber(last.seconds)
        call.setField("last")
      }
      call.push(e.fields.isEmpty ? .table(LuaTable()) : LuaJSON.lua(.object(e.fields)))
      call.setField("fields")
      if e.hasMerged {
        call.push(merged(e.merged))
      } else {
        call.pushTable(array: 0, fields: 0)
      }
      call.setField("merged")
      if let timeText = e.timeText {
        PluginRun.pushText(timeText, on: call)
        call.setField("time_text")
      }
      if let offset = e.timeOffset {
        PluginRun.pushText(UTCOffset.text(offset), on: call)
        call.setField("time_offset")
      }
      call.pushInteger(Int64(i + 1))
      call.setField("index")
      call.rawSet(table: list, index: Int64(i + 1))
    }
    call.pop(1)  // the strings
  }

  static func pushList(_ items: [String], on call: LuaCall) {
    call.pushTable(array: items.count, fields: 0)
    for (k, item) in items.enumerated() {
      PluginRun.pushText(item, on: call)
      call.rawSet(table: -2, index: Int64(k + 1))
    }
  }

  /// An event's `merged` list as Lua sees it: `{ time, t, kind, source, event }` each.
  static func merged(_ list: [MergedOccurrence]) -> LuaValue {
    .table(
      LuaTable(
        array: list.map { m in
          .table(
            LuaTable(fields: [
              "time": .text(m.time.formatted(.rfc3339)), "t": .number(m.time.seconds), "kind": .text(m.kind),
              "source": .text(m.source), "event": .text(m.event),
            ]))
        }))
  }

  /// An event as `ctx.timeline.get()` gives it.
  package static func lua(_ e: TimelineEvent, index: Int) -> LuaValue {
    var t = LuaTable()
    t["time"] = .text(e.time.formatted(.rfc3339))
    t["t"] = .number(e.time.seconds)
    t["event"] = .text(e.event)
    t["source"] = .text(e.source)
    t["sources"] = .list(e.sources)
    t["actor"] = .optionalText(e.actor)
    t["kind"] = .text(e.kind)
    t["evidence"] = .optionalText(e.evidence.first)
    t["evidence_all"] = .list(e.evidence)
    t["group"] = .optionalText(e.group)
    t["count"] = .integer(Int64(e.count))
    if let last = e.last { t["last"] = .number(last.seconds) }
    t["fields"] = LuaJSON.lua(.object(e.fields))
    t["merged"] = merged(e.merged)
    t["time_text"] = .optionalText(e.timeText)
    if let offset = e.timeOffset { t["time_offset"] = .text(UTCOffset.text(offset)) }
    t["index"] = .integer(Int64(index))
    return .table(t)
  }
}

extension EventCodec {
  /// Reads a series table as `ctx.series.add` takes it into the core's ``SeriesDraft``:
  /// Lua types only; errors name the field.
  static func series(_ t: LuaTable) throws -> SeriesDraft {
    let function = "ctx.series.add"
    func fail(_ field: String, _ problem: String) -> LuaRaise {
      LuaRaise("\(function): field '\(field)' \(problem)")
    }
    guard let name = t["name"].stringValue else {
      throw fail("name", "must be a non-empty string (got \(t["name"].typeName))")
    }
    guard case .table(let list) = t["points"] else {
      throw fail("points", "must be a list of {t, v} pairs (got \(t["points"].typeName))")
    }
    var points: [(time: TimeInput, value: SampleInput)] = []
    points.reserveCapacity(list.array.count)
    for (i, item) in list.array.enumerated() {
      let field = "points[\(i + 1)]"
      guard case .table(let pair) = item else {
        throw fail(field, "must be a {t, v} pair (got \(item.typeName))")
      }
      let time = try self.time(pair[index: 1], field: field + "[1]", function: function)
      let value: SampleInput
      switch pair[index: 2] {
      case .integer(let v): value = .number(Double(v))
      case .number(let v): value = .number(v)
      case .string(let s): value = .text(s.text)
      default: throw fail(field + "[2]", "must be a number (got \(pair[index: 2].typeName))")
      }
      points.append((time, value))
    }
    var draft = SeriesDraft(name: name, points: points)
    if case .table(let l) = t["labels"] {
      for (key, value) in l.stringFields {
        draft.labels[key] = value.stringValue ?? PluginRun.displayText(value)
      }
    }
    if !t["threshold"].isNil {
      guard let v = t["threshold"].doubleValue else { throw fail("threshold", "must be a number") }
      draft.threshold = v
    }
    if !t["above"].isNil {
      guard let v = t["above"].boolValue else { throw fail("above", "must be a boolean") }
      draft.above = v
    }
    draft.query = t["query"].stringValue
    draft.source = t["source"].stringValue
    draft.unit = t["unit"].stringValue
    return draft
  }

  /// A series as `ctx.series.get()` gives it.
  static func lua(_ s: MetricSeries) -> LuaValue {
    var t = LuaTable()
    t["name"] = .text(s.name)
    t["query"] = .optionalText(s.query)
    t["source"] = .text(s.source)
    t["plugin"] = .text(s.plugin)
    var labels = LuaTable()
    for (key, value) in s.labels { labels[key] = .text(value) }
    t["labels"] = .table(labels)
    t["unit"] = .optionalText(s.unit)
    if let threshold = s.threshold { t["threshold"] = .number(threshold) }
    if let above = s.above { t["above"] = .boolean(above) }
    t["points"] = .table(
      LuaTable(
        array: s.points.map { p in
          let v: LuaValue =
            switch p.value {
            case .number(let d): .number(d)
            default: .text(p.value.text)
            }
          return .table(LuaTable(array: [.number(p.time), v]))
        }))
    return .table(t)
  }
}
