import Foundation
import PostmortemCore
import Testing

@testable import PostmortemDocument

// TEMPORARY debugging aid: PMDOC_DUMP=file swift test --filter Dump
@Suite struct DumpTests {
  @Test(.enabled(if: ProcessInfo.processInfo.environment["PMDOC_DUMP"] != nil)) func dump() throws {
    for path in ProcessInfo.processInfo.environment["PMDOC_DUMP"]!.split(separator: ":") {
      let text = try String(contentsOfFile: String(path), encoding: .utf8)
      let v = DocumentReader.read(text: text, name: URL(fileURLWithPath: String(path)).lastPathComponent)
      var imp = v["imported"]!.objectValue!
      if ProcessInfo.processInfo.environment["PMDOC_PROSE"] == nil { imp["prose"] = nil }
      var o = v.objectValue!
      o["imported"] = .object(imp)
      if ProcessInfo.processInfo.environment["PMDOC_QUIET"] == nil { print(JSONValue.object(o).jsonText(pretty: true)) }
    }
  }
}
