import ArgumentParser
import Foundation
import PluginHost

/// `pmhost new pipeline DIR` and `pmhost new plugin NAME --stage STAGE`.
struct New: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Start a pipeline folder or a plugin from a template (never overwrites a file).",
    subcommands: [PipelineFolder.self, Plugin.self])

  struct PipelineFolder: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pipeline", abstract: "A pipeline folder: pipeline.lua, incident.yaml, data/, plugins/.")
    @Argument(help: "The folder (created when missing).") var directory: String

    func run() throws {
      for path in try Scaffold.pipeline(in: directory) { print(PluginHostPaths.display(path)) }
      FileHandle.standardError.write(
        Data(
          "pmhost: next: edit incident.yaml, add collectors to pipeline.lua, then pmhost run \(directory)/pipeline.lua\n"
            .utf8))
    }
  }

  struct Plugin: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "A plugin folder with init.lua and a spec, under plugins/ of the current (or --dir) folder.")
    @Argument(help: "The plugin's name.") var name: String
    @Option(help: "Its stage: collect, timeline, analyze, classify, act, report, validate or track.")
    var stage: String
    @Option(help: "The pipeline folder whose plugins/ gets it (default: the current folder).") var dir = "."

    func run() throws {
      for path in try Scaffold.plugin(name: name, stage: stage, in: dir) {
        print(PluginHostPaths.display(path))
      }
      FileHandle.standardError.write(
        Data("pmhost: next: pmhost test \(dir == "." ? "" : dir + "/")plugins/\(name)\n".utf8))
    }
  }
}
