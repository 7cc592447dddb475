import Foundation
import Testing

@testable import PluginHost
@testable import PostmortemCore

/// The binding hands plugins' tables to the report model and raises its errors as they are,
/// prefixed with the function (issue 17, deliverable 3): the rules themselves are tested in
/// PostmortemCoreTests/DomainRuleTests.
@Suite struct DomainBindingTests {
  @Test func theModelsRulesReachPluginsAndTheSeverityIsOneLevel() throws {
    let scratch = try ScratchPipeline(
      "domain",
      plugins: [
        "rank": """
        return { name = "rank", stage = "classify", version = "1", api = 2, options = {},
          run = function(ctx)
            local problems = {}
            local function try(f, ...)
              local ok, err = pcall(f, ...)
              assert(not ok)
              problems[#problems + 1] = err:match("ctx%..*")
            end
            try(ctx.severity.set, { level = "  " })
            ctx.severity.set { level = "SEV2", rule = "r" }
            try(ctx.gap, "no data", { window = { start = 1739095800, ["end"] = 1739095200 } })
            ctx.log.warn(table.concat(problems, " | "))
          end }
        """,
        "todo": """
        return { name = "todo", stage = "act", version = "1", api = 2, options = {},
          run = function(ctx)
            local id = ctx.actions.add { action = "Add a pool alert" }
            local ok, err = pcall(ctx.actions.update, id, { action = "" })
            assert(not ok)
            ctx.log.warn(ctx.incident.severity .. " " .. ctx.actions.get()[1].status .. " " .. err:match("ctx%..*"))
          end }
        """,
      ],
      pipeline: """
        return { incident = { id = "PM-1", title = "Pool", severity = "P1", started_at = "2025-02-09T10:00:00Z", ended_at = "2025-02-09T11:00:00Z" },
          classify = { "rank" }, act = { "todo" }, report = { "json" } }
        """)
    defer { scratch.remove() }
    let outcome = try scratch.run()
    #expect(outcome.failures == [])
    let messages = outcome.model.warnings.map(\.message)
    #expect(
      messages.contains(
        "ctx.severity.set: field 'level' must be a string such as \"P1\" | ctx.gap: field 'window.end' (2025-02-09T10:00:00.000Z) is before 'window.start' (2025-02-09T10:10:00.000Z)"
      ), "\(messages)")
    #expect(
      messages.contains("SEV2 open ctx.actions.update: field 'action' must be a non-empty string"),
      "\(messages)")
    // report.json states the level ctx.incident gave.
    let report = try Report.decode(
      Data(contentsOf: URL(fileURLWithPath: outcome.outDirectory + "/report.json")))
    #expect(report.incident.severity == "SEV2" && report.severity?.level == "SEV2")
    #expect(outcome.model.declaredSeverity == "P1")
  }
}
