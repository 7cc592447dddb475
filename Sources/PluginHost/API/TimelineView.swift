import LuaBridge
import PostmortemCore

/// The events a view reads: a snapshot of the timeline (copy on write: no event is copied
/// unless the timeline changes while the view lives).
final class TimelineSnapshot {
  let events: [TimelineEvent]
  init(_ events: [TimelineEvent]) { self.events = events }
}

/// `ctx.timeline:each(...)` and `ctx.timeline:view()`: the timeline read lazily, a chunk of
/// one field at a time, instead of `events()` building a table per event up front.
extension PluginRun {
  static let snapshotType = "pm.timeline.snapshot"

  /// The Lua half: iterators over columns filled by the host in chunks of 4096 rows.
  static let viewSource = """
    local fill, snapshot, CHUNK = ...
    local unpack, select = table.unpack, select
    local ROW = {}
    -- A row of a view: reads its fields on demand (v[i].event); stable, unlike a copy.
    local row_meta = {
      __index = function(row, key) return fill(rawget(row, ROW), key, rawget(row, "index"), 1) end,
    }
    local function row(snapshot, i) return setmetatable({ [ROW] = snapshot, index = i }, row_meta) end

    -- each(snapshot, n, "time", "event", ...): for i, time, event, ... in ...
    local function each(snapshot, n, ...)
      local fields, nf = { ... }, select("#", ...)
      if nf == 0 then
        local i = 0
        return function()
          i = i + 1
          if i <= n then return i, row(snapshot, i) end
        end
      end
      local cols, base, limit, i = {}, 0, 0, 0
      local function load()
        base = i - 1
        local count = math.min(CHUNK, n - base)
        for f = 1, nf do cols[f] = { fill(snapshot, fields[f], i, count) } end
        limit = base + count
      end
      if nf == 1 then
        local a
        return function()
          i = i + 1
          if i > n then return nil end
          if i > limit then load(); a = cols[1] end
          return i, a[i - base]
        end
      elseif nf == 2 then
        local a, b
        return function()
          i = i + 1
          if i > n then return nil end
          if i > limit then load(); a, b = cols[1], cols[2] end
          local k = i - base
          return i, a[k], b[k]
        end
      elseif nf == 3 then
        local a, b, c
        return function()
          i = i + 1
          if i > n then return nil end
          if i > limit then load(); a, b, c = cols[1], cols[2], cols[3] end
          local k = i - base
          return i, a[k], b[k], c[k]
        end
      end
      return function()
        i = i + 1
        if i > n then return nil end
        if i > limit then load() end
        local k, out = i - base, {}
        for f = 1, nf do out[f] = cols[f][k] end
        return i, unpack(out, 1, nf)
      end
    end

    local view_meta = {}
    view_meta.__index = function(v, key)
      if math.type(key) == "integer" then
        if key >= 1 and key <= v.n then return row(v.snapshot, key) end
        return nil
      end
      if key == "each" then return function(self, ...) return each(self.snapshot, self.n, ...) end end
    end
    view_meta.__len = function(v) return v.n end
    local function view(snapshot, n) return setmetatable({ snapshot = snapshot, n = n }, view_meta) end
    return function(_) return view(snapshot()) end,
      function(_, ...) local s, n = snapshot(); return each(s, n, ...) end
    """

  /// Defines the snapshot type and loads the Lua half once per plugin run.
  func timelineViewFunctions() throws -> (view: LuaValue, each: LuaValue) {
    if let made = viewFunctions { return made }
    lua.defineObjectType(Self.snapshotType, methods: [:])
    let fill = lua.function { call in
      guard let snapshot = call.object(1, type: Self.snapshotType, as: TimelineSnapshot.self) else {
        throw LuaRaise("timeline view: not a timeline snapshot")
      }
      let field = try call.string(2, "timeline view")
      let from = Int(try call.number(3, "timeline view")) - 1
      let count = Int(try call.number(4, "timeline view"))
      guard from >= 0, count >= 0, from + count <= snapshot.events.count else { return 0 }
      guard call.reserve(Int32(count) + 1) else { throw LuaRaise("timeline view: chunk too large") }
      Self.push(field: field, of: snapshot.events[from..<(from + count)], from: from, on: call)
      return Int32(count)
    }
    let snapshot = lua.function { [unowned self] call in
      let events = model.timeline.events
      let object = lua.object(TimelineSnapshot(events), type: Self.snapshotType)
      call.push(object)
      if case .userdata(let ref) = object { lua.release(ref) }  // the stack holds it now
      call.pushInteger(Int64(events.count))
      return 2
    }
    let chunk = try lua.load(Self.viewSource, chunkName: "=(timeline view)")
    let results = try lua.call(chunk, [fill, snapshot, .integer(4096)])
    let made = (results[0], results[1])
    viewFunctions = made
    return made
  }

