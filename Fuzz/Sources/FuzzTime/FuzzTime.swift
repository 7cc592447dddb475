import FuzzDriver
import PostmortemCore

/// The time parsers on arbitrary text: no crash, and a parsed RFC 3339 time formats and
/// parses back to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzztimeInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = TimeParser.nginx(text)
  _ = TimeParser.unixSeconds(text)
  _ = try? TimeParser.parseNginx(text)
  _ = try? TimeParser.parseUnixSeconds(text)
  if let time = TimeParser.rfc3339(text) {
    let again = TimeParser.rfc3339(time.formatted(.rfc3339))
    if again != time { fatalError("RFC 3339 round trip: \(text) -> \(time.formatted(.rfc3339))") }
  }
  return 0
}

// SwiftPM links an executable's entry as `FuzzTime_main` (aliased to `main`).
@_cdecl("FuzzTime_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  runFuzzer(argc, argv, fuzztimeInput)
}
