import Foundation
import Testing

@testable import PluginHost

/// NeedleSet against the plain definition (does any needle occur in the line?) on random
/// lines and needle sets, across its one-needle, two-needle and many-needle paths.
@Suite struct NeedleSetTests {
  /// A small deterministic generator (xorshift), so a failure reproduces.
  struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return state
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  }

  static func naive(_ line: [UInt8], _ needles: [[UInt8]]) -> Bool {
    needles.contains { n in
      !n.isEmpty && line.count >= n.count
        && (0...(line.count - n.count)).contains { Array(line[$0..<$0 + n.count]) == n }
    }
  }

  @Test(arguments: [1, 2, 3, 5, 18]) func agreesWithTheDefinition(needleCount: Int) {
    var random = Random(state: 0x9E37_79B9_7F4A_7C15 &+ UInt64(needleCount))
    // A small alphabet makes hits, near misses and overlaps common.
    let alphabet = Array("aeE0r5\":= lvs".utf8)
    for _ in 0..<400 {
      let needles = (0..<needleCount).map { _ in
        (0..<(1 + random.below(4))).map { _ in alphabet[random.below(alphabet.count)] }
      }
      let set = NeedleSet(needles)
      for _ in 0..<20 {
        let line = (0..<random.below(40)).map { _ in alphabet[random.below(alphabet.count)] }
        let got = line.withUnsafeBytes { set.matches($0) }
        #expect(
          got == Self.naive(line, needles), "line \(String(decoding: line, as: UTF8.self)) needles \(needles)"
        )
      }
    }
  }

  @Test func kubectlLogsDefaultNeedles() {
    let set = NeedleSet(["err", "Err", "ERR", "atal", "E0", "status=5", "level\":5"].map { Array($0.utf8) })
    func hit(_ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { set.matches($0) } }
    #expect(hit("2025-02-09T10:15:30Z level=error msg=\"pool exhausted\""))
    #expect(hit("E0318 15:46:14.238135 1 f.go:12] boom"))
    #expect(hit("GET /x status=503"))
    #expect(!hit("GET /x status=200 level=info"))
    #expect(!hit(""))
    #expect(!hit("e"))
  }
}
