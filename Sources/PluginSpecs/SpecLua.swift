import Foundation

/// The spec runner's Lua, from `Sources/PluginSpecs/Lua/`, embedded in the binary at build time
/// (BuildPlugins/EmbedLuaPlugins, Sources/EmbedTool) like the bundled plugins.
enum SpecLua {
  /// The text of `Sources/PluginSpecs/Lua/<path>`. A file missing from the build is a defect
  /// of the build, not of the user's input.
  static func source(_ path: String) -> String {
    guard let entry = SpecLuaSources.files.first(where: { $0.path == path }),
      let data = Data(base64Encoded: entry.base64)
    else { preconditionFailure("Sources/PluginSpecs/Lua/\(path) is not embedded in this build") }
    return String(decoding: data, as: UTF8.self)
  }
}
