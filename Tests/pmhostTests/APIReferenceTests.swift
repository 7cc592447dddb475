import Foundation
import Testing

/// The pm API has one declaration (APIReference): what a plugin can reach at run time is
/// exactly what is declared, and the committed reference and LuaLS annotations are what
/// `pmhost api` generates from it.
@Suite(.serialized) struct APIReferenceTests {
  @Test func everyBoundFunctionIsDeclaredAndEveryDeclaredOneIsBound() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/walk.lua",
      """
      return { api = 2, stage = "collect", run = function(ctx)
        local names = {}
        local function walk(t, prefix, depth)
          for k, v in pairs(t) do
            if type(v) == "function" then names[#names + 1] = prefix .. "." .. k
            elseif type(v) == "table" and depth < 2 and k ~= "incident" then walk(v, prefix .. "." .. k, depth + 1) end
          end
        end
        walk(ctx, "ctx", 0)
        walk(pm, "pm", 0)
        table.sort(names)
        ctx.log.info("API " .. table.concat(names, ","))
      end }
      """)
    try scratch.write("pipeline.lua", #"return { incident = "incident.yaml", collect = { "walk" } }"#)
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    let line = try #require(run.stderr.split(separator: "\n").first { $0.contains("[walk] API ") })
    let bound = Set(line.components(separatedBy: "API ")[1].split(separator: ",").map(String.init))
    let reference = try PMHostProcess.run(["api"])
    let declared = Set(
      reference.stdout.split(separator: "\n").compactMap { row -> String? in
        guard row.hasPrefix("| `") else { return nil }
        return row.dropFirst(3).prefix { $0 != "`" }.replacingOccurrences(of: ":", with: ".")
      })
    #expect(declared.count >= 50)
    #expect(
      bound.subtracting(declared).isEmpty, "bound but not declared: \(bound.subtracting(declared).sorted())")
    #expect(
      declared.subtracting(bound).isEmpty, "declared but not bound: \(declared.subtracting(bound).sorted())")
  }

  /// The binding checks every call against the declaration: types, table fields (an unknown
  /// one is named), the number of arguments, and a colon call (API 1's convention) is named.
  @Test func everyCallIsCheckedAgainstTheDeclaration() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/wrong.lua",
      """
      return { api = 2, stage = "collect", run = function(ctx)
        local said = {}
        local function try(f, ...)
          local ok, err = pcall(f, ...)
          said[#said + 1] = ok and "ok" or tostring(err)
        end
        try(ctx.timeline.add, { time = 1739095200, event = "x", kind = "note", knd = "typo" })
        try(ctx.timeline.add, { time = 1739095200, event = "x" })
        try(ctx.timeline.add, { time = {}, event = "x", kind = "note" })
        try(ctx.timeline.add, ctx.timeline, { time = 1739095200, event = "x", kind = "note" })
        try(ctx.http.get, ctx.http, "http://127.0.0.1:1/")
        try(ctx.gap, "no data", { window = { start = 1739095200, finish = 1739095300 } })
        try(ctx.fs.lines, "x.log", { contain = "ERROR" })
        try(ctx.fs.lines, "x.log", { contains = { "a", 7 } })
        try(pm.time.parse, "10:00", { offset = 3600 })
        try(pm.time.format, 1739095200, "iso")
        try(ctx.moments.get)
        try(ctx.severity.set, { level = "P1" })
        for _, s in ipairs(said) do ctx.log.warn(s) end
      end }
      """)
    try scratch.write("pipeline.lua", #"return { incident = "incident.yaml", collect = { "wrong" } }"#)
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    let said = run.stderr.split(separator: "\n").filter { $0.contains("[wrong] warning: ") }.map {
      String($0.components(separatedBy: "[wrong] warning: ")[1])
    }
    #expect(
      said == [
        "bad argument #1 to 'ctx.timeline.add' (unknown field 'knd' (known: time, event, kind, source, actor, evidence, group, fields, time_text, time_offset, t, sources, evidence_all, count, last, merged, index))",
        "bad argument #1 to 'ctx.timeline.add' (field 'kind': string expected, got nil)",
        "bad argument #1 to 'ctx.timeline.add' (field 'time': time (seconds or an RFC 3339 string) expected, got empty table)",
        "ctx.timeline.add takes at most 1 argument, got 2; called with `:`? API 2 calls every ctx and pm function with `.` (docs/plugin-api.md, \"Migrating from API 1\")",
        "bad argument #1 to 'ctx.http.get' (string expected, got table); called with `:`? API 2 calls every ctx and pm function with `.` (docs/plugin-api.md, \"Migrating from API 1\")",
        "bad argument #2 to 'ctx.gap' (field 'window': unknown field 'finish' (known: start, end))",
        "bad argument #2 to 'ctx.fs.lines' (unknown field 'contain' (known: contains, match))",
        "bad argument #2 to 'ctx.fs.lines' (field 'contains': string or list of string expected, got table)",
        "bad argument #2 to 'pm.time.parse' (one of \"rfc3339\", \"nginx\", \"unix\", \"syslog\", \"klog\", \"local\" expected, got table)",
        "bad argument #2 to 'pm.time.format' (one of \"rfc3339\", \"clock\", \"hm\", \"date\", \"datetime\" expected, got string \"iso\")",
        "ok",
        "ctx.severity.set cannot be called in stage collect (only in: classify)",
      ], "\(run.stderr)")
  }

  @Test func theJSONDeclarationListsEveryFunctionWithTypes() throws {
    let result = try PMHostProcess.run(["api", "--json"])
    #expect(result.status == 0)
    let value = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let functions = value?["functions"] as? [[String: Any]] ?? []
    #expect(value?["api"] as? Int == 2)
    #expect(functions.count >= 50)
    let add = try #require(functions.first { $0["name"] as? String == "ctx.timeline.add" })
    let parameters = add["parameters"] as? [[String: Any]] ?? []
    #expect((parameters.first?["type"] as? [String: Any])?["shape"] as? String == "Event")
    let shapes = value?["shapes"] as? [[String: Any]] ?? []
    #expect(shapes.contains { $0["name"] as? String == "Event" })
  }

  /// Every type the LuaLS annotations name is defined in them, so that an editor resolves
  /// each parameter, result and field (a class missing would silently complete nothing).
  @Test func everyTypeTheAnnotationsNameIsDefined() throws {
    let text = try String(contentsOfFile: PMHostProcess.packageRoot + "/docs/pmhost.lua", encoding: .utf8)
    var defined: Set<String> = []
    var named: Set<String> = []
    for line in text.split(separator: "\n") {
      if line.hasPrefix("---@class ") { defined.insert(String(line.dropFirst(10).split(separator: " ")[0])) }
      guard line.hasPrefix("---@") else { continue }
      var rest = Substring(line)
      while let r = rest.range(of: "pmhost.") {
        let name = rest[r.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }
        named.insert(String(name.hasSuffix(".") ? name.dropLast() : name))
        rest = rest[r.upperBound...]
      }
    }
    #expect(defined.count >= 30)
    #expect(
      named.subtracting(defined).isEmpty, "named but not defined: \(named.subtracting(defined).sorted())")
    // Every ctx and pm function is annotated (completion for each call).
    let functions = text.split(separator: "\n").filter {
      $0.hasPrefix("function ") && !$0.hasPrefix("function TimelineView:")
    }.count
    let declared = try PMHostProcess.run(["api", "--json"])
    let value = try JSONSerialization.jsonObject(with: Data(declared.stdout.utf8)) as? [String: Any]
    #expect(functions == (value?["functions"] as? [Any])?.count)
  }

  /// A plugin written for API 1 (or declaring none) is refused at load with a pointer to the
  /// migration table, by every command that loads it.
  @Test func anAPI1PluginIsRefusedWithThePathToTheMigrationTable() throws {
    for header in ["api = 1, ", ""] {
      let scratch = try Scratch()
      defer { scratch.remove() }
      try scratch.write("incident.yaml", Scratch.incident)
      try scratch.write(
        "plugins/old.lua",
        "return { \(header)stage = \"collect\", run = function(ctx) ctx.timeline:add { time = 0, event = \"x\", kind = \"note\" } end }"
      )
      try scratch.write("pipeline.lua", #"return { incident = "incident.yaml", collect = { "old" } }"#)
      for command in ["check", "run"] {
        let result = try PMHostProcess.run([command, "pipeline.lua"], in: scratch.path)
        #expect(result.status == 2, "\(command): \(result.stderr)")
        #expect(result.stderr.contains("plugins/old.lua"), "\(result.stderr)")
        #expect(
          result.stderr.contains(
            header.isEmpty ? "needs api = 2" : "written for pm API 1; this pmhost runs API 2 only"),
          "\(result.stderr)")
        #expect(result.stderr.contains("docs/plugin-api.md, \"Migrating from API 1\""), "\(result.stderr)")
      }
    }
  }

  /// `pmhost check` names a mistake in a plugin's option schema with the plugin file's line.
  @Test func aSchemaMistakeIsNamedWithThePluginsLine() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/mine.lua",
      """
      return {
        api = 2, stage = "collect",
        options = {
          path = { type = "file", required = true },
          level = { type = "string", defualt = "x" },
        },
        run = function() end,
      }
      """)
    try scratch.write(
      "pipeline.lua", #"return { incident = "incident.yaml", collect = { { "mine", path = "x" } } }"#)
    let result = try PMHostProcess.run(["check", "pipeline.lua"], in: scratch.path)
    #expect(result.status == 2)
    #expect(
      result.stderr.contains("plugins/mine.lua:5: option 'level': unknown schema key 'defualt'")
        || result.stdout.contains("plugins/mine.lua:5: option 'level': unknown schema key 'defualt'"),
      "\(result.stdout)\(result.stderr)")
  }

  @Test func theCommittedReferenceAndAnnotationsAreUpToDate() throws {
    let markdown = try PMHostProcess.run(["api"])
    let lua = try PMHostProcess.run(["api", "--lua"])
    let root = PMHostProcess.packageRoot
    let stale = "stale: run `.build/debug/pmhost api --write docs` and commit the result"
    #expect(
      FileManager.default.contents(atPath: root + "/docs/pm-api.md") == Data(markdown.stdout.utf8), "\(stale)"
    )
    #expect(
      FileManager.default.contents(atPath: root + "/docs/pmhost.lua") == Data(lua.stdout.utf8), "\(stale)")
  }

  @Test func theAnnotationsAreValidLua() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["luac5.4", "-p", PMHostProcess.packageRoot + "/docs/pmhost.lua"]
    let err = Pipe()
    process.standardError = err
    try process.run()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(message)")
  }
}
