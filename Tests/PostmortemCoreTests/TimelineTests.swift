import Testing

@testable import PostmortemCore

func ev(
  _ time: String, _ kind: String, _ source: String, _ event: String = "", evidence: [String] = []
)
  -> TimelineEvent
{
  TimelineEvent(
    time: t("2025-02-09T\(time)Z"), event: event.isEmpty ? "\(kind) from \(source)" : event,
    source: source, kind: kind,
    evidence: evidence)
}

@Suite struct TimelineTests {
  @Test func sortIsStable() {
    var timeline = Timeline()
    timeline.add(ev("10:05:00", "note", "b", "second at 10:05"))
    timeline.add(ev("10:04:00", "note", "a", "first"))
    timeline.add(ev("10:05:00", "note", "c", "third at 10:05"))
    timeline.sort()
    #expect(timeline.events.map(\.event) == ["first", "second at 10:05", "third at 10:05"])
  }

  @Test func sameKindFromDifferentSourcesMergesIntoTheEarliest() {
    let timeline = Timeline([
      ev("10:12:40", "alert_fired", "pagerduty", evidence: ["pd:1"]),
      ev("10:12:30", "alert_fired", "alertmanager", evidence: ["am:1"]),
      ev("10:13:00", "alert_fired", "slack", evidence: ["slack:1"]),
    ])
    let rows = timeline.deduplicated()
    #expect(rows.count == 1)
    #expect(rows[0].source == "alertmanager")
    #expect(rows[0].sources == ["alertmanager", "pagerduty", "slack"])
    #expect(rows[0].evidence == ["am:1", "pd:1", "slack:1"])
  }

  @Test func sameSourceOrOutsideWindowIsKept() {
    let timeline = Timeline([
      ev("10:00:00", "alert_fired", "alertmanager"),
      ev("10:01:00", "alert_fired", "alertmanager"),
      ev("10:05:00", "alert_fired", "pagerduty"),
    ])
    #expect(timeline.deduplicated().count == 3)
    #expect(timeline.deduplicated(window: 300_000).count == 2)
  }

  @Test func errorsAndNotesNeverMergeByKind() {
    let timeline = Timeline([
      ev("10:00:00", "error", "api logs"), ev("10:00:01", "error", "nginx"),
      ev("10:00:02", "note", "slack"), ev("10:00:03", "note", "jira"),
    ])
    #expect(timeline.deduplicated().count == 4)
  }

  @Test func metricCrossingSeenAsAlertKeepsTheAlert() {
    let timeline = Timeline([
      ev("10:05:00", "metric_crossed", "prometheus", "error rate > 5%", evidence: ["prom:q"]),
      ev("10:06:30", "alert_fired", "alertmanager", "HighErrorRate", evidence: ["am:1"]),
    ])
    let rows = timeline.deduplicated()
    #expect(rows.count == 1)
    #expect(rows[0].event == "HighErrorRate")
    #expect(rows[0].time == t("2025-02-09T10:06:30Z"))
    #expect(rows[0].sources == ["alertmanager", "prometheus"])
    #expect(rows[0].evidence == ["am:1", "prom:q"])
  }

  /// The example incident: the crossing and the alert carry the same label ("Prometheus")
  /// and PagerDuty's trigger follows a second later: one row, three pieces of evidence.
  @Test func crossingAlertAndTriggerWithSharedLabelBecomeOneRow() {
    let timeline = Timeline([
      ev("10:05:45", "metric_crossed", "Prometheus", "Error rate above 0.05", evidence: ["prom"]),
      ev("10:06:45", "alert_fired", "Prometheus", "High error rate alert fires", evidence: ["am"]),
      ev("10:06:46", "alert_fired", "PagerDuty", "Incident triggered", evidence: ["pd"]),
    ])
    let rows = timeline.deduplicated()
    #expect(rows.count == 1)
    #expect(rows[0].event == "High error rate alert fires")
    #expect(rows[0].sources == ["Prometheus", "PagerDuty"])
    #expect(rows[0].evidence == ["am", "prom", "pd"])
  }

  @Test func alertBeforeCrossingDoesNotMerge() {
    let timeline = Timeline([
      ev("10:05:00", "alert_fired", "alertmanager"), ev("10:06:00", "metric_crossed", "prometheus"),
    ])
    #expect(timeline.deduplicated().count == 2)
  }

  @Test(arguments: [true, false])
  func actionAndDeployKeepTheDeploy(actionFirst: Bool) {
    let action = ev(actionFirst ? "10:40:00" : "10:41:00", "action", "slack", "rolling back")
    let deploy = ev(actionFirst ? "10:41:00" : "10:40:00", "deploy", "cd log", "rollback v1.2.2")
    let rows = Timeline([action, deploy]).deduplicated()
    #expect(rows.count == 1)
    #expect(rows[0].kind == "deploy")
    #expect(rows[0].event == "rollback v1.2.2")
    #expect(Set(rows[0].sources) == ["slack", "cd log"])
    #expect(rows[0].sources.first == "cd log")
  }

  @Test func outputStaysSortedAndStableAndKeepsEverySource() {
    let input = [
      ev("10:00:00", "error", "api logs", "e1"),
      ev("10:00:00", "error", "api logs", "e2"),
      ev("10:05:00", "metric_crossed", "prometheus"),
      ev("10:06:00", "alert_fired", "alertmanager"),
      ev("10:06:10", "alert_fired", "pagerduty"),
      ev("10:06:10", "paged", "pagerduty"),
      ev("10:07:00", "note", "slack", "n1"),
      ev("10:40:00", "action", "slack"),
      ev("10:40:30", "deploy", "cd log"),
    ]
    let rows = Timeline(input.reversed()).deduplicated()
    #expect(rows.map(\.time) == rows.map(\.time).sorted())
    #expect(rows.map(\.kind) == ["error", "error", "alert_fired", "paged", "note", "deploy"])
    // Stable: e2 was added first after reversing.
    #expect(rows.prefix(2).map(\.event) == ["e2", "e1"])
    let allSources = Set(rows.flatMap(\.sources))
    #expect(allSources == Set(input.map(\.source)))
    #expect(rows[2].sources == ["alertmanager", "prometheus", "pagerduty"])
  }
}
