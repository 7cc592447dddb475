import Foundation
import Testing

/// The otlp-traces collector on files too large for the repository (issue 19, deliverable
/// 5): 200,000 spans streamed within a memory limit smaller than the file, and a batch
/// longer than the 1 MiB `ctx.fs.lines` keeps of a line. The spec
/// (plugins/collect/otlp-traces/otlp-traces_spec.lua) checks the rest on small fixtures.
@Suite struct OTLPTracesTests {
  /// 2025-02-09T10:00:00Z in nanoseconds.
  static let start: Int64 = 1_739_095_200 * 1_000_000_000

  /// One file-exporter line (an ExportTraceServiceRequest) of `count` spans from span
  /// `first` on, one every `step` ns from `start`; every `errorEvery`-th span failed.
  static func batch(service: String, first: Int, count: Int, step: Int64, errorEvery: Int) -> String {
    var spans: [String] = []
    spans.reserveCapacity(count)
    for i in first..<(first + count) {
      let begin = start + Int64(i) * step
      let failed = i % errorEvery == 0
      let end = begin + Int64(5 + (i * 7919) % 895) * 1_000_000
      let status = failed ? #"{"code":2,"message":"upstream timed out"}"# : "{}"
      spans.append(
        #"{"traceId":"\#(String(format: "%032x", i / 4 + 1))","spanId":"\#(String(format: "%016x", i + 1))","#
          + #""parentSpanId":"","name":"POST /orders","kind":2,"startTimeUnixNano":"\#(begin)","#
          + #""endTimeUnixNano":"\#(end)","attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},"#
          + #"{"key":"http.response.status_code","value":{"intValue":"\#(failed ? 503 : 200)"}}],"#
          + #""status":\#(status)}"#)
    }
    return #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":""#
      + service + #""}}]},"scopeSpans":[{"scope":{"name":"test"},"spans":["# + spans.joined(separator: ",")
      + "]}]}]}"
  }

  static func pipeline(limits: String) -> String {
    """
    return {
      incident = "incident.yaml", out = "out",
      collect = { { "otlp-traces", path = "traces.json", limits = { \(limits) } } },
      report = { "json" },
    }

    """
  }

  struct Report: Decodable {
    struct Event: Decodable {
      var event: String
      var evidence: [String]
    }
    struct Gap: Decodable { var reason: String }
    struct Warning: Decodable { var message: String }
    var timeline: [Event]
    var gaps: [Gap]
    var warnings: [Warning]
  }

  static func report(_ dir: Scratch) throws -> Report {
    let data = try #require(dir.read("out/report.json"))
    return try JSONDecoder().decode(Report.self, from: Data(data.utf8))
  }

  /// 60,000 spans on 600 lines (22 MB): more than the plugin's 16 MB memory limit, so only
  /// a collector that streams the file can read it. Every 100th span failed: 600 events,
  /// all in the incident's hour. (scripts/gen-otlp makes bigger files by hand.)
  @Test func sixtyThousandSpansStreamWithinTheMemoryLimit() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    let spans = 60_000
    let perLine = 100
    var text = ""
    text.reserveCapacity(24_000_000)
    for line in 0..<(spans / perLine) {
      text += Self.batch(
        service: "svc-\(line % 5)", first: line * perLine, count: perLine, step: 18_000_000, errorEvery: 100)
      text += "\n"
    }
    try dir.write("traces.json", text)
    let size = text.utf8.count
    #expect(size > 16 * 1_048_576, "the file (\(size) bytes) must not fit the memory limit")
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write("pipeline.lua", Self.pipeline(limits: "memory_mb = 16, time_s = 300"))
    let started = Date()
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    let seconds = Date().timeIntervalSince(started)
    #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
    let report = try Self.report(dir)
    #expect(report.timeline.count == 600)
    #expect(report.gaps.isEmpty, "\(report.gaps)")
    #expect(report.warnings.isEmpty, "\(report.warnings)")
    #expect(report.timeline.first?.event == "svc-0 POST /orders failed: upstream timed out (5 ms)")
    #expect(report.timeline.last?.evidence == ["traces.json:600"])
    print("otlp-traces: 60,000 spans, \(size / 1_048_576) MB, read in \(String(format: "%.1f", seconds)) s")
  }

  /// A batch past 1 MiB: ctx.fs.lines keeps its first MiB; the whole spans in it are read,
  /// a gap names the line whose rest was not, and the lines after it are read.
  @Test func aBatchLongerThanOneMebibyteIsReadToTheCutAndAGap() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    let long = Self.batch(service: "big", first: 100, count: 4_000, step: 100_000_000, errorEvery: 10)
    #expect(long.utf8.count > 1_048_576)
    let text =
      [
        Self.batch(service: "before", first: 0, count: 100, step: 100_000_000, errorEvery: 10), long,
        Self.batch(service: "after", first: 5_000, count: 100, step: 100_000_000, errorEvery: 10),
      ].joined(separator: "\n") + "\n"
    try dir.write("traces.json", text)
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write("pipeline.lua", Self.pipeline(limits: "memory_mb = 64"))
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
    let report = try Self.report(dir)
    // The failed spans of the long line whose text ends within its first MiB.
    let prefix = String(decoding: long.utf8.prefix(1_048_576), as: UTF8.self)
    let failedInPrefix = prefix.components(separatedBy: #""message":"upstream timed out"}}"#).count - 1
    let big = report.timeline.filter { $0.evidence == ["traces.json:2"] }.count
    #expect(
      big > 0 && big == failedInPrefix, "\(big) events from line 2, \(failedInPrefix) failed spans whole")
    #expect(report.timeline.filter { $0.evidence == ["traces.json:1"] }.count == 10)
    #expect(report.timeline.filter { $0.evidence == ["traces.json:3"] }.count == 10)
    #expect(report.gaps.count == 1)
    let gap = report.gaps.first?.reason ?? ""
    #expect(gap.contains("traces.json: 1 batch(es) longer than 1 MiB (line 2) cut by the reader"), "\(gap)")
    #expect(
      report.warnings.contains { $0.message.contains("1 line longer than 1 MiB") }, "\(report.warnings)")
  }
}
