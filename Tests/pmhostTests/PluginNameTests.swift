import Foundation
import Testing

/// Names are honest: a local plugin that shadows a bundled one is reported on stderr and in
/// report.json (`pmhost.plugins`: name, version, origin, shadows_bundled); reserved names,
/// and a declared name that differs from the one the plugin is found by, are refused.
@Suite struct PluginNameTests {
  static let incident = """
    incident = { id = "PM-N", title = "Names", started_at = "2025-02-09T10:00:00Z",
      ended_at = "2025-02-09T11:00:00Z" },
    """

  @Test func aLocalPluginShadowingABundledOneIsReported() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write(
      "plugins/validate/checklist/init.lua",
      #"""
      return { name = "checklist", api = 2, stage = "validate", version = "9.9.9",
        run = function(ctx) ctx.report.check("local", true, "") end }
      """#)
    try scratch.write(
      "pipeline.lua", "return { \(Self.incident) report = { \"json\" }, validate = { \"checklist\" } }")
    let check = try PMHostProcess.run(["check", "pipeline.lua"], in: scratch.path)
    #expect(check.status == 0, "\(check.stderr)")
    let notice = "/plugins/validate/checklist/init.lua, not the bundled plugin of the same name"
    #expect(
      check.stderr.contains("warning: pipeline.lua: validate[1]: plugin 'checklist' is loaded from "),
      "\(check.stderr)")
    #expect(check.stderr.contains(notice), "\(check.stderr)")
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains(notice), "\(run.stderr)")
    let report = try EvidenceTests.json(scratch.path + "/out/report.json")
    let meta = try #require(report["pmhost"] as? [String: Any])
    let plugins = try #require(meta["plugins"] as? [[String: Any]])
    let byName = Dictionary(uniqueKeysWithValues: plugins.map { ($0["name"] as? String ?? "?", $0) })
    let local = try #require(byName["checklist"])
    #expect(
      (local["origin"] as? String)?.hasSuffix("/plugins/validate/checklist/init.lua") == true, "\(local)")
    #expect(local["version"] as? String == "9.9.9")
    #expect(local["stage"] as? String == "validate")
    #expect(local["shadows_bundled"] as? Bool == true)
    let json = try #require(byName["json"])
    #expect(json["origin"] as? String == "bundled")
    #expect(json["shadows_bundled"] as? Bool == false)
    let warnings = (report["warnings"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
    #expect(warnings.contains { $0.contains(notice) }, "\(warnings)")
    // The report pmhost wrote still validates.
    let validate = try PMHostProcess.run(["validate", "out/report.json"], in: scratch.path)
    #expect(validate.status == 0 || validate.status == 1, "\(validate.stderr)")
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var file: String
    var declared: String?
    var reference: String
    var says: String
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "folder pmhost", file: "plugins/pmhost/init.lua", declared: nil, reference: "pmhost",
      says: "plugin name 'pmhost' is reserved"),
    Case(
      name: "declared pmhost", file: "plugins/helper.lua", declared: "pmhost", reference: "helper",
      says: "plugin name 'pmhost' is reserved"),
    Case(
      name: "pmhost- prefix", file: "plugins/pmhost-extra.lua", declared: nil, reference: "pmhost-extra",
      says: "plugin name 'pmhost-extra' is reserved"),
    Case(
      name: "pm", file: "plugins/pm.lua", declared: "pm", reference: "pm",
      says: "plugin name 'pm' is reserved"),
    Case(
      name: "a stage name", file: "plugins/collect.lua", declared: nil, reference: "collect",
      says: "plugin name 'collect' is reserved: 'collect' is a stage name"),
    Case(
      name: "declared name differs", file: "plugins/tool.lua", declared: "nginx-access", reference: "tool",
      says: #"declares name = "nginx-access" but is found as 'tool'"#),
    // Look-alikes of reserved names, and names no listing can show as they are.
    Case(
      name: "fullwidth pmhost", file: "plugins/ｐｍｈｏｓｔ/init.lua", declared: nil, reference: "ｐｍｈｏｓｔ",
      says: "'ｐｍｈｏｓｔ' is not a plugin name: ASCII letters, digits, - and _, starting with a letter"),
    Case(
      name: "Cyrillic o in pmhost", file: "plugins/helper.lua", declared: "pmh\u{43E}st", reference: "helper",
      says: "'pmh\u{43E}st' is not a plugin name"),
    Case(
      name: "a space", file: "plugins/a b.lua", declared: nil, reference: "a b",
      says: "'a b' is not a plugin name"),
  ]

  @Test(arguments: cases) func reservedAndMismatchedNamesAreRefused(_ c: Case) throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let declared = c.declared.map { "name = \"\($0)\", " } ?? ""
    try scratch.write(c.file, "return { \(declared)api = 2, stage = \"collect\", run = function() end }")
    try scratch.write(
      "pipeline.lua", "return { \(Self.incident) collect = { \"\(c.reference)\" }, report = { \"json\" } }")
    for command in ["check", "run"] {
      let result = try PMHostProcess.run([command, "pipeline.lua"], in: scratch.path)
      #expect(result.status == 2, "\(command): \(result.stderr)")
      #expect(result.stderr.contains("pipeline.lua:2: collect[1] (\(c.reference))"), "\(result.stderr)")
      #expect(result.stderr.contains(c.says), "\(command): \(result.stderr)")
    }
  }

  /// A one-line `plugins/checklist.lua` beside a reviewed `plugins/validate/checklist/` used to
  /// win silently (the lookup order): two plugins of one name in one folder are refused.
  @Test func twoPluginsOfOneNameInOneFolderAreRefused() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let plugin = #"return { name = "checklist", api = 2, stage = "validate", run = function(ctx) end }"#
    try scratch.write("plugins/validate/checklist/init.lua", plugin)
    try scratch.write("plugins/checklist.lua", plugin)
    try scratch.write(
      "pipeline.lua", "return { \(Self.incident) report = { \"json\" }, validate = { \"checklist\" } }")
    for command in ["check", "run"] {
      let result = try PMHostProcess.run([command, "pipeline.lua"], in: scratch.path)
      #expect(result.status == 2, "\(command): \(result.stderr)")
      #expect(
        result.stderr.contains(
          "pipeline.lua:2: validate[1] (checklist): plugin 'checklist' is defined 2 times in "),
        "\(result.stderr)")
      #expect(
        result.stderr.contains("plugins/checklist.lua")
          && result.stderr.contains("plugins/validate/checklist/init.lua"))
    }
  }

  @Test func newPluginRefusesAReservedName() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    for name in ["pmhost", "pmhost-tools", "collect"] {
      let result = try PMHostProcess.run(["new", "plugin", name, "--stage", "collect"], in: scratch.path)
      #expect(result.status == 2, "\(name): \(result.stderr)")
      #expect(result.stderr.contains("'\(name)' is a reserved plugin name"), "\(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: scratch.path + "/plugins/\(name)"))
    }
  }
}
