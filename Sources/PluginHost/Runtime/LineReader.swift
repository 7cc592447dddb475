import Foundation
import PostmortemCore

/// Streams the lines of a file with large reads and `memchr`, dropping in Swift the lines
/// that contain none of the `needles`, so that Lua only sees the lines it asked for.
///
/// Bounded whatever the file holds: only regular files are opened (``InputFile``); a line
/// longer than ``maxLine`` is cut to its first ``maxLine`` bytes and the rest skipped while
/// streaming (``cutLines``); UTF-16 with a byte-order mark is transcoded to UTF-8 as it is
/// read, UTF-32 and BOM-less UTF-16 are refused naming the encoding. Other bytes reach the
/// plugin as they are (a collector shows what is not UTF-8 as U+FFFD and says where, as
/// the bundled ones do with `pm.logtext`). The reader holds at most
/// ``heldBytes`` (its buffers), which the caller counts against the plugin's memory.
final class LineReader {
  /// The longest line kept whole (1 MiB).
  static let defaultMaxLine = 1 << 20

  private var fd: Int32
  private var buffer: UnsafeMutableRawBufferPointer
  private var start = 0
  private var end = 0
  private var eof = false
  private(set) var lineNumber = 0
  /// Bytes read from the file so far, and its size when opened (for progress).
  private(set) var bytesRead = 0
  let size: Int
  /// The name messages use (as the plugin gave it).
  let shown: String
  let maxLine: Int
  private let chunkSize: Int
  /// UTF-16 bytes read at a time (and the first read, which tells the encoding).
  private var rawSize: Int { max(chunkSize, 4096) }
  private let needles: NeedleSet

  /// The encoding read: "UTF-8", or the UTF-16 transcoded.
  private(set) var encoding = "UTF-8"
  /// UTF-16 input: raw bytes not yet transcoded.
  private var raw: UnsafeMutableRawBufferPointer?
  private var rawStart = 0
  private var rawEnd = 0
  private var rawEOF = false
  private var bigEndian = false

  /// Lines cut at ``maxLine``: how many, and the numbers of the first few.
  private(set) var cutCount = 0
  private(set) var cutLines: [Int] = []
  /// How many line numbers the summaries name.
  static let namedLines = 5
  private var inCutLine = false
  private var lastWasCut = false

  init(
    path: String, shown: String? = nil, needles: [[UInt8]], chunkSize: Int = 1 << 20,
    maxLine: Int = defaultMaxLine
  )
    throws
  {
    let shown = shown ?? path
    do { (fd, size) = try InputFile.open(path, shown: shown) } catch {
      throw LineReaderError(description: error.description)
    }
    self.shown = shown
    self.maxLine = max(maxLine, 16)
    self.chunkSize = chunkSize
    // A partial line shorter than the cap plus one full read always fit: never grows.
    buffer = .allocate(byteCount: self.maxLine + chunkSize, alignment: 16)
    self.needles = NeedleSet(needles)
  }

  deinit { close() }

  /// Bytes of buffers the reader holds (until ``close()``).
  var heldBytes: Int { buffer.count + (raw?.count ?? 0) }

  /// Frees the buffers and the descriptor (at the end of the file, or of the plugin run).
  func close() {
    if fd >= 0 { Glibc.close(fd) }
    fd = -1
    buffer.deallocate()
    buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    raw?.deallocate()
    raw = nil
    eof = true
    start = 0
    end = 0
  }

  struct LineReaderError: Error, CustomStringConvertible { var description: String }

  /// Calls `body` with the next selected line (no newline, no trailing CR) and its number.
  /// Returns false at the end of the file.
  func next(_ body: (UnsafeRawBufferPointer, Int) -> Void) throws -> Bool {
    while true {
      guard let line = try nextLine() else { return false }
      lineNumber += 1
      if lastWasCut {
        cutCount += 1
        if cutLines.count < Self.namedLines { cutLines.append(lineNumber) }
      }
      if needles.isEmpty || needles.matches(line) {
        body(line, lineNumber)
        return true
      }
    }
  }

  /// What went wrong with the content, for a warning: nil when nothing did.
  var problems: String? {
    guard cutCount > 0 else { return nil }
    let list = cutLines.map(String.init).joined(separator: ", ")
    let more = cutCount > cutLines.count ? " and \(cutCount - cutLines.count) more" : ""
    let size = Self.sizeText(maxLine)
    return cutCount == 1
      ? "\(shown): 1 line longer than \(size) cut to its first \(size) (line \(list))"
      : "\(shown): \(cutCount) lines longer than \(size) cut to their first \(size) (lines \(list)\(more))"
  }

  static func sizeText(_ bytes: Int) -> String {
    bytes % (1 << 20) == 0
      ? "\(bytes >> 20) MiB" : bytes % 1024 == 0 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
  }

