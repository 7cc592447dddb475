import Foundation
import Testing

/// Bad input is bounded and named (issue 14, item 7): YAML alias bombs and deep nesting in
/// every YAML pmhost reads, times outside the years 0001 to 9999, and huge plugin error
/// messages, each run by the real binary.
@Suite struct BoundedInputTests {
  /// 9 levels of 9 aliases: 387 million strings when expanded (6.3 GB before the limit).
  static let bomb: String = {
    var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
    var previous = "a"
    for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
      lines.append(
        "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
      previous = name
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  static func timed(_ body: () throws -> PMHostProcess.Result) rethrows -> (PMHostProcess.Result, Double) {
    let started = Date()
    let result = try body()
    return (result, Date().timeIntervalSince(started))
  }

  @Test(arguments: [
    ("alias bomb", bomb, "incident.yaml:6: ", "more than 100000 nodes"),
    ("deep nesting", String(repeating: "[", count: 100_000), "incident.yaml:1: ", "256 levels deep"),
    (
      "many aliases", "a: &a x\nb: [" + Array(repeating: "*a", count: 20_000).joined(separator: ",") + "]\n",
      "incident.yaml:2: ", "more than 10000 aliases"
    ),
    (
      "long string aliased",
      "summary: &a " + String(repeating: "x", count: 100_000) + "\nlessons_learned: ["
        + Array(repeating: "*a", count: 10_000).joined(separator: ",") + "]\n",
      "incident.yaml:2: ", "more than 10000000 bytes"
    ),
  ])
  func incidentBombIsAConfigurationErrorInUnderTwoSeconds(
    _ name: String, _ yaml: String, _ place: String, _ limit: String
  ) throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", yaml)
    try dir.write("pipeline.lua", "return { collect = {}, report = { \"json\" } }\n")
    let (result, seconds) = try Self.timed { try PMHostProcess.run(["run", dir.path + "/pipeline.lua"]) }
    #expect(result.status == 2, "\(name): exit \(result.status): \(result.stderr)")
    #expect(result.stderr.contains(place), "\(name): \(result.stderr)")
    #expect(result.stderr.contains(limit) && result.stderr.contains("that is the limit"), "\(result.stderr)")
    #expect(seconds < 2, "\(name) took \(seconds) s")
  }

  /// A collector decoding a bomb with pm.yaml.decode gets a Lua error: the run records a
  /// gap naming the limit and goes on (no abort), and the other collectors' events arrive.
  @Test func pmYamlDecodeBombIsALuaError() throws {
    let attack = HostileTests.Attack(
      name: "yaml bomb",
      body: #"return pm.yaml.decode(ctx.fs.read("plugins/evil/bomb.yaml"), "plugins/evil/bomb.yaml")"#,
      expect: "plugins/evil/bomb.yaml: line 6: aliases expand to more than 100000 nodes",
      limits: "time_s = 10, memory_mb = 256", modules: ["bomb.yaml": Self.bomb])
    let deep = HostileTests.Attack(
      name: "yaml nesting",
      body: #"return pm.yaml.decode(string.rep("[", 100000))"#,
      expect: "256 levels deep", limits: "time_s = 10, memory_mb = 256")
    let layout = try HostileTests.layout([("evil", attack), ("deep", deep)])
    defer { layout.root.remove() }
    let started = Date()
    let outcome = try HostileTests.run(layout)
    HostileTests.verify(outcome, offenders: ["evil": attack.expect, "deep": deep.expect])
    #expect(outcome.exit == 0)
    #expect(Date().timeIntervalSince(started) < 10)
  }

  /// Values nested as deep as the decoders allow (255 YAML levels, 500 JSON levels) reach
  /// the plugin whole: pushing them into Lua wrote past the Lua stack (a crash, signal 11).
  @Test func deepDecodedValuesReachLua() throws {
    let walk = """
      local function depth(v) local n = 0 while type(v) == "table" do v, n = v.a or v[1], n + 1 end return n end

      """
    let yaml = HostileTests.Attack(
      name: "yaml 255 levels",
      body: walk
        + #"error("yaml depth " .. depth(pm.yaml.decode(string.rep("{a: ", 255) .. "1" .. string.rep("}", 255))))"#,
      expect: "yaml depth 255", limits: "time_s = 10, memory_mb = 256")
    let json = HostileTests.Attack(
      name: "json 500 levels",
      body: walk
        + #"error("json depth " .. depth(pm.json.decode(string.rep("[", 500) .. string.rep("]", 500))))"#,
      expect: "json depth 500", limits: "time_s = 10, memory_mb = 256")
    let layout = try HostileTests.layout([("deepyaml", yaml), ("deepjson", json)])
    defer { layout.root.remove() }
    let outcome = try HostileTests.run(layout)
    HostileTests.verify(outcome, offenders: ["deepyaml": yaml.expect, "deepjson": json.expect])
  }

  /// The five-whys answers file and the action-items file: the plugin fails cleanly,
  /// naming the file, the line and the limit; the report is still written.
  @Test(arguments: [
    (#"analyze = { { "five-whys", answers = "whys.yaml" } }"#, "five-whys", "whys.yaml"),
    (#"act = { { "action-items", file = "actions.yaml" } }"#, "action-items", "actions.yaml"),
  ])
  func answerFileBombFailsThatPlugin(_ stage: String, _ plugin: String, _ file: String) throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(file, Self.bomb)
    try dir.write(
      "pipeline.lua",
      "return { incident = \"incident.yaml\", out = \"out\", collect = {}, \(stage), report = { \"json\" } }\n"
    )
    let (result, seconds) = try Self.timed {
      try PMHostProcess.run(["run", dir.path + "/pipeline.lua", "--no-input"])
    }
    #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
    #expect(
      result.stderr.contains("plugin '\(plugin)' failed")
        && result.stderr.contains("\(file): line 6: aliases expand to more than 100000 nodes"),
      "\(result.stderr)")
    #expect(dir.read("out/report.json") != nil)
    #expect(seconds < 5, "took \(seconds) s")
  }

  /// `--answers FILE` (prompt answers) goes through the same reader.
  @Test func promptAnswersFileBombIsRefused() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write("answers.yaml", Self.bomb)
    try dir.write("pipeline.lua", "return { collect = {}, report = { \"json\" } }\n")
    let (result, seconds) = try Self.timed {
      try PMHostProcess.run(["run", dir.path + "/pipeline.lua", "--answers", dir.path + "/answers.yaml"])
    }
    #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
    #expect(
      result.stderr.contains("answers.yaml: line 6: aliases expand to more than 100000 nodes"),
      "\(result.stderr)")
    #expect(seconds < 2)
  }

  /// Log times in the year 10000 (9999-12-31 at -01:00, Unix seconds, a strptime format
  /// computed in Lua) and before the year 1 are skipped with a warning naming the line;
  /// the other lines are in the report, every output is written, and `pmhost validate`
  /// accepts the report.json.
  @Test func timesOutsideTheYears0001To9999AreSkippedWithAWarning() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write(
      "data/app.log",
      """
      2025-02-09T10:05:00Z first error
      9999-12-31T23:30:00-01:00 from the year 10000
      0000-06-01T00:00:00Z from the year 0
      2025-02-09T10:06:00Z second error

      """)
    try dir.write("data/unix.log", "1739095500 unix error\n253402300800 unix 10000\n-62135596801 unix 0\n")
    try dir.write(
      "data/epoch.log", "epoch 253402300800 late\nepoch 1739095560 epoch error\nepoch -99999999999 early\n")
    try dir.write(
      "pipeline.lua",
      """
      return {
        incident = "incident.yaml", out = "out",
        collect = {
          { "log-pattern", path = "data/app.log", pattern = "^(%S+) (.*)$", fields = { "time", "message" } },
          { "log-pattern", source = "unix", path = "data/unix.log", pattern = "^(%S+) (.*)$",
            fields = { "time", "message" }, time_format = "unix" },
          { "log-pattern", source = "epoch", path = "data/epoch.log", pattern = "^epoch (%S+) (.*)$",
            fields = { "time", "message" }, time_format = "%s" },
        },
        report = { "json", "markdown", "html" },
      }
      """)
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua", "--no-input"])
    #expect(result.status == 0 || result.status == 1, "exit \(result.status): \(result.stderr)")
    for file in ["report.json", "report.md", "report.html"] {
      #expect(dir.read("out/" + file) != nil, "\(file) missing: \(result.stderr)")
    }
    let json = dir.read("out/report.json") ?? ""
    for kept in ["first error", "second error", "unix error", "epoch error"] {
      #expect(json.contains(kept), "\(kept) missing")
    }
    #expect(!json.contains("10000-") && !json.contains("+10000"))
    let report = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    let warnings = ((report["warnings"] as? [[String: Any]]) ?? []).compactMap { $0["message"] as? String }
    for (file, line) in [("data/app.log", 2), ("data/unix.log", 2), ("data/epoch.log", 1)] {
      #expect(
        warnings.contains { $0.contains("\(file): 2 lines have unreadable times (first at line \(line)") },
        "\(file): \(warnings)")
    }
    #expect(warnings.contains { $0.contains("outside the years 0001 to 9999") }, "\(warnings)")
    let validate = try PMHostProcess.run(["validate", dir.path + "/out/report.json"])
    #expect(validate.status == 0 || validate.status == 1, "validate: \(validate.status) \(validate.stderr)")
  }

  /// An incident time outside the years 0001 to 9999 is a configuration error naming the
  /// file, line and field.
  @Test(arguments: [
    ("started_at: 0000-12-31T23:00:00Z", "incident.yaml:3: started_at: "),
    ("ended_at: 9999-12-31T23:30:00-01:00", "incident.yaml:4: ended_at: "),
    ("ended_at: 253402300800", "incident.yaml:4: ended_at: "),
  ])
  func incidentTimesOutsideTheYears0001To9999AreRefused(_ line: String, _ place: String) throws {
    let dir = try Scratch()
    defer { dir.remove() }
    var lines = ["id: X", "title: T", "started_at: 2025-02-09T10:00:00Z", "ended_at: 2025-02-09T11:00:00Z"]
    lines[line.hasPrefix("started_at") ? 2 : 3] = line
    try dir.write("incident.yaml", lines.joined(separator: "\n") + "\n")
    try dir.write("pipeline.lua", "return { collect = {}, report = { \"json\" } }\n")
    let result = try PMHostProcess.run(["run", dir.path + "/pipeline.lua"])
    #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
    #expect(result.stderr.contains(place) && result.stderr.contains("0001"), "\(result.stderr)")
  }

  /// A plugin raising a 100 MB error: report.json is written, the gap's reason is at most
  /// 4 KiB, and the run ends as for any collector failure (exit 0, a gap).
  /// An error object's `__tostring` is the plugin's code: it runs under the plugin's
  /// memory limit when pmhost turns the error into a message. Before, it ran with no limit
  /// (a __tostring allocating in a loop under memory_mb = 128 grew past 9 GB); here it holds
  /// 1 GB before it answers, and is stopped at 64 MB.
  @Test func errorObjectToStringRunsUnderTheMemoryLimit() throws {
    let attack = HostileTests.Attack(
      name: "__tostring allocates",
      body: """
        error(setmetatable({}, { __tostring = function()
          local t = {}
          for i = 1, 1000000 do t[i] = string.rep("x", 1000) .. i end
          return "held " .. #t
        end }))
        """,
      expect: "memory limit of 64 MB exceeded", limits: "time_s = 60, memory_mb = 64")
    let layout = try HostileTests.layout([("evil", attack)])
    defer { layout.root.remove() }
    let started = Date()
    let outcome = try HostileTests.run(layout)
    HostileTests.verify(outcome, offenders: ["evil": attack.expect])
    #expect(!outcome.stderr.contains("held 1000000"), "\(outcome.stderr.prefix(2000))")
    #expect(Date().timeIntervalSince(started) < 30)
  }

  @Test func hugeErrorMessagesAreCapped() throws {
    let attack = HostileTests.Attack(
      name: "100 MB error", body: #"error(string.rep("x", 100 * 1024 * 1024))"#, expect: "bytes more)",
      limits: "time_s = 30, memory_mb = 512")
    let warn = HostileTests.Attack(
      name: "10 MB warnings and gaps",
      body: #"local s = string.rep("w", 10 * 1024 * 1024) ctx.log.warn(s) ctx.gap(s) ctx.log.info(s)"#,
      expect: "bytes more)", limits: "time_s = 30, memory_mb = 512, output_mb = 64")
    let layout = try HostileTests.layout([("evil", attack), ("noisy", warn)])
    defer { layout.root.remove() }
    let outcome = try HostileTests.run(layout)
    HostileTests.verify(outcome, offenders: ["evil": attack.expect, "noisy": warn.expect])
    #expect(outcome.exit == 0, "\(outcome.stderr.prefix(2000))")
    let gaps = (outcome.report["gaps"] as? [[String: Any]]) ?? []
    let warnings = (outcome.report["warnings"] as? [[String: Any]]) ?? []
    #expect(gaps.count >= 2)
    for gap in gaps { #expect((gap["reason"] as? String ?? "").utf8.count <= 4096) }
    for warning in warnings { #expect((warning["message"] as? String ?? "").utf8.count <= 4096) }
    #expect(outcome.stderr.utf8.count < 64 * 1024, "stderr is \(outcome.stderr.utf8.count) bytes")
  }
}
