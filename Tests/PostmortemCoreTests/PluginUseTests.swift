import Foundation
import Testing

@testable import PostmortemCore

/// report.json `pmhost.plugins`: written with every report, read back, and optional when
/// reading reports written before pmhost recorded it.
@Suite struct PluginUseTests {
  @Test func pluginsRoundTripAndMayBeAbsent() throws {
    var report = sampleReport()
    report.meta.plugins = [
      PluginUse(
        name: "checklist", stage: "validate", version: "9.9.9", origin: "/p/plugins/checklist/init.lua",
        shadowsBundled: true),
      PluginUse(name: "json", stage: "report", version: "0.1.0", origin: "bundled", shadowsBundled: false),
    ]
    let data = try report.jsonData()
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains(#""shadows_bundled": true"#), "\(text.prefix(600))")
    #expect(try Report.decode(data).meta.plugins == report.meta.plugins)

    var tree = try report.jsonValue()
    guard case .object(var root) = tree, case .object(var meta) = root["pmhost"] else {
      Issue.record("report.json has no pmhost object")
      return
    }
    meta["plugins"] = nil
    root["pmhost"] = .object(meta)
    tree = .object(root)
    let older = try Report.decode(Data(tree.jsonText(pretty: false).utf8))
    #expect(older.meta.plugins == [])
  }
}
