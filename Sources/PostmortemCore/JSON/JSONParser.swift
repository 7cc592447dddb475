import Foundation

extension JSONValue {
  /// Parses JSON text (RFC 8259). Integers without fraction or exponent that fit `Int64`
  /// become ``int(_:)``; other numbers ``double(_:)``. Errors name the line and column.
  ///
  /// `maxBytes` bounds what the value takes, counted as it is built: three slots of a value
  /// (its own, and room for its list or map to grow) for each value and key, plus the UTF-8
  /// bytes of each string and key.
  /// Past it the parse stops with an error whose ``JSONParseError/tooBig`` is true: a small
  /// text of many small values (`[[],[],...]`) takes many times its size once decoded.
  ///
  /// ```swift
  /// try JSONValue.parse(#"[1, 1.0, "x"]"#)  // [.int(1), .double(1.0), .string("x")]
  /// ```
  public static func parse(_ data: Data, maxBytes: Int = .max) throws(JSONParseError) -> JSONValue {
    let result: Result<JSONValue, JSONParseError> = data.withUnsafeBytes { raw in
      var parser = JSONParser(raw.bindMemory(to: UInt8.self), maxBytes: maxBytes)
      do throws(JSONParseError) { return .success(try parser.document()) } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Parses JSON text from a string. See ``parse(_:maxBytes:)-(Data,_)``.
  public static func parse(_ text: String, maxBytes: Int = .max) throws(JSONParseError) -> JSONValue {
    try parse(Data(text.utf8), maxBytes: maxBytes)
  }
}

/// A recursive-descent JSON parser over UTF-8 bytes.
struct JSONParser {
  let bytes: UnsafeBufferPointer<UInt8>
  var index = 0
  var depth = 0
  static let maxDepth = 512
  /// The most bytes the value may take, and the bytes it takes so far.
  let maxBytes: Int
  var used = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>, maxBytes: Int = .max) {
    self.bytes = bytes
    self.maxBytes = maxBytes
  }

  /// Bytes counted for each value and key: its slot in the list or map that holds it, and
  /// room for that list or map to grow (its capacity doubles, and is copied as it does).
  /// Measured: 8 million `[]` under memory_mb = 96 peaked at 248 MB with 16 bytes a value.
  static let perValue = 3 * MemoryLayout<JSONValue>.stride

  /// Counts a value (or key) of `text` string bytes against `maxBytes`.
  mutating func spend(text: Int = 0) throws(JSONParseError) {
    used += Self.perValue + text
    guard used > maxBytes else { return }
    var error = fail("the decoded value takes more than the \(maxBytes) bytes it may take")
    error.tooBig = true
    throw error
  }

  mutating func document() throws(JSONParseError) -> JSONValue {
    // A UTF-8 byte order mark is tolerated.
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    skipSpace()
    let v = try value()
    skipSpace()
    guard index == bytes.count else { throw fail("unexpected text after the JSON value") }
    return v
  }

  func fail(_ message: String, at position: Int? = nil) -> JSONParseError {
    let end = min(position ?? index, bytes.count)
    var line = 1
    var lineStart = 0
    var i = 0
    while i < end {
      if bytes[i] == 0x0A {
        line += 1
        lineStart = i + 1
      }
      i += 1
    }
    return JSONParseError(line: line, column: end - lineStart + 1, message: message)
  }

  var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

  mutating func skipSpace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParseError)
    -> JSONValue
  {
    let count = word.utf8CodeUnitCount
    guard index + count <= bytes.count else { throw fail("expected a value") }
    let w = word.utf8Start
    for k in 0..<count where bytes[index + k] != w[k] { throw fail("expected a value") }
    index += count
    return value
  }

  mutating func value() throws(JSONParseError) -> JSONValue {
    guard let b = peek else { throw fail("unexpected end of JSON, expected a value") }
    if b == UInt8(ascii: "\"") {
      let s = try string()
      try spend(text: s.utf8.count)
      return .string(s)
    }
    try spend()
    switch b {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw fail("expected a value")
    }
  }

