import Foundation
import Testing

/// The elasticsearch collector against scripts/recorded-http-server playing the cassettes
/// Data/recorded/es-*.json and opensearch-pit.json (answers in the documented formats of
/// the Elasticsearch and OpenSearch APIs; every request, its body and its Authorization
/// header checked by the server). The replay suite runs the same pipelines again from their
/// evidence with the server stopped (`Pipelines.all`).
enum ESCassettes {
  static var url: String { IT.env["PMHOST_IT_RECORDED_URL"] ?? "" }
  static var live: Bool {
    !url.isEmpty && !IT.pmhost.isEmpty && !IT.work.isEmpty && IT.env["PMHOST_IT_REPLAY"] == nil
  }

  /// The credentials the cassettes require (test constants, not secrets). The pipelines
  /// name these variables; `Scenario.childEnvironment` passes this process's environment on,
  /// so they are set here, before any pipeline of `Pipelines.all` runs, live or replayed.
  static let credentials = [
    "PMHOST_IT_ES_USER": "elastic", "PMHOST_IT_ES_PASSWORD": "s3cret pass",
    "PMHOST_IT_OS_USER": "admin", "PMHOST_IT_OS_PASSWORD": "admin",
    "PMHOST_IT_ES_API_KEY": "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==",
  ]
  static let names = ["es-pit", "opensearch-pit", "es-scroll", "es-error"]
  static let scenarios: [Scenario] = {
    for (name, value) in credentials { setenv(name, value, 1) }
    return names.map { Scenario(name: $0) }
  }()

  /// One collector entry per cassette (its url is the cassette's folder on the server).
  static func source(_ name: String) -> String {
    let url = lua(Self.url + "/" + name)
    switch name {
    case "es-pit":
      return """
        { "elasticsearch", url = \(url), index = "logs-api-*", query = "log.level:ERROR AND service:api",
              fields = { "log.level", "host.name" }, size = 3,
              user_env = "PMHOST_IT_ES_USER", password_env = "PMHOST_IT_ES_PASSWORD", source = "Elasticsearch" },
        """
    case "opensearch-pit":
      return """
        { "elasticsearch", url = \(url), index = "app-logs", query = { term = { ["log.level"] = "ERROR" } },
              fields = { "log.level", "host.name" }, size = 2, kind = "db_error",
              user_env = "PMHOST_IT_OS_USER", password_env = "PMHOST_IT_OS_PASSWORD", source = "OpenSearch" },
        """
    case "es-scroll":
      return """
        { "elasticsearch", url = \(url), index = "legacy-logs", flavor = "elasticsearch", query = { match_all = {} },
              fields = { "log.level", "host.name" }, size = 2, api_key_env = "PMHOST_IT_ES_API_KEY", source = "Elasticsearch" },
        """
    case "es-error":
      return """
        { "elasticsearch", url = \(url), index = "logs-api-*", flavor = "elasticsearch", query = "checkout",
              fields = { "log.level", "host.name" }, size = 2, api_key_env = "PMHOST_IT_ES_API_KEY", source = "Elasticsearch" },
        """
    default: fatalError("no cassette \(name)")
    }
  }

  /// The cassette's exchanges, as the server reads them.
  static func exchanges(_ name: String) throws -> [[String: Any]] {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Data/recorded/\(name).json").path
    let data = try #require(FileManager.default.contents(atPath: path), "no cassette \(path)")
    let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return try #require(doc["exchanges"] as? [[String: Any]])
  }

  /// POST /__reset/NAME, or GET /__state/NAME: {"served", "expected", "mismatches"} (over
  /// HTTP with Python: Foundation here has no URLSession).
  static func control(_ verb: String, _ name: String) throws -> [String: Any] {
    let fetch = Process()
    fetch.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    fetch.arguments = [
      "python3", "-c",
      "import sys, urllib.request; r = urllib.request.Request(sys.argv[1], method=sys.argv[2]); "
        + "sys.stdout.write(urllib.request.urlopen(r).read().decode())",
      url + "/__\(verb)/" + name, verb == "reset" ? "POST" : "GET",
    ]
    let pipe = Pipe()
    fetch.standardOutput = pipe
    try fetch.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    fetch.waitUntilExit()
    return try #require(
      try JSONSerialization.jsonObject(with: data) as? [String: Any],
      "no answer from \(url)/__\(verb)/\(name)")
  }
}

