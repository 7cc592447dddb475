import Foundation
import Testing

/// The track stage: github-issues (a script run against a stub `gh`, and the REST API of a
/// loopback stand-in, twice), calendar (parsed by Python's icalendar), the checklist reading
/// both, `--distributed`, and `pmhost actions`.
@Suite(.serialized) struct TrackTests {
  static let token = "it-token-3f9c"

  /// The example incident with a track stage.
  static func example(track: String, actions: String? = nil) throws -> Scratch {
    let scratch = try EvidenceTests.exampleCopy()
    var pipeline = try #require(scratch.read("pipeline.lua"))
    // The example's own track stage gives way to the one under test.
    pipeline = pipeline.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.hasPrefix("  track    = ") }.joined(separator: "\n")
    // The table ends with the file's last "}": the track stage goes just before it.
    let end = try #require(pipeline.range(of: "}", options: .backwards))
    pipeline.replaceSubrange(end, with: "  track = \(track),\n}")
    try scratch.write("pipeline.lua", pipeline)
    if let actions { try scratch.write("actions.yaml", actions) }
    return scratch
  }

  static func checks(_ report: [String: Any]) -> [String: (ok: Bool?, detail: String)] {
    var out: [String: (Bool?, String)] = [:]
    for c in report["validation"] as? [[String: Any]] ?? [] {
      out[c["check"] as? String ?? "?"] = (c["ok"] as? Bool, c["detail"] as? String ?? "")
    }
    return out
  }

  @Test func theScriptRunsAgainstAStubGhWithEveryArgumentIntact() throws {
    let scratch = try Self.example(track: #"{ { "github-issues", repo = "acme/api" } }"#)
    defer { scratch.remove() }
    var actions = try #require(scratch.read("actions.yaml"))
    actions = actions.replacingOccurrences(
      of: "Create runbook: DB connection saturation",
      with: "Create runbook: DB connection saturation (don't `rm -rf` $HOME)")
    try scratch.write("actions.yaml", actions)
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--quiet"], in: scratch.path).status == exampleRunStatus)
    // A stub gh that records its arguments, NUL-separated, one invocation per line.
    try scratch.write(
      "bin/gh",
      "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\" >> \"$GH_LOG\"; done\nprintf '\\n' >> \"$GH_LOG\"\n"
    )
    chmod(scratch.path + "/bin/gh", 0o755)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["track/github-issues.sh"]
    process.currentDirectoryURL = URL(fileURLWithPath: scratch.path + "/out")
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = scratch.path + "/bin:" + (env["PATH"] ?? "/usr/bin:/bin")
    env["GH_LOG"] = scratch.path + "/gh.log"
    process.environment = env
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let log = try #require(scratch.read("gh.log"))
    let calls = log.split(separator: "\0\n", omittingEmptySubsequences: true).map {
      $0.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
    }
    #expect(calls.count == 6)
    guard calls.count == 6 else { return }
    #expect(
      calls[0] == [
        "issue", "create", "--repo=acme/api", "--title=AI-001: Add connection pool metrics to Grafana",
        "--body-file=github-issues/AI-001.md", "--label=post-mortem", "--assignee=bob",
      ])
    #expect(calls[1][3] == "--title=AI-002: Create runbook: DB connection saturation (don't `rm -rf` $HOME)")
    #expect(calls[1][4] == "--body-file=github-issues/AI-002.md")
    #expect(
      scratch.read("out/track/github-issues/AI-002.md")?.hasSuffix(
        "- Owner: @alice\n- Deadline: 2025-02-20\n- Priority: High\n\n<!-- pmhost:PM-2025-02-09:AI-002 -->")
        == true)
  }

  @Test func theAPICreatesEachIssueOnceAcrossTwoRunsAndTheChecklistSeesIt() throws {
    let server = try HTTPTests.Server(script: "github_server.py", arguments: [Self.token])
    defer { server.stop() }
    let base = "http://127.0.0.1:\(server.port)"
    let scratch = try Self.example(
      track:
        #"{ { "github-issues", repo = "acme/api", mode = "api", api_url = "\#(base)", token_env = "PMHOST_TEST_GH_TOKEN" }, "calendar" }"#
    )
    defer { scratch.remove() }
    setenv("PMHOST_TEST_GH_TOKEN", Self.token, 1)
    defer { unsetenv("PMHOST_TEST_GH_TOKEN") }
    for round in 1...2 {
      let run = try PMHostProcess.run(
        ["run", "pipeline.lua", "--distributed", "2025-02-10T16:00:00Z"], in: scratch.path)
      #expect(run.status == exampleRunStatus, "round \(round): \(run.stderr)")
      #expect(
        run.stderr.contains(
          round == 1 ? "6 issues created, 0 already there" : "0 issues created, 6 already there"))
      let report = try EvidenceTests.json(scratch.path + "/out/report.json")
      let items = try #require(report["action_items"] as? [[String: Any]])
      #expect(
        items.map { $0["tracking"] as? String }
          == (1...6).map { "https://github.example/acme/api/issues/\($0)" })
      let checks = Self.checks(report)
      #expect(
        checks["action_items_tracked"]?.ok == true,
        "\(checks["action_items_tracked"].map { $0.detail } ?? "")")
      #expect(checks["follow_up_scheduled"]?.ok == true)
      #expect(checks["distributed_48h"]?.ok == true)
      #expect(scratch.read("out/report.md")?.contains("- [x] action_items_tracked: 6 items tracked") == true)
      // The token is sent, never kept.
      let grep = Process()
      grep.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      grep.arguments = ["grep", "-r", "-l", Self.token, scratch.path + "/out"]
      try grep.run()
      grep.waitUntilExit()
      #expect(grep.terminationStatus == 1, "the token was written to the out folder")
      #expect(!run.stderr.contains(Self.token))
    }
    // The stand-in's own count (read over HTTP with Python: Foundation here has no URLSession).
    let fetch = Process()
    fetch.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    fetch.arguments = [
      "python3", "-c",
      "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
      base + "/__stats",
    ]
    let pipe = Pipe()
    fetch.standardOutput = pipe
    try fetch.run()
    let statsData = pipe.fileHandleForReading.readDataToEndOfFile()
    fetch.waitUntilExit()
    let stats = try JSONSerialization.jsonObject(with: statsData) as? [String: Int]
    #expect(stats?["created"] == 6 && stats?["posts"] == 6, "\(stats ?? [:])")
  }

  @Test func failuresAreReportedPerItemAndCreatedIssuesStayRecorded() throws {
    let server = try HTTPTests.Server(script: "github_server.py", arguments: [Self.token])
    defer { server.stop() }
    let scratch = try Self.example(
      track:
        #"{ { "github-issues", repo = "acme/api", mode = "api", api_url = "http://127.0.0.1:\#(server.port)", token_env = "PMHOST_TEST_GH_TOKEN" } }"#
    )
    defer { scratch.remove() }
    var actions = try #require(scratch.read("actions.yaml"))
    actions = actions.replacingOccurrences(
      of: "Add DB query plan check to CI/CD", with: "Add DB query plan check (fail-422)")
    actions = actions.replacingOccurrences(
      of: "Add load testing for new query patterns", with: "Add load testing (rate-limit)")
    try scratch.write("actions.yaml", actions)
    setenv("PMHOST_TEST_GH_TOKEN", Self.token, 1)
    defer { unsetenv("PMHOST_TEST_GH_TOKEN") }
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(run.status == 1, "a failed check fails the run: \(run.stderr)")
    #expect(
      run.stderr.contains("AI-003: not filed: HTTP 422: GitHub refused the issue (Validation Failed)"),
      "\(run.stderr)")
    #expect(run.stderr.contains("AI-006: not filed: rate limited (HTTP 403); retry after 60 s"))
    let report = try EvidenceTests.json(scratch.path + "/out/report.json")
    let tracked = (report["action_items"] as? [[String: Any]] ?? []).map { $0["tracking"] is String }
    #expect(tracked == [true, true, false, true, true, false])
    let checks = Self.checks(report)
    #expect(checks["action_items_tracked"]?.ok == false)
    #expect(checks["action_items_tracked"]?.detail == "not tracked: AI-003, AI-006")
    let gaps = (report["gaps"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
    #expect(gaps.contains("2 of 6 action items could not be filed as issues"))

    // A wrong token: nothing is created, and the refusal names the URL.
    setenv("PMHOST_TEST_GH_TOKEN", "wrong", 1)
    let refused = try PMHostProcess.run(["run", "pipeline.lua", "--out", "out2"], in: scratch.path)
    #expect(refused.stderr.contains("cannot list the repository's issues"), "\(refused.stderr)")
    #expect(refused.stderr.contains("HTTP 401"))
  }

  @Test func theCalendarParsesWithARealICalendarParser() throws {
    let scratch = try Self.example(track: #"{ "calendar" }"#)
    defer { scratch.remove() }
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--quiet"], in: scratch.path).status == exampleRunStatus)
    try scratch.write(
      "read.py",
      """
      import json, sys, icalendar
      cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
      out = []
      for e in cal.walk("VEVENT"):
          rule = e.get("RRULE")
          out.append({"uid": str(e["UID"]), "start": e.decoded("DTSTART").isoformat(), "summary": str(e["SUMMARY"]),
                      "until": rule["UNTIL"][0].isoformat() if rule else None, "freq": rule["FREQ"][0] if rule else None,
                      "description": str(e.get("DESCRIPTION", ""))})
      print(json.dumps(out))
      """)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", scratch.path + "/read.py", scratch.path + "/out/follow-up.ics"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let events = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    #expect(events.count == 2)
    guard events.count == 2 else { return }
    #expect(events[0]["uid"] as? String == "PM-2025-02-09-follow-up@pmhost")
    #expect(events[0]["start"] as? String == "2025-03-09T15:00:00+00:00")
    #expect(
      (events[0]["description"] as? String)?.contains(
        "AI-005 Implement DB slow query alerts (<100ms) (@bob, due 2025-02-23)") == true)
    #expect(events[1]["freq"] as? String == "WEEKLY")
    #expect(events[1]["until"] as? String == "2025-03-15T23:59:59+00:00")
  }

  @Test func actionsListsOverdueItemsFirst() throws {
    let out = try Scratch()
    defer { out.remove() }
    #expect(
      try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"]).status
        == exampleRunStatus)
    let run = try PMHostProcess.run(["actions", out.path + "/report.json", "--today", "2025-02-21"])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("INCIDENT") == true)
    let ids = lines.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
    #expect(ids == ["AI-004", "AI-001", "AI-002", "AI-005", "AI-003", "AI-006"])
    #expect(lines[1].contains("OVERDUE 7d") && lines[1].contains("@dan"))
    let json = try PMHostProcess.run([
      "actions", "--json", out.path + "/report.json", "--today", "2025-02-21",
    ])
    let items = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    #expect(items.first?["overdue_days"] as? Int == 7)
    #expect(items.last?["overdue_days"] is NSNull)
  }
}
