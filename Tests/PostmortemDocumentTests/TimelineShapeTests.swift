import Testing

@testable import PostmortemDocument

/// Timelines in the shapes real post-mortems use (fixtures written for these tests, in the
/// styles of published ones).
@Suite struct TimelineShapeTests {
  /// SRE-book style: a bold day with the zone, then one bullet per minute.
  @Test func sreBookBulletsUnderABoldDay() {
    let r = Read(
      """
      # Shakespeare search outage

      ## Timeline

      **2015-10-21** (all times UTC)

      * 14:51 News reports that a new sonnet was discovered
      * 14:53 Traffic to the search cluster climbs 88x
      * 14:54 **OUTAGE BEGINS** Search backends start melting down under load
        * cascading failure across three clusters
      * 15:01 Pager storm, ManyHttp500s in every cluster
      * around 15:10 Decision to add capacity
      * Unknown time: someone pinged the team chat
      """)
    #expect(r.kinds == ["other", "timeline"])
    #expect(r.lines == [7, 8, 9, 11, 12, 13])
    #expect(
      r.times == [
        "2015-10-21T14:51:00Z", "2015-10-21T14:53:00Z", "2015-10-21T14:54:00Z", "2015-10-21T15:01:00Z", nil,
        nil,
      ])
    #expect(
      r.text(2)
        == "OUTAGE BEGINS Search backends start melting down under load\ncascading failure across three clusters"
    )
    #expect(r.text(5) == "Unknown time: someone pinged the team chat")
    #expect(r.zone == "UTC")
    #expect(r.zoneLine == 5)
    #expect(r.timeline.count == 4)
    #expect(r.timeline.first?["time"]?.stringValue == "2015-10-21T14:51:00.000Z")
    #expect(r.timeline.first?["evidence"]?[0]?.stringValue == "postmortem.md:7")
  }

  /// GitLab style: bold times with their zone, a day heading per day.
  @Test func gitlabBoldTimesUnderDayHeadings() {
    let r = Read(
      """
      # Database incident

      ## Timeline

      ### 2017-01-31

      - **17:20 UTC** - team-member-1 takes an LVM snapshot of the production database
      - **19:00 UTC** - Database load increases due to spam
      - **23:27 UTC** - team-member-1 starts removing the data directory
          - the replication process is stopped first

      ### 2017-02-01

      - **00:36 UTC** - Backup restore started
      - **18:14 UTC** - GitLab.com is available again
      """)
    #expect(
      r.times == [
        "2017-01-31T17:20:00Z", "2017-01-31T19:00:00Z", "2017-01-31T23:27:00Z", "2017-02-01T00:36:00Z",
        "2017-02-01T18:14:00Z",
      ])
    #expect(r.lines == [7, 8, 9, 14, 15])
    #expect(
      r.text(2)
        == "team-member-1 starts removing the data directory\nthe replication process is stopped first")
    // Day headings are not sections of their own.
    #expect(r.sections.count == 2)
  }

  /// PagerDuty / Atlassian templates: a metadata table, and Date and Time in two columns
  /// (the date is not the time).
  @Test func splitDateAndTimeColumns() {
    let r = Read(
      """
      # Postmortem: checkout errors

      | Incident date | Severity | Time zone |
      |---|---|---|
      | 2024-03-05 | SEV-2 | UTC |

      ## Timeline

      | Date | Time | Event | Owner |
      |------|------|-------|-------|
      | 2024-03-05 | 09:12 | Deploy of cart-service 4.2 | Ana |
      | | 09:20 | 5xx alerts fire | PagerDuty |
      | 2024-03-06 | 01:05 | Rollback completed | Ben |
      | TBD | TBD | Customer comms sent | |
      """)
    #expect(r.facts["date"] == "2024-03-05")
    #expect(r.facts["severity"] == "SEV-2")
    #expect(r.lines == [11, 12, 13, 14])
    #expect(r.times == ["2024-03-05T09:12:00Z", "2024-03-05T09:20:00Z", "2024-03-06T01:05:00Z", nil])
    #expect(r.written[0] == "2024-03-05 09:12")
    #expect(
      r.rows.map(\.text) == [
        "Deploy of cart-service 4.2", "5xx alerts fire", "Rollback completed", "Customer comms sent",
      ])
    #expect(r.timeline.first?["actor"]?.stringValue == "Ana")
  }

  /// A US team writing 12-hour times in Pacific Time under day headings.
  @Test func twelveHourClockInPacificTimeUnderDayHeadings() {
    let r = Read(
      """
      # API latency incident

      ## Timeline (all times PT)

      ### Sunday, January 14, 2024

      1. 10:18 AM: Deploy of config change begins
      2. 10:31 AM: p99 latency alert fires
      3. 11:02 PM: Engineers declare the incident over

      ### January 15, 2024

      - 9:02 AM: Follow-up review scheduled
      """)
    #expect(r.zone == "PT")
    #expect(r.zoneLine == 3)
    #expect(
      r.times == [
        "2024-01-14T18:18:00Z", "2024-01-14T18:31:00Z", "2024-01-15T07:02:00Z", "2024-01-15T17:02:00Z",
      ])
    #expect(r.written.first == "10:18 AM")
  }

  /// A European team: DD-MM-YYYY dates and CEST.
  @Test func europeanDayFirstDatesInCEST() {
    let r = Read(
      """
      # Storingsrapport: payment gateway

      ## Timeline

      All times are CEST.

      - 14-06-2024 09:12 - Monitoring reports failing payments
      - 14-06-2024 09:40 - Vendor confirms an outage
      - 15-06-2024 08:05 - Payments flow again
      """)
    #expect(r.zone == "CEST")
    #expect(r.zoneLine == 5)
    #expect(r.times == ["2024-06-14T07:12:00Z", "2024-06-14T07:40:00Z", "2024-06-15T06:05:00Z"])
  }

  /// One heading per entry, the paragraphs under it its text; the date from the metadata.
  @Test func aHeadingPerEntry() {
    let r = Read(
      """
      # Queue backlog

      **Date**: 2024-03-02

      ## Timeline

      All times UTC.

      ### 14:43

      Alert fired for queue depth on orders-worker.

      The on-call engineer acknowledged it.

      ### 14:50 - Mitigation

      Workers scaled from 4 to 12.

      ## Root cause

      A slow consumer.
      """)
    #expect(r.lines == [9, 15])
    #expect(r.times == ["2024-03-02T14:43:00Z", "2024-03-02T14:50:00Z"])
    #expect(
      r.text(0) == "Alert fired for queue depth on orders-worker.\nThe on-call engineer acknowledged it.")
    #expect(r.text(1) == "Mitigation\nWorkers scaled from 4 to 12.")
    #expect(r.kinds == ["other", "timeline", "root_cause"])
    #expect(r.value["incident"]?["root_cause"]?.stringValue == "A slow consumer.")
  }

  /// Setext headings, bracketed times, the date from the file name.
  @Test func setextHeadingsAndTheDateFromTheFileName() {
    let r = Read(
      """
      Login failures
      ==============

      Timeline (UTC)
      --------------

      * [08:47] First login failures reported
      * [08:52] Identity provider status page shows degraded
      * [09:30] Resolved

      Action items
      ------------

      * Add a synthetic login probe (@dana)
      """, name: "2023-11-07-login-failures.md")
    #expect(r.kinds == ["other", "timeline", "actions"])
    #expect(r.times == ["2023-11-07T08:47:00Z", "2023-11-07T08:52:00Z", "2023-11-07T09:30:00Z"])
    #expect(r.lines == [7, 8, 9])
    #expect(r.items.map(\.owner) == ["@dana"])
  }

  /// A prose timeline: each line of a paragraph that starts with a time is a row.
  @Test func paragraphLinesThatStartWithATime() {
    let r = Read(
      """
      # CDN purge incident

      Date: March 9, 2024

      ## Sequence of events

      09:00 UTC - Engineers notice cache hit ratio dropping
      09:15 UTC - A purge of all objects is traced to a script
      which ran with the wrong flag
      10:02 UTC - Hit ratio back to normal
      """)
    #expect(r.kinds == ["other", "timeline"])
    #expect(r.lines == [7, 8, 10])
    #expect(r.times == ["2024-03-09T09:00:00Z", "2024-03-09T09:15:00Z", "2024-03-09T10:02:00Z"])
    #expect(r.text(1) == "A purge of all objects is traced to a script\nwhich ran with the wrong flag")
  }

  /// Code times and a day bullet whose sub-bullets are the times.
  @Test func codeTimesUnderADayBullet() {
    let r = Read(
      """
      # Disk full on build agents

      ## Chronology (UTC)

      - 2024-05-20
        - `08:47` Disk usage alert on agent-3
        - `09:05` Old artefacts removed
      - 2024-05-21
        - `07:30` Retention policy deployed
      """)
    #expect(r.times == ["2024-05-20T08:47:00Z", "2024-05-20T09:05:00Z", "2024-05-21T07:30:00Z"])
    #expect(
      r.rows.map(\.text) == [
        "Disk usage alert on agent-3", "Old artefacts removed", "Retention policy deployed",
      ])
  }

  /// A table with the time in its first column and no header word for it.
  @Test func anUpdateColumnIsNotADateAndDowntimeIsNotATime() {
    let r = Read(
      "## Timeline\n\nAll times UTC.\n\n| Downtime | Time | Update |\n|---|---|---|\n| yes | 2024-01-14 10:00 | API down |\n"
    )
    #expect(r.times == ["2024-01-14T10:00:00Z"])
    #expect(r.rows.map(\.text) == ["API down"])
  }

  @Test func aDayAloneOnItsBulletDatesTheBulletsAfterIt() {
    let r = Read(
      "## Timeline (UTC)\n\n- **2024-05-20 (Monday)**\n- 08:47 Disk alert\n- 2024-05-21\n- 07:30 Fixed\n")
    #expect(r.times == ["2024-05-20T08:47:00Z", "2024-05-21T07:30:00Z"])
  }

  @Test func timeInTheFirstColumnWithoutAHeaderWord() {
    let r = Read(
      """
      # Cache stampede

      ## Timeline

      Date: 2024-02-10. Times in UTC.

      | | What happened |
      |---|---|
      | 10:05 | Cache cluster restarted |
      | 10:07 | Database CPU at 100% |
      """)
    #expect(r.times == ["2024-02-10T10:05:00Z", "2024-02-10T10:07:00Z"])
    #expect(r.rows.map(\.text) == ["Cache cluster restarted", "Database CPU at 100%"])
  }

  /// Without a zone, rows keep their order and a local time without `Z`; without a date,
  /// no time but what was written.
  @Test func noZoneGivesLocalTimesAndNoDateGivesNone() {
    let dated = Read(
      """
      # Outage

      ## Timeline

      ### 2024-01-14

      - 10:18 Deploy
      - 10:20 Alert
      """)
    #expect(dated.zone == nil)
    #expect(dated.times == ["2024-01-14T10:18:00", "2024-01-14T10:20:00"])
    #expect(dated.timeline.isEmpty)
    let undated = Read("## Timeline\n\n- 10:18 Deploy\n- 10:20 Alert\n")
    // A clock time and no date anywhere: exact to the minute, its day unknown.
    #expect(undated.times == ["10:18:00", "10:20:00"])
    #expect(undated.written == ["10:18", "10:20"])
    #expect(undated.rows.map(\.text) == ["Deploy", "Alert"])
  }

  /// An ambiguous zone abbreviation is reported, never guessed.
  @Test func ambiguousZoneIsReported() {
    let r = Read(
      """
      # Outage

      ## Timeline (CST)

      - 2024-01-14 10:18 Deploy
      """)
    #expect(r.zone == "CST")
    #expect((r.imported["zone_ambiguous"]?.arrayValue?.count ?? 0) >= 2)
    #expect(r.times == ["2024-01-14T10:18:00"])
  }

  /// A section's kind covers its subheadings; the timeline ends at a heading of its level.
  @Test func sectionKindsCoverSubheadings() {
    let r = Read(
      """
      # Title

      ## Detailed timeline

      ### Detection

      - 2024-01-01 10:00 UTC first alert

      ## Corrective and Preventative Measures

      ### Short term

      - Fix the alert threshold

      ### Long term

      - Rewrite the consumer

      ## What went well

      - Fast rollback
      """)
    #expect(
      r.sections.map(\.title) == [
        "Title", "Detailed timeline", "Detection", "Corrective and Preventative Measures", "Short term",
        "Long term", "What went well",
      ])
    #expect(r.kinds == ["other", "timeline", "timeline", "actions", "actions", "actions", "went_well"])
    #expect(r.items.map(\.text) == ["Fix the alert threshold", "Rewrite the consumer"])
    #expect(r.rows.count == 1)
    #expect(r.value["what_went_well"]?.arrayValue == ["Fast rollback"])
  }
}

