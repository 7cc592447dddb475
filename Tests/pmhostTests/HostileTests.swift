import Foundation
import Testing

/// Hostile plugins run by the real `pmhost` binary beside a well-behaved collector: each
/// must be stopped or refused with its name and the rule in the gaps or on stderr, the
/// run must end with exit 0 or 1 (never a signal), the good collector's events must reach
/// report.json, and nothing outside the out folder may be written or leak out.
@Suite struct HostileTests {
  /// One attack: the body of the hostile plugin's `run(ctx, opts)` and what the refusal says.
  struct Attack: CustomTestStringConvertible, Sendable {
    var name: String
    var body: String
    var expect: String
    var stage = "collect"
    var limits = "time_s = 1, memory_mb = 64, output_mb = 2"
    /// Extra files of the hostile plugin's folder.
    var modules: [String: String] = [:]
    var testDescription: String { name }
  }

  static let secret = "TOPSECRET-7f3a"
  /// Memory attacks get time enough to reach the memory limit on a loaded machine.
  static let memoryOnly = "time_s = 60, memory_mb = 64"
  /// Output attacks too: the time limit is checked after every host call, and a debug
  /// build takes over a second to escape 32 prints of 64 KB.
  static let outputOnly = "time_s = 60, memory_mb = 64, output_mb = 2"

