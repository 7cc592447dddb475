import Foundation
import Testing

/// The clickhouse collector against Debian's clickhouse-server, started by
/// scripts/integration.d/clickhouse.sh in the Asia/Kathmandu time zone (+05:45) and holding
/// a few million rows of scripts/gen-logs; PMHOST_IT_CLICKHOUSE_LOG holds the rows of the
/// incident's window as log lines, for log-pattern.
enum CH {
  static var url: String { IT.env["PMHOST_IT_CLICKHOUSE_URL"] ?? "" }
  static var log: String { IT.env["PMHOST_IT_CLICKHOUSE_LOG"] ?? "" }
  static let passwordVariable = "PMHOST_IT_CLICKHOUSE_PASSWORD"
  static var live: Bool {
    !url.isEmpty && !IT.pmhost.isEmpty && !IT.work.isEmpty && IT.env["PMHOST_IT_REPLAY"] == nil
  }
  /// The replay phase of scripts/integration passes no server URLs: it replays what the
  /// live phase left (PMHOST_IT_CLICKHOUSE_URL ran it), or says why it cannot.
  static var replay: Bool {
    IT.replay && FileManager.default.fileExists(atPath: IT.work + "/" + store.name + "/.live-status")
  }

  static let store = Scenario(name: "clickhouse")
  static let files = Scenario(name: "clickhouse-files")
  static let gaps = Scenario(name: "clickhouse-gaps")
  /// The pipelines whose live run the replay must rebuild.
  static let replayed = [store, gaps]

  /// The filter, as SQL for the store and as a Lua pattern for the file.
  static let whereSQL = "level = 'ERROR' AND service = 'api-service'"
  static let window = (start: 1_739_094_600.0, end: 1_739_102_100.0)  // the incident ± 15m

  static func entry(url: String = url, where filter: String = whereSQL, _ extra: String) -> String {
    """
    { "clickhouse", url = \(lua(url)), user = "pmhost", password_env = "\(passwordVariable)",
          table = "logs", time_column = "time", message_column = "message", where = \(lua(filter)),
          columns = { "level", "service", "host" }, tie_breaker = "id"\(extra) },
    """
  }

  static var storePipeline: String { Pipelines.wrap([entry(", page_size = 5000, count_by = \"1m\"")]) }
  static var filesPipeline: String {
    Pipelines.wrap([
      """
      { "log-pattern", path = "window.log", match = " ERROR api%-service ",
          pattern = "^(%S+) (%u+) (%S+) (%S+) id=(%d+) (.*)$",
          fields = { "time", "level", "service", "host", "id", "message" } },
      """
    ])
  }
  static var gapsPipeline: String {
    Pipelines.wrap([
      entry(where: "level = = 'ERROR'", ", source = \"bad sql\""),
      entry(url: IT.refused, ", source = \"refused\""),
      entry(", source = \"limited\", max_rows = 100, page_size = 30"),
    ])
  }

  /// Runs a pipeline live; keeps its exit status for the replay.
  static func runLive(_ scenario: Scenario, _ text: String, copyLog: Bool = false) throws -> (
    RunResult, Report
  ) {
    try scenario.write(pipeline: text)
    if copyLog { try FileManager.default.copyItem(atPath: log, toPath: scenario.dir + "/window.log") }
    let result = try scenario.run()
    try Data("\(result.status)\n".utf8).write(to: URL(fileURLWithPath: scenario.dir + "/.live-status"))
    let report = try Report(path: scenario.out + "/report.json")
    return (result, report)
  }

  /// (time, event, kind) of every event, sorted.
  static func rows(_ r: Report) -> [String] {
    r.timeline.map { "\($0["time"] ?? "") \($0["kind"] ?? "") \($0["event"] ?? "")" }.sorted()
  }