/// Timelines that are not under a Timeline heading, and days that roll over unwritten.
@Suite struct TimelinePlacementTests {
  @Test func aTimedListUnderWhatHappenedIsTheTimelineWhenThereIsNoOther() {
    let r = Read(
      """
      # Search outage

      Date: 2024-04-02. All times UTC.

      ## What happened

      - 09:10 UTC: index rebuild started
      - 09:40 UTC: queries time out
      - Engineers paged

      ## Detection

      - Alerting caught it
      - Customers reported it
      """)
    #expect(r.times == ["2024-04-02T09:10:00Z", "2024-04-02T09:40:00Z", nil])
    #expect(r.rows.map(\.text) == ["index rebuild started", "queries time out", "Engineers paged"])
  }

  @Test func aTimedListElsewhereIsNotARowWhenATimelineExists() {
    let r = Read(
      """
      ## Timeline (UTC)

      - 2024-04-02 09:10 index rebuild started

      ## Detection

      - 09:12 alert
      - 09:15 page
      """)
    #expect(r.rows.count == 1)
  }

  @Test func midnightRollsTheDayOver() {
    let r = Read(
      """
      ## Timeline (UTC)

      ### 2024-12-31

      - 23:40 Certificate rotation starts
      - 23:58 Handshakes fail
      - 00:07 Old certificate restored
      - 00:30 All clear
      """)
    #expect(
      r.times == [
        "2024-12-31T23:40:00Z", "2024-12-31T23:58:00Z", "2025-01-01T00:07:00Z", "2025-01-01T00:30:00Z",
      ])
  }

  @Test func aSmallStepBackIsKeptForTheOrderCheck() {
    let r = Read("## Timeline (UTC)\n\n### 2024-05-01\n\n- 11:08 Restored\n- 11:07 Ticket raised\n")
    #expect(r.times == ["2024-05-01T11:08:00Z", "2024-05-01T11:07:00Z"])
  }
}