  mutating func enter() throws(JSONParseError) {
    depth += 1
    guard depth <= Self.maxDepth else {
      throw fail("JSON nested deeper than \(Self.maxDepth) levels")
    }
  }

  mutating func object() throws(JSONParseError) -> JSONValue {
    try enter()
    index += 1
    var members: [String: JSONValue] = [:]
    skipSpace()
    if peek == UInt8(ascii: "}") {
      index += 1
      depth -= 1
      return .object(members)
    }
    while true {
      skipSpace()
      guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
      let key = try string()
      try spend(text: key.utf8.count)
      skipSpace()
      guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after an object key") }
      index += 1
      skipSpace()
      members[key] = try value()
      skipSpace()
      switch peek {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "}"):
        index += 1
        depth -= 1
        return .object(members)
      default: throw fail("expected ',' or '}'")
      }
    }
  }

  mutating func array() throws(JSONParseError) -> JSONValue {
    try enter()
    index += 1
    var elements: [JSONValue] = []
    skipSpace()
    if peek == UInt8(ascii: "]") {
      index += 1
      depth -= 1
      return .array(elements)
    }
    while true {
      skipSpace()
      elements.append(try value())
      skipSpace()
      switch peek {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "]"):
        index += 1
        depth -= 1
        return .array(elements)
      default: throw fail("expected ',' or ']'")
      }
    }
  }

  mutating func hex4() throws(JSONParseError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw fail("expected 4 hex digits after \\u") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let b = bytes[index]
      let d: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - 48
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - 87
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - 55
      default: throw fail("expected 4 hex digits after \\u")
      }
      v = v << 4 | UInt32(d)
      index += 1
    }
    return v
  }

  mutating func string() throws(JSONParseError) -> String {
    let start = index
    index += 1
    let contentStart = index
    // Fast path: no escapes.
    while index < bytes.count {
      let b = bytes[index]
      if b == UInt8(ascii: "\"") {
        let s = String(
          decoding: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]), as: UTF8.self)
        index += 1
        return s
      }
      if b == UInt8(ascii: "\\") { break }
      if b < 0x20 { throw fail("control character in a string (escape it)") }
      index += 1
    }
    var out = Array(UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
    while true {
      guard index < bytes.count else { throw fail("unterminated string", at: start) }
      let b = bytes[index]
      switch b {
      case UInt8(ascii: "\""):
        index += 1
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        index += 1
        guard let e = peek else { throw fail("unterminated string", at: start) }
        index += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800...0xDBFF).contains(scalar), index + 1 < bytes.count,
            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
          {
            let save = index
            index += 2
            let low = try hex4()
            if (0xDC00...0xDFFF).contains(low) {
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else {
              index = save
            }
          }
          let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
          out.append(contentsOf: String(Character(u)).utf8)
        default: throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'", at: index - 2)
        }
      default:
        if b < 0x20 { throw fail("control character in a string (escape it)") }
        out.append(b)
        index += 1
      }
    }
  }

  mutating func number() throws(JSONParseError) -> JSONValue {
    let start = index
    if peek == UInt8(ascii: "-") { index += 1 }
    func isDigit(_ b: UInt8?) -> Bool { b.map { $0 &- 48 < 10 } ?? false }
    guard isDigit(peek) else { throw fail("expected a digit") }
    if peek == UInt8(ascii: "0") {
      index += 1
    } else {
      while isDigit(peek) { index += 1 }
    }
    var integral = true
    if peek == UInt8(ascii: ".") {
      integral = false
      index += 1
      guard isDigit(peek) else { throw fail("expected a digit after '.'") }
      while isDigit(peek) { index += 1 }
    }
    if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
      integral = false
      index += 1
      if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
      guard isDigit(peek) else { throw fail("expected a digit in the exponent") }
      while isDigit(peek) { index += 1 }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    if integral, let i = Int64(text) { return .int(i) }
    guard let d = Double(text) else { throw fail("invalid number", at: start) }
    return .double(d)
  }
}
