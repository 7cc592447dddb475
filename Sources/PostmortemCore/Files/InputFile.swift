import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Opening a file pmhost did not write (a log, the incident, an answers file) without
/// trusting it: only regular files are read. A FIFO, a device, a socket or a folder is
/// refused with a message naming the path and what it is, before anything could block on
/// it; OS errors (permission denied, I/O errors) come back naming the file and the error.
public enum InputFile {
  public struct Refusal: Error, Sendable, CustomStringConvertible {
    /// The message, naming the file.
    public var description: String
    /// The same without the file's name (`No such file or directory`, `a FIFO (named pipe), ...`).
    public var reason: String
    public init(description: String, reason: String? = nil) {
      self.description = description
      self.reason = reason ?? description
    }
  }

  /// What a file of this mode is, in words; nil for a regular file.
  public static func kind(_ mode: mode_t) -> String? {
    switch mode & S_IFMT {
    case S_IFREG: nil
    case S_IFDIR: "a folder"
    case S_IFIFO: "a FIFO (named pipe)"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFSOCK: "a socket"
    case S_IFLNK: "a symbolic link"
    default: "not a regular file"
    }
  }

  static func notRegular(_ shown: String, _ kind: String) -> Refusal {
    Refusal(
      description: "'\(shown)' is \(kind), not a regular file; pmhost reads only regular files",
      reason: "\(kind), not a regular file")
  }

  static func osError(_ what: String, _ shown: String, _ code: Int32 = errno) -> Refusal {
    Refusal(
      description: "cannot \(what) '\(shown)': \(String(cString: strerror(code)))",
      reason: String(cString: strerror(code)))
  }

  /// Refuses what is not a regular file (or cannot be looked at), without opening it.
  public static func check(_ path: String, shown: String) throws(Refusal) {
    var info = stat()
    guard stat(path, &info) == 0 else { throw osError("open", shown) }
    if let kind = kind(info.st_mode) { throw notRegular(shown, kind) }
  }

  /// Opens `path` for reading (`shown` is the name messages use) and returns the descriptor
  /// and the file's size. The type is checked before the open (`stat`: a FIFO's open would
  /// block, a device's could act) and again on the descriptor (`fstat`); the open itself is
  /// non-blocking, so a FIFO swapped in between cannot hang the run either. The caller closes.
  public static func open(_ path: String, shown: String) throws(Refusal) -> (fd: Int32, size: Int) {
    try check(path, shown: shown)
    var info = stat()
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else { throw osError("open", shown) }
    guard fstat(fd, &info) == 0 else {
      let code = errno
      close(fd)
      throw osError("read", shown, code)
    }
    if let kind = kind(info.st_mode) {
      close(fd)
      throw notRegular(shown, kind)
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return (fd, Int(info.st_size))
  }

  /// `read(2)` that retries on EINTR and throws the OS error naming the file.
  public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, shown: String)
    throws(Refusal) -> Int
  {
    while true {
      let n = Glibc.read(fd, buffer, count)
      if n >= 0 { return n }
      if errno != EINTR { throw osError("read", shown) }
    }
  }

  /// The whole of a regular file, refused when larger than `maxBytes` (`limitNote` says
  /// what to do instead).
  public static func contents(
    _ path: String, shown: String, maxBytes: Int = 256 << 20, limitNote: String = ""
  )
    throws(Refusal) -> [UInt8]
  {
    let (fd, size) = try open(path, shown: shown)
    defer { close(fd) }
    guard size <= maxBytes else {
      throw Refusal(
        description: "'\(shown)' is \(size >> 20) MB, more than \(maxBytes >> 20) MB\(limitNote)")
    }
    var bytes = [UInt8](repeating: 0, count: size)
    var total = 0
    while true {
      // A file that grew since fstat: read on, within the cap.
      if total == bytes.count {
        guard bytes.count < maxBytes else { break }
        bytes.append(
          contentsOf: repeatElement(0, count: min(max(bytes.count, 1 << 16), maxBytes - bytes.count)))
      }
      let n = try bytes.withUnsafeMutableBytes { raw in
        Result { () throws(Refusal) -> Int in
          try read(fd, into: raw.baseAddress! + total, count: raw.count - total, shown: shown)
        }
      }.get()
      if n == 0 { break }
      total += n
    }
    bytes.removeSubrange(total...)
    return bytes
  }
}
