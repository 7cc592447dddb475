import Foundation
import Testing

@testable import PostmortemCore

/// Times, dates and zones as post-mortems write them by hand.
@Suite struct WrittenTimeTests {
  /// A moment in one line: `2024-01-14 10:18:00 PDT ~ | rest` (`--01-14` without a year,
  /// `-` for what is absent, `~` when approximate).
  static func show(_ m: WrittenMoment?) -> String {
    guard let m else { return "nil" }
    var parts: [String] = []
    if let d = m.date {
      let y = d.year.map { String($0) } ?? "-"
      parts.append(y + "-" + two(d.month) + "-" + two(d.day))
    } else {
      parts.append("-")
    }
    if let c = m.clock {
      var clock = two(c.hour) + ":" + two(c.minute) + (c.second.map { ":" + two($0) } ?? "")
      if let u = m.until { clock += "-" + two(u.hour) + ":" + two(u.minute) }
      parts.append(clock)
    } else {
      parts.append("-")
    }
    parts.append(m.zone?.label ?? "-")
    if m.approximate { parts.append("~") }
    return parts.joined(separator: " ") + " | " + m.rest
  }

  static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

  static func read(_ text: String, _ order: DateOrder = .unknown) -> String {
    show(WrittenTimes.leading(text, order: order))
  }

  static func check(
    _ cases: [(String, String)], order: DateOrder = .unknown,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    for (text, expected) in cases {
      #expect(read(text, order) == expected, "\(text)", sourceLocation: sourceLocation)
    }
  }

  // MARK: leading: clocks

  @Test func clocksOnTheTwentyFourHourClock() {
    Self.check([
      ("08:47 Alert fired", "- 08:47 - | Alert fired"),
      ("8:47 - Alert fired", "- 08:47 - | Alert fired"),
      ("08:47:12 - Pod restarted", "- 08:47:12 - | Pod restarted"),
      ("08:47:12.345 pod restarted", "- 08:47:12 - | pod restarted"),
      ("[08:47] Alert fired", "- 08:47 - | Alert fired"),
      ("(08:47) Alert fired", "- 08:47 - | Alert fired"),
      ("[08:47] - Alert fired", "- 08:47 - | Alert fired"),
      ("**16:58 UTC** - Deploy started", "- 16:58 UTC | Deploy started"),
      ("`16:58` Deploy started", "- 16:58 - | Deploy started"),
      ("16:58Z: deploy", "- 16:58 UTC | deploy"),
      ("16:58 UTC | deploy", "- 16:58 UTC | deploy"),
      ("16:58UTC deploy", "- 16:58 UTC | deploy"),
      ("14:43", "- 14:43 - | "),
      ("00:00 midnight job", "- 00:00 - | midnight job"),
      ("23:59 — last request", "- 23:59 - | last request"),
      ("10:05 – paged", "- 10:05 - | paged"),
      ("10:05 → paged", "- 10:05 - | paged"),
      ("10:05, the on-call engineer was paged", "- 10:05 - | the on-call engineer was paged"),
      ("  10:05   spaced   ", "- 10:05 - | spaced"),
      ("10h18 redémarrage", "- 10:18 - | redémarrage"),
      ("1018Z first alert", "- 10:18 UTC | first alert"),
      ("1018 UTC first alert", "- 10:18 UTC | first alert"),
    ])
  }

  @Test func rangesOfTimes() {
    Self.check([
      ("09:00 - 11:00 maintenance window", "- 09:00-11:00 - | maintenance window"),
      ("09:00-11:00 UTC: maintenance window", "- 09:00-11:00 UTC | maintenance window"),
      ("09:00 – 11:00 (CET) window", "- 09:00-11:00 CET | window"),
      ("10:00–11:30 PM deploy", "- 22:00-23:30 - | deploy"),
      ("11:00 AM - 1:00 PM deploy", "- 11:00-13:00 - | deploy"),
      ("10:00 to 11:00 freeze", "- 10:00-11:00 - | freeze"),
      ("12:26-12:?? degraded", "- 12:26-12:00 - | degraded"),
      ("2020-10-06 09:00 - 11:00 | upgrade", "2020-10-06 09:00-11:00 - | upgrade"),
      // Not ranges: a count after the dash, a duration.
      ("10:05 - 3 pods restarted", "- 10:05 - | 3 pods restarted"),
      ("10:05 - 1:30 hours of downtime", "- 10:05 - | 1:30 hours of downtime"),
      ("10:05 today", "- 10:05 - | today"),
      ("**10:18** **Alert** fired", "- 10:18 - | **Alert** fired"),
      ("**[10:18]** - x", "- 10:18 - | x"),
      ("10:18\nAlert fired\nsecond line", "- 10:18 - | Alert fired\nsecond line"),
      ("\n10:18 x", "- 10:18 - | x"),
      ("Est. 10:00 first report", "- 10:00 - ~ | first report"),
      ("Between 10:31 and 10:40 UTC, errors continued", "- 10:31-10:40 UTC | errors continued"),
      ("From 10:31 to 10:40 UTC errors continued", "- 10:31-10:40 UTC | errors continued"),
      ("Between 10:31 and then errors", "- 10:31 - | and then errors"),
    ])
    let m = WrittenTimes.leading("09:00-11:00 UTC: window")
    #expect(m?.written == "09:00-11:00 UTC")
    #expect(m?.until == WrittenClock(hour: 11, minute: 0))
  }

