/// Why YAML text could not be read, with the 1-based line where known.
///
/// ```swift
/// do { _ = try JSONValue.parseYAML("a: [1, 2") } catch let e as YAMLParseError { e.line }
/// ```
public struct YAMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// 1-based line of the problem, when known.
  public var line: Int?
  /// What was wrong.
  public var message: String

  /// An error.
  public init(line: Int?, message: String) {
    self.line = line
    self.message = message
  }

  /// `line 3: mapping values are not allowed in this context`
  public var description: String {
    line.map { "line \($0): \(message)" } ?? message
  }
}

extension JSONValue {
  /// Parses the only YAML document with the YAML 1.2 core schema: plain `true`/`false`,
  /// `null`/`~`, integers (`Int64`), floats, everything else (including unquoted dates and
  /// times) a string. Quoted scalars are always strings. An empty document is `null`.
  /// Alias bombs and deep nesting fail at ``YAMLLimits`` (see ``YAMLReader``).
  ///
  /// ```swift
  /// try JSONValue.parseYAML("started_at: 2025-02-09T10:05:00Z\nn: 3")
  /// // ["started_at": "2025-02-09T10:05:00Z", "n": 3]
  /// ```
  public static func parseYAML(_ text: String, limits: YAMLLimits = .standard)
    throws(YAMLParseError) -> JSONValue
  {
    try YAMLReader.read(text, limits: limits)?.value ?? .null
  }
}

/// Scalars under pmhost's YAML schema, without Yams' own type resolution (which would turn
/// unquoted times into `Date`s and `yes` into `true`).
enum YAMLSupport {
  /// A scalar under the YAML 1.2 core schema; quoted and block scalars, and an explicit
  /// `!!str`, are strings.
  static func scalarValue(_ s: String, plain: Bool, tag: String?) -> JSONValue {
    guard plain, tag != "tag:yaml.org,2002:str" else { return .string(s) }
    return coreSchema(s)
  }

  static func coreSchema(_ s: String) -> JSONValue {
    switch s {
    case "", "~", "null", "Null", "NULL": return .null
    case "true", "True", "TRUE": return .bool(true)
    case "false", "False", "FALSE": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
    case ".nan", ".NaN", ".NAN": return .double(.nan)
    default: break
    }
    let bytes = Array(s.utf8)
    func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
    if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
      if bytes[1] == UInt8(ascii: "x"), let v = Int64(s.dropFirst(2), radix: 16) { return .int(v) }
      if bytes[1] == UInt8(ascii: "o"), let v = Int64(s.dropFirst(2), radix: 8) { return .int(v) }
    }
    var i = 0
    if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
    let intStart = i
    while i < bytes.count, isDigit(bytes[i]) { i += 1 }
    let intDigits = i - intStart
    if i == bytes.count, intDigits > 0 {
      let text = bytes[0] == UInt8(ascii: "+") ? String(s.dropFirst()) : s
      if let v = Int64(text) { return .int(v) }
      return Double(text).map(JSONValue.double) ?? .string(s)
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    var fracDigits = 0
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      while i < bytes.count, isDigit(bytes[i]) {
        i += 1
        fracDigits += 1
      }
    }
    guard intDigits + fracDigits > 0 else { return .string(s) }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
      let expStart = i
      while i < bytes.count, isDigit(bytes[i]) { i += 1 }
      guard i > expStart else { return .string(s) }
    }
    guard i == bytes.count, let d = Double(s.hasPrefix("+") ? String(s.dropFirst()) : s) else {
      return .string(s)
    }
    return .double(d)
  }
}
