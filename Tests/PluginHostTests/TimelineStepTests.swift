import Foundation
import PostmortemCore
import Testing

@testable import PluginHost

/// The built-in timeline step on a whole pipeline: skewed clocks, offsets, gaps, window.
@Suite struct TimelineStepTests {
  /// A folder with a collector that adds the same three alerts from two sources, the
  /// webhook log's host 42 s fast and stopping at 10:20, plus an event from last week.
  func pipeline(_ extra: String) throws -> ScratchPipeline {
    try ScratchPipeline(
      "tl",
      plugins: [
        "two-clocks": """
        return { name = "two-clocks", stage = "collect", version = "1", api = 2, options = {},
          run = function(ctx)
            for i, clock in ipairs { "10:05:00", "10:12:00", "10:19:30" } do
              local t = pm.time.parse("2025-02-09T" .. clock .. "Z")
              ctx.timeline.add { time = t, event = "alert " .. i .. " firing", kind = "alert_fired", source = "alertmanager" }
              ctx.timeline.add { time = t + 42 + i * 0.1, event = "alert " .. i .. " firing", kind = "alert_fired", source = "webhook log" }
            end
            ctx.timeline.add { time = "2025-02-02T10:00:00Z", event = "last week's alert", kind = "alert_fired", source = "alertmanager" }
          end }
        """
      ],
      pipeline: """
        return {
          incident = { id = "PM-1", title = "Skew", started_at = "2025-02-09T10:00:00Z", ended_at = "2025-02-09T11:00:00Z" },
          collect = { "two-clocks" },
          \(extra)
        }
        """)
  }

  func run(_ scratch: ScratchPipeline) throws -> RunModel { try scratch.run().model }

  @Test func skewedClocksAreAWarningNamingBothSourcesAndTheOffset() throws {
    let scratch = try pipeline("")
    defer { scratch.remove() }
    let model = try run(scratch)
    let skew = try #require(model.clock?.skews.first)
    #expect(skew.source == "webhook log" && skew.reference == "alertmanager")
    #expect(skew.offsetSeconds == 42.2 && skew.matches == 3)
    #expect(
      model.warnings.contains {
        $0.plugin == "pmhost" && $0.message.contains("'webhook log' reports 42.2 s ahead of 'alertmanager'")
      })
    // Merged anyway (within the dedupe window): one row per alert, both sources.
    #expect(model.timeline.events.filter { $0.sources == ["alertmanager", "webhook log"] }.count == 3)
    // report.json records it.
    let json = try model.report().jsonValue()
    #expect(json["clock"]?["skews"]?[0]?["offset_s"] == .double(42.2))
  }

  @Test func clockOffsetsCorrectTheSourceAndAreRecorded() throws {
    let scratch = try pipeline(#"clock_offsets = { ["webhook log"] = -42.2 },"#)
    defer { scratch.remove() }
    let model = try run(scratch)
    #expect(model.clock?.skews == [])
    #expect(model.clock?.offsets == ["webhook log": -42.2])
    // Every webhook time moved by -42.2 s: 42.1, 42.2, 42.3 s fast become -0.1, 0, +0.1 s.
    let webhook =
      model.timeline.events.filter { $0.source == "webhook log" }.map(\.time)
      + model.timeline.events.flatMap(\.merged).filter { $0.source == "webhook log" }.map(\.time)
    #expect(
      webhook.sorted().map { $0.formatted(.rfc3339) } == [
        "2025-02-09T10:04:59.900Z", "2025-02-09T10:12:00.000Z", "2025-02-09T10:19:30.100Z",
      ])
    #expect(!model.warnings.contains { $0.message.contains("clock skew") })
  }

  @Test func anOffsetForAnUnknownSourceIsAWarning() throws {
    let scratch = try pipeline(#"clock_offsets = { ["web hook log"] = 5 },"#)
    defer { scratch.remove() }
    let model = try run(scratch)
    #expect(model.warnings.contains { $0.message.contains("clock_offsets names 'web hook log'") })
  }

  @Test func aContinuousSourceThatStopsIsAGap() throws {
    let scratch = try pipeline(#"continuous_sources = { "webhook log", "alertmanager" }, gap_min_s = 900,"#)
    defer { scratch.remove() }
    let model = try run(scratch)
    let gaps = model.gaps.filter { $0.source == "webhook log" }
    #expect(
      gaps.map(\.window) == [
        TimeWindow(start: t("2025-02-09T10:20:12.300Z"), end: t("2025-02-09T11:00:00Z"))
      ])
    #expect(gaps.first?.reason.contains("declared continuous") == true)
    // alertmanager is folded into the same rows, also silent from 10:19:30.
    #expect(model.gaps.filter { $0.source == "alertmanager" }.count == 1)
  }

  @Test func eventsOutsideTheWindowStayInTheReportButNotTheTable() throws {
    let scratch = try pipeline("report = { \"markdown\" },")
    defer { scratch.remove() }
    let model = try run(scratch)
    #expect(model.timeline.events.contains { $0.event == "last week's alert" })
    let md = try String(contentsOfFile: scratch.dir + "/out/report.md", encoding: .utf8)
    #expect(!md.contains("last week's alert"))
    #expect(
      md.contains(
        "1 event outside the incident window (2025-02-09T09:00:00.000Z - 2025-02-09T12:00:00.000Z UTC) not shown"
      ), "\(md)")
  }
}

func t(_ text: String) -> Timestamp { TimeParser.rfc3339(text)! }