  private func nextLine() throws -> UnsafeRawBufferPointer? {
    lastWasCut = false
    while true {
      guard let base = buffer.baseAddress else { return nil }
      if start < end, let newline = memchr(base + start, 0x0A, end - start) {
        let lineEnd = base.distance(to: newline)
        var length = lineEnd - start
        let lineStart = start
        start = lineEnd + 1
        if inCutLine {
          // The end of a line already cut: skipped.
          inCutLine = false
          continue
        }
        if length > maxLine {
          lastWasCut = true
          length = maxLine
        } else if length > 0, buffer[lineStart + length - 1] == 0x0D {
          length -= 1
        }
        return UnsafeRawBufferPointer(start: base + lineStart, count: length)
      }
      if end - start >= maxLine || (inCutLine && start < end) {
        // No newline within the cap: the first maxLine bytes are the line, the rest of it
        // is read and dropped until its newline.
        let wasCut = inCutLine
        let lineStart = start
        start = end
        inCutLine = true
        if wasCut { continue }
        lastWasCut = true
        return UnsafeRawBufferPointer(start: base + lineStart, count: maxLine)
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
    if raw != nil {
      try fillTranscoding()
      return
    }
    let first = bytesRead == 0
    // The first read is at most one raw buffer: a UTF-16 BOM moves it whole there.
    let count = try readSome(
      into: buffer.baseAddress! + end, count: first ? min(rawSize, buffer.count - end) : buffer.count - end)
    if count == 0 {
      eof = true
      return
    }
    end += count
    if first { try detectEncoding() }
  }

  private func readSome(into pointer: UnsafeMutableRawPointer, count: Int) throws -> Int {
    do {
      let n = try InputFile.read(fd, into: pointer, count: count, shown: shown)
      bytesRead += n
      return n
    } catch {
      throw LineReaderError(description: error.description)
    }
  }

  // MARK: encodings

  /// Looks at the first block (``InputFile/encoding(of:shown:)``): a UTF-8 BOM is skipped;
  /// UTF-16 with a BOM switches to transcoding; other encodings are refused.
  private func detectEncoding() throws {
    let b = UnsafeRawBufferPointer(rebasing: buffer[0..<end])
    let found: InputFile.TextEncoding
    do { found = try InputFile.encoding(of: b, shown: shown) } catch {
      throw LineReaderError(description: error.description)
    }
    switch found {
    case .utf8(let bom):
      start = bom
    case .utf16(let isBigEndian):
      bigEndian = isBigEndian
      encoding = bigEndian ? "UTF-16BE" : "UTF-16LE"
      let rawBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: rawSize, alignment: 16)
      let kept = end - 2  // the first read was at most rawSize
      rawBuffer.baseAddress!.copyMemory(from: buffer.baseAddress! + 2, byteCount: kept)
      raw = rawBuffer
      rawStart = 0
      rawEnd = kept
      start = 0
      end = 0
      try fillTranscoding()
    }
  }

  /// Transcodes UTF-16 from `raw` into the line buffer until some output is made or the file
  /// ends. A surrogate pair or a code unit split across reads waits for the next read; an
  /// unpaired surrogate or a lone last byte becomes U+FFFD.
  private func fillTranscoding() throws {
    guard let raw, let out = buffer.baseAddress else { return }
    while true {
      var i = rawStart
      let r = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
      func unit(_ at: Int) -> UInt32 {
        bigEndian ? UInt32(r[at]) << 8 | UInt32(r[at + 1]) : UInt32(r[at + 1]) << 8 | UInt32(r[at])
      }
      func put(_ scalar: UInt32) {
        let o = out.assumingMemoryBound(to: UInt8.self) + end
        switch scalar {
        case ..<0x80:
          o[0] = UInt8(scalar)
          end += 1
        case ..<0x800:
          o[0] = UInt8(0xC0 | scalar >> 6)
          o[1] = UInt8(0x80 | scalar & 0x3F)
          end += 2
        case ..<0x10000:
          o[0] = UInt8(0xE0 | scalar >> 12)
          o[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
          o[2] = UInt8(0x80 | scalar & 0x3F)
          end += 3
        default:
          o[0] = UInt8(0xF0 | scalar >> 18)
          o[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
          o[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
          o[3] = UInt8(0x80 | scalar & 0x3F)
          end += 4
        }
      }
      let before = end
      while buffer.count - end >= 4, rawEnd - i >= 2 {
        let u = unit(i)
        if u >= 0xD800, u < 0xDC00 {
          guard rawEnd - i >= 4 else {
            if rawEOF {
              put(0xFFFD)
              i += 2
              continue
            }
            break
          }
          let low = unit(i + 2)
          if low >= 0xDC00, low < 0xE000 {
            put(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00))
            i += 4
          } else {
            put(0xFFFD)
            i += 2
          }
        } else if u >= 0xDC00, u < 0xE000 {
          put(0xFFFD)
          i += 2
        } else {
          put(u)
          i += 2
        }
      }
      rawStart = i
      if rawEOF, rawEnd - rawStart == 1, buffer.count - end >= 4 {
        put(0xFFFD)
        rawStart = rawEnd
      }
      if end > before { return }
      if rawEOF {
        eof = true
        return
      }
      // Compact and read more raw bytes.
      let left = rawEnd - rawStart
      if left > 0, rawStart > 0 { memmove(raw.baseAddress!, raw.baseAddress! + rawStart, left) }
      rawStart = 0
      rawEnd = left
      let n = try readSome(into: raw.baseAddress! + rawEnd, count: raw.count - rawEnd)
      if n == 0 { rawEOF = true } else { rawEnd += n }
    }
  }
}
