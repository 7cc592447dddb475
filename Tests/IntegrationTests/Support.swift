import Foundation
import Testing

/// What `scripts/integration` hands the tests through the environment. Plain `swift test`
/// sets none of it, so both suites are skipped there.
enum IT {
  static let env = ProcessInfo.processInfo.environment

  static var pmhost: String { env["PMHOST_IT_PMHOST"] ?? "" }
  /// Where each scenario keeps its pipeline and outputs; the replay phase reads them back.
  static var work: String { env["PMHOST_IT_WORK"] ?? "" }
  static var prometheus: String { env["PMHOST_IT_PROMETHEUS_URL"] ?? "" }
  static var alertmanager: String { env["PMHOST_IT_ALERTMANAGER_URL"] ?? "" }
  static var pagerduty: String { env["PMHOST_IT_PAGERDUTY_URL"] ?? "" }
  static var pagerdutyToken: String { env["PMHOST_IT_PAGERDUTY_TOKEN"] ?? "" }
  /// A loopback port nothing listens on.
  static var refused: String { env["PMHOST_IT_REFUSED_URL"] ?? "" }

  /// Servers up: the live suite runs.
  static var live: Bool {
    [
      "PMHOST_IT_PMHOST", "PMHOST_IT_WORK", "PMHOST_IT_PROMETHEUS_URL", "PMHOST_IT_ALERTMANAGER_URL",
      "PMHOST_IT_PAGERDUTY_URL", "PMHOST_IT_PAGERDUTY_TOKEN", "PMHOST_IT_REFUSED_URL",
    ]
    .allSatisfy { !(env[$0] ?? "").isEmpty } && env["PMHOST_IT_REPLAY"] == nil
  }
  /// Servers stopped after a live run: the replay suite runs.
  static var replay: Bool {
    env["PMHOST_IT_REPLAY"] == "1" && !pmhost.isEmpty && !work.isEmpty
  }

  /// Environment variables the pipelines name in `token_env`.
  static let tokenVariable = "PMHOST_IT_PD_TOKEN"
  static let badTokenVariable = "PMHOST_IT_PD_BAD_TOKEN"
  static let badToken = "not-the-token"
  /// The incident the PagerDuty stand-in serves (Tests/IntegrationTests/Data).
  static let incidentID = "Q1ABCDEF2GHIJ"
}

/// 2025-02-09 (the example incident's day) at a UTC clock time, in Unix seconds.
func at(_ h: Int, _ m: Int, _ s: Int) -> Double {
  Double(1_739_059_200 + h * 3600 + m * 60 + s)
}

/// `2025-02-09T10:05:45.000Z`, any fraction, `Z` or `±hh:mm`, to Unix seconds.
func unixSeconds(_ text: String) -> Double? {
  let chars = Array(text.utf8)
  func num(_ from: Int, _ count: Int) -> Int? {
    guard from + count <= chars.count else { return nil }
    var v = 0
    for c in chars[from..<(from + count)] {
      guard c >= 48, c <= 57 else { return nil }
      v = v * 10 + Int(c - 48)
    }
    return v
  }
  guard chars.count >= 20, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
    let mi = num(14, 2), let s = num(17, 2), chars[4] == 45, chars[7] == 45,
    chars[10] == 84 || chars[10] == 32
  else { return nil }
  var i = 19
  var fraction = 0.0
  if i < chars.count, chars[i] == 46 {
    var scale = 0.1
    i += 1
    while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
      fraction += Double(chars[i] - 48) * scale
      scale /= 10
      i += 1
    }
  }
  var offset = 0
  guard i < chars.count else { return nil }
  if chars[i] == 90 {
    i += 1
  } else if chars[i] == 43 || chars[i] == 45, let oh = num(i + 1, 2), let om = num(i + 4, 2) {
    offset = (oh * 3600 + om * 60) * (chars[i] == 43 ? 1 : -1)
    i += 6
  } else {
    return nil
  }
  guard i == chars.count else { return nil }
  // Days from the civil date (proleptic Gregorian), then seconds.
  let yy = mo <= 2 ? y - 1 : y
  let era = (yy >= 0 ? yy : yy - 399) / 400
  let yoe = yy - era * 400
  let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
  let days = era * 146_097 + doe - 719_468
  return Double(days * 86400 + h * 3600 + mi * 60 + s - offset) + fraction
}

/// `10:05:45` for messages.
func clock(_ t: Double) -> String {
  let s = Int(t.rounded()) % 86400
  return String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
}

struct RunResult {
  var status: Int32
  var stdout: String
  var stderr: String
  var summary: String { "exit \(status)\n--- stderr:\n\(stderr)\n--- stdout:\n\(stdout)" }
}

