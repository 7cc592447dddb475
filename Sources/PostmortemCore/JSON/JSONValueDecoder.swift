/// Decodes any `Decodable` from a ``JSONValue`` tree (for example one parsed with
/// ``JSONValue/parse(_:)-(Data)`` or built from a Lua table).
///
/// Numbers convert where exact: an int decodes as `Double`, a double with an integral value
/// as `Int`. ``JSONValue`` fields receive the subtree as is.
///
/// ```swift
/// let item = try JSONValueDecoder().decode(ActionItem.self, from: ["id": "AI-001", "action": "Add alert"])
/// ```
public struct JSONValueDecoder: Sendable {
  /// A new decoder.
  public init() {}

  /// Decodes a `T` from `value`.
  public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
    try decodeAny(type, from: value, path: [])
  }
}

extension JSONValue {
  /// A short name of this value's kind for messages: `string`, `number`, `object`...
  public var kindName: String {
    switch self {
    case .null: return "null"
    case .bool: return "boolean"
    case .int: return "integer"
    case .double: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }
}

func typeMismatch<T>(
  _ type: T.Type, _ value: JSONValue, _ path: [any CodingKey], _ expected: String
)
  -> DecodingError
{
  DecodingError.typeMismatch(
    type, .init(codingPath: path, debugDescription: "expected \(expected), found \(value.kindName)")
  )
}

func decodeInteger<I: FixedWidthInteger>(
  _ type: I.Type, from value: JSONValue, path: [any CodingKey]
) throws -> I {
  switch value {
  case .int(let i):
    if let v = I(exactly: i) { return v }
  case .double(let d):
    if let v = I(exactly: d) { return v }
  default:
    throw typeMismatch(type, value, path, "an integer")
  }
  throw DecodingError.dataCorrupted(
    .init(codingPath: path, debugDescription: "number \(value.jsonText()) does not fit \(type)"))
}

func decodeAny<T: Decodable>(_ type: T.Type, from value: JSONValue, path: [any CodingKey]) throws
  -> T
{
  if T.self == JSONValue.self { return value as! T }
  if T.self == String.self {
    guard case .string(let s) = value else { throw typeMismatch(type, value, path, "a string") }
    return s as! T
  }
  if T.self == Bool.self {
    guard case .bool(let b) = value else { throw typeMismatch(type, value, path, "a boolean") }
    return b as! T
  }
  if T.self == Double.self || T.self == Float.self {
    guard let d = value.doubleValue else { throw typeMismatch(type, value, path, "a number") }
    return (T.self == Double.self ? d as Any : Float(d) as Any) as! T
  }
  if let integer = T.self as? any FixedWidthInteger.Type {
    return try decodeInteger(integer, from: value, path: path) as! T
  }
  return try T(from: TreeDecoder(value: value, codingPath: path))
}

final class TreeDecoder: Decoder {
  let value: JSONValue
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(value: JSONValue, codingPath: [any CodingKey]) {
    self.value = value
    self.codingPath = codingPath
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let members) = value else {
      throw typeMismatch([String: JSONValue].self, value, codingPath, "an object")
    }
    return KeyedDecodingContainer(TreeKeyedDecoding<Key>(members: members, codingPath: codingPath))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let elements) = value else {
      throw typeMismatch([JSONValue].self, value, codingPath, "an array")
    }
    return TreeUnkeyedDecoding(elements: elements, codingPath: codingPath)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer {
    TreeSingleDecoding(value: value, codingPath: codingPath)
  }
}

struct TreeKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let members: [String: JSONValue]
  let codingPath: [any CodingKey]

  var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

  func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

  private func member(_ key: Key) throws -> JSONValue {
    guard let v = members[key.stringValue] else {
      throw DecodingError.keyNotFound(
        key, .init(codingPath: codingPath, debugDescription: "missing field '\(key.stringValue)'"))
    }
    return v
  }

  func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }

  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try decodeAny(type, from: member(key), path: codingPath + [key])
  }

  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try TreeDecoder(value: member(key), codingPath: codingPath + [key]).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try TreeDecoder(value: member(key), codingPath: codingPath + [key]).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    TreeDecoder(
      value: members["super"] ?? .null, codingPath: codingPath + [IndexKey(stringValue: "super")])
  }

  func superDecoder(forKey key: Key) throws -> any Decoder {
    TreeDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
  }
}

struct TreeUnkeyedDecoding: UnkeyedDecodingContainer {
  let elements: [JSONValue]
  let codingPath: [any CodingKey]
  var currentIndex = 0

  init(elements: [JSONValue], codingPath: [any CodingKey]) {
    self.elements = elements
    self.codingPath = codingPath
  }

  var count: Int? { elements.count }
  var isAtEnd: Bool { currentIndex >= elements.count }

  private var path: [any CodingKey] { codingPath + [IndexKey(intValue: currentIndex)] }

  private func current<T>(_ type: T.Type) throws -> JSONValue {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(
        type, .init(codingPath: path, debugDescription: "no more elements in the array"))
    }
    return elements[currentIndex]
  }

  mutating func decodeNil() throws -> Bool {
    guard try current(JSONValue.self) == .null else { return false }
    currentIndex += 1
    return true
  }

  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    let v = try decodeAny(type, from: current(type), path: path)
    currentIndex += 1
    return v
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    let c = try TreeDecoder(value: current(JSONValue.self), codingPath: path).container(
      keyedBy: type)
    currentIndex += 1
    return c
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    let c = try TreeDecoder(value: current(JSONValue.self), codingPath: path).unkeyedContainer()
    currentIndex += 1
    return c
  }

  mutating func superDecoder() throws -> any Decoder {
    let d = TreeDecoder(value: try current(JSONValue.self), codingPath: path)
    currentIndex += 1
    return d
  }
}

struct TreeSingleDecoding: SingleValueDecodingContainer {
  let value: JSONValue
  let codingPath: [any CodingKey]

  func decodeNil() -> Bool { value == .null }

  func decode<T: Decodable>(_ type: T.Type) throws -> T {
    try decodeAny(type, from: value, path: codingPath)
  }
}
