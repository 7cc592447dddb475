import Foundation
import PostmortemCore

/// The out folder of a run: pmhost's or nobody's.
///
/// - A folder pmhost made holds a marker, `.pmhost`: JSON saying that `pmhost run` wrote it
///   and listing every file the run wrote (its inventory).
/// - pmhost refuses an out folder that is a symbolic link, that is a system folder
///   (``systemFolderRule(_:)``), or that is not empty and has no marker.
/// - A run holds a lock (`flock` on `PARENT/.NAME.pmhost-lock`) from start to swap, so a
///   second run into the same folder stops at once, naming the first one's pid.
/// - A run writes into a sibling build folder, `PARENT/.NAME.pmhost-new-PID`, on the same
///   file system, and swaps it in at the end (`renameat2(RENAME_EXCHANGE)`, else two
///   renames). A run killed at any moment leaves the previous folder whole.
/// - The previous folder is then retired: the files its inventory lists are deleted, every
///   other file (the user's, or one changed since the run wrote it) is carried over into the
///   new folder, and said so on stderr. Nothing pmhost did not write is deleted.
final class OutFolder {
  static let markerName = ".pmhost"

  /// The out folder as the user named it.
  let path: String
  /// Its parent folder, resolved, and its own name.
  let parent: String
  let name: String
  /// Where this run writes; swapped in by ``finish()``.
  let build: String
  private let lockPath: String
  private var lock: Int32 = -1
  private var done = false
  /// Whether this run made ``build``: a folder already there under that name is not its own.
  private var madeBuild = false

  /// `parent/name`: the out folder with its parent resolved.
  var absolute: String { sibling(name) }

  private init(path: String, parent: String, name: String) {
    self.path = path
    self.parent = parent
    self.name = name
    build = Self.join(parent, "." + name + ".pmhost-new-\(getpid())")
    lockPath = Self.join(parent, "." + name + ".pmhost-lock")
  }

  /// `entry` in the out folder's parent.
  private func sibling(_ entry: String) -> String { Self.join(parent, entry) }
  private static func join(_ folder: String, _ entry: String) -> String {
    folder == "/" ? "/" + entry : folder + "/" + entry
  }

  // MARK: opening

  /// Checks `path` as an out folder, takes its lock, clears what killed runs left, and
  /// makes the build folder.
  static func open(_ path: String) throws(HostError) -> OutFolder {
    var trimmed = path
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
    // Split by hand: Foundation's deletingLastPathComponent traps on a bare name.
    let slash = trimmed == "/" ? nil : trimmed.lastIndex(of: "/")
    let name =
      trimmed == "/"
      ? "/" : String(trimmed[(slash.map { trimmed.index(after: $0) } ?? trimmed.startIndex)...])
    let rawParent = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? ""
    guard !name.isEmpty, name != ".", name != "..", name != "/" else {
      throw .configuration(
        "the out folder \(path) is refused: name a folder of its own (such as out), not \(name.isEmpty ? "an empty path" : name)"
      )
    }
    // A folder under such a name would be taken for another out folder's leftovers: restored
    // in its place, or retired.
    if name.hasPrefix("."),
      name.contains(".pmhost-new-") || name.contains(".pmhost-old-") || name.hasSuffix(".pmhost-lock")
    {
      throw .configuration(
        "the out folder \(path) is refused: \(name) is named like the files pmhost keeps beside an out folder (its lock, build and previous folders); choose another name"
      )
    }
    let folder = OutFolder(
      path: path, parent: FileAccess.resolve(rawParent.isEmpty ? "." : rawParent), name: name)
    if let rule = systemFolderRule(folder.absolute) {
      throw .configuration(
        "the out folder \(path) is refused: \(rule); choose a folder of its own for the report, such as ./out"
      )
    }
    try folder.checkOwnership()
    do {
      try FileManager.default.createDirectory(atPath: folder.parent, withIntermediateDirectories: true)
    } catch {
      throw .configuration(
        "cannot create the folder \(rawParent) for the out folder \(path): \(error.localizedDescription)")
    }
    // Where everyone may rename what others made (no sticky bit), anyone could swap the
    // build folder or the out folder for a link while the run writes or retires it.
    var above = stat()
    if stat(folder.parent, &above) == 0, above.st_mode & S_IWOTH != 0, above.st_mode & S_ISVTX == 0 {
      throw .configuration(
        "the out folder \(path) is refused: the folder it is in, \(folder.parent), is writable by every user without the sticky bit, so another user could swap it while pmhost works; choose a folder inside one of your own"
      )
    }
    try folder.acquireLock()
    do throws(HostError) {
      try folder.clearStale()
      // Checked again under the lock: another run may have changed it in between.
      try folder.checkOwnership()
      guard mkdir(folder.build, 0o755) == 0 else {
        throw HostError.configuration("cannot create \(folder.build): \(String(cString: strerror(errno)))")
      }
      folder.madeBuild = true
      try Marker(state: "building", files: [:], out: folder.absolute).write(into: folder.build)
    } catch {
      folder.abandon()
      throw error
    }
    return folder
  }