/// One pipeline in its own folder under PMHOST_IT_WORK, run with the real binary.
struct Scenario {
  let name: String
  var dir: String { IT.work + "/" + name }
  var out: String { dir + "/out" }
  var replayOut: String { dir + "/out-replay" }

  /// Environment the pipelines need: the tokens named by `token_env`, and nothing from
  /// the developer's setup (no user plugins).
  static var childEnvironment: [String: String] {
    var e = ProcessInfo.processInfo.environment
    e["PMHOST_PLUGIN_PATH"] = nil
    e["HOME"] = NSTemporaryDirectory()
    // The runs record in an archive of this integration run's own (every scenario states one
    // incident, whose record each run replaces), never in the user's.
    e["PMHOST_ARCHIVE"] = nil
    e["XDG_DATA_HOME"] = IT.work + "/.archive-data"
    e["NO_COLOR"] = "1"
    e[IT.tokenVariable] = IT.pagerdutyToken
    e[IT.badTokenVariable] = IT.badToken
    return e
  }

  /// Writes pipeline.lua and incident.yaml into a fresh folder.
  func write(pipeline: String) throws {
    let fm = FileManager.default
    try? fm.removeItem(atPath: dir)
    try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try Data(pipeline.utf8).write(to: URL(fileURLWithPath: dir + "/pipeline.lua"))
    try Data(Self.incident.utf8).write(to: URL(fileURLWithPath: dir + "/incident.yaml"))
  }

  func run(_ extra: [String] = []) throws -> RunResult {
    try runPMHost(["run", "pipeline.lua", "--no-input", "--quiet"] + extra, in: dir)
  }

  func runPMHost(_ arguments: [String], in directory: String) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: IT.pmhost)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = Self.childEnvironment
    // Files, not pipes: nothing to drain while the child runs.
    let outPath = dir + "/.stdout"
    let errPath = dir + "/.stderr"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    defer {
      try? out.close()
      try? err.close()
    }
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let text = { (p: String) in
      String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self)
    }
    return RunResult(status: process.terminationStatus, stdout: text(outPath), stderr: text(errPath))
  }

  /// The example incident (examples/api-outage), with the people the sources name.
  static let incident = """
    id: PM-IT-2025-02-09
    title: API Service Degradation (integration test)
    started_at: 2025-02-09T10:05:00Z
    ended_at: 2025-02-09T11:40:00Z
    services: [api-service]
    authors: ["@alice", "@bob"]
    summary: >-
      The API service returned 5xx errors to up to 41% of requests.
    people:
      "@alice": ["Alice Chen", alice, PALICE1, alice@example.com]
      "@bob": ["Bob Martin", bob, PBOB001, bob@example.com]

    """
}

/// The error ratio of the example incident, as in docs and the example pipeline.
let errorRatioQuery =
  #"sum(rate(http_requests_total{status=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))"#

/// A Lua long string, safe for any text without `]==]`.
func lua(_ text: String) -> String { "[==[" + text + "]==]" }

/// report.json, parsed.
struct Report {
  let json: [String: Any]

  init(path: String) throws {
    let data = try #require(FileManager.default.contents(atPath: path), "no report at \(path)")
    json = try #require(
      try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(path) is not a JSON object")
  }

  var timeline: [[String: Any]] { json["timeline"] as? [[String: Any]] ?? [] }
  var gaps: [[String: Any]] { json["gaps"] as? [[String: Any]] ?? [] }
  var series: [[String: Any]] { json["series"] as? [[String: Any]] ?? [] }
  var keyMoments: [String: Any] { json["key_moments"] as? [String: Any] ?? [:] }

  func events(_ kind: String) -> [[String: Any]] { timeline.filter { $0["kind"] as? String == kind } }

  /// The whole report without `pmhost.generated_at`, for replay comparisons.
  var withoutGeneratedAt: [String: Any] {
    var j = json
    if var p = j["pmhost"] as? [String: Any] {
      p["generated_at"] = nil
      j["pmhost"] = p
    }
    return j
  }
}

func time(of event: [String: Any]) -> Double? { (event["time"] as? String).flatMap(unixSeconds) }

/// Expects exactly one event of `kind` within ±tolerance of `expected`; returns it.
@discardableResult
func expectOne(
  _ report: Report, _ kind: String, at expected: Double, within tolerance: Double = 0,
  sourceLocation: SourceLocation = #_sourceLocation
) -> [String: Any]? {
  let found = report.events(kind)
  #expect(found.count == 1, "expected one \(kind) event, got \(found)", sourceLocation: sourceLocation)
  guard let event = found.first else { return nil }
  let t = time(of: event)
  #expect(
    t.map { abs($0 - expected) <= tolerance } == true,
    "\(kind) at \(event["time"] ?? "nil"), expected \(clock(expected)) ±\(Int(tolerance))s",
    sourceLocation: sourceLocation)
  return event
}

