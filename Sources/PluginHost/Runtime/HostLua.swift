import Foundation

/// The host's own Lua, from `Sources/PluginHost/Lua/`, embedded in the binary at build time
/// (BuildPlugins/EmbedLuaPlugins, Sources/EmbedTool) like the bundled plugins.
enum HostLua {
  /// The text of `Sources/PluginHost/Lua/<path>`. A file missing from the build is a defect
  /// of the build, not of the user's input.
  static func source(_ path: String) -> String {
    guard let entry = HostLuaSources.files.first(where: { $0.path == path }),
      let data = Data(base64Encoded: entry.base64)
    else { preconditionFailure("Sources/PluginHost/Lua/\(path) is not embedded in this build") }
    return String(decoding: data, as: UTF8.self)
  }
}
