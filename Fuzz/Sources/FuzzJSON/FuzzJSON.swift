import Foundation
import FuzzDriver
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

// SwiftPM links an executable's entry as `FuzzJSON_main` (aliased to `main`).
@_cdecl("FuzzJSON_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  runFuzzer(argc, argv, fuzzjsonInput)
}
