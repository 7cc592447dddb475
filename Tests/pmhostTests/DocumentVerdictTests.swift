import Foundation
import Testing

/// One run's report.json and report.md get the same verdict from `pmhost validate`, the
/// seed example's own contradictions are reported (and nothing else fails), and
/// `--json`, `--explain` and `pmhost import` say what was read.
@Suite(.serialized) struct DocumentVerdictTests {
  typealias Finding = ValidatedFinding
  typealias Check = ValidatedCheck

  static func validate(_ path: String, _ extra: [String] = []) throws -> (status: Int32, checks: [Check]) {
    let run = try PMHostProcess.run(["validate", "--json"] + extra + [path])
    #expect(run.status == 0 || run.status == 1, "\(path): \(run.stderr)")
    return (run.status, try JSONDecoder().decode([Check].self, from: Data(run.stdout.utf8)))
  }

  /// The example run, once for the suite.
  static let example: Scratch = {
    let out = try! Scratch()
    let run = try! PMHostProcess.run([
      "run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet",
    ])
    precondition(run.status == exampleRunStatus, run.stderr)
    return out
  }()

  @Test func theSeedExamplesDurationAndPageToFixDisagreementsAreReportedAndNothingElseFails() throws {
    let json = try Self.validate(Self.example.path + "/report.json")
    #expect(json.status == 1)
    #expect(json.checks.filter { $0.ok == false }.map(\.check) == ["claims_match_evidence"])
    let claims = try #require(json.checks.first { $0.check == "claims_match_evidence" })
    #expect(claims.findings.count == 2, "\(claims.findings)")
    // Both values of each disagreement are named.
    let window = try #require(claims.findings.first { $0.text.contains("1h 35min") })
    #expect(window.text.contains("11:40") && window.text.contains("10:40"), "\(window.text)")
    let fix = try #require(claims.findings.first { $0.text.contains("10 minutes from page to fix") })
    #expect(fix.text.contains("13min 58s"), "\(fix.text)")
    // "Alert fired within 90 seconds of first errors" is true (82 s): not a finding.
    #expect(!claims.findings.contains { $0.text.contains("90 seconds") })
  }

  @Test func reportJsonAndReportMdOfOneRunGetTheSameVerdict() throws {
    let json = try Self.validate(Self.example.path + "/report.json")
    let md = try Self.validate(Self.example.path + "/report.md")
    #expect(json.status == md.status)
    #expect(json.checks.map(\.check) == md.checks.map(\.check))
    for (j, m) in zip(json.checks, md.checks) {
      #expect(
        j.ok == m.ok,
        "\(j.check): report.json \(String(describing: j.ok)) (\(j.detail)); report.md \(String(describing: m.ok)) (\(m.detail))"
      )
    }
  }

  @Test func findingsAreCompleteAndCarryTheirLines() throws {
    let out = try Scratch()
    defer { out.remove() }
    var rows = ""
    for i in 0..<40 { rows += "- later, step \(i) of the rollback\n" }
    try out.write(
      "many.md",
      """
      # Forty undated rows

      ## Timeline (UTC)

      - 2025-03-01 10:00 Alert fired
      \(rows)- 2025-03-01 11:00 Resolved

      ## Action items

      | Action | Owner | Due | Priority |
      |---|---|---|---|
      | Add a pool-saturation alert at 80% of max_connections | Ana | 2025-03-15 | P1 |
      | Be more careful with deploys | Ben | 2025-03-20 | P2 |

      """)
    let result = try Self.validate(out.path + "/many.md")
    let timeline = try #require(result.checks.first { $0.check == "timeline_complete" })
    #expect(timeline.ok == false)
    #expect(timeline.findings.count == 40)
    #expect(timeline.findings.first?.line == 6)
    #expect(timeline.findings.last?.line == 45)
    let vague = try #require(result.checks.first { $0.check == "action_items_specific" })
    #expect(vague.findings == [Finding(line: 53, text: "Be more careful with deploys")])

    // The text output shows ten and says how to see the rest; --explain shows all.
    let text = try PMHostProcess.run(["validate", out.path + "/many.md"])
    #expect(text.stdout.contains("... 30 more (--explain or --json lists them all)"))
    let explain = try PMHostProcess.run(["validate", "--explain", out.path + "/many.md"])
    #expect(explain.stdout.contains("line 45: "))
    #expect(explain.stdout.contains("Timeline rows (42)"))
    #expect(explain.stdout.contains("5     2025-03-01 10:00 -> 2025-03-01T10:00:00Z"), "\(explain.stdout)")
    #expect(explain.stdout.contains("[Ana; 2025-03-15; P1]"))
  }

  @Test func aCheckGivenAnUnknownExtraFieldFailsNamingIt() throws {
    let out = try Scratch()
    defer { out.remove() }
    try out.write(
      "validate/odd/init.lua",
      """
      return { name = "odd", stage = "validate", version = "0.1.0", api = 2,
        run = function(ctx) ctx.report.check("odd", true, "fine", { finding = {} }) end }
      """)
    let run = try PMHostProcess.run([
      "validate", "--check", "odd", "--plugins", out.path, Self.example.path + "/report.json",
    ])
    #expect(run.status == 1 || run.status == 2)
    #expect(run.stderr.contains("unknown field 'finding'"), "\(run.stderr)")
  }

  @Test func importWritesAReportThatValidatesAndMarksWhatIsUnknown() throws {
    let out = try Scratch()
    defer { out.remove() }
    let run = try PMHostProcess.run([
      "import", Self.example.path + "/report.md", "-o", out.path + "/imported.json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let data = try #require(FileManager.default.contents(atPath: out.path + "/imported.json"))
    let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect((report["timeline"] as? [Any])?.count == 9)
    #expect((report["action_items"] as? [Any])?.count == 6)
    let imported = try #require(report["imported"] as? [String: Any])
    #expect((imported["unknown"] as? [String])?.contains { $0.hasPrefix("key_moments") } == true)
    // It reads back: pmhost validate takes it.
    let again = try PMHostProcess.run(["validate", out.path + "/imported.json"])
    #expect(again.status == 0 || again.status == 1, "\(again.stderr)")
    // An existing file pmhost did not write is never overwritten.
    try out.write("notes.json", "{\"mine\": true}")
    let refused = try PMHostProcess.run([
      "import", Self.example.path + "/report.md", "-o", out.path + "/notes.json",
    ])
    #expect(refused.status == 2)
    #expect(out.read("notes.json") == "{\"mine\": true}")
  }
}
