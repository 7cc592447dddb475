import Foundation
import Testing

/// report.json against docs/report.schema.json, checked by the jsonschema package
/// (scripts/test installs it when missing).
@Suite(.serialized) struct SchemaTests {
  static func validate(_ files: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      [
        "python3", PMHostProcess.packageRoot + "/Tests/pmhostTests/Fixtures/validate_schema.py",
        PMHostProcess.packageRoot + "/docs/report.schema.json",
      ] + files
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test func theExampleReportValidates() throws {
    let out = try Scratch()
    defer { out.remove() }
    let run = try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"])
    #expect(run.status == exampleRunStatus, "\(run.stderr)")
    let result = try Self.validate([out.path + "/report.json"])
    #expect(result.status == 0, "\(result.output)")
  }

  @Test func aReportWithGapsWarningsAndPendingChecksValidates() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("app.log", "2025-02-09T10:01:00Z level=error msg=boom\nno time here level=error\n")
    try scratch.write(
      "pipeline.lua",
      """
      return { incident = "incident.yaml",
        collect = { { "kubectl-logs", path = "app.log" }, { "prometheus", url = "http://127.0.0.1:9", query = "up" } },
        timeline = { "bursts", "key-moments" }, report = { "json" }, validate = { "checklist" } }
      """)
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--no-input"], in: scratch.path)
    #expect(run.status <= 1, "\(run.stderr)")
    let report = try #require(scratch.read("out/report.json"))
    #expect(report.contains("connection refused"))
    let result = try Self.validate([scratch.path + "/out/report.json"])
    #expect(result.status == 0, "\(result.output)")
  }

  @Test func aBrokenReportFailsWithThePathNamed() throws {
    let out = try Scratch()
    defer { out.remove() }
    #expect(
      try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"]).status
        == exampleRunStatus)
    let text = try #require(out.read("report.json"))
    let broken = text.replacingOccurrences(
      of: "\"time\": \"2025-02-09T10:05:23.000Z\"", with: "\"time\": \"10:05:23\"")
    #expect(broken != text)
    try out.write("broken.json", broken)
    let result = try Self.validate([out.path + "/broken.json"])
    #expect(result.status == 1)
    #expect(result.output.contains("$.timeline[0].time: '10:05:23' does not match"), "\(result.output)")
  }
}
