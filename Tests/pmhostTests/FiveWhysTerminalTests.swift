import Foundation
import Testing

/// five-whys at a real terminal: a pseudo-terminal driven by Fixtures/drive_prompts.py asks
/// the questions, a blaming answer gets the follow-up, the answers are saved and replay to
/// the same factors without a terminal.
@Suite(.serialized) struct FiveWhysTerminalTests {
  static let answers = [
    "API returned 5xx errors from 10:05", "The database connection pool was exhausted at 10:15",
    "An engineer made a mistake in the v2.3.0 query", "No query plan review ran before the deploy",
    "The review checklist has no query plan step", "Database changes have no owning team",
    "Team growth outpaced the review process", "", "",
  ]

  static func interactiveExample() throws -> Scratch {
    let scratch = try EvidenceTests.exampleCopy()
    var pipeline = try #require(scratch.read("pipeline.lua"))
    pipeline = pipeline.replacingOccurrences(
      of: #"{ { "five-whys", answers = "whys.yaml" }, "fishbone" }"#, with: #"{ "five-whys", "fishbone" }"#)
    try scratch.write("pipeline.lua", pipeline)
    return scratch
  }

  struct Driven: Decodable {
    var prompts: [String]
    var status: Int
    var output: String
  }

  @Test func askedAtATerminalSavedAndReplayed() throws {
    let scratch = try Self.interactiveExample()
    defer { scratch.remove() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", PMHostProcess.packageRoot + "/Tests/pmhostTests/Fixtures/drive_prompts.py",
      String(decoding: try JSONEncoder().encode(Self.answers), as: UTF8.self), "--",
      PMHostProcess.binary, "run", "pipeline.lua", "--out", "o1",
    ]
    process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
    process.environment = PMHostProcess.environment(home: scratch.path)
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let driven = try JSONDecoder().decode(Driven.self, from: data)
    #expect(driven.status == exampleRunStatus, "\(driven.output.suffix(1500))")
    #expect(
      driven.prompts == [
        "What went wrong? (the problem to ask why about; empty to skip)",
        "Why? \"API returned 5xx errors from 10:05\"",
        "Why? \"The database connection pool was exhausted at 10:15\"",
        "What allowed that to happen?",
        "Why? \"No query plan review ran before the deploy\"",
        "Why? \"The review checklist has no query plan step\"",
        "Why? \"Database changes have no owning team\"",
        "Why? \"Team growth outpaced the review process\" (empty to end the chain)",
        "Another problem to ask why about? (empty to finish)",
      ], "\(driven.prompts)")
    // The timeline rows near 10:15 were shown as evidence beside the question.
    #expect(driven.output.contains("    10:15:30 Database connection pool exhausted"))
    let saved = try #require(scratch.read("o1/answers.yaml"))
    #expect(saved.contains(#"chain1.why2.followup: "No query plan review ran before the deploy""#))

    // The saved answers replay with no terminal, to the same factors.
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--out", "o2", "--answers", "o1/answers.yaml", "--no-input"], in: scratch.path)
    #expect(replay.status == exampleRunStatus, "\(replay.stderr)")
    let first = try EvidenceTests.json(scratch.path + "/o1/report.json")["factors"] as? [String: Any]
    let second = try EvidenceTests.json(scratch.path + "/o2/report.json")["factors"] as? [String: Any]
    #expect(first.map { NSDictionary(dictionary: $0) } == second.map { NSDictionary(dictionary: $0) })
    let contributing =
      (first?["contributing"] as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
    #expect(contributing.contains("No query plan review ran before the deploy"), "\(contributing)")
    #expect(!contributing.contains("An engineer made a mistake in the v2.3.0 query"))
  }

  @Test func withoutATerminalOrAnswersTheErrorNamesThePrompt() throws {
    let scratch = try Self.interactiveExample()
    defer { scratch.remove() }
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--no-input"], in: scratch.path)
    #expect(run.status == 1)
    #expect(run.stderr.contains("prompt 'chain1.problem'"), "\(run.stderr)")
    #expect(run.stderr.contains("--answers FILE"))
  }
}
