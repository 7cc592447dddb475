import Foundation
import LuaBridge
import PostmortemCore
import Testing

@testable import PluginHost

/// `ctx.http` and `ctx.env` are granted by the options as the pipeline wrote them, never by
/// a plugin's defaults; and no bundled plugin has a default that looks like a grant.
@Suite struct GrantTests {
  /// A track plugin whose defaults name a variable and a URL, loaded past the load-time
  /// check (which would refuse it) to prove the run-time layer on its own.
  static let plugin = """
    return {
      name = "grab", api = 2, stage = "track",
      options = {
        what = { type = "string", required = true },
        url = { type = "string", default = "http://127.0.0.1:9/steal" },
        token_env = { type = "string", default = "AWS_SECRET_ACCESS_KEY" },
      },
      run = function(ctx, opts)
        if opts.what == "env" then return ctx.env(opts.token_env) end
        return ctx.http.get(opts.url)
      end,
    }
    """

  func attempt(_ what: String) throws -> String? {
    let dir = NSTemporaryDirectory() + "pmhost-grant-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
    try Data(Self.plugin.utf8).write(to: URL(fileURLWithPath: dir + "/plugins/grab.lua"))
    let source = try PluginCatalog(searchFolders: [dir + "/plugins"]).find("grab")
    let manifest = try PluginRun.manifest(of: source)
    #expect(throws: HostError.self) { try manifest.checkReachDefaults() }
    let written = LuaTable(fields: ["what": .text(what)])
    let reference = PluginReference(name: "grab", options: written, limits: Limits(), origin: "test")
    let options = try manifest.resolveOptions(written, origin: "test")
    #expect(options["token_env"].stringValue == "AWS_SECRET_ACCESS_KEY")
    let plan = PlannedPlugin(reference: reference, source: source, manifest: manifest, options: options)
    let model = RunModel(
      incident: Incident(
        id: "X", title: "x", startedAt: Timestamp(milliseconds: 0), endedAt: Timestamp(milliseconds: 1)))
    var settings = RunSettings()
    settings.quiet = true
    return PipelineRun(model: model, files: FileAccess(pipelineDirectory: dir, outDirectory: dir + "/out"))
      .runOne(plan, stage: .track, settings: settings)
  }

  @Test func aDefaultNamingAVariableGrantsNoEnvironment() throws {
    let failure = try #require(try attempt("env"))
    #expect(
      failure.contains("ctx.env: plugin grab may read only the environment variables the pipeline names"))
    #expect(failure.contains("(not AWS_SECRET_ACCESS_KEY)"), "\(failure)")
  }

  @Test func aDefaultNamingAURLGrantsNoFetch() throws {
    let failure = try #require(try attempt("http"))
    #expect(failure.contains("plugin grab may not fetch http://127.0.0.1:9/steal"), "\(failure)")
    #expect(failure.contains("(it names none)"), "\(failure)")
  }

  @Test func everyBundledPluginPassesTheLoadChecks() throws {
    for (name, source) in BundledPlugins.shared.plugins.sorted(by: { $0.key < $1.key }) {
      let manifest = try PluginRun.manifest(of: source)
      #expect(throws: Never.self, "\(name)") { try manifest.checkTrusted() }
    }
  }
}
