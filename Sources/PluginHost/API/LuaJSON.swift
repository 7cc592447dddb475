import LuaBridge
import PostmortemCore

/// Converts between Lua values and JSON values at the plugin boundary.
package enum LuaJSON {
  /// `pm.json.null`: the light userdata NULL.
  static let null: LuaValue = .lightUserdata(0)

  /// JSON to Lua. `null` becomes `pm.json.null`, or is left out of objects when
  /// `omitNullFields` (ctx.report.get(): absent reads better than a sentinel).
  package static func lua(_ value: JSONValue, omitNullFields: Bool = false) -> LuaValue {
    switch value {
    case .null: return null
    case .bool(let b): return .boolean(b)
    case .int(let i): return .integer(i)
    case .double(let d): return .number(d)
    case .string(let s): return .text(s)
    case .array(let items):
      return .table(LuaTable(array: items.map { lua($0, omitNullFields: omitNullFields) }))
    case .object(let object):
      var table = LuaTable()
      for (key, element) in object {
        if omitNullFields, element.isNull { continue }
        table.fields[.text(key)] = lua(element, omitNullFields: omitNullFields)
      }
      return .table(table)
    }
  }

  package struct EncodeError: Error, CustomStringConvertible {
    package var description: String
  }

  /// Lua to JSON. A table with keys exactly 1...n is an array (an empty table too);
  /// string keys make an object; NaN, infinities, functions and mixed tables are errors
  /// naming the path (`$.labels[2]`).
  package static func json(_ value: LuaValue, path: String = "$") throws(EncodeError) -> JSONValue {
    switch value {
    case .nil: return .null
    case .lightUserdata(0): return .null
    case .boolean(let b): return .bool(b)
    case .integer(let i): return .int(i)
    case .number(let d):
      guard d.isFinite else { throw EncodeError(description: "\(path): \(d) cannot be written as JSON") }
      return .double(d)
    case .string(let s): return .string(s.text)
    case .table(let t):
      if t.fields.isEmpty {
        var items: [JSONValue] = []
        for (i, element) in t.array.enumerated() {
          items.append(try json(element, path: "\(path)[\(i + 1)]"))
        }
        return .array(items)
      }
      guard t.array.isEmpty else {
        throw EncodeError(
          description: "\(path): a table with both list items and named keys cannot be written as JSON")
      }
      var object: [String: JSONValue] = [:]
      for (key, element) in t.fields {
        let name: String
        switch key {
        case .string(let s): name = s.text
        case .integer(let i): name = String(i)
        default:
          throw EncodeError(description: "\(path): key of type \(key.typeName) cannot be written as JSON")
        }
        object[name] = try json(element, path: "\(path).\(name)")
      }
      return .object(object)
    default:
      throw EncodeError(description: "\(path): a \(value.typeName) cannot be written as JSON")
    }
  }
}
