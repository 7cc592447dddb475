import Foundation
import Testing

@testable import PostmortemCore

@Suite struct JSONValueTests {
  @Test func parseKeepsIntsAndDoublesApart() throws {
    let v = try JSONValue.parse(
      #"{"a": 1, "b": 1.0, "c": 1e3, "d": -0, "e": 9223372036854775808, "f": 0.4}"#)
    #expect(v["a"] == .int(1))
    #expect(v["b"] == .double(1.0))
    #expect(v["c"] == .double(1000))
    #expect(v["d"] == .int(0))
    #expect(v["e"] == .double(9_223_372_036_854_775_808))
    #expect(v["f"] == .double(0.4))
  }

  @Test func parsesStringsAndEscapes() throws {
    let v = try JSONValue.parse(
      #"["a\"b\\c\/d\n", "\u00e9\ud83d\ude00", "plain ünïcode", true, false, null, [], {}]"#)
    #expect(v.arrayValue?.count == 8)
    #expect(v[0]?.stringValue == "a\"b\\c/d\n")
    #expect(v[1]?.stringValue == "é😀")
    #expect(v[2]?.stringValue == "plain ünïcode")
    #expect(v[3] == .bool(true))
    #expect(v[5] == .null)
    #expect(v[6] == .array([]))
    #expect(v[7] == .object([:]))
  }

  @Test(arguments: [
    ("{\"a\": }", 1, 7, "expected a value"),
    ("[1,\n 2,\n 3", 3, 3, "expected ',' or ']'"),
    ("{\"a\" 1}", 1, 6, "expected ':' after an object key"),
    ("[01]", 1, 3, "expected ',' or ']'"),
    ("\"abc", 1, 1, "unterminated string"),
    ("[1] x", 1, 5, "unexpected text after the JSON value"),
  ])
  func parseErrorsNameLineAndColumn(text: String, line: Int, column: Int, message: String) {
    #expect(throws: JSONParseError(line: line, column: column, message: message)) {
      try JSONValue.parse(text)
    }
  }

  @Test func writerSortsKeysAndKeepsDoubleFractions() throws {
    let v: JSONValue = ["b": 1, "a": [true, nil, 5.0, 0.4, "x/y"], "c": ["z": "q\"\n"]]
    #expect(v.jsonText() == #"{"a":[true,null,5.0,0.4,"x/y"],"b":1,"c":{"z":"q\"\n"}}"#)
    #expect(try JSONValue.parse(v.jsonText()) == v)
    #expect(try JSONValue.parse(v.jsonText(pretty: true)) == v)
    #expect(JSONValue.double(.nan).jsonText() == "null")
  }

  @Test func writerEscapesDELAndC1ControlsSoATerminalShowingJSONRunsNoSequence() throws {
    let v = JSONValue.string("csi\u{9b}2J del\u{7f} nel\u{85} \u{9f} ©ÿ\u{a0}")
    #expect(v.jsonText() == #""csi\u009b2J del\u007f nel\u0085 \u009f ©ÿ\#u{a0}""#)
    #expect(try JSONValue.parse(v.jsonText()) == v)
  }

  @Test func prettyOutputShape() {
    let v: JSONValue = ["a": [1, 2], "b": [:], "c": []]
    #expect(
      v.jsonText(pretty: true) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}"
    )
  }

  @Test func accessors() {
    let v: JSONValue = ["n": 3, "d": 2.5, "s": "x", "l": [1], "o": ["k": true]]
    #expect(v["n"]?.intValue == 3)
    #expect(v["n"]?.doubleValue == 3.0)
    #expect(v["d"]?.doubleValue == 2.5)
    #expect(v["d"]?.intValue == nil)
    #expect(v["s"]?.stringValue == "x")
    #expect(v["l"]?.arrayValue == [1])
    #expect(v["o"]?.objectValue == ["k": true])
    #expect(v["o"]?["k"]?.boolValue == true)
    #expect(v["missing"] == nil)
    #expect(v["s"]?["x"] == nil)
  }

  @Test func foundationCodingStillWorks() throws {
    let v: JSONValue = ["a": [1, 2.5, "s", nil, false]]
    let data = try JSONEncoder().encode(v)
    #expect(try JSONDecoder().decode(JSONValue.self, from: data) == v)
  }

  @Test func treeEncoderAndDecoderRoundTripModels() throws {
    let item = ActionItem(
      id: "AI-001", action: "Add a canary", owner: "@bob", tracking: ["url": "https://x/1", "n": 1])
    let tree = try JSONValueEncoder().encode(item)
    #expect(tree["deadline"] == .null)
    #expect(tree["status"] == "open")
    #expect(try JSONValueDecoder().decode(ActionItem.self, from: tree) == item)
    let minimal = try JSONValueDecoder().decode(
      ActionItem.self, from: ["id": "AI-002", "action": "x"])
    #expect(minimal.status == "open")
    #expect(minimal.tracking == nil)
  }

  @Test func yamlUsesCoreSchema() throws {
    let v = try JSONValue.parseYAML(
      """
      a: 1
      b: 1.50
      c: true
      d: ~
      e: 2025-02-09T10:05:00Z
      f: "2"
      g: yes
      h: [x, 0x10]
      """)
    #expect(v["a"] == .int(1))
    #expect(v["b"] == .double(1.5))
    #expect(v["c"] == .bool(true))
    #expect(v["d"] == .null)
    #expect(v["e"] == .string("2025-02-09T10:05:00Z"))
    #expect(v["f"] == .string("2"))
    #expect(v["g"] == .string("yes"))
    #expect(v["h"] == ["x", 16])
  }

  @Test func yamlErrorsNameTheLine() {
    do {
      _ = try JSONValue.parseYAML("a: 1\nb: [1, 2\nc: 3\n")
      Issue.record("expected an error")
    } catch {
      #expect(error.line != nil)
      #expect(error.message.hasPrefix("invalid YAML"))
    }
  }
}
