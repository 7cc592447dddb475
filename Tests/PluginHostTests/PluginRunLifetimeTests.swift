import Foundation
import LuaBridge
import PostmortemCore
import Testing

@testable import PluginHost

/// A plugin run and its Lua state are freed once the run is over. FuzzCollectors found,
/// under LeakSanitizer, every run kept alive for good (about 2.6 MB per pipeline with the
/// ctx.fs.lines buffers): `ctx.log`'s helper captured the run strongly from inside the
/// state's own host functions.
@Suite struct PluginRunLifetimeTests {
  @Test func aPluginRunAndItsLuaStateAreFreedAfterTheRun() throws {
    let dir = NSTemporaryDirectory() + "pmhost-lifetime-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir + "/p", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data("x 1\ny 2\n".utf8).write(to: URL(fileURLWithPath: dir + "/in.log"))
    let plugin = """
      return { api = 2, stage = "collect", run = function(ctx, opts)
        ctx.log.info("hello")
        ctx.log.warn("careful")
        ctx.log.debug("details")
        for _, line in ctx.fs.lines("in.log") do print(line) end
      end }
      """
    try Data(plugin.utf8).write(to: URL(fileURLWithPath: dir + "/p/init.lua"))
    let source = PluginSource(name: "p", origin: .directory(dir), folder: dir + "/p", mainFile: "init.lua")
    let model = RunModel(
      incident: Incident(
        id: "PM-1", title: "t", startedAt: Timestamp(milliseconds: 0), endedAt: Timestamp(milliseconds: 1000))
    )
    var settings = RunSettings()
    settings.quiet = true
    settings.echoWarnings = false
    weak var weakRun: PluginRun?
    weak var weakState: LuaState?
    try {
      let run = try PluginRun(
        source: source, stage: .collect, model: model,
        files: FileAccess(pipelineDirectory: dir, outDirectory: dir + "/out"), settings: settings,
        limits: Limits())
      try run.run(options: LuaTable())
      weakRun = run
      weakState = run.lua
    }()
    #expect(model.warnings.count == 1)
    #expect(weakRun == nil)
    #expect(weakState == nil)
  }
}
