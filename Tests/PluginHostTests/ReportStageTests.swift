import Foundation
import Testing

@testable import PluginHost

/// The report stage runs `json` first, wherever the pipeline lists it (issue 15).
@Suite struct ReportStageTests {
  @Test func jsonRunsFirstWhereverThePipelineListsIt() throws {
    let writer = { (name: String, file: String) in
      """
      return { name = "\(name)", stage = "report", version = "1", api = 2, description = "d",
        run = function(ctx) ctx.report.write("\(file)", "x") end }
      """
    }
    let scratch = try ScratchPipeline(
      "report-order",
      plugins: ["first-md": writer("first-md", "a.md"), "second-md": writer("second-md", "b.md")],
      pipeline: """
        return {
          incident = { id = "X", title = "t", started_at = "2025-02-09T10:00:00Z", ended_at = "2025-02-09T11:00:00Z" },
          report = { "first-md", "second-md", "json" },
        }
        """)
    defer { scratch.remove() }
    let outcome = try scratch.run()
    #expect(outcome.failures.isEmpty)
    #expect(Array(outcome.model.outputs.prefix(3)) == ["report.json", "a.md", "b.md"])
  }
}
