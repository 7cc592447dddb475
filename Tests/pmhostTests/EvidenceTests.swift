import Foundation
import Testing

/// Evidence saved under out/evidence with manifest.json, and `pmhost run --replay`.
@Suite(.serialized) struct EvidenceTests {
  /// sha256sum's answer for a file: an independent check of the manifest's hashes.
  static func sha256sum(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sha256sum", path]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
  }

  static func json(_ path: String) throws -> [String: Any] {
    let data = try #require(FileManager.default.contents(atPath: path), "missing \(path)")
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// report.json without the one field a replay may change.
  static func comparable(_ path: String) throws -> String {
    let text = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
    return text.split(separator: "\n").filter { !$0.contains("\"generated_at\"") }.joined(separator: "\n")
  }

  /// A copy of the example incident in a scratch folder.
  static func exampleCopy() throws -> Scratch {
    let scratch = try Scratch()
    try FileManager.default.removeItem(atPath: scratch.path)
    try FileManager.default.copyItem(
      atPath: PMHostProcess.packageRoot + "/examples/api-outage", toPath: scratch.path)
    try? FileManager.default.removeItem(atPath: scratch.path + "/out")
    return scratch
  }

  @Test func everyReadIsSavedWithItsHash() throws {
    let example = try Self.exampleCopy()
    defer { example.remove() }
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o1"], in: example.path)
    #expect(run.status == exampleRunStatus, "\(run.stderr)")
    #expect(run.stderr.contains("evidence   "))
    let manifest = try Self.json(example.path + "/o1/evidence/manifest.json")
    let entries = try #require(manifest["entries"] as? [[String: Any]])
    let paths = entries.compactMap { ($0["source"] as? [String: Any])?["path"] as? String }
    for expected in [
      "incident.yaml", "data/nginx/access.log", "data/kubectl/api-service.log",
      "data/prometheus/error-rate.json",
      "data/alertmanager/alerts.json", "data/pagerduty/log-entries.json", "whys.yaml", "actions.yaml",
    ] {
      #expect(paths.contains(expected), "no evidence of \(expected) in \(paths)")
    }
    #expect(paths.contains { $0.hasPrefix("data/slack/") })
    for entry in entries {
      let file = try #require(entry["file"] as? String)
      let saved = example.path + "/o1/evidence/" + file
      let sha = try #require(entry["sha256"] as? String)
      #expect(try Self.sha256sum(saved) == sha, "\(file)")
      let size = try FileManager.default.attributesOfItem(atPath: saved)[.size] as? Int
      #expect(entry["bytes"] as? Int == size, "\(file)")
      #expect((entry["fetched_at"] as? String)?.hasSuffix("Z") == true)
      #expect(entry["plugin"] is String && entry["stage"] is String)
      if let path = (entry["source"] as? [String: Any])?["path"] as? String {
        // The copy is the original, byte for byte.
        #expect(try Self.sha256sum(example.path + "/" + path) == sha, "\(path)")
      }
    }
    // report.json lists the same evidence.
    let report = try Self.json(example.path + "/o1/report.json")
    #expect((report["evidence"] as? [Any])?.count == entries.count)
    // No half-written copies are left behind.
    let leftovers = FileManager.default.enumerator(atPath: example.path + "/o1/evidence")?
      .compactMap { $0 as? String }.filter { $0.hasSuffix(".partial") }
    #expect(leftovers == [])
  }

  @Test func replayNeedsNoSourceAndGivesTheSameReport() throws {
    let example = try Self.exampleCopy()
    defer { example.remove() }
    let first = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o1", "--quiet"], in: example.path)
    #expect(first.status == exampleRunStatus, "\(first.stderr)")
    // Every source goes away: the replay must not need any of them.
    for name in ["data", "whys.yaml", "actions.yaml", "incident.yaml"] {
      try FileManager.default.removeItem(atPath: example.path + "/" + name)
    }
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--out", "o2", "--replay", "o1"], in: example.path)
    #expect(replay.status == exampleRunStatus, "\(replay.stderr)")
    #expect(replay.stderr.contains("replayed from o1/evidence"))
    #expect(
      try Self.comparable(example.path + "/o1/report.json")
        == Self.comparable(example.path + "/o2/report.json"))
    #expect(example.read("o1/report.md") == example.read("o2/report.md"))
    #expect(!FileManager.default.fileExists(atPath: example.path + "/o2/evidence"))
  }

