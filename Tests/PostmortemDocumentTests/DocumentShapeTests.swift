import Foundation
import Testing

@testable import PostmortemDocument

/// Sections, prose, facts, and input meant to hurt.
@Suite struct DocumentShapeTests {
  @Test(arguments: [
    ("Timeline", "timeline"), ("Chronology", "timeline"), ("Sequence of Events", "timeline"),
    ("Timeline of events", "timeline"), ("Detailed timeline", "timeline"), ("Action Items", "actions"),
    ("Corrective and Preventative Measures", "actions"), ("Corrective actions", "actions"),
    ("Remediation", "actions"), ("Follow-ups", "actions"), ("Next steps", "actions"),
    ("Prevention", "actions"),
    ("Preventive actions", "actions"), ("Action plan", "actions"), ("TODO", "actions"),
    ("Contributing factors", "factors"), ("Causes", "factors"), ("Root causes", "root_cause"),
    ("Root Cause", "root_cause"), ("Trigger", "immediate"), ("What went wrong", "factors"),
    ("What happened", "happened"), ("Lessons learned", "lessons"), ("What went well", "went_well"),
    ("Where we got lucky", "lessons"), ("Impact", "impact"), ("Summary", "summary"), ("Overview", "summary"),
    ("TL;DR", "summary"), ("Executive summary", "summary"), ("Attendees", "other"), ("Background", "other"),
  ])
  func sectionKinds(title: String, kind: String) {
    #expect((SectionKind.of(heading: title) ?? .other).rawValue == kind)
  }

  @Test func proseFactsAndReportFields() {
    let r = Read(
      """
      # Payment API outage

      **Date**: 2024-01-14
      **Duration**: 1h 35min (10:05 - 11:40 UTC)
      **Time to detect**: 4 minutes

      ## Summary

      Payments failed for *most* customers.
      A `config` change removed the [pool limit](https://example.com/pr/1).

      ## Contributing factors

      - No canary stage
      - Alert threshold too high

      ## Lessons learned

      - Config changes need review

      | Metric | Value |
      |---|---|
      | Start time | 2024-01-14 10:05 UTC |
      """)
    #expect(r.facts["date"] == "2024-01-14")
    #expect(r.facts["duration"] == "1h 35min (10:05 - 11:40 UTC)")
    #expect(r.facts["time_to_detect"] == "4 minutes")
    #expect(r.facts["start"] == "2024-01-14 10:05 UTC")
    let summary = r.prose.first { $0.section == "summary" }
    #expect(summary?.line == 9)
    #expect(summary?.text == "Payments failed for most customers.\nA config change removed the pool limit.")
    #expect(r.value["incident"]?["title"]?.stringValue == "Payment API outage")
    #expect(
      r.value["incident"]?["summary"]?.stringValue
        == "Payments failed for most customers. A config change removed the pool limit.")
    #expect(r.value["factors"]?["contributing"]?.arrayValue?.count == 2)
    #expect(r.value["lessons_learned"]?.arrayValue == ["Config changes need review"])
    #expect(r.value["incident"]?["id"]?.stringValue == "postmortem")
  }

  @Test func scriptInCellsIsText() {
    let r = Read(
      """
      ## Timeline

      | Time | Event |
      |---|---|
      | 10:00 | <script>alert(1)</script> deploy |
      | 10:05 | a <b>bold</b> claim |
      """)
    #expect(r.rows.count == 2)
    #expect(r.rows.allSatisfy { !$0.text.contains("<script") })
    #expect(r.text(0) == "alert(1) deploy")
  }

  @Test func nulBytesDoNotEndTheDocument() {
    let r = Read("## Timeline\n\n- 10:00 first\u{0}row\n- 10:05 second\n")
    #expect(r.rows.count == 2)
    #expect(r.text(0)?.contains("row") == true)
  }

  @Test func tenThousandNestedListsAreBounded() {
    let nested = String(repeating: "- ", count: 10_000) + "deep\n"
    let r = Read("## Action items\n\n" + nested + "\n## Timeline\n\n" + nested)
    #expect(r.items.count == 1)
    #expect(r.items.first?.text.contains("deep") == true)
    #expect(r.rows.count == 1)
    let indented = (0..<3000).map { String(repeating: "  ", count: $0) + "- level \($0)\n" }.joined()
    let deep = Read("## Lessons\n\n" + indented)
    #expect(deep.prose.contains { $0.text.contains("level 2999") })
  }

  @Test func fiveMegabyteTableIsReadInTime() {
    var lines = ["## Timeline\n\nAll times UTC.\n\n| Time | Event |\n|---|---|"]
    var size = 0
    var n = 0
    while size < 5_000_000 {
      let line = "| 2024-01-14 10:\(n % 50 + 10) | event number \(n) with a few words to fill the row |"
      size += line.utf8.count + 1
      lines.append(line)
      n += 1
    }
    let text = lines.joined(separator: "\n")
    let start = Date()
    let r = Read(text)
    #expect(r.rows.count == n)
    #expect(Date().timeIntervalSince(start) < 60)
  }

  @Test func tooManyCellsOnALineIsReadAsText() {
    let wide = "|" + String(repeating: "a|", count: 5000)
    let start = Date()
    let r = Read("## Notes\n\n" + wide + "\n|" + String(repeating: "-|", count: 5000) + "\n" + wide + "\n")
    #expect(Date().timeIntervalSince(start) < 10)
    #expect(r.imported["notes"]?.arrayValue?.contains { $0.stringValue?.contains("line 3") == true } == true)
  }

  @Test func documentsAboveTenMegabytesAreRefusedByName() {
    #expect(DocumentReader.refusal(byteCount: 10 << 20, name: "a.md") == nil)
    #expect(
      DocumentReader.refusal(byteCount: (10 << 20) + 1, name: "big.md")
        == "big.md: 10485761 bytes is more than a post-mortem (10 MB at most): not read")
  }

  @Test func extensionsAreLoaded() {
    #expect(MarkdownDocument(parsing: "x").extensions)
  }
}

