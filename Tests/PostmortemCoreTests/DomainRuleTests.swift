import Foundation
import Testing

@testable import PostmortemCore

/// The rules of the domain that the report model owns (issue 17, deliverable 3): what the
/// Lua binding used to enforce itself (event validity, series, gap windows, action items,
/// severity, the report's fields). The binding only translates tables into the drafts
/// these tests build by hand.
@Suite struct DomainRuleTests {
  func model() -> ReportModel { ReportModel(incident: sampleIncident()) }

  func draft(_ change: (inout EventDraft) -> Void = { _ in }) -> EventDraft {
    var d = EventDraft(time: .seconds(1_739_095_200), event: "pool exhausted", kind: "error")
    change(&d)
    return d
  }

  /// The message of the error `body` throws (nil when it throws none).
  func failure<T>(_ body: () throws(ReportError) -> T) -> String? {
    do {
      _ = try body()
      return nil
    } catch {
      return error.message
    }
  }

  func eventFailure(_ change: (inout EventDraft) -> Void) -> String? {
    let m = model()
    return failure { () throws(ReportError) in try m.event(from: draft(change), source: "api") }
  }

  // MARK: Events

  @Test func aTimeOutsideTheYears0001To9999NamesItsField() throws {
    #expect(eventFailure { $0.time = .seconds(253_402_300_800) }?.contains("field 'time'") == true)
    #expect(eventFailure { $0.time = .seconds(.nan) }?.contains("0001 to 9999") == true)
    #expect(eventFailure { $0.time = .text("2025-13-01T00:00:00Z") }?.hasPrefix("field 'time': ") == true)
    #expect(eventFailure { $0.last = .seconds(-1e15) }?.contains("field 'last'") == true)
    let e = try model().event(from: draft { $0.time = .text("2025-02-09T10:00:00.5Z") }, source: "api")
    #expect(e.time == t("2025-02-09T10:00:00.5Z"))
  }

  @Test func theCountIsPositiveAndTheLastTimeNotBeforeTheFirst() throws {
    #expect(eventFailure { $0.count = 0 }?.contains("field 'count'") == true)
    #expect(eventFailure { $0.last = .seconds(1_739_095_199) }?.contains("field 'last'") == true)
    let e = try model().event(from: draft { $0.last = .seconds(1_739_095_260) }, source: "api")
    #expect(e.count == 1 && e.last == t("2025-02-09T10:01:00Z"))
  }

  @Test func eventTextAndKindMustNotBeEmpty() {
    #expect(eventFailure { $0.event = "" }?.contains("field 'event'") == true)
    #expect(eventFailure { $0.kind = "" }?.contains("field 'kind'") == true)
  }

