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
    pm["base64"] = .table(base64(lua))
    pm["template"] = .table(TemplateLibrary.table(lua))
    pm["version"] = .text(PMHostVersion.current)
    lua.setGlobal("pm", .table(pm))
  }

  static func json(_ lua: LuaState) -> LuaTable {
    var t = LuaTable()
    t["null"] = LuaJSON.null
    // `unowned`: the state owns its functions; a strong capture would keep it alive forever.
    t["decode"] = APIReference.bind(lua, "pm.json.decode") { [unowned lua] args in
      let call = args.call
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
    t["array"] = APIReference.bind(lua, "pm.json.array") { args in
      let call = args.call
      return call.count >= 1 && !call.isNil(1)
        ? call.returning(args[1]) : call.returning(.table(LuaTable()))
    }
    t["encode"] = APIReference.bind(lua, "pm.json.encode") { args in
      let call = args.call
      let value = args[1]
      let pretty = args[2]["pretty"].isTruthy
      do {
        return call.returning(.text(try LuaJSON.json(value).jsonText(pretty: pretty)))
      } catch {
        throw LuaRaise("pm.json.encode: \(error)")
      }
    }
    return t
  }

  /// Base64 (RFC 4648, with padding) of byte strings: an `Authorization: Basic` header,
  /// a token a store hands out encoded. Bytes in, bytes out: no UTF-8 assumed.
  static func base64(_ lua: LuaState) -> LuaTable {
    var t = LuaTable()
    t["encode"] = APIReference.bind(lua, "pm.base64.encode") { args in
      let call = args.call
      guard case .string(let s) = args[1] else {
        throw LuaRaise("bad argument #1 to 'pm.base64.encode' (string expected, got \(call.typeName(1)))")
      }
      return call.returning(.text(Data(s.bytes).base64EncodedString()))
    }
    t["decode"] = APIReference.bind(lua, "pm.base64.decode") { args in
      let call = args.call
      let text = try call.string(1, "pm.base64.decode")
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard let data = Data(base64Encoded: trimmed) else {
        return call.returning(.nil, .text("not base64 (RFC 4648, with padding)"))
      }
      return call.returning(.string(LuaString(bytes: [UInt8](data))))
    }
    return t
  }

  static func yaml(_ lua: LuaState) -> LuaTable {
    var t = LuaTable()
    t["decode"] = APIReference.bind(lua, "pm.yaml.decode") { args in
      let call = args.call
      let text = try call.string(1, "pm.yaml.decode")
      // The file the text came from, for the error: `pm.yaml.decode(ctx.fs.read(p), p)`.
      let name = call.isNil(2) ? nil : try call.string(2, "pm.yaml.decode")
      do {
        return call.returning(LuaJSON.lua(try JSONValue.parseYAML(text), omitNullFields: true))
      } catch {
        throw LuaRaise("pm.yaml.decode: \(name.map { "\($0): " } ?? "")\(error)")
      }
    }
    t["encode"] = APIReference.bind(lua, "pm.yaml.encode") { args in
      let call = args.call
      do {
        let value = try LuaJSON.json(args[1])
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
    t["parse"] = APIReference.bind(lua, "pm.time.parse") { args in
      let call = args.call
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
    // model's range, as ctx.timeline.add would apply it, without raising.
    t["check"] = APIReference.bind(lua, "pm.time.check") { args in
      let call = args.call
      let seconds = try call.number(1, "pm.time.check")
      guard Timestamp(checkedSeconds: seconds) != nil else {
        let shown =
          seconds.rounded() == seconds && abs(seconds) < 1e18 ? String(Int64(seconds)) : "\(seconds)"
        return call.returning(
          .nil, .text("\(shown) is outside the years 0001 to 9999 (\(Timestamp.modelRangeText))"))
      }
      return call.returning(.number(seconds))
    }
    t["format"] = APIReference.bind(lua, "pm.time.format") { args in
      let call = args.call
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
    t["duration"] = APIReference.bind(lua, "pm.time.duration") { args in
      let call = args.call
      let seconds = try call.number(1, "pm.time.duration")
      guard seconds.isFinite else { throw LuaRaise("pm.time.duration: \(seconds) is not a duration") }
      return call.returning(.text(formatDuration(seconds: Int64(seconds))))
    }
    return t
  }
}