/// Whole documents in two more house styles: a metadata table with US dates and ET, and a
/// setext document with bold times in paragraphs, its date only in the title.
@Suite struct WholeDocumentTests {
  static let atlassianStyle = #"""
    # Incident Postmortem: Checkout latency (INC-2291)

    | Field | Value |
    |---|---|
    | Incident date | 03/14/2024 |
    | Authors | Priya Raman, Tom Becker |
    | Status | Complete |
    | Start time | 2:05 PM ET |
    | End time | 4:40 PM ET |
    | Duration | 2h 35m |

    ## Overview

    Checkout requests slowed to 9 s p99 for 2.5 hours.

    ## Incident timeline

    All times Eastern (ET).

    | Time | Event |
    |---|---|
    | 2:05 PM | Payment provider starts timing out |
    | 2:11 PM | PagerDuty pages the on-call engineer |
    | ~2:30 PM | Decision to fail over |
    | 4:40 PM | Latency back to normal |

    ## Root causes and trigger

    The trigger was a provider certificate change.

    ## Corrective actions

    | Action | Type | Owner | Due date | Jira |
    |---|---|---|---|---|
    | Add timeout budget to payment client | Prevent | Priya | 04/01/2024 | PAY-341 |
    | Alert on provider latency | Detect | Tom | 03/28/2024 | [PAY-342](https://jira.example.com/browse/PAY-342) |

    ## Lessons learned

    ### What went well
    - Failover runbook worked

    ### What went wrong
    - Detection took 6 minutes

    ### Where we got lucky
    - Low traffic day
    """#

  static let reviewStyle = #"""
    Post-incident review — Tuesday 5 March 2024
    ===

    **Severity:** SEV2 · **Zone:** all times CET

    Timeline
    ---

    **09:02** — Nightly batch overruns into business hours.

    **09:15** — Support reports slow invoices page.
    Engineers start looking at the DB.

    **10:48** — Batch killed; latency recovers.

    Follow-up
    ---

    1. [ ] Move batch to a replica — *owner: @marta* — due 2024-03-20
    2. [ ] Cap batch runtime (P2)
       * see https://wiki.example.com/batch
    3. [x] Notify support when batch overruns
    """#

  @Test func metadataTableUSDatesAndEasternTime() {
    let r = Read(Self.atlassianStyle)
    #expect(r.zone == "ET")
    #expect(r.lines == [22, 23, 24, 25])
    #expect(r.times == ["2024-03-14T18:05:00Z", "2024-03-14T18:11:00Z", nil, "2024-03-14T20:40:00Z"])
    #expect(r.facts["date"] == "03/14/2024")
    #expect(r.facts["duration"] == "2h 35m")
    #expect(r.facts["start"] == "2:05 PM ET")
    #expect(r.items.map(\.owner) == ["Priya", "Tom"])
    #expect(r.items.map(\.deadline) == ["04/01/2024", "03/28/2024"])
    #expect(r.items.map(\.tracking) == ["PAY-341", "https://jira.example.com/browse/PAY-342"])
    #expect(
      r.kinds == [
        "other", "summary", "timeline", "root_cause", "actions", "lessons", "went_well", "factors", "lessons",
      ])
    #expect(r.value["what_went_well"]?.arrayValue == ["Failover runbook worked"])
  }

  @Test func boldTimeParagraphsDatedByTheTitle() {
    let r = Read(Self.reviewStyle)
    #expect(r.zone == "CET")
    #expect(r.facts["severity"] == "SEV2")
    #expect(r.times == ["2024-03-05T08:02:00Z", "2024-03-05T08:15:00Z", "2024-03-05T09:48:00Z"])
    #expect(r.text(1) == "Support reports slow invoices page.\nEngineers start looking at the DB.")
    #expect(r.items.map(\.owner) == ["@marta", nil, nil])
    #expect(r.items.map(\.done) == [false, false, true])
    #expect(r.items.map(\.tracking) == [nil, "https://wiki.example.com/batch", nil])
  }
}
