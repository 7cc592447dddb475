import Foundation
import LuaBridge
import PostmortemCore
import Yams

/// The global `pm` table: helpers that need no stage (docs/plugin-api.md).
enum PMLibrary {
  static func install(in lua: LuaState) {
    var pm = LuaTable()
    pm["json"] = .table(json(lua))
    pm["yaml"] = .table(yaml(lua))
    pm["time"] = .table(time(lua))
    pm["template"] = .table(TemplateLibrary.table(lua))
    pm["version"] = .text(PMHostVersion.current)
    lua.setGlobal("pm", .table(pm))
  }

  static func json(_ lua: LuaState) -> LuaTable {
    var t = LuaTable()
    t["null"] = LuaJSON.null
    // `unowned`: the state owns its functions; a strong capture would keep it alive forever.
    t["decode"] = lua.function { [unowned lua] call in
      let text = try call.string(1, "pm.json.decode")
      // The decoded tree is the host's until Lua has its copy: counted as it is built and
      // while it is held, against the memory Lua has left.
      let value: JSONValue
      do throws(JSONParseError) { value = try JSONValue.parse(text, maxBytes: lua.memoryAvailable) } catch {
        guard error.tooBig else { throw LuaRaise("pm.json.decode: \(error)") }
        let message = "\(lua.memoryLimitMessage) (JSON decoded by pm.json.decode)"
        lua.stop(message: message)
        throw LuaRaise(message)
      }
      let treeBytes = HostMemory.bytes(value)
      guard lua.reserveHostMemory(treeBytes) else {
        let message = "\(lua.memoryLimitMessage) (JSON decoded by pm.json.decode)"
        lua.stop(message: message)
        throw LuaRaise(message)
      }
      defer { lua.releaseHostMemory(treeBytes) }
      return call.returning(LuaJSON.lua(value))
    }
    // Empty tables already encode as arrays; array() returns its table so code can say
    // what it means.
    t["array"] = lua.function { call in
      call.count >= 1 && !call.isNil(1)
        ? call.returning(try call.value(1)) : call.returning(.table(LuaTable()))
    }
    t["encode"] = lua.function { call in
      let value = try call.value(1)
      let pretty = (try call.value(2))["pretty"].isTruthy
      do {
        return call.returning(.text(try LuaJSON.json(value).jsonText(pretty: pretty)))
      } catch {
        throw LuaRaise("pm.json.encode: \(error)")
      }
    }
    return t
  }

  static func yaml(_ lua: LuaState) -> LuaTable {
    var t = LuaTable()
    t["decode"] = lua.function { call in
      let text = try call.string(1, "pm.yaml.decode")
      // The file the text came from, for the error: `pm.yaml.decode(ctx.fs.read(p), p)`.
      let name = call.isNil(2) ? nil : try call.string(2, "pm.yaml.decode")
      do {
        return call.returning(LuaJSON.lua(try JSONValue.parseYAML(text), omitNullFields: true))
      } catch {
        throw LuaRaise("pm.yaml.decode: \(name.map { "\($0): " } ?? "")\(error)")
      }
    }
    t["encode"] = lua.function { call in
      do {
        let value = try LuaJSON.json(try call.value(1))
        return call.returning(.text(try Yams.dump(object: yamlObject(value), allowUnicode: true)))
      } catch {
        throw LuaRaise("pm.yaml.encode: \(error)")
      }
    }
    return t
  }

  static func yamlObject(_ value: JSONValue) -> Any {
    switch value {
    case .null: return NSNull()
    case .bool(let b): return b
    case .int(let i): return Int(i)
    case .double(let d): return d
    case .string(let s): return s
    case .array(let items): return items.map(yamlObject)
    case .object(let object): return object.mapValues(yamlObject)
    }
  }

