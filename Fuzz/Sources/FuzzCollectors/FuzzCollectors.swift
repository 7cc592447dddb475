import Foundation
import FuzzDriver
import PluginHost

/// The bundled nginx-access, alertmanager and pagerduty collectors (Lua, through the whole
/// plugin host) on the fuzzed bytes as their input file: a report or data gaps, never a
/// crash of the host.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzcollectorsInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let dir = Workspace.shared
  FileManager.default.createFile(atPath: dir + "/data/input", contents: Data(bytes: data, count: size))
  var settings = RunSettings()
  settings.quiet = true
  settings.echoWarnings = false
  _ = try? PipelineRunner.run(
    pipelinePath: dir + "/pipeline.lua", outOverride: dir + "/out", settings: settings)
  return 0
}

enum Workspace {
  static let shared: String = {
    let dir = NSTemporaryDirectory() + "pmhost-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
    let incident = """
      id: PM-FUZZ
      title: Fuzz
      started_at: 2025-02-09T10:00:00Z
      ended_at: 2025-02-09T11:00:00Z
      """
    FileManager.default.createFile(atPath: dir + "/incident.yaml", contents: Data(incident.utf8))
    let pipeline = """
      return {
        incident = "incident.yaml", out = "out",
        limits = { time_s = 5, memory_mb = 128 },
        collect = {
          { "nginx-access", path = "data/input" },
          { "alertmanager", file = "data/input" },
          { "pagerduty", file = "data/input" },
        },
        report = { "json" },
      }
      """
    FileManager.default.createFile(atPath: dir + "/pipeline.lua", contents: Data(pipeline.utf8))
    return dir
  }()
}

// SwiftPM links an executable's entry as `FuzzCollectors_main` (aliased to `main`).
@_cdecl("FuzzCollectors_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  runFuzzer(argc, argv, fuzzcollectorsInput)
}
