import Foundation
import Testing

/// SECURITY.md promises that every promise has a test: each bullet of its Promises section
/// names at least one, and every test, suite and spec it names exists, so a renamed or
/// deleted test cannot leave a promise unchecked without this test failing.
@Suite struct SecurityDocTests {
  static let root = PMHostProcess.packageRoot

  /// Every Swift source under Tests/, by path.
  static func testSources() -> [String: String] {
    var sources: [String: String] = [:]
    let tests = root + "/Tests"
    let walker = FileManager.default.enumerator(atPath: tests)
    while let path = walker?.nextObject() as? String {
      guard path.hasSuffix(".swift"),
        let text = try? String(contentsOfFile: tests + "/" + path, encoding: .utf8)
      else { continue }
      sources[path] = text
    }
    return sources
  }

  /// The `code` spans of a text.
  static func codeSpans(_ text: String) -> [String] {
    text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }
      .map { String($0.element) }
  }

  /// The bullets of the Promises section, each with its continuation lines.
  static func promises(_ doc: String) -> [String] {
    guard let start = doc.range(of: "\n## Promises\n") else { return [] }
    var section = doc[start.upperBound...]
    if let end = section.range(of: "\n## ") { section = section[..<end.lowerBound] }
    var bullets: [String] = []
    for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("- ") {
        bullets.append(String(line))
      } else if line.hasPrefix("  "), !bullets.isEmpty {
        bullets[bullets.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
      }
    }
    return bullets
  }

  /// A name a test is known by: `Suite`, `Target/Suite`, `Suite.test`, a test function name
  /// (lowerCamelCase, long), or a Lua spec's path.
  static func isTestReference(_ span: String) -> Bool {
    let last = span.split(separator: "/").last.map(String.init) ?? span
    let suite = last.split(separator: ".").first.map(String.init) ?? last
    return suite.hasSuffix("Tests") || span.hasSuffix("_spec.lua") || isTestFunction(span)
  }

  static func isTestFunction(_ span: String) -> Bool {
    span.count >= 16 && span.first!.isLowercase && span.allSatisfy { $0.isLetter || $0.isNumber }
  }

  @Test func everyPromiseNamesATestAndEveryTestItNamesExists() throws {
    let doc = try String(contentsOfFile: Self.root + "/SECURITY.md", encoding: .utf8)
    let bullets = Self.promises(doc)
    #expect(bullets.count >= 30, "the Promises section has \(bullets.count) promises")
    for bullet in bullets {
      #expect(Self.codeSpans(bullet).contains(where: Self.isTestReference), "no test named for: \(bullet)")
    }
    let sources = Self.testSources()
    let all = sources.values.joined(separator: "\n")
    for span in Self.codeSpans(bullets.joined(separator: "\n")) where Self.isTestReference(span) {
      if span.hasSuffix("_spec.lua") {
        #expect(FileManager.default.fileExists(atPath: Self.root + "/" + span), "no spec \(span)")
        continue
      }
      if Self.isTestFunction(span) {
        let found = all.contains("func \(span)(")
        #expect(found, "no test function \(span)")
        continue
      }
      let last = String(span.split(separator: "/").last!)
      let parts = last.split(separator: ".").map(String.init)
      // A target name (LuaBridgeTests/...) is a folder; a suite is a struct in a file.
      if parts.count == 1, FileManager.default.fileExists(atPath: Self.root + "/Tests/" + parts[0]) {
        continue
      }
      let file = sources.first { $0.value.contains("struct \(parts[0])") }
      #expect(file != nil, "no suite \(parts[0]) (from \(span))")
      if parts.count == 2, let file {
        let found = file.value.contains("func \(parts[1])(")
        #expect(found, "no test \(parts[1]) in \(parts[0]) (\(file.key))")
      }
    }
  }
}
