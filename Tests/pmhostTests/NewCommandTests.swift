import Foundation
import Testing

/// `pmhost new pipeline DIR` and `pmhost new plugin NAME --stage STAGE`: what they write
/// loads, checks and passes its own spec; nothing is ever overwritten.
@Suite(.serialized) struct NewCommandTests {
  @Test func aNewPipelinePassesCheck() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let made = try PMHostProcess.run(["new", "pipeline", "pm"], in: scratch.path)
    #expect(made.status == 0, "\(made.stderr)")
    #expect(
      made.stdout.split(separator: "\n") == [
        "pm/actions.yaml", "pm/answers.yaml", "pm/data/README.md", "pm/data/events.log", "pm/incident.yaml",
        "pm/pipeline.lua", "pm/plugins/README.md", "pm/severity-rules.lua", "pm/whys.yaml", "pm/.luacheckrc",
      ])
    let check = try PMHostProcess.run(["check", "pm/pipeline.lua"], in: scratch.path)
    #expect(check.status == 0, "\(check.stderr)")
    let again = try PMHostProcess.run(["new", "pipeline", "pm"], in: scratch.path)
    #expect(again.status == 2)
    #expect(again.stderr.contains("already exist; nothing was written"))
  }

  /// The folder runs as it is, every answer file used: the whys file (five-whys), the
  /// actions file (action-items), the severity rules and, with five-whys asking, the answers
  /// file; every check passes.
  @Test func aNewPipelineRunsEndToEnd() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    #expect(try PMHostProcess.run(["new", "pipeline", "pm"], in: scratch.path).status == 0)
    let run = try PMHostProcess.run(["run", "pm/pipeline.lua", "--no-input"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("validation 10 passed, 0 failed"), "\(run.stderr)")
    let report = try #require(Self.report(scratch))
    #expect((report["severity"] as? [String: Any])?["rule"] as? String == "checkout-degraded")
    let factors = try #require(report["factors"] as? [String: Any])
    #expect((factors["immediate"] as? [String])?.count == 2)
    #expect((factors["systemic"] as? [String])?.count == 2)
    let contributing = (factors["contributing"] as? [[String: Any]] ?? []).compactMap {
      $0["text"] as? String
    }
    #expect(
      contributing.contains(
        "The staging payment sandbox answers in milliseconds, so no test saw a slow response"))
    #expect((report["action_items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }.last == "AI-006")
    #expect((report["warnings"] as? [Any])?.isEmpty == true, "\(report["warnings"] ?? "")")

    // Without the whys file five-whys asks; answers.yaml answers.
    let pipeline = try #require(scratch.read("pm/pipeline.lua"))
    let asking = pipeline.replacingOccurrences(
      of: #"{ "five-whys", answers = "whys.yaml" }"#, with: #""five-whys""#)
    #expect(asking != pipeline)
    try scratch.write("pm/pipeline.lua", asking)
    let unanswered = try PMHostProcess.run(["run", "pm/pipeline.lua", "--no-input"], in: scratch.path)
    #expect(unanswered.status != 0)
    #expect(unanswered.stderr.contains("prompt 'chain1.problem'"), "\(unanswered.stderr)")
    let answered = try PMHostProcess.run(
      ["run", "pm/pipeline.lua", "--no-input", "--answers", "pm/answers.yaml"], in: scratch.path)
    #expect(answered.status == 0, "\(answered.stderr)")
    let replayed = try #require(Self.report(scratch))
    let systemic = (replayed["factors"] as? [String: Any])?["systemic"] as? [String]
    #expect(systemic == ["No service owns the timeouts of calls to the payment provider"])
  }

  static func report(_ scratch: Scratch) -> [String: Any]? {
    scratch.read("pm/out/report.json").flatMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
  }

  /// What `pmhost new` writes passes luacheck, with the .luacheckrc it writes and with the
  /// package's own (which reads the same definitions); a file that reaches for `io`, which
  /// no pmhost Lua has, fails under both, so the checks are not vacuous.
  @Test func aNewPipelineAndItsPluginsPassLuacheck() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    #expect(try PMHostProcess.run(["new", "pipeline", "."], in: scratch.path).status == 0)
    for stage in ["collect", "timeline", "analyze", "classify", "act", "report", "validate", "track"] {
      let made = try PMHostProcess.run(["new", "plugin", "my-\(stage)", "--stage", stage], in: scratch.path)
      #expect(made.status == 0, "\(made.stderr)")
    }
    let written = try FileManager.default.subpathsOfDirectory(atPath: scratch.path)
    for file in written {
      #expect(scratch.read(file)?.contains("{{") != true, "\(file) has a placeholder left")
    }
    let luaFiles = written.filter { $0.hasSuffix(".lua") }
    #expect(luaFiles.count == 18)  // pipeline.lua, severity-rules.lua, 8 plugins and their specs
    let own = try Luacheck.run(["--formatter", "plain", "."], in: scratch.path)
    #expect(own.status == 0, "\(own.output)")
    for file in luaFiles {
      let text = try #require(scratch.read(file))
      let package = try Luacheck.run(
        ["--formatter", "plain", "--filename", file, "-"], in: PMHostProcess.packageRoot, input: text)
      #expect(package.status == 0, "\(file): \(package.output)")
    }

    let bad = "return { name = io.read() }\n"
    try scratch.write("plugins/my-act/init.lua", bad)
    #expect(try Luacheck.run(["--formatter", "plain", "."], in: scratch.path).output.contains("'io'"))
    let package = try Luacheck.run(
      ["--formatter", "plain", "--filename", "plugins/my-act/init.lua", "-"], in: PMHostProcess.packageRoot,
      input: bad)
    #expect(package.output.contains("'io'"))
  }

  @Test(arguments: ["collect", "timeline", "analyze", "classify", "act", "report", "validate", "track"])
  func aNewPluginPassesItsOwnSpec(stage: String) throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let made = try PMHostProcess.run(["new", "plugin", "my-\(stage)", "--stage", stage], in: scratch.path)
    #expect(made.status == 0, "\(made.stderr)")
    let spec = try PMHostProcess.run(["test", "plugins/my-\(stage)"], in: scratch.path)
    #expect(spec.status == 0, "\(spec.stdout)\(spec.stderr)")
    #expect(spec.stdout.contains("1 passed, 0 failed"))
    let listed = try PMHostProcess.run(["plugins", "info", "my-\(stage)"], in: scratch.path)
    #expect(listed.stdout.contains(stage), "\(listed.stdout)")
  }

  @Test func aNewCollectorRunsInAPipeline() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    #expect(try PMHostProcess.run(["new", "pipeline", "."], in: scratch.path).status == 0)
    #expect(
      try PMHostProcess.run(["new", "plugin", "deploys", "--stage", "collect"], in: scratch.path).status == 0)
    try scratch.write("data/deploys.log", "2025-01-01T10:05:00Z deploy api v2 by @me\n")
    try scratch.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", collect = { { "deploys", path = "data/deploys.log" } }, report = { "json" } }"#
    )
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--no-input"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(scratch.read("out/report.json")?.contains("deploy api v2 by @me") == true)
  }

  @Test func badNamesAndStagesAreUsageErrors() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let name = try PMHostProcess.run(["new", "plugin", "../evil", "--stage", "collect"], in: scratch.path)
    #expect(name.status == 2)
    #expect(name.stderr.contains("'../evil' is not a plugin name"))
    let stage = try PMHostProcess.run(["new", "plugin", "ok", "--stage", "gather"], in: scratch.path)
    #expect(stage.status == 2)
    #expect(stage.stderr.contains("unknown stage 'gather'"))
    #expect(!FileManager.default.fileExists(atPath: scratch.path + "/plugins"))
  }
}

/// luacheck (Debian's lua-check, installed by scripts/setup), run as a user would.
enum Luacheck {
  static func run(_ arguments: [String], in directory: String, input: String? = nil) throws -> (
    status: Int32, output: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["luacheck"] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe()
    let feed = Pipe()
    process.standardOutput = out
    process.standardError = out
    process.standardInput = input == nil ? FileHandle.nullDevice : feed
    try process.run()
    if let input {
      feed.fileHandleForWriting.write(Data(input.utf8))
      try feed.fileHandleForWriting.close()
    }
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    // env exits 127 when there is no luacheck: say what installs it.
    #expect(
      process.terminationStatus != 127, "luacheck is not installed: scripts/setup lua-check installs it")
    return (process.terminationStatus, output)
  }
}
