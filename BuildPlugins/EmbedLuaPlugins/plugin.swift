import Foundation
import PackagePlugin

/// Turns the Lua of `embeddedFolders` (the bundled plugins under `plugins/`, the host's own
/// Lua under `Sources/PluginHost/Lua/`) into Swift source, so that the `pmhost` binary
/// carries them and works when copied alone into any folder. Sources/EmbedTool says how.
@main
struct EmbedLuaPlugins: BuildToolPlugin {
  /// The folders embedded, relative to the package, each with the Swift enum that holds
  /// its files. The one list: a new folder of Lua is one more entry here.
  static let embeddedFolders: [(enumName: String, path: String)] = [
    ("BundledPluginSources", "plugins"),
    ("HostLuaSources", "Sources/PluginHost/Lua"),
  ]

  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedLuaSources.swift")
    // The folders are inputs too: SwiftPM may not ask this plugin again when a file is
    // added, but a new entry changes its folder, which reruns EmbedTool, and EmbedTool walks
    // the whole tree itself.
    var inputs: [URL] = []
    var arguments = [output.path]
    for folder in Self.embeddedFolders {
      let root = context.package.directoryURL.appending(path: folder.path)
      arguments.append("\(folder.enumName)=\(root.path)")
      inputs.append(root)
      if let walker = FileManager.default.enumerator(
        at: root, includingPropertiesForKeys: [.isDirectoryKey])
      {
        for case let url as URL in walker {
          let isDirectory = (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true
          if url.pathExtension == "lua" || isDirectory { inputs.append(url) }
        }
      }
    }
    inputs.sort { $0.path < $1.path }
    return [
      .buildCommand(
        displayName: "Embedding \(inputs.count) Lua files and folders",
        executable: try context.tool(named: "EmbedTool").url,
        arguments: arguments,
        inputFiles: inputs,
        outputFiles: [output]
      )
    ]
  }
}
