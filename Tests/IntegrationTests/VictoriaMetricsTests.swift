import Foundation
import Testing

/// The prometheus collector over a month-long window against Debian's victoria-metrics
/// (scripts/integration.d/victoria-metrics.sh): a month of 15 s samples, backfilled, read in
/// consecutive ranges and joined again, the server's own 422 "too many points" answered by
/// splitting further, and the crossings of the example incident's error-rate spike.
enum VictoriaMetrics {
  static var url: String { IT.env["PMHOST_IT_VICTORIA_URL"] ?? "" }
  /// The backfilled samples (Prometheus text format, times in ms) the series must equal.
  static var data: String { IT.env["PMHOST_IT_VICTORIA_DATA"] ?? "" }
  static var live: Bool {
    !url.isEmpty && !data.isEmpty && !IT.pmhost.isEmpty && !IT.work.isEmpty
      && IT.env["PMHOST_IT_REPLAY"] == nil
  }

  /// The month the server holds, every 15 s: 2025-01-11T18:50:00Z to 2025-02-10T18:50:00Z.
  static let start = "2025-01-11T18:50:00Z"
  static let end = "2025-02-10T18:50:00Z"
  static let startSeconds = 1_736_621_400.0
  static let endSeconds = 1_739_213_400.0
  static let step = 15.0
  static let pointsPerSeries = 172_801
  /// The server's -search.maxPointsPerTimeseries (the script sets it).
  static let serverLimit = 30_000

  static let errorRatioQuery = #"api_error_ratio{job="api"}"#
  static let requestsQuery = #"api_requests_per_second{job="api"}"#

  /// The collect step for VictoriaMetrics at `url` over the month: the error ratio with the
  /// incident's threshold and the requests per second by instance. `maxPoints` is the
  /// collector's max_points (nil: its default, 11,000). For a done-when pipeline:
  /// `collect = { \(VictoriaMetrics.collectSources(url: ...).joined(separator: "\n")) ... }`.
  static func collectSources(url: String, maxPoints: Int? = nil, requests: Bool = true) -> [String] {
    let limit = maxPoints.map { " max_points = \($0)," } ?? ""
    var sources = [
      """
      { "prometheus", url = \(lua(url)), query = \(lua(errorRatioQuery)), start = "\(start)", ["end"] = "\(end)",
            step = "15s",\(limit) threshold = 0.05, name = "Error rate", source = "VictoriaMetrics" },
      """
    ]
    if requests {
      sources.append(
        """
        { "prometheus", url = \(lua(url)), query = \(lua(requestsQuery)), start = "\(start)", ["end"] = "\(end)",
              step = "15s",\(limit) name = "Requests", unit = "req/s", source = "VictoriaMetrics" },
        """)
    }
    return sources
  }

  /// Writes the scenario's pipeline and runs it live, keeping the exit status for the replay.
  static func runLive(_ scenario: Scenario, _ sources: [String]) throws -> (RunResult, Report?) {
    try scenario.write(pipeline: Pipelines.wrap(sources))
    let result = try scenario.run()
    try Data("\(result.status)\n".utf8).write(to: URL(fileURLWithPath: scenario.dir + "/.live-status"))
    return (result, try? Report(path: scenario.out + "/report.json"))
  }

  /// The backfilled samples by series (`name{k="v",...}`, labels sorted): time -> value.
  static func backfilled() throws -> [String: [Double: Double]] {
    let text = try String(contentsOfFile: data, encoding: .utf8)
    var out: [String: [Double: Double]] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ")
      guard parts.count == 3, let v = Double(parts[1]), let ms = Double(parts[2]),
        let brace = parts[0].firstIndex(of: "{")
      else { continue }
      let name = String(parts[0][..<brace])
      var labels: [String: String] = [:]
      for pair in parts[0][parts[0].index(after: brace)...].dropLast().split(separator: ",") {
        let kv = pair.split(separator: "=", maxSplits: 1)
        if kv.count == 2 { labels[String(kv[0])] = String(kv[1].dropFirst().dropLast()) }
      }
      out[key(name, labels), default: [:]][ms / 1000] = v
    }
    return out
  }

  static func key(_ name: String, _ labels: [String: String]) -> String {
    name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
      + "}"
  }

  /// A report series' points (time -> value) and its key, or nil and a reason.
  static func points(of series: [String: Any]) -> (key: String, points: [(Double, Double)])? {
    guard var labels = series["labels"] as? [String: String], let name = labels["__name__"],
      let raw = series["points"] as? [[Any]]
    else { return nil }
    labels["__name__"] = nil
    var points: [(Double, Double)] = []
    points.reserveCapacity(raw.count)
    for p in raw {
      guard let t = (p.first as? NSNumber)?.doubleValue, let v = (p.last as? NSNumber)?.doubleValue else {
        return nil
      }
      points.append((t, v))
    }
    return (key(name, labels), points)
  }
}