/// out/evidence/manifest.json: every entry's file exists under out/evidence with the
/// sha256 and byte count the entry claims; returns the entries.
func verifiedEvidence(out: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String:
  Any]]
{
  let evidence = out + "/evidence"
  let manifestPath = evidence + "/manifest.json"
  let data = try #require(
    FileManager.default.contents(atPath: manifestPath), "no \(manifestPath)", sourceLocation: sourceLocation)
  let parsed = try JSONSerialization.jsonObject(with: data)
  let entries = try #require(
    (parsed as? [[String: Any]]) ?? ((parsed as? [String: Any])?["entries"] as? [[String: Any]]),
    "manifest.json is neither a list of entries nor {entries: [...]}", sourceLocation: sourceLocation)
  #expect(!entries.isEmpty, "manifest.json lists no evidence", sourceLocation: sourceLocation)
  for entry in entries {
    #expect(
      (entry["fetched_at"] as? String).flatMap(unixSeconds) != nil,
      "fetched_at \(entry["fetched_at"] ?? "nil") is not RFC 3339: \(entry)", sourceLocation: sourceLocation)
    #expect(entry["plugin"] as? String != nil, "no plugin: \(entry)", sourceLocation: sourceLocation)
    // A request that got no response (refused, timeout) is recorded with its error, no file.
    if entry["file"] is NSNull, let error = entry["error"] as? String {
      #expect(
        !error.isEmpty && entry["sha256"] is NSNull && entry["bytes"] is NSNull, "\(entry)",
        sourceLocation: sourceLocation)
      continue
    }
    let file = try #require(
      entry["file"] as? String, "manifest entry without file: \(entry)", sourceLocation: sourceLocation)
    #expect(
      !file.hasPrefix("/") && !file.split(separator: "/").contains(".."), "file escapes evidence/: \(file)",
      sourceLocation: sourceLocation)
    let path = file.hasPrefix("evidence/") ? out + "/" + file : evidence + "/" + file
    let bytes = try #require(
      FileManager.default.contents(atPath: path), "evidence file \(path) missing",
      sourceLocation: sourceLocation)
    #expect(
      (entry["bytes"] as? NSNumber)?.intValue == bytes.count,
      "\(file): manifest says \(entry["bytes"] ?? "nil") bytes, the file has \(bytes.count)",
      sourceLocation: sourceLocation)
    let sha = try sha256(path)
    #expect(
      entry["sha256"] as? String == sha, "\(file): manifest sha256 \(entry["sha256"] ?? "nil"), file \(sha)",
      sourceLocation: sourceLocation)
  }
  return entries
}

/// The evidence entries of one plugin whose source names `url` (scheme, host and port).
func evidence(_ entries: [[String: Any]], plugin: String, url: String) -> [[String: Any]] {
  entries.filter { $0["plugin"] as? String == plugin && sourceText($0).contains(url) }
}

/// The URL an entry's source names (the source itself, or its `url`), parsed.
func sourceURL(_ entry: [String: Any]) -> URLComponents? {
  let text = (entry["source"] as? String) ?? ((entry["source"] as? [String: Any])?["url"] as? String)
  return text.flatMap { URLComponents(string: $0) }
}

/// The query parameters of an entry's URL, by name (the last value of repeated names).
func queryParameters(_ entry: [String: Any]) -> [String: String] {
  var params: [String: String] = [:]
  for item in sourceURL(entry)?.queryItems ?? [] { params[item.name] = item.value ?? "" }
  return params
}

/// An entry's source as text (a string, or an object such as {url, query}).
func sourceText(_ entry: [String: Any]) -> String {
  switch entry["source"] {
  case let s as String: return s
  case let o?:
    if let data = try? JSONSerialization.data(
      withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])
    {
      return String(decoding: data, as: UTF8.self)
    }
    return "\(o)"
  case nil: return ""
  }
}

/// The sha256 of a file, by coreutils (an implementation independent of pmhost's).
func sha256(_ path: String) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["sha256sum", "--", path]
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
}

/// Every file under `dir` whose bytes contain `needle`.
func files(under dir: String, containing needle: String) -> [String] {
  guard let walker = FileManager.default.enumerator(atPath: dir) else { return [] }
  var hits: [String] = []
  let pattern = Data(needle.utf8)
  while let rel = walker.nextObject() as? String {
    if let data = FileManager.default.contents(atPath: dir + "/" + rel), data.range(of: pattern) != nil {
      hits.append(rel)
    }
  }
  return hits
}