@Suite(.serialized, .enabled(if: ESCassettes.live, "scripts/integration sets PMHOST_IT_RECORDED_URL"))
struct ElasticsearchTests {
  /// Runs the cassette's pipeline from a rewound cassette, keeps the exit status for the
  /// replay suite, and checks that the server served every exchange with no mismatch.
  func runLive(_ name: String) throws -> (RunResult, Report) {
    let scenario = try #require(ESCassettes.scenarios.first { $0.name == name })
    _ = try ESCassettes.control("reset", name)
    try scenario.write(pipeline: Pipelines.wrap([ESCassettes.source(name)]))
    let result = try scenario.run()
    try Data("\(result.status)\n".utf8).write(to: URL(fileURLWithPath: scenario.dir + "/.live-status"))
    let state = try ESCassettes.control("state", name)
    #expect((state["mismatches"] as? [Any])?.isEmpty == true, "\(name): \(state)")
    #expect(
      state["served"] as? Int == state["expected"] as? Int, "\(name): not every exchange served: \(state)")
    let report = try Report(path: scenario.out + "/report.json")
    return (result, report)
  }

  func rows(_ r: Report) -> [String] {
    r.timeline.map {
      "\($0["time"] as? String ?? "?") \($0["kind"] as? String ?? "?") \($0["event"] as? String ?? "?")"
    }
  }

  @Test func pointInTimeOverThreePagesWithBasicAuth() throws {
    let (result, r) = try runLive("es-pit")
    #expect(result.status == 0, "\(result.summary)")
    #expect(r.gaps.isEmpty, "\(r.gaps)")
    #expect(
      r.timeline.map { $0["time"] as? String ?? "" } == [
        "2025-02-09T10:05:23.250Z", "2025-02-09T10:06:10.500Z", "2025-02-09T10:08:20.000Z",
        "2025-02-09T10:08:20.000Z", "2025-02-09T10:12:00.125Z", "2025-02-09T11:30:00.000Z",
      ], "\(rows(r))")
    #expect(
      r.timeline.allSatisfy { $0["source"] as? String == "Elasticsearch" && $0["kind"] as? String == "error" }
    )
    #expect(
      r.timeline.map { $0["event"] as? String ?? "" }.allSatisfy {
        !$0.contains("\n") && !$0.contains("\u{1B}")
      })
    let entries = try verifiedEvidence(out: "\(IT.work)/es-pit/out").filter {
      $0["plugin"] as? String == "elasticsearch"
    }
    #expect(entries.count == 6, "GET /, open, 3 pages, close: \(entries.count)")
    #expect(
      result.stderr.contains("no message in _source"),
      "the hit without a message is counted: \(result.stderr)")
  }

  @Test func openSearchPointInTime() throws {
    let (result, r) = try runLive("opensearch-pit")
    #expect(result.status == 0, "\(result.summary)")
    #expect(r.gaps.isEmpty, "\(r.gaps)")
    #expect(
      rows(r) == [
        "2025-02-09T10:07:00.000Z db_error db pool exhausted (max=50)",
        "2025-02-09T10:07:00.000Z db_error db pool exhausted (max=50)",
        "2025-02-09T10:41:30.000Z db_error pool resized to 200",
      ])
  }

  @Test func scrollWhereThePointInTimeIsRefused() throws {
    let (result, r) = try runLive("es-scroll")
    #expect(result.status == 0, "\(result.summary)")
    #expect(r.gaps.isEmpty, "\(r.gaps)")
    #expect(r.timeline.count == 5, "\(rows(r))")
    #expect(r.timeline.first?["time"] as? String == "2025-02-09T10:30:00.000Z")
    #expect(r.timeline.last?["time"] as? String == "2025-02-09T10:34:00.000Z")
  }

  @Test func partialResultsAndARefusedPageAreGaps() throws {
    let (_, r) = try runLive("es-error")
    #expect(r.timeline.count == 2, "\(rows(r))")
    let reasons = r.gaps.map { $0["reason"] as? String ?? "" }
    #expect(reasons.count == 2, "\(reasons)")
    #expect(reasons.first?.contains("1 of 3 shards failed (partial results)") == true, "\(reasons)")
    #expect(reasons.first?.contains("node_not_connected_exception") == true, "\(reasons)")
    #expect(reasons.last?.contains("HTTP 429: search_phase_execution_exception") == true, "\(reasons)")
    #expect(reasons.allSatisfy { $0.hasPrefix("Elasticsearch query `logs-api-* checkout`") }, "\(reasons)")
  }

  /// The done-when of issue 19: the hits of es-pit exported to a file (one JSON line each:
  /// the time as the cluster sorts it, the message) and read by log-pattern give the same
  /// events (time, event, kind) as the collector reading them from the cluster.
  @Test func logPatternReadsTheSameHitsAsTheSameEvents() throws {
    let scenario = Scenario(name: "es-vs-file")
    _ = try ESCassettes.control("reset", "es-pit")
    var lines: [String] = []
    for exchange in try ESCassettes.exchanges("es-pit") {
      let response = exchange["response"] as? [String: Any]
      let hits =
        ((response?["json"] as? [String: Any])?["hits"] as? [String: Any])?["hits"] as? [[String: Any]]
      for hit in hits ?? [] {
        let source = hit["_source"] as? [String: Any] ?? [:]
        guard let message = source["message"] as? String, let sort = hit["sort"] as? [Any],
          let ms = (sort.first as? NSNumber)?.int64Value
        else { continue }  // no message: left out by both, with a warning by the collector
        let time = ISO8601DateFormatter.string(
          from: Date(timeIntervalSince1970: Double(ms) / 1000), timeZone: TimeZone(identifier: "UTC")!,
          formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        let line = try JSONSerialization.data(
          withJSONObject: ["time": time, "message": message], options: [.sortedKeys])
        lines.append(String(decoding: line, as: UTF8.self))
      }
    }
    #expect(lines.count == 6)
    try scenario.write(
      pipeline: Pipelines.wrap([
        ESCassettes.source("es-pit"),
        """
        { "log-pattern", path = "hits.jsonl", source = "File",
              parse = "local line = ... local v = pm.json.decode(line) return { time = v.time, message = v.message }" },
        """,
      ]))
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(
      to: URL(fileURLWithPath: scenario.dir + "/hits.jsonl"))
    let result = try scenario.run()
    #expect(result.status == 0, "\(result.summary)")
    let r = try Report(path: scenario.out + "/report.json")
    func events(_ source: String) -> [String] {
      r.timeline.filter { $0["source"] as? String == source }.map {
        "\($0["time"] as? String ?? "?") | \($0["kind"] as? String ?? "?") | \($0["event"] as? String ?? "?")"
      }
    }
    #expect(events("Elasticsearch").count == 6)
    #expect(events("Elasticsearch") == events("File"))
  }
}
