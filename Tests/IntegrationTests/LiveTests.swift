import Foundation
import Testing

/// Live collectors against the real servers of scripts/integration: Prometheus holding the
/// example incident's history, Alertmanager with posted alerts, a PagerDuty stand-in.
@Suite(.serialized, .enabled(if: IT.live, "scripts/integration sets PMHOST_IT_* (servers on loopback)"))
struct LiveTests {
  /// The query_range step the collector uses by default.
  static let step = 15.0

  @Test func prometheusCrossingsSeriesAndEvidence() throws {
    let scenario = Pipelines.prometheus
    let (result, report) = try scenario.runLive()
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "no report.json: \(result.summary)")

    // The ratio crosses 5 % when the first bad interval ends, and is back under it at 10:35.
    let crossed = expectOne(r, "metric_crossed", at: at(10, 5, 45), within: Self.step)
    let recovered = expectOne(r, "metric_recovered", at: at(10, 35, 0), within: Self.step)
    for event in [crossed, recovered].compactMap({ $0 }) {
      #expect(event["source"] as? String == "Prometheus", "\(event)")
      #expect((event["event"] as? String)?.contains("Error rate") == true, "\(event)")
    }
    #expect(r.timeline.count == 2, "only the two crossings: \(r.timeline)")
    #expect(r.gaps.isEmpty, "\(r.gaps)")

