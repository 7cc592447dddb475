import Foundation

/// File access for plugins: reads confined to the pipeline folder, writes to the out
/// folder, both after resolving `..` and symbolic links. Each refusal names the path and
/// the rule.
struct FileAccess {
  /// The pipeline folder, resolved.
  let root: String
  /// The out folder (created on first write).
  let outDirectory: String

  init(pipelineDirectory: String, outDirectory: String) {
    root = FileAccess.resolve(pipelineDirectory.isEmpty ? "." : pipelineDirectory)
    self.outDirectory = outDirectory
  }

  static func resolve(_ path: String) -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    if let real = realpath(absolute, nil) {
      defer { free(real) }
      return String(cString: real)
    }
    return URL(fileURLWithPath: absolute).standardizedFileURL.path
  }

  /// Whether the resolved path `path` is `root` or under it (both resolved).
  static func isInside(_ path: String, _ root: String) -> Bool {
    path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
  }

  struct Refusal: Error, CustomStringConvertible {
    var description: String
  }

  /// The real path of `relative` if it is inside the pipeline folder.
  func readablePath(_ relative: String) throws(Refusal) -> String {
    guard !relative.isEmpty else { throw Refusal(description: "empty path") }
    let joined = relative.hasPrefix("/") ? relative : root + "/" + relative
    let resolved = FileAccess.resolve(joined)
    guard FileAccess.isInside(resolved, root) else {
      throw Refusal(
        description:
          "'\(relative)' is outside the pipeline folder (\(root)); plugins may read only files under it")
    }
    return resolved
  }

  /// The path to write `name` at, inside the out folder.
  func writablePath(_ name: String) throws(Refusal) -> String {
    let parts = name.split(separator: "/")
    guard !name.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else {
      throw Refusal(
        description: "'\(name)' is not a plain relative name; plugins may write only inside the out folder")
    }
    // A symbolic link inside the out folder (shipped with the pipeline folder, say) would
    // carry the write elsewhere: every existing step of the path must be a real folder or file.
    var path = outDirectory
    for part in parts {
      path += "/" + part
      var info = stat()
      if lstat(path, &info) != 0 { break }
      if (info.st_mode & S_IFMT) == S_IFLNK {
        throw Refusal(
          description:
            "'\(name)' goes through a symbolic link in the out folder; plugins may write only inside the out folder"
        )
      }
    }
    return outDirectory + "/" + name
  }

  /// Writes atomically: a temporary file in the same folder, then rename.
  static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url, options: .atomic)
  }

  /// Paths under the pipeline folder matching a glob (`*`, `?`, `[...]` per segment; `**`
  /// any number of folders), relative to it, sorted.
  func glob(_ pattern: String) throws(Refusal) -> [String] {
    guard !pattern.hasPrefix("/"), !pattern.split(separator: "/").contains("..") else {
      throw Refusal(description: "glob '\(pattern)' must stay inside the pipeline folder")
    }
    var results: [String] = []
    // The out folder (reports, evidence copies) is never an input: a `**` glob over the
    // pipeline folder would otherwise find this run's own evidence.
    let out = FileAccess.resolve(outDirectory)
    func walk(_ relative: String, _ segments: ArraySlice<Substring>) {
      let directory = relative.isEmpty ? root : root + "/" + relative
      if !relative.isEmpty, directory == out { return }
      guard let segment = segments.first else {
        results.append(relative)
        return
      }
      let rest = segments.dropFirst()
      func child(_ name: String) -> String { relative.isEmpty ? name : relative + "/" + name }
      let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
      if segment == "**" {
        walk(relative, rest)
        for entry in entries where !entry.hasPrefix(".") {
          var isDirectory: ObjCBool = false
          if FileManager.default.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory),
            isDirectory.boolValue
          {
            walk(child(entry), segments)
          }
        }
        return
      }
      for entry in entries where fnmatch(String(segment), entry, FNM_PERIOD) == 0 {
        if rest.isEmpty {
          results.append(child(entry))
        } else {
          walk(child(entry), rest)
        }
      }
    }
    walk("", pattern.split(separator: "/")[...])
    return Array(Set(results)).sorted()
  }
}
