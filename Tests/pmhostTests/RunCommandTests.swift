import Foundation
import Testing

/// `pmhost run` on the example incident and on broken pipelines, as a user would run it.
@Suite(.serialized) struct RunCommandTests {
  /// The seed's timeline rows; report.md also says how many events the two bursts stand for.
  static let seedRows = [
    "| 10:05:23 | First 5xx errors appear (1,523 events until 10:34:45) | nginx access logs | - |",
    "| 10:06:45 | High error rate alert fires | Prometheus | - |",
    "| 10:08:12 | On-call engineer paged | PagerDuty | System |",
    "| 10:12:00 | Engineer acknowledges alert | PagerDuty | @alice |",
    "| 10:15:30 | Database connection pool exhausted (288 events until 10:34:39) | app logs | - |",
    "| 10:18:45 | Database queries identified as slow | pganalyze | @alice |",
    "| 10:22:10 | Cache layer deployed as mitigation | kubectl | @alice |",
    "| 10:35:00 | Error rate returns to normal | Prometheus | - |",
    "| 10:40:00 | Incident marked resolved | PagerDuty | @alice |",
  ]

  @Test func exampleReproducesTheSeedReport() throws {
    let out = try Scratch()
    defer { out.remove() }
    let result = try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path])
    #expect(result.status == exampleRunStatus, "\(result.stderr)")
    #expect(result.stdout.contains("report.md"))
    let html = try #require(out.read("report.html"))
    #expect(html.contains("<h1>Post-Mortem: API Service Degradation (2025-02-09)</h1>"))
    #expect(
      html.contains("aria-label=\"Timeline of the incident\"") && html.contains("aria-label=\"Error rate\""))
    let report = try #require(out.read("report.md"))
    let rows = report.split(separator: "\n").filter { $0.hasPrefix("| 10:") }.map(String.init)
    #expect(rows == Self.seedRows)
    let sections = [
      "# Post-Mortem: API Service Degradation (2025-02-09)", "**Date**: 2025-02-09",
      "**Duration**: 1h 35min (10:05 - 11:40 UTC)", "**Severity**: P1 (Critical service degraded)",
      "**Authors**: @alice, @bob", "**Reviewed**: 2025-02-10", "## Summary", "## Impact",
      "- 40,000 failed requests", "- 2,000 customers affected", "- Revenue impact: ~$5,000 (estimated)",
      "## Root Cause", "## Timeline (all times UTC)", "| Time | Event | Source | Actor |",
      "## Contributing Factors", "### Immediate Cause",
      "- Database connection pool exhausted (max 20 connections)",
      "- Query introduced in v2.3.0 deployment lacked index", "### Contributing Factors",
      "1. **Monitoring Gap**: Connection pool utilization not monitored",
      "2. **Testing Gap**: Load testing didn't include new query pattern",
      "3. **Runbook Gap**: No documented procedure for DB connection issues",
      "4. **Capacity Planning**: Pool size unchanged despite 3x traffic growth", "### Systemic Issues",
      "- No pre-deployment query plan review",
      "- Database alerts only fire on total failure, not degradation",
      "## Action Items", "| ID | Action | Owner | Deadline | Priority |",
      "| AI-001 | Add connection pool metrics to Grafana | @bob | 2025-02-16 | High |",
      "| AI-006 | Add load testing for new query patterns | @charlie | 2025-03-15 | Low |",
      "## What Went Well", "## Lessons Learned", "## Prevention", "See Action Items above.",
    ]
    for section in sections { #expect(report.contains(section), "missing: \(section)") }
    #expect(!report.contains("## Data Gaps"))

    let json = try #require(out.read("report.json"))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let moments = try #require(object["key_moments"] as? [String: Any])
    #expect(moments["impact_start"] as? String == "2025-02-09T10:05:23.000Z")
    // Slack's ts "1739096530.006800", kept to the millisecond.
    #expect(moments["mitigated"] as? String == "2025-02-09T10:22:10.006Z")
    let metrics = try #require(object["metrics"] as? [String: Any])
    #expect(metrics["time_to_detect_s"] as? Int == 82)
    #expect(metrics["duration_s"] as? Int == 5700)
    // Every key moment and metric, to the second.
    #expect(moments["detected"] as? String == "2025-02-09T10:06:45.000Z")
    #expect(moments["paged"] as? String == "2025-02-09T10:08:12.000Z")
    #expect(moments["acknowledged"] as? String == "2025-02-09T10:12:00.000Z")
    #expect(moments["resolved"] as? String == "2025-02-09T10:40:00.000Z")
    #expect(metrics["time_to_acknowledge_s"] as? Int == 315)
    #expect(metrics["time_to_mitigate_s"] as? Int == 1007)
    #expect(metrics["time_to_resolve_s"] as? Int == 2077)
    #expect((object["timeline"] as? [Any])?.count == 9)
    #expect((object["severity"] as? [String: Any])?["level"] as? String == "P1")
  }

  @Test func syntaxErrorInPipelineIsExit2WithLine() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(
      "pipeline.lua", "return {\n  collect = {\n    { \"kubectl-logs\" path = \"x\" },\n  },\n}\n")
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("pipeline.lua:3:"), "\(result.stderr)")
  }

  @Test func missingIncidentIsExit2NamingIt() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("pipeline.lua", "return { collect = {} }\n")
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("incident.yaml"), "\(result.stderr)")
  }

  @Test func unknownPluginIsExit2ListingWhereItLooked() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write("pipeline.lua", "return { collect = { { \"kubectl-logz\", path = \"x\" } } }\n")
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("unknown plugin 'kubectl-logz'"))
    #expect(result.stderr.contains(dir.path + "/plugins"))
    #expect(result.stderr.contains(".config/pmhost/plugins"))
    #expect(result.stderr.contains("bundled"))
    #expect(result.stderr.contains("collect[1]"))
  }

  @Test func unknownOptionIsExit2NamingIt() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write("pipeline.lua", "return { collect = { { \"kubectl-logs\", paht = \"x\" } } }\n")
    let result = try PMHostProcess.run(["check", dir.path + "/pipeline.lua"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("unknown option 'paht'"), "\(result.stderr)")
  }

  @Test func pluginRuntimeErrorNamesPluginStageLineAndTraceback() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(
      "plugins/boom.lua",
      """
      local function explode(x)
        return x.field.deeper
      end
      return { api = 2, stage = "analyze", run = function(ctx, opts)
        explode({})
      end }
      """)
    try dir.write("pipeline.lua", "return { analyze = { \"boom\" }, report = { \"markdown\" } }\n")
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("plugin 'boom' failed in stage analyze"), "\(result.stderr)")
    #expect(result.stderr.contains("plugins/boom.lua:2: attempt to index a nil value"))
    #expect(result.stderr.contains("stack traceback"))
    #expect(dir.read("out/report.md") != nil, "the report is still written")
  }

  @Test func failingCollectorBecomesAGapAndTheRestSurvives() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(
      "app.log",
      "2025-02-09T10:01:02.5Z level=error msg=\"disk full\"\n2025-02-09T10:01:03Z level=info msg=ok\n")
    try dir.write(
      "pipeline.lua",
      """
      return {
        collect = {
          { "kubectl-logs", path = "app.log", source = "app logs" },
          { "pagerduty", file = "missing.json", source = "PagerDuty" },
          { "spin", limits = { time_s = 1 } },
        },
        report = { "markdown", "json" },
      }
      """)
    try dir.write(
      "plugins/spin.lua", "return { api = 2, stage = 'collect', run = function() while true do end end }")
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(dir.read("out/report.md"))
    #expect(report.contains("| 10:01:02 | disk full | app logs | - |"))
    #expect(report.contains("## Data Gaps"))
    #expect(report.contains("PagerDuty"))
    #expect(report.contains("missing.json"))
    #expect(report.contains("plugin spin: time limit of 1 s exceeded"), "\(report)")
    #expect(result.stderr.contains("recorded as a data gap"))
  }

  @Test func handleOutsideItsStageIsRefusedWithTheStagesThatMay() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(
      "plugins/sneaky.lua",
      "return { api = 2, stage = 'report', run = function(ctx) ctx.timeline.add{ time = 0, event = 'x', kind = 'note' } end }"
    )
    try dir.write("pipeline.lua", "return { report = { 'sneaky' } }\n")
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "ctx.timeline.add cannot be called in stage report (only in: collect, timeline)"),
      "\(result.stderr)")
  }

  @Test func trackStageRecordsTheFollowUpTheChecklistLooksFor() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(
      "plugins/remind.lua",
      "return { api = 2, stage = 'track', run = function(ctx) ctx.report.set_follow_up { at = '2025-03-09' } end }"
    )
    try dir.write(
      "plugins/early.lua",
      "return { api = 2, stage = 'act', run = function(ctx) ctx.report.set_follow_up { at = 'x' } end }")
    try dir.write(
      "pipeline.lua", "return { report = { 'json' }, validate = { 'checklist' }, track = { 'remind' } }\n")
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua", "--quiet"])
    let json = try #require(dir.read("out/report.json"))
    #expect(json.contains("\"at\": \"2025-03-09\""), "\(result.stderr)")
    let check = try PMHostProcess.run(["validate", dir.path + "/out/report.json"])
    #expect(check.stdout.contains("[x] follow_up_scheduled"), "\(check.stdout)")

    try dir.write("pipeline.lua", "return { act = { 'early' } }\n")
    let refused = try PMHostProcess.run(["run", dir.path + "/pipeline.lua", "--quiet"])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("ctx.report.set_follow_up cannot be called in stage act (only in: track)"))
  }

  @Test func readingOutsideThePipelineFolderIsRefused() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(
      "pipeline.lua", "return { collect = { { 'kubectl-logs', path = '../../../etc/passwd' } } }\n")
    // The option's schema (a glob inside the pipeline folder) refuses it before the run.
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua", "--quiet"])
    #expect(result.status == 2)
    #expect(
      result.stderr.contains(
        "pipeline.lua:1: collect[1] (kubectl-logs): option 'path': glob '../../../etc/passwd' must stay inside the pipeline folder"
      ),
      "\(result.stderr)")
  }

  @Test func anOrganisationTemplateChangesTheMarkdownReportWithoutSwift() throws {
    // The example's pipeline with its report stage pointed at the example's template.
    let example = try EvidenceTests.exampleCopy()
    defer { example.remove() }
    let pipeline = try #require(example.read("pipeline.lua"))
    let templated = pipeline.replacingOccurrences(
      of: #"report   = { "markdown", "html", "json" },"#,
      with:
        #"report   = { { "markdown", template = "templates/sre-workbook.mustache", file = "postmortem.md" } },"#
    )
    #expect(templated != pipeline)
    try example.write("pipeline.lua", templated)
    let result = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: example.path)
    #expect(result.status == exampleRunStatus, "\(result.stderr)")
    let text = try #require(example.read("o/postmortem.md"))
    for line in [
      "# API Service Degradation",
      "**Incident**: PM-2025-02-09 | **Date**: 2025-02-09 | **Severity**: P1 (Critical service degraded)",
      "## Root Causes", "## Trigger", "| Time to detect | 82 |", "### Where we got lucky",
      "| Add connection pool metrics to Grafana | High | @bob | 2025-02-16 | open |",
      "* **10:05:23** First 5xx errors appear (nginx access logs)",
    ] {
      #expect(text.contains(line), "missing: \(line)")
    }
    #expect(!text.contains("## Prevention"), "the seed's layout was rendered instead")
  }
}