    // The series kept for the report's chart: the whole incident window at the 15 s step.
    #expect(r.series.count == 1, "\(r.series)")
    let series = try #require(r.series.first)
    #expect(series["name"] as? String == "Error rate")
    #expect(series["query"] as? String == errorRatioQuery)
    #expect(series["plugin"] as? String == "prometheus")
    #expect(series["source"] as? String == "Prometheus")
    #expect((series["threshold"] as? NSNumber)?.doubleValue == 0.05)
    #expect(series["above"] as? Bool == true)
    let points = try #require(series["points"] as? [[Any]], "points: \(series["points"] ?? "nil")")
    var values: [Double: Double] = [:]
    var times: [Double] = []
    for point in points {
      let t = try #require((point.first as? NSNumber)?.doubleValue, "point \(point)")
      let v = try #require((point.last as? NSNumber)?.doubleValue, "point \(point): value not a number")
      times.append(t)
      values[t] = v
    }
    #expect(
      times.first.map { $0 <= at(10, 5, 0) } == true, "series starts at \(times.first.map(clock) ?? "-")")
    #expect(times.last.map { $0 >= at(11, 40, 0) } == true, "series ends at \(times.last.map(clock) ?? "-")")
    #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == Self.step }, "points not 15 s apart")
    // What Prometheus 2.42 computes from the backfilled counters (see scripts/integration).
    let expected: [(Double, Double)] = [
      (at(10, 5, 30), 0.0028333333), (at(10, 5, 45), 0.0646666667), (at(10, 20, 0), 0.41),
      (at(10, 34, 45), 0.0775), (at(10, 35, 0), 0.0396666667), (at(11, 0, 0), 0.0026666667),
    ]
    for (t, v) in expected {
      let got = values[t] ?? .nan
      #expect(abs(got - v) < 1e-6, "value at \(clock(t)): \(got), expected \(v)")
    }

    // Evidence: the raw query_range response, as fetched, with its URL and query.
    let entries = try verifiedEvidence(out: scenario.out)
    let fetched = evidence(entries, plugin: "prometheus", url: IT.prometheus)
    #expect(fetched.count == 1, "one query_range request: \(entries)")
    if let entry = fetched.first {
      #expect(sourceURL(entry)?.path == "/api/v1/query_range", "source \(sourceText(entry))")
      let params = queryParameters(entry)
      #expect(params["query"] == errorRatioQuery, "query sent: \(params)")
      #expect(params["step"].flatMap(Double.init) == Self.step, "\(params)")
      #expect(
        params["start"].flatMap(Double.init).map { $0 <= at(10, 5, 0) } == true,
        "the incident window: \(params)")
      #expect(
        params["end"].flatMap(Double.init).map { $0 >= at(11, 40, 0) } == true,
        "the incident window: \(params)")
      #expect((entry["status"] as? NSNumber)?.intValue == 200, "\(entry)")
      let body = try savedJSON(scenario.out, entry) as? [String: Any]
      #expect(body?["status"] as? String == "success", "saved response: \(String(describing: body))")
      #expect((body?["data"] as? [String: Any])?["resultType"] as? String == "matrix")
    }
    try expectReportEvidenceMatchesManifest(r, entries)
  }

  @Test func alertmanagerFiringAndSilencedAlerts() throws {
    let scenario = Pipelines.alertmanager
    let (result, report) = try scenario.runLive()
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "no report.json: \(result.summary)")

    // HighErrorRate fires at 10:06:45Z; PoolSaturation was posted as 11:15:30+01:00 and is
    // silenced. HighLatency was posted already resolved: Alertmanager's API no longer lists
    // it, so the live collector cannot see it (its history lives only in webhook payloads).
    let fired = r.events("alert_fired").sorted { (time(of: $0) ?? 0) < (time(of: $1) ?? 0) }
    #expect(fired.count == 2, "\(fired)")
    #expect(
      fired.compactMap(time(of:)) == [at(10, 6, 45), at(10, 15, 30)], "\(fired.map { $0["time"] ?? "" })")
    if fired.count == 2 {
      let first = fired[0]["event"] as? String ?? ""
      let second = fired[1]["event"] as? String ?? ""
      #expect(first.contains("HighErrorRate") || first.contains("High error rate"), "\(first)")
      #expect(!first.localizedCaseInsensitiveContains("silenced"), "\(first)")
      #expect(second.contains("PoolSaturation") || second.contains("Connection pool saturated"), "\(second)")
      #expect(second.localizedCaseInsensitiveContains("silenced"), "\(second)")
    }
    #expect(r.events("alert_resolved").isEmpty, "\(r.events("alert_resolved"))")
    #expect(!r.timeline.contains { ($0["event"] as? String ?? "").contains("atency") }, "\(r.timeline)")
    #expect(r.timeline.allSatisfy { $0["source"] as? String == "Alertmanager" }, "\(r.timeline)")
    #expect(r.gaps.isEmpty, "\(r.gaps)")

    let entries = try verifiedEvidence(out: scenario.out)
    let fetched = evidence(entries, plugin: "alertmanager", url: IT.alertmanager)
    #expect(fetched.count == 1, "one GET /api/v2/alerts: \(entries)")
    if let entry = fetched.first {
      #expect(sourceURL(entry)?.path == "/api/v2/alerts", "\(sourceText(entry))")
      #expect((entry["status"] as? NSNumber)?.intValue == 200, "\(entry)")
      let alerts = try savedJSON(scenario.out, entry) as? [[String: Any]]
      let names = (alerts ?? []).compactMap { ($0["labels"] as? [String: Any])?["alertname"] as? String }
      #expect(names.sorted() == ["HighErrorRate", "PoolSaturation"], "saved alerts: \(names)")
    }
    try expectReportEvidenceMatchesManifest(r, entries)
  }

  @Test func pagerdutyAllPagesWithKindsAndActors() throws {
    let scenario = Pipelines.pagerduty
    let (result, report) = try scenario.runLive()
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "no report.json: \(result.summary)")

    // Seven entries in pages of three (the stand-in caps limit at 3, like PagerDuty at 100),
    // created_at in +01:00: all of them, in UTC, with who did what.
    let expected: [(Double, String, String)] = [
      (at(10, 6, 46), "alert_fired", "System"),
      (at(10, 8, 12), "paged", "System"),
      (at(10, 12, 0), "acknowledged", "@alice"),
      (at(10, 19, 2), "note", "@bob"),
      (at(10, 20, 30), "escalated", "@alice"),
      (at(10, 20, 31), "paged", "System"),
      (at(10, 40, 0), "resolved", "@alice"),
    ]
    let got = r.timeline.map {
      (time(of: $0) ?? -1, $0["kind"] as? String ?? "", $0["actor"] as? String ?? "null")
    }
    #expect(got.count == expected.count, "\(r.timeline)")
    for (i, e) in expected.enumerated() where i < got.count {
      #expect(
        got[i] == e,
        "entry \(i + 1): got \(clock(got[i].0)) \(got[i].1) \(got[i].2), expected \(clock(e.0)) \(e.1) \(e.2)"
      )
    }
    #expect(r.timeline.allSatisfy { $0["source"] as? String == "PagerDuty" })
    #expect(r.gaps.isEmpty, "\(r.gaps)")

    // Every page is evidence; together they hold every entry once.
    let entries = try verifiedEvidence(out: scenario.out)
    let pages = evidence(entries, plugin: "pagerduty", url: IT.pagerduty)
    #expect(pages.count == 3, "three pages: \(pages.map(sourceText))")
    #expect(
      pages.compactMap { queryParameters($0)["offset"] } == ["0", "3", "6"], "\(pages.map(sourceText))")
    #expect(pages.allSatisfy { sourceURL($0)?.path == "/incidents/\(IT.incidentID)/log_entries" })
    var ids: [String] = []
    var more: [Bool] = []
    for page in pages {
      let body = try savedJSON(scenario.out, page) as? [String: Any]
      ids += (body?["log_entries"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
      more.append(body?["more"] as? Bool ?? true)
    }
    #expect(ids.count == 7 && Set(ids).count == 7, "entry ids across pages: \(ids)")
    #expect(more.filter { !$0 }.count == 1, "exactly one last page (more: false): \(more)")

    // The token authorises the requests and is written nowhere.
    #expect(files(under: scenario.out, containing: IT.pagerdutyToken).isEmpty, "token leaked into out/")
    #expect(!result.stderr.contains(IT.pagerdutyToken) && !result.stdout.contains(IT.pagerdutyToken))
    try expectReportEvidenceMatchesManifest(r, entries)
  }

  @Test func wholeIncidentKeyMoments() throws {
    let scenario = Pipelines.incident
    let (result, report) = try scenario.runLive()
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "no report.json: \(result.summary)")

    let m = r.keyMoments
    func moment(_ name: String) -> Double? { (m[name] as? String).flatMap(unixSeconds) }
    // Impact starts with the metric crossing (CONTRACT.md: "first error or metric crossing"),
    // although the merge folded that crossing into the alert row (timeline[].merged).
    #expect(moment("impact_start").map { abs($0 - at(10, 5, 45)) <= Self.step } == true, "impact_start \(m)")
    #expect(
      r.json["metrics"].flatMap { ($0 as? [String: Any])?["time_to_detect_s"] as? NSNumber }?.doubleValue
        == at(10, 6, 45) - at(10, 5, 45), "time to detect: \(r.json["metrics"] ?? "nil")")
    #expect(moment("detected") == at(10, 6, 45), "detected: the Alertmanager alert \(m)")
    #expect(moment("paged") == at(10, 8, 12), "\(m)")
    #expect(moment("acknowledged") == at(10, 12, 0), "\(m)")
    #expect(m["mitigated"] is NSNull || m["mitigated"] == nil, "no action or deploy in these sources: \(m)")
    #expect(moment("resolved") == at(10, 40, 0), "\(m)")
    // 2 crossings + 2 alerts + 7 PagerDuty entries, merged in time order. The host folds
    // one happening seen by several sources into one row (within 2 min): the crossing at
    // 10:05:45 into the alert it caused, and PagerDuty's trigger (10:06:46) into the same
    // alert from Alertmanager (10:06:45).
    #expect(r.timeline.count == 9, "\(r.timeline.count) events: \(r.timeline)")
    let alert = r.timeline.first { time(of: $0) == at(10, 6, 45) }
    #expect(alert?["kind"] as? String == "alert_fired", "\(alert ?? [:])")
    #expect(
      Set(alert?["sources"] as? [String] ?? []) == ["Alertmanager", "Prometheus", "PagerDuty"],
      "\(alert ?? [:])")
    let ts = r.timeline.compactMap(time(of:))
    #expect(ts == ts.sorted(), "timeline not sorted")
    #expect(r.gaps.isEmpty, "\(r.gaps)")
    let entries = try verifiedEvidence(out: scenario.out)
    #expect(
      Set(entries.compactMap { $0["plugin"] as? String }).isSuperset(of: [
        "prometheus", "alertmanager", "pagerduty",
      ]))
  }

  @Test func failuresBecomeGapsWithURLAndReason() throws {
    let scenario = Pipelines.gaps
    let (result, report) = try scenario.runLive()
    // A collector that fails records a gap and the run goes on.
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "no report.json: \(result.summary)")
    #expect(r.timeline.isEmpty, "\(r.timeline)")
    #expect(r.series.isEmpty, "\(r.series)")
    #expect(r.gaps.count == 3, "one gap per failed source: \(r.gaps)")

    func gap(naming url: String, plugin: String) -> [String: Any]? {
      r.gaps.first { g in
        g["plugin"] as? String == plugin
          && ((g["reason"] as? String ?? "") + " " + (g["source"] as? String ?? "")).contains(url)
      }
    }
    let refused = gap(naming: IT.refused, plugin: "prometheus")
    #expect(refused != nil, "no gap names \(IT.refused): \(r.gaps)")
    let refusedReason = refused?["reason"] as? String ?? ""
    #expect(!refusedReason.isEmpty, "\(refused ?? [:])")

    // A store's refusal is a gap naming the query and the range not read (pm.store's reader).
    let bad = r.gaps.first { g in
      g["plugin"] as? String == "prometheus"
        && (g["reason"] as? String ?? "").contains("`" + Pipelines.badQuery + "`")
    }
    let badReason = bad?["reason"] as? String ?? ""
    #expect(bad != nil, "no gap names the query \(Pipelines.badQuery): \(r.gaps)")
    #expect(badReason.contains("2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z"), "\(badReason)")
    // Prometheus' own words: HTTP 400, errorType bad_data, "1:33: parse error: ..."
    #expect(badReason.contains("parse error"), "\(badReason)")
    #expect(badReason.contains("400") || badReason.contains("bad_data"), "\(badReason)")

    let unauthorized = gap(naming: IT.pagerduty, plugin: "pagerduty")
    #expect(unauthorized != nil, "no gap names \(IT.pagerduty): \(r.gaps)")
    let unauthorizedReason = unauthorized?["reason"] as? String ?? ""
    #expect(unauthorizedReason.contains("401"), "\(unauthorized ?? [:])")

    // Responses, even error responses, are evidence; a refused connection has none.
    let entries = try verifiedEvidence(out: scenario.out)
    let status = { (e: [[String: Any]]) in e.compactMap { ($0["status"] as? NSNumber)?.intValue } }
    #expect(
      status(evidence(entries, plugin: "prometheus", url: IT.prometheus)) == [400], "400 response not saved")
    #expect(
      status(evidence(entries, plugin: "pagerduty", url: IT.pagerduty)) == [401], "401 response not saved")
    let noAnswer = evidence(entries, plugin: "prometheus", url: IT.refused)
    #expect(
      noAnswer.count == 1 && noAnswer.allSatisfy { $0["error"] is String }, "refused request: \(noAnswer)")
    #expect(files(under: scenario.out, containing: IT.badToken).isEmpty, "token written into out/")
  }
}

/// A manifest entry's saved file, decoded as JSON.
func savedJSON(_ out: String, _ entry: [String: Any]) throws -> Any? {
  let file = entry["file"] as? String ?? ""
  let path = file.hasPrefix("evidence/") ? out + "/" + file : out + "/evidence/" + file
  guard let data = FileManager.default.contents(atPath: path) else { return nil }
  return try? JSONSerialization.jsonObject(with: data)
}

/// report.json's `evidence` lists what evidence/manifest.json lists.
func expectReportEvidenceMatchesManifest(
  _ report: Report, _ entries: [[String: Any]], sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let listed = report.json["evidence"] as? [[String: Any]] ?? []
  let a = listed.compactMap { $0["sha256"] as? String }.sorted()
  let b = entries.compactMap { $0["sha256"] as? String }.sorted()
  #expect(!a.isEmpty && a == b, "report.json evidence \(a) vs manifest \(b)", sourceLocation: sourceLocation)
}
