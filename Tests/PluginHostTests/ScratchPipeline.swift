import Foundation

@testable import PluginHost

/// A pipeline folder in the temporary directory, `plugins/NAME.lua` for each plugin and
/// `pipeline.lua`, run quietly with no prompts. `remove()` deletes it.
struct ScratchPipeline {
  let dir: String

  init(_ label: String, plugins: [String: String], pipeline: String) throws {
    dir =
      FileManager.default.temporaryDirectory.appendingPathComponent("pm-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
    for (name, source) in plugins {
      try source.write(toFile: dir + "/plugins/\(name).lua", atomically: true, encoding: .utf8)
    }
    try pipeline.write(toFile: dir + "/pipeline.lua", atomically: true, encoding: .utf8)
  }

  func run() throws -> RunOutcome {
    var settings = RunSettings()
    settings.quiet = true
    settings.interactive = false
    settings.echoWarnings = false
    return try PipelineRunner.run(pipelinePath: dir + "/pipeline.lua", outOverride: nil, settings: settings)
  }

  func remove() { try? FileManager.default.removeItem(atPath: dir) }
}
