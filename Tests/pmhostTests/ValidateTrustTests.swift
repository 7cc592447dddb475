import Foundation
import Testing

/// `pmhost validate` runs no code from the folder it validates (bundled checks only, or
/// plugins named with --plugins/--check), and accepts every report.json pmhost writes.
@Suite struct ValidateTrustTests {
  /// A validate plugin that announces itself on stderr when loaded and when run, and
  /// forges a passing check: what a hostile report folder would ship.
  static let hostile = """
    print("CANARY-TOP-LEVEL")
    return {
      name = "checklist", api = 2, stage = "validate",
      run = function(ctx)
        print("CANARY-RUN")
        ctx.report.check("forged", true, "all good, trust me")
      end,
    }
    """

  static let inline = """
    incident = { id = "PM-V", title = "Validate", started_at = "2025-02-09T10:00:00Z",
      ended_at = "2025-02-09T11:00:00Z" },
    """

  /// A folder holding a report.json pmhost wrote, and the hostile plugin in every place a
  /// pipeline would find one: its plugins/, PMHOST_PLUGIN_PATH and ~/.config.
  static func hostileFolder() throws -> (Scratch, environment: [String: String]) {
    let scratch = try Scratch()
    try scratch.write("pipeline.lua", "return { \(inline) report = { \"json\" } }")
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "r"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    try scratch.write("r/plugins/checklist/init.lua", hostile)
    try scratch.write("r/plugins/validate/checklist.lua", hostile)
    try scratch.write("path/checklist.lua", hostile)
    try scratch.write("home/.config/pmhost/plugins/checklist/init.lua", hostile)
    try scratch.write("r/report.md", "# Post-mortem: x\n\n## Summary\n\nNothing.\n")
    return (scratch, ["PMHOST_PLUGIN_PATH": scratch.path + "/path", "HOME": scratch.path + "/home"])
  }

  @Test func validateRunsNoCodeFromTheReportsFolder() throws {
    let (scratch, environment) = try Self.hostileFolder()
    defer { scratch.remove() }
    for file in ["report.json", "report.md"] {
      // From the folder itself (`pmhost validate report.json`) and from elsewhere.
      for (directory, path) in [
        (scratch.path + "/r", file), (PMHostProcess.packageRoot, scratch.path + "/r/" + file),
      ] {
        let result = try PMHostProcess.run(["validate", path], in: directory, environment: environment)
        #expect(result.status == 0 || result.status == 1, "\(file): \(result.stderr)")
        #expect(!result.stderr.contains("CANARY"), "\(file): \(result.stderr)")
        #expect(!result.stdout.contains("forged"), "\(file): \(result.stdout)")
        // The bundled checklist ran.
        #expect(result.stdout.contains("blameless"), "\(file): \(result.stdout)")
      }
    }
  }

  @Test func pluginsFromOtherFoldersRunOnlyWhenNamed() throws {
    let (scratch, environment) = try Self.hostileFolder()
    defer { scratch.remove() }
    try scratch.write(
      "mine/extra.lua",
      """
      return { name = "extra", api = 2, stage = "validate",
        run = function(ctx) ctx.report.check("extra_check", true, "ran") end }
      """)
    let named = try PMHostProcess.run(
      ["validate", "r/report.json", "--plugins", "mine", "--check", "extra"], in: scratch.path,
      environment: environment)
    #expect(named.status == 0, "\(named.stderr)")
    #expect(named.stdout.contains("extra_check"), "\(named.stdout)")
    // Unnamed folders still do not count: `extra` is not bundled.
    let unnamed = try PMHostProcess.run(
      ["validate", "r/report.json", "--check", "extra"], in: scratch.path,
      environment: ["PMHOST_PLUGIN_PATH": scratch.path + "/mine"])
    #expect(unnamed.status == 2, "\(unnamed.stderr)")
    #expect(unnamed.stderr.contains("unknown plugin 'extra'"), "\(unnamed.stderr)")
    // A folder named explicitly may not hold two plugins of one name (r/plugins has
    // checklist/ and validate/checklist.lua)...
    let twice = try PMHostProcess.run(
      ["validate", "r/report.json", "--plugins", "r/plugins"], in: scratch.path)
    #expect(twice.status == 2, "\(twice.stderr)")
    #expect(twice.stderr.contains("plugin 'checklist' is defined 2 times in r/plugins"), "\(twice.stderr)")
    #expect(!twice.stdout.contains("forged") && !twice.stderr.contains("CANARY"), "\(twice.stdout)")
    // ... and may shadow the bundled checklist: said on stderr.
    try FileManager.default.removeItem(atPath: scratch.path + "/r/plugins/validate/checklist.lua")
    let shadow = try PMHostProcess.run(
      ["validate", "r/report.json", "--plugins", "r/plugins"], in: scratch.path)
    #expect(shadow.stderr.contains("not the bundled plugin of the same name"), "\(shadow.stderr)")
    #expect(shadow.stdout.contains("forged"), "\(shadow.stdout)")
    let help = try PMHostProcess.run(["validate", "--help"])
    #expect(help.stdout.contains("--plugins") && help.stdout.contains("--check"), "\(help.stdout)")
  }

