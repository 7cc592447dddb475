import Foundation
import Testing

/// report.md through Debian's cmark-gfm with the table extension, as GitHub renders it: the
/// Timeline and Action Items tables must come out as HTML tables, row for row.
@Suite struct MarkdownRenderTests {
  static let cmark = ["/usr/bin/cmark-gfm"].first { FileManager.default.isExecutableFile(atPath: $0) }

  @Test(.enabled(if: cmark != nil, "needs Debian's cmark-gfm (scripts/test installs it)"))
  func theTablesRenderAsTables() throws {
    let out = try Scratch()
    defer { out.remove() }
    let run = try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"])
    #expect(run.status == exampleRunStatus, "\(run.stderr)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(Self.cmark))
    process.arguments = ["-e", "table", out.path + "/report.md"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let html = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let tables = html.components(separatedBy: "<table>").dropFirst().map {
      $0.components(separatedBy: "</table>")[0]
    }
    #expect(tables.count == 2, "\(html)")
    guard tables.count == 2 else { return }
    func headers(_ t: String) -> [String] {
      t.components(separatedBy: "<th>").dropFirst().map { $0.components(separatedBy: "</th>")[0] }
    }
    func rows(_ t: String) -> Int {
      t.components(separatedBy: "<tbody>").last!.components(separatedBy: "<tr>").count - 1
    }
    #expect(headers(tables[0]) == ["Time", "Event", "Source", "Actor"])
    #expect(rows(tables[0]) == 9)
    #expect(
      tables[0].contains("<td>10:05:23</td>\n<td>First 5xx errors appear (1,523 events until 10:34:45)</td>"))
    #expect(headers(tables[1]) == ["ID", "Action", "Owner", "Deadline", "Priority"])
    #expect(rows(tables[1]) == 6)
  }
}
