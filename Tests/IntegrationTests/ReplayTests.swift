import Foundation
import Testing

/// `pmhost run --replay OUT` after the live suite, with every server stopped (scripts/integration
/// stops them and checks their ports refuse connections before this suite runs): each stage
/// re-runs from OUT/evidence, and report.json must come out identical but for
/// `pmhost.generated_at`.
@Suite(.serialized, .enabled(if: IT.replay, "scripts/integration sets PMHOST_IT_REPLAY=1 after the live run"))
struct ReplayTests {
  @Test(arguments: Pipelines.all.map(\.name))
  func replayGivesTheSameReport(_ name: String) throws {
    let scenario = Scenario(name: name)
    let livePath = scenario.out + "/report.json"
    try #require(FileManager.default.fileExists(atPath: livePath), "the live run left no \(livePath)")
    let liveStatus = (try? String(contentsOfFile: scenario.dir + "/.live-status", encoding: .utf8))
      .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }

    try? FileManager.default.removeItem(atPath: scenario.replayOut)
    let result = try scenario.run(["--replay", "out", "--out", "out-replay"])
    #expect(
      result.status == liveStatus,
      "live exit \(liveStatus.map(String.init) ?? "?"), replay: \(result.summary)")
    let live = try Report(path: livePath)
    let replayed = try Report(path: scenario.replayOut + "/report.json")

    #expect(replayed.json["pmhost"] as? [String: Any] != nil, "no pmhost block")
    let a = live.withoutGeneratedAt
    let b = replayed.withoutGeneratedAt
    let differing = Set(a.keys).union(b.keys).sorted().filter { key in
      !isEqual(a[key], b[key])
    }
    #expect(differing.isEmpty, "report.json differs in \(differing): \(describe(differing, a, b))")
  }
}

/// Equal JSON values: the same canonical text (keys sorted).
private func isEqual(_ x: Any?, _ y: Any?) -> Bool {
  func canonical(_ v: Any?) -> Data? {
    guard let v else { return nil }
    return try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])
  }
  return canonical(x) == canonical(y)
}

/// The differing fields as JSON, live then replay, each cut to a readable length.
private func describe(_ keys: [String], _ a: [String: Any], _ b: [String: Any]) -> String {
  func json(_ v: Any?) -> String {
    guard let v else { return "absent" }
    let data =
      (try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
    let text = String(decoding: data, as: UTF8.self)
    return text.count > 1500 ? String(text.prefix(1500)) + "..." : text
  }
  return keys.map { "\n\($0):\n  live:   \(json(a[$0]))\n  replay: \(json(b[$0]))" }.joined()
}
