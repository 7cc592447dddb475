import Foundation
import PostmortemCore
import Testing

@testable import PluginHost

/// The recurrence hook (RunSettings.recurrence): pmhost wires it to the archive; PluginHost
/// calls it once before the report stage with the report as the earlier stages left it, and
/// keeps its answer where report.json and `ctx.report.get()` have it (issue 18).
@Suite struct RecurrenceHookTests {
  /// An analyze plugin that adds a factor, and a report plugin that writes what
  /// `ctx.report.get().recurrence` holds (`kind subject count: text`, a line each).
  static func scratch() throws -> ScratchPipeline {
    try ScratchPipeline(
      "recurrence",
      plugins: [
        "cause": """
        return { name = "cause", stage = "analyze", version = "1", api = 2, description = "d",
          run = function(ctx) ctx.factors.add_immediate("The pool ran out") end }
        """,
        "seen": """
        return { name = "seen", stage = "report", version = "1", api = 2, description = "d",
          run = function(ctx)
            local lines = {}
            for _, r in ipairs(ctx.report.get().recurrence) do
              lines[#lines + 1] = r.kind .. " " .. r.subject .. " " .. r.count .. ": " .. r.text
            end
            ctx.report.write("seen.txt", table.concat(lines, "\\n"))
          end }
        """,
      ],
      pipeline: """
        return {
          incident = { id = "PM-HOOK", title = "t", started_at = "2025-02-09T10:00:00Z", ended_at = "2025-02-09T11:00:00Z",
            services = { "api" } },
          analyze = { "cause" },
          report = { "seen", "json" },
        }
        """)
  }

  static func run(_ scratch: ScratchPipeline, _ configure: (inout RunSettings) -> Void) throws -> RunOutcome {
    var settings = RunSettings()
    settings.quiet = true
    settings.echoWarnings = false
    configure(&settings)
    return try PipelineRunner.run(
      pipelinePath: scratch.dir + "/pipeline.lua", outOverride: nil, settings: settings)
  }

  static func read(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
  }

  @Test func theAnswerIsInReportJSONAndInCtxReportGet() throws {
    let scratch = try Self.scratch()
    defer { scratch.remove() }
    let outcome = try Self.run(scratch) { settings in
      // Built from the report it is given: the incident and the analyze stage's factor.
      settings.recurrence = { report in
        [
          Recurrence(
            kind: "factor", subject: "pool", category: "technology", period: "2025-Q1", count: 3,
            incidents: ["PM-1", "PM-2"],
            text: "\(report.incident.id) shares \"\(report.factors.immediate.joined())\" with PM-1, PM-2")
        ]
      }
    }
    #expect(outcome.failures.isEmpty && outcome.exitCode == 0)
    #expect(
      Self.read(scratch.dir + "/out/seen.txt")
        == "factor pool 3: PM-HOOK shares \"The pool ran out\" with PM-1, PM-2")
    let report = try Report.decode(
      try #require(FileManager.default.contents(atPath: scratch.dir + "/out/report.json")))
    #expect(report.recurrence.map(\.incidents) == [["PM-1", "PM-2"]])
    #expect(report.recurrence.first?.category == "technology")
  }

  @Test func aFailingLookupIsAWarningNeverAFailedRun() throws {
    struct Unreachable: Error, CustomStringConvertible {
      var description: String { "archive.example: refused" }
    }
    let scratch = try Self.scratch()
    defer { scratch.remove() }
    let outcome = try Self.run(scratch) { $0.recurrence = { _ in throw Unreachable() } }
    #expect(outcome.failures.isEmpty && outcome.exitCode == 0)
    #expect(
      outcome.model.warnings.map(\.message) == [
        "the archive's recurrence could not be looked up (the report goes on without it): archive.example: refused"
      ])
    #expect(Self.read(scratch.dir + "/out/seen.txt") == "")
    let json = try #require(Self.read(scratch.dir + "/out/report.json"))
    #expect(json.contains("\"recurrence\": []"))
  }

  @Test func withoutAHookNothingIsLookedUpAndReportJSONSaysNone() throws {
    let scratch = try Self.scratch()
    defer { scratch.remove() }
    let outcome = try Self.run(scratch) { _ in }
    #expect(outcome.model.recurrence.isEmpty && outcome.model.warnings.isEmpty)
    let json = try #require(Self.read(scratch.dir + "/out/report.json"))
    // In key order: after pmhost, before series.
    let pmhost = try #require(json.range(of: "\n  \"pmhost\": "))
    let recurrence = try #require(json.range(of: "\n  \"recurrence\": []"))
    let series = try #require(json.range(of: "\n  \"series\": "))
    #expect(pmhost.lowerBound < recurrence.lowerBound && recurrence.lowerBound < series.lowerBound)
  }

  @Test func aReplayIsGivenTheRecordedAnswerAndDoesNotAsk() throws {
    let scratch = try Self.scratch()
    defer { scratch.remove() }
    _ = try Self.run(scratch) { settings in
      settings.recurrence = { _ in
        [
          Recurrence(
            kind: "service", subject: "api", period: "2025-Q1", count: 2, incidents: ["PM-0"], text: "again")
        ]
      }
    }
    let replayed = try Self.run(scratch) { settings in
      settings.replayDirectory = scratch.dir + "/out"
      settings.recurrence = { _ in throw CancellationError() }
    }
    #expect(replayed.model.warnings.isEmpty, "\(replayed.model.warnings)")
    #expect(replayed.model.recurrence.map(\.text) == ["again"])
    // --no-archive on a replay: nothing, not even the recorded answer.
    let none = try Self.run(scratch) { $0.replayDirectory = scratch.dir + "/out" }
    #expect(none.model.recurrence.isEmpty)
  }
}
