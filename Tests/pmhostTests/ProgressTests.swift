import Foundation
import Testing

/// Progress on stderr for big inputs: shown when stderr is a terminal (here a pseudo-
/// terminal made by util-linux `script`), never with NO_COLOR, --quiet or a pipe.
@Suite(.serialized) struct ProgressTests {
  static func makeIncident() throws -> Scratch {
    let scratch = try Scratch()
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/count.lua",
      """
      return { api = 2, stage = "collect", options = { path = { type = "string" } }, run = function(ctx, opts)
        local n = 0
        for _, _ in ctx.fs.lines(opts.path) do n = n + 1 end
        ctx.log.info("lines " .. n)
      end }
      """)
    try scratch.write(
      "pipeline.lua", #"return { incident = "incident.yaml", collect = { { "count", path = "big.log" } } }"#)
    // 40 MB: above the 32 MB from which progress is shown.
    let line = Array("2025-02-09T10:01:00Z level=info msg=\"request served\" path=/api/v1/orders\n".utf8)
    var data = Data(capacity: (40 << 20) + line.count)
    while data.count < 40 << 20 { data.append(contentsOf: line) }
    try data.write(to: URL(fileURLWithPath: scratch.path + "/big.log"))
    return scratch
  }

  /// Runs pmhost with stdout and stderr on a pseudo-terminal; returns what the terminal got.
  static func onTerminal(_ arguments: [String], in directory: String, environment: [String: String] = [:])
    throws
    -> String
  {
    let command = ([PMHostProcess.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = nil
    // The default archive in the test's folder, never the user's.
    env["PMHOST_ARCHIVE"] = nil
    env["XDG_DATA_HOME"] = directory + "/.local/share"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    process.standardOutput = out
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(String(decoding: data, as: UTF8.self))")
    return String(decoding: data, as: UTF8.self)
  }

  @Test func shownOnATerminalAndClearedAtTheEnd() throws {
    let scratch = try Self.makeIncident()
    defer { scratch.remove() }
    let screen = try Self.onTerminal(["run", "pipeline.lua", "--no-input"], in: scratch.path)
    #expect(screen.contains("[count] lines 574563"), "\(screen.suffix(400))")
    #expect(screen.contains("\r\u{1B}[Kpmhost: [count] big.log "), "\(screen.suffix(400))")
    #expect(screen.contains("/40 MB"))
    #expect(screen.contains("MB/s"))
  }

  @Test(arguments: [["NO_COLOR": "1"], [:]]) func hiddenWithNoColorOrQuiet(environment: [String: String])
    throws
  {
    let scratch = try Self.makeIncident()
    defer { scratch.remove() }
    let arguments = environment.isEmpty ? ["run", "pipeline.lua", "--quiet"] : ["run", "pipeline.lua"]
    let screen = try Self.onTerminal(arguments, in: scratch.path, environment: environment)
    #expect(!screen.contains("MB/s"), "\(screen.suffix(400))")
  }

  /// A pipeline with a stage step that runs 1.5 s in Lua (`busy`) and one that spends as
  /// long inside a host call (`reader`, reading 20,000 events again and again).
  static func makeSlowStages() throws -> Scratch {
    let scratch = try Scratch()
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/many.lua",
      """
      return { api = 2, stage = "collect", run = function(ctx)
        for i = 1, 20000 do ctx.timeline.add{ time = 1739095200 + i, event = "e" .. i, kind = "log" } end
      end }
      """)
    try scratch.write(
      "plugins/busy.lua",
      """
      return { api = 2, stage = "analyze", run = function(ctx)
        local start = os.clock()
        while os.clock() - start < 1.5 do end
      end }
      """)
    try scratch.write(
      "plugins/reader.lua",
      """
      return { api = 2, stage = "analyze", run = function(ctx)
        local start = os.clock()
        while os.clock() - start < 1.5 do local events = ctx.timeline.get() end
      end }
      """)
    try scratch.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", collect = { "many" }, analyze = { "busy", "reader" } }"#)
    return scratch
  }

  /// Each step that runs longer than a second shows its stage, plugin and seconds (and the
  /// host call it is inside), and the line is cleared when it ends.
  @Test func aSlowStageStepShowsItsLine() throws {
    let scratch = try Self.makeSlowStages()
    defer { scratch.remove() }
    let screen = try Self.onTerminal(["run", "pipeline.lua", "--no-input"], in: scratch.path)
    #expect(screen.contains("\r\u{1B}[Kpmhost: analyze busy 1."), "\(screen.suffix(600))")
    #expect(screen.contains("\r\u{1B}[Kpmhost: analyze reader 1."), "\(screen.suffix(600))")
    #expect(screen.contains(" s (inside ctx.timeline.get)"), "\(screen.suffix(600))")
    // Cleared: right after the last one drawn, the line is wiped.
    let last = try #require(screen.range(of: "pmhost: analyze reader ", options: .backwards))
    let after = screen[last.upperBound...].prefix(60)
    #expect(after.contains("\r\u{1B}[K"), "\(after.debugDescription)")
    // Never with a pipe.
    let piped = try PMHostProcess.run(["run", "pipeline.lua", "--no-input"], in: scratch.path)
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(!piped.stderr.contains("analyze busy") && !piped.stderr.contains("\u{1B}"), "\(piped.stderr)")
  }

  /// A collector's own word (`ctx.progress`) follows the time on its line, with control
  /// characters written out and cut at 200 characters.
  @Test func aPluginSaysWhereItIs() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/pager.lua",
      #"""
      return { api = 2, stage = "collect", run = function(ctx)
        local start, page = os.clock(), 0
        while os.clock() - start < 1.6 do
          page = page + 1
          ctx.progress(("page %d: \27[31mred\27[0m\nrows"):format(page) .. string.rep("x", 300))
          local t = os.clock() while os.clock() - t < 0.05 do end
        end
      end }
      """#)
    try scratch.write("pipeline.lua", #"return { incident = "incident.yaml", collect = { "pager" } }"#)
    let screen = try Self.onTerminal(["run", "pipeline.lua", "--no-input"], in: scratch.path)
    let line = try #require(
      screen.components(separatedBy: "\r\u{1B}[K").last { $0.hasPrefix("pmhost: collect pager 1.") },
      "\(screen.suffix(600))")
    #expect(line.contains(" s: page "), "\(line)")
    #expect(line.contains(": \\e[31mred\\e[0m\\nrows"), "\(line)")
    #expect(!line.contains("\u{1B}[31m"), "\(line)")
    let said = try #require(line.range(of: ": page "))
    #expect(line[said.lowerBound...].count <= 2 + 200 + 20, "\(line.count)")
  }

  @Test func hiddenWhenStderrIsAPipe() throws {
    let scratch = try Self.makeIncident()
    defer { scratch.remove() }
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(run.status == 0)
    #expect(run.stderr.contains("lines "))
    #expect(!run.stderr.contains("MB/s"))
  }
}
