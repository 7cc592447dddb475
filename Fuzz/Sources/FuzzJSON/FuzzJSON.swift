import Foundation
import PostmortemCore

/// JSONValue.parse on arbitrary bytes: a value or a JSONParseError, never a crash; what
/// parses writes out as JSON that parses again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzjsonInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Data(bytes: data, count: size)
  guard let value = try? JSONValue.parse(bytes) else { return 0 }
  let text = value.jsonText(pretty: false)
  if (try? JSONValue.parse(Data(text.utf8))) == nil { fatalError("written JSON does not parse: \(text)") }
  return 0
}

// SwiftPM links an executable's entry as `FuzzJSON_main` (aliased to `main`); hand control
// to libFuzzer's driver with this target's LLVMFuzzerTestOneInput.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<Int32>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

@_cdecl("FuzzJSON_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  var count = argc
  var arguments = argv
  return LLVMFuzzerRunDriver(&count, &arguments, fuzzjsonInput)
}
