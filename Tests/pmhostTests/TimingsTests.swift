import Foundation
import Testing

/// `pmhost run --timings`: one line per plugin run and built-in step, in the order they
/// ran, then the total (the format scripts/bench-scale reads).
@Suite struct TimingsTests {
  static func scratch() throws -> Scratch {
    let s = try Scratch()
    try s.write("incident.yaml", Scratch.incident)
    try s.write(
      "plugins/busy.lua",
      """
      return { api = 2, stage = "analyze", run = function(ctx)
        local start = os.clock()
        while os.clock() - start < 0.3 do end
      end }
      """)
    try s.write("app.log", "2025-02-09T10:05:00Z upstream timed out\n2025-02-09T10:06:00Z pool exhausted\n")
    try s.write(
      "pipeline.lua",
      """
      return {
        incident = "incident.yaml",
        collect = { { "log-pattern", path = "app.log", pattern = "^(%S+) (.*)$", fields = { "time", "message" } } },
        analyze = { "busy" },
        report = { "markdown", "json" },
      }
      """)
    return s
  }

  struct Line: Equatable {
    var stage: String
    var plugin: String
    var seconds: Double
  }

  /// The timing lines of `stderr`; each must match the agreed format exactly.
  static func lines(_ stderr: String) -> [Line] {
    var out: [Line] = []
    for line in stderr.split(separator: "\n") where line.hasPrefix("pmhost: timing ") {
      let fields = line.dropFirst("pmhost: timing ".count).split(separator: " ")
      #expect(fields.count == 3, "\(line)")
      guard fields.count == 3, fields[0].hasPrefix("stage="), fields[1].hasPrefix("plugin="),
        fields[2].hasPrefix("seconds=")
      else {
        Issue.record("not in the agreed format: \(line)")
        continue
      }
      let seconds = fields[2].dropFirst("seconds=".count)
      #expect(seconds.split(separator: ".").last?.count == 3, "three decimals: \(line)")
      out.append(
        Line(
          stage: String(fields[0].dropFirst(6)), plugin: String(fields[1].dropFirst(7)),
          seconds: Double(seconds) ?? -1))
    }
    return out
  }

  @Test func timingsListEveryStepInOrderThenTheTotal() throws {
    let s = try Self.scratch()
    defer { s.remove() }
    let result = try PMHostProcess.run(
      ["run", s.path + "/pipeline.lua", "--out", s.path + "/out", "--no-input", "--timings"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = Self.lines(result.stderr)
    #expect(
      lines.map { "\($0.stage) \($0.plugin)" } == [
        "collect log-pattern", "timeline (built-in)", "analyze busy", "report (archive)", "report markdown",
        "report json", "total -",
      ]
        || lines.map { "\($0.stage) \($0.plugin)" } == [
          "collect log-pattern", "timeline (built-in)", "analyze busy", "report (archive)", "report json",
          "report markdown", "total -",
        ], "\(result.stderr)")
    #expect(lines.allSatisfy { $0.seconds >= 0 })
    let busy = try #require(lines.first { $0.plugin == "busy" })
    #expect(busy.seconds >= 0.3)
    let total = try #require(lines.last)
    let sum = lines.dropLast().map(\.seconds).reduce(0, +)
    #expect(total.seconds + 0.01 >= sum, "\(result.stderr)")
    // The lines come at the end, after everything the plugins said.
    let tail = result.stderr.split(separator: "\n").suffix(lines.count + 8)
    #expect(tail.contains { $0.hasPrefix("pmhost: timing stage=total plugin=- seconds=") })
  }

  @Test func noTimingsWithoutTheFlag() throws {
    let s = try Self.scratch()
    defer { s.remove() }
    let result = try PMHostProcess.run([
      "run", s.path + "/pipeline.lua", "--out", s.path + "/out", "--no-input",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stderr.contains("pmhost: timing"))
  }
}
