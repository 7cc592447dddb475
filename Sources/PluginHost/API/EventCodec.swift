import LuaBridge
import PostmortemCore

/// Timeline events between Lua tables and ``TimelineEvent``.
package enum EventCodec {
  /// Reads an event table as `ctx.timeline.add` takes it; errors name the field.
  package static func event(
    _ t: LuaTable, defaultSource: String, person: (String) -> String, function: String
  ) throws -> TimelineEvent {
    func fail(_ field: String, _ problem: String) -> LuaRaise {
      LuaRaise("\(function): field '\(field)' \(problem)")
    }
    let time = try self.time(t["time"], field: "time", function: function)
    // Types here; the rules of a valid event (non-empty text and kind, a positive count...)
    // are TimelineEvent.problem's, checked when the model takes the event.
    guard let event = t["event"].stringValue else {
      throw fail("event", "must be a non-empty string (got \(t["event"].typeName))")
    }
    guard let kind = t["kind"].stringValue else {
      throw fail(
        "kind",
        "must be a string such as \"error\", \"alert_fired\" or \"action\" (got \(t["kind"].typeName))")
    }
    let source = t["source"].stringValue ?? defaultSource
    var actor: String? = nil
    switch t["actor"] {
    case .nil, .lightUserdata(0): break
    case .string(let s): actor = s.text.isEmpty || s.text == "-" ? nil : person(s.text)
    default: throw fail("actor", "must be a string or nil")
    }
    var sources = [source]
    if case .table(let list) = t["sources"] {
      for item in list.array { if let s = item.stringValue, !sources.contains(s) { sources.append(s) } }
    }
    // `evidence` is the first reference; `evidence_all` (from events()) carries the rest
    // unless a plugin replaced `evidence` with something else.
    var evidence = try strings(t["evidence"], field: "evidence", function: function)
    let all = try strings(t["evidence_all"], field: "evidence_all", function: function)
    if !all.isEmpty, evidence.isEmpty || all.first == evidence.first { evidence = all }
    var count = 1
    if !t["count"].isNil {
      guard let c = t["count"].intValue else { throw fail("count", "must be a positive integer") }
      count = Int(c)
    }
    let last = t["last"].isNil ? nil : try self.time(t["last"], field: "last", function: function)
    var fields: [String: JSONValue] = [:]
    if case .table(let f) = t["fields"] {
      for (key, value) in f.stringFields {
        do { fields[key] = try LuaJSON.json(value, path: "fields.\(key)") } catch {
          throw fail("fields", "\(error)")
        }
      }
    }
    var result = TimelineEvent(
      time: time, event: event, source: source, sources: sources, actor: actor, kind: kind,
      evidence: evidence, group: t["group"].stringValue, count: count, last: last, fields: fields)
    switch t["time_text"] {
    case .nil: break
    case .string(let s):
      result.timeText = s.text
      result.timeOffset = UTCOffset.trailing(in: s.text)
    default: throw fail("time_text", "must be a string (the time as the source wrote it)")
    }
    switch t["time_offset"] {
    case .nil: break
    case .integer, .number:
      let seconds = t["time_offset"].doubleValue!
      guard seconds.isFinite, abs(seconds) <= Double(UTCOffset.limit) else {
        throw fail("time_offset", "must be seconds east of UTC within ±24 h, or \"+hh:mm\"")
      }
      result.timeOffset = Int32(seconds.rounded())
    case .string(let s):
      guard let seconds = UTCOffset.seconds(s.text) else {
        throw fail(
          "time_offset", "'\(s.text)' is not a UTC offset (use \"+02:00\", \"-0530\", \"Z\" or seconds)")
      }
      result.timeOffset = seconds
    default: throw fail("time_offset", "must be seconds east of UTC or a string like \"+02:00\"")
    }
    if case .table(let list) = t["merged"] {
      for (i, item) in list.array.enumerated() {
        guard case .table(let m) = item, let kind = m["kind"].stringValue else {
          throw fail("merged[\(i + 1)]", "must be a table with kind, time, source and event")
        }
        result.merged.append(
          MergedOccurrence(
            time: try self.time(m["time"], field: "merged[\(i + 1)].time", function: function), kind: kind,
            source: m["source"].stringValue ?? source, event: m["event"].stringValue ?? ""))
      }
    }
    return result
  }

  static func time(_ value: LuaValue, field: String, function: String) throws -> Timestamp {
    switch value {
    case .integer, .number:
      guard let t = Timestamp(checkedSeconds: value.doubleValue!) else {
        throw LuaRaise(
          "\(function): field '\(field)' \(value.doubleValue!) is not a time in Unix seconds in the years 0001 to 9999 (\(Timestamp.modelRangeText))"
        )
      }
      return t
    case .string(let s):
      do { return try TimeParser.parseRFC3339(s.text) } catch {
        throw LuaRaise(
          "\(function): field '\(field)': \(error) (pass seconds, or parse other formats with pm.time.parse)")
      }
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
  /// Reads a series table as `ctx.series.add` takes it; errors name the field.
  static func series(_ t: LuaTable, defaultSource: String, plugin: String) throws -> MetricSeries {
    let function = "ctx.series.add"
    func fail(_ field: String, _ problem: String) -> LuaRaise {
      LuaRaise("\(function): field '\(field)' \(problem)")
    }
    guard let name = t["name"].stringValue, !name.isEmpty else {
      throw fail("name", "must be a non-empty string (got \(t["name"].typeName))")
    }
    guard case .table(let list) = t["points"] else {
      throw fail("points", "must be a list of {t, v} pairs (got \(t["points"].typeName))")
    }
    var points: [SeriesPoint] = []
    points.reserveCapacity(list.array.count)
    for (i, item) in list.array.enumerated() {
      let field = "points[\(i + 1)]"
      guard case .table(let pair) = item else {
        throw fail(field, "must be a {t, v} pair (got \(item.typeName))")
      }
      let time = try self.time(pair[index: 1], field: field + "[1]", function: function)
      let value: SampleValue
      switch pair[index: 2] {
      case .integer(let v): value = .number(Double(v))
      case .number(let v): value = SampleValue(v)
      case .string(let s):
        guard let v = SampleValue(text: s.text) else {
          throw fail(field + "[2]", "'\(s.text)' is not a number, \"NaN\", \"+Inf\" or \"-Inf\"")
        }
        value = v
      default: throw fail(field + "[2]", "must be a number (got \(pair[index: 2].typeName))")
      }
      points.append(SeriesPoint(time: Double(time.milliseconds) / 1000, value: value))
    }
    points.sort { $0.time < $1.time }
    var labels: [String: String] = [:]
    if case .table(let l) = t["labels"] {
      for (key, value) in l.stringFields {
        labels[key] = value.stringValue ?? PluginRun.displayText(value)
      }
    }
    var threshold: Double? = nil
    if !t["threshold"].isNil {
      guard let v = t["threshold"].doubleValue else { throw fail("threshold", "must be a number") }
      threshold = v
    }
    var above: Bool? = nil
    if !t["above"].isNil {
      guard let v = t["above"].boolValue else { throw fail("above", "must be a boolean") }
      above = v
    }
    return MetricSeries(
      name: name, query: t["query"].stringValue, source: t["source"].stringValue ?? defaultSource,
      plugin: plugin, labels: labels, unit: t["unit"].stringValue, threshold: threshold,
      above: above ?? (threshold == nil ? nil : true), points: points)
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
