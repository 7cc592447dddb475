import Foundation
import PostmortemCore
import Testing

@testable import PostmortemDocument

/// The real post-mortems in ../shared/corpus/dfds-postmortems, read in place (never copied):
/// every document with a Timeline section yields its rows; the rows with exact times are
/// counted.
@Suite struct CorpusTests {
  /// `../shared/corpus` beside the package, or beside a folder above it (a git worktree).
  static let folder: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    for _ in 0..<3 {
      let candidate = url.appendingPathComponent("../shared/corpus/dfds-postmortems").standardizedFileURL.path
      if FileManager.default.fileExists(atPath: candidate) { return candidate }
      url.deleteLastPathComponent()
    }
    return "../shared/corpus/dfds-postmortems"
  }()
  static let present = FileManager.default.fileExists(atPath: folder)

  static func documents() throws -> [(name: String, read: Read)] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "LICENSE" }.sorted().map {
      name in
      let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
      return (name, Read(String(decoding: data, as: UTF8.self), name: name))
    }
  }

  @Test(.enabled(if: present, "../shared/corpus/dfds-postmortems is absent: nothing to read"))
  func everyTimelineYieldsRows() throws {
    let docs = try Self.documents()
    #expect(docs.count >= 38)
    var withTimeline = 0
    var rows = 0
    var exact = 0
    var report: [String] = []
    for (name, r) in docs {
      let timelineSections = r.sections.filter { $0.kind == "timeline" }
      guard !timelineSections.isEmpty else { continue }
      withTimeline += 1
      #expect(!r.rows.isEmpty, "\(name): a Timeline section and no rows")
      rows += r.rows.count
      let timed = r.rows.filter { $0.time?.hasSuffix("Z") == true }.count
      exact += timed
      report.append("\(name): \(r.rows.count) rows, \(timed) exact, zone \(r.zone ?? "-")")
    }
    print(report.joined(separator: "\n"))
    print("corpus: \(withTimeline) documents with a timeline, \(rows) rows, \(exact) with exact times")
    // 40 documents (the template included) have a Timeline section; all 379 of their rows
    // are read, 354 with an exact time. The other 25 write none: `HH:mm`, `14:??`,
    // `--:--`, a date alone, `~19:30`, a year typed `20202`.
    #expect(withTimeline == 40)
    #expect(rows == 379)
    #expect(exact == 354)
    for (name, r) in docs {
      for (row, written) in zip(r.rows, r.written) where row.time?.hasSuffix("Z") != true {
        let w = written ?? ""
        let inexact =
          w.contains("?") || w.contains("HH") || w.contains("--") || w.contains("~") || w.contains("20202")
          || w.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil || w.contains("xx")
        #expect(inexact, "\(name):\(row.line): \(w) has an exact time and none was read")
      }
    }
  }
}
