/// What an action item's text says besides the action: its owner, deadline, priority and
/// tracking, as people write them ("Owner: Ana", "OWNER: ana@", `@bob`, "(Alice, P1)",
/// "due 2024-02-01", "by Feb 1", "[P1]", "priority: high", "JIRA-123", a link).
public struct ItemFields: Sendable, Equatable {
  public var owner: String?
  public var deadline: String?
  public var priority: String?
  public var tracking: String?
  public var done: Bool

  public init(
    owner: String? = nil, deadline: String? = nil, priority: String? = nil, tracking: String? = nil,
    done: Bool = false
  ) {
    self.owner = owner
    self.deadline = deadline
    self.priority = priority
    self.tracking = tracking
    self.done = done
  }

  static let monthWords = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"

  /// The date shapes `datePhrase` reads, compiled once (immutable after).
  nonisolated(unsafe) static let datePatterns: [Regex<AnyRegexOutput>] = {
    let months = monthWords
    return [
      try! Regex(#"^\d{4}-\d{1,2}-\d{1,2}"#),
      try! Regex(#"^\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?"#),
      try! Regex(#"^(?i:(?:\#(months))[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?)"#),
      try! Regex(#"^(?i:\d{1,2}(?:st|nd|rd|th)?\s+(?:\#(months))[a-z]*\.?(?:\s+\d{4})?)"#),
      try! Regex(#"^(?i:(?:\#(months))[a-z]*\s+\d{4})"#),
      try! Regex(#"^(?i:(?:end of |eo)?(?:the )?q[1-4](?:\s*(?:fy)?\d{2,4})?)"#),
      try! Regex(#"^(?i:end of (?:the )?(?:day|week|month|quarter|sprint|year|next week|next sprint))"#),
      try! Regex(
        #"^(?i:(?:(?:end|middle|beginning|start) of|mid|early|late)[ -](?:\#(months))[a-z]*(?:\s+\d{4})?)"#),
      try! Regex(#"^(?i:eo[dwmqy]\b)"#),
      try! Regex(#"^(?i:(?:next|this) (?:week|month|sprint|quarter|release))"#),
      try! Regex(#"^(?i:today|tomorrow|asap)\b"#),
      try! Regex(#"^(?i:(?:mon|tues|wednes|thurs|fri)day)"#),
    ]
  }()

  /// The date-like phrase at the start of `text` ("2024-02-01", "Feb 1", "end of Q1", "EOW").
  static func datePhrase(at text: String) -> String? {
    guard let first = text.first, first.isLetter || first.isNumber else { return nil }
    let patterns = datePatterns
    for p in patterns {
      if let m = text.prefixMatch(of: p) { return String(text[m.range]) }
    }
    return nil
  }

  /// The owner named after "Owner:": the person when a team is followed by one ("IAM
  /// Engineering (D. Alvarez)", "Finance – Mariam Yusuf").
  static func ownerValue(after rest: Substring) -> String? {
    guard let v = value(after: rest) else { return nil }
    guard let r = rest.firstRange(of: v) else { return v }
    let after = rest[r.upperBound...]
    if let m = after.prefixMatch(of: /\s*\(([^()]{1,40})\)/), isName(String(m.1)) { return String(m.1) }
    if let m = after.prefixMatch(of: /\s+[—–-]\s+([^,;()\[\]|]{1,40})/) {
      let person = String(m.1).trimmedSpaces
      if isName(person) { return person }
    }
    return v
  }

  /// Everything after `keyword` up to the next delimiter, trimmed.
  static func value(after rest: Substring) -> String? {
    var out = ""
    for c in rest {
      if ",;()[]|\n".contains(c) { break }
      out.append(c)
    }
    // "Owner: Ana due Feb 1": stop at the next field's word.
    if let r = out.firstMatch(of: /(?i)\s(?:due|deadline|priority|by|eta|status|ticket)\b|\s[-–—]\s/) {
      out = String(out[..<r.range.lowerBound])
    }
    var v = out.trimmedSpaces
    while let last = v.last, ".:".contains(last) { v.removeLast() }
    v = v.trimmedSpaces
    return v.isEmpty || v.count > 60 ? nil : v
  }

  static func priorityWord(_ text: String) -> String? {
    let t = text.trimmedSpaces.trimmingMarks
    if let m = t.wholeMatch(of: /[Pp]([0-4])/) { return "P" + String(m.1) }
    if let m = t.wholeMatch(of: /(?i)sev(?:erity)?\s*-?\s*([0-4])/) { return "SEV" + String(m.1) }
    let lower = t.lowercased()
    for w in ["critical", "urgent", "high", "medium", "low"] where lower == w || lower == w + " priority" {
      return w.prefix(1).uppercased() + w.dropFirst()
    }
    return nil
  }

  static func isTicket(_ text: String) -> Bool {
    text.wholeMatch(of: /[A-Z][A-Z0-9]{1,11}-\d+/) != nil || text.wholeMatch(of: /#\d+/) != nil
      || text.hasPrefix("http://") || text.hasPrefix("https://")
  }

  static let doneWords: Set<String> = [
    "done", "closed", "complete", "completed", "fixed", "resolved", "finished", "yes", "merged", "shipped",
    "x", "✅",
    "✔", "✓", "deployed", "implemented",
  ]

  /// Words in parentheses that are never an owner.
  static let notOwners: Set<String> = [
    "optional", "done", "todo", "tbd", "wip", "ongoing", "in progress", "open", "closed", "see above",
    "see below",
    "n/a", "na", "none", "unknown", "unassigned", "short term", "long term", "short-term", "long-term",
    "mid-term",
    "nice to have", "stretch", "blocked", "pending", "later", "now", "recommended", "high", "medium", "low",
    "critical", "urgent", "e.g.", "i.e.", "etc",
  ]

  /// Reads the fields from an item's text and its links.
  public static func read(_ text: String, links: [RichText.Link] = []) -> ItemFields {
    var f = ItemFields()
    let flat = text.replacingAll("\n", with: " ")
    let lower = flat.lowercased()

    // "Owner: X", "OWNER: name@", "owner - X", "Assignee: X", "Assigned to X".
    // (Each pattern runs only when a word it needs is there: tables of thousands of rows.)
    let mayOwn = ["owner", "assign", "responsible", "dri", "poc", "owned"].contains { lower.contains($0) }
    if mayOwn {
      // An explicit "Owner:" first, then "assigned to", then "owned by" ("a card owned by
      // finance (Owner: Ana)" is Ana's).
      let explicit = flat.firstMatch(of: /(?i)\b(?:owners?|assignee|responsible|dri|poc)\s*(?::|-|–|—|=)\s*/)
      let other = explicit == nil ? flat.firstMatch(of: /(?i)\b(?:assigned to|owned by)\b:?\s*/) : nil
      if let m = explicit ?? other {
        f.owner = ownerValue(after: flat[m.range.upperBound...])
      }
    }
    // `@handle` (not an e-mail address).
    if f.owner == nil, flat.contains("@"),
      let m = flat.firstMatch(of: /(?:^|[\s(\[,;:])(@[A-Za-z0-9][A-Za-z0-9_.\-\/]*)/)
    {
      var handle = String(m.1)
      while let last = handle.last, ".-/".contains(last) { handle.removeLast() }
      f.owner = handle
    }
    // Deadline: "due 2024-02-01", "due by Feb 1", "Deadline: Q2", "by Feb 1", "ETA: next week".
    let mayDue = ["due", "deadline", "eta", "target", "by", "before"].contains { lower.contains($0) }
    for m in !mayDue
      ? []
      : flat.matches(
        of: /(?i)\b(due(?:\s+(?:date|by|on))?|deadline|eta|target date|by|before)\b\s*[:\-–=]?\s*/)
    {
      let rest = String(flat[m.range.upperBound...])
      if let d = datePhrase(at: rest) {
        f.deadline = d
        break
      }
      let word = m.1.lowercased()
      if word == "deadline" || word.hasPrefix("due") || word == "eta", let v = value(after: rest[...]),
        v.count <= 30
      {
        f.deadline = v
        break
      }
    }
    // Priority: P0-P4, [P1], "priority: high", "high priority", "Sev 2".
    let mayRank = ["priority", "critical", "urgent", "high", "medium", "low"].contains { lower.contains($0) }
    if ["p0", "p1", "p2", "p3", "p4"].contains(where: { lower.contains($0) }),
      let m = flat.firstMatch(of: /\b[Pp]([0-4])\b/)
    {
      f.priority = "P" + String(m.1)
    } else if !mayRank {
    } else if let m = lower.firstMatch(of: /priority\s*[:\-–=]?\s*(critical|urgent|high|medium|low)/) {
      f.priority = priorityWord(String(m.1))
    } else if let m = lower.firstMatch(of: /\b(critical|urgent|high|medium|low)[ -]priority\b/) {
      f.priority = priorityWord(String(m.1))
    } else if let m = flat.firstMatch(of: /[\[(](?i:(critical|urgent|high|medium|low))[\])]/) {
      f.priority = priorityWord(String(m.1))
    }
    // Tracking: a link, a ticket id, an issue number, a bare URL.
    if let url = links.first(where: { !$0.url.isEmpty && !$0.url.hasPrefix("mailto:") })?.url {
      f.tracking = url
    } else if flat.contains("-"), let m = flat.firstMatch(of: /\b[A-Z][A-Z0-9]{1,11}-\d+\b/) {
      f.tracking = String(flat[m.range])
    } else if flat.contains("#"), let m = flat.firstMatch(of: /(?:^|[\s(\[,])(#\d+)\b/) {
      f.tracking = String(m.1)
    } else if lower.contains("http"), let m = flat.firstMatch(of: /https?:\/\/[^\s)\]>]+/) {
      f.tracking = String(flat[m.range])
    }
    // A tail after a dash: "... – Gemma Clarke, end of November", "... — Rachel Green, due 3/21".
    if f.owner == nil, [" - ", " – ", " — "].contains(where: { flat.contains($0) }),
      let dash = flat.ranges(of: /\s[—–-]\s/).last
    {
      let parts = flat[dash.upperBound...].split(separator: ",").map { String($0).trimmedSpaces }
      if let name = parts.first, f.owner == nil, isName(name), !notOwners.contains(name.lowercased()) {
        f.owner = name
        for part in parts.dropFirst() where f.deadline == nil {
          f.deadline = datePhrase(at: part) ?? datePhrase(at: part.dropPrefix(["due ", "due by ", "by "]))
        }
      }
    }
    // Trailing parentheses: "(Alice)", "(@bob, P1)", "(team-sre)", "(due 2024-02-01)".
    if flat.contains(")"), let m = flat.firstMatch(of: /\(([^()]{1,120})\)[\s.]*$/) {
      let inside = String(m.1)
      let separators: String = inside.contains("://") ? ",;" : ",;/"
      for part in inside.split(whereSeparator: { separators.contains($0) }).map({ String($0).trimmedSpaces })
      where !part.isEmpty {
        let pl = part.lowercased()
        if let p = priorityWord(part) {
          if f.priority == nil { f.priority = p }
        } else if let d = datePhrase(at: part)
          ?? datePhrase(at: part.dropPrefix(["due ", "due by ", "by ", "deadline "]))
        {
          if f.deadline == nil { f.deadline = d }
        } else if isTicket(part) {
          if f.tracking == nil { f.tracking = part }
        } else if doneWords.contains(pl) {
          f.done = true
        } else if part.hasPrefix("@") {
          if f.owner == nil { f.owner = part }
        } else if f.owner == nil, !notOwners.contains(pl), isName(part) {
          f.owner = part
        }
      }
    }
    return f
  }

  /// A short name in parentheses: "Alice", "Ana Lopez", "SRE team", "team-sre", "sre".
  /// Sentences ("Docker images etc", "for example X") are not names.
  static func isName(_ text: String) -> Bool {
    let words = text.split(separator: " ")
    guard (1...3).contains(words.count), text.count <= 40 else { return false }
    let teamWords: Set<String> = [
      "team", "squad", "sre", "ops", "oncall", "on-call", "platform", "infra", "guild",
    ]
    for w in words {
      guard let first = w.first, first.isLetter else { return false }
      if first.isUppercase || teamWords.contains(w.lowercased()) { continue }
      // A lower-case word passes only alone with a team-like shape ("team-sre").
      if words.count == 1 && (w.contains("-") || w.hasSuffix("team")) { continue }
      return false
    }
    let stop: Set<String> = ["See", "For", "E.g.", "Etc", "And", "Or", "The", "Optional", "Note"]
    return !words.contains { stop.contains(String($0)) }
  }
}

extension String {
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard contains(target) else { return self }
    return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }

  func dropPrefix(_ prefixes: [String]) -> String {
    let lower = lowercased()
    for p in prefixes where lower.hasPrefix(p) { return String(dropFirst(p.count)) }
    return self
  }

  /// Without surrounding brackets, bold marks and backticks: "[P1]" -> "P1".
  var trimmingMarks: String {
    var s = Substring(self)
    let marks: Set<Character> = ["[", "]", "(", ")", "*", "_", "`", " "]
    while let f = s.first, marks.contains(f) { s = s.dropFirst() }
    while let l = s.last, marks.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
