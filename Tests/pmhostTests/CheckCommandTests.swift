import Foundation
import Testing

/// `pmhost check`: every problem a run would trip on, all in one pass, each as file:line.
@Suite struct CheckCommandTests {
  static let pipeline = """
    return {
      incident = "incident.yaml",
      dedupe_window_s = "2m",
      collect = {
        { "slack-export", dir = "export", channel = "incident",
          keywords = { "rolled back", "rollback" } },
        { "log-pattern", path = "app.log", pattern = "^(%S+) (.*)$", fields = { "time", "message" },
          time_format = "%Y-%m-%Q" },
        { "kubectl-logs", path = "app.log",
          match = "[error" },
        { "no-such-plugin" },
      },
      analyze = { { "five-whys", answers = "whys.yaml" } },
      classify = { { "severity", rules = "missing-rules.lua" } },
      act = { { "action-items", file = "actions.yaml" } },
      track = { { "github-issues", repo = "acme/api", mode = "api", api_url = "htp//api.github.com",
        token_env = "GH-TOKEN" } },
    }
    """

  static func scratch() throws -> Scratch {
    let scratch = try Scratch()
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("app.log", "2025-02-09T10:01:00Z level=error msg=boom\n")
    try scratch.write("export/channels.json", "[]")
    try scratch.write(
      "whys.yaml",
      """
      chains:
        - problem: Why did the API fail?
          whys: [ "pool exhausted", { anwser: "slow query" } ]
        - whys: [ "no problem given" ]
      """)
    try scratch.write(
      "actions.yaml",
      """
      - { id: AI-1, action: Add pool metrics, owner: "@bob", deadline: 2025-02-30, priority: High }
      - { id: AI-1, action: Write the runbook, owner: "@alice", deadline: 2025-03-01, priority: High }
      """)
    try scratch.write("answers.yaml", "chain1.problem: [ a, list ]\n")
    try scratch.write("pipeline.lua", pipeline)
    return scratch
  }

  @Test func everyMistakeIsReportedWithFileAndLineInOnePass() throws {
    let scratch = try Self.scratch()
    defer { scratch.remove() }
    let result = try PMHostProcess.run(
      ["check", "pipeline.lua", "--answers", "answers.yaml"], in: scratch.path)
    #expect(result.status == 2, "\(result.stderr)")
    let expected = [
      "pipeline.lua:3: key 'dedupe_window_s': expected number",
      "pipeline.lua:6: collect[1] (slack-export): option 'keywords': expected map",
      "pipeline.lua:8: collect[2] (log-pattern): option time_format:",
      "pipeline.lua:10: collect[3] (kubectl-logs): option 'match': \"[error\" is not a Lua pattern",
      "pipeline.lua:11: collect[4] (no-such-plugin):",
      "pipeline.lua:13: analyze[1] (five-whys): whys.yaml:2: chain 1, why 2: unknown key anwser",
      "pipeline.lua:13: analyze[1] (five-whys): whys.yaml:2: chain 1, why 2: expected text or { answer, layer, category }",
      "pipeline.lua:13: analyze[1] (five-whys): whys.yaml:4: chain 2: `problem`",
      "pipeline.lua:14: classify[1] (severity): option 'rules': no file 'missing-rules.lua'",
      "pipeline.lua:15: act[1] (action-items): actions.yaml:1: item 1: deadline 2025-02-30 is not a date",
      "pipeline.lua:15: act[1] (action-items): actions.yaml:2: item 2: id AI-1 is also item 1's",
      "pipeline.lua:16: track[1] (github-issues): option 'api_url': \"htp//api.github.com\" is not an http:// or https:// URL",
      "pipeline.lua:17: track[1] (github-issues): option 'token_env': \"GH-TOKEN\" is not an environment variable name",
      "answers.yaml: 'chain1.problem' must be a plain answer",
    ]
    for line in expected {
      #expect(result.stderr.contains(line), "missing: \(line)\n\(result.stderr)")
    }
    #expect(result.stderr.contains("\(expected.count) problems"), "\(result.stderr)")
  }

  @Test func aGoodPipelineIsOkAndItsFilesAreRead() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let example = PMHostProcess.packageRoot + "/examples/api-outage/pipeline.lua"
    let result = try PMHostProcess.run(["check", example], in: scratch.path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains(": ok ("), "\(result.stdout)")
  }

  /// The first fenced block of each section of docs/formats.md, by the section's title.
  static func formatExamples() throws -> [String: String] {
    let text = try String(contentsOfFile: PMHostProcess.packageRoot + "/docs/formats.md", encoding: .utf8)
    var examples: [String: String] = [:]
    for section in text.components(separatedBy: "\n## ").dropFirst() {
      let title = String(section.prefix(while: { $0 != "\n" }))
      let parts = section.components(separatedBy: "```")
      guard parts.count >= 3 else { continue }
      examples[title] = String(parts[1].drop(while: { $0 != "\n" }).dropFirst())
    }
    return examples
  }

  @Test func theDocumentedExamplesOfEachFormatPassCheck() throws {
    let examples = try Self.formatExamples()
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("whys.yaml", try #require(examples["Whys file"]))
    try scratch.write("actions.yaml", try #require(examples["Actions file"]))
    try scratch.write("severity-rules.lua", try #require(examples["Severity rules"]))
    try scratch.write("answers.yaml", try #require(examples["Answers file"]))
    try scratch.write(
      "pipeline.lua",
      """
      return { incident = "incident.yaml",
        analyze = { { "five-whys", answers = "whys.yaml" } },
        classify = { { "severity", rules = "severity-rules.lua" } },
        act = { { "action-items", file = "actions.yaml" } } }
      """)
    let good = try PMHostProcess.run(
      ["check", "pipeline.lua", "--answers", "answers.yaml"], in: scratch.path)
    #expect(good.status == 0, "\(good.stderr)")
    // The same files with one mistake each are refused, each named.
    try scratch.write(
      "whys.yaml",
      examples["Whys file"]!.replacingOccurrences(of: "category: Testing", with: "categry: Testing"))
    try scratch.write(
      "actions.yaml", examples["Actions file"]!.replacingOccurrences(of: "2025-02-20", with: "2025-02-30"))
    try scratch.write(
      "severity-rules.lua",
      examples["Severity rules"]!.replacingOccurrences(of: "label = \"Minor\"", with: "lable = \"Minor\""))
    let bad = try PMHostProcess.run(["check", "pipeline.lua"], in: scratch.path)
    #expect(bad.status == 2)
    for expected in [
      "pipeline.lua:2: analyze[1] (five-whys): whys.yaml:5: chain 1, why 2: unknown key categry",
      "pipeline.lua:4: act[1] (action-items): actions.yaml:2: item 2: deadline 2025-02-30 is not a date",
      "pipeline.lua:3: classify[1] (severity): severity-rules.lua: rule 3: unknown key lable",
    ] {
      #expect(bad.stderr.contains(expected), "missing: \(expected)\n\(bad.stderr)")
    }
  }

  @Test func aRunStopsOnTheSameProblemsWithExit2() throws {
    let scratch = try Self.scratch()
    defer { scratch.remove() }
    let result = try PMHostProcess.run(["run", "pipeline.lua", "--no-input"], in: scratch.path)
    #expect(result.status == 2, "\(result.stderr)")
    #expect(
      result.stderr.contains("pipeline.lua:6: collect[1] (slack-export): option 'keywords'"),
      "\(result.stderr)")
    #expect(scratch.read("out/report.json") == nil)
  }
}
