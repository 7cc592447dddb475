import Foundation
import Testing

@testable import PostmortemCore

/// Alias bombs and deep nesting, in every YAML pmhost reads: each fails at a limit with a
/// message naming the line and the limit, quickly, having built no more than the limit.
@Suite struct YAMLLimitsTests {
  /// The classic "billion laughs": nine levels of nine aliases, 9^9 (387 million) strings.
  static let billionLaughs: String = {
    var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
    var previous = "a"
    for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
      lines.append(
        "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
      previous = name
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  /// The same with maps: each level a map of nine keys whose values alias the level below.
  static let mappingBomb: String = {
    var lines = ["a: &a {k1: lol, k2: lol, k3: lol, k4: lol, k5: lol, k6: lol, k7: lol, k8: lol, k9: lol}"]
    var previous = "a"
    for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
      let members = (1...9).map { "k\($0): *\(previous)" }.joined(separator: ", ")
      lines.append("\(name): &\(name) {\(members)}")
      previous = name
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  /// With merge keys (`<<: [*a, ...]`) as YAML 1.1 writes them.
  static let mergeBomb: String = {
    var lines = ["a: &a {x: lol, y: lol, z: lol, w: lol, v: lol, u: lol, t: lol, s: lol, r: lol}"]
    var previous = "a"
    for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
      let list = Array(repeating: "*\(previous)", count: 9).joined(separator: ", ")
      lines.append("\(name): &\(name)\n  <<: [\(list)]\n  own: *\(previous)")
      previous = name
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  /// Aliases used as map keys: Yams hashed every key whole (exponential time).
  static let keyBomb: String = billionLaughs + "j: {? *i : 1}\n"

  /// 20,000 aliases of one small scalar.
  static let manySmallAliases: String =
    "a: &a x\nb: [" + Array(repeating: "*a", count: 20_000).joined(separator: ",") + "]\n"

  static func expectRefused(
    _ text: String, containing needle: String, line: Int? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let started = Date()
    do {
      _ = try JSONValue.parseYAML(text)
      Issue.record("expected a refusal", sourceLocation: sourceLocation)
    } catch {
      #expect(error.message.contains(needle), "\(error)", sourceLocation: sourceLocation)
      if let line { #expect(error.line == line, "\(error)", sourceLocation: sourceLocation) }
    }
    #expect(Date().timeIntervalSince(started) < 1, sourceLocation: sourceLocation)
  }

  @Test func listAliasBomb() {
    // The limit is reached at line 6: a..e hold 1+9*(1+9*(...)) nodes; f's aliases pass 100,000.
    Self.expectRefused(Self.billionLaughs, containing: "more than 100000 nodes", line: 6)
  }

  @Test func mappingAliasBomb() {
    Self.expectRefused(Self.mappingBomb, containing: "more than 100000 nodes")
  }

  @Test func mergeKeyBomb() {
    Self.expectRefused(Self.mergeBomb, containing: "more than 100000 nodes")
  }

  @Test func aliasKeysAreRefusedBeforeAnyHashing() {
    let trimmed = Self.billionLaughs.split(separator: "\n").prefix(4).joined(separator: "\n")
    Self.expectRefused(
      trimmed + "\nj: {? *d : 1}\n", containing: "mapping keys must be plain strings", line: 5)
    Self.expectRefused(Self.keyBomb, containing: "more than 100000 nodes")
  }

  @Test func manySmallAliases() {
    Self.expectRefused(Self.manySmallAliases, containing: "more than 10000 aliases", line: 2)
  }

  /// A long string aliased many times is few nodes but many bytes: 1 MB aliased 10,000
  /// times was 10 GB of text (15 GB resident after a minute, still growing). Aliases may
  /// repeat 10 MB of text, or one byte per byte of a longer text; inside a list or map too
  /// (here 100 KB aliased 10,000 times: 1 GB).
  @Test func longStringsAliasedManyTimes() {
    let long = String(repeating: "x", count: 100_000)
    let aliases = Array(repeating: "*a", count: 10_000).joined(separator: ", ")
    Self.expectRefused("s: &a \(long)\nl: [\(aliases)]\n", containing: "more than 10000000 bytes", line: 2)
    let nested = "m: &a {k: [\(long)]}\nl: [\(aliases)]\n"
    Self.expectRefused(nested, containing: "more than 10000000 bytes", line: 2)
    // Ninety aliases of a 100 KB string (9 MB) are fine.
    #expect(throws: Never.self) {
      try JSONValue.parseYAML(
        "s: &a \(long)\nl: [" + Array(repeating: "*a", count: 90).joined(separator: ",") + "]\n")
    }
  }

  @Test func deepNestingIsRefusedWithoutRecursion() {
    let depth = 100_000
    Self.expectRefused(String(repeating: "[", count: depth), containing: "256 levels deep", line: 1)
    Self.expectRefused(String(repeating: "{a: ", count: depth), containing: "256 levels deep")
    let block = (0..<1_000).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
    Self.expectRefused(block, containing: "256 levels deep")
    // 256 levels are fine.
    #expect(throws: Never.self) {
      try JSONValue.parseYAML(String(repeating: "[", count: 256) + String(repeating: "]", count: 256))
    }
  }

  @Test func ordinaryAliasesStillWork() throws {
    let v = try JSONValue.parseYAML("base: &b {x: 1, y: [a, b]}\ncopy: *b\nkey: &k name\n*k : 2\n")
    #expect(v["copy"] == v["base"])
    #expect(v["copy"]?["y"] == ["a", "b"])
    #expect(v["name"] == .int(2))
    // A long plain list is not a bomb: one node per byte of a long text is allowed.
    let long = "[" + Array(repeating: "1", count: 150_000).joined(separator: ",") + "]"
    #expect(try JSONValue.parseYAML(long).arrayValue?.count == 150_000)
  }

  @Test func otherErrorsNameTheLine() {
    Self.expectRefused("a: 1\nb: *nope\n", containing: "undefined alias *nope", line: 2)
    Self.expectRefused("a: 1\nb: 2\na: 3\n", containing: "duplicated key 'a'", line: 3)
    Self.expectRefused("a: 1\n---\nb: 2\n", containing: "found another document", line: 2)
    Self.expectRefused("a: [1, 2\n", containing: "invalid YAML")
  }

  @Test func incidentFileNamesFileLineAndLimit() {
    for (bomb, line) in [(Self.billionLaughs, 6), (Self.manySmallAliases, 2)] {
      do {
        _ = try IncidentLoader.decodeYAML(bomb, origin: "incident.yaml")
        Issue.record("expected a refusal")
      } catch {
        #expect(error.description.hasPrefix("incident.yaml:\(line): "), "\(error)")
        #expect(error.description.contains("that is the limit"), "\(error)")
      }
    }
    #expect(throws: IncidentError.self) {
      try IncidentLoader.decodeYAML(String(repeating: "[", count: 100_000), origin: "incident.yaml")
    }
  }

  @Test func incidentFieldsKeepTheirLines() {
    do {
      _ = try IncidentLoader.decodeYAML(
        "id: X\ntitle: T\nstarted_at: &s 2025-02-09T10:00:00Z\nended_at: [*s]\n", origin: "i.yaml")
      Issue.record("expected an error")
    } catch {
      #expect(error.description.hasPrefix("i.yaml:4: ended_at: "), "\(error)")
    }
  }
}
