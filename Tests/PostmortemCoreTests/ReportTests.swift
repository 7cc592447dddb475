import Foundation
import Testing

@testable import PostmortemCore

func t(_ text: String) -> Timestamp { TimeParser.rfc3339(text)! }

func sampleIncident() -> Incident {
  Incident(
    id: "PM-2025-02-09", title: "API Service Degradation",
    startedAt: t("2025-02-09T10:05:00Z"), endedAt: t("2025-02-09T11:40:00Z"),
    services: ["api-service"], authors: ["@alice", "@bob"], severity: "P1",
    impact: [
      "failed_requests": 40000, "error_rate_peak": 0.40, "revenue_usd": 5000.0, "data_loss": false,
    ],
    summary: "Elevated error rates.", people: ["alice": ["Alice Smith", "U123"]])
}

func sampleReport() -> Report {
  let incident = sampleIncident()
  let moments = KeyMoments(
    impactStart: t("2025-02-09T10:05:00Z"), detected: t("2025-02-09T10:12:30.900Z"),
    acknowledged: t("2025-02-09T10:15:00Z"), resolved: t("2025-02-09T11:40:00Z"))
  return Report(
    meta: ReportMeta(version: "0.1.0", generatedAt: t("2025-02-10T09:00:00Z")),
    incident: incident,
    timeline: [
      TimelineEvent(
        time: t("2025-02-09T10:05:00Z"), event: "5xx errors", source: "api logs", kind: "error",
        evidence: ["data/api.log:12"], group: "5xx errors", count: 40,
        last: t("2025-02-09T10:20:00Z"),
        fields: ["status": 503, "ratio": 0.5]),
      TimelineEvent(
        time: t("2025-02-09T10:12:30Z"), event: "HighErrorRate firing", source: "alertmanager",
        sources: ["alertmanager", "pagerduty"], actor: nil, kind: "alert_fired"),
    ],
    keyMoments: moments,
    factors: Factors(
      immediate: ["Bad config"],
      contributing: [
        ContributingFactor(category: "process", text: "No canary", whyChain: ["a", "b"])
      ],
      systemic: ["Config changes skip review"]),
    severity: SeverityAssessment(level: "P1", rule: "outage", reason: "40% errors"),
    actionItems: [
      ActionItem(
        id: "AI-001", action: "Add canary", owner: "@bob", deadline: "2025-03-01", priority: "P1"),
      ActionItem(
        id: "AI-002", action: "Review config",
        tracking: .string("https://github.com/acme/api/issues/1")),
    ],
    whatWentWell: ["Fast rollback"], lessonsLearned: ["Canaries matter"],
    gaps: [
      Gap(source: "prometheus", plugin: "prometheus", reason: "connection refused"),
      Gap(
        source: "loki", plugin: "loki", reason: "retention",
        window: TimeWindow(start: t("2025-02-09T10:00:00Z"), end: t("2025-02-09T10:30:00Z"))),
    ],
    warnings: [RunWarning(plugin: "kubectl-logs", stage: "collect", message: "3 lines skipped")],
    validation: [
      ValidationResult(check: "owners", ok: true, detail: "2 of 2"),
      ValidationResult(check: "distributed", ok: nil, detail: "pending"),
    ])
}

@Suite struct ReportTests {
  @Test func roundTripsThroughJSON() throws {
    let report = sampleReport()
    let data = try report.jsonData()
    let back = try Report.decode(data)
    #expect(back == report)
    #expect(back.incident.impact["failed_requests"] == .int(40000))
    #expect(back.incident.impact["revenue_usd"] == .double(5000))
    #expect(back.incident.impact["error_rate_peak"] == .double(0.4))
    #expect(try back.jsonData() == data)
  }

  @Test func canonicalTextShape() throws {
    let text = String(decoding: try sampleReport().jsonData(), as: UTF8.self)
    #expect(text.hasSuffix("}\n"))
    #expect(text.contains("https://github.com/acme/api/issues/1"))  // no \/ escaping
    #expect(text.contains(#""revenue_usd": 5000.0"#))
    #expect(text.contains(#""failed_requests": 40000"#))
    #expect(text.contains(#""started_at": "2025-02-09T10:05:00.000Z""#))
    // Keys are sorted: action_items comes before factors before incident.
    let a = text.range(of: "\"action_items\"")!.lowerBound
    let f = text.range(of: "\"factors\"")!.lowerBound
    let i = text.range(of: "\"incident\"")!.lowerBound
    #expect(a < f && f < i)
  }

