import ArgumentParser
import Foundation
import PluginHost

struct Plugins: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List plugins and show their options.", subcommands: [List.self, Info.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Every plugin pmhost can find, in search order.")
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Search as a pipeline in this folder would (default: the current folder).")
    var pipelineDir: String = "."

    func run() throws {
      let rows = try PluginListing.rows(pipelineDirectory: pipelineDir)
      if json { print(try PluginListing.json(rows)) } else { say(PluginListing.table(rows), terminator: "") }
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A plugin's metadata, options and docs.")
    @Argument(help: "Plugin name.") var name: String
    @Option(help: "Search as a pipeline in this folder would.") var pipelineDir: String = "."

    func run() throws {
      say(try PluginListing.info(name, pipelineDirectory: pipelineDir), terminator: "")
    }
  }
}
