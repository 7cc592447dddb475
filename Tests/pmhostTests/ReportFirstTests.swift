import Foundation
import Testing

/// report.json is written first and always (issue 15): another report plugin failing or
/// running out of time loses nothing of it.
@Suite struct ReportFirstTests {
  /// A pipeline whose report stage lists a failing plugin and one stuck past its time limit
  /// before json.
  static func scratch() throws -> Scratch {
    let s = try Scratch()
    try s.write("incident.yaml", Scratch.incident)
    try s.write(
      "plugins/broken-report/init.lua",
      """
      return { name = "broken-report", stage = "report", version = "1", api = 2, description = "fails",
        run = function(ctx) ctx.report.write("partial.md", "x"); error("the template is broken") end }
      """)
    try s.write(
      "plugins/slow-report/init.lua",
      """
      return { name = "slow-report", stage = "report", version = "1", api = 2, description = "never ends",
        run = function() while true do end end }
      """)
    try s.write(
      "pipeline.lua",
      """
      return {
        incident = "incident.yaml",
        collect = { { "log-pattern", path = "app.log", pattern = "^(%S+) (.*)$", fields = { "time", "message" } } },
        report = { "broken-report", { "slow-report", limits = { time_s = 1 } }, "markdown", "json" },
      }
      """)
    try s.write("app.log", "2025-02-09T10:05:00Z upstream timed out\n2025-02-09T10:06:00Z pool exhausted\n")
    return s
  }

  @Test func reportJSONIsWrittenWhenOtherReportPluginsFailOrTimeOut() throws {
    let s = try Self.scratch()
    defer { s.remove() }
    let result = try PMHostProcess.run([
      "run", s.path + "/pipeline.lua", "--out", s.path + "/out", "--no-input",
    ])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("broken-report") && result.stderr.contains("slow-report"))
    let json = try #require(s.read("out/report.json"), "\(result.stderr)")
    #expect(json.contains("\"event\": \"upstream timed out\""))
    #expect(json.contains("\"event\": \"pool exhausted\""))
    // The failures are recorded in the report.json of the second pass.
    #expect(json.contains("the template is broken"))
    #expect(s.read("out/report.md") != nil)
  }
}