  @Test func hoursWrittenMilitaryStyle() {
    Self.check([
      ("14:00 hrs - bridge opened", "- 14:00 - | bridge opened"),
      ("1400hrs bridge opened", "- 14:00 - | bridge opened"),
      ("1400 hrs: bridge opened", "- 14:00 - | bridge opened"),
      ("0930Z bridge opened", "- 09:30 UTC | bridge opened"),
      ("10:18 UTC on Jan 14 - alert", "--01-14 10:18 UTC | alert"),
      ("10:18 on 14 January 2024: alert", "2024-01-14 10:18 - | alert"),
      ("Between 09:02 and 11:47 ET on Tuesday, November 5, 2024, users", "2024-11-05 09:02-11:47 ET | users"),
      ("14.01.2024, 10:45 Uhr - Neustart", "2024-01-14 10:45 - | Neustart"),
      ("kl. 09:05 standup", "- 09:05 - | standup"),
      ("9.05 am - standup", "- 09:05 - | standup"),
      ("9.05pm - standup", "- 21:05 - | standup"),
      ("Noon - lunch deploy", "- 12:00 - | lunch deploy"),
      ("midnight UTC: cron ran", "- 00:00 UTC | cron ran"),
      ("10:2x - traffic shifted", "- 10:20 - ~ | traffic shifted"),
    ])
    for text in [
      "1:30 hrs of downtime", "14:00:10 hrs", "1400 hours later", "2400hrs", "1460Z", "09.05 - standup",
      "9.05", "1.05 million",
      "noon and midnight", "Midnight Commander crashed", "10:6x x", "10:2xx x",
    ] {
      #expect(WrittenTimes.leading(text) == nil, "\(text)")
    }
  }

  @Test func twelveHourClocks() {
    Self.check([
      ("10:18 AM - Alert", "- 10:18 - | Alert"),
      ("10:18 PM - Alert", "- 22:18 - | Alert"),
      ("10:18am alert", "- 10:18 - | alert"),
      ("10:18pm: alert", "- 22:18 - | alert"),
      ("10am standup", "- 10:00 - | standup"),
      ("3 PM - rollback", "- 15:00 - | rollback"),
      ("3pm rollback", "- 15:00 - | rollback"),
      ("12:05 a.m. backup ran", "- 00:05 - | backup ran"),
      ("12:05 A.M. backup ran", "- 00:05 - | backup ran"),
      ("12:30 p.m.: lunch deploy", "- 12:30 - | lunch deploy"),
      ("12 AM rotation", "- 00:00 - | rotation"),
      ("12 PM rotation", "- 12:00 - | rotation"),
      ("12pm rotation", "- 12:00 - | rotation"),
      ("1:02:03 PM x", "- 13:02:03 - | x"),
      ("10:18 AM Pacific - paged", "- 10:18 PT | paged"),
      ("10:18 AM PT - paged", "- 10:18 PT | paged"),
      ("2pm PT: call", "- 14:00 PT | call"),
    ])
  }

  @Test func approximateTimes() {
    Self.check([
      ("~10:00 - someone noticed", "- 10:00 - ~ | someone noticed"),
      ("~ 10:00 someone noticed", "- 10:00 - ~ | someone noticed"),
      ("around 10am users complained", "- 10:00 - ~ | users complained"),
      ("Around 10:30: users complained", "- 10:30 - ~ | users complained"),
      ("approx. 14:00 - fix", "- 14:00 - ~ | fix"),
      ("approx 14:00 - fix", "- 14:00 - ~ | fix"),
      ("Approximately 14:00 UTC the fix landed", "- 14:00 UTC ~ | the fix landed"),
      ("circa 14:00 fix", "- 14:00 - ~ | fix"),
      ("10:xx - first reports", "- 10:00 - ~ | first reports"),
      ("10:XX first reports", "- 10:00 - ~ | first reports"),
      ("14:?? first reports", "- 14:00 - ~ | first reports"),
      ("10:45~ capacity issue", "- 10:45 - ~ | capacity issue"),
      ("10:30ish users noticed", "- 10:30 - ~ | users noticed"),
      ("10am-ish users noticed", "- 10:00 - ~ | users noticed"),
      ("≈10:00 users noticed", "- 10:00 - ~ | users noticed"),
      ("10:00 (approx.) users noticed", "- 10:00 - ~ | users noticed"),
      ("10:00 UTC (estimated) - users noticed", "- 10:00 UTC ~ | users noticed"),
      ("10:00 (?) users noticed", "- 10:00 - ~ | users noticed"),
      ("10:00 (see below) users noticed", "- 10:00 - | (see below) users noticed"),
      ("Shortly after 10:00 the queue grew", "- 10:00 - ~ | the queue grew"),
      ("~2025-03-03 19:30 | wider capacity issue", "2025-03-03 19:30 - ~ | wider capacity issue"),
      ("2020-11-17 10:45~ restarted", "2020-11-17 10:45 - ~ | restarted"),
      ("2024-03-13 14:?? noticed", "2024-03-13 14:00 - ~ | noticed"),
    ])
  }

  // MARK: leading: dates

