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
