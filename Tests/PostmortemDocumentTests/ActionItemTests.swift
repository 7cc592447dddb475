import Testing

@testable import PostmortemDocument

/// Action items from tables, task lists and plain lists, with their owners.
@Suite struct ActionItemTests {
  /// A table under an empty heading still is the action list: it has Action and Owner columns.
  @Test func tableUnderAnEmptyHeading() {
    let r = Read(
      """
      # Broker outage

      ##

      | ID | Action | Owner | Due | Priority | Ticket | Status |
      |----|--------|-------|-----|----------|--------|--------|
      | A1 | Alert on broker disk usage | @sam | 2024-04-01 | P1 | [OPS-12](https://jira.example.com/OPS-12) | Done |
      | A2 | Document the failover runbook | - | | P2 | | Open |
      """)
    #expect(
      r.items == [
        .init(
          line: 7, text: "Alert on broker disk usage", owner: "@sam", deadline: "2024-04-01", priority: "P1",
          tracking: "https://jira.example.com/OPS-12", done: true),
        .init(
          line: 8, text: "Document the failover runbook", owner: nil, deadline: nil, priority: "P2",
          tracking: nil, done: false),
      ])
    #expect(r.actionItems.map { $0["id"]?.stringValue } == ["A1", "A2"])
    #expect(r.actionItems.map { $0["status"]?.stringValue } == ["done", "open"])
  }

  /// Google style: "OWNER: name@" and "BUG" inline, in a section named "Action Items".
  @Test func googleStyleInlineOwner() {
    let r = Read(
      """
      ## Action Items

      * Add alerting on replica lag above 30s. OWNER: jennifer@ PRIORITY: P1
      * Make the failover script idempotent. OWNER: agoogler@ due 2024-02-01
      * Update the playbook with the new dashboards (Owner: SRE team)
      """)
    #expect(r.items.map(\.owner) == ["jennifer@", "agoogler@", "SRE team"])
    #expect(r.items.map(\.priority) == ["P1", nil, nil])
    #expect(r.items.map(\.deadline) == [nil, "2024-02-01", nil])
  }

  /// Task lists: sub-bullets and a link after an item belong to the item, not counted.
  @Test func taskListsWithSubBulletsAndLinks() {
    let r = Read(
      """
      # Cert expiry

      ## Follow-ups

      - [ ] Automate certificate renewal (@bob, P1)
        - use the ACME client already in the base image
        - [ ] check the staging certificates too
      - https://tracker.example.com/SEC-88
      - [x] Add expiry alerts 30 days ahead — Owner: Ana, due by Feb 1
      - [ ] Audit all certificates [P2] (team-sre)
      """)
    #expect(r.items.count == 3, "\(r.items)")
    #expect(r.items.map(\.owner) == ["@bob", "Ana", "team-sre"])
    #expect(r.items.map(\.priority) == ["P1", nil, "P2"])
    #expect(r.items.map(\.done) == [false, true, false])
    #expect(r.items.dropFirst(0).first?.tracking == "https://tracker.example.com/SEC-88")
    #expect(r.items.dropFirst(1).first?.deadline == "Feb 1")
    #expect(r.items.map(\.line) == [5, 9, 10])
    // The sub-bullets are still prose, on their own lines.
    #expect(r.prose.contains { $0.line == 6 && $0.text == "use the ACME client already in the base image" })
  }

  /// Labels with the items as sub-bullets: "Short term:" is not an item.
  @Test func labelBulletsGroupItems() {
    let r = Read(
      """
      ## Remediation

      - **Short term:**
        - Raise the connection pool limit (Owner: Priya, by 2024-03-01)
        - Add a pool saturation dashboard
      - **Long term:**
        - Move to a connection proxy [High]
      """)
    #expect(
      r.items.map(\.text) == [
        "Raise the connection pool limit (Owner: Priya, by 2024-03-01)", "Add a pool saturation dashboard",
        "Move to a connection proxy [High]",
      ])
    #expect(r.items.map(\.owner) == ["Priya", nil, nil])
    #expect(r.items.dropFirst(0).first?.deadline == "2024-03-01")
    #expect(r.items.dropFirst(2).first?.priority == "High")
  }

  /// Owners as people write them, one at a time.
  @Test(arguments: [
    ("Fix the alert. Owner: Ana Lopez", "Ana Lopez"),
    ("Fix the alert (Owner - Ben)", "Ben"),
    ("Fix the alert, owner - Chris", "Chris"),
    ("Fix the alert. Assignee: dee@example.com", "dee@example.com"),
    ("Fix the alert (Alice)", "Alice"),
    ("Fix the alert (@bob, P1)", "@bob"),
    ("Fix the alert (team-sre)", "team-sre"),
    ("@carol to fix the alert", "@carol"),
  ])
  func owners(text: String, owner: String) {
    #expect(ItemFields.read(text).owner == owner)
  }

  @Test(arguments: [
    "Fix the alert (optional)", "Fix the alert (see above)", "Mail ops@example.com about it", "Fix the alert",
    "Fix the thing that was caused by the deploy (it was slow to roll back)",
  ])
  func noOwner(text: String) {
    #expect(ItemFields.read(text).owner == nil)
  }

  @Test func deadlinesPrioritiesAndTracking() {
    #expect(ItemFields.read("Rotate keys due 2024-02-01").deadline == "2024-02-01")
    #expect(ItemFields.read("Rotate keys by Feb 1").deadline == "Feb 1")
    #expect(ItemFields.read("Rotate keys. Deadline: end of Q2").deadline == "end of Q2")
    #expect(ItemFields.read("Rotate keys (2024-03-15)").deadline == "2024-03-15")
    #expect(ItemFields.read("Caused by the deploy").deadline == nil)
    #expect(ItemFields.read("[P1] Rotate keys").priority == "P1")
    #expect(ItemFields.read("Rotate keys, priority: high").priority == "High")
    #expect(ItemFields.read("Rotate keys (Medium)").priority == "Medium")
    #expect(ItemFields.read("High error rate alert tuning").priority == nil)
    #expect(ItemFields.read("Rotate keys JIRA-123").tracking == "JIRA-123")
    #expect(ItemFields.read("Rotate keys #123").tracking == "#123")
    #expect(ItemFields.read("Rotate keys https://x.example/1").tracking == "https://x.example/1")
  }

  /// A table with Action and Owner columns outside an actions section is an action list;
  /// one without an owner column is not.
  @Test func actionTablesAnywhere() {
    let r = Read(
      """
      ## Next

      | Task | Assignee |
      |---|---|
      | Add retries | Mo |

      ## Notes

      | Item | Value |
      |---|---|
      | Cost | 4 h |
      """)
    #expect(r.items.map(\.text) == ["Add retries"])
    #expect(r.items.map(\.owner) == ["Mo"])
  }
}

