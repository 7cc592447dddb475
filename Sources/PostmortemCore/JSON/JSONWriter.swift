extension JSONValue {
  /// JSON text with object keys sorted (by UTF-8 bytes) and `/` left unescaped.
  ///
  /// Pretty output indents by two spaces and writes `"key": value`. Doubles keep a
  /// fraction (`5.0`), so ``parse(_:)-(String)`` gives the same value back; NaN and
  /// infinities, which JSON cannot hold, are written as `null`.
  ///
  /// ```swift
  /// JSONValue.object(["b": 1, "a": [true, nil]]).jsonText()  // {"a":[true,null],"b":1}
  /// ```
  public func jsonText(pretty: Bool = false) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    JSONWriter(pretty: pretty).write(self, into: &out, level: 0)
    return String(decoding: out, as: UTF8.self)
  }
}

/// Serialises ``JSONValue``s.
struct JSONWriter {
  var pretty: Bool

  func newline(_ out: inout [UInt8], _ level: Int) {
    guard pretty else { return }
    out.append(0x0A)
    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
  }

  func write(_ value: JSONValue, into out: inout [UInt8], level: Int) {
    switch value {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i): out.append(contentsOf: String(i).utf8)
    case .double(let d): out.append(contentsOf: Self.number(d).utf8)
    case .string(let s): Self.string(s, into: &out)
    case .array(let a):
      guard !a.isEmpty else {
        out.append(contentsOf: "[]".utf8)
        return
      }
      out.append(UInt8(ascii: "["))
      for (n, element) in a.enumerated() {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        newline(&out, level + 1)
        write(element, into: &out, level: level + 1)
      }
      newline(&out, level)
      out.append(UInt8(ascii: "]"))
    case .object(let o):
      guard !o.isEmpty else {
        out.append(contentsOf: "{}".utf8)
        return
      }
      out.append(UInt8(ascii: "{"))
      let keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      for (n, key) in keys.enumerated() {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        newline(&out, level + 1)
        Self.string(key, into: &out)
        out.append(UInt8(ascii: ":"))
        if pretty { out.append(UInt8(ascii: " ")) }
        write(o[key]!, into: &out, level: level + 1)
      }
      newline(&out, level)
      out.append(UInt8(ascii: "}"))
    }
  }

  /// The shortest text that reads back as `d`, always with a fraction or exponent.
  static func number(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    let text = d.description
    if text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
      return text
    }
    return text + ".0"
  }

  /// A JSON string. Besides what JSON requires (quote, backslash, C0 controls), DEL and the
  /// C1 controls (U+0080-U+009F, `C2 80`-`C2 9F` in UTF-8) are written as `\u00XX`: a
  /// terminal that shows JSON (`pmhost actions --json`, `cat report.json`) would run U+009B
  /// as the start of an escape sequence.
  static func string(_ s: String, into out: inout [UInt8]) {
    let hex = Array("0123456789abcdef".utf8)
    func escaped(_ b: UInt8) {
      out.append(contentsOf: "\\u00".utf8)
      out.append(hex[Int(b >> 4)])
      out.append(hex[Int(b & 0xF)])
    }
    out.append(UInt8(ascii: "\""))
    var c1Lead = false
    for b in s.utf8 {
      if c1Lead {
        c1Lead = false
        if (0x80...0x9F).contains(b) {
          escaped(b)
          continue
        }
        out.append(0xC2)
      }
      switch b {
      case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
      case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
      case 0x0A: out.append(contentsOf: "\\n".utf8)
      case 0x0D: out.append(contentsOf: "\\r".utf8)
      case 0x09: out.append(contentsOf: "\\t".utf8)
      case 0x08: out.append(contentsOf: "\\b".utf8)
      case 0x0C: out.append(contentsOf: "\\f".utf8)
      case 0..<0x20, 0x7F: escaped(b)
      case 0xC2: c1Lead = true
      default: out.append(b)
      }
    }
    if c1Lead { out.append(0xC2) }
    out.append(UInt8(ascii: "\""))
  }
}