  /// Why `absolute` (a path with its parent resolved) may not be an out folder, or nil: the
  /// root and every folder directly under it (/etc, /usr, /home, /tmp, /var, ...), anything
  /// inside the system's own trees, and the home folder or a folder above it. A run swaps
  /// the whole out folder, so it must be a folder that holds nothing but the report.
  static func systemFolderRule(_ absolute: String) -> String? {
    let parts = absolute.split(separator: "/")
    if parts.count <= 1 {
      return "\(absolute) is the root or a folder directly under it, which holds the system"
    }
    let systemTrees: Set<Substring> = ["bin", "boot", "dev", "etc", "proc", "run", "sbin", "sys", "usr"]
    if systemTrees.contains(parts[0]) || parts[0].hasPrefix("lib") {
      return "it is inside /\(parts[0]), which belongs to the system"
    }
    // /var/tmp, /var/mail, /var/lib...: the system's own; reports go deeper (a CI workspace).
    if parts[0] == "var", parts.count == 2 {
      return "\(absolute) is a folder of the system's /var"
    }
    if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty {
      let resolvedHome = FileAccess.resolve(home)
      if FileAccess.isInside(resolvedHome, absolute) {
        return "it is your home folder\(resolvedHome == absolute ? "" : " or holds it")"
      }
    }
    return nil
  }