/// A task list of checks in a document that has an action list is not more action items.
@Suite struct TaskListPlacementTests {
  @Test func aChecklistBesideTheActionItemsIsNotAnItem() {
    let r = Read(
      """
      ## Action Items

      - Add pool metrics (@bob)

      ## Validation

      - [x] timeline_complete: 9 events
      - [ ] follow_up_scheduled
      """)
    #expect(r.items.map(\.text) == ["Add pool metrics (@bob)"])
  }

  @Test func aTaskListIsTheActionListWhenThereIsNoOther() {
    let r = Read("## Notes\n\n- [ ] Add pool metrics (@bob)\n- [x] Page the DBA team\n")
    #expect(r.items.map(\.done) == [false, true])
  }
}

/// Owners and deadlines as teams in other places write them.
@Suite struct OwnerShapeTests {
  @Test func aNameAfterADashWithItsDate() {
    let r = Read(
      """
      ## Things to fix

      1. Ask the vendor for notice of config changes – Hana Novak, end of November
      2. Alert on the decline rate per store — Luis Ortega, due 3/21
      3. Look into the support SLA - Luis Ortega
      4. Make the failover script re-runnable - it is not today
      """)
    #expect(r.items.map(\.owner) == ["Hana Novak", "Luis Ortega", "Luis Ortega", nil])
    #expect(r.items.map(\.deadline) == ["end of November", "3/21", nil, nil])
  }

  @Test func ownerColumnsByOtherNames() {
    let r = Read(
      """
      ## Countermeasures

      | Countermeasure | Person in charge | Due |
      |---|---|---|
      | Reject duplicate region keys | Aiko Mori | 2025/04/25 |

      ## Plan

      | # | Action | Pilot | Deadline |
      |---|---|---|---|
      | 1 | Post-reboot service check | Élise Marchand | 31/10/2025 |
      """)
    #expect(r.items.map(\.owner) == ["Aiko Mori", "Élise Marchand"])
    #expect(r.items.map(\.deadline) == ["2025/04/25", "31/10/2025"])
  }
}

@Suite struct OwnerPreferenceTests {
  @Test(arguments: [
    ("Move the domain to the main registrar, on a card owned by finance (Owner: Ana Lima)", "Ana Lima"),
    (
      "Load test SSO before registration. Responsible: IAM Engineering (D. Alvarez). Target: August 1",
      "D. Alvarez"
    ),
    ("Inventory the cards (Owner: Finance – Mia Berg)", "Mia Berg"),
    ("Inventory the cards (Owner: Finance)", "Finance"),
    ("Rotate the key, owned by the platform team", "the platform team"),
  ])
  func theOwnerNamedMostPrecisely(text: String, owner: String) {
    #expect(ItemFields.read(text).owner == owner)
  }

  @Test func ownerAndDeadlineColumnsInOtherLanguages() {
    let r = Read(
      "## Ações\n\n| Ação / Action | Responsável | Prazo |\n|---|---|---|\n| Alert on handshake failures | Ana Lima | 21/03/2025 |\n"
    )
    #expect(r.items.map(\.owner) == ["Ana Lima"])
    #expect(r.items.map(\.deadline) == ["21/03/2025"])
  }
}
