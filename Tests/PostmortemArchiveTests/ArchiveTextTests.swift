import Testing

@testable import PostmortemArchive

/// How the archive compares words: the rule behind factor clusters, recurrence and similar.
@Suite struct ArchiveTextTests {
  @Test func endingsAndAbbreviationsFold() {
    #expect(ArchiveText.words("Updated, updating, updates") == ["updat", "updat", "updat"])
    #expect(ArchiveText.words("DB conn pools") == ArchiveText.words("database connection pool"))
    #expect(ArchiveText.wordSet("pool saturation") == ArchiveText.wordSet("pools exhausted"))
    #expect(ArchiveText.words("The 42 and the 502s") == ["502"])
    #expect(ArchiveText.words("Certificates") == ArchiveText.words("certificate"))
  }

  @Test func aNameWithHyphensIsOneWord() {
    #expect(ArchiveText.words("orders-api ran out of memory") == ["orders-api", "ran", "memory"])
    #expect(ArchiveText.words("kube_state_metrics v2.3.") == ["kube_state_metrics", "v2.3"])
    // Two texts that only name the same service are not alike.
    #expect(
      !ArchiveText.alike(
        ArchiveText.wordSet("mobile-bff OOM"), ArchiveText.wordSet("mobile-bff deploy failed")))
  }

  @Test func alikeNeedsTwoSharedWordsAndHalf() {
    let pool = ArchiveText.wordSet("Database connection pool exhausted under peak load")
    #expect(ArchiveText.alike(pool, ArchiveText.wordSet("DB conn pool too small for traffic spike")))
    #expect(!ArchiveText.alike(pool, ArchiveText.wordSet("Database migration locked the orders table")))
    #expect(ArchiveText.alike(ArchiveText.wordSet("pool exhausted"), pool))  // all its words in the other
    #expect(!ArchiveText.alike(ArchiveText.wordSet("pool"), pool))
    #expect(ArchiveText.alike(ArchiveText.wordSet("DNS"), ArchiveText.wordSet("dns")))
  }

  @Test func hostileTextIsJustWords() {
    let words = ArchiveText.words("'; DROP TABLE x; --\u{202E}<script>" + String(repeating: "a", count: 500))
    #expect(words.allSatisfy { $0.utf8.count <= 65 })
    #expect(words.contains("drop") && words.contains("script"))
  }
}
