import Foundation

/// Where a plugin's files come from: a folder on disk or the copy built into pmhost.
public struct PluginSource: Sendable {
  public enum Origin: Sendable, Equatable {
    case directory(String)
    case bundled
  }

  /// The name it is found by (folder or file name).
  public var name: String
  /// The stage folder it sits in, if the layout groups by stage (`plugins/collect/x`).
  public var stageFolder: String?
  public var origin: Origin
  /// The plugin's own folder on disk, or `bundled/<stage>/<name>` for bundled plugins.
  public var folder: String
  /// The main file, relative to `folder`: `init.lua`, or `NAME.lua` for a single-file plugin.
  public var mainFile: String
  /// Bundled files by path relative to `folder`.
  var bundledFiles: [String: [UInt8]] = [:]

  package init(
    name: String, stageFolder: String? = nil, origin: Origin, folder: String, mainFile: String,
    bundledFiles: [String: [UInt8]] = [:]
  ) {
    self.name = name
    self.stageFolder = stageFolder
    self.origin = origin
    self.folder = folder
    self.mainFile = mainFile
    self.bundledFiles = bundledFiles
  }

  /// The path shown in errors and listings (`plugins/collect/x/init.lua`).
  public var displayPath: String { folder == "." ? mainFile : "\(folder)/\(mainFile)" }

  public var originDescription: String {
    switch origin {
    case .bundled: "bundled"
    case .directory: folder
    }
  }

  /// A file of the plugin (`init.lua`, a module), or nil.
  func file(_ relative: String) -> [UInt8]? {
    switch origin {
    case .bundled: return bundledFiles[relative]
    case .directory:
      let path = folder == "." ? relative : "\(folder)/\(relative)"
      return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }
  }

  /// A module the plugin `require`s, or nil: on disk, only a file inside the plugin's folder
  /// once symbolic links are resolved. A module linked to a file elsewhere
  /// (`creds.lua -> ~/.aws/credentials`) would be read past the sandbox's file rules, and
  /// its text shown in the syntax error `require` raises.
  func module(_ relative: String) -> [UInt8]? {
    if case .directory = origin {
      let path = folder == "." ? relative : "\(folder)/\(relative)"
      guard FileAccess.isInside(FileAccess.resolve(path), FileAccess.resolve(folder)) else { return nil }
    }
    return file(relative)
  }

  /// Display path of a module file.
  func displayPath(of relative: String) -> String { folder == "." ? relative : "\(folder)/\(relative)" }
}
