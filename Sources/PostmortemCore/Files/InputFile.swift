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

  /// What the first bytes of a text say about its encoding (``encoding(of:shown:)``).
  public enum TextEncoding: Equatable, Sendable {
    /// UTF-8 (or bytes of no telling), after a byte-order mark of `bom` bytes (0 or 3).
    case utf8(bom: Int)
    /// UTF-16 with a byte-order mark (2 bytes).
    case utf16(bigEndian: Bool)
  }

  /// The one rule for the encodings pmhost reads, from a text's first bytes (4 KB are
  /// enough): a UTF-8 BOM is skipped; UTF-16 with a BOM is transcoded; UTF-32 and BOM-less
  /// UTF-16 or UTF-32 (told by where the NUL bytes fall) are refused, naming the encoding.
  /// ctx.fs.lines, ctx.fs.read, the incident file and `--answers` all follow it.
  public static func encoding(of b: UnsafeRawBufferPointer, shown: String) throws(Refusal) -> TextEncoding {
    func starts(_ bom: [UInt8]) -> Bool { b.count >= bom.count && zip(b, bom).allSatisfy { $0 == $1 } }
    func refuse(_ name: String, _ how: String) -> Refusal {
      let reason =
        "\(name) text (\(how)); pmhost reads UTF-8 and UTF-16 with a byte-order mark: convert it, e.g. iconv -f \(name) -t UTF-8"
      return Refusal(description: "'\(shown)' is \(reason)", reason: reason)
    }
    if starts([0xFF, 0xFE, 0, 0]) { throw refuse("UTF-32LE", "byte-order mark FF FE 00 00") }
    if starts([0, 0, 0xFE, 0xFF]) { throw refuse("UTF-32BE", "byte-order mark 00 00 FE FF") }
    if starts([0xEF, 0xBB, 0xBF]) { return .utf8(bom: 3) }
    if starts([0xFF, 0xFE]) || starts([0xFE, 0xFF]) { return .utf16(bigEndian: b[0] == 0xFE) }
    // No BOM: where NUL bytes fall in the first 4 KB tells UTF-32 and UTF-16 apart from text
    // (a run of NULs, as copytruncate leaves, is all four positions alike and passes).
    let n = min(b.count, 4096) & ~3
    guard n >= 16 else { return .utf8(bom: 0) }
    var nul = [0, 0, 0, 0]
    for i in 0..<n where b[i] == 0 { nul[i & 3] += 1 }
    let q = n / 4
    func many(_ i: Int) -> Bool { nul[i] * 10 > q * 4 }
    func few(_ i: Int) -> Bool { nul[i] * 20 < q }
    if many(1), many(2), many(3), few(0) {
      throw refuse("UTF-32LE", "no byte-order mark; 3 in 4 bytes are NUL")
    }
    if many(0), many(1), many(2), few(3) {
      throw refuse("UTF-32BE", "no byte-order mark; 3 in 4 bytes are NUL")
    }
    if many(1), many(3), few(0), few(2) {
      throw refuse("UTF-16LE", "no byte-order mark; every other byte is NUL")
    }
    if many(0), many(2), few(1), few(3) {
      throw refuse("UTF-16BE", "no byte-order mark; every other byte is NUL")
    }
    return .utf8(bom: 0)
  }

  /// The UTF-8 bytes of a whole file's `bytes` (``encoding(of:shown:)``): UTF-16 with a BOM
  /// transcoded (an unpaired surrogate or a lone last byte becomes U+FFFD), UTF-8 as it is.
  public static func utf8(_ bytes: [UInt8], shown: String) throws(Refusal) -> [UInt8] {
    let found = try bytes.withUnsafeBytes { raw in
      Result { () throws(Refusal) -> TextEncoding in try encoding(of: raw, shown: shown) }
    }.get()
    guard case .utf16(let bigEndian) = found else { return bytes }
    var units: [UInt16] = []
    units.reserveCapacity(bytes.count / 2)
    for i in stride(from: 2, to: bytes.count - 1, by: 2) {
      let high = UInt16(bytes[bigEndian ? i : i + 1])
      let low = UInt16(bytes[bigEndian ? i + 1 : i])
      units.append(high << 8 | low)
    }
    let text = String(decoding: units, as: UTF16.self) + (bytes.count % 2 == 1 ? "\u{FFFD}" : "")
    return Array(text.utf8)
  }
}
