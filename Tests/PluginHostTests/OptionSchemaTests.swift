import Foundation
import LuaBridge
import Testing

@testable import PluginHost

/// The option schema language (docs/plugin-api.md, "Options are schemas"): each mistake
/// class is caught, with the place inside the option named.
@Suite struct OptionSchemaTests {
  /// A manifest whose options are `schema` (Lua table text).
  func manifest(_ schema: String, stage: String = "collect") throws -> PluginManifest {
    let lua = try LuaState()
    guard
      case .table(let t) = try lua.run(
        "return { api = 2, stage = \"\(stage)\", run = function() end, options = \(schema) }"
      ).first ?? .nil
    else { throw HostError.configuration("no table") }
    let source = PluginSource(name: "x", origin: .directory("/"), folder: "/x", mainFile: "init.lua")
    return try PluginManifest(table: t, source: source)
  }

  func options(_ lua: String) throws -> LuaTable {
    let state = try LuaState()
    return try #require(try state.run("return \(lua)").first?.tableValue)
  }

  /// The problems of `given` (Lua table text) against `schema`.
  func problems(_ schema: String, _ given: String, context: SchemaContext = SchemaContext()) throws
    -> [String]
  {
    try manifest(schema).checkOptions(try options(given), context: context).1.map(\.message)
  }

  func loadError(_ schema: String) -> String? {
    do {
      _ = try manifest(schema)
      return nil
    } catch let error as HostError {
      return error.message
    } catch {
      return "\(error)"
    }
  }

