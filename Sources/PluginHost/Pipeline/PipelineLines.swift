/// Where things are written in a pipeline file: the line of each top-level key, of each
/// stage entry and of each option of an entry, found by a small scan of the Lua text
/// (strings, comments and long brackets skipped). The pipeline is Lua, so a computed entry
/// has no line of its own: messages then fall back to the entry's line or the key's.
public struct PipelineLines: Sendable, Equatable {
  var keys: [String: Int] = [:]
  var entries: [String: Int] = [:]
  var options: [String: Int] = [:]

  public init() {}

  /// The line of a top-level key (`dedupe_window_s`, `collect`).
  public func line(key: String) -> Int? { keys[key] }

  /// The line of an entry's option, else of the entry, else of its stage key.
  public func line(stage: String, entry: Int, option: String? = nil) -> Int? {
    if let option, let line = options["\(stage)#\(entry).\(option)"] { return line }
    return entries["\(stage)#\(entry)"] ?? keys[stage]
  }

  struct Token {
    enum Kind { case name, string, symbol, other }
    var kind: Kind
    var text: String
    var line: Int
  }

  /// Scans `text`: names, strings (quoted or long-bracketed) and symbols, with their lines.
  static func tokens(_ text: [UInt8]) -> [Token] {
    var tokens: [Token] = []
    var i = 0
    var line = 1
    let n = text.count
    func at(_ k: Int) -> UInt8 { k < n ? text[k] : 0 }
    /// The level of a long bracket opening at `k` (`[==[` is 2), or nil.
    func longOpen(_ k: Int) -> Int? {
      guard at(k) == UInt8(ascii: "[") else { return nil }
      var j = k + 1
      while at(j) == UInt8(ascii: "=") { j += 1 }
      return at(j) == UInt8(ascii: "[") ? j - k - 1 : nil
    }
    /// Skips a long bracket of `level` opening at `i`; returns its text.
    func skipLong(_ level: Int) -> String {
      let start = i + level + 2
      var j = start
      while j < n {
        if text[j] == UInt8(ascii: "]") {
          var k = j + 1
          while at(k) == UInt8(ascii: "="), k - j - 1 < level { k += 1 }
          if k - j - 1 == level, at(k) == UInt8(ascii: "]") {
            let body = String(decoding: text[start..<j], as: UTF8.self)
            for b in text[i..<(k + 1)] where b == UInt8(ascii: "\n") { line += 1 }
            i = k + 1
            return body
          }
        }
        j += 1
      }
      for b in text[i..<n] where b == UInt8(ascii: "\n") { line += 1 }
      i = n
      return String(decoding: text[min(start, n)..<n], as: UTF8.self)
    }
    func isNameByte(_ b: UInt8) -> Bool {
      (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 95
    }
    while i < n {
      let c = text[i]
      if c == UInt8(ascii: "\n") {
        line += 1
        i += 1
      } else if c == 32 || c == 9 || c == 13 {
        i += 1
      } else if c == UInt8(ascii: "-"), at(i + 1) == UInt8(ascii: "-") {
        i += 2
        if let level = longOpen(i) {
          _ = skipLong(level)
        } else {
          while i < n, text[i] != UInt8(ascii: "\n") { i += 1 }
        }
      } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
        let startLine = line
        var bytes: [UInt8] = []
        i += 1
        while i < n, text[i] != c {
          if text[i] == UInt8(ascii: "\\"), i + 1 < n {
            if text[i + 1] == UInt8(ascii: "\n") { line += 1 }
            bytes.append(text[i + 1])
            i += 2
            continue
          }
          if text[i] == UInt8(ascii: "\n") { break }
          bytes.append(text[i])
          i += 1
        }
        i += 1
        tokens.append(Token(kind: .string, text: String(decoding: bytes, as: UTF8.self), line: startLine))
      } else if let level = longOpen(i) {
        let startLine = line
        let body = skipLong(level)
        tokens.append(Token(kind: .string, text: body, line: startLine))
      } else if isNameByte(c) {
        let start = i
        while i < n, isNameByte(text[i]) { i += 1 }
        let word = String(decoding: text[start..<i], as: UTF8.self)
        let isNumber = c >= 48 && c <= 57
        tokens.append(Token(kind: isNumber ? .other : .name, text: word, line: line))
      } else if c == UInt8(ascii: "="), at(i + 1) == UInt8(ascii: "=") {
        tokens.append(Token(kind: .other, text: "==", line: line))
        i += 2
      } else {
        tokens.append(Token(kind: .symbol, text: String(UnicodeScalar(c)), line: line))
        i += 1
      }
    }
    return tokens
  }

