import Foundation
import PackagePlugin

/// Turns the bundled Lua plugins under `plugins/` into Swift source, so that the `pmhost`
/// binary carries them and works when copied alone into any folder.
@main
struct EmbedLuaPlugins: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let root = context.package.directoryURL.appending(path: "plugins")
    let output = context.pluginWorkDirectoryURL.appending(path: "BundledPluginSources.swift")
    var inputs: [URL] = []
    if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
      for case let url as URL in walker where url.pathExtension == "lua" {
        inputs.append(url)
      }
    }
    inputs.sort { $0.path < $1.path }
    return [
      .buildCommand(
        displayName: "Embedding \(inputs.count) bundled Lua files",
        executable: try context.tool(named: "EmbedTool").url,
        arguments: [root.path, output.path],
        inputFiles: inputs,
        outputFiles: [output]
      )
    ]
  }
}