  @Test func unknownSchemaKeysAreNamed() {
    let message = loadError(#"{ word = { type = "string", defualt = 1 } }"#)
    #expect(message?.contains("option 'word': unknown schema key 'defualt'") == true, "\(message ?? "")")
    #expect(loadError(#"{ word = { type = "strnig" } }"#)?.contains("unknown type 'strnig'") == true)
    #expect(
      loadError(#"{ n = { type = "string", of = "string" } }"#)?.contains("`of` gives the items") == true)
    #expect(
      loadError(#"{ n = { type = "integer", default = "x" } }"#)?.contains("the default does not fit") == true
    )
    #expect(
      loadError(#"{ n = { type = "string", pattern = "(x" } }"#)?.contains("unfinished capture") == true)
  }

  @Test func aListWhereAMapIsExpectedIsAnErrorNamingTheIndex() throws {
    // slack-export's keywords: a list gave keywords "1" and "2" that matched digits.
    let schema = #"{ keywords = { type = "map", of = "string", default = {} } }"#
    let found = try problems(schema, #"{ keywords = { "rolled back", "rollback" } }"#)
    #expect(found.count == 1)
    #expect(found.first?.contains("option 'keywords': expected map of string") == true, "\(found)")
    #expect(found.first?.contains(#"[1] = "rolled back""#) == true, "\(found)")
    #expect(try problems(schema, #"{ keywords = { rollback = "slack" } }"#).isEmpty)
  }

  @Test func listItemsOfTheWrongTypeAreNamedByIndex() throws {
    let schema = #"{ labels = { type = "list", of = "string" } }"#
    let found = try problems(schema, #"{ labels = { "a", 2, "c", true } }"#)
    #expect(
      found == [
        "option 'labels'[2]: expected string, got number 2",
        "option 'labels'[4]: expected string, got boolean true",
      ])
    #expect(try problems(schema, #"{ labels = { a = "x" } }"#).first?.contains("a sequence") == true)
  }

  @Test func recordsRefuseUnknownFields() throws {
    let schema =
      #"{ k = { type = "map", of = { type = { "string", "record" }, fields = { source = "string", kind = "string" } } } }"#
    #expect(try problems(schema, #"{ k = { a = "x", b = { source = "s", kind = "deploy" } } }"#).isEmpty)
    let found = try problems(schema, #"{ k = { b = { sorce = "s" } } }"#)
    #expect(found == ["option 'k'.b.sorce: unknown field 'sorce' (known: kind, source)"], "\(found)")
  }

  @Test func enumsPatternsAndBounds() throws {
    let schema = #"""
      { mode = { type = "string", values = { "a", "b" } }, repo = { type = "string", pattern = "^%w+/%w+$" },
        hour = { type = "integer", min = 0, max = 23 } }
      """#
    let found = try problems(schema, #"{ mode = "c", repo = "acme", hour = 24 }"#)
    #expect(found.count == 3, "\(found)")
    #expect(found.contains { $0.contains("option 'mode': must be one of \"a\", \"b\"") })
    #expect(found.contains { $0.contains("\"acme\" does not match the pattern ^%w+/%w+$") })
    #expect(found.contains { $0.contains("option 'hour': must be at most 23") })
  }

  @Test func luaPatternsMustCompile() throws {
    let schema = #"{ match = { type = "lua_pattern" }, words = { type = "list", of = "lua_pattern" } }"#
    let found = try problems(schema, #"{ match = "[abc", words = { "ok", "%" } }"#)
    #expect(found.count == 2, "\(found)")
    #expect(
      found.contains {
        $0.hasPrefix("option 'match': \"[abc\" is not a Lua pattern: malformed pattern (missing ']')")
      })
    #expect(found.contains { $0.hasPrefix("option 'words'[2]: \"%\" is not a Lua pattern") })
  }

  @Test func timeFormatsURLsAndEnvironmentNames() throws {
    let schema = #"{ f = { type = "time_format" }, url = { type = "url" }, token_env = { type = "env" } }"#
    let found = try problems(schema, #"{ f = "rfc3399", url = "htp:/x", token_env = "MY-TOKEN" }"#)
    #expect(found.count == 3, "\(found)")
    #expect(
      found.contains { $0.contains("\"rfc3399\" is not a time format (formats: rfc3339, nginx, unix)") })
    #expect(found.contains { $0.contains("is not an http:// or https:// URL") })
    #expect(found.contains { $0.contains("\"MY-TOKEN\" is not an environment variable name") })
    #expect(
      try problems(schema, #"{ f = "unix", url = "https://api.github.com", token_env = "GH_TOKEN" }"#).isEmpty
    )
  }

  @Test func urlAndEnvOptionsHaveNoDefault() throws {
    let m = try manifest(#"{ endpoint = { type = "url", default = "http://x.example" } }"#)
    #expect(throws: HostError.self) { try m.checkReachDefaults() }
    let e = try manifest(#"{ token = { type = "env", default = "HOME" } }"#)
    #expect(throws: HostError.self) { try e.checkReachDefaults() }
  }

  @Test func filesStayInsideThePipelineFolderAndMustExistUnderCheck() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
      .path
    try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    FileManager.default.createFile(atPath: dir + "/data/a.log", contents: Data("x\n".utf8))
    let files = FileAccess(pipelineDirectory: dir, outDirectory: dir + "/out")
    let schema = #"{ f = { type = "file" }, d = { type = "dir" }, g = { type = "glob" } }"#
    let checking = SchemaContext(files: files, checkFiles: true)
    #expect(
      try problems(schema, #"{ f = "data/a.log", d = "data", g = "data/*.log" }"#, context: checking).isEmpty)
    let found = try problems(
      schema, #"{ f = "../etc/passwd", d = "nope", g = "data/*.txt" }"#, context: checking)
    #expect(found.count == 3, "\(found)")
    #expect(found.contains { $0.contains("outside the pipeline folder") })
    #expect(found.contains { $0.contains("no folder 'nope'") })
    #expect(found.contains { $0.contains("no file matches 'data/*.txt'") })
    // A run leaves a missing input to its collector (a gap); escaping is refused always.
    let running = SchemaContext(files: files, checkFiles: false)
    #expect(try problems(schema, #"{ d = "nope" }"#, context: running).isEmpty)
    #expect(try problems(schema, #"{ f = "../x" }"#, context: running).count == 1)
  }

  @Test func everyProblemIsFoundNotOnlyTheFirst() throws {
    let schema = #"{ a = { type = "integer" }, b = { type = "string", required = true } }"#
    let found = try problems(schema, #"{ a = "x", c = 1 }"#)
    #expect(found.count == 3, "\(found)")
  }

  @Test func thePipelineKeysAreReadWithTheSameSchemaCode() throws {
    let lua = try LuaState()
    let t = try #require(
      try lua.run(
        #"return { dedupe_window_s = -1, continuous_sources = { "a", 2 }, evidence = "all", gap_min_s = "10", colect = {} }"#
      ).first?.tableValue)
    var problems: [ConfigProblem] = []
    _ = Pipeline.parse(t, path: "p.lua", directory: "/p", lines: PipelineLines(), problems: &problems)
    let text = problems.map(\.message)
    #expect(text.count == 5, "\(text)")
    #expect(text.contains { $0.contains("key 'dedupe_window_s': must be at least 0") })
    #expect(text.contains { $0.contains("key 'continuous_sources'[2]: expected string") })
    #expect(text.contains { $0.contains("key 'evidence': must be one of \"auto\", \"copy\"") })
    #expect(text.contains { $0.contains("key 'gap_min_s': expected number") })
    #expect(text.contains { $0.contains("unknown key 'colect'") })
    // The defaults are the schema's.
    let empty = try Pipeline.parse(LuaTable(), path: "p.lua", directory: "/p")
    #expect(empty.dedupeWindowSeconds == 120)
    #expect(empty.gapMinSeconds == 600)
    #expect(empty.tableMarginSeconds == 3600)
    #expect(empty.evidence == "auto")
  }

  @Test func theLineScanFindsKeysEntriesAndOptions() {
    let text = """
      -- a comment with collect = { "x" }
      local s = [[ collect = ]]
      return {
        incident = "incident.yaml",
        collect = {
          "kubectl-logs", -- first
          { "slack-export", dir = "export",
            keywords = { "a" } },
          { "log-pattern",
            ["path"] = "x.log" },
        },
      }
      """
    let lines = PipelineLines(text: Array(text.utf8), stages: ["collect"])
    #expect(lines.line(key: "incident") == 4)
    #expect(lines.line(key: "collect") == 5)
    #expect(lines.line(stage: "collect", entry: 1) == 6)
    #expect(lines.line(stage: "collect", entry: 2, option: "keywords") == 8)
    #expect(lines.line(stage: "collect", entry: 2, option: "missing") == 7)
    #expect(lines.line(stage: "collect", entry: 3, option: "path") == 10)
  }

  /// A mistake in a schema names the plugin file's line of that option, in the forms plugins
  /// write it (`name =` on its own line, `["name"] =`, all on the `options` line).
  @Test func aSchemaMistakeIsNamedWithTheLineOfItsOption() throws {
    let text = """
      return {
        api = 2, stage = "collect",
        -- path = { } in a comment above options does not count
        options = {
          path = { type = "file", required = true },
          ["level"] = { type = "strnig" },
          limit == 3,
        },
        run = function() end,
      }
      """
    #expect(PluginManifest.line(ofOption: "path", in: text) == 5)
    #expect(PluginManifest.line(ofOption: "level", in: text) == 6)
    #expect(PluginManifest.line(ofOption: "limit", in: text) == nil)
    #expect(PluginManifest.line(ofOption: "path", in: "return { options = { path = { type = 1 } } }") == 1)
    #expect(PluginManifest.line(ofOption: "path", in: "options = { path = { type = 1 } }") == 1)
  }
}
