import Foundation
import Testing

/// A plugin's `check(opts)`: option errors beyond the schema stop `check` and `run` with
/// exit 2 before any stage runs.
@Suite struct CheckHookTests {
  @Test(arguments: ["check", "run"]) func aBadPatternIsAConfigurationError(command: String) throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write("app.log", "2025-02-09 10:01:00 ERROR boom\n")
    try scratch.write(
      "pipeline.lua",
      """
      return { incident = "incident.yaml", report = { "json" },
        collect = { { "log-pattern", path = "app.log", pattern = "^(%S+ %S+) (%u+ (.*)$", fields = { "time", "level", "message" } } } }
      """)
    let result = try PMHostProcess.run([command, "pipeline.lua"], in: scratch.path)
    #expect(result.status == 2, "\(result.stderr)")
    #expect(
      result.stderr.contains("pipeline.lua:2: collect[1] (log-pattern): option pattern: unfinished capture"),
      "\(result.stderr)")
    #expect(scratch.read("out/report.json") == nil)
  }

  @Test func aCheckThatRaisesOnlyForBadOptionsLetsGoodOnesRun() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/picky.lua",
      """
      return { api = 2, stage = "collect", options = { lo = { type = "number" }, hi = { type = "number" } },
        check = function(opts) if opts.lo > opts.hi then error("lo must not exceed hi", 0) end end,
        run = function(ctx, opts) ctx.log.info("ran") end }
      """)
    try scratch.write(
      "pipeline.lua", #"return { incident = "incident.yaml", collect = { { "picky", lo = 1, hi = 2 } } }"#)
    let good = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(good.status == 0, "\(good.stderr)")
    #expect(good.stderr.contains("[picky] ran"))
    try scratch.write(
      "pipeline.lua", #"return { incident = "incident.yaml", collect = { { "picky", lo = 3, hi = 2 } } }"#)
    let bad = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("pipeline.lua:1: collect[1] (picky): lo must not exceed hi"), "\(bad.stderr)")
    #expect(!bad.stderr.contains("ran"))
  }
}
