import Foundation
import Testing

@testable import PluginHost
@testable import PostmortemCore

/// `time_text` and `time_offset` through `ctx.timeline.add`, `events()`, views and errors.
@Suite struct TimeTextTests {
  @Test func addKeepsTheTimeAsWrittenAndItsOffset() throws {
    let scratch = try ScratchPipeline(
      "timetext",
      plugins: [
        "stamps": """
        return { name = "stamps", stage = "collect", version = "1", api = 2, options = {},
          run = function(ctx)
            local add = function(e) e.kind = e.kind or "note"; ctx.timeline.add(e) end
            add { time = pm.time.parse("09/Feb/2025:11:05:23 +0100", "nginx"), event = "nginx",
              time_text = "09/Feb/2025:11:05:23 +0100" }
            add { time = pm.time.parse("2025-02-09 05:36:23", "local", { offset = -16200 }), event = "local",
              time_text = "2025-02-09 05:36:23", time_offset = -16200 }
            add { time = 1739095643, event = "unix", time_text = "1739095643" }
            add { time = 1739095703, event = "plain" }
            add { time = 1739095763, event = "string offset", time_text = "10:09:23", time_offset = "Z" }
            local problems = {}
            for _, bad in ipairs {
              { time_text = 5 }, { time_text = ("x"):rep(201) }, { time_offset = 24 * 3600 },
              { time_offset = "one hour" }, { time_offset = {} },
            } do
              bad.time, bad.event, bad.kind = 1739095800, "bad", "note"
              local ok, err = pcall(ctx.timeline.add, bad)
              assert(not ok)
              problems[#problems + 1] = err:match("field '[%w_]+'.*")
            end
            ctx.log.warn(table.concat(problems, " | "))
          end }
        """,
        "reader": """
        return { name = "reader", stage = "timeline", version = "1", api = 2, options = {},
          run = function(ctx)
            local got = {}
            for i, e in ipairs(ctx.timeline.get()) do
              got[i] = ("%s=%s/%s"):format(e.event, tostring(e.time_text), tostring(e.time_offset))
            end
            local v = ctx.timeline.view()
            assert(v[1].time_text == "09/Feb/2025:11:05:23 +0100" and v[1].time_offset == "+01:00")
            for i, text, offset in ctx.timeline.each("time_text", "time_offset") do
              assert(text == v[i].time_text and offset == v[i].time_offset, i)
            end
            ctx.log.warn(table.concat(got, " "))
          end }
        """,
      ],
      pipeline: """
        return { incident = { id = "PM-1", title = "Stamps", started_at = "2025-02-09T10:00:00Z", ended_at = "2025-02-09T11:00:00Z" },
          collect = { "stamps" }, timeline = { "reader" }, report = { "json" } }
        """)
    defer { scratch.remove() }
    let outcome = try scratch.run()
    #expect(outcome.failures == [])
    let messages = outcome.model.warnings.map(\.message)
    #expect(
      messages.contains(
        "field 'time_text': string expected, got number) | field 'time_text' must be at most 200 bytes (the time as the source wrote it) | field 'time_offset' must be seconds east of UTC within ±24 h, or \"+hh:mm\" | field 'time_offset' 'one hour' is not a UTC offset (use \"+02:00\", \"-0530\", \"Z\" or seconds) | field 'time_offset': number or string expected, got empty table)"
      ), "\(messages)")
    #expect(
      messages.contains(
        "nginx=09/Feb/2025:11:05:23 +0100/+01:00 local=2025-02-09 05:36:23/-04:30 unix=1739095643/nil plain=nil/nil string offset=10:09:23/+00:00"
      ), "\(messages)")
    // report.json carries them, and only where known.
    let report =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: outcome.outDirectory + "/report.json"))) as? [String: Any]
    let rows = report?["timeline"] as? [[String: Any]] ?? []
    #expect(
      rows.map { $0["time_text"] as? String ?? "-" } == [
        "09/Feb/2025:11:05:23 +0100", "2025-02-09 05:36:23", "1739095643", "-", "10:09:23",
      ])
    #expect(rows.map { $0["time_offset"] as? String ?? "-" } == ["+01:00", "-04:30", "-", "-", "+00:00"])
  }
}