  @Test func nullsAreWrittenNotOmitted() throws {
    let tree = try sampleReport().jsonValue()
    #expect(tree["key_moments"]?["paged"] == .null)
    #expect(tree["key_moments"]?["mitigated"] == .null)
    #expect(tree["key_moments"]?["detected"] == "2025-02-09T10:12:30.900Z")
    #expect(tree["key_moments"]?.objectValue?.count == 6)
    #expect(tree["metrics"]?["time_to_mitigate_s"] == .null)
    #expect(tree["metrics"]?["time_to_detect_s"] == 450)
    #expect(tree["timeline"]?[1]?["actor"] == .null)
    #expect(tree["timeline"]?[1]?["sources"] == ["alertmanager", "pagerduty"])
    #expect(tree["gaps"]?[0]?["window"] == .null)
    #expect(tree["gaps"]?[1]?["window"]?["end"] == "2025-02-09T10:30:00.000Z")
    #expect(tree["validation"]?[1]?["ok"] == .null)
    #expect(tree["action_items"]?[1]?["owner"] == .null)
    #expect(tree["incident"]?["distributed_at"] == .null)
    #expect(tree["pmhost"]?["generated_at"] == "2025-02-10T09:00:00.000Z")
    #expect(tree["factors"]?["contributing"]?[0]?["why_chain"] == ["a", "b"])

    var unclassified = sampleReport()
    unclassified.severity = nil
    #expect(try unclassified.jsonValue()["severity"] == .null)
  }

  @Test func trimmedFilesStillLoad() throws {
    let json = """
      {"incident": {"id": "X", "title": "T", "started_at": "2025-02-09T10:05:00Z",
                    "ended_at": "2025-02-09T10:35:00+00:00"},
       "timeline": [{"time": "2025-02-09T10:06:00Z", "event": "e", "source": "s", "kind": "note"}]}
      """
    let report = try Report.decode(Data(json.utf8))
    #expect(report.actionItems.isEmpty && report.gaps.isEmpty && report.validation.isEmpty)
    #expect(report.timeline[0].sources == ["s"])
    #expect(report.timeline[0].count == 1)
    #expect(report.metrics.durationS == 1800)
    #expect(report.keyMoments == KeyMoments())
  }

  @Test func decodeErrorsNameTheField() {
    let json = """
      {"incident": {"id": "X", "title": "T", "started_at": "2025-02-09T10:05:00Z", "ended_at": "2025-02-09T10:35:00Z"},
       "timeline": [{"time": "2025-13-09T10:06:00Z", "event": "e", "source": "s", "kind": "note"}]}
      """
    #expect(
      throws: ReportError(
        "report.json: timeline[0].time: month 13 out of range in '2025-13-09T10:06:00Z'")
    ) { try Report.decode(Data(json.utf8)) }
    #expect(throws: ReportError("report.json: missing required field 'incident.title'")) {
      try Report.decode(Data(#"{"incident": {"id": "X"}}"#.utf8))
    }
    #expect(throws: ReportError("report.json:1:2: expected a string key")) {
      try Report.decode(Data("{,}".utf8))
    }
  }
}

@Suite struct MetricsTests {
  @Test func computesFromMoments() {
    let incident = sampleIncident()
    let moments = KeyMoments(
      impactStart: t("2025-02-09T10:05:00Z"), detected: t("2025-02-09T10:12:30.999Z"),
      paged: t("2025-02-09T10:13:00Z"), acknowledged: t("2025-02-09T10:15:00Z"),
      mitigated: t("2025-02-09T10:45:00Z"), resolved: t("2025-02-09T11:40:00Z"))
    let m = ResponseMetrics.compute(moments: moments, incident: incident)
    #expect(m.timeToDetectS == 450)  // 7.5 min, the .999 truncated
    #expect(m.timeToAcknowledgeS == 149)
    #expect(m.timeToMitigateS == 2400)
    #expect(m.timeToResolveS == 5700)
    #expect(m.durationS == 5700)
    #expect(incident.durationSeconds == 5700)
  }

  @Test func unknownMomentsGiveNil() {
    let m = ResponseMetrics.compute(
      moments: KeyMoments(detected: t("2025-02-09T10:12:00Z")), incident: sampleIncident())
    #expect(m.timeToDetectS == nil)
    #expect(m.timeToAcknowledgeS == nil)
    #expect(m.durationS == 5700)
  }

  @Test func momentsSubscriptAndNames() {
    var moments = KeyMoments()
    moments[.mitigated] = t("2025-02-09T10:45:00Z")
    #expect(moments.mitigated == t("2025-02-09T10:45:00Z"))
    #expect(
      KeyMoment.allCases.map(\.rawValue) == [
        "impact_start", "detected", "paged", "acknowledged", "mitigated", "resolved",
      ])
  }

  @Test func factorsIgnoreDuplicates() {
    var f = Factors()
    f.addImmediate("a")
    f.addImmediate("a")
    f.addSystemic("s")
    f.addSystemic("s")
    f.addContributing(ContributingFactor(text: "c", whyChain: ["1"]))
    f.addContributing(ContributingFactor(category: "x", text: "c", whyChain: ["2"]))
    #expect(f.immediate == ["a"])
    #expect(f.systemic == ["s"])
    #expect(f.contributing.count == 1)
    #expect(f.contributing[0].whyChain == ["1"])
  }
}