  /// Pushes one field of each event: the same names and values `events()` gives.
  ///
  /// Rows are read in place (no event is copied), and a text equal to one of the last few
  /// pushed is pushed as that same Lua string again: a burst of identical error lines makes
  /// one Lua string, not thousands.
  static func push(field: String, of events: ArraySlice<TimelineEvent>, from: Int, on call: LuaCall) {
    events.withUnsafeBufferPointer { rows in
      var texts = RecentTexts(call: call)
      switch field {
      case "time":
        var formatter = RFC3339Writer()
        for i in rows.indices { formatter.push(rows[i].time, on: call) }
      case "t": for i in rows.indices { call.pushNumber(rows[i].time.seconds) }
      case "event": for i in rows.indices { texts.push(rows[i].event) }
      case "source": for i in rows.indices { texts.push(rows[i].source) }
      case "kind": for i in rows.indices { texts.push(rows[i].kind) }
      case "actor": for i in rows.indices { texts.push(rows[i].actor) }
      case "group": for i in rows.indices { texts.push(rows[i].group) }
      case "count": for i in rows.indices { call.pushInteger(Int64(rows[i].count)) }
      case "last":
        for i in rows.indices {
          if let l = rows[i].last { call.pushNumber(l.seconds) } else { call.pushNil() }
        }
      case "evidence": for i in rows.indices { texts.push(rows[i].firstEvidence) }
      case "index": for k in rows.indices { call.pushInteger(Int64(from + k + 1)) }
      case "merged":
        for i in rows.indices {
          call.push(
            .table(
              LuaTable(
                array: rows[i].merged.map { m in
                  .table(
                    LuaTable(fields: [
                      "time": .text(m.time.formatted(.rfc3339)), "t": .number(m.time.seconds),
                      "kind": .text(m.kind), "source": .text(m.source), "event": .text(m.event),
                    ]))
                })))
        }
      default:
        // Tables (sources, evidence_all, fields, merged) and unknown keys: as events() has them.
        for k in rows.indices {
          guard case .table(let t) = EventCodec.lua(rows[k], index: from + k + 1) else {
            call.pushNil()
            continue
          }
          call.push(t[field])
        }
      }
    }
  }

  static func pushText(_ text: String, on call: LuaCall) {
    var text = text
    text.withUTF8 { call.push(bytes: UnsafeRawBufferPointer($0)) }
  }
}

/// The last texts pushed in one chunk and where they are on the stack: a text stored at the
/// same place as one of them (the timeline shares repeated strings, see `Timeline.add`) is
/// pushed as a copy of that stack slot instead of a new Lua string. Texts of up to 15 bytes
/// live inside the `String` value and are pushed directly: Lua interns those anyway.
struct RecentTexts {
  let call: LuaCall
  var next: Int32
  var storage: [UnsafeRawPointer] = []
  var slots: [Int32] = []
  var oldest = 0
  static let size = 32

  init(call: LuaCall) {
    self.call = call
    next = call.count + 1
  }

  mutating func push(_ text: String?) {
    defer { next += 1 }
    guard let text else { return call.pushNil() }
    guard text.utf8.count > 15,
      let place = text.utf8.withContiguousStorageIfAvailable({ UnsafeRawPointer($0.baseAddress) }),
      let place
    else { return PluginRun.pushText(text, on: call) }
    for k in storage.indices where storage[k] == place { return call.pushCopy(of: slots[k]) }
    PluginRun.pushText(text, on: call)
    if storage.count < Self.size {
      storage.append(place)
      slots.append(next)
    } else {
      storage[oldest] = place
      slots[oldest] = next
      oldest = (oldest + 1) % Self.size
    }
  }
}

/// RFC 3339 UTC with milliseconds, reusing the date and clock text of the last second.
struct RFC3339Writer {
  var second = Int64.min
  var bytes = [UInt8](repeating: 0, count: 24)

  mutating func push(_ time: Timestamp, on call: LuaCall) {
    let ms = time.milliseconds
    let s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
    if s != second {
      second = s
      let text = Timestamp(milliseconds: s * 1000).formatted(.rfc3339)
      let utf8 = Array(text.utf8)
      guard utf8.count == 24 else {
        // Years past 9999 or before 0: not the fast shape.
        second = Int64.min
        PluginRun.pushText(time.formatted(.rfc3339), on: call)
        return
      }
      bytes = utf8
    }
    let frac = Int(ms - s * 1000)
    bytes[20] = UInt8(48 + frac / 100)
    bytes[21] = UInt8(48 + frac / 10 % 10)
    bytes[22] = UInt8(48 + frac % 10)
    bytes.withUnsafeBytes { call.push(bytes: $0) }
  }
}
