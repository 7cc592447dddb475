import Foundation
import PackagePlugin

/// Turns the folders of `embeddedFolders` into Swift source (Sources/EmbedTool), so that the
/// `pmhost` binary carries the bundled Lua plugins, the spec runner's Lua and the templates
/// of `pmhost new`, and works when copied alone into any folder.
@main
struct EmbedLuaPlugins: BuildToolPlugin {
  /// The folders embedded, relative to the package, by the target that uses them: each with
  /// the Swift enum that holds its files and whether every file is embedded (else only the
  /// runtime Lua). The one list: a new folder is one more entry here.
  static let embeddedFolders: [String: [(enumName: String, path: String, everyFile: Bool)]] = [
    "PluginHost": [("BundledPluginSources", "plugins", false)],
    "PluginSpecs": [("SpecLuaSources", "Sources/PluginSpecs/Lua", false)],
    "PluginScaffold": [("ScaffoldSources", "scaffold", true)],
  ]

  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSources.swift")
    guard let folders = Self.embeddedFolders[target.name] else { return [] }
    // The folders are inputs too: SwiftPM may not ask this plugin again when a file is
    // added, but a new entry changes its folder, which reruns EmbedTool, and EmbedTool walks
    // the whole tree itself.
    var inputs: [URL] = []
    var arguments = [output.path]
    for folder in folders {
      let root = context.package.directoryURL.appending(path: folder.path)
      if folder.everyFile { arguments.append("--every-file") }
      arguments.append("\(folder.enumName)=\(root.path)")
      inputs.append(root)
      if let walker = FileManager.default.enumerator(
        at: root, includingPropertiesForKeys: [.isDirectoryKey])
      {
        for case let url as URL in walker {
          let isDirectory = (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true
          if folder.everyFile || url.pathExtension == "lua" || isDirectory { inputs.append(url) }
        }
      }
    }
    inputs.sort { $0.path < $1.path }
    return [
      .buildCommand(
        displayName:
          "Embedding \(folders.map(\.path).joined(separator: ", ")) in \(target.name) (\(inputs.count) files and folders)",
        executable: try context.tool(named: "EmbedTool").url,
        arguments: arguments,
        inputFiles: inputs,
        outputFiles: [output]
      )
    ]
  }
}