  /// `pm.time.parse(text, "syslog" | "klog" | "local", { near = t, offset = "+02:00" })`.
  static func zoneless(_ call: LuaCall, text: String, format: String) throws -> Int32 {
    let options = try call.value(3)
    var offset: Int64 = 0
    switch options["offset"] {
    case .nil: break
    case .integer(let i): offset = i
    case .number(let d): offset = Int64(d)
    case .string(let s):
      guard let seconds = UTCOffset.seconds(s.text) else {
        throw LuaRaise("pm.time.parse: offset '\(s.text)' is not +hh:mm, -hhmm or Z")
      }
      offset = Int64(seconds)
    default: throw LuaRaise("pm.time.parse: offset must be seconds or text such as +05:45")
    }
    let parsed: Timestamp?
    if format == "local" {
      parsed = TimeParser.parseLocal(text, offsetSeconds: offset)
    } else {
      let nearValue = options["near"]
      let near: Timestamp? =
        nearValue.doubleValue.flatMap { Timestamp(checkedSeconds: $0) }
        ?? nearValue.stringValue.flatMap { TimeParser.rfc3339($0) }
      guard let near else {
        throw LuaRaise(
          "pm.time.parse: \(format) times have no year: pass { near = a time (ctx.incident.start) } to choose it"
        )
      }
      parsed =
        format == "syslog"
        ? TimeParser.parseSyslog(text, near: near, offsetSeconds: offset)
        : TimeParser.parseKlog(text, near: near, offsetSeconds: offset)
    }
    guard let parsed else { return call.returning(.nil, .text("'\(text)' is not a \(format) time")) }
    return call.returning(.number(parsed.seconds))
  }

  static func time(_ lua: LuaState) -> LuaTable {
    var t = LuaTable()
    t["parse"] = lua.function { call in
      let text = try call.string(1, "pm.time.parse")
      let name = call.optionalString(2) ?? "rfc3339"
      if ["syslog", "klog", "local"].contains(name) {
        return try zoneless(call, text: text, format: name)
      }
      guard let format = TimeFormat(rawValue: name) else {
        throw LuaRaise(
          "pm.time.parse: unknown format '\(name)' (known: rfc3339, nginx, unix, syslog, klog, local)")
      }
      do {
        return call.returning(.number(try TimeParser.parse(text, format: format).seconds))
      } catch {
        return call.returning(.nil, .text("\(error)"))
      }
    }
    // For times a plugin computes itself (strptime-like formats, Unix milliseconds): the
    // model's range, as ctx.timeline:add would apply it, without raising.
    t["check"] = lua.function { call in
      let seconds = try call.number(1, "pm.time.check")
      guard Timestamp(checkedSeconds: seconds) != nil else {
        let shown =
          seconds.rounded() == seconds && abs(seconds) < 1e18 ? String(Int64(seconds)) : "\(seconds)"
        return call.returning(
          .nil, .text("\(shown) is outside the years 0001 to 9999 (\(Timestamp.modelRangeText))"))
      }
      return call.returning(.number(seconds))
    }
    t["format"] = lua.function { call in
      let seconds = try call.number(1, "pm.time.format")
      guard let time = Timestamp(checkedSeconds: seconds) else {
        throw LuaRaise("bad argument #1 to 'pm.time.format' (\(seconds) is not a time)")
      }
      let styles: [String: Timestamp.Style] = [
        "rfc3339": .rfc3339, "clock": .clock, "hm": .hourMinute, "date": .date, "datetime": .dateTime,
      ]
      let name = call.optionalString(2) ?? "rfc3339"
      guard let style = styles[name] else {
        throw LuaRaise("pm.time.format: unknown style '\(name)' (known: rfc3339, clock, hm, date, datetime)")
      }
      return call.returning(.text(time.formatted(style)))
    }
    t["duration"] = lua.function { call in
      let seconds = try call.number(1, "pm.time.duration")
      guard seconds.isFinite else { throw LuaRaise("pm.time.duration: \(seconds) is not a duration") }
      return call.returning(.text(formatDuration(seconds: Int64(seconds))))
    }
    return t
  }
}
