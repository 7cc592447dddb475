import CCmark

/// Inline Markdown reduced to plain text: emphasis, strong and strikethrough to their text,
/// code spans to their code, links to their text (the URL kept aside), images to their alt
/// text, a line break to "\n". Which parts were marked is kept, so that a leading
/// `**16:58 UTC**` or `` `08:47` `` can be found.
public struct RichText: Sendable, Equatable {
  public enum MarkKind: String, Sendable, Equatable { case strong, emphasis, code, strikethrough }
  public struct Mark: Sendable, Equatable {
    public var kind: MarkKind
    public var text: String
    /// Offset of the mark's first byte in `text`'s UTF-8.
    public var offset: Int
  }
  public struct Link: Sendable, Equatable {
    public var text: String
    public var url: String
  }

  public var text: String
  public var marks: [Mark]
  public var links: [Link]

  public init(text: String = "", marks: [Mark] = [], links: [Link] = []) {
    self.text = text
    self.marks = marks
    self.links = links
  }

  /// The strong or code span the text starts with (`**16:58 UTC** - ...`), if any.
  public var leadingMark: Mark? {
    let lead = text.utf8.prefix { $0 == 0x20 || $0 == 0x09 }.count
    return marks.first { $0.offset == lead && ($0.kind == .strong || $0.kind == .code) }
  }

  /// Whether the whole text is one strong or emphasised span (`**2024-01-14**`).
  public var isWhollyMarked: Bool {
    let trimmed = text.trimmedSpaces
    return !trimmed.isEmpty
      && marks.contains { ($0.kind == .strong || $0.kind == .emphasis) && $0.text.trimmedSpaces == trimmed }
  }
}

/// A block of a Markdown document, with its source lines (1-based).
public indirect enum MarkdownBlock: Sendable, Equatable {
  case heading(Heading)
  case paragraph(Paragraph)
  case list(MarkdownList)
  case table(MarkdownTable)
  case quote(BlockQuote)
  /// Code, kept out of the prose.
  case code(line: Int, endLine: Int)
  /// Raw HTML, kept out of the prose.
  case html(line: Int, endLine: Int)
  case rule(line: Int)

  public var line: Int {
    switch self {
    case .heading(let h): h.line
    case .paragraph(let p): p.line
    case .list(let l): l.line
    case .table(let t): t.line
    case .quote(let q): q.line
    case .code(let line, _), .html(let line, _), .rule(let line): line
    }
  }
}

public struct Heading: Sendable, Equatable {
  public var level: Int
  public var text: RichText
  public var line: Int
  /// Whether it was written with an underline (`Title\n=====`).
  public var setext: Bool
}

public struct Paragraph: Sendable, Equatable {
  public var text: RichText
  public var line: Int
  public var endLine: Int
}

public struct MarkdownList: Sendable, Equatable {
  public var ordered: Bool
  public var line: Int
  public var items: [ListItem]
}

public struct ListItem: Sendable, Equatable {
  public var line: Int
  public var endLine: Int
  /// The item's own paragraphs, joined with "\n".
  public var text: RichText
  /// Nested lists, tables, quotes... under the item, apart from its own text.
  public var children: [MarkdownBlock]
  /// A task list item's box: true checked, false unchecked, nil when not a task.
  public var task: Bool?
}

public struct MarkdownTable: Sendable, Equatable {
  public struct Row: Sendable, Equatable {
    public var line: Int
    public var cells: [RichText]
  }
  public var line: Int
  public var header: [RichText]
  public var rows: [Row]
}

public struct BlockQuote: Sendable, Equatable {
  public var line: Int
  public var blocks: [MarkdownBlock]
}

/// A Markdown document as libcmark-gfm parses it (GitHub Flavored Markdown: tables, task
/// lists, strikethrough, autolinks), as a tree of blocks with their source lines.
public struct MarkdownDocument: Sendable, Equatable {
  public var blocks: [MarkdownBlock]
  /// Whether the GFM extensions were in use; when not, `warnings` says why.
  public var extensions: Bool
  public var warnings: [String]

  /// Blocks nested deeper than this (lists in lists in quotes...) are read as the plain
  /// text of their whole subtree: the reader's recursion stays bounded.
  public static let maxDepth = 48

  public init(blocks: [MarkdownBlock], extensions: Bool = true, warnings: [String] = []) {
    self.blocks = blocks
    self.extensions = extensions
    self.warnings = warnings
  }

