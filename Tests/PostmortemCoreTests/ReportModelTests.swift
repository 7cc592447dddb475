import Foundation
import Testing

@testable import PostmortemCore

/// The report aggregate's rules (issue 15): unique action ids, one severity, valid events,
/// one result per check; and report.json streamed with the same bytes as the tree.
@Suite struct ReportModelTests {
  func model() -> ReportModel { ReportModel(incident: sampleIncident()) }

  @Test func aDuplicateActionIDIsAnErrorNamingBothItemsAndNothingIsDropped() throws {
    let m = model()
    try m.addAction(ActionItem(id: "AI-007", action: "Add a connection-pool alert"))
    #expect(throws: ReportError.self) {
      try m.addAction(ActionItem(id: "AI-007", action: "Raise the pool size"))
    }
    do {
      try m.addAction(ActionItem(id: "AI-007", action: "Raise the pool size"))
    } catch {
      #expect(error.message.contains("AI-007"))
      #expect(error.message.contains("Add a connection-pool alert"))
      #expect(error.message.contains("Raise the pool size"))
    }
    #expect(m.actions.map(\.action) == ["Add a connection-pool alert"])
  }

  @Test func generatedIDsSkipTakenOnesAndStayUnique() throws {
    let m = model()
    try m.addAction(ActionItem(id: "AI-002", action: "b"))
    #expect(try m.addAction(ActionItem(id: "", action: "a")) == "AI-001")
    #expect(try m.addAction(ActionItem(id: "", action: "c")) == "AI-003")
    for i in 0..<2000 { try m.addAction(ActionItem(id: "", action: "x\(i)")) }
    #expect(Set(m.actions.map(\.id)).count == m.actions.count)
    #expect(m.action(id: "AI-2003")?.action == "x1999")
  }

  @Test func aSavedReportWithTwoItemsOfOneIDIsRefused() throws {
    var report = sampleReport()
    report.actionItems.append(ActionItem(id: "AI-001", action: "Another one"))
    #expect(throws: ReportError.self) { try ReportModel(report: report) }
  }

  @Test func theSeverityIsKeptInOnePlaceAndStatedInTheIncident() throws {
    let m = model()  // the incident file declares P1
    #expect(m.severityLevel == "P1")
    try m.setSeverity(SeverityAssessment(level: "P2", rule: "r", reason: "why"))
    let report = m.report(generatedAt: t("2025-02-10T00:00:00Z"))
    #expect(report.incident.severity == "P2")
    #expect(report.severity?.level == "P2")
    #expect(m.declaredSeverity == "P1")  // the declared value is not overwritten
  }

  @Test func anInvalidEventNamesItsFieldAndIsNotAdded() {
    let m = model()
    let base = TimelineEvent(time: t("2025-02-09T10:00:00Z"), event: "x", source: "s", kind: "error")
    var empty = base
    empty.event = ""
    var noKind = base
    noKind.kind = ""
    var count = base
    count.count = 0
    var backwards = base
    backwards.last = t("2025-02-09T09:00:00Z")
    for (bad, field) in [(empty, "event"), (noKind, "kind"), (count, "count"), (backwards, "last")] {
      #expect(throws: ReportError.self) { try m.add(bad) }
      #expect(bad.problem?.contains("'\(field)'") == true)
    }
    #expect(m.timeline.count == 0)
    #expect(throws: ReportError.self) { try m.replaceTimeline([base, count]) }
    #expect(m.timeline.count == 0)
  }

  @Test func aCheckRecordedAgainReplacesItsResult() {
    let m = model()
    for i in 0..<5000 { m.record(ValidationResult(check: "c\(i % 50)", ok: i % 2 == 0, detail: "\(i)")) }
    #expect(m.validation.count == 50)
    #expect(m.validation[0].detail == "4950")
    m.clearValidation()
    #expect(m.validation.isEmpty)
  }

  /// The streamed report.json and the tree's text are the same bytes, hostile texts and
  /// empty sections included.
  @Test func theStreamedReportIsTheTreesText() throws {
    var reports = [sampleReport()]
    var hostile = sampleReport()
    hostile.timeline.append(
      TimelineEvent(
        time: t("2025-02-09T10:30:00Z"), event: "</script>\u{2028}\u{85}\"\\\n\u{1B}[31m", source: "a\u{0}b",
        kind: "note", fields: ["k": .array([.null, .double(1.5), .object(["z": 1, "a": "é"])])]))
    var merged = hostile.timeline[1]
    merged.merged = [
      MergedOccurrence(
        time: t("2025-02-09T10:12:00Z"), kind: "metric_crossed", source: "prom", event: "x > 5%")
    ]
    merged.timeText = "10:12:30 +0100"
    merged.timeOffset = 3600
    merged.last = t("2025-02-09T10:13:00Z")
    merged.actor = "@alice"
    hostile.timeline.append(merged)
    hostile.series = [
      MetricSeries(
        name: "Error rate", query: "sum(rate(x[1m]))", source: "prometheus", plugin: "prometheus",
        labels: ["job": "api"], unit: "ratio", threshold: 0.05, above: true,
        points: [
          SeriesPoint(time: 1_739_095_500, value: .number(0.02)),
          SeriesPoint(time: 1_739_095_515.5, value: .notANumber),
          SeriesPoint(time: 1_739_095_530, value: .plusInfinity),
          SeriesPoint(time: 1_739_095_545, value: .number(-0.0)),
        ]),
      MetricSeries(name: "empty", source: "s", plugin: "p", points: []),
    ]
    hostile.clock = ClockReport(offsets: ["a": 1.5], toleranceSeconds: 2)
    hostile.tableWindow = TimeWindow(start: t("2025-02-09T10:00:00Z"), end: t("2025-02-09T12:00:00Z"))
    reports.append(hostile)
    reports.append(
      Report(
        meta: ReportMeta(version: "0", generatedAt: t("2025-02-10T00:00:00Z")), incident: sampleIncident()))
    for report in reports {
      let tree = try JSONValueEncoder().encode(report).jsonText(pretty: true) + "\n"
      #expect(String(decoding: try report.jsonData(), as: UTF8.self) == tree)
      #expect(try Report.decode(try report.jsonData()) == report)
    }
  }

  /// Many rows are handed on in chunks, not as one buffer.
  @Test func aLargeReportIsHandedOnInChunks() throws {
    var report = sampleReport()
    let e = report.timeline[0]
    report.timeline = Array(repeating: e, count: 6_000)
    var chunks = 0
    var bytes = 0
    try report.writeJSON {
      chunks += 1
      bytes += $0.count
      #expect($0.count < 2 * JSONStream.chunkSize)
    }
    #expect(chunks > 4)
    let whole = try report.jsonData().count
    #expect(bytes == whole)
  }
}
