import Foundation
import Testing

/// Issue 19's done-when: an incident whose logs live in ClickHouse (Debian's 18.16, in
/// Asia/Kathmandu) and whose metrics live in VictoriaMetrics over a month-long window gives
/// the same timeline as the same data read from files (log-pattern over the window's rows
/// exported as a log, prometheus over a saved query_range answer of the month), while only
/// the window's matching rows come over the wire; and with both servers stopped, the
/// evidence replays to the same report.
enum StoresDoneWhen {
  static let store = Scenario(name: "stores-done-when")
  static let files = Scenario(name: "stores-done-when-files")

  static var live: Bool { CH.live && VictoriaMetrics.live }
  static var replay: Bool {
    IT.replay && FileManager.default.fileExists(atPath: store.dir + "/.live-status")
  }

  /// The series the files' pipeline reads from a saved answer (the one with the threshold).
  static let errorRatioKey = #"api_error_ratio{job="api",service="api-service"}"#

  /// The timeline plugins both pipelines run after collect: what a report is built from.
  static let timeline = ["bursts", "key-moments"]

  static var storePipeline: String {
    Pipelines.wrap(
      [CH.entry(", source = \"api logs\", page_size = 1000")]
        + VictoriaMetrics.collectSources(url: VictoriaMetrics.url, requests: false), timeline: timeline)
  }

  static var filesPipeline: String {
    Pipelines.wrap(
      [
        """
        { "log-pattern", path = "window.log", match = " ERROR api%-service ", source = "api logs",
            pattern = "^(%S+) (%u+) (%S+) (%S+) id=(%d+) (.*)$",
            fields = { "time", "level", "service", "host", "id", "message" } },
        """,
        """
        { "prometheus", file = "error-ratio.json", threshold = 0.05, name = "Error rate", source = "VictoriaMetrics" },
        """,
      ], timeline: timeline)
  }

  /// The month of the error ratio as VictoriaMetrics holds it, written as the saved
  /// query_range answer the prometheus collector reads (`[t, "v"]` pairs, as the API writes).
  static func writeSavedAnswer(to path: String) throws {
    let samples = try #require(
      try VictoriaMetrics.backfilled()[errorRatioKey], "\(errorRatioKey) was not backfilled")
    var text = #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":"#
    text += #"{"__name__":"api_error_ratio","job":"api","service":"api-service"},"values":["#
    text += samples.keys.sorted().map { t in "[\(Int(t)),\"\(samples[t]!)\"]" }.joined(separator: ",")
    text += "]}]}}"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  /// What a timeline row is, evidence aside: time, source, kind, event and count.
  static func rows(_ r: Report) -> [String] {
    r.timeline.map {
      "\($0["time"] ?? "") \($0["source"] ?? "") \($0["kind"] ?? "") \($0["count"] ?? 1) \($0["event"] ?? "")"
    }
  }
}

@Suite(
  .serialized,
  .enabled(
    if: StoresDoneWhen.live, "scripts/integration sets PMHOST_IT_CLICKHOUSE_URL and PMHOST_IT_VICTORIA_URL"))
struct StoresDoneWhenLiveTests {
  @Test func logsInClickHouseAndAMonthInVictoriaMetricsGiveTheTimelineOfTheFiles() throws {
    let (result, store) = try CH.runLive(StoresDoneWhen.store, StoresDoneWhen.storePipeline)
    #expect(result.status == 0, "\(result.summary)")
    #expect(store.gaps.isEmpty, "\(store.gaps)")

    try StoresDoneWhen.files.write(pipeline: StoresDoneWhen.filesPipeline)
    try FileManager.default.copyItem(atPath: CH.log, toPath: StoresDoneWhen.files.dir + "/window.log")
    try StoresDoneWhen.writeSavedAnswer(to: StoresDoneWhen.files.dir + "/error-ratio.json")
    let filesResult = try StoresDoneWhen.files.run()
    #expect(filesResult.status == 0, "\(filesResult.summary)")
    let files = try Report(path: StoresDoneWhen.files.out + "/report.json")
    #expect(files.gaps.isEmpty, "\(files.gaps)")

    // The same timeline, row for row, after bursts and key moments.
    let a = StoresDoneWhen.rows(store)
    let b = StoresDoneWhen.rows(files)
    #expect(a.count == b.count, "from the stores \(a.count) rows, from the files \(b.count)")
    let firstDiff = zip(a, b).first { $0 != $1 }
    #expect(firstDiff == nil, "first difference: \(firstDiff.map { "\($0.0) | \($0.1)" } ?? "")")
    #expect(a.contains { $0.contains(" VictoriaMetrics metric_crossed ") }, "no crossing in \(a.prefix(5))")
    #expect(a.contains { $0.contains(" api logs error ") }, "no log row in \(a.prefix(5))")
    let moments = try #require(store.json["key_moments"], "no key moments")
    let fileMoments = try #require(files.json["key_moments"])
    #expect(
      try JSONSerialization.data(withJSONObject: moments, options: [.sortedKeys])
        == JSONSerialization.data(withJSONObject: fileMoments, options: [.sortedKeys]), "key moments differ")