extension Pipelines {
  static let victoriaMetrics = Scenario(name: "victoria-metrics")
  static let victoriaMetricsRefused = Scenario(name: "victoria-metrics-422")
}

@Suite(
  .serialized,
  .enabled(
    if: VictoriaMetrics.live, "scripts/integration sets PMHOST_IT_VICTORIA_URL (victoria-metrics on loopback)"
  ))
struct VictoriaMetricsTests {
  /// Every series equals what was backfilled: each 15 s point of the month once, none missing.
  func expectBackfilled(_ r: Report, keys: Set<String>, sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    let expected = try VictoriaMetrics.backfilled()
    var seen = Set<String>()
    for series in r.series {
      let got = try #require(VictoriaMetrics.points(of: series), "unreadable series \(series["name"] ?? "?")")
      seen.insert(got.key)
      let want = try #require(expected[got.key], "series \(got.key) was not backfilled")
      let times = got.points.map(\.0)
      #expect(
        got.points.count == want.count, "\(got.key): \(got.points.count) points, backfilled \(want.count)")
      #expect(Set(times).count == times.count, "\(got.key): duplicate times")
      #expect(
        zip(times, times.dropFirst()).allSatisfy { $1 - $0 == VictoriaMetrics.step }, "\(got.key): a hole")
      let wrong = got.points.filter { t, v in want[t].map { abs($0 - v) > 1e-9 } ?? true }
      #expect(wrong.isEmpty, "\(got.key): \(wrong.count) points differ, first \(wrong.prefix(3))")
    }
    #expect(seen == keys, "series read \(seen.sorted()), expected \(keys.sorted())")
  }

  static let errorKey = #"api_error_ratio{job="api",service="api-service"}"#
  static let requestKeys = ["a", "b", "c"].map { #"api_requests_per_second{instance="\#($0)",job="api"}"# }

  @Test func monthAtFifteenSecondsInRangesJoinedWithTheIncidentsCrossings() throws {
    let scenario = Pipelines.victoriaMetrics
    let (result, report) = try VictoriaMetrics.runLive(
      scenario, VictoriaMetrics.collectSources(url: VictoriaMetrics.url))
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "no report.json: \(result.summary)")
    #expect(r.gaps.isEmpty, "\(r.gaps)")

    // All 172,801 points of each series (instance "c" only from 2025-02-01), as backfilled.
    try expectBackfilled(r, keys: Set([Self.errorKey] + Self.requestKeys))
    let error = r.series.first { $0["name"] as? String == "Error rate" }
    #expect(
      (error?["points"] as? [Any])?.count == VictoriaMetrics.pointsPerSeries, "\(error?["name"] ?? "none")")

    // The incident's crossings, as in the Prometheus data: above 0.05 at 10:05:45, back at
    // 10:35:00. The breach spans 10:20:00, where the 16th range starts: still one event each.
    let crossed = expectOne(r, "metric_crossed", at: at(10, 5, 45))
    let recovered = expectOne(r, "metric_recovered", at: at(10, 35, 0))
    #expect(r.timeline.count == 2, "only the two crossings: \(r.timeline)")
    #expect(crossed?["source"] as? String == "VictoriaMetrics", "\(crossed ?? [:])")
    // Each event's evidence is the range holding its sample: the 15th and the 16th.
    let crossedIn = (crossed?["evidence"] as? [String])?.first.flatMap { URLComponents(string: $0) }
    let recoveredIn = (recovered?["evidence"] as? [String])?.first.flatMap { URLComponents(string: $0) }
    let startOf = { (u: URLComponents?) in
      u?.queryItems?.first { $0.name == "start" }?.value.flatMap(Double.init)
    }
    #expect(
      startOf(crossedIn) == VictoriaMetrics.startSeconds + 14 * 11_000 * VictoriaMetrics.step,
      "\(crossed ?? [:])")
    #expect(startOf(recoveredIn) == at(10, 20, 0), "\(recovered ?? [:])")

    // One request per range of 11,000 points: ceil(172,801 / 11,000) = 16 for each query,
    // on the window's grid, at the step asked for.
    let entries = try verifiedEvidence(out: scenario.out)
    let fetched = evidence(entries, plugin: "prometheus", url: VictoriaMetrics.url)
    for query in [VictoriaMetrics.errorRatioQuery, VictoriaMetrics.requestsQuery] {
      let ranges = fetched.map(queryParameters).filter { $0["query"] == query }
      #expect(ranges.count == 16, "\(query): \(ranges.count) requests")
      for (k, params) in ranges.enumerated() {
        let start = VictoriaMetrics.startSeconds + Double(k) * 11_000 * VictoriaMetrics.step
        let end = min(start + 10_999 * VictoriaMetrics.step, VictoriaMetrics.endSeconds)
        let got: [Double?] = [params["start"], params["end"], params["step"]].map { $0.flatMap(Double.init) }
        let want: [Double?] = [start, end, VictoriaMetrics.step]
        #expect(got == want, "range \(k + 1): \(params)")
      }
    }
    #expect(
      fetched.allSatisfy { ($0["status"] as? NSNumber)?.intValue == 200 }, "\(fetched.map { $0["status"] })")
    #expect(at(10, 20, 0) == VictoriaMetrics.startSeconds + 15 * 11_000 * VictoriaMetrics.step)
    try expectReportEvidenceMatchesManifest(r, entries)
  }

  @Test func rangesTheServerRefusesAsTooManyPointsAreSplitFurther() throws {
    // max_points 40,000 is above the server's 30,000: it answers the first range 422 "too
    // many points", and the collector asks again in ranges of 20,000.
    let scenario = Pipelines.victoriaMetricsRefused
    let (result, report) = try VictoriaMetrics.runLive(
      scenario, VictoriaMetrics.collectSources(url: VictoriaMetrics.url, maxPoints: 40_000, requests: false))
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "no report.json: \(result.summary)")
    #expect(r.gaps.isEmpty, "\(r.gaps)")
    try expectBackfilled(r, keys: [Self.errorKey])
    expectOne(r, "metric_crossed", at: at(10, 5, 45))
    expectOne(r, "metric_recovered", at: at(10, 35, 0))
    #expect(r.timeline.count == 2, "\(r.timeline)")

    let entries = try verifiedEvidence(out: scenario.out)
    let fetched = evidence(entries, plugin: "prometheus", url: VictoriaMetrics.url)
    let status = fetched.compactMap { ($0["status"] as? NSNumber)?.intValue }
    #expect(status == [422] + Array(repeating: 200, count: 9), "\(status)")
    if let refused = fetched.first {
      let file = refused["file"] as? String ?? ""
      let path = scenario.out + (file.hasPrefix("evidence/") ? "/" : "/evidence/") + file
      let body = try String(contentsOfFile: path, encoding: .utf8)
      #expect(body.contains("too many points"), "\(body)")
      #expect(body.contains("maxPointsPerTimeseries=\(VictoriaMetrics.serverLimit)"), "\(body)")
      let refusedEnd: Double? = queryParameters(refused)["end"].flatMap(Double.init)
      #expect(refusedEnd == VictoriaMetrics.startSeconds + 39_999 * VictoriaMetrics.step)
    }
    let ends: [Double] = fetched.dropFirst().map { queryParameters($0)["end"].flatMap(Double.init) ?? 0 }
    let expectedEnds: [Double] = (1...9).map { (k: Int) -> Double in
      let end = VictoriaMetrics.startSeconds + Double(k * 20_000 - 1) * VictoriaMetrics.step
      return min(end, VictoriaMetrics.endSeconds)
    }
    #expect(ends == expectedEnds, "\(ends)")
  }
}
