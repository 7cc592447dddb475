import Foundation
import Testing

/// `http://user:password@host` in a pipeline: the request authenticates with it, and the
/// password appears nowhere pmhost prints or stores (stderr, report.json, the evidence
/// manifest, any file of the out folder), for answered, refused and 401 requests, and the
/// replay of them still matches.
@Suite(.serialized) struct URLCredentialTests {
  static let password = "hunter2-Pw9"
  static let queryToken = "qtok-77aa"

  static let collector = #"""
    return {
      api = 2, stage = "collect",
      options = { url = { type = "string" }, down = { type = "string" } },
      run = function(ctx, opts)
        local ok = ctx.http.get(opts.url .. "/text", { query = { access_token = "qtok-77aa", page = 2 } })
        ctx.log.info("answered " .. tostring(ok and ok.status) .. " from " .. tostring(ok and ok.url))
        ctx.http.get_json(opts.url .. "/unauthorized")
        ctx.http.get(opts.down .. "/x")
        ctx.log.warn("fetched " .. opts.url)
        print("printed " .. opts.url)
        ctx.gap("a gap naming " .. opts.down)
      end,
    }
    """#

  static let failing = #"""
    return {
      api = 2, stage = "analyze",
      options = { url = { type = "string" } },
      run = function(ctx, opts) error("cannot reach " .. opts.url) end,
    }
    """#

  /// Every file under `folder` whose bytes hold `needle`.
  static func files(under folder: String, holding needle: String) -> [String] {
    var found: [String] = []
    let enumerator = FileManager.default.enumerator(atPath: folder)
    while let name = enumerator?.nextObject() as? String {
      if let data = FileManager.default.contents(atPath: folder + "/" + name),
        data.range(of: Data(needle.utf8)) != nil
      {
        found.append(name)
      }
    }
    return found
  }

  @Test func thePasswordIsNeverPrintedOrStored() throws {
    let server = try HTTPTests.Server()
    defer { server.stop() }
    let url = "http://alice:\(Self.password)@127.0.0.1:\(server.port)/api"
    let down = "http://bob:\(Self.password)@127.0.0.1:\(try HTTPTests.closedPort())"
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("plugins/fetch.lua", Self.collector)
    try scratch.write("plugins/boom.lua", Self.failing)
    try scratch.write(
      "pipeline.lua",
      """
      return { incident = "incident.yaml", report = { "json", "markdown", "html" },
        collect = { { "fetch", url = "\(url)", down = "\(down)" } },
        analyze = { { "boom", url = "\(url)" } } }
      """)
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o1"], in: scratch.path)
    #expect(run.status == 1, "\(run.stderr)")
    let out = scratch.path + "/o1"
    // The requests were made, with the credentials: the server answered the first with 200.
    #expect(
      run.stderr.contains("answered 200 from http://alice:***@127.0.0.1:\(server.port)/api/text"),
      "\(run.stderr)")
    #expect(run.stderr.contains("access_token=***&page=2"), "\(run.stderr)")
    #expect(
      run.stderr.contains("GET http://alice:***@127.0.0.1:\(server.port)/api/unauthorized: HTTP 401"),
      "\(run.stderr)")
    #expect(run.stderr.contains("GET http://bob:***@127.0.0.1:"), "\(run.stderr)")
    #expect(run.stderr.contains("connection refused"), "\(run.stderr)")
    #expect(run.stderr.contains("cannot reach http://alice:***@127.0.0.1"), "\(run.stderr)")
    for secret in [Self.password, Self.queryToken] {
      #expect(!run.stderr.contains(secret), "stderr: \(run.stderr)")
      #expect(!run.stdout.contains(secret))
      #expect(Self.files(under: out, holding: secret) == [], "\(secret)")
    }
    let report = try EvidenceTests.json(out + "/report.json")
    let gaps = (report["gaps"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
    #expect(gaps.contains { $0.contains("/api/unauthorized: HTTP 401") }, "\(gaps)")
    #expect(gaps.contains { $0.contains("http://bob:***@") && $0.contains("connection refused") }, "\(gaps)")
    let evidence = report["evidence"] as? [[String: Any]] ?? []
    #expect(evidence.filter { $0["kind"] as? String == "http" }.count == 3)

    // A replay matches the recorded requests on their masked form and leaks nothing either.
    let replay = try PMHostProcess.run(
      ["run", "pipeline.lua", "--out", "o2", "--replay", "o1"], in: scratch.path)
    #expect(replay.status == 1, "\(replay.stderr)")
    #expect(!replay.stderr.contains("not in the replayed evidence"), "\(replay.stderr)")
    #expect(replay.stderr.contains("answered 200"), "\(replay.stderr)")
    for secret in [Self.password, Self.queryToken] {
      #expect(!replay.stderr.contains(secret))
      #expect(Self.files(under: scratch.path + "/o2", holding: secret) == [])
    }
  }
}
