import ArgumentParser
import Foundation
import PluginHost
import PluginScaffold

/// `pmhost new pipeline DIR` and `pmhost new plugin NAME --stage STAGE`.
struct New: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Start a pipeline folder or a plugin from a template (never overwrites a file).",
    subcommands: [PipelineFolder.self, Plugin.self])

  struct PipelineFolder: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pipeline",
      abstract: "A pipeline folder that runs as it is: a sample incident to make your own.",
      discussion: """
        Writes pipeline.lua, incident.yaml, data/events.log, whys.yaml (five-whys), actions.yaml \
        (action-items), severity-rules.lua (severity), answers.yaml (--answers), plugins/ and \
        .luacheckrc (luacheck with the pm globals).
        """)
    @Argument(help: "The folder (created when missing).") var directory: String

    func run() throws {
      for path in try Scaffold.pipeline(in: directory) { print(PluginHostPaths.display(path)) }
      FileHandle.standardError.write(
        Data(
          "pmhost: next: pmhost run \(directory)/pipeline.lua runs the sample incident; then make it yours: incident.yaml, data/ and pipeline.lua's collect, whys.yaml, actions.yaml\n"
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
