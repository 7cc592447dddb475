import Foundation
import Testing

/// `pmhost validate` on Markdown: pmhost's own report.md, a deliberately incomplete one, and
/// the real post-mortems of another team in ../shared/corpus (read in place; skipped with a
/// message when the folder is absent).
@Suite(.serialized) struct MarkdownValidateTests {
  static let corpus = PMHostProcess.packageRoot + "/../shared/corpus/dfds-postmortems"
  static let corpusPresent = FileManager.default.fileExists(atPath: corpus)

  struct Check: Decodable {
    var check: String
    var ok: Bool?
    var detail: String
  }

  static func validate(_ path: String) throws -> (status: Int32, checks: [String: Check], text: String) {
    let run = try PMHostProcess.run(["validate", "--json", path])
    let checks = try JSONDecoder().decode([Check].self, from: Data(run.stdout.utf8))
    return (run.status, Dictionary(uniqueKeysWithValues: checks.map { ($0.check, $0) }), run.stderr)
  }

  @Test func pmhostsOwnMarkdownReportPassesAndAnIncompleteOneFailsByName() throws {
    let out = try Scratch()
    defer { out.remove() }
    #expect(
      try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"]).status
        == 0)
    let good = try Self.validate(out.path + "/report.md")
    #expect(good.status == 0, "\(good.checks)")
    #expect(good.checks["timeline_complete"]?.ok == true)
    #expect(
      good.checks["timeline_complete"]?.detail.hasPrefix("9 rows from 2025-02-09T10:05:23.000Z") == true)
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
    let bad = try Self.validate(out.path + "/broken.md")
    #expect(bad.status == 1)
    #expect(
      bad.checks["timeline_chronological"]?.detail.contains(
        "\"On-call engineer paged\" (2025-02-09T10:08:12.000Z) at broken.md:") == true,
      "\(bad.checks["timeline_chronological"]?.detail ?? "")")
    #expect(bad.checks["action_items_complete"]?.detail == "AI-002 has no owner")
    #expect(bad.checks["blameless_language"]?.detail == "lesson: \"Human error during the rollout.\"")
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
      #expect(result.checks.count == 8, "\(name)")
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
    #expect(
      alb.checks["timeline_complete"]?.detail.hasPrefix(
        "9 of 10 rows have no exact time (line 13: \"2020-12-21 HH:mm\"") == true,
      "\(alb.checks["timeline_complete"]?.detail ?? "")")
    #expect(alb.checks["action_items_complete"]?.detail.hasPrefix("4 of 4 items lack fields") == true)
    #expect(alb.checks["multiple_factors"]?.ok == true)
    let node = try Self.validate(Self.corpus + "/PM2023-001 - Total node failure.md")
    #expect(
      node.checks["timeline_chronological"]?.detail.contains(
        "\"Sev 1 ticket raised\" (2023-02-14T11:07:00.000Z) at PM2023-001 - Total node failure.md:27")
        == true,
      "\(node.checks["timeline_chronological"]?.detail ?? "")")
  }
}