@Suite struct TimelineOddShapesTests {
  @Test func aTableWithoutAHeaderRowKeepsItsFirstRow() {
    let r = Read(
      "## Timeline\n\n| 10:05 | Cache restarted |\n|---|---|\n| 10:07 | DB CPU at 100% |\n",
      name: "2024-02-10-cache.md")
    #expect(r.rows.map(\.text) == ["Cache restarted", "DB CPU at 100%"])
    #expect(r.lines == [3, 5])
  }

  @Test func dayHeadingsBesideTheTimelineHeading() {
    let r = Read(
      """
      # Outage

      All times are in UTC.

      ## Timeline

      - 2024-01-14 10:00 Deploy

      ## January 15, 2024

      - 09:00 Rollback

      ## 2024-01-16: Clean-up

      - 08:00 Old nodes drained

      ## Root cause

      - A bad flag
      """)
    #expect(r.times == ["2024-01-14T10:00:00Z", "2024-01-15T09:00:00Z", "2024-01-16T08:00:00Z"])
    #expect(r.kinds == ["other", "timeline", "root_cause"])
    #expect(r.zoneLine == 3)
  }
}

/// Events told as paragraphs in a document without a Timeline heading.
@Suite struct ParagraphTimelineTests {
  @Test func cloudProviderEventSummary() {
    let r = Read(
      """
      # Summary of the object store event in the Frankfurt region

      We want to explain the disruption of 3 March 2025.

      ## What happened

      At 8:02 AM CET, a configuration push to the index tier began.

      At 8:20 AM CET, list requests started to time out for some buckets.

      Around 9:00 AM CET, engineers rolled the push back.

      At 9:45 AM CET, list latency returned to normal.

      ## What we are doing

      - Index pushes now go out one zone at a time.
      """)
    #expect(r.lines == [7, 9, 11, 13])
    #expect(r.times == ["2025-03-03T07:02:00Z", "2025-03-03T07:20:00Z", nil, "2025-03-03T08:45:00Z"])
    #expect(r.text(0) == "a configuration push to the index tier began.")
    #expect(r.items.map(\.text) == ["Index pushes now go out one zone at a time."])
  }

