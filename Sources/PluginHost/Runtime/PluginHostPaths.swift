import Foundation

/// Paths as pmhost shows them.
public enum PluginHostPaths {
  /// A path relative to the current folder when it is below it.
  public static func display(_ path: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath
    let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
    return standardized.hasPrefix(cwd + "/") ? String(standardized.dropFirst(cwd.count + 1)) : standardized
  }
}