  static let attacks: [Attack] = [
    Attack(name: "plain loop", body: "while true do end", expect: "time limit of 1 s exceeded"),
    Attack(
      name: "loop inside pcall", body: "while true do pcall(function() while true do end end) end",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "loop inside a coroutine",
      body:
        "local co = coroutine.create(function() while true do end end) print(coroutine.resume(co)) while true do end",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "coroutine.wrap loop swallowed by pcall",
      body: "while true do pcall(coroutine.wrap(function() while true do end end)) end",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "loop in an xpcall handler",
      body: "while true do xpcall(function() error('x') end, function() while true do end end) end",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "loop in __index",
      body: "local t = setmetatable({}, { __index = function() while true do end end }) return t.x",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "loop in __gc",
      body: "setmetatable({}, { __gc = function() while true do end end }) collectgarbage()",
      expect: "__gc metamethods are not allowed"),
    Attack(
      name: "__gc added after setmetatable",
      body: "local mt = {} setmetatable({}, mt) mt.__gc = function() while true do end end "
        + "for i = 1, 10 do collectgarbage() end error('no finalizer ran')",
      expect: "no finalizer ran"),
    Attack(
      name: "loop in __close",
      body: "do local x <close> = setmetatable({}, { __close = function() while true do end end }) end",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "backtracking pattern (one C call)",
      body: #"local s = string.rep("a", 100000) return s:find(string.rep("a*", 12) .. "b")"#,
      expect: "exceeded inside the C library function string.find"),
    Attack(
      name: "table.move over 1e14 slots (one C call)", body: "table.move({}, 1, 1e14, 2)",
      expect: "exceeded inside the C library function table.move"),
    Attack(
      name: "string.rep bomb", body: "local s = string.rep('x', 1 << 30) return #s",
      expect: "memory limit of 64 MB exceeded", limits: memoryOnly),
    Attack(
      name: "concatenation bomb", body: "local s = 'x' while true do s = s .. s end",
      expect: "memory limit of 64 MB exceeded", limits: memoryOnly),
    Attack(
      name: "table growth", body: "local t = {} for i = 1, 1e9 do t[i] = { i } end",
      expect: "memory limit of 64 MB exceeded", limits: memoryOnly),
    Attack(
      name: "memory bomb in a coroutine swallowed by pcall",
      body:
        "while true do pcall(coroutine.wrap(function() local t = {} while true do t[#t + 1] = ('x'):rep(1e5) .. #t end end)) end",
      expect: "memory limit of 64 MB exceeded", limits: memoryOnly),
    Attack(
      name: "deep Lua recursion", body: "local function f(n) return 1 + f(n + 1) end return f(1)",
      // Growing the stack to Lua's million slots can take more than 1 s on a loaded machine:
      // time enough that the stack limit, not the time limit, is what stops it.
      expect: "stack overflow", limits: memoryOnly),
    Attack(
      name: "C stack: gsub callbacks",
      body: #"local function f(s) return (s:gsub(".", f)) end return f("ab")"#,
      expect: "stack overflow"),
    Attack(
      name: "C stack: table.sort comparators",
      body:
        "local function cmp(a, b) table.sort({ 3, 2, 1 }, cmp) return a < b end table.sort({ 3, 2, 1 }, cmp)",
      expect: "stack overflow"),
    Attack(
      name: "C stack: require recursion", body: #"require "loop""#, expect: "stack overflow",
      modules: ["loop.lua": #"require "loop""#]),
    Attack(
      name: "binary chunk",
      body: #"assert(load("\27Lua\84\0\25\147\13\10\26\10\4\8\8\120\86\0\0\0\0\0\0\0\0\0\0\0\40\119\64\1"))"#,
      expect: "binary chunks are not allowed"),
    Attack(
      name: "load with mode b", body: #"assert(load("return 1", "x", "b"))"#,
      expect: "binary chunks are not allowed"),
    Attack(
      name: "load with a reader function",
      body:
        #"local done assert(load(function() if done then return nil end done = true return "\27Lua" end))"#,
      expect: "only source text is accepted"),
    Attack(name: "string.dump", body: "return string.dump(function() end)", expect: "field 'dump'"),
    Attack(name: "os.execute", body: #"os.execute("touch /tmp/pmhost-pwned")"#, expect: "field 'execute'"),
    Attack(name: "os.getenv", body: #"return os.getenv("HOME")"#, expect: "field 'getenv'"),
    Attack(name: "io.popen", body: #"io.popen("id")"#, expect: "global 'io'"),
    Attack(name: "io.open", body: #"io.open("/etc/passwd")"#, expect: "global 'io'"),
    Attack(name: "debug", body: "debug.sethook()", expect: "global 'debug'"),
    Attack(
      name: "package.loadlib", body: #"package.loadlib("libc.so.6", "system")"#, expect: "global 'package'"),
    Attack(
      name: "require with ..", body: #"require "../../secret""#,
      expect: "a module name is a file of this plugin's folder"),
    Attack(
      name: "read through ..", body: #"return ctx.fs.read("../secret.txt")"#,
      expect: "outside the pipeline folder"),
    Attack(
      name: "read an absolute path", body: #"return ctx.fs.read("/etc/passwd")"#,
      expect: "outside the pipeline folder"),
    Attack(
      name: "read through a symbolic link", body: #"return ctx.fs.read("data/link")"#,
      expect: "outside the pipeline folder"),
    Attack(
      name: "lines through a linked folder",
      body: #"for _, l in ctx.fs.lines("data/up/secret.txt") do error(l) end"#,
      expect: "outside the pipeline folder"),
    Attack(
      name: "list outside", body: #"return ctx.fs.list("..")"#, expect: "outside the pipeline folder"),
    Attack(
      name: "write outside the out folder", body: #"ctx.report.write("../../escape.txt", "x")"#,
      expect: "plugins may write only inside the out folder", stage: "report"),
    // A link in the out folder can no longer meet a plugin's write: plugins write into a
    // build folder pmhost made for the run (issue 14); FileAccessTests checks the rule itself.
    Attack(
      name: "HTTP to an unlisted host", body: #"ctx.http.get("http://127.0.0.1:9/x")"#,
      expect: "may not fetch http://127.0.0.1:9/x"),
    Attack(
      name: "environment variable not named", body: #"return ctx.env("HOME")"#,
      expect: "may read only the environment variables"),
    Attack(
      name: "error object whose __tostring errors",
      body: "error(setmetatable({}, { __tostring = function() error('boom') end }))",
      expect: "(error object is a table value)"),
    Attack(
      name: "error object whose __tostring loops",
      body: "error(setmetatable({}, { __tostring = function() while true do end end }))",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "yield across a host call (require)",
      body: #"coroutine.wrap(function() require "yielder" end)()"#,
      expect: "attempt to yield across a C-call boundary",
      modules: ["yielder.lua": "coroutine.yield(1)"]),
    Attack(
      name: "yield from a table.sort comparator",
      body:
        "coroutine.wrap(function() table.sort({ 3, 2, 1 }, function(a, b) coroutine.yield() return a < b end) end)()",
      expect: "attempt to yield across a C-call boundary"),
    Attack(
      name: "yield out of the host's call into run", body: "coroutine.yield(1)",
      expect: "attempt to yield from outside a coroutine"),
    Attack(
      name: "huge log output", body: "while true do ctx.log.info(string.rep('x', 1 << 16)) end",
      expect: "output limit of 2 MB exceeded", limits: outputOnly),
    Attack(
      name: "huge print output swallowed by pcall",
      body: "while true do pcall(print, string.rep('x', 1 << 16)) end",
      expect: "output limit of 2 MB exceeded", limits: outputOnly),
    Attack(
      name: "tampering with pm and the string metatable",
      body: """
        pm.json = nil pm.time = nil
        getmetatable("").__index = function() error("tampered strings") end
        string.match = nil
        return ("x"):match("x")
        """, expect: "tampered strings"),
    Attack(
      name: "_G and _ENV games",
      body: "setmetatable(_G, { __index = function() while true do end end }) return not_defined",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "collectgarbage stop", body: #"collectgarbage("stop")"#,
      expect: #"collectgarbage("stop") is not allowed"#),
    Attack(
      name: "collectgarbage tuning", body: #"collectgarbage("setpause", 1000)"#, expect: "is not allowed"),
    Attack(
      name: "collectgarbage in a loop",
      body: "local t = {} for i = 1, 1e4 do t[i] = {} end while true do collectgarbage() end",
      expect: "time limit of 1 s exceeded"),
    Attack(
      name: "nesting too deep for the host",
      body:
        #"local t = {} local c = t for i = 1, 1e5 do c.x = {} c = c.x end ctx.timeline.add { time = "2025-02-09T10:00:00Z", event = "e", kind = "note", extra = t }"#,
      expect: "nesting deeper than 200"),
    Attack(
      name: "a table that contains itself", body: "local t = {} t.t = t return pm.json.encode(t)",
      expect: "contains itself"),
  ]

  /// The well-behaved collector: reads its log and adds one event per line, using `pm`
  /// and string methods (which a plugin before it may have tampered with in its own state).
  static let good = """
    return {
      api = 2, stage = "collect",
      run = function(ctx, opts)
        for _, line in ctx.fs.lines("data/app.log") do
          local ts, msg = line:match("^(%S+) (.*)$")
          if ts then
            ctx.timeline.add { time = ts, event = msg .. " " .. pm.json.encode({ #msg }), kind = "error" }
          end
        end
      end,
    }
    """

  struct Layout {
    let root: Scratch
    var pipeline: String { root.path + "/pipe" }
    var out: String { pipeline + "/out" }
  }

  /// root/secret.txt (outside), root/pipe/{pipeline.lua, incident.yaml, data/app.log,
  /// data/link -> ../../secret.txt, data/up -> ../.., plugins/good.lua, plugins/evil/}.
  static func layout(_ attacks: [(name: String, attack: Attack)]) throws -> Layout {
    let root = try Scratch()
    let layout = Layout(root: root)
    try root.write("secret.txt", secret + "\n")
    try root.write("pipe/incident.yaml", Scratch.incident)
    try root.write(
      "pipe/data/app.log", "2025-02-09T10:05:00Z first error\n2025-02-09T10:06:00Z second error\n")
    try root.write("pipe/plugins/good.lua", good)
    let fm = FileManager.default
    try fm.createSymbolicLink(atPath: layout.pipeline + "/data/link", withDestinationPath: "../../secret.txt")
    try fm.createSymbolicLink(atPath: layout.pipeline + "/data/up", withDestinationPath: "../..")
    var collect = [#""good""#]
    var report: [String] = []
    for (name, attack) in attacks {
      let plugin = """
        return {
          api = 2, stage = "\(attack.stage)",
          run = function(ctx, opts)
        \(attack.body)
          end,
        }
        """
      try root.write("pipe/plugins/\(name)/init.lua", plugin)
      for (file, text) in attack.modules { try root.write("pipe/plugins/\(name)/\(file)", text) }
      let reference = #"{ "\#(name)", limits = { \#(attack.limits) } }"#
      if attack.stage == "report" { report.append(reference) } else { collect.append(reference) }
    }
    collect.append(#"{ "good", source = "after" }"#)
    report.append(#""json""#)
    try root.write(
      "pipe/pipeline.lua",
      """
      return {
        incident = "incident.yaml",
        out = "out",
        collect = { \(collect.joined(separator: ", ")) },
        report = { \(report.joined(separator: ", ")) },
      }
      """)
    return layout
  }

  /// Every file and link outside the out folder, with its size and modification time.
  static func snapshot(_ root: String, skipping out: String) -> [String: String] {
    var result: [String: String] = [:]
    let fm = FileManager.default
    guard let walker = fm.enumerator(atPath: root) else { return result }
    while let relative = walker.nextObject() as? String {
      let path = root + "/" + relative
      if path == out || path.hasPrefix(out + "/") { continue }
      var info = stat()
      guard lstat(path, &info) == 0 else { continue }
      // A folder's time changes when a run makes and removes its build folder beside the out
      // folder (issue 14): folders are compared by their entries, files by size and time.
      if (info.st_mode & S_IFMT) == S_IFDIR {
        result[relative] = "folder \(info.st_mode)"
        continue
      }
      result[relative] = "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_mode)"
    }
    return result
  }

  struct Outcome {
    var exit: Int32
    var signaled: Bool
    var stderr: String
    var report: [String: Any]
    var outText: String
  }

  /// Runs `pmhost run` on the layout with a hard timeout, and reads what it left.
  static func run(_ layout: Layout, timeout: Double = 60) throws -> Outcome {
    let before = snapshot(layout.root.path, skipping: layout.out)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: PMHostProcess.binary)
    process.arguments = ["run", layout.pipeline + "/pipeline.lua", "--no-input"]
    process.currentDirectoryURL = URL(fileURLWithPath: layout.root.path)
    // The archive outside the layout, whose every file must stay as it was.
    let data = NSTemporaryDirectory() + "pmhost-hostile-data-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: data) }
    var environment = PMHostProcess.environment(home: layout.root.path + "/home")
    environment["XDG_DATA_HOME"] = data
    process.environment = environment
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let timer = DispatchSource.makeTimerSource()
    timer.schedule(deadline: .now() + timeout)
    let pid = process.processIdentifier
    timer.setEventHandler { kill(pid, SIGKILL) }
    timer.resume()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    timer.cancel()
    let after = snapshot(layout.root.path, skipping: layout.out)
    #expect(before == after, "files outside the out folder changed")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/pmhost-pwned"))
    var outText = ""
    if let walker = FileManager.default.enumerator(atPath: layout.out) {
      while let relative = walker.nextObject() as? String {
        if let data = FileManager.default.contents(atPath: layout.out + "/" + relative) {
          outText += String(decoding: data, as: UTF8.self)
        }
      }
    }
    let reportData = FileManager.default.contents(atPath: layout.out + "/report.json") ?? Data()
    let report = (try? JSONSerialization.jsonObject(with: reportData)) as? [String: Any] ?? [:]
    return Outcome(
      exit: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
      stderr: String(decoding: errData, as: UTF8.self), report: report, outText: outText)
  }

  /// The checks every hostile run must pass; `offenders` maps plugin names to the rule.
  static func verify(_ outcome: Outcome, offenders: [String: String]) {
    #expect(!outcome.signaled, "pmhost died of a signal: \(outcome.stderr)")
    #expect(outcome.exit == 0 || outcome.exit == 1, "exit \(outcome.exit): \(outcome.stderr)")
    let events = (outcome.report["timeline"] as? [[String: Any]]) ?? []
    let sources = events.compactMap { $0["source"] as? String }
    #expect(sources.filter { $0 == "good" }.count == 2, "good collector's events: \(sources)")
    #expect(sources.filter { $0 == "after" }.count == 2, "the collector after the hostile ones: \(sources)")
    #expect(events.contains { ($0["event"] as? String) == "first error [11]" })
    let gaps = (outcome.report["gaps"] as? [[String: Any]]) ?? []
    for (plugin, rule) in offenders {
      let named =
        gaps.contains {
          ($0["plugin"] as? String) == plugin && (($0["reason"] as? String) ?? "").contains(rule)
        }
        || outcome.stderr.split(separator: "\n").contains { $0.contains("'\(plugin)'") && $0.contains(rule) }
      #expect(
        named, "\(plugin) not named with '\(rule)': gaps \(gaps), stderr \(outcome.stderr.prefix(3000))")
    }
    #expect(!outcome.outText.contains(secret), "the secret reached the out folder")
    #expect(!outcome.stderr.contains(secret), "the secret reached stderr")
  }

  @Test(arguments: attacks) func hostilePluginIsContained(_ attack: Attack) throws {
    let layout = try Self.layout([("evil", attack)])
    defer { layout.root.remove() }
    let outcome = try Self.run(layout)
    Self.verify(outcome, offenders: ["evil": attack.expect])
  }

  /// An HTTP path that climbs out of the named URL (`/api/../secret`) is refused before any
  /// request; the loopback server would answer /secret.
  @Test func httpDotSegmentsCannotLeaveTheNamedURL() throws {
    let server = try HTTPTests.Server()
    defer { server.stop() }
    let attack = Attack(
      name: "http ..",
      body: """
        for _, path in ipairs({ "/../secret", "/%2e%2e/secret", "/./../secret" }) do
          local r = ctx.http.get(opts.url .. path)
          if r and r.body:find("top secret") then error("leaked") end
        end
        """,
      expect: "may not fetch")
    let layout = try Self.layout([("evil", attack)])
    defer { layout.root.remove() }
    let pipeline = try String(contentsOfFile: layout.pipeline + "/pipeline.lua", encoding: .utf8)
    try layout.root.write(
      "pipe/pipeline.lua",
      pipeline.replacingOccurrences(of: #"{ "evil", "#, with: #"{ "evil", url = "\#(server.url)", "#))
    try layout.root.write(
      "pipe/plugins/evil/init.lua",
      """
      return {
        api = 2, stage = "collect",
        options = { url = { type = "string" } },
        run = function(ctx, opts)
      \(attack.body)
        end,
      }
      """)
    let outcome = try Self.run(layout)
    Self.verify(outcome, offenders: ["evil": "may not fetch"])
    #expect(!outcome.outText.contains("top secret"))
  }

  /// The "Done when" pipeline: one good collector and one hostile collector of each kind,
  /// in one run, within its limits.
  @Test func oneRunWithEveryKindOfHostilePlugin() throws {
    let picked = Self.attacks.enumerated().map { (name: "evil\($0.offset)", attack: $0.element) }
    let layout = try Self.layout(picked)
    defer { layout.root.remove() }
    let started = Date()
    let outcome = try Self.run(layout, timeout: 300)
    let elapsed = Date().timeIntervalSince(started)
    var offenders: [String: String] = [:]
    for (name, attack) in picked { offenders[name] = attack.expect }
    Self.verify(outcome, offenders: offenders)
    // Each hostile plugin may use its 1 s (plus the watchdog's grace when stuck in C).
    #expect(elapsed < Double(picked.count) * 3 + 30)
  }
}