  public init(parsing text: String) {
    var source = text
    var attached: Int32 = 0
    var problem = [CChar](repeating: 0, count: 320)
    let root: OpaquePointer? = source.withUTF8 { bytes in
      bytes.withMemoryRebound(to: CChar.self) { chars in
        pmh_cmark_parse(chars.baseAddress, chars.count, &attached, &problem, problem.count)
      }
    }
    var warnings: [String] = []
    if attached == 0 {
      let message = String(decoding: problem.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      warnings.append(message.isEmpty ? "the GFM extensions could not be loaded" : message)
    }
    guard let root else {
      self.init(
        blocks: [], extensions: false, warnings: warnings + ["libcmark-gfm could not parse the document"])
      return
    }
    defer { cmark_node_free(root) }
    self.init(blocks: Self.blocks(under: root, depth: 0), extensions: attached != 0, warnings: warnings)
  }

  // MARK: - From cmark's tree

  private static func children(_ node: OpaquePointer) -> [OpaquePointer] {
    var out: [OpaquePointer] = []
    var child = cmark_node_first_child(node)
    while let c = child {
      out.append(c)
      child = cmark_node_next(c)
    }
    return out
  }

  private static func line(_ node: OpaquePointer) -> Int { Int(cmark_node_get_start_line(node)) }
  private static func endLine(_ node: OpaquePointer) -> Int { Int(cmark_node_get_end_line(node)) }

  static func blocks(under node: OpaquePointer, depth: Int) -> [MarkdownBlock] {
    children(node).compactMap { block($0, depth: depth + 1) }
  }

  static func block(_ node: OpaquePointer, depth: Int) -> MarkdownBlock? {
    let kind = pmh_cmark_kind(node)
    if depth > maxDepth {
      // Too deep to walk recursively: the subtree's text as one paragraph.
      let text = inline(node)
      return text.text.isEmpty
        ? nil : .paragraph(Paragraph(text: text, line: line(node), endLine: endLine(node)))
    }
    switch kind {
    case PMH_NODE_HEADING:
      return .heading(
        Heading(
          level: Int(cmark_node_get_heading_level(node)), text: inline(node), line: line(node),
          setext: endLine(node) > line(node)))
    case PMH_NODE_PARAGRAPH:
      return .paragraph(Paragraph(text: inline(node), line: line(node), endLine: endLine(node)))
    case PMH_NODE_LIST:
      let items = children(node).map { item($0, depth: depth) }
      return .list(
        MarkdownList(
          ordered: cmark_node_get_list_type(node) == CMARK_ORDERED_LIST, line: line(node), items: items))
    case PMH_NODE_ITEM:
      // An item outside a list does not occur; read as a one-item list.
      return .list(MarkdownList(ordered: false, line: line(node), items: [item(node, depth: depth)]))
    case PMH_NODE_TABLE:
      var header: [RichText] = []
      var rows: [MarkdownTable.Row] = []
      for row in children(node) {
        let cells = children(row).map { inline($0) }
        if pmh_cmark_kind(row) == PMH_NODE_TABLE_HEADER {
          header = cells
        } else {
          rows.append(MarkdownTable.Row(line: line(row), cells: cells))
        }
      }
      return .table(MarkdownTable(line: line(node), header: header, rows: rows))
    case PMH_NODE_BLOCK_QUOTE:
      return .quote(BlockQuote(line: line(node), blocks: blocks(under: node, depth: depth)))
    case PMH_NODE_CODE_BLOCK:
      return .code(line: line(node), endLine: endLine(node))
    case PMH_NODE_HTML_BLOCK:
      return .html(line: line(node), endLine: endLine(node))
    case PMH_NODE_THEMATIC_BREAK:
      return .rule(line: line(node))
    default:
      return nil
    }
  }

  static func item(_ node: OpaquePointer, depth: Int) -> ListItem {
    var own: [RichText] = []
    var rest: [MarkdownBlock] = []
    for child in children(node) {
      let kind = pmh_cmark_kind(child)
      if (kind == PMH_NODE_PARAGRAPH || kind == PMH_NODE_HEADING) && rest.isEmpty {
        own.append(inline(child))
      } else if let b = block(child, depth: depth + 1) {
        rest.append(b)
      }
    }
    let state = pmh_cmark_task_state(node)
    return ListItem(
      line: line(node), endLine: endLine(node), text: RichText.joined(own, separator: "\n"), children: rest,
      task: state < 0 ? nil : state == 1)
  }

  /// The plain text of a node's whole subtree, walked without recursion.
  static func inline(_ node: OpaquePointer) -> RichText {
    var bytes: [UInt8] = []
    var marks: [RichText.Mark] = []
    var links: [RichText.Link] = []
    var open: [(OpaquePointer, Int)] = []
    guard let iter = cmark_iter_new(node) else { return RichText() }
    defer { cmark_iter_free(iter) }
    func literal(_ n: OpaquePointer) -> [UInt8] {
      guard let s = cmark_node_get_literal(n) else { return [] }
      return Array(String(cString: s).utf8)
    }
    while true {
      let event = cmark_iter_next(iter)
      if event == CMARK_EVENT_DONE { break }
      guard let n = cmark_iter_get_node(iter) else { continue }
      let kind = pmh_cmark_kind(n)
      if event == CMARK_EVENT_ENTER {
        switch kind {
        case PMH_NODE_TEXT:
          bytes += literal(n)
        case PMH_NODE_CODE:
          let code = literal(n)
          marks.append(
            RichText.Mark(kind: .code, text: String(decoding: code, as: UTF8.self), offset: bytes.count))
          bytes += code
        case PMH_NODE_SOFTBREAK, PMH_NODE_LINEBREAK:
          bytes.append(0x0A)
        case PMH_NODE_HTML_INLINE:
          // `<br>` in a table cell: a space (the cell is one source line).
          let html = String(decoding: literal(n), as: UTF8.self).lowercased()
          if html.hasPrefix("<br") { bytes.append(0x20) }
        case PMH_NODE_PARAGRAPH, PMH_NODE_HEADING, PMH_NODE_TABLE_CELL, PMH_NODE_ITEM:
          // Between blocks of a flattened subtree, and between cells: a separator.
          if n != node, let last = bytes.last, last != 0x0A, last != 0x20 {
            bytes.append(kind == PMH_NODE_TABLE_CELL ? 0x20 : 0x0A)
          }
        case PMH_NODE_CODE_BLOCK:
          break
        case PMH_NODE_STRONG, PMH_NODE_EMPH, PMH_NODE_STRIKETHROUGH, PMH_NODE_LINK, PMH_NODE_IMAGE:
          if cmark_node_first_child(n) != nil {
            open.append((n, bytes.count))
          } else if kind == PMH_NODE_LINK,
            let url = cmark_node_get_url(n)
          {
            links.append(RichText.Link(text: "", url: String(cString: url)))
          }
        default:
          break
        }
      } else if event == CMARK_EVENT_EXIT, let top = open.last, top.0 == n {
        open.removeLast()
        let span = String(decoding: bytes[top.1...], as: UTF8.self)
        switch kind {
        case PMH_NODE_STRONG: marks.append(RichText.Mark(kind: .strong, text: span, offset: top.1))
        case PMH_NODE_EMPH: marks.append(RichText.Mark(kind: .emphasis, text: span, offset: top.1))
        case PMH_NODE_STRIKETHROUGH:
          marks.append(RichText.Mark(kind: .strikethrough, text: span, offset: top.1))
        case PMH_NODE_LINK:
          let url = cmark_node_get_url(n).map { String(cString: $0) } ?? ""
          links.append(RichText.Link(text: span, url: url))
        default: break
        }
      }
    }
    marks.sort { $0.offset < $1.offset }
    return RichText(text: String(decoding: bytes, as: UTF8.self), marks: marks, links: links)
  }
}

extension RichText {
  static func joined(_ parts: [RichText], separator: String) -> RichText {
    var out = RichText()
    for part in parts {
      if !out.text.isEmpty { out.text += separator }
      let base = out.text.utf8.count
      out.marks += part.marks.map { RichText.Mark(kind: $0.kind, text: $0.text, offset: $0.offset + base) }
      out.links += part.links
      out.text += part.text
    }
    return out
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces, tabs and line breaks.
  var trimmedSpaces: String {
    let isSpace: (Character) -> Bool = {
      $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{A0}"
    }
    guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
    else {
      return ""
    }
    return String(self[first...last])
  }
}

extension String {
  /// Without any of `characters` at either end.
  func trimmingCharacters(in characters: Set<Character>) -> String {
    var s = Substring(self)
    while let f = s.first, characters.contains(f) { s = s.dropFirst() }
    while let l = s.last, characters.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
