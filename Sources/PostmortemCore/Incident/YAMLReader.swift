internal import CYaml

/// How much a YAML text may expand to: the defences against alias bombs ("billion laughs")
/// and deep nesting. Every YAML that pmhost reads (incident.yaml, `--answers`, and
/// `pm.yaml.decode` for plugins: five-whys answers, action-items files) goes through
/// ``YAMLReader`` with these limits.
///
/// ```swift
/// YAMLLimits.standard.nodes(forBytes: 300)  // 100_000
/// ```
public struct YAMLLimits: Sendable, Equatable {
  /// Nodes (scalars, lists, maps, and every node an alias repeats) at least allowed.
  public var minNodes: Int
  /// Alias uses (`*name`) allowed in one text.
  public var aliases: Int
  /// Lists and maps nested inside each other, at most.
  public var depth: Int
  /// Bytes of scalar text that aliases may repeat, at least: one alias of a long string
  /// repeats all of it, so counting nodes alone lets a 1 MB string aliased 10,000 times
  /// become 10 GB.
  public var minAliasBytes: Int

  /// A set of limits.
  public init(
    minNodes: Int = 100_000, aliases: Int = 10_000, depth: Int = 256, minAliasBytes: Int = 10_000_000
  ) {
    self.minNodes = minNodes
    self.aliases = aliases
    self.depth = depth
    self.minAliasBytes = minAliasBytes
  }

  /// 100,000 nodes (or one per byte of a longer text), 10,000 aliases, 256 levels, and
  /// aliases repeating 10,000,000 bytes of text (or one per byte of a longer text).
  public static let standard = YAMLLimits()

  /// The node limit for a text of `bytes` bytes: written-out nodes take at least a byte
  /// each, so only aliases can go past it.
  public func nodes(forBytes bytes: Int) -> Int { max(minNodes, bytes) }

  /// The limit on scalar bytes that aliases repeat in a text of `bytes` bytes: the
  /// values read take at most about twice the text.
  public func aliasBytes(forBytes bytes: Int) -> Int { max(minAliasBytes, bytes) }
}

/// A YAML document read by ``YAMLReader``: its value, and where it and the members of a
/// top-level map start.
struct YAMLDocument {
  var value: JSONValue
  /// 1-based line of the root node.
  var line: Int
  /// 1-based line of each top-level member's value, when the root is a map.
  var memberLines: [String: Int]
}

/// The one YAML reader: builds values straight from libyaml's events, counting nodes,
/// aliases and depth as it goes, so an alias bomb or a deep nesting stops at the limit
/// after work and memory proportional to the text, never after expanding it. No recursion:
/// nesting costs heap, not stack.
///
/// Scalars follow the YAML 1.2 core schema (``YAMLSupport/coreSchema(_:)``); map keys must
/// be scalars and appear once; the text holds at most one document. Merge keys (`<<`) are
/// ordinary keys.
enum YAMLReader {
  /// The document of `text`, or `nil` when it has none.
  static func read(_ text: String, limits: YAMLLimits = .standard) throws(YAMLParseError)
    -> YAMLDocument?
  {
    var text = text
    var failure: YAMLParseError?
    let document = text.withUTF8 { bytes -> YAMLDocument? in
      var state = ReaderState(
        limits: limits, maxNodes: limits.nodes(forBytes: bytes.count),
        maxAliasBytes: limits.aliasBytes(forBytes: bytes.count))
      do throws(YAMLParseError) {
        return try state.run(bytes)
      } catch {
        failure = error
        return nil
      }
    }
    if let failure { throw failure }
    return document
  }
}

/// What a `*name` stands for.
private struct Anchored {
  var value: JSONValue
  /// Nodes it stands for, aliases inside it expanded.
  var size: Int
  /// Bytes of scalar text (keys and values) it stands for, aliases inside it expanded.
  var bytes: Int
  /// The raw text when it is a scalar (so it can be a map key).
  var keyText: String?
}

/// A list or map being built.
private struct Frame {
  var isMapping: Bool
  var items: [JSONValue] = []
  var members: [String: JSONValue] = [:]
  /// A map's key waiting for its value.
  var pendingKey: String?
  var anchor: String?
  var size = 1
  /// Bytes of scalar text inside it, aliases expanded.
  var bytes = 0
  var line: Int
}

private struct ReaderState {
  let limits: YAMLLimits
  let maxNodes: Int
  let maxAliasBytes: Int
  var stack: [Frame] = []
  var anchors: [String: Anchored] = [:]
  var nodes = 0
  var aliases = 0
  var aliasBytes = 0
  var document: YAMLDocument?
  var documents = 0
  var memberLines: [String: Int] = [:]

  init(limits: YAMLLimits, maxNodes: Int, maxAliasBytes: Int) {
    self.limits = limits
    self.maxNodes = maxNodes
    self.maxAliasBytes = maxAliasBytes
  }

  mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) throws(YAMLParseError) -> YAMLDocument? {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else {
      throw YAMLParseError(line: nil, message: "invalid YAML: out of memory")
    }
    defer { yaml_parser_delete(&parser) }
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
    // libyaml reads from the pointer during the parse only; `bytes` outlives it.
    yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
    var event = yaml_event_t()
    while true {
      guard yaml_parser_parse(&parser, &event) == 1 else {
        throw Self.parserError(parser, bytes, limits: limits)
      }
      defer { yaml_event_delete(&event) }
      if event.type == YAML_STREAM_END_EVENT { break }
      try handle(event)
    }
    document?.memberLines = memberLines
    return document
  }

  mutating func handle(_ event: yaml_event_t) throws(YAMLParseError) {
    let line = Int(event.start_mark.line) + 1
    switch event.type {
    case YAML_DOCUMENT_START_EVENT:
      documents += 1
      if documents > 1 {
        throw YAMLParseError(
          line: line,
          message: "invalid YAML: expected a single document in the stream but found another document")
      }
    case YAML_SCALAR_EVENT:
      let s = event.data.scalar
      let raw = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
      let plain = s.style == YAML_PLAIN_SCALAR_STYLE || s.style == YAML_ANY_SCALAR_STYLE
      let value = YAMLSupport.scalarValue(raw, plain: plain, tag: Self.text(s.tag))
      try count(1, line: line)
      if let anchor = Self.text(s.anchor) {
        anchors[anchor] = Anchored(value: value, size: 1, bytes: s.length, keyText: raw)
      }
      try add(value, size: 1, bytes: s.length, keyText: raw, line: line)
    case YAML_ALIAS_EVENT:
      let name = Self.text(event.data.alias.anchor) ?? ""
      aliases += 1
      if aliases > limits.aliases {
        throw YAMLParseError(
          line: line,
          message:
            "more than \(limits.aliases) aliases (*name); that is the limit, against alias bombs: write the values out instead"
        )
      }
      guard let anchored = anchors[name] else {
        throw YAMLParseError(line: line, message: "invalid YAML: found undefined alias *\(name)")
      }
      try count(anchored.size, line: line)
      aliasBytes += anchored.bytes
      if aliasBytes > maxAliasBytes {
        throw YAMLParseError(
          line: line,
          message:
            "aliases repeat more than \(maxAliasBytes) bytes of text; that is the limit (\(limits.minAliasBytes), or one per byte of a longer text), against alias bombs: write the values out or use fewer aliases"
        )
      }
      try add(
        anchored.value, size: anchored.size, bytes: anchored.bytes, keyText: anchored.keyText, line: line)
    case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
      let isMapping = event.type == YAML_MAPPING_START_EVENT
      if let top = stack.last, top.isMapping, top.pendingKey == nil {
        throw YAMLParseError(line: line, message: "mapping keys must be plain strings")
      }
      guard stack.count < limits.depth else {
        throw YAMLParseError(line: line, message: Self.depthMessage(limits))
      }
      try count(1, line: line)
      let anchor = Self.text(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
      stack.append(Frame(isMapping: isMapping, anchor: anchor, line: line))
    case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
      guard let frame = stack.popLast() else { return }
      let value: JSONValue = frame.isMapping ? .object(frame.members) : .array(frame.items)
      if let anchor = frame.anchor {
        anchors[anchor] = Anchored(value: value, size: frame.size, bytes: frame.bytes, keyText: nil)
      }
      try add(value, size: frame.size, bytes: frame.bytes, keyText: nil, line: frame.line)
    default:
      break
    }
  }

  /// Counts `n` more nodes against the limit.
  mutating func count(_ n: Int, line: Int) throws(YAMLParseError) {
    nodes += n
    if nodes > maxNodes {
      throw YAMLParseError(
        line: line,
        message:
          "aliases expand to more than \(maxNodes) nodes; that is the limit (\(limits.minNodes), or one per byte of a longer text), against alias bombs: write the values out or use fewer aliases"
      )
    }
  }

  /// Puts a finished node into the list or map being built (or makes it the document).
  mutating func add(_ value: JSONValue, size: Int, bytes: Int, keyText: String?, line: Int)
    throws(YAMLParseError)
  {
    let top = stack.count - 1
    guard top >= 0 else {
      document = YAMLDocument(value: value, line: line, memberLines: [:])
      return
    }
    stack[top].size += size
    stack[top].bytes += bytes
    guard stack[top].isMapping else {
      stack[top].items.append(value)
      return
    }
    guard let key = stack[top].pendingKey else {
      guard let keyText else {
        throw YAMLParseError(line: line, message: "mapping keys must be plain strings")
      }
      if stack[top].members[keyText] != nil {
        throw YAMLParseError(line: line, message: "invalid YAML: duplicated key '\(keyText)'")
      }
      stack[top].pendingKey = keyText
      return
    }
    stack[top].members[key] = value
    stack[top].pendingKey = nil
    if top == 0 { memberLines[key] = line }
  }

  static func depthMessage(_ limits: YAMLLimits) -> String {
    "lists and maps nested more than \(limits.depth) levels deep; that is the limit"
  }

  static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: $0) }
  }

  /// libyaml's own error: `invalid YAML: while parsing a flow sequence did not find expected ',' or ']'`.
  static func parserError(_ parser: yaml_parser_t, _ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits)
    -> YAMLParseError
  {
    let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
    if problem.hasPrefix("Maximum nesting level reached") {
      // libyaml's own stop (1000 levels, counting the flow levels its scanner reads ahead).
      return YAMLParseError(
        line: Int(parser.problem_mark.line) + 1, message: Self.depthMessage(limits))
    }
    switch parser.error {
    case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
      let context = parser.context.map { String(cString: $0) + " " } ?? ""
      return YAMLParseError(
        line: Int(parser.problem_mark.line) + 1, message: "invalid YAML: \(context)\(problem)")
    case YAML_READER_ERROR:
      let offset = min(Int(parser.problem_offset), bytes.count)
      let line = bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
      return YAMLParseError(line: line, message: "invalid YAML: \(problem)")
    default:
      return YAMLParseError(line: nil, message: "invalid YAML: \(problem)")
    }
  }
}
