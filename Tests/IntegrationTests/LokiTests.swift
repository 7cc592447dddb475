import Foundation
import Testing

/// The loki collector against scripts/recorded-http-server, which plays Loki from the
/// cassettes Tests/IntegrationTests/Data/recorded/loki-*.json (Loki's documented
/// query_range answers) and checks every request: query, range, paging start, limit and
/// the headers a cassette requires.
enum Loki {
  static var recorded: String { IT.env["PMHOST_IT_RECORDED_URL"] ?? "" }
  static var live: Bool {
    !recorded.isEmpty && !IT.pmhost.isEmpty && !IT.work.isEmpty && IT.env["PMHOST_IT_REPLAY"] == nil
  }
  /// The bearer token loki-tenant.json requires, given to the runs in this variable.
  static let tokenVariable = "PMHOST_IT_LOKI_TOKEN"
  static let token = "loki-it-token"

  static let paged = Scenario(name: "loki-paged")
  static let metric = Scenario(name: "loki-metric")
  static let error = Scenario(name: "loki-error")
  static let file = Scenario(name: "loki-file")
  static let tenant = Scenario(name: "loki-tenant")

  static let pagedQuery = #"{app="api"}"#
  static let metricQuery = #"sum(count_over_time({app="api"} |= "error" [1m]))"#
  static let badQuery = #"{app="api"} |~ error"#

  static func url(_ cassette: String) -> String { recorded + "/" + cassette }
  /// A cassette's file, beside this source file.
  static func cassette(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "Data/recorded/\(name).json")
  }

  static var pagedSource: String {
    """
    { "loki", url = \(lua(url("loki-paged"))), query = \(lua(pagedQuery)), contains = "error", limit = 3,
          source = "Loki" },
    """
  }
  static var metricSource: String {
    """
    { "loki", url = \(lua(url("loki-metric"))), query = \(lua(metricQuery)), step = "5s",
          start = "2025-02-09T00:00:00Z", ["end"] = "2025-02-10T00:00:00Z",
          name = "Errors per minute", threshold = 20, source = "Loki" },
    """
  }
  static var errorSource: String {
    "{ \"loki\", url = \(lua(url("loki-error"))), query = \(lua(badQuery)), source = \"Loki\" },"
  }
  static func tenantSource(_ org: String) -> String {
    """
    { "loki", url = \(lua(url("loki-tenant"))), query = \(lua(#"{app="api", namespace="payments"}"#)),
          org_id = \(lua(org)), token_env = "\(tokenVariable)", source = "Loki" },
    """
  }

  /// Runs `pmhost run` in the scenario's folder with the Loki token in the environment.
  static func run(_ scenario: Scenario, _ extra: [String] = []) throws -> RunResult {
    setenv(tokenVariable, token, 1)
    return try scenario.run(extra)
  }

  /// Writes and runs a pipeline live, keeping its exit status for the replay suite.
  static func runLive(_ scenario: Scenario, _ text: String) throws -> (RunResult, Report?) {
    try scenario.write(pipeline: text)
    let result = try run(scenario)
    try Data("\(result.status)\n".utf8).write(to: URL(fileURLWithPath: scenario.dir + "/.live-status"))
    return (result, try? Report(path: scenario.out + "/report.json"))
  }

  /// POST /__reset/NAME, GET /__state/NAME (by curl: no URLSession on every platform).
  static func control(_ verb: String, _ cassette: String) throws -> [String: Any] {
    let url = recorded + "/__" + verb + "/" + cassette
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["curl", "-sS", "--max-time", "10", "-X", verb == "reset" ? "POST" : "GET", url]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try #require(
      try JSONSerialization.jsonObject(with: data) as? [String: Any],
      "\(url): \(String(decoding: data, as: UTF8.self))")
  }

  /// Every exchange of the cassette served, and no request that differed from it.
  static func expectAllServed(_ cassette: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let state = try control("state", cassette)
    let served = (state["served"] as? NSNumber)?.intValue
    let expected = (state["expected"] as? NSNumber)?.intValue
    #expect(served != nil && served == expected, "\(cassette): \(state)", sourceLocation: sourceLocation)
    #expect(
      (state["mismatches"] as? [Any])?.isEmpty == true, "\(cassette): \(state)",
      sourceLocation: sourceLocation)
  }
}

/// (time, event, kind) of every timeline row: what the file and the store must agree on.
private func rows(_ report: Report) -> [String] {
  report.timeline.map { "\($0["time"] ?? "-") \($0["kind"] ?? "-") \($0["event"] ?? "-")" }
}

@Suite(
  .serialized,
  .enabled(if: Loki.live, "scripts/integration sets PMHOST_IT_RECORDED_URL (the recorded server)"))
