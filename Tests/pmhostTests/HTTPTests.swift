import Foundation
import Testing

/// `ctx.http` against a real HTTP server on 127.0.0.1 (Fixtures/http_server.py), and the
/// replay of what it answered.
@Suite(.serialized) struct HTTPTests {
  /// The loopback server: started on a free port, killed by `stop()`.
  final class Server {
    let process = Process()
    let port: Int

    init(script: String = "http_server.py", arguments: [String] = []) throws {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments =
        ["python3", PMHostProcess.packageRoot + "/Tests/pmhostTests/Fixtures/" + script] + arguments
      let out = Pipe()
      process.standardOutput = out
      try process.run()
      var line = Data()
      while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8)
      {
        line.append(byte)
      }
      port = try #require(Int(String(decoding: line, as: UTF8.self)), "the test server did not start")
    }

    var url: String { "http://127.0.0.1:\(port)/api" }

    /// SIGKILL: a child of the test runner may start with SIGTERM blocked.
    func stop() {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// A free port with nothing listening (bound, then closed).
  static func closedPort() throws -> Int {
    let server = try Server()
    server.stop()
    return server.port
  }

  /// A track plugin that makes the calls and writes what came back to results.json.
  static let plugin = #"""
    return {
      api = 2, stage = "track",
      options = { url = { type = "string" }, down = { type = "string" }, token_env = { type = "string" } },
      run = function(ctx, opts)
        local r = {}
        local v, res = ctx.http.get_json(opts.url .. "/json", {
          query = { step = 15, query = 'sum(rate(x{status=~"5.."}[1m]))', start = "2025-02-09T10:00:00Z" },
          headers = { Authorization = "Token token=" .. (ctx.env(opts.token_env) or "none") } })
        r.json_ok = v.ok
        r.query = v.query
        r.auth = v.auth
        r.status = res.status
        r.content_type = res.headers["content-type"]
        local t = ctx.http.get(opts.url .. "/text")
        r.text_len = #t.body
        r.text_last = t.body:byte(-1)
        local _, missing = ctx.http.get_json(opts.url .. "/missing")
        r.missing = missing
        local _, bad = ctx.http.get_json(opts.url .. "/bad-json")
        r.bad = bad
        local redirect = ctx.http.get(opts.url .. "/redirect")
        r.redirect = redirect.status
        local _, refused = ctx.http.get(opts.down .. "/x", { gap = false })
        r.refused = refused
        local _, slow = ctx.http.get(opts.url .. "/slow", { timeout_s = 1 })
        r.slow = slow
        local posted = ctx.http.post_json(opts.url .. "/echo", { json = { hello = "world" } })
        r.posted = posted.received
        r.posted_type = posted.content_type
        local deleted = ctx.http.delete(opts.url .. "/pit", { json = { id = "p1" } })
        r.deleted = pm.json.decode(deleted.body)
        r.not_named = select(2, pcall(ctx.http.get, "http://127.0.0.2:1/api/json"))
        r.outside_path = select(2, pcall(ctx.http.get, (opts.url:gsub("/api$", "/other"))))
        r.secret = select(2, pcall(ctx.env, "HOME"))
        ctx.report.write("results.json", pm.json.encode(r))
      end,
    }
    """#

  @Test func requestsResponsesFailuresAndReplay() throws {
    let server = try Server()
    var stopped = false
    defer { if !stopped { server.stop() } }
    let down = "http://127.0.0.1:\(try Self.closedPort())"
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("plugins/fetch.lua", Self.plugin)
    try scratch.write(
      "pipeline.lua",
      """
      return { incident = "incident.yaml", report = { "json" },
        track = { { "fetch", url = "\(server.url)", down = "\(down)", token_env = "PMHOST_TEST_TOKEN" } } }
      """)
    setenv("PMHOST_TEST_TOKEN", "s3cret", 1)
    defer { unsetenv("PMHOST_TEST_TOKEN") }
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o1"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    let results = try EvidenceTests.json(scratch.path + "/o1/results.json")
    #expect(results["json_ok"] as? Bool == true)
    // Query names sorted, values URL-encoded (`+`, `=`, `{` survive the trip).
    let query = try #require(results["query"] as? [[String]])
    #expect(
      query == [
        ["query", #"sum(rate(x{status=~"5.."}[1m]))"#], ["start", "2025-02-09T10:00:00Z"], ["step", "15"],
      ])
    #expect(results["auth"] as? String == "Token token=s3cret")
    #expect(results["status"] as? Int == 200)
    #expect(results["content_type"] as? String == "application/json")
    #expect(results["text_len"] as? Int == 12)
    #expect(results["text_last"] as? Int == 255)
    let missing = try #require(results["missing"] as? String)
    #expect(missing.hasPrefix("GET \(server.url)/missing: HTTP 404: {\"status\": \"error\""), "\(missing)")
    #expect((results["bad"] as? String)?.contains("/bad-json: invalid JSON at line 1") == true, "\(results)")
    #expect(results["redirect"] as? Int == 302)
    #expect(results["refused"] as? String == "GET \(down)/x: connection refused")
    #expect((results["slow"] as? String)?.contains("timed out") == true, "\(results)")
    #expect(results["posted"] as? String == #"{"hello":"world"}"#)
    #expect(results["posted_type"] as? String == "application/json")
    let deleted = try #require(results["deleted"] as? [String: Any])
    #expect(deleted["method"] as? String == "DELETE" && deleted["path"] as? String == "/api/pit")
    #expect(deleted["received"] as? String == #"{"id":"p1"}"#)
    #expect(
      (results["not_named"] as? String)?.contains(
        "may not fetch http://127.0.0.2:1/api/json: only URLs the pipeline names") == true, "\(results)")
    #expect((results["outside_path"] as? String)?.contains("may not fetch") == true)
    #expect((results["secret"] as? String)?.contains("may read only the environment variables") == true)

    // Failures became gaps naming the URL and the reason; `gap = false` made none.
    let report = try EvidenceTests.json(scratch.path + "/o1/report.json")
    let reasons = try #require(report["gaps"] as? [[String: Any]]).compactMap { $0["reason"] as? String }
    #expect(reasons.count == 3, "\(reasons)")
    #expect(reasons.contains { $0.hasPrefix("GET \(server.url)/missing: HTTP 404") })
    #expect(reasons.contains { $0.contains("/bad-json: invalid JSON") })
    #expect(reasons.contains { $0.contains("/slow: timed out") })

    // Each exchange is evidence; the token is not.
    let manifestText = try #require(scratch.read("o1/evidence/manifest.json"))
    #expect(!manifestText.contains("s3cret"))
    let manifest = try EvidenceTests.json(scratch.path + "/o1/evidence/manifest.json")
    let http = try #require(manifest["entries"] as? [[String: Any]]).filter {
      $0["kind"] as? String == "http"
    }
    #expect(http.count == 9)
    let refusedEntry = http.first { ($0["source"] as? [String: Any])?["url"] as? String == "\(down)/x" }
    #expect(refusedEntry?["error"] as? String == "connection refused")
    for entry in http {
      guard let file = entry["file"] as? String else { continue }
      let saved = scratch.path + "/o1/evidence/" + file
      #expect(try EvidenceTests.sha256sum(saved) == entry["sha256"] as? String)
    }

    // With the server gone, the replay answers every request from the evidence.
    server.stop()
    stopped = true
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--out", "o2", "--replay", "o1"], in: scratch.path)
    #expect(replay.status == 0, "\(replay.stderr)")
    #expect(scratch.read("o1/results.json") == scratch.read("o2/results.json"))
    #expect(
      try EvidenceTests.comparable(scratch.path + "/o1/report.json")
        == EvidenceTests.comparable(scratch.path + "/o2/report.json"))
  }

  @Test func httpIsRefusedOutsideCollectAndTrack() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/peek.lua",
      #"return { api = 2, stage = "analyze", options = { url = { type = "string" } }, run = function(ctx, o) ctx.http.get(o.url) end }"#
    )
    try scratch.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", analyze = { { "peek", url = "http://127.0.0.1:9/" } } }"#)
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: scratch.path)
    #expect(run.status == 1)
    #expect(run.stderr.contains("ctx.http.get cannot be called in stage analyze (only in: collect, track)"))
  }
}
