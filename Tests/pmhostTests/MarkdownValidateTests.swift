import Foundation
import Testing

/// `pmhost validate` on Markdown: pmhost's own report.md, a deliberately incomplete one, and
/// the real post-mortems of another team in ../shared/corpus (read in place; skipped with a
/// message when the folder is absent).
@Suite(.serialized) struct MarkdownValidateTests {
  static let corpus = PMHostProcess.packageRoot + "/../shared/corpus/dfds-postmortems"
  static let corpusPresent = FileManager.default.fileExists(atPath: corpus)

  typealias Finding = ValidatedFinding
  typealias Check = ValidatedCheck

  static func validate(_ path: String) throws -> (status: Int32, checks: [String: Check], text: String) {
    let run = try PMHostProcess.run(["validate", "--json", path])
    let checks = try JSONDecoder().decode([Check].self, from: Data(run.stdout.utf8))
    return (run.status, Dictionary(uniqueKeysWithValues: checks.map { ($0.check, $0) }), run.stderr)
  }

  @Test func pmhostsOwnMarkdownReportIsReadWholeAndAnIncompleteOneFailsByLine() throws {
    let out = try Scratch()
    defer { out.remove() }
    #expect(
      try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"]).status
        == exampleRunStatus)
    let good = try Self.validate(out.path + "/report.md")
    // The example's own claims disagree with its timeline (DocumentVerdictTests); the rest passes.
    #expect(good.status == 1)
    #expect(
      good.checks.values.filter { $0.ok == false }.map(\.check) == ["claims_match_evidence"], "\(good.checks)"
    )
    #expect(
      good.checks["timeline_complete"]?.detail
        == "9 rows from 2025-02-09T10:05:23Z to 2025-02-09T10:40:00Z (UTC)")
    #expect(good.checks["action_items_complete"]?.detail == "6 items with owner, deadline and priority")

    // The same report with its rows out of order, an owner gone and a blaming sentence.
    var text = try #require(out.read("report.md"))
    text = text.replacingOccurrences(
      of: "| 10:06:45 | High error rate alert fires |", with: "| 10:36:45 | High error rate alert fires |")
    text = text.replacingOccurrences(
      of: "| AI-002 | Create runbook: DB connection saturation | @alice |",
      with: "| AI-002 | Create runbook: DB connection saturation | - |")
    text = text.replacingOccurrences(
      of: "## Lessons Learned\n", with: "## Lessons Learned\n\n- Human error during the rollout.\n")
    try out.write("broken.md", text)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    func line(of needle: String) -> Int? { lines.firstIndex { $0.contains(needle) }.map { $0 + 1 } }
    let bad = try Self.validate(out.path + "/broken.md")
    #expect(bad.status == 1)
    let paged = try #require(line(of: "On-call engineer paged"))
    #expect(
      bad.checks["timeline_chronological"]?.findings.first?.line == paged,
      "\(bad.checks["timeline_chronological"]!)")
    #expect(bad.checks["timeline_chronological"]?.findings.count == 1)
    let runbook = try #require(line(of: "Create runbook: DB connection saturation"))
    #expect(
      bad.checks["action_items_complete"]?.findings
        == [Finding(line: runbook, text: "Create runbook: DB connection saturation (no owner)")])
    #expect(
      bad.checks["blameless_language"]?.findings.map(\.line) == [line(of: "Human error during the rollout.")])
  }

  @Test(.enabled(if: corpusPresent, "../shared/corpus is absent: nothing to read"))
  func everyCorpusPostMortemIsReadAndChecked() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { $0 != "LICENSE" }
      .sorted()
    #expect(files.count >= 38)
    var blamed: [String] = []
    for name in files {
      let result = try Self.validate(Self.corpus + "/" + name)
      #expect(result.status == 0 || result.status == 1, "\(name): \(result.text)")
      #expect(result.checks.count == 11, "\(name)")
      if result.checks["blameless_language"]?.ok == false { blamed.append(name) }
    }
    // One document in 40 says "Human error"; the others describe systems ("traffic failed to
    // reach the cluster", "each repository should have clear rules"): no false positive.
    #expect(blamed == ["PM2022-002 -  Logs not shipped to CloudWatch.md"], "\(blamed)")
  }

  @Test(.enabled(if: corpusPresent, "../shared/corpus is absent: nothing to read"))
  func corpusFindingsNameTheRows() throws {
    let alb = try Self.validate(Self.corpus + "/PM2022-006 - ALB 502 errors.md")
    #expect(alb.status == 1)
    let undated = alb.checks["timeline_complete"]?.findings ?? []
    #expect(undated.count == 9, "\(undated)")
    #expect(undated.first?.line == 13)
    #expect(undated.first?.text.contains("2020-12-21 HH:mm") == true, "\(undated)")
    #expect(alb.checks["action_items_complete"]?.detail.hasPrefix("4 of 4 items lack fields") == true)
    #expect(alb.checks["multiple_factors"]?.ok == true)
    let node = try Self.validate(Self.corpus + "/PM2023-001 - Total node failure.md")
    let order = node.checks["timeline_chronological"]?.findings ?? []
    #expect(order.map(\.line).contains(27), "\(order)")
    #expect(order.first { $0.line == 27 }?.text.contains("Sev 1 ticket raised") == true)
  }
}
