import Crypto
import Foundation
import Testing

/// `pmhost run` killed with SIGKILL at random moments (deterministic seed) while it reads a
/// 30 MB log with two collectors, copies it as evidence and writes the reports: the out
/// folder never holds a truncated report, and every evidence file the manifest lists is
/// there with the listed SHA-256.
@Suite struct CrashSafetyTests {
  /// SplitMix64: the same kill times on every run of the test.
  struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static func makePipeline(_ dir: Scratch) throws {
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(
      "pipeline.lua",
      #"""
      return {
        incident = "incident.yaml", out = "out", evidence = "copy",
        collect = {
          { "kubectl-logs", path = "data/app.log" },
          { "log-pattern", path = "data/app.log", source = "second",
            pattern = "^(?<time>%S+) level=error msg=\"(?<event>request 1%d%d%d0 .-)\"" },
        },
        report = { "markdown", "json" },
      }
      """#)
    var log = ""
    log.reserveCapacity(32 << 20)
    for i in 0..<260_000 {
      let s = i % 3600
      let level = i % 1000 == 0 ? "error" : "info"
      log +=
        "2025-02-09T10:\(s / 60 < 10 ? "0" : "")\(s / 60):\(s % 60 < 10 ? "0" : "")\(s % 60).000Z level=\(level) msg=\"request \(i) handled with some padding text to make the line longer \(i &* 7919 % 100_003)\"\n"
    }
    try dir.write("data/app.log", log)
  }

  /// Checks what a (possibly killed) run left in `out`; returns a description of what was there.
  static func check(out: String, referenceMarkdown: String) throws -> String {
    let fm = FileManager.default
    var seen: [String] = []
    if let data = fm.contents(atPath: out + "/report.json") {
      #expect(throws: Never.self, "report.json does not parse") {
        _ = try JSONSerialization.jsonObject(with: data)
      }
      seen.append("report.json")
    }
    if let data = fm.contents(atPath: out + "/report.md") {
      #expect(String(decoding: data, as: UTF8.self) == referenceMarkdown, "report.md is not complete")
      seen.append("report.md")
    }
    if let data = fm.contents(atPath: out + "/evidence/manifest.json") {
      let manifest = try #require(
        try JSONSerialization.jsonObject(with: data) as? [String: Any], "manifest.json does not parse")
      let entries = manifest["entries"] as? [[String: Any]] ?? []
      for entry in entries {
        guard let file = entry["file"] as? String else { continue }
        #expect(!file.hasSuffix(".partial"))
        // An entry whose copy was still running has no hash yet; one with a hash must match.
        guard let expected = entry["sha256"] as? String else { continue }
        let bytes = try #require(fm.contents(atPath: out + "/evidence/" + file), "listed \(file) is missing")
        let actual = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        #expect(actual == expected, "\(file): listed with \(expected), holds \(actual)")
        #expect(bytes.count == entry["bytes"] as? Int)
      }
      seen.append("manifest(\(entries.filter { $0["sha256"] != nil }.count) hashed)")
    }
    return seen.joined(separator: ",")
  }

  @Test func sigkillAtRandomMomentsNeverLeavesATruncatedReport() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.makePipeline(dir)
    // A complete run: the reference report.md, and how long a run takes.
    let started = Date()
    let full = try PMHostProcess.run(["run", dir.path + "/pipeline.lua", "--quiet"], in: dir.path)
    let duration = Date().timeIntervalSince(started)
    #expect(full.status == 0, "\(full.stderr)")
    let reference = try #require(dir.read("out/report.md"))
    _ = try Self.check(out: dir.path + "/out", referenceMarkdown: reference)

    var random = Seeded(state: 20_250_209)
    var outcomes: [String] = []
    for trial in 0..<20 {
      let out = dir.path + "/out-\(trial)"
      let delay = Double.random(in: 0.02...(duration * 1.05), using: &random)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: PMHostProcess.binary)
      process.arguments = ["run", dir.path + "/pipeline.lua", "--quiet", "--out", out]
      process.environment = PMHostProcess.environment(home: dir.path)
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      process.standardInput = FileHandle.nullDevice
      try process.run()
      Thread.sleep(forTimeInterval: delay)
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      // Until the end a run writes into its build folder beside `out` (issue 14): check both.
      let build = dir.path + "/.out-\(trial).pmhost-new-\(process.processIdentifier)"
      let seen = [
        try Self.check(out: out, referenceMarkdown: reference),
        try Self.check(out: build, referenceMarkdown: reference),
      ].filter { !$0.isEmpty }.joined(separator: ",")
      outcomes.append(String(format: "%.2fs: ", delay) + (seen.isEmpty ? "nothing" : seen))
      try? FileManager.default.removeItem(atPath: out)
      try? FileManager.default.removeItem(atPath: build)
    }
    // The kills must land at different stages: some before any report, some after.
    #expect(outcomes.contains { !$0.contains("report.md") }, "\(outcomes)")
    #expect(outcomes.contains { $0.contains("hashed") }, "\(outcomes)")
  }
}
