import Testing

@testable import PostmortemDocument

@Suite struct MarkdownDocumentTests {
  @Test func tablesTasksAndMarksComeFromTheTree() {
    let doc = MarkdownDocument(
      parsing:
        "# T\n\n| Time | Event |\n|---|---|\n| 10:00 | **x** ~~y~~ https://a.b/c |\n\n- [x] done\n- [ ] not\n"
    )
    #expect(doc.extensions, "\(doc.warnings)")
    guard doc.blocks.count == 3, case .table(let t) = doc.blocks[1], case .list(let l) = doc.blocks[2] else {
      Issue.record("blocks: \(doc.blocks)")
      return
    }
    #expect(t.header.map(\.text) == ["Time", "Event"])
    #expect(t.rows.first?.line == 5)
    #expect(t.rows.first?.cells[1].text == "x y https://a.b/c")
    #expect(t.rows.first?.cells[1].links.first?.url == "https://a.b/c")
    #expect(l.items.map(\.task) == [true, false])
  }
}

/// libcmark-gfm shares the extensions' inline characters between parsers: parses at the same
/// time must each see strikethrough and autolinks (before the lock, one parser's end removed
/// `~` from another's table mid-parse).
@Suite struct ConcurrentParseTests {
  @Test func parsesAtTheSameTimeKeepTheirExtensions() async {
    let text = "| a |\n|---|\n| ~~gone~~ https://x.example/1 |\n"
    let results = await withTaskGroup(of: Bool.self) { group in
      for _ in 0..<64 {
        group.addTask {
          let doc = MarkdownDocument(parsing: text)
          guard case .table(let t) = doc.blocks.first else { return false }
          let cell = t.rows.first?.cells.first
          return cell?.text == "gone https://x.example/1" && cell?.links.first?.url == "https://x.example/1"
            && cell?.marks.first?.kind == .strikethrough
        }
      }
      var all: [Bool] = []
      for await ok in group { all.append(ok) }
      return all
    }
    #expect(results.count == 64)
    #expect(results.allSatisfy { $0 })
  }
}
