import Foundation
import Testing

/// The analysis checks as a user meets them: a blaming summary fails `pmhost validate` with
/// the sentence quoted, and a vague action item is flagged with what would make it specific.
@Suite(.serialized) struct AnalysisChecksTests {
  @Test func aBlamingSummaryFailsValidationWithTheSentenceQuoted() throws {
    let out = try Scratch()
    defer { out.remove() }
    #expect(
      try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"]).status
        == exampleRunStatus)
    let report = try #require(out.read("report.json"))
    let summary = "The API service experienced elevated error rates"
    #expect(report.contains(summary))
    try out.write(
      "blaming.json",
      report.replacingOccurrences(
        of: summary,
        with:
          "@alice caused the outage by deploying a careless change. The API service experienced elevated error rates"
      ))
    let run = try PMHostProcess.run(["validate", out.path + "/blaming.json"])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "[ ] blameless_language (FAIL): summary: \"@alice caused the outage by deploying a careless change.\""
      ),
      "\(run.stdout)")
  }

  @Test func aVagueActionItemIsFlagged() throws {
    let scratch = try EvidenceTests.exampleCopy()
    defer { scratch.remove() }
    let actions = try #require(scratch.read("actions.yaml"))
    try scratch.write(
      "actions.yaml",
      actions.replacingOccurrences(of: "Add connection pool metrics to Grafana", with: "Improve monitoring"))
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: scratch.path)
    #expect(run.stderr.contains("AI-001"), "\(run.stderr)")
    #expect(run.stderr.contains("vague"), "\(run.stderr)")
    let report = try #require(scratch.read("o/report.json"))
    #expect(report.contains("AI-001") && report.contains("vague"))
  }
}
