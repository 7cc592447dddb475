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
      return { stage = "collect", run = function(ctx)
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