  @Test func statusPageUpdatesWithTheirLabels() {
    let r = Read(
      """
      # Delayed webhooks

      _Date: 2025-06-02 · Times: UTC · Severity: minor_

      **Resolved** — 11:30 UTC
      Deliveries are back to normal.

      **Identified** — 10:55 UTC
      A saturated worker pool was found.

      **Investigating** — 10:20 UTC
      We are looking into delayed webhooks.
      """)
    #expect(r.times == ["2025-06-02T11:30:00Z", "2025-06-02T10:55:00Z", "2025-06-02T10:20:00Z"])
    #expect(r.text(0) == "Resolved\nDeliveries are back to normal.")
    #expect(r.facts["zone"] == "UTC")
  }
}

@Suite struct EntryHeadingTests {
  @Test func anEntryWithAnUnknownTimeIsAnUndatedRow() {
    let r = Read(
      """
      ## Timeline (UTC)

      ### 2025-02-01 20:49
      Webhooks succeed again.

      ### ???
      Check for double-fulfilled orders.

      ## Why did this happen
      """)
    #expect(r.times == ["2025-02-01T20:49:00Z", nil])
    #expect(r.rows.map(\.text) == ["Webhooks succeed again.", "Check for double-fulfilled orders."])
    #expect(r.written == ["2025-02-01 20:49", "???"])
  }