  @Test func theTimeAsWrittenIsAtMost200BytesAndGivesItsOffset() throws {
    #expect(
      eventFailure { $0.timeText = String(repeating: "x", count: 201) }?.contains("'time_text'") == true)
    let m = model()
    let fromText = try m.event(from: draft { $0.timeText = "09/Feb/2025:12:00:00 +0200" }, source: "nginx")
    #expect(fromText.timeText == "09/Feb/2025:12:00:00 +0200" && fromText.timeOffset == 7200)
    let given = try m.event(
      from: draft {
        $0.timeText = "09/Feb/2025:12:00:00 +0200"
        $0.timeOffset = .text("-05:30")
      }, source: "nginx")
    #expect(given.timeOffset == -19_800)
    #expect(try m.event(from: draft { $0.timeOffset = .seconds(3599.6) }, source: "a").timeOffset == 3600)
  }

  @Test func anOffsetIsWithin24HoursAndNamesItsField() {
    let tooFar = eventFailure { $0.timeOffset = .seconds(24 * 3600) }
    #expect(tooFar == "field 'time_offset' must be seconds east of UTC within ±24 h, or \"+hh:mm\"")
    #expect(eventFailure { $0.timeOffset = .seconds(.infinity) }?.contains("'time_offset'") == true)
    let words = eventFailure { $0.timeOffset = .text("one hour") }
    #expect(
      words
        == "field 'time_offset' 'one hour' is not a UTC offset (use \"+02:00\", \"-0530\", \"Z\" or seconds)")
  }

  @Test func mergedRowsHaveAKindAndATimeAndTakeTheEventsSource() throws {
    #expect(
      eventFailure { $0.merged = [MergedDraft(time: .seconds(1_739_095_100), kind: "")] }?
        .contains("field 'merged[1].kind'") == true)
    #expect(
      eventFailure {
        $0.merged = [
          MergedDraft(time: .seconds(1_739_095_100), kind: "alert_fired"),
          MergedDraft(time: .text("yesterday"), kind: "metric_crossed"),
        ]
      }?.hasPrefix("field 'merged[2].time'") == true)
    let e = try model().event(
      from: draft { $0.merged = [MergedDraft(time: .seconds(1_739_095_100), kind: "metric_crossed")] },
      source: "prometheus")
    #expect(
      e.merged == [
        MergedOccurrence(
          time: t("2025-02-09T09:58:20Z"), kind: "metric_crossed", source: "prometheus", event: "")
      ])
  }

  @Test func sourcesEvidenceAndActorFollowTheModelsRules() throws {
    let m = model()  // incident.people: alice = Alice Smith, U123
    let e = try m.event(
      from: draft {
        $0.sources = ["slack", "api", "slack"]
        $0.actor = "Alice Smith"
        $0.evidence = ["data/api.log:3"]
        $0.evidenceAll = ["data/api.log:3", "data/api.log:9"]
      }, source: "api")
    #expect(e.source == "api" && e.sources == ["api", "slack"])
    #expect(e.actor == "alice")
    #expect(e.evidence == ["data/api.log:3", "data/api.log:9"])
    // A plugin that replaced `evidence` replaced the list.
    let replaced = try m.event(
      from: draft {
        $0.evidence = ["other:1"]
        $0.evidenceAll = ["data/api.log:3", "data/api.log:9"]
        $0.actor = "-"
      }, source: "api")
    #expect(replaced.evidence == ["other:1"] && replaced.actor == nil)
    #expect(try m.event(from: draft { $0.actor = "" }, source: "api").actor == nil)
    #expect(try m.event(from: draft { $0.source = "pd" }, source: "api").source == "pd")
  }

  @Test func aListOfDraftsNamesTheEventThatFails() {
    let m = model()
    let message = failure { () throws(ReportError) in
      try m.events(from: [draft(), draft { $0.count = -2 }], source: "api")
    }
    #expect(message?.hasPrefix("event 2: field 'count'") == true)
  }

  @Test func burstsNeedAGapOfZeroOrMoreSecondsAndAtLeastOneEvent() throws {
    let m = model()
    for k in 0..<3 {
      try m.add(
        try m.event(
          from: draft {
            $0.time = .seconds(1_739_095_200 + Double(k))
            $0.group = "5xx"
          }, source: "api"))
    }
    #expect(
      failure { () throws(ReportError) in try m.collapseBursts(gap: -1, minCount: 2, title: "") }
        == "field 'gap' must be seconds >= 0 (got -1.0)")
    #expect(
      failure { () throws(ReportError) in try m.collapseBursts(gap: .infinity, minCount: 2, title: "") }?
        .hasPrefix("field 'gap'") == true)
    #expect(
      failure { () throws(ReportError) in try m.collapseBursts(gap: 5, minCount: 0, title: "") }
        == "field 'min_count' must be at least 1 (got 0)")
    #expect(m.timeline.count == 3)
    #expect(try m.collapseBursts(gap: 5, minCount: 2, title: "") == 1)
  }

  // MARK: Series and gaps

  @Test func aSeriesHasANameNumbersAndTimesInRange() throws {
    func problem(_ change: (inout SeriesDraft) -> Void) -> String? {
      var d = SeriesDraft(name: "Error rate", points: [(.seconds(1_739_095_200), .number(0.1))])
      change(&d)
      return failure { () throws(ReportError) in try MetricSeries(d, plugin: "prometheus", source: "prom") }
    }
    #expect(problem { $0.name = "" } == "field 'name' must be a non-empty string")
    #expect(
      problem { $0.points.append((.seconds(1_739_095_215), .text("lots"))) }?.hasPrefix(
        "field 'points[2][2]' 'lots'")
        == true)
    #expect(
      problem { $0.points.append((.seconds(1e18), .number(1))) }?.hasPrefix("field 'points[2][1]'") == true)
    #expect(problem { $0.threshold = .nan }?.hasPrefix("field 'threshold'") == true)
    var d = SeriesDraft(
      name: "Error rate",
      points: [(.seconds(1_739_095_260), .text("+Inf")), (.text("2025-02-09T10:00:00Z"), .number(0.1))])
    d.threshold = 0.05
    let s = try MetricSeries(d, plugin: "prometheus", source: "prom")
    #expect(s.points.map(\.time) == [1_739_095_200, 1_739_095_260])  // sorted
    #expect(s.points.last?.value == .plusInfinity)
    #expect(s.above == true && s.source == "prom" && s.plugin == "prometheus")
    d.threshold = nil
    #expect(try MetricSeries(d, plugin: "p", source: "s").above == nil)
  }

  @Test func aGapWindowEndsAfterItStarts() throws {
    let m = model()
    let backwards = failure { () throws(ReportError) in
      try m.addGap(
        reason: "no data", source: "prom", plugin: "prometheus",
        window: (.seconds(1_739_095_800), .seconds(1_739_095_200)))
    }
    #expect(backwards?.hasPrefix("field 'window.end'") == true)
    let outside = failure { () throws(ReportError) in
      try m.addGap(reason: "x", source: "s", plugin: "p", window: (.seconds(1e17), .seconds(1e17)))
    }
    #expect(outside?.hasPrefix("field 'window.start'") == true)
    #expect(m.gaps.isEmpty)
    try m.addGap(
      reason: "no data", source: "prom", plugin: "prometheus",
      window: (.text("2025-02-09T10:00:00Z"), .seconds(1_739_095_800)))
    #expect(
      m.gaps == [
        Gap(
          source: "prom", plugin: "prometheus", reason: "no data",
          window: TimeWindow(start: t("2025-02-09T10:00:00Z"), end: t("2025-02-09T10:10:00Z")))
      ])
  }

  @Test func aClockOffsetMovesTheSourcesEventsAndSeries() throws {
    let m = model()
    try m.add(try m.event(from: draft(), source: "api"))
    try m.add(try m.event(from: draft(), source: "db"))
    m.addSeries(
      try MetricSeries(
        SeriesDraft(name: "x", points: [(.seconds(100), .number(1))]), plugin: "p", source: "api"))
    #expect(m.shift(source: "api", byMilliseconds: -1500) == 1)
    #expect(m.timeline.events.map(\.time.seconds).sorted() == [1_739_095_198.5, 1_739_095_200])
    #expect(m.series[0].points[0].time == 98.5)
  }

  // MARK: Action items

  @Test func aDraftGetsAnIDAndTheStatusOpenAndMustSayWhatToDo() throws {
    let m = model()
    #expect(try m.addAction(ActionDraft(action: "Add a pool alert")) == "AI-001")
    #expect(m.actions[0].status == "open")
    #expect(try m.addAction(ActionDraft(id: "", action: "b", status: "done")) == "AI-002")
    #expect(m.actions[1].status == "done")
    let empty = failure { () throws(ReportError) in try m.addAction(ActionDraft(action: "  ")) }
    #expect(empty == "field 'action' must be a non-empty string")
    let twice = failure { () throws(ReportError) in
      try m.addAction(ActionDraft(id: "AI-001", action: "Again"))
    }
    #expect(twice?.contains("\"Add a pool alert\"") == true && twice?.contains("\"Again\"") == true)
    #expect(m.actions.count == 2)
  }

  @Test func anUpdateChangesTheFieldsGivenAndNeverTheID() throws {
    let m = model()
    try m.addAction(ActionDraft(action: "Add a pool alert", owner: "@bob", priority: "P2"))
    try m.updateAction(
      id: "AI-001", ActionChanges(owner: "@alice", status: "done", tracking: .string("https://x/1")))
    let item = try #require(m.action(id: "AI-001"))
    #expect(item.owner == "@alice" && item.status == "done" && item.tracking == .string("https://x/1"))
    #expect(item.action == "Add a pool alert" && item.priority == "P2" && item.id == "AI-001")
    #expect(
      failure { () throws(ReportError) in try m.updateAction(id: "AI-009", ActionChanges(status: "done")) }
        == "no action item AI-009")
    #expect(
      failure { () throws(ReportError) in
        try m.updateAction(id: "AI-001", ActionChanges(action: "", status: "x"))
      }
        == "field 'action' must be a non-empty string")
    #expect(m.action(id: "AI-001")?.status == "done")  // nothing changed
  }

  // MARK: Checks

  @Test func whatACheckFoundHasTextsPositiveLinesAndKnownNames() throws {
    func problem(_ found: JSONValue) -> String? {
      failure { () throws(ReportError) in try ValidationResult(check: "c", ok: false, found: found) }
    }
    #expect(problem(.object(["findings": .array([.object(["line": 3])])])) == "findings[1] has no text")
    #expect(
      problem(.object(["findings": .array([.object(["line": 0, "text": "x"])])]))
        == "findings[1].line must be a positive integer")
    #expect(problem(.object(["findings": .string("x")]))?.hasPrefix("findings must be a list") == true)
    #expect(problem(.object(["colour": 1])) == "unknown field 'colour' (known: findings, items, rows, zone)")
    #expect(problem(.array([.int(1)])) == "must be a table with named fields")
    let r = try ValidationResult(
      check: "c", ok: false, detail: "d",
      found: .object(["findings": .array([.object(["line": 4, "text": "no time"])]), "rows": .int(12)]))
    #expect(r.findings == [ValidationFinding(line: 4, text: "no time")] && r.extra == ["rows": .int(12)])
    #expect(try ValidationResult(check: "c", ok: true, found: .null).findings.isEmpty)
  }

  // MARK: Factors

  @Test func aFactorHasTextAndIsListedOnce() throws {
    let m = model()
    try m.addFactor(immediate: "Bad config pushed")
    try m.addFactor(immediate: "Bad config pushed")
    try m.addFactor(systemic: "No canary stage")
    try m.addFactor(ContributingFactor(text: "Pool too small"))
    try m.addFactor(ContributingFactor(category: "process", text: "Pool too small"))
    #expect(m.factors.immediate == ["Bad config pushed"] && m.factors.contributing.count == 1)
    #expect(
      failure { () throws(ReportError) in try m.addFactor(immediate: " ") }
        == "the text must be a non-empty string")
    #expect(
      failure { () throws(ReportError) in try m.addFactor(systemic: "") }
        == "the text must be a non-empty string")
    #expect(
      failure { () throws(ReportError) in try m.addFactor(ContributingFactor(text: "")) }
        == "field 'text' must be a non-empty string")
    // Positions are the plugin's, repeats counted: the third contributing factor is blank.
    let contributing = [
      ContributingFactor(text: "a"), ContributingFactor(text: "a"), ContributingFactor(text: "\n"),
    ]
    #expect(
      failure { () throws(ReportError) in
        try m.setFactors(immediate: ["x"], contributing: contributing, systemic: [])
      }
        == "field 'contributing[3].text' must be a non-empty string")
    #expect(m.factors.immediate == ["Bad config pushed"])  // nothing changed
    #expect(
      failure { () throws(ReportError) in
        try m.setFactors(immediate: [], contributing: [], systemic: ["ok", ""])
      }
        == "field 'systemic[2]' must be a non-empty string")
    #expect(
      failure { () throws(ReportError) in
        try m.setFactors(immediate: ["ok", "ok", " "], contributing: [], systemic: [])
      }
        == "field 'immediate[3]' must be a non-empty string")
    try m.setFactors(immediate: ["y", "y"], contributing: [], systemic: [])
    #expect(m.factors == Factors(immediate: ["y"]))
  }

  // MARK: Severity and the report's fields

  @Test func theSeverityHasOneHomeThatTheIncidentStates() throws {
    let m = model()  // the incident file declares P1
    #expect(m.incident.severity == "P1")
    try m.setSeverity(SeverityAssessment(level: "SEV2"))
    #expect(m.incident.severity == "SEV2" && m.declaredSeverity == "P1")
    #expect(m.report(generatedAt: t("2025-02-10T00:00:00Z")).incident.severity == "SEV2")
    #expect(
      failure { () throws(ReportError) in try m.setSeverity(SeverityAssessment(level: " ")) }
        == "field 'level' must be a string such as \"P1\"")
    #expect(m.severityLevel == "SEV2")
    try m.setSeverity(nil)
    #expect(m.incident.severity == "P1")
  }

  @Test func blankRootCausesAndEntriesStateNothing() {
    let m = model()
    m.setRootCause("Pool too small")
    #expect(m.incident.rootCause == "Pool too small")
    m.setRootCause("  \n")
    #expect(m.incident.rootCause == nil)
    m.setWhatWentWell(["Fast rollback", "", "  "])
    m.setLessonsLearned(["\t", "Load-test new queries"])
    #expect(m.whatWentWell == ["Fast rollback"] && m.lessonsLearned == ["Load-test new queries"])
    let report = m.report(generatedAt: t("2025-02-10T00:00:00Z"))
    #expect(report.whatWentWell == ["Fast rollback"] && report.incident.rootCause == nil)
  }

  @Test func theFollowUpIsNamedFieldsWithAStringAt() throws {
    let m = model()
    try m.setFollowUp(.object(["at": .string("2025-03-09"), "file": .string("follow-up.ics")]))
    #expect(m.followUp?["at"]?.stringValue == "2025-03-09")
    #expect(
      failure { () throws(ReportError) in try m.setFollowUp(.array([.string("2025-03-09")])) }?
        .hasPrefix("the follow-up must be a table with named fields") == true)
    #expect(
      failure { () throws(ReportError) in try m.setFollowUp(.object(["at": .int(5)])) }?
        .hasPrefix("field 'at'") == true)
    #expect(m.followUp?["at"]?.stringValue == "2025-03-09")
    try m.setFollowUp(.array([]))
    #expect(m.followUp == nil)
  }

  @Test func aSavedReportsActionItemsObeyTheRulesAndAreNamed() {
    var saved = sampleReport()
    saved.actionItems.append(ActionItem(id: "AI-003", action: " "))
    #expect(
      failure { () throws(ReportError) in try ReportModel(report: saved) }
        == "action_items[3]: field 'action' must be a non-empty string")
  }

  @Test func aSavedReportsGapWindowsObeyTheRuleAndAreNamed() {
    var saved = sampleReport()
    saved.gaps.append(
      Gap(
        source: "prom", plugin: "prometheus", reason: "no data",
        window: TimeWindow(start: t("2025-02-09T10:10:00Z"), end: t("2025-02-09T10:00:00Z"))))
    let message = failure { () throws(ReportError) in try ReportModel(report: saved) }
    #expect(
      message?.hasPrefix("gaps[\(saved.gaps.count)]: field 'window.end' (2025-02-09T10:00:00.000Z)") == true,
      "\(message ?? "")")
  }

  // MARK: One representation

  /// The model holds the report itself (not a copy of each of its fields): a report with
  /// every section filled comes back whole, so a section the model forgot would fail here.
  @Test func aSavedReportComesBackWhole() throws {
    var saved = sampleReport()
    saved.meta.version = PMHostVersion.current
    saved.meta.plugins = [
      PluginUse(name: "json", stage: "report", version: "1", origin: "bundled", shadowsBundled: false)
    ]
    saved.followUp = .object(["at": .string("2025-03-09")])
    saved.series = [
      MetricSeries(name: "x", source: "s", plugin: "p", points: [SeriesPoint(time: 1, value: .number(2))])
    ]
    saved.evidence = [
      EvidenceRecord(
        plugin: "nginx-access", stage: "collect", kind: .file, source: .string("data/access.log"),
        fetchedAt: t("2025-02-10T09:00:00Z"))
    ]
    saved.clock = ClockReport(offsets: ["a": 1.5], toleranceSeconds: 2)
    saved.tableWindow = TimeWindow(start: t("2025-02-09T10:00:00Z"), end: t("2025-02-09T12:00:00Z"))
    saved.incident.rootCause = "Pool too small"
    let again = try ReportModel(report: saved).report(generatedAt: saved.meta.generatedAt)
    #expect(again == saved)
    #expect(try again.jsonData() == saved.jsonData())
  }
}
