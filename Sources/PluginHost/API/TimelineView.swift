import LuaBridge
import PostmortemCore

/// The events a view reads: a snapshot of the timeline (copy on write: no event is copied
/// unless the timeline changes while the view lives).
final class TimelineSnapshot {
  let events: [TimelineEvent]
  init(_ events: [TimelineEvent]) { self.events = events }
}

/// `ctx.timeline.each(...)` and `ctx.timeline.view()`: the timeline read lazily, a chunk of
/// one field at a time, instead of `get()` building a table per event up front.
///
/// `each("time", "event", ...)` is the C column iterator of LuaBridge
/// (``LuaState/columnIterator()``): per chunk of 4096 rows the host writes each field into
/// one reused Lua table, and the loop's iterator calls run no Lua code. Reusing the tables
/// matters as much as the C: a new 64 KB table per chunk made glibc consolidate its free
/// lists on every chunk, which doubled the time of a loop over a million rows.
extension PluginRun {
  static let snapshotType = "pm.timeline.snapshot"

  /// The Lua half: iterators over columns filled by the host in chunks of 4096 rows.
  static let viewSource = """
    local fill, snapshot, columns, CHUNK, check_view, check_each = ...
    local select, type = select, type
    local ROW = {}
    -- A row of a view: reads its fields on demand (v[i].event); stable, unlike a copy.
    local row_meta = {
      __index = function(row, key) return fill(rawget(row, ROW), key, rawget(row, "index"), 1) end,
    }
    local function row(snapshot, i) return setmetatable({ [ROW] = snapshot, index = i }, row_meta) end

    -- each(snapshot, n, "time", "event", ...): for i, time, event, ... in ...
    -- Rows (no field names) are row objects; named fields come from the C column
    -- iterator, which fills one table per field a chunk at a time.
    local function each(snapshot, n, ...)
      local nf = select("#", ...)
      if nf == 0 then
        local i = 0
        return function()
          i = i + 1
          if i <= n then return i, row(snapshot, i) end
        end
      end
      return columns(fill, snapshot, n, CHUNK, ...)
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
    -- check_view and check_each are the declared functions' argument and stage checks; an
    -- error they raise names the plugin's line that called, not this chunk's.
    local pcall, error, gsub = pcall, error, string.gsub
    local function checked(check, ...)
      local ok, err = pcall(check, ...)
      if not ok then error((gsub(tostring(err), "^=%(timeline view%):%d+: ", "")), 3) end
    end
    return function(...) checked(check_view, ...); return view(snapshot()) end,
      function(...) checked(check_each, ...); local s, n = snapshot(); return each(s, n, ...) end
    """

