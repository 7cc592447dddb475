import Foundation

/// The plain substrings of `ctx.fs.lines(path, { contains = ... })`: does a line hold any?
///
/// One or two needles: glibc's SIMD `memchr` for the first byte, then `memcmp` (one scan per
/// needle). More needles: one pass over the line in which each position's first two bytes
/// are looked up in a 64 Kbit table of the needles' first two bytes; only hits are compared.
/// A scan per needle made kubectl-logs' 18 default needles cost 860 ns a line; one pass costs
/// about as much as a single needle.
final class NeedleSet {
  let needles: [[UInt8]]
  /// Bit `a | b << 8` is set when a needle starts with bytes a, b.
  private let pairBits: UnsafeMutablePointer<UInt64>
  /// For each first-two-bytes key, 1 + the index in `sorted` of its first needle (0: none).
  private let firstOfPair: UnsafeMutablePointer<UInt8>
  /// Needles of two bytes or more, sorted by key, their bytes laid end to end in `bytes`.
  private let sorted: [(key: UInt16, start: Int, count: Int)]
  private let bytes: [UInt8]
  /// One-byte needles.
  private let singles: [UInt8]
  /// More than 255 two-byte-or-longer needles: scan per needle (the table holds 8-bit indexes).
  private let tooMany: Bool

  init(_ needles: [[UInt8]]) {
    self.needles = needles.filter { !$0.isEmpty }
    pairBits = .allocate(capacity: 1024)
    pairBits.initialize(repeating: 0, count: 1024)
    firstOfPair = .allocate(capacity: 65536)
    firstOfPair.initialize(repeating: 0, count: 65536)
    func key(_ n: [UInt8]) -> UInt16 { UInt16(n[0]) | UInt16(n[1]) << 8 }
    let long = self.needles.filter { $0.count >= 2 }.sorted { key($0) < key($1) }
    singles = self.needles.filter { $0.count == 1 }.map { $0[0] }
    tooMany = long.count > 255
    var entries: [(key: UInt16, start: Int, count: Int)] = []
    var bytes: [UInt8] = []
    for (i, needle) in long.enumerated() {
      let k = key(needle)
      entries.append((k, bytes.count, needle.count))
      bytes.append(contentsOf: needle)
      pairBits[Int(k >> 6)] |= 1 << UInt64(k & 63)
      if firstOfPair[Int(k)] == 0, !tooMany { firstOfPair[Int(k)] = UInt8(i + 1) }
    }
    sorted = entries
    self.bytes = bytes
  }

  deinit {
    pairBits.deallocate()
    firstOfPair.deallocate()
  }

  var isEmpty: Bool { needles.isEmpty }

  func matches(_ line: UnsafeRawBufferPointer) -> Bool {
    if needles.count <= 2 || tooMany { return needles.contains { Self.contains(line, $0) } }
    guard let base = line.baseAddress, line.count > 0 else { return false }
    for byte in singles where memchr(base, Int32(byte), line.count) != nil { return true }
    let text = base.assumingMemoryBound(to: UInt8.self)
    let count = line.count
    return bytes.withUnsafeBufferPointer { needleBytes in
      sorted.withUnsafeBufferPointer { entries in
        var i = 0
        while i + 1 < count {
          let k = UInt16(text[i]) | UInt16(text[i + 1]) << 8
          if pairBits[Int(k >> 6)] & (1 << UInt64(k & 63)) != 0 {
            var e = Int(firstOfPair[Int(k)]) - 1
            while e < entries.count, entries[e].key == k {
              let n = entries[e].count
              if n <= count - i, memcmp(text + i, needleBytes.baseAddress! + entries[e].start, n) == 0 {
                return true
              }
              e += 1
            }
          }
          i += 1
        }
        return false
      }
    }
  }

  /// memchr for the needle's first byte, then memcmp (Glibc's memmem is not exported to Swift).
  static func contains(_ line: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
    guard line.count >= needle.count, let base = line.baseAddress else { return false }
    return needle.withUnsafeBytes { n in
      let first = Int32(n[0])
      var offset = 0
      let last = line.count - n.count
      while offset <= last {
        guard let hit = memchr(base + offset, first, last - offset + 1) else { return false }
        let at = base.distance(to: UnsafeRawPointer(hit))
        if memcmp(base + at, n.baseAddress!, n.count) == 0 { return true }
        offset = at + 1
      }
      return false
    }
  }
}