  /// The lines of `text`, a pipeline file; `stages` are the keys whose values are lists of
  /// entries.
  public init(text: [UInt8], stages: Set<String>) {
    let tokens = Self.tokens(text)
    func isOpen(_ t: Token) -> Bool { t.kind == .symbol && "{([".contains(t.text) }
    func isClose(_ t: Token) -> Bool { t.kind == .symbol && "})]".contains(t.text) }
    // The returned table: `return {`, or `return p` and the last `p = {` before it.
    var root: Int?
    var depth = 0
    var returned: String?
    for (i, t) in tokens.enumerated() {
      if isOpen(t) { depth += 1 } else if isClose(t) { depth -= 1 }
      guard depth == 0, t.kind == .name, t.text == "return", i + 1 < tokens.count else { continue }
      if tokens[i + 1].text == "{" {
        root = i + 1
      } else if tokens[i + 1].kind == .name {
        returned = tokens[i + 1].text
      }
    }
    if root == nil, let returned {
      depth = 0
      for (i, t) in tokens.enumerated() {
        if isOpen(t) { depth += 1 } else if isClose(t) { depth -= 1 }
        if depth == 0, t.kind == .name, t.text == returned, i + 2 < tokens.count, tokens[i + 1].text == "=",
          tokens[i + 2].text == "{"
        {
          root = i + 2
        }
      }
    }
    guard let root else { return }
    enum Frame {
      case root
      case stage(String, count: Int, atItem: Bool)
      case entry(String, Int)
      case other
    }
    var stack: [Frame] = [.root]
    var pendingKey: String?
    var i = root + 1
    /// The key a `name =` or `["name"] =` at `i` writes, and the token after the `=`.
    func keyAt(_ i: Int) -> (String, Int)? {
      if tokens[i].kind == .name, i + 1 < tokens.count, tokens[i + 1].text == "=" {
        return (tokens[i].text, i + 2)
      }
      if tokens[i].text == "[", i + 3 < tokens.count, tokens[i + 1].kind == .string,
        tokens[i + 2].text == "]",
        tokens[i + 3].text == "="
      {
        return (tokens[i + 1].text, i + 4)
      }
      return nil
    }
    while i < tokens.count, !stack.isEmpty {
      let t = tokens[i]
      // A new item of a stage list starts with the first token after `{`, `,` or `;`.
      if case .stage(let stage, let count, true) = stack[stack.count - 1], !isClose(t) {
        stack[stack.count - 1] = .stage(stage, count: count + 1, atItem: false)
        entries["\(stage)#\(count + 1)"] = t.line
        if t.text == "{" {
          stack.append(.entry(stage, count + 1))
          i += 1
          continue
        }
      }
      switch stack[stack.count - 1] {
      case .root:
        if let (key, next) = keyAt(i) {
          keys[key] = keys[key] ?? t.line
          pendingKey = key
          i = next
          continue
        }
      case .entry(let stage, let index):
        if let (key, next) = keyAt(i) {
          options["\(stage)#\(index).\(key)"] = t.line
          i = next
          continue
        }
      case .stage(let stage, let count, _):
        if t.text == "," || t.text == ";" {
          stack[stack.count - 1] = .stage(stage, count: count, atItem: true)
        }
      case .other: break
      }
      if isOpen(t) {
        if case .root = stack[stack.count - 1], t.text == "{", let key = pendingKey, stages.contains(key) {
          stack.append(.stage(key, count: 0, atItem: true))
        } else {
          stack.append(.other)
        }
        pendingKey = nil
      } else if isClose(t) {
        stack.removeLast()
      } else if t.text == "," || t.text == ";" {
        if case .root = stack[stack.count - 1] { pendingKey = nil }
      }
      i += 1
    }
  }
}