  @Test func numbersUnderTheFixesAreNoItems() {
    let r = Read(
      "## Things to fix\n\n- add a smoke test (@kenji)\n\n| metric | value |\n|---|---|\n| jobs affected | 4,100 |\n"
    )
    #expect(r.items.map(\.text) == ["add a smoke test (@kenji)"])
  }
}

/// The day clock-only rows are on, found in the prose when no metadata states it.
@Suite struct DocumentDateTests {
  @Test(arguments: [
    (
      "# Portal login loop (July 9, 2025)\n\nTimes are UTC.\n\n## Timeline\n\n- 09:12 First chat\n",
      "2025-07-09T09:12:00Z"
    ),
    (
      "# Billing webhooks\n\n## Overview\n\nBetween 10:18 and 12:41 UTC on January 14, 2025, webhooks were late.\n\n## Timeline (UTC)\n\n- 10:18 Deploy\n",
      "2025-01-14T10:18:00Z"
    ),
    (
      "# Tills offline\n\nWritten up by Ana on Friday 7 November 2025.\n\n## What went on\n\nOn Thursday 6 November the terminals failed.\n\n## Timeline (UTC)\n\n- 9.15am first call\n",
      "2025-11-06T09:15:00Z"
    ),
  ])
  func theIncidentsDay(text: String, time: String) {
    #expect(Read(text).times.first == time)
  }
}
