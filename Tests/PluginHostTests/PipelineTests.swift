import Foundation
import LuaBridge
import Testing

@testable import PluginHost

@Suite struct PipelineTests {
  func parse(_ source: String) throws -> Pipeline {
    let lua = try LuaState()
    guard case .table(let t) = try lua.run(source).first ?? .nil else {
      throw HostError.configuration("no table")
    }
    return try Pipeline.parse(t, path: "pipeline.lua", directory: "/p")
  }

  @Test func readsStagesOptionsAndLimits() throws {
    let p = try parse(
      """
      return {
        limits = { time_s = 30 },
        collect = { "a", { "b", path = "x.log", limits = { memory_mb = 64 } } },
        report = { "markdown" },
      }
      """)
    #expect(p.stages[.collect]?.map(\.name) == ["a", "b"])
    #expect(p.stages[.collect]?[1].options["path"] == "x.log")
    #expect(p.stages[.collect]?[1].options["limits"] == .nil)
    #expect(p.stages[.collect]?[1].limits.memoryMB == 64)
    #expect(p.stages[.collect]?[1].limits.timeSeconds == 30)
    #expect(p.outDirectory(override: nil) == "/p/out")
  }

  @Test func rejectsUnknownKeysAndLimits() throws {
    #expect(throws: HostError.self) { try parse("return { colect = {} }") }
    #expect(throws: HostError.self) { try parse("return { collect = { { 'a', limits = { cpu = 1 } } } }") }
    #expect(throws: HostError.self) { try parse("return { collect = { { path = 'x' } } }") }
  }

  @Test func optionsAreCheckedAgainstTheSchema() throws {
    let lua = try LuaState()
    guard
      case .table(let t) = try lua.run(
        """
        return { api = 2, stage = "collect", run = function() end, options = {
          path = { type = "string", required = true },
          n = { type = "integer", default = 3 },
          mode = { type = "string", values = { "a", "b" } } } }
        """
      ).first ?? .nil
    else { return }
    let source = PluginSource(name: "x", origin: .directory("/"), folder: "/x", mainFile: "init.lua")
    let manifest = try PluginManifest(table: t, source: source)
    let ok = try manifest.resolveOptions(LuaTable(fields: ["path": "a.log", "source": "app"]), origin: "p")
    #expect(ok["n"] == 3)
    #expect(ok["source"] == "app")
    for bad: [String: LuaValue] in [
      [:], ["path": 1], ["path": "x", "n": 1.5], ["path": "x", "mode": "c"], ["path": "x", "other": 1],
    ] {
      #expect(throws: HostError.self) { try manifest.resolveOptions(LuaTable(fields: bad), origin: "p") }
    }
  }
}
