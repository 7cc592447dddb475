import Crypto
import Foundation
import Testing

/// Evidence is sealed (issue 14, item 4): plugins never write the evidence, the manifest or
/// pmhost's own files; a replay reads only regular files inside the evidence folder that the
/// manifest lists with a matching size and SHA-256, and refuses anything else with exit 1.
@Suite(.serialized) struct SealedEvidenceTests {
  static let fm = FileManager.default
  var fm: FileManager { Self.fm }

  @Test func pluginsCannotWriteTheEvidenceOrPmhostsFiles() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try OutFolderTests.pipeline(dir)
    // Each name is tried in pcall; the refusals are written to refusals.txt, one a line.
    try dir.write(
      "plugins/forger.lua",
      #"""
      return { api = 2, stage = "report", run = function(ctx)
        local lines = {}
        for _, name in ipairs({ "evidence/x", "../out/evidence/manifest.json", "evidence/manifest.json",
            "manifest.json", "answers.yaml", ".pmhost", "EVIDENCE/kubectl-logs/a.log",
            "manifest.json/x", "sub/.pmhost", "a\0b" }) do
          local ok, err = pcall(ctx.report.write, name, "forged")
          lines[#lines + 1] = name .. " => " .. (ok and "WRITTEN" or tostring(err))
        end
        ctx.report.write("refusals.txt", table.concat(lines, "\n") .. "\n")
      end }
      """#)
    try dir.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", out = "out", collect = { { "kubectl-logs", path = "a.log" } }, report = { "json", "forger" } }"#
    )
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--quiet"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    let refusals = try #require(dir.read("out/refusals.txt")).split(separator: "\n")
    #expect(refusals.count == 10)
    for line in refusals {
      #expect(!line.contains("WRITTEN"), "\(line)")
      #expect(line.contains("plugin forger"), "\(line)")
    }
    #expect(refusals[0].contains("'evidence/x' is refused: evidence/ is the run's sealed evidence"))
    #expect(refusals[1].contains("'../out/evidence/manifest.json' is not a plain relative name"))
    #expect(refusals[3].contains("'manifest.json' is refused: manifest.json beside the reports"))
    #expect(refusals[4].contains("'answers.yaml' is refused"))
    #expect(refusals[5].contains("'.pmhost' is refused: .pmhost is pmhost's record"))
    #expect(refusals[6].contains("'EVIDENCE/kubectl-logs/a.log' is refused"))
    // A folder named manifest.json would make `--replay out` read out/ as the evidence folder.
    #expect(refusals[7].contains("'manifest.json/x' is refused: manifest.json beside the reports"))
    #expect(refusals[8].contains("'sub/.pmhost' is refused: .pmhost is pmhost's record"))
    #expect(refusals[9].contains("is refused: it holds a control character"))
    #expect(!fm.fileExists(atPath: dir.path + "/out/manifest.json"))
    #expect(!fm.fileExists(atPath: dir.path + "/out/sub/.pmhost"))
    #expect(!fm.fileExists(atPath: dir.path + "/out/a%00b") && !fm.fileExists(atPath: dir.path + "/out/a"))
    // The evidence is as recorded: a replay of it works.
    try OutFolderTests.evidenceMatches(dir.path + "/out")
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--replay", "out", "--out", "o2"], in: dir.path)
    #expect(replay.status == 0, "\(replay.stderr)")
  }

  /// A recorded run in `dir/o1`: the incident and a.log (entry 2, plugin kubectl-logs).
  static func recorded() throws -> Scratch {
    let dir = try Scratch()
    try OutFolderTests.pipeline(dir)
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o1", "--quiet"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    try dir.write("outside.log", "2025-02-09T10:01:00Z level=error msg=boom\n")
    return dir
  }

  /// Rewrites the manifest entry of a.log.
  static func editEntry(_ dir: Scratch, _ change: (inout [String: Any]) -> Void) throws -> Int {
    let path = dir.path + "/o1/evidence/manifest.json"
    let data = try #require(fm.contents(atPath: path))
    var manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var entries = try #require(manifest["entries"] as? [[String: Any]])
    let index = try #require(entries.firstIndex { $0["plugin"] as? String == "kubectl-logs" })
    change(&entries[index])
    manifest["entries"] = entries
    try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
    return index + 1
  }

  struct Tamper: CustomTestStringConvertible, Sendable {
    var name: String
    /// What the message says about the entry.
    var expect: String
    var testDescription: String { name }
  }

  static let tampers: [Tamper] = [
    Tamper(name: "../../etc/passwd", expect: "a '..' segment leads out of the evidence folder"),
    Tamper(name: "/etc/passwd", expect: "an absolute path"),
    Tamper(name: "symlink to a file outside", expect: "kubectl-logs/a.log is a symbolic link"),
    Tamper(name: "symlinked folder on the way", expect: "kubectl-logs is a symbolic link"),
    Tamper(name: "FIFO", expect: "it is a FIFO (named pipe), not a regular file"),
    Tamper(name: "missing sha256", expect: "the manifest gives no sha256"),
    Tamper(name: "wrong sha256", expect: "its sha256 is"),
    Tamper(name: "wrong byte count", expect: "it holds 42 bytes, the manifest says 3"),
    Tamper(name: "missing file", expect: "the file is missing"),
    Tamper(name: "NUL in the name", expect: "a control character (such as NUL) in the name"),
  ]

  @Test(arguments: tampers) func aTamperedManifestEntryFailsTheReplay(_ tamper: Tamper) throws {
    let dir = try Self.recorded()
    defer { dir.remove() }
    let evidence = dir.path + "/o1/evidence"
    var file = "kubectl-logs/a.log"
    var entry = try Self.editEntry(dir) { _ in }
    switch tamper.name {
    case "../../etc/passwd", "/etc/passwd":
      file = tamper.name
      entry = try Self.editEntry(dir) {
        $0["file"] = tamper.name
        $0["sha256"] = nil
      }
    case "symlink to a file outside":
      // Same bytes, so the hash would match: only the link gives it away.
      try fm.removeItem(atPath: evidence + "/kubectl-logs/a.log")
      try fm.createSymbolicLink(
        atPath: evidence + "/kubectl-logs/a.log", withDestinationPath: dir.path + "/outside.log")
    case "symlinked folder on the way":
      try fm.moveItem(atPath: evidence + "/kubectl-logs", toPath: dir.path + "/moved")
      try fm.createSymbolicLink(atPath: evidence + "/kubectl-logs", withDestinationPath: dir.path + "/moved")
    case "FIFO":
      try fm.removeItem(atPath: evidence + "/kubectl-logs/a.log")
      #expect(mkfifo(evidence + "/kubectl-logs/a.log", 0o644) == 0)
    case "missing sha256":
      entry = try Self.editEntry(dir) { $0["sha256"] = nil }
    case "wrong sha256":
      try dir.write("o1/evidence/kubectl-logs/a.log", "2025-02-09T10:01:00Z level=error msg=BOOM\n")
    case "NUL in the name":
      // The system would read kubectl-logs/a.log, whose hash matches: another file than named.
      file = "kubectl-logs/a.log\\x00junk"
      entry = try Self.editEntry(dir) { $0["file"] = "kubectl-logs/a.log\u{0}junk" }
    case "wrong byte count":
      entry = try Self.editEntry(dir) { $0["bytes"] = 3 }
    default:
      try fm.removeItem(atPath: evidence + "/kubectl-logs/a.log")
    }
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--replay", "o1", "--out", "o2"], in: dir.path)
    #expect(replay.status == 1, "\(replay.stderr)")
    #expect(
      replay.stderr.contains("entry \(entry) (plugin kubectl-logs, file \"\(file)\"): \(tamper.expect)"),
      "\(replay.stderr)")
    #expect(replay.stderr.contains("nothing was replayed"))
    #expect(!fm.fileExists(atPath: dir.path + "/o2"))
    #expect(!replay.stderr.contains("root:"))
  }

  @Test func aLinkedEvidenceFolderOrManifestFailsTheReplay() throws {
    let dir = try Self.recorded()
    defer { dir.remove() }
    // The manifest is a link to a copy of itself.
    let evidence = dir.path + "/o1/evidence"
    try fm.moveItem(atPath: evidence + "/manifest.json", toPath: dir.path + "/manifest-copy.json")
    try fm.createSymbolicLink(
      atPath: evidence + "/manifest.json", withDestinationPath: dir.path + "/manifest-copy.json")
    var replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--replay", "o1", "--out", "o2"], in: dir.path)
    #expect(replay.status == 1, "\(replay.stderr)")
    #expect(
      replay.stderr.contains("the manifest o1/evidence/manifest.json is a symbolic link"), "\(replay.stderr)")
    try fm.removeItem(atPath: evidence + "/manifest.json")
    try fm.moveItem(atPath: dir.path + "/manifest-copy.json", toPath: evidence + "/manifest.json")
    // The evidence folder is a link to a copy of itself.
    try fm.moveItem(atPath: evidence, toPath: dir.path + "/evidence-copy")
    try fm.createSymbolicLink(atPath: evidence, withDestinationPath: dir.path + "/evidence-copy")
    replay = try PMHostProcess.run(["run", "pipeline.lua", "--replay", "o1", "--out", "o2"], in: dir.path)
    #expect(replay.status == 1, "\(replay.stderr)")
    #expect(replay.stderr.contains("the evidence folder o1/evidence is a symbolic link"), "\(replay.stderr)")
    // Put back, the evidence replays.
    try fm.removeItem(atPath: evidence)
    try fm.moveItem(atPath: dir.path + "/evidence-copy", toPath: evidence)
    replay = try PMHostProcess.run(["run", "pipeline.lua", "--replay", "o1", "--out", "o2"], in: dir.path)
    #expect(replay.status == 0, "\(replay.stderr)")
  }
}
