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
        "pm/pipeline.lua", "pm/incident.yaml", "pm/data/README.md", "pm/plugins/README.md",
      ])
    let check = try PMHostProcess.run(["check", "pm/pipeline.lua"], in: scratch.path)
    #expect(check.status == 0, "\(check.stderr)")
    let again = try PMHostProcess.run(["new", "pipeline", "pm"], in: scratch.path)
    #expect(again.status == 2)
    #expect(again.stderr.contains("already exist; nothing was written"))
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
