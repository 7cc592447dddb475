import Foundation
import Testing

@Suite(.serialized) struct OtherCommandTests {
  @Test func versionPrints() throws {
    let result = try PMHostProcess.run(["--version"])
    #expect(result.status == 0)
    #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
  }

  @Test func badFlagIsExit2() throws {
    let result = try PMHostProcess.run(["run", "--no-such-flag"])
    #expect(result.status == 2)
  }

  static let bundled = [
    ("kubectl-logs", "collect"), ("nginx-access", "collect"), ("log-pattern", "collect"),
    ("prometheus", "collect"), ("elasticsearch", "collect"), ("otlp-traces", "collect"),
    ("alertmanager", "collect"), ("pagerduty", "collect"), ("slack-export", "collect"), ("loki", "collect"),
    ("clickhouse", "collect"),
    ("bursts", "timeline"), ("key-moments", "timeline"), ("five-whys", "analyze"), ("fishbone", "analyze"),
    ("severity", "classify"), ("action-items", "act"), ("markdown", "report"), ("html", "report"),
    ("json", "report"),
    ("checklist", "validate"), ("blameless", "validate"), ("github-issues", "track"), ("calendar", "track"),
  ]

  @Test func pluginsListWorksFromAnyFolderAndFromALoneCopyOfTheBinary() throws {
    let elsewhere = try Scratch()
    defer { elsewhere.remove() }
    let copy = elsewhere.path + "/pmhost"
    try FileManager.default.copyItem(atPath: PMHostProcess.binary, toPath: copy)
    for binary in [PMHostProcess.binary, copy] {
      let result = try PMHostProcess.run(["plugins", "list"], in: elsewhere.path, binary: binary)
      #expect(result.status == 0, "\(result.stderr)")
      for (name, stage) in Self.bundled {
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        #expect(line?.contains(stage) == true, "\(name) missing from \(binary)")
        #expect(line?.hasSuffix("bundled") == true)
      }
    }
    let json = try PMHostProcess.run(["plugins", "list", "--json"], in: elsewhere.path, binary: copy)
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    #expect(rows.count == Self.bundled.count)
  }

  @Test func pluginsInfoShowsOptions() throws {
    let result = try PMHostProcess.run(["plugins", "info", "nginx-access"], in: NSTemporaryDirectory())
    #expect(result.status == 0)
    #expect(result.stdout.contains("stage collect"))
    #expect(result.stdout.contains("path (glob, required)"))
    #expect(result.stdout.contains("status (lua_pattern) default: \"5%d%d\""), "\(result.stdout)")
    #expect(result.stdout.contains("source (string)"))
  }

  @Test func validatePassesTheExampleAndFailsAnIncompleteReport() throws {
    let out = try Scratch()
    defer { out.remove() }
    _ = try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"])
    let ok = try PMHostProcess.run(["validate", out.path + "/report.json"])
    // Only the example's own claims fail (DocumentVerdictTests).
    #expect(ok.status == 1, "\(ok.stdout)\(ok.stderr)")
    #expect(ok.stdout.contains("[ ] claims_match_evidence (FAIL)"))
    #expect(ok.stdout.components(separatedBy: "(FAIL)").count == 2, "\(ok.stdout)")
    #expect(ok.stdout.contains("[x] multiple_factors"))

    try out.write(
      "thin.json",
      """
      {"incident": {"id": "PM-1", "title": "Thin", "started_at": "2025-02-09T10:00:00Z",
        "ended_at": "2025-02-09T11:00:00Z", "summary": "@bob caused the outage by a careless deploy."},
       "action_items": [{"id": "AI-001", "action": "Improve monitoring", "status": "open"}]}
      """)
    let thin = try PMHostProcess.run(["validate", out.path + "/thin.json", "--json"])
    #expect(thin.status == 1)
    let checks = try #require(
      try JSONSerialization.jsonObject(with: Data(thin.stdout.utf8)) as? [[String: Any]])
    let failed = Set(checks.filter { $0["ok"] as? Bool == false }.compactMap { $0["check"] as? String })
    #expect(
      failed.isSuperset(of: ["multiple_factors", "action_items_complete", "blameless_language"]), "\(failed)")
  }

  @Test func testCommandCountsPassesAndFailures() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write(
      "echo/init.lua",
      "return { api = 2, stage = 'collect', run = function(ctx, opts) ctx.timeline.add{ time = 1, event = opts.text, kind = 'note' } end, options = { text = { type = 'string', required = true } } }"
    )
    try dir.write(
      "echo/echo_spec.lua",
      """
      describe("echo", function()
        it("adds its text", function()
          local r = plugin.run { text = "hello" }
          assert.equals("hello", r.events[1].event)
        end)
        it("fails on purpose", function() assert.equals(1, 2) end)
      end)
      """)
    let result = try PMHostProcess.run(["test", dir.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("1 passed, 1 failed"), "\(result.stdout)")
    #expect(result.stdout.contains("echo fails on purpose"))
  }
}
