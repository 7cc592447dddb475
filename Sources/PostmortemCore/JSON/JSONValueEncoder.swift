/// Turns any `Encodable` into a ``JSONValue`` tree, keeping ints and doubles apart.
///
/// Optionals encoded with `encode` (not `encodeIfPresent`) become ``JSONValue/null``.
///
/// ```swift
/// let tree = try JSONValueEncoder().encode(report)
/// print(tree.jsonText(pretty: true))
/// ```
public struct JSONValueEncoder: Sendable {
  /// A new encoder.
  public init() {}

  /// The JSON tree of `value`.
  public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
    let storage = EncodingStorage()
    try encodeAny(value, into: storage, path: [])
    return storage.resolve()
  }
}

/// A node under construction; containers hand out child nodes and fill them later.
final class EncodingStorage {
  enum Kind {
    case empty
    case value(JSONValue)
    case object([String: EncodingStorage])
    case array([EncodingStorage])
  }

  var kind: Kind = .empty

  func set(_ value: JSONValue) { kind = .value(value) }

  func makeObject() {
    if case .object = kind { return }
    kind = .object([:])
  }

  func makeArray() {
    if case .array = kind { return }
    kind = .array([])
  }

  func child(_ key: String) -> EncodingStorage {
    makeObject()
    guard case .object(var members) = kind else { fatalError("unreachable") }
    if let existing = members[key] { return existing }
    // Emptied first, so that the dictionary is not shared and grows in place (a copy per
    // member would make encoding quadratic).
    kind = .empty
    let node = EncodingStorage()
    members[key] = node
    kind = .object(members)
    return node
  }

  func append() -> EncodingStorage {
    makeArray()
    guard case .array(var elements) = kind else { fatalError("unreachable") }
    kind = .empty  // not shared: appended in place, not copied per element
    let node = EncodingStorage()
    elements.append(node)
    kind = .array(elements)
    return node
  }

  var count: Int {
    if case .array(let elements) = kind { return elements.count }
    return 0
  }

  func resolve() -> JSONValue {
    switch kind {
    case .empty: return .object([:])
    case .value(let v): return v
    case .object(let members): return .object(members.mapValues { $0.resolve() })
    case .array(let elements): return .array(elements.map { $0.resolve() })
    }
  }
}

/// The JSON value of a primitive, or `nil` for a type that encodes itself.
func primitiveJSON<T: Encodable>(_ value: T) -> JSONValue? {
  switch value {
  case let v as JSONValue: return v
  case let v as String: return .string(v)
  case let v as Bool: return .bool(v)
  case let v as Double: return .double(v)
  case let v as Float: return .double(Double(v))
  case let v as Int: return .int(Int64(v))
  case let v as Int64: return .int(v)
  case let v as Int32: return .int(Int64(v))
  case let v as Int16: return .int(Int64(v))
  case let v as Int8: return .int(Int64(v))
  case let v as UInt: return Int64(exactly: v).map(JSONValue.int) ?? .double(Double(v))
  case let v as UInt64: return Int64(exactly: v).map(JSONValue.int) ?? .double(Double(v))
  case let v as UInt32: return .int(Int64(v))
  case let v as UInt16: return .int(Int64(v))
  case let v as UInt8: return .int(Int64(v))
  default: return nil
  }
}

func encodeAny<T: Encodable>(_ value: T, into storage: EncodingStorage, path: [any CodingKey])
  throws
{
  if let p = primitiveJSON(value) {
    storage.set(p)
  } else {
    try value.encode(to: TreeEncoder(storage: storage, codingPath: path))
  }
}

/// A key for array elements and `super` in coding paths.
struct IndexKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(stringValue: String) { self.stringValue = stringValue }
  init(intValue: Int) {
    self.stringValue = String(intValue)
    self.intValue = intValue
  }
}

final class TreeEncoder: Encoder {
  let storage: EncodingStorage
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(storage: EncodingStorage, codingPath: [any CodingKey]) {
    self.storage = storage
    self.codingPath = codingPath
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    storage.makeObject()
    return KeyedEncodingContainer(TreeKeyedEncoding<Key>(storage: storage, codingPath: codingPath))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    storage.makeArray()
    return TreeUnkeyedEncoding(storage: storage, codingPath: codingPath)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    TreeSingleEncoding(storage: storage, codingPath: codingPath)
  }
}

struct TreeKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let storage: EncodingStorage
  let codingPath: [any CodingKey]

  mutating func encodeNil(forKey key: Key) throws {
    storage.child(key.stringValue).set(.null)
  }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try encodeAny(value, into: storage.child(key.stringValue), path: codingPath + [key])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    let child = storage.child(key.stringValue)
    child.makeObject()
    return KeyedEncodingContainer(
      TreeKeyedEncoding<NestedKey>(storage: child, codingPath: codingPath + [key]))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let child = storage.child(key.stringValue)
    child.makeArray()
    return TreeUnkeyedEncoding(storage: child, codingPath: codingPath + [key])
  }

  mutating func superEncoder() -> any Encoder {
    TreeEncoder(
      storage: storage.child("super"), codingPath: codingPath + [IndexKey(stringValue: "super")])
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    TreeEncoder(storage: storage.child(key.stringValue), codingPath: codingPath + [key])
  }
}

struct TreeUnkeyedEncoding: UnkeyedEncodingContainer {
  let storage: EncodingStorage
  let codingPath: [any CodingKey]
  var count: Int { storage.count }

  private var nextPath: [any CodingKey] { codingPath + [IndexKey(intValue: count)] }

  mutating func encodeNil() throws { storage.append().set(.null) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let path = nextPath
    try encodeAny(value, into: storage.append(), path: path)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let path = nextPath
    let child = storage.append()
    child.makeObject()
    return KeyedEncodingContainer(TreeKeyedEncoding<NestedKey>(storage: child, codingPath: path))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let path = nextPath
    let child = storage.append()
    child.makeArray()
    return TreeUnkeyedEncoding(storage: child, codingPath: path)
  }

  mutating func superEncoder() -> any Encoder {
    let path = nextPath
    return TreeEncoder(storage: storage.append(), codingPath: path)
  }
}

struct TreeSingleEncoding: SingleValueEncodingContainer {
  let storage: EncodingStorage
  let codingPath: [any CodingKey]

  mutating func encodeNil() throws { storage.set(.null) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    try encodeAny(value, into: storage, path: codingPath)
  }
}
