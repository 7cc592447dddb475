/// A Lua value seen from Swift.
///
/// Data (nil, booleans, integers, floats, byte strings, tables) is copied; functions,
/// userdata and threads stay in their state and are referred to by a ``LuaRef``.
///
/// ```swift
/// let v: LuaValue = .table(LuaTable(array: [1, 2.5, "x"], fields: ["ok": true]))
/// ```
public enum LuaValue: Hashable, Sendable {
  case `nil`
  case boolean(Bool)
  /// Lua integers and floats stay apart, as in Lua 5.4.
  case integer(Int64)
  case number(Double)
  /// Byte-exact: may hold NUL bytes and invalid UTF-8.
  case string(LuaString)
  case table(LuaTable)
  case function(LuaRef)
  case userdata(LuaRef)
  case thread(LuaRef)
  case lightUserdata(UInt)

  /// The Lua type name (`"nil"`, `"number"`, `"string"`, ...).
  public var typeName: String {
    switch self {
    case .nil: "nil"
    case .boolean: "boolean"
    case .integer, .number: "number"
    case .string: "string"
    case .table: "table"
    case .function: "function"
    case .userdata, .lightUserdata: "userdata"
    case .thread: "thread"
    }
  }

  /// Lua truthiness: only nil and false are false.
  public var isTruthy: Bool {
    switch self {
    case .nil, .boolean(false): false
    default: true
    }
  }

  public var isNil: Bool { if case .nil = self { true } else { false } }

  /// The string as Swift text (invalid UTF-8 repaired), or nil when not a string.
  public var stringValue: String? {
    if case .string(let s) = self { s.text } else { nil }
  }

  /// An integer, or a float with an exact integer value.
  public var intValue: Int64? {
    switch self {
    case .integer(let i): i
    case .number(let d): Int64(exactly: d)
    default: nil
    }
  }

  /// Any number as a Double.
  public var doubleValue: Double? {
    switch self {
    case .integer(let i): Double(i)
    case .number(let d): d
    default: nil
    }
  }

  public var boolValue: Bool? { if case .boolean(let b) = self { b } else { nil } }
  public var tableValue: LuaTable? { if case .table(let t) = self { t } else { nil } }

  /// Field lookup for table values (nil for anything else).
  public subscript(key: String) -> LuaValue {
    tableValue?[key] ?? .nil
  }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
  public init(stringLiteral value: String) { self = .string(LuaString(value)) }
  public init(integerLiteral value: Int64) { self = .integer(value) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(booleanLiteral value: Bool) { self = .boolean(value) }
  public init(nilLiteral: ()) { self = .nil }
}

extension LuaValue {
  /// A Lua string from Swift text.
  public static func text(_ s: String) -> LuaValue { .string(LuaString(s)) }
  /// A Lua string, or nil when `s` is nil.
  public static func optionalText(_ s: String?) -> LuaValue { s.map { .text($0) } ?? .nil }
  /// An array table of strings.
  public static func list(_ items: [String]) -> LuaValue {
    .table(LuaTable(array: items.map { .text($0) }))
  }
}

/// A byte string as Lua keeps it.
public struct LuaString: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  public var bytes: [UInt8]

  public init(bytes: [UInt8]) { self.bytes = bytes }
  public init(_ text: String) { self.bytes = Array(text.utf8) }
  public init(stringLiteral value: String) { self.init(value) }

  /// Swift text; invalid UTF-8 sequences become U+FFFD.
  public var text: String { String(decoding: bytes, as: UTF8.self) }
  /// Swift text only when the bytes are valid UTF-8.
  public var validText: String? { String(validating: bytes, as: UTF8.self) }
  public var description: String { text }
}

/// A reference to a value that lives in a ``LuaState`` (function, userdata, thread).
/// Valid only in the state that made it, until that state closes.
public struct LuaRef: Hashable, Sendable {
  public let id: Int32
  let stateID: ObjectIdentifier?

  init(id: Int32, stateID: ObjectIdentifier) {
    self.id = id
    self.stateID = stateID
  }
}

/// A Lua table copied into Swift: its sequence part `1...n` and its other keys.
public struct LuaTable: Hashable, Sendable {
  /// Values at keys 1...n (no holes).
  public var array: [LuaValue]
  /// Every other key.
  public var fields: [LuaValue: LuaValue]

  public init(array: [LuaValue] = [], fields: [LuaValue: LuaValue] = [:]) {
    self.array = array
    self.fields = fields
  }

  public init(array: [LuaValue] = [], fields: [String: LuaValue]) {
    self.array = array
    self.fields = Dictionary(uniqueKeysWithValues: fields.map { (LuaValue.text($0.key), $0.value) })
  }

  public subscript(key: String) -> LuaValue {
    get { fields[.text(key)] ?? .nil }
    set {
      if newValue.isNil { fields[.text(key)] = nil } else { fields[.text(key)] = newValue }
    }
  }

  /// The value at Lua index `i` (1-based), nil past the end.
  public subscript(index i: Int) -> LuaValue {
    i >= 1 && i <= array.count ? array[i - 1] : .nil
  }

  public var isEmpty: Bool { array.isEmpty && fields.isEmpty }

  /// The string-keyed fields, for option tables and records.
  public var stringFields: [(key: String, value: LuaValue)] {
    fields.compactMap { key, value in key.stringValue.map { ($0, value) } }
      .sorted { $0.key < $1.key }
  }
}
