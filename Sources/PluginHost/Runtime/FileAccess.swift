import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// File access for plugins: reads confined to the pipeline folder, writes to the out
/// folder, both after resolving `..` and symbolic links. Each refusal names the path and
/// the rule.
package struct FileAccess {
  /// The pipeline folder, resolved.
  let root: String
  /// The out folder as the user named it: the paths plugins and reports are shown.
  let outDirectory: String
  /// Where the run's files are written: the build folder that ``OutFolder`` swaps in at the
  /// end of the run (the out folder itself when there is none).
  let writeDirectory: String

  package init(pipelineDirectory: String, outDirectory: String, writeDirectory: String? = nil) {
    root = FileAccess.resolve(pipelineDirectory.isEmpty ? "." : pipelineDirectory)
    self.outDirectory = outDirectory
    self.writeDirectory = writeDirectory ?? outDirectory
  }

  static func resolve(_ path: String) -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    if let real = realpath(absolute, nil) {
      defer { free(real) }
      return String(cString: real)
    }
    return URL(fileURLWithPath: absolute).standardizedFileURL.path
  }

  /// Whether `path` names a file inside a folder by itself: not absolute, and no empty, `.`
  /// or `..` segment (what the evidence manifest and the out folder's marker may list).
  static func isPlainRelative(_ path: String) -> Bool {
    !path.hasPrefix("/")
      && !path.split(separator: "/", omittingEmptySubsequences: false).contains {
        $0.isEmpty || $0 == "." || $0 == ".."
      }
  }

  /// Whether the resolved path `path` is `root` or under it (both resolved).
  static func isInside(_ path: String, _ root: String) -> Bool {
    path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
  }

  package struct Refusal: Error, CustomStringConvertible {
    package var description: String
  }

  /// The real path of `relative` if it is inside the pipeline folder.
  package func readablePath(_ relative: String) throws(Refusal) -> String {
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

  /// The path to write `name` at, inside the out folder (the build folder of the run).
  func writablePath(_ name: String) throws(Refusal) -> String {
    let parts = name.split(separator: "/")
    guard !name.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else {
      throw Refusal(
        description: "'\(name)' is not a plain relative name; plugins may write only inside the out folder")
    }
    if let rule = Self.reservedRule(parts) {
      throw Refusal(description: "'\(name)' is refused: \(rule); plugins may write only their own outputs")
    }
    // A symbolic link inside the out folder (shipped with the pipeline folder, say) would
    // carry the write elsewhere: every existing step of the path must be a real folder or file.
    var path = writeDirectory
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
    return writeDirectory + "/" + name
  }

  /// Why a name in the out folder is pmhost's alone (nil when a plugin may write it): the
  /// evidence a replay trusts, and the files that say what the folder holds.
  static func reservedRule(_ parts: [Substring]) -> String? {
    // Lower-cased: on a case-insensitive file system EVIDENCE/x is evidence/x.
    let first = parts[0].lowercased()
    if first == "evidence" { return "evidence/ is the run's sealed evidence, written only by pmhost" }
    // In any folder: a marker there would make that folder pmhost's to a later --out.
    if let marker = parts.first(where: { $0.lowercased().hasPrefix(OutFolder.markerName) }) {
      return "\(marker.lowercased()) is pmhost's record of what the out folder holds"
    }
    // The system would write a name cut at a NUL (or mangled): another file than named.
    if parts.contains(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
      return "it holds a control character (such as NUL or a line break)"
    }
    // Even as a folder: `--replay out` takes the out folder for the evidence folder when it
    // holds a manifest.json.
    if first == "manifest.json" {
      return "manifest.json beside the reports would be read as an evidence manifest by --replay"
    }
    guard parts.count == 1 else { return nil }
    if first == "answers.yaml" {
      return "answers.yaml holds the prompt answers pmhost saves for the next run"
    }
    return nil
  }

  /// Writes atomically: a temporary file in the same folder, then rename.
  package static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    try writeAtomically(to: path) { write in try write(bytes) }
  }

  /// Writes atomically what `produce` hands to its `write`, chunk by chunk (a report far
  /// larger than one buffer): a new temporary file beside `path` (never an existing file or
  /// a link), renamed over `path` once complete; removed when anything fails.
  static func writeAtomically(
    to path: String, _ produce: (_ write: ([UInt8]) throws -> Void) throws -> Void
  ) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var temporary = ""
    var fd: Int32 = -1
    for attempt in 0..<100 {
      temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(attempt)"
      fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
      if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    var done = false
    defer {
      if fd >= 0 { close(fd) }
      if !done { unlink(temporary) }
    }
    try produce { chunk in
      try chunk.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
          let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
          if n < 0 {
            if errno == EINTR { continue }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
          }
          offset += n
        }
      }
    }
    guard close(fd) == 0 else {
      fd = -1
      throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
    fd = -1
    guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    done = true
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
    let out = [FileAccess.resolve(outDirectory), FileAccess.resolve(writeDirectory)]
    func walk(_ relative: String, _ segments: ArraySlice<Substring>) {
      let directory = relative.isEmpty ? root : root + "/" + relative
      if !relative.isEmpty, out.contains(directory) { return }
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
