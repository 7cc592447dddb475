import Foundation
import Testing

/// A plugin that passes its time limit is named with where it was (issue 15): the line of
/// its Lua code, the host call or the C library function it was inside, and how to give it
/// more time.
@Suite struct TimeoutMessageTests {
  /// A pipeline with a collector of `events` events and the analyze plugin `slow` (its
  /// `init.lua` is `body`) limited to 1 s.
  static func scratch(slow body: String, events: Int = 1) throws -> Scratch {
    let s = try Scratch()
    try s.write("incident.yaml", Scratch.incident)
    try s.write(
      "plugins/many/init.lua",
      """
      return { name = "many", stage = "collect", version = "1", api = 2, description = "events",
        run = function(ctx)
          for i = 1, \(events) do
            ctx.timeline.add{ time = 1739095200 + i, event = "event " .. i, kind = "log" }
          end
        end }
      """)
    try s.write("plugins/slow/init.lua", body)
    try s.write(
      "pipeline.lua",
      """
      return {
        incident = "incident.yaml",
        collect = { { "many", limits = { time_s = 120 } } },
        analyze = { { "slow", limits = { time_s = 1 } } },
      }
      """)
    return s
  }

  static func run(_ s: Scratch) throws -> PMHostProcess.Result {
    let result = try PMHostProcess.run([
      "run", s.path + "/pipeline.lua", "--out", s.path + "/out", "--no-input",
    ])
    #expect(result.status == 1, "\(result.stderr)")
    return result
  }

  @Test func aLoopInLuaIsNamedByItsLine() throws {
    let s = try Self.scratch(
      slow: """
        return { name = "slow", stage = "analyze", version = "1", api = 2, description = "spins",
          run = function(ctx)
            local n = 0
            while true do n = n + 1 end
          end }
        """)
    defer { s.remove() }
    let stderr = try Self.run(s).stderr
    #expect(
      stderr.contains("plugin 'slow' failed in stage analyze: plugin slow: time limit of 1 s exceeded at "),
      "\(stderr)")
    #expect(stderr.contains("slow/init.lua:4; if it needs longer"), "\(stderr)")
    #expect(
      stderr.contains(#"raise its limit in the pipeline: { "slow", limits = { time_s = 2 } }"#), "\(stderr)")
    #expect(!stderr.contains("C library") && !stderr.contains("abandoned"), "\(stderr)")
  }

  /// No hook fires inside one C call: the watchdog gives up on it and names the function
  /// and the line the Lua code was last seen at (the loop just before it, here).
  @Test func aBacktrackingPatternIsNamedWithTheLineThatCalledIt() throws {
    let s = try Self.scratch(
      slow: """
        return { name = "slow", stage = "analyze", version = "1", api = 2, description = "backtracks",
          run = function(ctx)
            local text = ("a"):rep(40)
            local n = 0
            for i = 1, 100000 do n = n + i end
            return text:find(("a*"):rep(40) .. "b")
          end }
        """)
    defer { s.remove() }
    let stderr = try Self.run(s).stderr
    #expect(
      stderr.contains(
        "plugin 'slow' failed in stage analyze: plugin slow: time limit of 1 s exceeded inside the C library function string.find, called at or just after "
      ), "\(stderr)")
    // The loop's line, or (when the last hook fell in the few instructions after the loop)
    // the line of the call.
    #expect(
      stderr.contains("slow/init.lua:5 (a pattern with several")
        || stderr.contains("slow/init.lua:6 (a pattern with several"), "\(stderr)")
    #expect(stderr.contains("; its run was abandoned; if it needs longer"), "\(stderr)")
  }

  /// The time runs out inside a host call that is slow on many events: the message names
  /// the call, its caller and the number of events.
  @Test func aSlowHostCallIsNamed() throws {
    let s = try Self.scratch(
      slow: """
        return { name = "slow", stage = "analyze", version = "1", api = 2, description = "reads a lot",
          run = function(ctx)
            for _ = 1, 1000000 do
              local events = ctx.timeline.get()
            end
          end }
        """, events: 20000)
    defer { s.remove() }
    let stderr = try Self.run(s).stderr
    #expect(
      stderr.contains(
        "plugin 'slow' failed in stage analyze: plugin slow: time limit of 1 s exceeded inside ctx.timeline.get, called from "
      ), "\(stderr)")
    #expect(
      stderr.contains("slow/init.lua:4 (ctx.timeline.get is slow with the run's 20000 timeline events)"),
      "\(stderr)")
    #expect(stderr.contains(#"{ "slow", limits = { time_s = 2 } }"#), "\(stderr)")
  }
}