  @Test func replayOfAReadTheRecordedRunDidNotMakeIsAGap() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("a.log", "2025-02-09T10:01:00Z level=error msg=boom\n")
    try scratch.write("b.log", "2025-02-09T10:02:00Z level=error msg=bang\n")
    try scratch.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", collect = { { "kubectl-logs", path = "a.log" } }, report = { "json" } }"#
    )
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--out", "o1", "--quiet"], in: scratch.path).status == 0)
    // The pipeline now names a file the recorded run never read.
    try scratch.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", collect = { { "kubectl-logs", path = "b.log" } }, report = { "json" } }"#
    )
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--out", "o2", "--replay", "o1"], in: scratch.path)
    #expect(replay.status == 0, "\(replay.stderr)")
    #expect(replay.stderr.contains("changed since the recorded run"))
    let gaps = try #require(try Self.json(scratch.path + "/o2/report.json")["gaps"] as? [[String: Any]])
    let reason = gaps.first?["reason"] as? String ?? ""
    #expect(reason.contains("('b.log') is not in the replayed evidence"), "\(gaps)")
  }

  @Test func replayOfAFolderWithoutEvidenceIsAUsageError() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("pipeline.lua", #"return { incident = "incident.yaml" }"#)
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--replay", "nowhere"], in: scratch.path)
    #expect(run.status == 2)
    #expect(run.stderr.contains("--replay nowhere: no evidence/manifest.json there"), "\(run.stderr)")
  }

  @Test func promptAnswersAreReplayed() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/ask.lua",
      """
      return { api = 2, stage = "analyze", run = function(ctx)
        ctx.factors.add_immediate(ctx.prompt("cause", "What broke?"))
      end }
      """)
    try scratch.write("answers.yaml", "cause: The cache expired all at once\n")
    try scratch.write(
      "pipeline.lua", #"return { incident = "incident.yaml", analyze = { "ask" }, report = { "json" } }"#)
    let first = try PMHostProcess.run(
      ["run", "pipeline.lua", "--out", "o1", "--answers", "answers.yaml", "--no-input"], in: scratch.path)
    #expect(first.status == 0, "\(first.stderr)")
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--out", "o2", "--replay", "o1", "--no-input"], in: scratch.path)
    #expect(replay.status == 0, "\(replay.stderr)")
    #expect(scratch.read("o2/report.json")?.contains("The cache expired all at once") == true)
  }

  @Test func bigFilesAreHardLinkedUnlessThePipelineSaysCopy() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    // 64 MB and a bit: the size from which evidence is hard-linked.
    let line = Array("2025-02-09T10:01:00Z level=info msg=\"request served\" path=/api/v1/orders\n".utf8)
    var data = Data(capacity: (64 << 20) + line.count * 2)
    while data.count <= 64 << 20 { data.append(contentsOf: line) }
    try data.write(to: URL(fileURLWithPath: scratch.path + "/big.log"))
    for (policy, stored, links) in [("auto", "link", 2), ("copy", "copy", 1)] {
      try scratch.write(
        "pipeline.lua",
        #"return { incident = "incident.yaml", evidence = "\#(policy)", collect = { { "kubectl-logs", path = "big.log" } } }"#
      )
      let run = try PMHostProcess.run(
        ["run", "pipeline.lua", "--out", "o-\(policy)", "--quiet"], in: scratch.path)
      #expect(run.status == 0, "\(run.stderr)")
      let manifest = try Self.json(scratch.path + "/o-\(policy)/evidence/manifest.json")
      let entry = try #require(
        (manifest["entries"] as? [[String: Any]])?.first { $0["kind"] as? String == "file" })
      #expect(entry["stored"] as? String == stored)
      #expect(entry["bytes"] as? Int == data.count)
      let saved = scratch.path + "/o-\(policy)/evidence/" + (entry["file"] as? String ?? "?")
      #expect(try Self.sha256sum(saved) == entry["sha256"] as? String)
      var info = stat()
      #expect(stat(scratch.path + "/big.log", &info) == 0)
      // With "auto" the original and the evidence are one file (2 links); with "copy", two files.
      #expect(Int(info.st_nlink) == links, "\(policy)")
      if policy == "auto" { try FileManager.default.removeItem(atPath: scratch.path + "/o-auto") }
    }
  }

  @Test func replayRefusesEvidenceThatChangedAfterItWasRecorded() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("a.log", "2025-02-09T10:01:00Z level=error msg=boom\n")
    try scratch.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", collect = { { "kubectl-logs", path = "a.log" } }, report = { "json" } }"#
    )
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--out", "o1", "--quiet"], in: scratch.path).status == 0)
    try scratch.write("o1/evidence/kubectl-logs/a.log", "2025-02-09T10:01:00Z level=error msg=forged\n")
    // Issue 14: tampered evidence fails the whole replay (exit 1); it used to become a gap.
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--out", "o2", "--replay", "o1"], in: scratch.path)
    #expect(replay.status == 1, "\(replay.stderr)")
    #expect(
      replay.stderr.contains("entry 2 (plugin kubectl-logs, file \"kubectl-logs/a.log\"): it holds 44 bytes"),
      "\(replay.stderr)")
    #expect(replay.stderr.contains("nothing was replayed"))
    #expect(scratch.read("o2/report.json") == nil)
  }
}
