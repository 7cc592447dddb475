import PostmortemCore

/// incident.yaml loading on arbitrary text: an incident or an IncidentError, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzincidentInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = try? IncidentLoader.decodeYAML(text, origin: "fuzz.yaml")
  return 0
}

// SwiftPM links an executable's entry as `FuzzIncident_main` (aliased to `main`); hand control
// to libFuzzer's driver with this target's LLVMFuzzerTestOneInput.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<Int32>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

@_cdecl("FuzzIncident_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  var count = argc
  var arguments = argv
  return LLVMFuzzerRunDriver(&count, &arguments, fuzzincidentInput)
}
