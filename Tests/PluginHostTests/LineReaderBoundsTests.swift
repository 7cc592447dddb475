import Foundation
import PostmortemCore
import Testing

@testable import PluginHost

/// LineReader's bounds: long lines cut, UTF-16 transcoded across every read boundary,
/// other encodings refused by name, non-regular files refused before they can block.
@Suite struct LineReaderBoundsTests {
  static func file(_ bytes: [UInt8]) throws -> String {
    let path = NSTemporaryDirectory() + "pmhost-lrb-" + UUID().uuidString
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  static func read(_ reader: LineReader) throws -> [String] {
    var out: [String] = []
    while try reader.next({ line, n in out.append("\(n):" + String(decoding: line, as: UTF8.self)) }) {}
    return out
  }

  static func lines(_ bytes: [UInt8], chunk: Int, maxLine: Int = LineReader.defaultMaxLine) throws -> (
    [String], String?
  ) {
    let path = try file(bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reader = try LineReader(path: path, shown: "f.log", needles: [], chunkSize: chunk, maxLine: maxLine)
    return (try read(reader), reader.problems)
  }

  static func utf16(_ text: String, bigEndian: Bool, bom: Bool = true) -> [UInt8] {
    var bytes: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
    for unit in text.utf16 {
      bytes += bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
    }
    return bytes
  }

  @Test func longLinesAreCutAndTheRestSkippedWhileStreaming() throws {
    let text =
      "short\n" + String(repeating: "x", count: 40) + "\r\nafter\n" + String(repeating: "y", count: 50)
    for chunk in [1, 3, 8, 64] {
      let (lines, problems) = try Self.lines(Array(text.utf8), chunk: chunk, maxLine: 16)
      #expect(
        lines == [
          "1:short", "2:" + String(repeating: "x", count: 16), "3:after",
          "4:" + String(repeating: "y", count: 16),
        ],
        "chunk \(chunk)")
      #expect(problems == "f.log: 2 lines longer than 16 bytes cut to their first 16 bytes (lines 2, 4)")
    }
    // A line of exactly the cap is whole; many cut lines are counted past the first five.
    let many = (1...7).map { _ in String(repeating: "z", count: 20) }.joined(separator: "\n")
    let (_, problems) = try Self.lines(
      Array((String(repeating: "a", count: 16) + "\n" + many).utf8), chunk: 5, maxLine: 16)
    #expect(
      problems
        == "f.log: 7 lines longer than 16 bytes cut to their first 16 bytes (lines 2, 3, 4, 5, 6 and 2 more)")
  }

  @Test func utf16WithABOMIsTranscodedAcrossEveryReadBoundary() throws {
    let text = "first é line\r\nsecond 🔥 pair\n\nlast 日本"
    let expected = ["1:first é line", "2:second 🔥 pair", "3:", "4:last 日本"]
    for bigEndian in [false, true] {
      for chunk in [1, 2, 3, 5, 7, 8, 4096] {
        let (lines, problems) = try Self.lines(Self.utf16(text, bigEndian: bigEndian), chunk: chunk)
        #expect(lines == expected, "bigEndian \(bigEndian), chunk \(chunk)")
        #expect(problems == nil)
      }
    }
    // Past the first raw read (4096 bytes): a long UTF-16 file keeps its lines whole.
    let long = (1...3000).map { "line \($0) ✓" }.joined(separator: "\n")
    let (lines, _) = try Self.lines(Self.utf16(long, bigEndian: false), chunk: 1000)
    #expect(lines.count == 3000)
    #expect(lines.last == "3000:line 3000 ✓")
    #expect(lines[1234] == "1235:line 1235 ✓")
  }

  @Test func brokenUTF16BecomesReplacementCharacters() throws {
    // An unpaired high surrogate, an unpaired low one, and a lone last byte.
    var bytes: [UInt8] = [0xFF, 0xFE]
    bytes += [0x61, 0, 0x00, 0xD8, 0x62, 0, 0x0A, 0, 0x00, 0xDC, 0x63, 0, 0x0A, 0, 0x64]
    let (lines, _) = try Self.lines(bytes, chunk: 3)
    #expect(lines == ["1:a\u{FFFD}b", "2:\u{FFFD}c", "3:\u{FFFD}"])
  }