  /// One SQL answer from the server, through curl (the test's own check of the data).
  static func query(_ sql: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    p.arguments = ["-sfS", url + "/", "--data-binary", sql]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

@Suite(
  .serialized, .enabled(if: CH.live, "scripts/integration sets PMHOST_IT_CLICKHOUSE_URL (clickhouse-server)"))
struct ClickHouseLiveTests {
  @Test func sameTimelineAsLogPatternOverTheExportedRows() throws {
    let (result, store) = try CH.runLive(CH.store, CH.storePipeline)
    #expect(result.status == 0, "\(result.summary)")
    let (fileResult, files) = try CH.runLive(CH.files, CH.filesPipeline, copyLog: true)
    #expect(fileResult.status == 0, "\(fileResult.summary)")
    #expect(store.gaps.isEmpty, "\(store.gaps)")

    // The server counts the rows the filter selects in the window: the timeline has them all.
    let expected = try CH.query(
      "SELECT count() FROM logs WHERE \(CH.whereSQL) AND time >= toDateTime(\(Int(CH.window.start))) "
        + "AND time <= toDateTime(\(Int(CH.window.end)))")
    let total = try CH.query("SELECT count() FROM logs")
    #expect(Int(expected) ?? 0 > 1000, "too few matching rows to compare: \(expected)")
    #expect(store.timeline.count == Int(expected), "\(store.timeline.count) events, \(expected) rows match")
    #expect(
      Int(total) ?? 0 > 100 * (Int(expected) ?? 1), "the table is not much larger than the window: \(total)")

    // Same times (UTC, though the server is at +05:45), events and kinds as log-pattern's.
    let a = CH.rows(store)
    let b = CH.rows(files)
    #expect(a.count == b.count, "clickhouse \(a.count) events, log-pattern \(b.count)")
    let firstDiff = zip(a, b).first { $0 != $1 }
    #expect(firstDiff == nil, "first difference: \(firstDiff.map { "\($0.0) | \($0.1)" } ?? "")")
    if let e = store.timeline.first {
      #expect(e["group"] as? String == e["event"] as? String)
      let fields = e["fields"] as? [String: Any] ?? [:]
      #expect(
        fields["level"] as? String == "ERROR" && fields["service"] as? String == "api-service", "\(fields)")
      #expect((e["evidence"] as? [String])?.first?.contains(" page 1 row 1") == true, "\(e)")
    }

    // Only the window's matching rows came over the wire: one line per row in the pages.
    let entries = try verifiedEvidence(out: CH.store.out)
    var pageRows = 0
    var bytes = 0
    for entry in entries where entry["plugin"] as? String == "clickhouse" {
      let file = CH.store.out + "/evidence/" + (entry["file"] as? String ?? "")
      let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
      bytes += entry["bytes"] as? Int ?? 0
      // A page row has six columns (time, message, id, level, service, host); the counts two.
      pageRows +=
        text.split(separator: "\n").filter {
          $0.split(separator: "\t", omittingEmptySubsequences: false).count == 6
        }
        .count
    }
    let countRows = Int(CH.window.end - CH.window.start) / 60 + 1
    #expect(pageRows == Int(expected), "rows in the evidence's pages: \(pageRows)")
    #expect(bytes < 200 * (Int(expected) ?? 0), "\(bytes) bytes for \(expected) rows")

    // count_by: the server's counts per minute, as a series whose sum is the rows read.
    let series = try #require(
      store.series.first { $0["name"] as? String == "logs rows per 1m" }, "\(store.series)")
    let points = series["points"] as? [[Any]] ?? []
    #expect(points.count == countRows, "\(points.count) points")
    let sum = points.compactMap { ($0.last as? NSNumber)?.intValue }.reduce(0, +)
    #expect(sum == Int(expected), "the counts add up to \(sum), not \(expected)")
  }

  @Test func failuresAreGapsNamingTheQueryAndRange() throws {
    let (_, r) = try CH.runLive(CH.gaps, CH.gapsPipeline)
    let reasons = r.gaps.compactMap { $0["reason"] as? String }
    #expect(
      reasons.contains {
        $0.contains("HTTP 400") && $0.contains("DB::Exception") && $0.contains("Syntax error")
      },
      "no gap with ClickHouse's syntax error: \(reasons)")
    #expect(
      reasons.contains {
        $0.contains(IT.refused) && $0.contains("no answer") && $0.contains("2025-02-09T09:50:00")
      },
      "no gap for the refused port: \(reasons)")
    #expect(
      reasons.contains { $0.contains("stopped at max_rows") && $0.contains("ORDER BY `time`, `id`") },
      "no gap for max_rows: \(reasons)")
    let warnings = (r.json["warnings"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
    #expect(warnings.contains { $0.contains("stopped at max_rows (100 rows)") }, "\(warnings)")
    #expect(r.timeline.filter { ($0["source"] as? String) == "limited" }.count == 100)
  }
}

@Suite(
  .serialized, .enabled(if: CH.replay, "PMHOST_IT_REPLAY=1 after a live run with PMHOST_IT_CLICKHOUSE_URL"))
struct ClickHouseReplayTests {
  /// Servers stopped: the saved evidence rebuilds the same report.
  @Test(arguments: CH.replayed.map(\.name))
  func replayGivesTheSameReport(_ name: String) throws {
    let scenario = Scenario(name: name)
    let live = try Report(path: scenario.out + "/report.json")
    try? FileManager.default.removeItem(atPath: scenario.replayOut)
    // The replay phase sets no password: a replay sends no request and needs none.
    let result = try scenario.run(["--replay", "out", "--out", "out-replay"])
    let liveStatus = (try? String(contentsOfFile: scenario.dir + "/.live-status", encoding: .utf8))
      .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    #expect(result.status == liveStatus, "\(result.summary)")
    let replayed = try Report(path: scenario.replayOut + "/report.json")
    for key in ["timeline", "gaps", "series", "warnings"] {
      let a = try JSONSerialization.data(withJSONObject: live.json[key] ?? [], options: [.sortedKeys])
      let b = try JSONSerialization.data(withJSONObject: replayed.json[key] ?? [], options: [.sortedKeys])
      #expect(a == b, "\(key) differs after the replay")
    }
    #expect(!live.timeline.isEmpty)
  }
}