  /// Throws unless the out folder is missing, empty, or marked as pmhost's.
  private func checkOwnership() throws(HostError) {
    var info = stat()
    guard lstat(absolute, &info) == 0 else { return }
    switch info.st_mode & S_IFMT {
    case S_IFLNK:
      throw .configuration(
        "the out folder \(path) is a symbolic link; pmhost writes only into a real folder (links are never followed): name the folder itself or a new one"
      )
    case S_IFDIR:
      break
    default:
      throw .configuration("the out folder \(path) exists and is not a folder; choose a new folder")
    }
    if let rule = Self.foreignRule(info) {
      throw .configuration(
        "the out folder \(path) \(rule); pmhost writes only into a folder of its own: choose a folder you own that others cannot write into"
      )
    }
    // Each run replaces the folder and empties the previous one: a folder made read-only
    // would be left half retired beside the new one.
    if info.st_mode & S_IWUSR == 0 {
      throw .configuration(
        "the out folder \(path) is read-only (mode \(String(info.st_mode & 0o7777, radix: 8))); each run replaces it, so make it writable (chmod u+w) or choose another folder"
      )
    }
    if Marker.read(absolute) != nil { return }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: absolute)) ?? []
    guard entries.isEmpty else {
      let shown = entries.sorted().prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", ..." : "")
      throw .configuration(
        "the out folder \(path) is not empty (\(shown)) and was not made by pmhost (no \(Self.markerName) marker); pmhost writes only into a folder of its own: choose a new folder, or move what is there away and delete the folder"
      )
    }
  }

  /// Why a folder or file pmhost would delete, move or write in is not this user's own, or
  /// nil: another user owns it, or every user may write into it (a folder). Someone else
  /// could then plant entries in it, or swap one for a link while pmhost works in it.
  static func foreignRule(_ info: stat) -> String? {
    if info.st_uid != geteuid() { return "belongs to another user (uid \(info.st_uid))" }
    if (info.st_mode & S_IFMT) == S_IFDIR, info.st_mode & S_IWOTH != 0 { return "is writable by every user" }
    return nil
  }

  // MARK: the lock

  private func acquireLock() throws(HostError) {
    while true {
      let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        let reason =
          errno == ELOOP ? "it is a symbolic link, never followed" : String(cString: strerror(errno))
        throw .configuration("cannot create the lock file \(lockPath): \(reason)")
      }
      if flock(fd, LOCK_EX | LOCK_NB) != 0 {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        close(fd)
        let pid = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
          .trimmingCharacters(in: .whitespacesAndNewlines)
        throw .configuration(
          "the out folder \(path) is in use by another pmhost run (pid \(pid.isEmpty ? "unknown" : pid)); wait for it to finish, or give this run another folder with --out"
        )
      }
      // A file planted under the lock's name is never written into: a hard link to
      // another file, or a FIFO, would carry the pid written below elsewhere.
      var held = stat()
      let planted =
        fstat(fd, &held) != 0 || (held.st_mode & S_IFMT) != S_IFREG
        ? "it is not a regular file"
        : held.st_nlink != 1 ? "it is a hard link to another file" : Self.foreignRule(held).map { "it \($0)" }
      if let planted {
        close(fd)
        throw .configuration(
          "the lock file \(lockPath) is not one pmhost made: \(planted); pmhost writes nothing into it: if no pmhost run uses \(path), remove it, or give this run another folder with --out"
        )
      }
      // The run that held the lock removes the file when it ends: hold the one on disk.
      var onDisk = stat()
      if lstat(lockPath, &onDisk) == 0, held.st_ino == onDisk.st_ino,
        held.st_dev == onDisk.st_dev
      {
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
        lock = fd
        return
      }
      close(fd)
    }
  }

  private func releaseLock() {
    guard lock >= 0 else { return }
    unlink(lockPath)
    close(lock)
    lock = -1
  }

  // MARK: finishing

  /// Lists what the run wrote in the marker, swaps the build folder in and retires the
  /// previous folder. Returns notes for stderr (files carried over).
  func finish() throws(HostError) -> [String] {
    done = true
    defer { releaseLock() }
    do {
      try Marker(state: "complete", files: Self.inventory(of: build), out: absolute).write(into: build)
    } catch {
      throw .configuration("cannot write \(build)/\(Self.markerName): \(error.description)")
    }
    do {
      try checkOwnership()
    } catch {
      throw .configuration("\(error.message) (this run's report is left in \(build))")
    }
    var info = stat()
    if lstat(absolute, &info) != 0 {
      guard rename(build, absolute) == 0 else {
        throw .configuration(
          "cannot move the report into \(path): \(String(cString: strerror(errno))) (it is left in \(build))")
      }
      return []
    }
    // The new folder is as private as the one it replaces (a folder made `chmod 700` for a
    // confidential report stays so), and in its group.
    _ = chmod(build, info.st_mode & 0o7777)
    _ = chown(build, uid_t.max, info.st_gid)
    let previous: String
    if Self.exchange(build, absolute) {
      previous = build
    } else {
      previous = sibling("." + name + ".pmhost-old-\(getpid())")
      guard rename(absolute, previous) == 0 else {
        throw .configuration(
          "cannot move the previous \(path) aside: \(String(cString: strerror(errno))) (this run's report is left in \(build))"
        )
      }
      guard rename(build, absolute) == 0 else {
        let reason = String(cString: strerror(errno))
        _ = rename(previous, absolute)
        throw .configuration("cannot move the report into \(path): \(reason) (it is left in \(build))")
      }
    }
    let notes = retire(previous, into: absolute, stale: false)
    // Thousands of files carried over would bury everything else on stderr.
    let shown = 20
    guard notes.count > shown + 1 else { return notes }
    return notes.prefix(shown)
      + [
        "pmhost: kept \(notes.count - shown) more files in \(path) the same way (pmhost did not write them, or they changed)"
      ]
  }

  /// Gives up the build folder (the run failed before it finished) and the lock.
  func abandon() {
    guard !done else { return }
    done = true
    if madeBuild { Self.removeTree(build) }
    releaseLock()
  }

  /// Swaps two folders in one step (Linux `renameat2` with `RENAME_EXCHANGE`); false where
  /// the system or the file system cannot.
  static func exchange(_ a: String, _ b: String) -> Bool {
    typealias RenameAt2 =
      @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    guard let symbol = dlsym(nil, "renameat2") else { return false }
    let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
    let exchangeFlag: UInt32 = 1 << 1  // RENAME_EXCHANGE
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, exchangeFlag) == 0
  }

  // MARK: retiring a previous folder

  /// Build folders (and folders moved aside) that a killed run left beside the out folder:
  /// a complete one becomes the out folder when the out folder is missing (a run killed
  /// between two renames); the others are retired.
  private func clearStale() throws(HostError) {
    let prefixes = ["." + name + ".pmhost-old-", "." + name + ".pmhost-new-"]
    let entries = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).sorted()
    // `-old-` first: the previous complete report, when the out folder went missing.
    let stale = prefixes.flatMap { prefix in entries.filter { $0.hasPrefix(prefix) } }.map(sibling)
    for folder in stale {
      var info = stat()
      guard lstat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, Self.foreignRule(info) == nil,
        let marker = Marker.read(folder)
      else { continue }  // not pmhost's (nor this user's): left alone
      var out = stat()
      if marker.state == "complete", lstat(absolute, &out) != 0, rename(folder, absolute) == 0 {
        diagnostic("pmhost: \(path) was missing after a killed run; restored the complete folder \(folder)")
        continue
      }
      for note in retire(folder, into: absolute, stale: true) { diagnostic(note) }
    }
  }

  /// Empties a folder pmhost is done with: a build folder goes whole; of a finished folder,
  /// the files its marker lists, as they were written, are deleted and every other file is
  /// carried over into `live`. The marker goes last, so that a run killed meanwhile leaves
  /// it pmhost's.
  private func retire(_ folder: String, into live: String, stale: Bool) -> [String] {
    let marker = Marker.read(folder)
    // Only a build folder a killed run left goes whole; the previous out folder never does,
    // whatever its marker says.
    if stale, marker?.state == "building" {
      Self.removeTree(folder)
      return []
    }
    let inventory = marker?.files ?? [:]
    var notes: [String] = []
    func walk(_ relative: String) {
      let here = relative.isEmpty ? folder : folder + "/" + relative
      for entry in ((try? FileManager.default.contentsOfDirectory(atPath: here)) ?? []).sorted() {
        let item = relative.isEmpty ? entry : relative + "/" + entry
        if item == Self.markerName { continue }
        var info = stat()
        guard lstat(folder + "/" + item, &info) == 0 else { continue }
        let isFolder = (info.st_mode & S_IFMT) == S_IFDIR
        // Only a folder of this user's is gone through; another's goes over whole, unread.
        if isFolder, Self.foreignRule(info) == nil,
          inventory.keys.contains(where: { $0.hasPrefix(item + "/") })
        {
          walk(item)
          rmdir(folder + "/" + item)
          continue
        }
        var reason = "pmhost did not write it"
        if !isFolder, let stamp = inventory[item] {
          // A hard link (evidence kept as a link to a big log) loses no data when unlinked.
          if stamp == Self.stamp(info) || info.st_nlink > 1 {
            unlink(folder + "/" + item)
            continue
          }
          reason = stamp.isEmpty ? "pmhost cannot tell that it wrote it" : "it changed after pmhost wrote it"
        }
        if let note = carry(item, from: folder, into: live, because: reason) { notes.append(note) }
      }
    }
    walk("")
    unlink(folder + "/" + Self.markerName)
    if rmdir(folder) != 0 {
      notes.append(
        "pmhost: warning: \(folder) still holds files pmhost could not carry over; it was left in place")
    }
    return notes
  }

  /// Moves a file or folder the user put into the previous out folder into the new one,
  /// under a free name.
  private func carry(_ item: String, from folder: String, into live: String, because reason: String)
    -> String?
  {
    var target = item
    let parts = item.split(separator: "/")
    var base = live
    for part in parts.dropLast() {
      base += "/" + part
      var info = stat()
      if lstat(base, &info) != 0 { mkdir(base, 0o755) }
      if lstat(base, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
        target = parts.joined(separator: "_")  // a file of the new run is in the way: keep it at the top
        break
      }
    }
    var candidate = target
    var n = 1
    var info = stat()
    // Nor a name the previous folder still holds: the user's own report.md.kept keeps its name.
    while lstat(live + "/" + candidate, &info) == 0
      || (candidate != item && lstat(folder + "/" + candidate, &info) == 0)
    {
      candidate = target + ".kept" + (n == 1 ? "" : "-\(n)")
      n += 1
    }
    guard rename(folder + "/" + item, live + "/" + candidate) == 0 else { return nil }
    return "pmhost: kept \(item) in \(path): \(reason), so it was carried over into the new report folder"
      + (candidate == item ? "" : " as \(candidate)")
  }

  /// Every file under `folder` (links and other non-folders included, never followed),
  /// relative to it, without the marker, with its ``stamp(_:)``.
  static func inventory(of folder: String) -> [String: String] {
    var files: [String: String] = [:]
    func walk(_ relative: String) {
      let here = relative.isEmpty ? folder : folder + "/" + relative
      for entry in ((try? FileManager.default.contentsOfDirectory(atPath: here)) ?? []).sorted() {
        let item = relative.isEmpty ? entry : relative + "/" + entry
        var info = stat()
        guard lstat(folder + "/" + item, &info) == 0 else { continue }
        if (info.st_mode & S_IFMT) == S_IFDIR {
          walk(item)
        } else if item != markerName {
          files[item] = stamp(info)
        }
      }
    }
    walk("")
    return files
  }

  /// Size and modification time: whether a file is still as the run wrote it.
  static func stamp(_ info: stat) -> String {
    "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
  }

  /// Removes a folder pmhost wrote whole, never following a link.
  static func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      for entry in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
        removeTree(path + "/" + entry)
      }
      rmdir(path)
    } else {
      unlink(path)
    }
  }

  // MARK: the marker

  /// `.pmhost`: what wrote the folder, and the files the run wrote.
  struct Marker {
    static let writer = "pmhost run"
    /// `building` while the run writes, `complete` once it is done.
    var state: String
    /// Path to ``OutFolder/stamp(_:)`` (empty when not known: such a file is kept).
    var files: [String: String]
    var out: String

    func write(into folder: String) throws(HostError) {
      let value = JSONValue.object([
        "written_by": .string(Self.writer), "pmhost": .string(PMHostVersion.current), "state": .string(state),
        "pid": .int(Int64(getpid())), "out": .string(out),
        "files": .array(
          files.keys.sorted().map { .object(["path": .string($0), "stamp": .string(files[$0] ?? "")]) }),
      ])
      do {
        try FileAccess.writeAtomically(
          Array((value.jsonText(pretty: true) + "\n").utf8), to: folder + "/" + OutFolder.markerName)
      } catch {
        throw .configuration("cannot write \(folder)/\(OutFolder.markerName): \(error.localizedDescription)")
      }
    }

    /// The marker of `folder`: nil unless it is a regular file pmhost wrote. Listed files
    /// that are not plain relative names are dropped, so no marker can name a file outside.
    static func read(_ folder: String) -> Marker? {
      let path = folder + "/" + OutFolder.markerName
      var info = stat()
      guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size < 64 << 20,
        let data = FileManager.default.contents(atPath: path),
        let value = try? JSONValue.parse(data), value["written_by"]?.stringValue == writer
      else { return nil }
      var files: [String: String] = [:]
      for item in value["files"]?.arrayValue ?? [] {
        guard let file = item.stringValue ?? item["path"]?.stringValue, FileAccess.isPlainRelative(file)
        else { continue }
        files[file] = item["stamp"]?.stringValue ?? ""
      }
      return Marker(
        state: value["state"]?.stringValue ?? "complete", files: files, out: value["out"]?.stringValue ?? "")
    }
  }
}