  @Test func aUTF8BOMIsSkipped() throws {
    let (lines, _) = try Self.lines([0xEF, 0xBB, 0xBF] + Array("one\ntwo\n".utf8), chunk: 2)
    #expect(lines == ["1:one", "2:two"])
  }

  @Test func otherEncodingsAreRefusedByName() throws {
    let text = "2025-02-09T10:00:00Z level=error msg=\"an error line long enough to be judged\"\n"
    var u32le: [UInt8] = [0xFF, 0xFE, 0, 0]
    var u32be: [UInt8] = [0, 0, 0xFE, 0xFF]
    for scalar in text.unicodeScalars {
      let v = scalar.value
      u32le += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), 0, 0]
      u32be += [0, 0, UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
    let cases: [([UInt8], String)] = [
      (u32le, "is UTF-32LE text (byte-order mark FF FE 00 00)"),
      (u32be, "is UTF-32BE text (byte-order mark 00 00 FE FF)"),
      (Array(u32le.dropFirst(4)), "is UTF-32LE text (no byte-order mark"),
      (Array(u32be.dropFirst(4)), "is UTF-32BE text (no byte-order mark"),
      (Self.utf16(text, bigEndian: false, bom: false), "is UTF-16LE text (no byte-order mark"),
      (Self.utf16(text, bigEndian: true, bom: false), "is UTF-16BE text (no byte-order mark"),
    ]
    for (bytes, message) in cases {
      #expect {
        _ = try Self.lines(bytes, chunk: 1 << 20)
      } throws: { error in
        "\(error)".contains("'f.log' \(message)")
      }
    }
    // A run of NUL bytes (what copytruncate leaves before new lines) is not an encoding.
    let (lines, _) = try Self.lines(
      [UInt8](repeating: 0, count: 8192) + Array("\nafter\n".utf8), chunk: 1 << 20)
    #expect(lines.count == 2 && lines.last == "2:after")
  }

  @Test func nonRegularFilesAreRefusedWithoutBlocking() throws {
    let folder = NSTemporaryDirectory() + "pmhost-lrb-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(mkfifo(folder + "/fifo", 0o644) == 0)
    #expect {
      _ = try LineReader(path: folder + "/fifo", shown: "data/fifo", needles: [])
    } throws: {
      "\($0)" == "'data/fifo' is a FIFO (named pipe), not a regular file; pmhost reads only regular files"
    }
    #expect {
      _ = try LineReader(path: folder, shown: "data", needles: [])
    } throws: { "\($0)" == "'data' is a folder, not a regular file; pmhost reads only regular files" }
    #expect {
      _ = try LineReader(path: folder + "/missing", shown: "data/missing", needles: [])
    } throws: { "\($0)" == "cannot open 'data/missing': No such file or directory" }
    #expect(throws: InputFile.Refusal.self) { try InputFile.contents(folder + "/fifo", shown: "fifo") }
  }

  /// The evidence copy reads its source on a thread of its own: a FIFO must fail it at once,
  /// not leave it (and the run waiting for it) blocked in open.
  @Test func theEvidenceCopyOfAFIFOFailsAtOnce() throws {
    let folder = NSTemporaryDirectory() + "pmhost-lrb-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(mkfifo(folder + "/fifo", 0o644) == 0)
    let job = CopyJob(source: folder + "/fifo", destination: folder + "/copy", policy: .copy)
    job.start()
    let deadline = Date().addingTimeInterval(10)
    while job.outcome(wait: false) == nil, Date() < deadline { usleep(10_000) }
    guard case .failure(let failure) = job.outcome(wait: false) else {
      Issue.record("the copy of a FIFO did not fail within 10 s")
      // Unblock the copy thread so the test process can end.
      let fd = open(folder + "/fifo", O_WRONLY | O_NONBLOCK)
      if fd >= 0 { close(fd) }
      return
    }
    #expect(failure.description.contains("is a FIFO (named pipe), not a regular file"))
  }
}
