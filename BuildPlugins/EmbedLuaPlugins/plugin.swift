import Foundation
import PackagePlugin

/// Turns the bundled Lua plugins under `plugins/` into Swift source, so that the `pmhost`
/// binary carries them and works when copied alone into any folder.
@main
struct EmbedLuaPlugins: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let root = context.package.directoryURL.appending(path: "plugins")
    let output = context.pluginWorkDirectoryURL.appending(path: "BundledPluginSources.swift")
    // The folders are inputs too: SwiftPM may not ask this plugin again when a plugin is
    // added, but a new entry changes its folder, which reruns EmbedTool, and EmbedTool walks
    // the whole tree itself.
    var inputs: [URL] = [root]
    if let walker = FileManager.default.enumerator(
      at: root, includingPropertiesForKeys: [.isDirectoryKey])
    {
      for case let url as URL in walker {
        let isDirectory = (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true
        if url.pathExtension == "lua" || isDirectory { inputs.append(url) }
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