    // The month's series point for point, from the store's ranges and from the saved answer.
    let storeSeries = try #require(store.series.first { $0["name"] as? String == "Error rate" })
    let fileSeries = try #require(files.series.first { $0["name"] as? String == "Error rate" })
    let storePoints = try #require(VictoriaMetrics.points(of: storeSeries)?.points)
    let filePoints = try #require(VictoriaMetrics.points(of: fileSeries)?.points)
    #expect(storePoints.count == VictoriaMetrics.pointsPerSeries, "\(storePoints.count) points")
    #expect(storePoints.map(\.0) == filePoints.map(\.0) && storePoints.map(\.1) == filePoints.map(\.1))

    // Only the window's matching rows came from ClickHouse: the server's own count of them,
    // one line per row in the saved pages, out of a table a hundred times larger.
    let matching = try #require(
      Int(
        try CH.query(
          "SELECT count() FROM logs WHERE \(CH.whereSQL) AND time >= toDateTime(\(Int(CH.window.start))) "
            + "AND time <= toDateTime(\(Int(CH.window.end)))")))
    let total = try #require(Int(try CH.query("SELECT count() FROM logs")))
    var pageRows = 0
    var requests = 0
    var pages = 0
    for entry in try verifiedEvidence(out: StoresDoneWhen.store.out) {
      let plugin = entry["plugin"] as? String
      if plugin == "prometheus" { requests += 1 }
      guard plugin == "clickhouse", let file = entry["file"] as? String else { continue }
      let text =
        (try? String(contentsOfFile: StoresDoneWhen.store.out + "/evidence/" + file, encoding: .utf8)) ?? ""
      let rows = text.split(separator: "\n").filter {
        $0.split(separator: "\t", omittingEmptySubsequences: false).count == 6
      }.count
      pageRows += rows
      if rows > 0 { pages += 1 }
    }
    #expect(pageRows == matching, "\(pageRows) rows transferred, \(matching) match in the window")
    #expect(pages >= 3, "\(pages) pages: the window's rows should take several at page_size 1000")
    #expect(
      total > 100 * matching, "the table (\(total) rows) is not much larger than the window's \(matching)")
    let logRows = store.timeline.filter { $0["source"] as? String == "api logs" }
      .reduce(0) { $0 + (($1["count"] as? Int) ?? 1) }
    #expect(logRows == matching, "\(logRows) log events for \(matching) rows")
    // The month at 15 s in ranges of at most 11,000 points: 16 requests.
    #expect(requests == 16, "\(requests) requests to VictoriaMetrics")
  }
}

@Suite(
  .serialized,
  .enabled(
    if: StoresDoneWhen.replay, "PMHOST_IT_REPLAY=1 after a live run with ClickHouse and VictoriaMetrics"))
struct StoresDoneWhenReplayTests {
  /// Both servers stopped: the evidence gives the same report, but for when it was made.
  @Test func theStoresIncidentReplaysOffline() throws {
    let scenario = StoresDoneWhen.store
    let live = try Report(path: scenario.out + "/report.json")
    try? FileManager.default.removeItem(atPath: scenario.replayOut)
    // The replay phase sets no password: a replay sends no request and needs none.
    let result = try scenario.run(["--replay", "out", "--out", "out-replay"])
    #expect(result.status == 0, "\(result.summary)")
    let replayed = try Report(path: scenario.replayOut + "/report.json")
    let a = live.withoutGeneratedAt
    let b = replayed.withoutGeneratedAt
    for key in Set(a.keys).union(b.keys).sorted() {
      let x = try JSONSerialization.data(
        withJSONObject: a[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
      let y = try JSONSerialization.data(
        withJSONObject: b[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
      #expect(x == y, "report.json's \(key) differs after the replay")
    }
    #expect(StoresDoneWhen.rows(live).count > 100)
  }
}