  @Test func datesWithTimes() {
    Self.check([
      ("Jan 14, 10:18 AM - Alert", "--01-14 10:18 - | Alert"),
      ("Jan 14 10:18 alert", "--01-14 10:18 - | alert"),
      ("January 14 2024 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("January 14, 2024 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("January 14th, 2024 at 10:18 PM EST: alert", "2024-01-14 22:18 EST | alert"),
      ("Jan. 14, 2024, 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("Sept 3 09:00 alert", "--09-03 09:00 - | alert"),
      ("14 Jan 2024 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("14 January 2024, 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("14th of January 2024 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("14-Jan-2024 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("Tue Jan 14 10:18 alert", "--01-14 10:18 - | alert"),
      ("Tuesday, January 14, 2024 at 10:18 AM EST alert", "2024-01-14 10:18 EST | alert"),
      ("Tue Jan 14 10:18:00 UTC 2024 kernel panic", "2024-01-14 10:18:00 UTC | kernel panic"),
      ("2024-01-14 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("2024-01-14   10:18 alert", "2024-01-14 10:18 - | alert"),
      ("2024-01-14, 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("2024-01-14 @ 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("2024-01-14 - 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("2024-1-4 9:05 alert", "2024-01-04 09:05 - | alert"),
      ("2024-01-14T10:18:00Z alert", "2024-01-14 10:18:00 UTC | alert"),
      ("2024-01-14T10:18:00.123Z alert", "2024-01-14 10:18:00 UTC | alert"),
      ("2024-01-14T10:18:00+02:00 alert", "2024-01-14 10:18:00 UTC+02:00 | alert"),
      ("2024-01-14T10:18:00-05:00 alert", "2024-01-14 10:18:00 UTC-05:00 | alert"),
      ("2024-01-14T10:18:00+0530 alert", "2024-01-14 10:18:00 UTC+05:30 | alert"),
      ("2024-01-14 10:18:00 +02:00 alert", "2024-01-14 10:18:00 UTC+02:00 | alert"),
      ("2024/01/14 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("[01-14 10:18] alert", "--01-14 10:18 - | alert"),
      ("[12-03 10:18] alert", "--12-03 10:18 - | alert"),
      ("14-01-2024 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("14.01.2024 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("01/14/2024 10:18 AM alert", "2024-01-14 10:18 - | alert"),
      ("14/01/24 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("1/14/24 10:18 alert", "2024-01-14 10:18 - | alert"),
      ("29 Feb 2024 10:00 leap", "2024-02-29 10:00 - | leap"),
      ("Feb 29 10:00 leap, no year", "--02-29 10:00 - | leap, no year"),
      ("At 10:18 UTC the alert fired", "- 10:18 UTC | the alert fired"),
      ("On Jan 14 at 10:18, the alert fired", "--01-14 10:18 - | the alert fired"),
      ("At around 10am the queue grew", "- 10:00 - ~ | the queue grew"),
    ])
  }

  @Test func zonesBesideTimes() {
    Self.check([
      ("10:18 PT deploy", "- 10:18 PT | deploy"),
      ("10:18 (PST) deploy", "- 10:18 PST | deploy"),
      ("10:18 (PST): deploy", "- 10:18 PST | deploy"),
      ("10:18 PDT - deploy", "- 10:18 PDT | deploy"),
      ("10:18 ET - deploy", "- 10:18 ET | deploy"),
      ("10:18 CEST - deploy", "- 10:18 CEST | deploy"),
      ("10:18 CST - deploy", "- 10:18 CST | deploy"),
      ("10:18 IST - deploy", "- 10:18 IST | deploy"),
      ("10:18 UTC+2 - deploy", "- 10:18 UTC+02:00 | deploy"),
      ("10:18 UTC-05:00 - deploy", "- 10:18 UTC-05:00 | deploy"),
      ("10:18 GMT+1 - deploy", "- 10:18 UTC+01:00 | deploy"),
      ("10:18 UTC+5:30 - deploy", "- 10:18 UTC+05:30 | deploy"),
      ("10:18 Europe/Berlin - deploy", "- 10:18 Europe/Berlin | deploy"),
      ("10:18 (Europe/Berlin) deploy", "- 10:18 Europe/Berlin | deploy"),
      ("10:18 Pacific Time - deploy", "- 10:18 PT | deploy"),
      ("10:18 Central European Summer Time - deploy", "- 10:18 CEST | deploy"),
      ("10:18 Eastern - deploy", "- 10:18 ET | deploy"),
      ("10:18 Berlin time - deploy", "- 10:18 Europe/Berlin | deploy"),
      (
        "Tue Jan 14 2024 10:18:00 GMT+0100 (Central European Standard Time) page",
        "2024-01-14 10:18:00 UTC+01:00 | page"
      ),
      ("10:18 UTC (12:18 CEST) page", "- 10:18 UTC | (12:18 CEST) page"),
      ("10:18 PT (PDT) page", "- 10:18 PDT | page"),
      // Not zones: a lower-case word, a word that is not one.
      ("10:18 est. start of impact", "- 10:18 - | est. start of impact"),
      ("10:18 AT&T reported", "- 10:18 - | AT&T reported"),
    ])
    let m = WrittenTimes.leading("Jan 14, 10:18 AM PT - Alert fires")
    #expect(m?.written == "Jan 14, 10:18 AM PT")
    #expect(WrittenTimes.leading("[08:47] x")?.written == "08:47")
    #expect(WrittenTimes.leading("~10:00 x")?.written == "~10:00")
    #expect(WrittenTimes.leading("At 10:18 UTC the alert")?.written == "10:18 UTC")
    if case .ambiguous(_, let meanings) = WrittenTimes.leading("10:18 CST x")?.zone {
      #expect(meanings.contains("US Central (UTC-6)") && meanings.contains("China (UTC+8)"))
    } else {
      Issue.record("CST is ambiguous")
    }
  }

  @Test func datesAlone() {
    Self.check([
      ("Jan 14", "--01-14 - - | "),
      ("Jan 14: the day it broke", "--01-14 - - | the day it broke"),
      ("2024-01-14", "2024-01-14 - - | "),
      ("2024-01-14 | Decided to migrate", "2024-01-14 - - | Decided to migrate"),
      ("2021-12-10 HH:mm something", "2021-12-10 - - | something"),
      ("2019-12-03 --:-- Outage", "2019-12-03 - - | Outage"),
      ("14 January 2024", "2024-01-14 - - | "),
    ])
  }

  @Test func numericDateOrder() {
    // NN-NN-YYYY, NN/NN/YYYY, NN.NN.YYYY by the document's order, else by the rule.
    Self.check([
      ("03/04/2024 10:00 x", "2024-03-04 10:00 - | x"),
      ("03-04-2024 10:00 x", "2024-04-03 10:00 - | x"),
      ("03.04.2024 10:00 x", "2024-04-03 10:00 - | x"),
      ("13/04/2024 10:00 x", "2024-04-13 10:00 - | x"),
      ("04-13-2024 10:00 x", "2024-04-13 10:00 - | x"),
    ])
    Self.check(
      [
        ("03/04/2024 10:00 x", "2024-04-03 10:00 - | x"),
        ("03-04-2024 10:00 x", "2024-04-03 10:00 - | x"),
        // A date the order cannot read is read the only way it can be.
        ("04/13/2024 10:00 x", "2024-04-13 10:00 - | x"),
      ], order: .dayFirst)
    Self.check(
      [
        ("03/04/2024 10:00 x", "2024-03-04 10:00 - | x"),
        ("03-04-2024 10:00 x", "2024-03-04 10:00 - | x"),
        ("03.04.2024 10:00 x", "2024-03-04 10:00 - | x"),
        ("[03-04 10:18] x", "--03-04 10:18 - | x"),
      ], order: .monthFirst)
    Self.check([("[03-04 10:18] x", "--04-03 10:18 - | x")], order: .dayFirst)
  }

  // MARK: leading: what is not a moment

  @Test func notMoments() {
    let texts = [
      "T+5m: first page", "T-0 launch", "v2.3.0 released", "1.2.3 released", "3:1 ratio of reads",
      "10 minutes later the pods restarted", "10.0.0.1 stopped answering", "192.168.1.20 down",
      "10.10.10.10 down", "99:99 nonsense", "24:00 end of day", "25:00", "10:60 x", "23:5 x",
      "2025-02-30 10:00 x", "2023-02-29 x", "2024-13-01 x", "32/01/2024 x", "13/13/2024 x", "00:00:60 x",
      "13:00 PM x", "0 am x", "13pm x", "Timeline", "Root cause", "Release 2024.01", "2024 was a year",
      "HH:mm - template row", "20xx-MM-DD HH:mm", "2022-02-?? ??:??", "20202-01-16 12:00 typo year",
      "1:30 hours of downtime", "10:00 minutes", "10:18:12:14 x", "10:18abc", "3 pmhost", "10 a thing",
      "Jan 14-15 migration", "Jan 13 – 14 migration", "2024-01-13 - 2024-01-14 migration",
      "2024-01-14-2024-01-15", "Janu 14", "January 2024", "May", "12-14 alone",
      "1/2 of the fleet", "", "   ", "**", "[", "~", "around the clock", "At least 3 nodes", "On-call paged",
      "١٠:١٨ arabic digits", "１０:１８ fullwidth", "10:1٨ mixed", "10:18é", "10:18①", "10:18Ⅻ", "10:18ℓ",
      "10:18中", "2.10.24 release",
      "version 14.01.24", "12:30:5 x", "1. January review", "2. Restart the service",
    ]
    for t in texts {
      #expect(WrittenTimes.leading(t) == nil, "\(t) → \(Self.read(t))")
    }
  }

  @Test func unicodeAroundMoments() {
    Self.check([
      ("10:18 — 🚨 alert", "- 10:18 - | 🚨 alert"),
      ("10:18 התראה", "- 10:18 - | התראה"),
      ("10:18\u{00A0}UTC\u{00A0}– alerte", "- 10:18 UTC | alerte"),
      ("\u{00A0}10:18 x", "- 10:18 - | x"),
      ("10:18 – ﷽", "- 10:18 - | ﷽"),
      ("10:18🚨 alert", "- 10:18 - | 🚨 alert"),
      ("10:18✅ fixed", "- 10:18 - | ✅ fixed"),
      ("10:18 UTC⚠️ degraded", "- 10:18 UTC | ⚠️ degraded"),
    ])
  }

  // MARK: day

  @Test func dayHeadings() {
    let cases: [(String, WrittenDate)] = [
      ("January 14, 2024", WrittenDate(year: 2024, month: 1, day: 14)),
      ("Tuesday, 14 January 2024", WrittenDate(year: 2024, month: 1, day: 14)),
      ("Jan 14", WrittenDate(year: nil, month: 1, day: 14)),
      ("2024-01-14", WrittenDate(year: 2024, month: 1, day: 14)),
      ("14/01/2024", WrittenDate(year: 2024, month: 1, day: 14)),
      ("Day 2 - January 15", WrittenDate(year: nil, month: 1, day: 15)),
      ("Day 2 – January 15", WrittenDate(year: nil, month: 1, day: 15)),
      ("Day 2: Jan 15, 2024", WrittenDate(year: 2024, month: 1, day: 15)),
      ("Day 2 (Jan 15, 2024)", WrittenDate(year: 2024, month: 1, day: 15)),
      ("Monday 2024-01-15", WrittenDate(year: 2024, month: 1, day: 15)),
      ("2024-01-14 (Tuesday)", WrittenDate(year: 2024, month: 1, day: 14)),
      ("January 14, 2024 (all times UTC)", WrittenDate(year: 2024, month: 1, day: 14)),
      ("2024-01-14 (UTC+2)", WrittenDate(year: 2024, month: 1, day: 14)),
      ("**2024-01-14**", WrittenDate(year: 2024, month: 1, day: 14)),
      ("## 14th January:", WrittenDate(year: nil, month: 1, day: 14)),
      ("On January 14th", WrittenDate(year: nil, month: 1, day: 14)),
      ("Sat. 3 Feb 2024", WrittenDate(year: 2024, month: 2, day: 3)),
      ("Monday (2024-01-15)", WrittenDate(year: 2024, month: 1, day: 15)),
      ("January 14, 2024 (Day 1)", WrittenDate(year: 2024, month: 1, day: 14)),
      ("January 14 – Day 1", WrittenDate(year: nil, month: 1, day: 14)),
      ("Day 1 - Monday, January 13", WrittenDate(year: nil, month: 1, day: 13)),
      ("14.01.2024", WrittenDate(year: 2024, month: 1, day: 14)),
      ("2024/01/14", WrittenDate(year: 2024, month: 1, day: 14)),
      ("Jan 14th, 2024 (Sunday)", WrittenDate(year: 2024, month: 1, day: 14)),
    ]
    for (text, date) in cases {
      #expect(WrittenTimes.day(text) == date, "\(text)")
    }
    #expect(WrittenTimes.day("03/04/2024") == WrittenDate(year: 2024, month: 3, day: 4))
    #expect(WrittenTimes.day("03/04/2024", order: .dayFirst) == WrittenDate(year: 2024, month: 4, day: 3))
    let not = [
      "Timeline", "Root cause", "Release 2024.01", "Jan 14-15", "Jan 14 - 15", "Jan 14 – Jan 15",
      "2024-01-14 to 2024-01-15", "Jan 14, 10:18", "2024-01-14 10:18", "On Jan 14 the database fell over",
      "The outage began on January 14, 2024 and lasted two days", "January 2024", "Day 2", "Tuesday",
      "Jan 14 (Jan 15)", "Jan 14 (Day 1 and 2)", "January 14 - Day 1 of 3", "Monday (2024-01-15",
      "Jan 14, the outage", "Jan 14 - outage", "2025-02-30", "[01-14]", "01-14", "Q1 2024",
      "Day 2 - everything broke",
      String(repeating: "Jan 14 ", count: 2000), "",
    ]
    for text in not {
      #expect(WrittenTimes.day(text) == nil, "\(text.prefix(60))")
    }
  }

  // MARK: zones

  @Test func zonesStatedInText() {
    let cases: [(String, String)] = [
      ("Timeline (UTC)", "UTC"),
      ("Timeline (all times UTC)", "UTC"),
      ("All times are in Pacific Time (PT)", "PT"),
      ("All times PT", "PT"),
      ("Timeline (PT)", "PT"),
      ("times in CEST", "CEST"),
      ("All times in CET.", "CET"),
      ("Date and Time in CET", "CET"),
      ("(UTC+2)", "UTC+02:00"),
      ("Timeline (UTC-05:00)", "UTC-05:00"),
      ("Timeline, GMT+1", "UTC+01:00"),
      ("Eastern Time", "ET"),
      ("All times US/Eastern", "US/Eastern"),
      ("Times: Europe/Berlin", "Europe/Berlin"),
      ("Times are in PST", "PST"),
      ("Times are in Pacific", "PT"),
      ("The outage began at 10:18 ET and ended at noon", "ET"),
      ("Timestamps are in utc", "UTC"),
      ("Times are +02:00", "UTC+02:00"),
      ("All times in New York time", "America/New_York"),
      ("Timeline (times in CST)", "CST"),
      ("Timeline (IST)", "IST"),
      ("Timeline (BST)", "BST"),
      ("Timeline, all times Coordinated Universal Time", "UTC"),
      ("Started 10:18Z", "UTC"),
      ("All times in CET/CEST", "CET/CEST"),
      ("Times are PST/PDT", "PT"),
      ("Timeline (GMT/BST)", "Europe/London"),
      ("Times in MSK", "MSK"),
      ("Timestamps (UTC) from the MSK broker logs", "UTC"),
      // A zone made precise by what follows it in parentheses.
      ("All times in this document are IST (UTC+5:30).", "IST"),
      ("Zone for all times: Mountain Time (MDT, UTC-6)", "MDT"),
      ("times are Eastern (EDT), date is Tuesday", "EDT"),
      ("Time zone: Pacific Time (PST)", "PST"),
      ("Times: JST (UTC+9)", "JST"),
      ("Times: CST (see notes)", "CST"),
    ]
    for (text, label) in cases {
      #expect(WrittenTimes.zone(in: text)?.label == label, "\(text)")
    }
    #expect(WrittenTimes.zone(in: "🕐UTC times")?.label == "UTC")
    #expect(WrittenTimes.zone(in: "All times IST (UTC+5:30)") == .fixed(label: "IST", seconds: 19_800))
    #expect(WrittenTimes.zone(in: "Times: AST (UTC+3)") == .fixed(label: "AST", seconds: 10_800))
    #expect(
      WrittenTimes.zone(in: "Times: CST (UTC-6)")?.offset(year: 2025, month: 1, day: 1, hour: 0, minute: 0)
        == -21_600)
    #expect(
      WrittenTimes.zone(in: "Times: Mountain Time (MDT, UTC-6)") == .fixed(label: "MDT", seconds: -21_600))
    #expect(WrittenTimes.zone(named: "IST (UTC+5:30)") == .fixed(label: "IST", seconds: 19_800))
    #expect(WrittenTimes.leading("10:18 IST (UTC+5:30) - x")?.zone == .fixed(label: "IST", seconds: 19_800))
    #expect(WrittenTimes.leading("10:18 IST (UTC+5:30) - x")?.rest == "x")
    #expect(WrittenTimes.zone(in: "✅ All times PT")?.label == "PT")
    let not = [
      "The best option", "éUTC", "ñPST", "中UTC", "We set the flag", "the list of hosts", "AT the end",
      "ART was deployed",
      "the est. duration", "Timeline", "Root cause", "The Pacific region failed", "Eastern region failed",
      "The AST parser crashed", "BST rebalancing failed", "WEST datacenter", "PT boat", "MT Everest",
      "We met at 3:1 odds", "Contact: +45 1234 5678", "Version 2-0500", "Input/Output errors",
      "Central team", "It was a mess", "Timeline of the MSK outage", "set utc_offset to zero",
      "GMT_OFFSET", "the AMSK cluster", "ADT values in the timeline", "The time PT spent",
      "UTC2 is not a zone",
    ]
    for text in not {
      #expect(
        WrittenTimes.zone(in: text) == nil, "\(text) → \(String(describing: WrittenTimes.zone(in: text)))")
    }
  }

  @Test func zonesByName() {
    let cases: [(String, String)] = [
      ("UTC", "UTC"), ("utc", "UTC"), ("GMT", "GMT"), ("Z", "UTC"), ("PST", "PST"),
      ("PT", "PT"), ("Pacific", "PT"), ("pacific", "PT"), ("Pacific Time", "PT"), ("Eastern", "ET"),
      ("Europe/Berlin", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"), ("US/Eastern", "US/Eastern"),
      ("UTC+2", "UTC+02:00"), ("+05:30", "UTC+05:30"), ("-03:00", "UTC-03:00"), ("(CEST)", "CEST"),
      ("UTC+0", "UTC"), ("Pacific Time (PT)", "PT"), ("UTC.", "UTC"), ("**CET**", "CET"), ("`UTC`", "UTC"),
      ("Central European Time (CET)", "CET"),
      ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ]
    for (text, label) in cases {
      #expect(WrittenTimes.zone(named: text)?.label == label, "\(text)")
    }
    for text in [
      "", "pt", "est", "pst", "art", "Est", "Mars/Olympus", "UTC+15", "+25:00", "Pacific Ocean", "time",
      "Pacific Time (PT", "Pacific Time (PT) x",
      "PSTX",
    ] {
      #expect(WrittenTimes.zone(named: text) == nil, "\(text)")
    }
  }

  @Test func zoneOffsets() {
    #expect(
      WrittenTimes.zone(named: "CEST")?.offset(year: 2024, month: 7, day: 1, hour: 10, minute: 0) == 7200)
    #expect(
      WrittenTimes.zone(named: "PDT")?.offset(year: 2024, month: 1, day: 1, hour: 10, minute: 0) == -25_200)
    #expect(WrittenTimes.zone(named: "CST")?.offset(year: 2024, month: 1, day: 1, hour: 10, minute: 0) == nil)
    let pt = WrittenTimes.zone(named: "PT")
    #expect(pt == .region(label: "PT", identifier: "America/Los_Angeles"))
    // Standard time in winter, daylight time in summer.
    #expect(pt?.offset(year: 2024, month: 1, day: 14, hour: 10, minute: 18) == -8 * 3600)
    #expect(pt?.offset(year: 2024, month: 7, day: 14, hour: 10, minute: 18) == -7 * 3600)
    // 2024-03-10 02:30 does not exist in Los Angeles (clocks went 02:00 → 03:00); 01:30 on
    // 2024-11-03 happens twice and reads as the first (PDT).
    #expect(pt?.offset(year: 2024, month: 3, day: 10, hour: 1, minute: 59) == -8 * 3600)
    #expect(pt?.offset(year: 2024, month: 3, day: 10, hour: 3, minute: 0) == -7 * 3600)
    #expect(pt?.offset(year: 2024, month: 11, day: 3, hour: 1, minute: 30) == -7 * 3600)
    #expect(pt?.offset(year: 2024, month: 11, day: 3, hour: 2, minute: 30) == -8 * 3600)
    let berlin = WrittenTimes.zone(named: "Europe/Berlin")
    #expect(berlin?.offset(year: 2024, month: 10, day: 27, hour: 2, minute: 30) == 7200)
    #expect(berlin?.offset(year: 2024, month: 1, day: 27, hour: 2, minute: 30) == 3600)
    #expect(
      WrittenTimes.zone(in: "All times CET/CEST")?.offset(year: 2024, month: 7, day: 1, hour: 12, minute: 0)
        == 7200)
    #expect(
      WrittenTimes.zone(named: "ET")?.offset(year: 2024, month: 7, day: 4, hour: 12, minute: 0) == -4 * 3600)
  }

  // MARK: instants

  @Test func instants() {
    func t(_ s: String) -> Timestamp { TimeParser.rfc3339(s)! }
    let day = WrittenDate(year: 2024, month: 1, day: 14)
    let utc = WrittenZone.fixed(label: "UTC", seconds: 0)
    #expect(
      WrittenTimes.leading("Jan 14, 10:18 AM PT - x")?.instant(on: day, zone: nil)
        == t("2024-01-14T18:18:00Z"))
    #expect(WrittenTimes.leading("10:18 - x")?.instant(on: day, zone: utc) == t("2024-01-14T10:18:00Z"))
    #expect(WrittenTimes.leading("10:18 - x")?.instant(on: day, zone: nil) == nil)
    #expect(WrittenTimes.leading("10:18 - x")?.instant(on: nil, zone: utc) == nil)
    #expect(WrittenTimes.leading("10:18 CST - x")?.instant(on: day, zone: utc) == nil)
    #expect(
      WrittenTimes.leading("2024-07-14T10:18:00+02:00 x")?.instant(on: nil, zone: nil)
        == t("2024-07-14T08:18:00Z"))
    #expect(
      WrittenTimes.leading("[07-14 10:18] x")?.instant(on: day, zone: utc) == t("2024-07-14T10:18:00Z"))
    #expect(
      WrittenTimes.leading("Jul 14 10:18 PT x")?.instant(on: day, zone: utc) == t("2024-07-14T17:18:00Z"))
    #expect(
      WrittenTimes.leading("2024-01-14 23:30 CET x")?.instant(on: nil, zone: nil) == t("2024-01-14T22:30:00Z")
    )
    #expect(WrittenTimes.leading("2024-01-14 x")?.instant(on: nil, zone: utc) == nil)
    // A day without a year takes the year that puts it nearest the day it is read on.
    let newYear = WrittenDate(year: 2024, month: 12, day: 31)
    #expect(
      WrittenTimes.leading("Jan 1 00:10 x")?.instant(on: newYear, zone: utc) == t("2025-01-01T00:10:00Z"))
    #expect(
      WrittenTimes.leading("Dec 31 23:50 x")?.instant(
        on: WrittenDate(year: 2025, month: 1, day: 1), zone: utc)
        == t("2024-12-31T23:50:00Z"))
    #expect(
      WrittenTimes.leading("Jun 3 10:00 x")?.instant(on: newYear, zone: utc) == t("2024-06-03T10:00:00Z"))
    #expect(
      WrittenTimes.leading("Feb 29 10:00 x")?.instant(
        on: WrittenDate(year: 2024, month: 3, day: 5), zone: utc)
        == t("2024-02-29T10:00:00Z"))
    // 29 February without a year, read in 2026: no such day.
    #expect(
      WrittenTimes.leading("Feb 29 10:00 x")?.instant(
        on: WrittenDate(year: 2026, month: 6, day: 5), zone: utc) == nil)
    #expect(
      WrittenTimes.leading("10:18:30 x")?.instant(on: WrittenDate(year: 1969, month: 12, day: 31), zone: utc)
        == t("1969-12-31T10:18:30Z"))
  }

  // MARK: dateOrder

  @Test func documentDateOrder() {
    #expect(WrittenTimes.dateOrder(of: ["13/01/2024 10:00 x", "03/01/2024 y"]) == .dayFirst)
    #expect(WrittenTimes.dateOrder(of: ["01/13/2024 10:00 x", "03/01/2024 y"]) == .monthFirst)
    #expect(WrittenTimes.dateOrder(of: ["on 25.12.2023 we", "and 24.12.23"]) == .dayFirst)
    #expect(WrittenTimes.dateOrder(of: ["[01-14 10:18] x", "[01-15 09:00] y"]) == .monthFirst)
    #expect(WrittenTimes.dateOrder(of: ["03/04/2024", "05/06/2024"]) == .unknown)
    #expect(WrittenTimes.dateOrder(of: ["2024-01-14", "2024-12-31 10:00"]) == .unknown)
    #expect(
      WrittenTimes.dateOrder(of: ["v1.13.2024", "10.20.30.40", "1/25 of nodes", "3-14 days"]) == .unknown)
    #expect(WrittenTimes.dateOrder(of: [String]()) == .unknown)
    #expect(WrittenTimes.dateOrder(of: ["13/01/2024", "01/13/2024", "14/01/2024"]) == .dayFirst)
  }

  // MARK: hostile input

  @Test func hostileTextStaysFast() {
    let long = String(repeating: "10:18 UTC best list set AT ", count: 2000)
    let digits = String(repeating: "1", count: 100_000)
    let colons = String(repeating: "1:", count: 50_000)
    let slashes = String(repeating: "Europe/", count: 10_000)
    let dots = String(repeating: "12.", count: 30_000)
    let dashes = String(repeating: "01-", count: 30_000)
    let spaces = String(repeating: " ", count: 100_000) + "10:18 x"
    let emoji = String(repeating: "🚨", count: 20_000)
    let rtl = String(repeating: "התראה ", count: 10_000)
    let upper = String(repeating: "ABCDE ", count: 20_000)
    let cities = String(repeating: "New York ", count: 10_000)
    let texts = [long, digits, colons, slashes, dots, dashes, spaces, emoji, rtl, upper, cities]
    let clock = ContinuousClock()
    let elapsed = clock.measure {
      for text in texts {
        _ = WrittenTimes.leading(text)
        _ = WrittenTimes.day(text)
        _ = WrittenTimes.zone(in: text)
        _ = WrittenTimes.zone(named: text)
        _ = WrittenTimes.dateOrder(of: [text])
      }
    }
    #expect(elapsed < .seconds(5), "\(elapsed)")
    #expect(WrittenTimes.leading(long)?.rest.count == long.utf8.count - "10:18 UTC ".count - 1)
    #expect(WrittenTimes.leading(spaces)?.rest == "x")
    #expect(WrittenTimes.zone(in: long)?.label == "UTC")
    #expect(WrittenTimes.leading(digits) == nil)
    #expect(WrittenTimes.zone(in: upper) == nil)
  }

  /// Texts assembled at random from pieces of times, dates, zones and noise: whatever is
  /// read is a real clock and date, `written` is part of the text and `rest` ends it.
  @Test func randomAssembliesReadOnlyRealMoments() {
    let pieces = [
      "10", "1", "23", "24", "99", ":", ":", "00", "59", "60", "7", ".", "-", "/", "2024", "2025", "02", "29",
      "30",
      "31", "13", "12", " ", " ", "  ", "AM", "pm", "a.m.", "Z", "UTC", "+02:00", "-05", "PT", "CST", "(",
      ")",
      "[", "]", "**", "~", "Jan", "February", "Tue", "on", "at", "x", "xx", "??", "T", ",", "–", "—", "🚨",
      "é",
      "٣", "\u{00A0}", "\n", "Europe/Berlin", "hrs", "ish", "between", "and", "to", "noon", "Day", "|",
    ]
    var rng = SplitMix(seed: 16)
    let clock = ContinuousClock()
    var read = 0
    let elapsed = clock.measure {
      for _ in 0..<20_000 {
        // Half the texts start with a clock-like number pair, in range or not.
        var text =
          Bool.random(using: &rng)
          ? "\(Int.random(in: 0...99, using: &rng)):\(Int.random(in: 0...99, using: &rng))" : ""
        for _ in 0..<Int.random(in: 1...12, using: &rng) { text += pieces.randomElement(using: &rng)! }
        _ = WrittenTimes.day(text)
        _ = WrittenTimes.zone(in: text)
        _ = WrittenTimes.zone(named: text)
        _ = WrittenTimes.dateOrder(of: [text])
        guard let m = WrittenTimes.leading(text) else { continue }
        read += 1
        #expect(text.contains(m.written), "\(text)")
        #expect(
          m.rest.isEmpty || text.hasSuffix(m.rest)
            || text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(m.rest), "\(text)")
        if let c = m.clock {
          #expect(
            (0...23).contains(c.hour) && (0...59).contains(c.minute) && (0...59).contains(c.second ?? 0),
            "\(text)")
        }
        if let d = m.date {
          #expect((1...12).contains(d.month) && d.day >= 1, "\(text)")
          #expect(
            d.day <= Int(CivilDate.daysInMonth(year: Int64(d.year ?? 2000), month: Int64(d.month))), "\(text)"
          )
        }
        #expect(m.clock != nil || m.date != nil, "\(text)")
      }
    }
    #expect(read > 300)
    #expect(elapsed < .seconds(10), "\(elapsed)")
  }

  @Test func manyLinesAreCheap() {
    let lines = (0..<20_000).map { "\(10 + $0 % 14):\($0 % 50 + 10) UTC - event number \($0) on host-\($0)" }
    let clock = ContinuousClock()
    var read = 0
    let elapsed = clock.measure {
      for line in lines where WrittenTimes.leading(line)?.clock != nil { read += 1 }
      for line in lines { _ = WrittenTimes.zone(in: line) }
    }
    #expect(read == lines.count)
    #expect(elapsed < .seconds(5), "\(elapsed)")
  }

  // MARK: the corpus, read in place

  /// `../shared/corpus` beside the package (or beside the worktrees' folder).
  static let corpus: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return ["../shared/corpus/dfds-postmortems", "../../shared/corpus/dfds-postmortems"].map {
      root.appendingPathComponent($0).standardizedFileURL
    }.first { FileManager.default.fileExists(atPath: $0.path) }
  }()

  @Test(.enabled(if: corpus != nil, "../shared/corpus is absent: nothing to read"))
  func corpusTimelineCells() throws {
    let folder = try #require(Self.corpus)
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    var cells = 0
    var read = 0
    var zones = 0
    for name in names where name.hasPrefix("PM") {
      let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
      for line in text.split(separator: "\n") {
        if WrittenTimes.zone(in: String(line)) != nil && line.contains("CET") { zones += 1 }
        guard line.hasPrefix("|") else { continue }
        let first = line.dropFirst().split(separator: "|", omittingEmptySubsequences: false).first ?? ""
        let cell = first.trimmingCharacters(in: .whitespaces)
        // Cells that hold a complete date and time, as the corpus writes them.
        guard cell.count >= 15, cell.hasPrefix("20"), cell.last?.isNumber == true, !cell.hasPrefix("20202")
        else {
          continue
        }
        cells += 1
        if let m = WrittenTimes.leading(cell), m.date?.year != nil, m.clock != nil { read += 1 }
      }
    }
    #expect(cells > 100)
    #expect(read == cells)
    #expect(zones >= 5)
  }
}
