import ArgumentParser
import Foundation
import PluginHost

/// `pmhost api`: the pm API reference, or LuaLS annotations for editors, from the one
/// declaration of the API in PluginHost (APIReference).
struct API: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "api",
    abstract:
      "Print the pm API reference (Markdown), its LuaLS annotations (--lua) or its declaration as JSON (--json)."
  )

  @Flag(help: "Print LuaLS annotations (---@class, ---@param) instead of Markdown.") var lua = false
  @Flag(
    help:
      "Print the declaration as JSON: functions (stages, typed parameters and results, errors, since) and table shapes."
  )
  var json = false
  @Option(help: ArgumentHelp("Write pm-api.md and pmhost.lua into this folder instead.", valueName: "DIR"))
  var write: String?

  func run() throws {
    if let write {
      for (name, text) in [
        ("pm-api.md", APIReference.markdown()), ("pmhost.lua", APIReference.luaAnnotations()),
      ] {
        let path = write + "/" + name
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
          throw HostError.configuration("cannot write \(path): \(error.localizedDescription)")
        }
        print(PluginHostPaths.display(path))
      }
      return
    }
    print(
      json ? APIReference.json() : lua ? APIReference.luaAnnotations() : APIReference.markdown(),
      terminator: "")
  }
}
