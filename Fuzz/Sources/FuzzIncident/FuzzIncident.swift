import FuzzDriver
import PostmortemCore

/// incident.yaml loading on arbitrary text: an incident or an IncidentError, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzincidentInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = try? IncidentLoader.decodeYAML(text, origin: "fuzz.yaml")
  return 0
}

// SwiftPM links an executable's entry as `FuzzIncident_main` (aliased to `main`).
@_cdecl("FuzzIncident_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  runFuzzer(argc, argv, fuzzincidentInput)
}