struct LokiTests {
  @Test func pagedLogQueryReadsEveryEntryOnce() throws {
    _ = try Loki.control("reset", "loki-paged")
    let (result, report) = try Loki.runLive(Loki.paged, Pipelines.wrap([Loki.pagedSource]))
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "\(result.summary)")
    try Loki.expectAllServed("loki-paged")  // five pages, each start the last page's last nanosecond
    #expect(r.gaps.isEmpty, "\(r.gaps)")
    // Eight entries, two pairs sharing a nanosecond across page boundaries: none lost, none twice.
    #expect(
      rows(r) == [
        "2025-02-09T10:05:02.125Z error error: upstream timed out (504) GET /v1/orders",
        "2025-02-09T10:05:07.250Z error error: connection pool exhausted (max=50)",
        "2025-02-09T10:05:07.250Z error error: connection pool exhausted (max=50)",
        "2025-02-09T10:06:15.500Z error ERROR payment-service: error charging card 4242",
        "2025-02-09T10:07:00.000Z error error: retry budget exceeded for payments",
        "2025-02-09T10:07:00.000Z error error: retry budget exceeded for payments",
        "2025-02-09T10:20:00.250Z error error: circuit breaker open for payments — 41% of requests failing",
        "2025-02-09T10:35:10.000Z error error rate back under 1% after rollback to v2.3.9",
      ], "\(rows(r))")
    let first = try #require(r.timeline.first)
    #expect(first["source"] as? String == "Loki")
    let fields = first["fields"] as? [String: Any]
    #expect(fields?["pod"] as? String == "api-1", "\(first)")
    #expect(fields?["namespace"] as? String == "payments", "\(first)")
    let cited = (first["evidence"] as? [String]) ?? [(first["evidence"] as? String) ?? ""]
    #expect(cited.first?.hasSuffix(": data.result[1].values[1]") == true, "\(first)")
    #expect(first["time_text"] as? String == "1739095502125000000", "\(first)")
    // The query sent carries contains as a LogQL line filter (the cassette checks it too).
    let entries = try verifiedEvidence(out: Loki.paged.out)
    let fetched = evidence(entries, plugin: "loki", url: Loki.recorded)
    #expect(fetched.count == 5, "\(fetched)")
    #expect(queryParameters(try #require(fetched.first))["query"] == #"{app="api"} |= "error""#)
  }

  @Test func theSameEntriesFromAFileGiveTheSameTimeline() throws {
    // The entries the cassette holds, as a log file (`TIME LINE`), read by log-pattern.
    let cassette = try JSONSerialization.jsonObject(
      with: try Data(contentsOf: Loki.cassette("loki-paged")))
    var seen = Set<String>()
    var lines: [(Int64, String)] = []
    for exchange in (cassette as? [String: Any])?["exchanges"] as? [[String: Any]] ?? [] {
      let response = exchange["response"] as? [String: Any]
      let data = (response?["json"] as? [String: Any])?["data"] as? [String: Any]
      for stream in data?["result"] as? [[String: Any]] ?? [] {
        let labels = (stream["stream"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }
        for value in stream["values"] as? [[String]] ?? [] where seen.insert("\(labels)\(value)").inserted {
          lines.append((Int64(value[0]) ?? 0, value[1]))
        }
      }
    }
    #expect(lines.count == 8, "\(lines)")
    let text = lines.sorted { $0.0 < $1.0 }.map { ns, line in
      let seconds = Double(ns / 1_000_000_000)
      let iso = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds)).dropLast()
      return "\(iso).\(String(format: "%09lld", ns % 1_000_000_000))Z \(line)"
    }.joined(separator: "\n")
    let scenario = Loki.file
    try scenario.write(
      pipeline: Pipelines.wrap([
        #"{ "log-pattern", path = "loki.log", pattern = "^(%S+) (.*)$", fields = { "time", "message" } },"#
      ]))
    try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: scenario.dir + "/loki.log"))
    let result = try Loki.run(scenario)
    try Data("\(result.status)\n".utf8).write(to: URL(fileURLWithPath: scenario.dir + "/.live-status"))
    #expect(result.status == 0, "\(result.summary)")
    let fromFile = try Report(path: scenario.out + "/report.json")
    let fromLoki = try Report(path: Loki.paged.out + "/report.json")
    #expect(rows(fromFile).count == 8)
    #expect(rows(fromFile) == rows(fromLoki), "file:\n\(rows(fromFile))\nLoki:\n\(rows(fromLoki))")
  }

  @Test func metricQueryOverADayIsSplitAndJoined() throws {
    _ = try Loki.control("reset", "loki-metric")
    let (result, report) = try Loki.runLive(Loki.metric, Pipelines.wrap([Loki.metricSource]))
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "\(result.summary)")
    try Loki.expectAllServed("loki-metric")  // 17,281 points at 5 s: two ranges (11,000 + 6,281)
    #expect(r.gaps.isEmpty, "\(r.gaps)")
    let series = try #require(r.series.first, "\(r.series)")
    #expect(r.series.count == 1)
    #expect(series["name"] as? String == "Errors per minute")
    #expect(series["query"] as? String == Loki.metricQuery)
    let times = (series["points"] as? [[Any]] ?? []).compactMap { ($0.first as? NSNumber)?.doubleValue }
    #expect(times.count == 420, "360 points in the first range, 60 in the second: \(times.count)")
    #expect(Set(times).count == times.count && times == times.sorted(), "duplicate or unordered points")
    #expect(
      times.first == at(10, 5, 0) && times.last == at(15, 24, 55), "\(times.first ?? 0) \(times.last ?? 0)")
    // Above 20 from 10:06 to 10:30, and again from 15:20 (in the second range) to 15:25.
    #expect(
      rows(r) == [
        "2025-02-09T10:06:00.000Z metric_crossed Errors per minute above 20",
        "2025-02-09T10:30:00.000Z metric_recovered Errors per minute returns to normal",
        "2025-02-09T15:20:00.000Z metric_crossed Errors per minute above 20",
      ], "\(rows(r))")
  }

  @Test func parseErrorIsAGapNamingQueryAndRange() throws {
    _ = try Loki.control("reset", "loki-error")
    let (result, report) = try Loki.runLive(Loki.error, Pipelines.wrap([Loki.errorSource]))
    let r = try #require(report, "\(result.summary)")
    try Loki.expectAllServed("loki-error")
    #expect(r.timeline.isEmpty)
    #expect(r.gaps.count == 1, "\(r.gaps)")
    let reason = r.gaps.first?["reason"] as? String ?? ""
    #expect(reason.contains("Loki query `" + Loki.badQuery + "`"), "\(reason)")
    #expect(reason.contains("2025-02-09T09:50:00.000Z to 2025-02-09T11:55:00.000Z"), "\(reason)")
    #expect(reason.contains("HTTP 400: parse error at line 1, col 15: syntax error"), "\(reason)")
  }

  @Test func tenantAndTokenHeadersAreSent() throws {
    // The wrong tenant: the recorded server refuses the request (the cassette requires
    // X-Scope-OrgID: tenant-a), and the collector says so with a gap.
    _ = try Loki.control("reset", "loki-tenant")
    let (wrong, wrongReport) = try Loki.runLive(Loki.tenant, Pipelines.wrap([Loki.tenantSource("tenant-b")]))
    let w = try #require(wrongReport, "\(wrong.summary)")
    #expect(w.timeline.isEmpty && w.gaps.count == 1, "\(w.gaps)")
    let state = try Loki.control("state", "loki-tenant")
    #expect("\(state["mismatches"] ?? "")".contains("X-Scope-OrgID"), "\(state)")

    _ = try Loki.control("reset", "loki-tenant")
    let (result, report) = try Loki.runLive(Loki.tenant, Pipelines.wrap([Loki.tenantSource("tenant-a")]))
    #expect(result.status == 0, "\(result.summary)")
    let r = try #require(report, "\(result.summary)")
    try Loki.expectAllServed("loki-tenant")
    #expect(r.gaps.isEmpty, "\(r.gaps)")
    #expect(r.timeline.count == 2, "\(r.timeline)")
    // The token went in a header, never into the evidence.
    #expect(files(under: Loki.tenant.out, containing: Loki.token).isEmpty)
  }
}

extension ReplayTests {
  /// The tenant pipeline needs its token variable to start, so it replays here rather than
  /// in Pipelines.all; the report must come out the same with the recorded server stopped.
  @Test func lokiTenantReplaysTheSameReport() throws {
    let scenario = Loki.tenant
    let livePath = scenario.out + "/report.json"
    try #require(FileManager.default.fileExists(atPath: livePath), "the live run left no \(livePath)")
    try? FileManager.default.removeItem(atPath: scenario.replayOut)
    let result = try Loki.run(scenario, ["--replay", "out", "--out", "out-replay"])
    #expect(result.status == 0, "\(result.summary)")
    let live = try Report(path: livePath)
    let replayed = try Report(path: scenario.replayOut + "/report.json")
    #expect(rows(live) == rows(replayed))
    #expect(live.timeline.count == 2)
    let a = try JSONSerialization.data(withJSONObject: live.withoutGeneratedAt, options: [.sortedKeys])
    let b = try JSONSerialization.data(withJSONObject: replayed.withoutGeneratedAt, options: [.sortedKeys])
    #expect(a == b, "report.json differs after replay")
  }
}
