import Foundation
import Testing

/// An incident past midnight, run as a user would: every time the run shows (the key-moments
/// log, report.md's timeline, the checklist's details, Five Whys evidence) carries its date,
/// since a clock time alone would not say which day.
@Suite struct DatedTimesTests {
  static let incident = """
    id: PM-2025-03-01
    title: Queue backlog
    started_at: 2025-03-01T23:50:00Z
    ended_at: 2025-03-02T00:20:00Z
    services: [worker]
    authors: ["@erin"]

    """

  static let log = """
    2025-03-01T23:55:00Z level=error msg="queue depth above 10k"
    2025-03-02T00:05:00Z level=error msg="workers out of memory"

    """

  static let whys = """
    chains:
      - problem: Why did the queue back up?
        cites: ["00:05", "2025-03-01 23:55:00"]
        whys:
          - { answer: Workers ran out of memory, layer: contributing, category: Capacity }

    """

  static let pipeline = """
    return {
      incident = "incident.yaml",
      out = "out",
      collect = {
        { "log-pattern", path = "app.log", pattern = '^(%S+) level=(%a+) msg="(.-)"',
          fields = { "time", "level", "message" } },
      },
      timeline = { "key-moments" },
      analyze = { { "five-whys", answers = "whys.yaml", min_depth = 1 } },
      report = { "json", "markdown" },
      validate = { "checklist" },
    }

    """

  @Test func timesPastMidnightCarryTheirDate() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Self.incident)
    try scratch.write("app.log", Self.log)
    try scratch.write("whys.yaml", Self.whys)
    try scratch.write("pipeline.lua", Self.pipeline)
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    // The checklist fails (no resolution event): exit 1, with every report written.
    #expect(run.stderr.contains("key moments (UTC): impact_start 2025-03-01 23:55:00"), "\(run.stderr)")
    let report = try #require(scratch.read("out/report.md"), "\(run.stderr)")
    #expect(report.contains("| 2025-03-01 23:55:00 | queue depth above 10k | log-pattern | - |"), "\(report)")
    #expect(report.contains("| 2025-03-02 00:05:00 | workers out of memory | log-pattern | - |"), "\(report)")
    #expect(
      report.contains(
        "timeline_complete: ends at 2025-03-02 00:05:00, before the incident's end (2025-03-02 00:20:00)"),
      "\(report)")
    let json = try EvidenceTests.json(scratch.path + "/out/report.json")
    let factors = try #require(json["factors"] as? [String: Any])
    let contributing = try #require(factors["contributing"] as? [[String: Any]])
    #expect(
      contributing.first?["evidence"] as? [String] == [
        "2025-03-02 00:05:00 workers out of memory", "2025-03-01 23:55:00 queue depth above 10k",
      ], "\(contributing)")
  }
}
