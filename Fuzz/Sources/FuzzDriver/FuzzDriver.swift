/// The part every fuzz target shares: handing control to libFuzzer's driver. SwiftPM links
/// an executable's entry as `<Target>_main` (aliased to `main`), so each target keeps a
/// three-line entry that calls ``runFuzzer(_:_:_:)`` with its LLVMFuzzerTestOneInput.
@_silgen_name("LLVMFuzzerRunDriver")
func libFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<Int32>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

public func runFuzzer(
  _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
  _ input: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32 {
  var count = argc
  var arguments = argv
  return libFuzzerRunDriver(&count, &arguments, input)
}