  /// Pipelines over hostile input; each report.json they write must be accepted by
  /// `pmhost validate` (exit 0 or 1: checks ran), never refused (2) or crashed.
  static let pipelines: [(String, String)] = [
    (
      "weird title",
      #"""
      incident = { id = "PM-1\n$(touch pwned)", title = "a \"quoted\" title\r\n| with | pipes `and` <b>html</b> \u{0}",
        started_at = "2025-02-09T10:00:00Z", ended_at = "2025-02-09T11:00:00Z", severity = "SEV1",
        authors = { "@alice\n@bob" }, summary = "" },
      report = { "json", "markdown", "html" },
      """#
    ),
    (
      "unicode everywhere",
      #"""
      incident = { id = "ПМ-١٢", title = "שגיאה 🔥 ｆｕｌｌ ｗｉｄｔｈ \u{202E}evil", started_at = "2025-02-09T10:00:00+05:30",
        ended_at = "2025-02-09T11:00:00-08:00", authors = { "@ünï" }, summary = "日本語の要約" },
      collect = { { "log-pattern", path = "u.log", pattern = "^(%S+) (%u+) (.*)$",
        fields = { "time", "level", "message" }, source = "ünï ☃" } },
      report = { "json", "markdown" },
      """#
    ),
    (
      "empty timeline",
      """
      \(inline)
      timeline = { "bursts", "key-moments" }, analyze = { "fishbone" }, classify = { "severity" },
      report = { "json" }, validate = { "checklist", "blameless" },
      """
    ),
    (
      "gaps and failed plugins",
      """
      \(inline)
      collect = { { "log-pattern", path = "missing.log", pattern = "^(%S+) (.*)$", fields = { "time", "message" } },
        "broken" },
      analyze = { "broken_analyze" },
      report = { "json" },
      validate = { "checklist" },
      """
    ),
  ]

  @Test func validateAcceptsEveryReportJsonPmhostWrites() throws {
    var reports: [String] = []
    let example = try EvidenceTests.exampleCopy()
    defer { example.remove() }
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: example.path)
    #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
    reports.append(example.path + "/out/report.json")
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write(
      "u.log", "2025-02-09T10:05:00Z ERROR ☃ ünïcode \u{1B}[31m red\n2025-02-09T10:06:00Z ERROR \"q\" | p\n")
    try scratch.write(
      "plugins/broken.lua",
      #"return { api = 2, stage = "collect", run = function() error("collector broke") end }"#)
    try scratch.write(
      "plugins/broken_analyze.lua",
      #"return { api = 2, stage = "analyze", run = function() error("analysis broke") end }"#)
    for (i, (name, body)) in Self.pipelines.enumerated() {
      try scratch.write("p\(i).lua", "return {\n\(body)\n}\n")
      let result = try PMHostProcess.run(["run", "p\(i).lua", "--out", "o\(i)"], in: scratch.path)
      #expect(result.status == 0 || result.status == 1, "\(name): \(result.stderr)")
      reports.append(scratch.path + "/o\(i)/report.json")
    }
    for report in reports {
      #expect(FileManager.default.fileExists(atPath: report), "\(report)")
      for arguments in [["validate", report], ["validate", "--json", report]] {
        let result = try PMHostProcess.run(arguments)
        #expect(result.status == 0 || result.status == 1, "\(report): \(result.status) \(result.stderr)")
        #expect(!result.stdout.isEmpty, "\(report)")
      }
    }
  }
}
