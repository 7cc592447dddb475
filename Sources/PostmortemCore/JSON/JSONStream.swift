/// Writes one pretty JSON object a member at a time, handing out its bytes in chunks, so
/// that a document far larger than memory allows as a tree (a million timeline rows) is
/// written in one pass. Its bytes are those of ``JSONValue/jsonText(pretty:)`` for the same
/// tree: keys in the order given (the caller sorts them), two-space indents.
///
/// ```swift
/// var stream = JSONStream { chunk in try file.write(chunk) }
/// try stream.open()
/// try stream.member("a", .int(1))
/// try stream.elements("b", rows) { try JSONValueEncoder().encode($0) }
/// try stream.close()   // {"a": 1, "b": [...]} and a newline
/// ```
public struct JSONStream {
  /// Bytes gathered before they are handed on.
  static let chunkSize = 256 << 10

  private var buffer: [UInt8] = []
  private var members = 0
  private let sink: ([UInt8]) throws -> Void
  private let writer = JSONWriter(pretty: true)

  /// A stream handing its bytes to `sink`, in order, in chunks.
  public init(sink: @escaping ([UInt8]) throws -> Void) {
    self.sink = sink
    buffer.reserveCapacity(Self.chunkSize + 4096)
  }

  /// Starts the top-level object.
  public mutating func open() {
    buffer.append(UInt8(ascii: "{"))
  }

  private mutating func key(_ name: String) throws {
    if members > 0 { buffer.append(UInt8(ascii: ",")) }
    members += 1
    writer.newline(&buffer, 1)
    JSONWriter.string(name, into: &buffer)
    buffer.append(contentsOf: ": ".utf8)
  }

  /// A member whose value is written whole.
  public mutating func member(_ name: String, _ value: JSONValue) throws {
    try key(name)
    writer.write(value, into: &buffer, level: 1)
    try flushIfFull()
  }

  /// A member whose value is an array, each element made into a tree only when it is written.
  public mutating func elements<S: Sequence>(
    _ name: String, _ items: S, _ tree: (S.Element) throws -> JSONValue
  ) throws {
    try key(name)
    var n = 0
    for item in items {
      element(n, level: 2)
      writer.write(try tree(item), into: &buffer, level: 2)
      n += 1
      try flushIfFull()
    }
    endArray(n, level: 1)
  }

  /// Starts the array's `n`th element (from 0) at `level`: `[` or `,`, then its line.
  private mutating func element(_ n: Int, level: Int) {
    buffer.append(UInt8(ascii: n == 0 ? "[" : ","))
    writer.newline(&buffer, level)
  }

  /// Ends an array of `n` elements whose member is at `level`.
  private mutating func endArray(_ n: Int, level: Int) {
    if n == 0 {
      buffer.append(contentsOf: "[]".utf8)
    } else {
      writer.newline(&buffer, level)
      buffer.append(UInt8(ascii: "]"))
    }
  }

  /// A member whose value is an array of objects: each object's members come from
  /// `members`, except `spliced`, an array whose elements `element` writes straight into
  /// the bytes at the level it is given (a series' points: no tree per point).
  public mutating func objects<S: Sequence, P: Sequence>(
    _ name: String, _ items: S, members: (S.Element) throws -> [String: JSONValue],
    spliced: String, _ array: (S.Element) -> P, _ element: (P.Element, inout [UInt8], Int) -> Void
  ) throws {
    try key(name)
    var n = 0
    for item in items {
      self.element(n, level: 2)
      var fields = try members(item)
      fields[spliced] = .null
      buffer.append(UInt8(ascii: "{"))
      for (k, field) in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
        if k > 0 { buffer.append(UInt8(ascii: ",")) }
        writer.newline(&buffer, 3)
        JSONWriter.string(field, into: &buffer)
        buffer.append(contentsOf: ": ".utf8)
        guard field == spliced else {
          writer.write(fields[field]!, into: &buffer, level: 3)
          continue
        }
        var m = 0
        for value in array(item) {
          self.element(m, level: 4)
          element(value, &buffer, 4)
          m += 1
          if m & 1023 == 0 { try flushIfFull() }
        }
        endArray(m, level: 3)
      }
      writer.newline(&buffer, 2)
      buffer.append(UInt8(ascii: "}"))
      n += 1
      try flushIfFull()
    }
    endArray(n, level: 1)
  }

  /// Ends the object (and the document, with a newline) and hands on what is left.
  public mutating func close() throws {
    if members == 0 {
      buffer.append(UInt8(ascii: "}"))
    } else {
      writer.newline(&buffer, 0)
      buffer.append(UInt8(ascii: "}"))
    }
    buffer.append(0x0A)
    try sink(buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  private mutating func flushIfFull() throws {
    guard buffer.count >= Self.chunkSize else { return }
    try sink(buffer)
    buffer.removeAll(keepingCapacity: true)
  }
}
