import LuaBridge
import PostmortemCore

/// The type of a parameter, a result or a table field in the pm API's one declaration
/// (``APIReference``). The binding checks every argument against it before a function runs,
/// and `pmhost api` turns it into the reference, the LuaLS annotations and JSON.
public indirect enum APIType: Sendable {
  case string, number, integer, boolean, function
  /// Any value but nil.
  case any
  /// Any table (a Mustache view, report.json's shape): where no narrower shape applies.
  case table
  /// A time: Unix seconds, or an RFC 3339 string.
  case time
  /// One of the given strings.
  case oneOf([String])
  /// An array (keys 1..n) of the element type; `{}` is an empty list.
  case list(APIType)
  /// A table with string keys and values of the given type.
  case map(APIType)
  /// A table with the named fields of the shape, and no others.
  case shape(APIShape)
  case optional(APIType)
  case either([APIType])
  /// A result only, written as LuaLS writes it (an iterator, an object with methods).
  case lua(String)

  /// How LuaLS writes the type.
  var luaLS: String {
    switch self {
    case .string: "string"
    case .number: "number"
    case .integer: "integer"
    case .boolean: "boolean"
    case .function: "function"
    case .any: "any"
    case .table: "table"
    case .time: "number|string"
    case .oneOf(let values): values.map { "\"\($0)\"" }.joined(separator: "|")
    case .list(let element):
      switch element {
      case .either, .oneOf, .time, .optional: "(\(element.luaLS))[]"
      default: "\(element.luaLS)[]"
      }
    case .map(let value): "table<string, \(value.luaLS)>"
    case .shape(let shape): shape.className
    case .optional(let inner):
      switch inner {
      case .either, .oneOf, .time: "(\(inner.luaLS))?"
      default: inner.luaLS + "?"
      }
    case .either(let types): types.map(\.luaLS).joined(separator: "|")
    case .lua(let text): text
    }
  }

  /// How the reference and error messages write the type.
  var shown: String {
    switch self {
    case .time: "time (seconds or RFC 3339)"
    case .oneOf(let values): "one of " + values.joined(separator: ", ")
    case .list(let element): "list of \(element.shown)"
    case .map(let value): "table of name -> \(value.shown)"
    case .shape(let shape): shape.name
    case .optional(let inner): inner.shown + " or nil"
    case .either(let types): types.map(\.shown).joined(separator: " or ")
    default: luaLS
    }
  }

  var isOptional: Bool { if case .optional = self { true } else { false } }

  /// The shapes this type names, at any depth.
  var shapes: [APIShape] {
    switch self {
    case .shape(let s): [s] + s.fields.flatMap(\.type.shapes)
    case .list(let t), .map(let t), .optional(let t): t.shapes
    case .either(let ts): ts.flatMap(\.shapes)
    default: []
    }
  }

  /// JSON for `pmhost api --json`.
  var json: JSONValue {
    switch self {
    case .oneOf(let values): .object(["one_of": .array(values.map { .string($0) })])
    case .list(let t): .object(["list": t.json])
    case .map(let t): .object(["map": t.json])
    case .shape(let s): .object(["shape": .string(s.name)])
    case .optional(let t): .object(["optional": t.json])
    case .either(let ts): .object(["either": .array(ts.map(\.json))])
    case .lua(let text): .object(["lua": .string(text)])
    default: .string(luaLS)
    }
  }

  /// Why `value` is not of this type (`field 'kind': string expected, got nil`), or nil.
  func mismatch(_ value: LuaValue, at path: String = "") -> String? {
    func fail(_ expected: String) -> String {
      (path.isEmpty ? "" : "\(path): ") + "\(expected) expected, got \(Self.describe(value))"
    }
    switch self {
    case .optional(let inner): return value.isNil ? nil : inner.mismatch(value, at: path)
    case .any, .lua: return value.isNil ? fail("a value") : nil
    case .string: return value.stringValue == nil ? fail("string") : nil
    case .number: return value.doubleValue == nil ? fail("number") : nil
    case .integer: return value.intValue == nil ? fail("integer") : nil
    case .boolean: return value.boolValue == nil ? fail("boolean") : nil
    case .table: return value.tableValue == nil ? fail("table") : nil
    case .function: if case .function = value { return nil } else { return fail("function") }
    case .time:
      return value.doubleValue == nil && value.stringValue == nil
        ? fail("time (seconds or an RFC 3339 string)") : nil
    case .oneOf(let values):
      guard let s = value.stringValue, values.contains(s) else {
        return fail("one of " + values.map { "\"\($0)\"" }.joined(separator: ", "))
      }
      return nil
    case .either(let types):
      return types.contains(where: { $0.mismatch(value) == nil }) ? nil : fail(shown)
    case .list(let element):
      guard case .table(let t) = value, t.fields.isEmpty else { return fail(shown) }
      for (i, item) in t.array.enumerated() {
        if let problem = element.mismatch(item, at: "\(path)[\(i + 1)]") { return problem }
      }
      return nil
    case .map(let element):
      guard case .table(let t) = value, t.array.isEmpty else { return fail(shown) }
      for (key, item) in t.fields {
        guard let name = key.stringValue else {
          return (path.isEmpty ? "" : "\(path): ") + "keys must be names, got \(Self.describe(key))"
        }
        if let problem = element.mismatch(item, at: Self.join(path, name)) { return problem }
      }
      return nil
    case .shape(let shape):
      guard case .table(let t) = value else { return fail("table (\(shape.name))") }
      // An empty shape-less table is `{}`: its array part is only a problem when it holds items.
      if !t.array.isEmpty {
        return (path.isEmpty ? "" : "\(path): ")
          + "a table of named fields (\(shape.name)) expected, got a list of \(t.array.count)"
      }
      if !shape.open {
        for key in t.fields.keys {
          guard let name = key.stringValue, shape.field(name) != nil else {
            return (path.isEmpty ? "" : "\(path): ")
              + "unknown field \(Self.describe(key, quoted: true)) (known: \(shape.fields.map(\.name).joined(separator: ", ")))"
          }
        }
      }
      for field in shape.fields {
        if let problem = field.type.mismatch(t[field.name], at: Self.join(path, field.name)) {
          return problem
        }
      }
      return nil
    }
  }

  static func join(_ path: String, _ name: String) -> String {
    path.isEmpty ? "field '\(name)'" : "\(path).\(name)"
  }

  static func describe(_ value: LuaValue, quoted: Bool = false) -> String {
    if let s = value.stringValue {
      let short = s.count > 40 ? String(s.prefix(40)) + "..." : s
      return quoted ? "'\(short)'" : "\(value.typeName) \"\(short)\""
    }
    if case .table(let t) = value, t.isEmpty { return "empty table" }
    return value.typeName
  }
}

/// A table's fields, named in the declaration: the shape of an event, a factor, options.
public struct APIShape: Sendable {
  public var name: String
  public var doc: String
  public var fields: [APIField]
  /// Open shapes take fields beyond those named (none of the declared ones is open today).
  public var open: Bool

  init(_ name: String, _ doc: String, open: Bool = false, _ fields: [APIField]) {
    self.name = name
    self.doc = doc
    self.fields = fields
    self.open = open
  }

  func field(_ name: String) -> APIField? { fields.first { $0.name == name } }

  var className: String { "pmhost." + name }
}

/// A parameter, a result or a field: a name, a type and what it is for.
public struct APIField: Sendable {
  public var name: String
  public var type: APIType
  public var doc: String

  init(_ name: String, _ type: APIType, _ doc: String = "") {
    self.name = name
    self.type = type
    self.doc = doc
  }
}
