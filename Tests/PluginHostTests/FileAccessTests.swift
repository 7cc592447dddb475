import Foundation
import Testing

@testable import PluginHost

@Suite struct FileAccessTests {
  func scratch() throws -> String {
    let path = NSTemporaryDirectory() + "pmhost-fa-" + UUID().uuidString
    try FileManager.default.createDirectory(
      atPath: path + "/pipeline/data", withIntermediateDirectories: true)
    try Data("secret\n".utf8).write(to: URL(fileURLWithPath: path + "/secret.txt"))
    try Data("a\n".utf8).write(to: URL(fileURLWithPath: path + "/pipeline/data/a.log"))
    return path
  }

  @Test func readsInsideAndRefusesDotDotAndSymlinksOut() throws {
    let root = try scratch()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createSymbolicLink(
      atPath: root + "/pipeline/data/link.txt", withDestinationPath: root + "/secret.txt")
    let files = FileAccess(pipelineDirectory: root + "/pipeline", outDirectory: root + "/pipeline/out")
    #expect(try files.readablePath("data/a.log").hasSuffix("/pipeline/data/a.log"))
    #expect(throws: FileAccess.Refusal.self) { try files.readablePath("../secret.txt") }
    #expect(throws: FileAccess.Refusal.self) { try files.readablePath("data/../../secret.txt") }
    #expect(throws: FileAccess.Refusal.self) { try files.readablePath("data/link.txt") }
    #expect(throws: FileAccess.Refusal.self) { try files.readablePath(root + "/secret.txt") }
  }

  @Test func writesOnlyPlainNamesInTheOutFolder() throws {
    let files = FileAccess(pipelineDirectory: "/tmp", outDirectory: "/tmp/out")
    #expect(try files.writablePath("report.md") == "/tmp/out/report.md")
    #expect(try files.writablePath("track/gh.sh") == "/tmp/out/track/gh.sh")
    for bad in ["../x", "/etc/x", "a/../../x", ""] {
      #expect(throws: FileAccess.Refusal.self) { try files.writablePath(bad) }
    }
  }

  @Test func writesGoToTheBuildFolderNeverThroughALinkNorIntoPmhostsFiles() throws {
    let root = try scratch()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createDirectory(atPath: root + "/build", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: root + "/build/link", withDestinationPath: root)
    let files = FileAccess(
      pipelineDirectory: root + "/pipeline", outDirectory: root + "/out", writeDirectory: root + "/build")
    #expect(try files.writablePath("report.md") == root + "/build/report.md")
    #expect(throws: FileAccess.Refusal.self) { try files.writablePath("link/escape.txt") }
    for reserved in [
      "evidence/x", "Evidence/manifest.json", "manifest.json", "answers.yaml", ".pmhost", ".pmhost-x",
    ] {
      #expect(throws: FileAccess.Refusal.self, "\(reserved)") { try files.writablePath(reserved) }
    }
    // Only at the top: a plugin's own folder may hold a manifest.json.
    #expect(try files.writablePath("track/manifest.json") == root + "/build/track/manifest.json")
  }

  @Test func globMatchesSegmentsAndDoubleStar() throws {
    let root = try scratch()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createDirectory(
      atPath: root + "/pipeline/data/deep", withIntermediateDirectories: true)
    try Data().write(to: URL(fileURLWithPath: root + "/pipeline/data/deep/b.log"))
    try Data().write(to: URL(fileURLWithPath: root + "/pipeline/data/c.txt"))
    let files = FileAccess(pipelineDirectory: root + "/pipeline", outDirectory: root + "/out")
    #expect(try files.glob("data/*.log") == ["data/a.log"])
    #expect(try files.glob("data/**/*.log") == ["data/a.log", "data/deep/b.log"])
    #expect(throws: FileAccess.Refusal.self) { try files.glob("../*") }
  }

  @Test func globNeverEntersTheOutFolder() throws {
    let root = try scratch()
    defer { try? FileManager.default.removeItem(atPath: root) }
    for folder in ["/pipeline/data", "/pipeline/out/evidence/kubectl-logs/data"] {
      try FileManager.default.createDirectory(atPath: root + folder, withIntermediateDirectories: true)
    }
    try Data().write(to: URL(fileURLWithPath: root + "/pipeline/data/a.log"))
    try Data().write(to: URL(fileURLWithPath: root + "/pipeline/out/evidence/kubectl-logs/data/a.log"))
    let files = FileAccess(pipelineDirectory: root + "/pipeline", outDirectory: root + "/pipeline/out")
    #expect(try files.glob("**/*.log") == ["data/a.log"])
    #expect(try files.glob("out/**/*.log") == [])
  }
}

@Suite struct LineReaderTests {
  func lines(_ text: String, needles: [String] = [], chunk: Int = 8) throws -> [String] {
    let path = NSTemporaryDirectory() + "pmhost-lr-" + UUID().uuidString
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reader = try LineReader(path: path, needles: needles.map { Array($0.utf8) }, chunkSize: chunk)
    var out: [String] = []
    while try reader.next({ line, n in out.append("\(n):" + String(decoding: line, as: UTF8.self)) }) {}
    return out
  }

  @Test func splitsLinesAcrossSmallBuffersWithCRLFAndNoFinalNewline() throws {
    #expect(
      try lines("one\r\ntwo\nthree is a long line\nlast") == [
        "1:one", "2:two", "3:three is a long line", "4:last",
      ])
    #expect(try lines("") == [])
    #expect(try lines("\n\n") == ["1:", "2:"])
  }

  @Test func prefilterKeepsLineNumbers() throws {
    let text = "info ok\nlevel=error boom\ninfo\nstatus=503 x\nerrand\n"
    #expect(try lines(text, needles: ["error", "status=5"]) == ["2:level=error boom", "4:status=503 x"])
    #expect(try lines(text, needles: ["zzz"]) == [])
  }
}
