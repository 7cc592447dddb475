import PostmortemCore
import Testing

@testable import PostmortemDocument

/// What the reader made of one document, in the shapes the tests compare.
struct Read {
  let value: JSONValue
  init(_ text: String, name: String = "postmortem.md") {
    value = DocumentReader.read(text: text, name: name)
  }
  var imported: JSONValue { value["imported"] ?? .null }

  struct Row: Equatable, CustomStringConvertible {
    var line: Int
    var time: String?
    var text: String
    var description: String { "\(line) \(time ?? "nil") \(text)" }
  }
  var rows: [Row] {
    (imported["rows"]?.arrayValue ?? []).map {
      Row(
        line: Int($0["line"]?.intValue ?? -1), time: $0["time"]?.stringValue,
        text: $0["text"]?.stringValue ?? "")
    }
  }
  /// Row `i`'s text, nil when there is no such row.
  func text(_ i: Int) -> String? { rows.indices.contains(i) ? rows[i].text : nil }
  var written: [String?] { (imported["rows"]?.arrayValue ?? []).map { $0["written"]?.stringValue } }
  var times: [String?] { rows.map(\.time) }
  var lines: [Int] { rows.map(\.line) }

  struct Item: Equatable, CustomStringConvertible {
    var line: Int
    var text: String
    var owner: String?
    var deadline: String?
    var priority: String?
    var tracking: String?
    var done: Bool
    var description: String {
      "\(line) \(text) owner=\(owner ?? "nil") deadline=\(deadline ?? "nil") priority=\(priority ?? "nil") tracking=\(tracking ?? "nil") done=\(done)"
    }
  }
  var items: [Item] {
    (imported["items"]?.arrayValue ?? []).map {
      Item(
        line: Int($0["line"]?.intValue ?? -1), text: $0["text"]?.stringValue ?? "",
        owner: $0["owner"]?.stringValue,
        deadline: $0["deadline"]?.stringValue, priority: $0["priority"]?.stringValue,
        tracking: $0["tracking"]?.stringValue, done: $0["done"]?.boolValue ?? false)
    }
  }
  var sections: [(title: String, kind: String, line: Int, level: Int)] {
    (imported["sections"]?.arrayValue ?? []).map {
      (
        $0["title"]?.stringValue ?? "", $0["kind"]?.stringValue ?? "", Int($0["line"]?.intValue ?? -1),
        Int($0["level"]?.intValue ?? -1)
      )
    }
  }
  var kinds: [String] { sections.map(\.kind) }
  var prose: [(line: Int, section: String, text: String)] {
    (imported["prose"]?.arrayValue ?? []).map {
      (Int($0["line"]?.intValue ?? -1), $0["section"]?.stringValue ?? "", $0["text"]?.stringValue ?? "")
    }
  }
  var facts: [String: String] {
    var out: [String: String] = [:]
    for f in imported["facts"]?.arrayValue ?? [] {
      if let k = f["key"]?.stringValue, out[k] == nil { out[k] = f["text"]?.stringValue }
    }
    return out
  }
  var zone: String? { imported["zone"]?.stringValue }
  var zoneLine: Int? { imported["zone_line"]?.intValue.map { Int($0) } }
  var timeline: [JSONValue] { value["timeline"]?.arrayValue ?? [] }
  var actionItems: [JSONValue] { value["action_items"]?.arrayValue ?? [] }
}