  /// Defines the snapshot type and loads the Lua half once per plugin run.
  func timelineViewFunctions() throws(LuaError) -> (view: LuaValue, each: LuaValue) {
    if let made = viewFunctions { return made }
    lua.defineObjectType(Self.snapshotType, methods: [:])
    // fill(snapshot, field, from, count[, target]): the values of rows from..from+count-1,
    // returned, or written into target[1..count] (the column iterator's reused tables).
    let fill = lua.function { call in
      guard let snapshot = call.object(1, type: Self.snapshotType, as: TimelineSnapshot.self) else {
        throw LuaRaise("timeline view: not a timeline snapshot")
      }
      let field = try call.string(2, "timeline view")
      let from = Int(try call.number(3, "timeline view")) - 1
      let count = Int(try call.number(4, "timeline view"))
      guard from >= 0, count >= 0, from + count <= snapshot.events.count else { return 0 }
      let rows = snapshot.events[from..<(from + count)]
      if call.isTable(5) {
        var sink = ColumnSink(call: call, table: 5, next: 1)
        guard call.reserve(2) else { throw LuaRaise("timeline view: out of stack") }
        Self.push(field: field, of: rows, from: from, into: &sink)
        return 0
      }
      guard call.reserve(Int32(count) + 1) else { throw LuaRaise("timeline view: chunk too large") }
      var sink = ColumnSink(call: call, table: nil, next: call.count + 1)
      Self.push(field: field, of: rows, from: from, into: &sink)
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
    let results = try lua.call(
      chunk,
      [
        fill, snapshot, lua.columnIterator(), .integer(4096), bind("ctx.timeline.view") { _ in 0 },
        bind("ctx.timeline.each") { args in
          guard args.values.count <= LuaState.columnFieldsMax else {
            throw LuaRaise(
              "ctx.timeline.each: at most \(LuaState.columnFieldsMax) fields, got \(args.values.count)")
          }
          return 0
        },
      ])
    let made = (results[0], results[1])
    viewFunctions = made
    return made
  }

  /// Pushes one field of each event (the same names and values `events()` gives) into
  /// `sink`: onto the stack, or into a column table.
  ///
  /// Rows are read in place (no event is copied), and a text equal to one of the last few
  /// pushed is pushed as that same Lua string again: a burst of identical error lines makes
  /// one Lua string, not thousands.
  static func push(
    field: String, of events: ArraySlice<TimelineEvent>, from: Int, into sink: inout ColumnSink
  ) {
    let call = sink.call
    events.withUnsafeBufferPointer { rows in
      var texts = RecentTexts()
      // Rows are passed by index, not by value: a copied event costs a retain and a
      // release of each of its strings.
      func each(_ push: (Int) -> Void) {
        for i in rows.indices {
          push(i)
          sink.commit()
        }
      }
      func text(_ value: (Int) -> String?) {
        for i in rows.indices {
          let text = value(i)
          texts.push(bits: RecentTexts.bits(of: text), into: sink) { text }
          sink.commit()
        }
      }
      // A stored text field (String or String?), its bits read in place: a repeated text is
      // pushed again without the String itself being copied (a retain and a release per row).
      func stored<Value>(_ path: KeyPath<TimelineEvent, Value>, _ string: (Value) -> String?) {
        guard MemoryLayout<Value>.size == MemoryLayout<RecentTexts.Bits>.size,
          let offset = MemoryLayout<TimelineEvent>.offset(of: path), let base = rows.baseAddress
        else { return text { string(rows[$0][keyPath: path]) } }
        let raw = UnsafeRawPointer(base)
        for i in rows.indices {
          let field = raw + i * MemoryLayout<TimelineEvent>.stride + offset
          let bits = field.loadUnaligned(as: RecentTexts.Bits.self)
          texts.push(bits: bits, into: sink) { string(field.assumingMemoryBound(to: Value.self).pointee) }
          sink.commit()
        }
      }
      switch field {
      case "time":
        var formatter = RFC3339Writer()
        each { formatter.push(rows[$0].time, on: call) }
      case "t": each { call.pushNumber(rows[$0].time.seconds) }
      case "event": stored(\.event) { $0 }
      case "source": stored(\.source) { $0 }
      case "kind": stored(\.kind) { $0 }
      case "actor": text { rows[$0].actor }
      case "group": stored(\.group) { $0 }
      case "count": each { call.pushInteger(Int64(rows[$0].count)) }
      case "last":
        each {
          if let l = rows[$0].last { call.pushNumber(l.seconds) } else { call.pushNil() }
        }
      case "evidence": stored(\.firstEvidence) { $0 }
      case "index":
        for k in rows.indices {
          call.pushInteger(Int64(from + k + 1))
          sink.commit()
        }
      case "merged": each { call.push(EventCodec.merged(rows[$0].merged)) }
      default:
        // Tables (sources, evidence_all, fields, merged) and unknown keys: as events() has them.
        for k in rows.indices {
          if case .table(let t) = EventCodec.lua(rows[k], index: from + k + 1) {
            call.push(t[field])
          } else {
            call.pushNil()
          }
          sink.commit()
        }
      }
    }
  }

  static func pushText(_ text: String, on call: LuaCall) {
    var text = text
    text.withUTF8 { call.push(bytes: UnsafeRawBufferPointer($0)) }
  }
}

/// Where a fill puts the values it pushes: left on the stack (returned to Lua), or popped
/// into `table[1...]`, the column iterator's table for one field.
struct ColumnSink {
  let call: LuaCall
  /// The stack index of the column table, or nil for the stack.
  let table: Int32?
  /// Where the next value goes: its stack slot, or its index in the table.
  var next: Int32

  /// Puts the value just pushed in its place.
  mutating func commit() {
    if let table { call.rawSet(table: table, index: Int64(next)) }
    next += 1
  }

  /// Stores the value on top in the next place too, leaving it on top.
  mutating func keep() {
    call.pushCopy(of: -1)
    commit()
  }

  /// Pushes again the value put at `place` (a stack slot or table index).
  func repush(_ place: Int32) {
    if let table { call.rawGet(table: table, index: Int64(place)) } else { call.pushCopy(of: place) }
  }
}

/// The texts pushed in one chunk and where they went: a text that is the same `String`
/// value as one of them (the timeline shares repeated strings, see `Timeline.add`) is
/// pushed as that same Lua string again instead of a new one.
///
/// "The same value" is the two words of the `String` itself: equal words are one text
/// (the same storage, or the same inline bytes of a text of up to 15 bytes). Equal texts
/// in different storage are merely missed and pushed anew. A direct-mapped table of 64
/// slots keeps the last text seen per slot.
struct RecentTexts {
  typealias Bits = (UInt64, UInt64)
  var keys = [Bits](repeating: (0, 0), count: 64)
  var places = [Int32](repeating: 0, count: 64)  // 0: empty (places start at 1)

  static func bits(of text: String?) -> Bits { unsafeBitCast(text, to: Bits.self) }

  /// Pushes the text whose bits are `bits`; `text` gives it when it was not seen. True
  /// when a new Lua string was pushed (its place is `sink.next`).
  @discardableResult
  mutating func push(bits: Bits, into sink: ColumnSink, text: () -> String?) -> Bool {
    var h = bits.0 &* 0x9E37_79B9_7F4A_7C15
    h ^= bits.1 &* 0xC2B2_AE3D_27D4_EB4F
    let slot = Int(truncatingIfNeeded: h >> 58)
    if places[slot] != 0, keys[slot] == bits {
      sink.repush(places[slot])
      return false
    }
    if let value = text() { PluginRun.pushText(value, on: sink.call) } else { sink.call.pushNil() }
    keys[slot] = bits
    places[slot] = sink.next
    return true
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
