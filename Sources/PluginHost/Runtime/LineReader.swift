import Foundation

/// Streams the lines of a file with large reads and `memchr`, dropping in Swift the lines
/// that contain none of the `needles`, so that Lua only sees the lines it asked for.
final class LineReader {
  private let fd: Int32
  private var buffer: UnsafeMutableRawBufferPointer
  private var start = 0
  private var end = 0
  private var eof = false
  private(set) var lineNumber = 0
  /// Bytes read from the file so far, and its size when opened (for progress).
  private(set) var bytesRead = 0
  let size: Int
  private let path: String
  private let needles: NeedleSet

  init(path: String, needles: [[UInt8]], chunkSize: Int = 1 << 20) throws {
    fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw LineReaderError(description: "cannot open '\(path)': \(String(cString: strerror(errno)))")
    }
    var info = stat()
    size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    if info.st_mode & S_IFMT == S_IFDIR {
      close(fd)
      throw LineReaderError(description: "'\(path)' is a folder, not a file")
    }
    self.path = path
    buffer = .allocate(byteCount: chunkSize, alignment: 16)
    self.needles = NeedleSet(needles)
  }

  deinit {
    close(fd)
    buffer.deallocate()
  }

  struct LineReaderError: Error, CustomStringConvertible { var description: String }

  /// Calls `body` with the next selected line (no newline, no trailing CR) and its number.
  /// Returns false at the end of the file.
  func next(_ body: (UnsafeRawBufferPointer, Int) -> Void) throws -> Bool {
    while true {
      guard let line = try nextLine() else { return false }
      lineNumber += 1
      if needles.isEmpty || needles.matches(line) {
        body(line, lineNumber)
        return true
      }
    }
  }

  private func nextLine() throws -> UnsafeRawBufferPointer? {
    while true {
      let base = buffer.baseAddress!
      if start < end, let newline = memchr(base + start, 0x0A, end - start) {
        let lineEnd = base.distance(to: newline)
        var length = lineEnd - start
        if length > 0, buffer[start + length - 1] == 0x0D { length -= 1 }
        let line = UnsafeRawBufferPointer(start: base + start, count: length)
        start = lineEnd + 1
        return line
      }
      if eof {
        guard start < end else { return nil }
        var length = end - start
        if buffer[start + length - 1] == 0x0D { length -= 1 }
        let line = UnsafeRawBufferPointer(start: base + start, count: length)
        start = end
        return line
      }
      try fill()
    }
  }

  private func fill() throws {
    if start > 0 {
      let remaining = end - start
      if remaining > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, remaining) }
      start = 0
      end = remaining
    }
    if end == buffer.count {
      // A line longer than the buffer: grow it.
      let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
      bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
      buffer.deallocate()
      buffer = bigger
    }
    let count = read(fd, buffer.baseAddress! + end, buffer.count - end)
    if count < 0 {
      throw LineReaderError(description: "cannot read '\(path)': \(String(cString: strerror(errno)))")
    }
    if count == 0 {
      eof = true
    } else {
      end += count
      bytesRead += count
    }
  }
}
