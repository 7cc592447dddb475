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
      print(json ? try PluginListing.json(rows) : PluginListing.table(rows), terminator: json ? "\n" : "")
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A plugin's metadata, options and docs.")
    @Argument(help: "Plugin name.") var name: String
    @Option(help: "Search as a pipeline in this folder would.") var pipelineDir: String = "."

    func run() throws {
      print(try PluginListing.info(name, pipelineDirectory: pipelineDir), terminator: "")
    }
  }
}