@Suite struct TimelineViewTests {
  @Test func eachAndViewReadWhatEventsGives() throws {
    let scratch = try ScratchPipeline(
      "view",
      plugins: [
        "many": """
        return { name = "many", stage = "collect", version = "1", api = 2, options = {},
          run = function(ctx)
            for i = 1, 9000 do
              ctx.timeline.add { time = 1739095500 + i * 0.25, event = "error " .. i, kind = "error",
                source = i % 2 == 0 and "nginx" or "app logs", evidence = "x.log:" .. i }
            end
            -- Rows with everything an event can carry, spread through the others.
            for i = 1, 30 do
              ctx.timeline.add { time = 1739095500 + i * 70, event = "deploy " .. (i % 3), kind = "deploy",
                source = "chat", actor = i % 2 == 0 and "alice" or nil, evidence_all = { "chat:" .. i, "ci:" .. i },
                evidence = "chat:" .. i, fields = { build = i, ok = i % 2 == 0, nested = { a = { i } } },
                count = i, last = i > 1 and 1739095500 + i * 70 + 5 or nil, time_text = tostring(i),
                time_offset = i * 60, group = i % 4 == 0 and "deploys" or nil,
                merged = i % 5 == 0 and { { time = 1739095500 + i * 70 - 3, kind = "action", source = "kubectl",
                  event = "kubectl rollout" } } or nil }
            end
          end }
        """,
        "reader": """
        return { name = "reader", stage = "timeline", version = "1", api = 2, options = {},
          run = function(ctx)
            local eager = ctx.timeline.get()
            local n = 0
            for i, time, event, source in ctx.timeline.each("time", "event", "source") do
              local e = eager[i]
              assert(time == e.time and event == e.event and source == e.source, "row " .. i .. ": " .. time .. " vs " .. e.time)
              n = n + 1
            end
            assert(n == #eager, n)
            for i, t in ctx.timeline.each("t") do assert(t == eager[i].t) end
            local v = ctx.timeline.view()
            assert(#v == #eager and v[#v + 1] == nil)
            assert(v[4097].event == eager[4097].event and v[4097].evidence == eager[4097].evidence)
            assert(v[2].sources[1] == eager[2].sources[1] and v[2].count == 1 and v[2].index == 2)
            for i, row in v:each() do if i == 3 then assert(row.kind == "error" and row.time == eager[3].time) end end
            -- Every field at once (more than the three the fast loop was first written for),
            -- nil-valued ones included, across chunk boundaries and the short last chunk.
            local fields = { "time", "t", "event", "source", "kind", "actor", "group", "count", "last",
              "evidence", "index", "sources", "fields" }
            local rows = 0
            local iter, state, control = ctx.timeline.each(table.unpack(fields))
            while true do
              local got = table.pack(iter(state, control))
              if got[1] == nil then break end
              control = got[1]
              local e = eager[control]
              for f, name in ipairs(fields) do
                local value = got[f + 1]
                if type(e[name]) == "table" then
                  assert(type(value) == "table" and value[1] == e[name][1], name .. " of row " .. control)
                else
                  assert(value == e[name], name .. " of row " .. control .. ": " .. tostring(value))
                end
              end
              rows = rows + 1
            end
            assert(rows == #eager, rows)
            -- The iterator takes any control value: rows are reloaded as needed.
            local it = ctx.timeline.each("event", "index")
            assert(select(2, it(nil, 4999)) == eager[5000].event)
            assert(select(3, it(nil, 0)) == 1 and select(2, it(nil, 8999)) == eager[9000].event)
            assert(it(nil, #eager) == nil and it(nil, -5) == nil)
            local ok, err = pcall(ctx.timeline.each, "time", 7)
            assert(not ok and err:find("bad argument #2 to 'ctx.timeline.each' %(string expected, got number%)"), err)
            local many = {}
            for k = 1, 101 do many[k] = "t" end
            ok, err = pcall(ctx.timeline.each, table.unpack(many))
            assert(not ok and err:find("at most 100 fields, got 101", 1, true), err)
            -- events() (built on the stack) is what the view's rows (built through the Swift
            -- codec) say, field by field and deeply.
            local function same(a, b)
              if type(a) ~= "table" or type(b) ~= "table" then return a == b end
              for k, x in pairs(a) do if not same(x, b[k]) then return false end end
              for k in pairs(b) do if a[k] == nil then return false end end
              return true
            end
            local keys = { "time", "t", "event", "source", "sources", "actor", "kind", "evidence", "evidence_all",
              "group", "count", "last", "fields", "merged", "time_text", "time_offset", "index" }
            local rich = 0
            for i = 1, #eager do
              for _, key in ipairs(keys) do
                assert(same(eager[i][key], v[i][key]), ("row %d field %s"):format(i, key))
              end
              local present = 0
              for _ in pairs(eager[i]) do present = present + 1 end
              if eager[i].kind == "deploy" then rich = rich + 1 end
              assert(present <= #keys, "row " .. i .. " has unknown fields")
            end
            assert(rich == 30, rich)
            ctx.log.warn("view ok " .. n)
          end }
        """,
      ],
      pipeline: """
        return { incident = { id = "PM-1", title = "View", started_at = "2025-02-09T10:00:00Z", ended_at = "2025-02-09T11:00:00Z" },
          collect = { "many" }, timeline = { "reader" } }
        """)
    defer { scratch.remove() }
    let outcome = try scratch.run()
    #expect(outcome.failures == [])
    #expect(outcome.model.warnings.map(\.message) == ["view ok 9030"])
  }
}
