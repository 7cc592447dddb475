/// What a section of a post-mortem is about, from its heading's words.
public enum SectionKind: String, Sendable, CaseIterable {
  case timeline, actions, factors, immediate, systemic
  case rootCause = "root_cause"
  case summary, impact
  case wentWell = "went_well"
  case lessons, happened, other

  /// The kind a heading names, nil when it names none of them ("Background", "Attendees").
  public static func of(heading: String) -> SectionKind? {
    let t = " " + heading.lowercased().replacingAll("\u{2019}", with: "'") + " "
    func has(_ words: String...) -> Bool { words.contains { t.contains($0) } }
    if has(
      "timeline", "time line", "chronology", "sequence of events", "log of events", "order of events",
      "incident log", "event log", "events log")
      || t.trimmedSpaces == "events"
    {
      return .timeline
    }
    if has("actions taken", "what happened", "incident description", "narrative") { return .happened }
    if has(
      "action item", "action plan", "actions", " action ", "corrective", "preventative", "preventive",
      "remediation",
      "follow-up", "follow up", "followup", "next step", "prevention", " todo", " to-do", " to do ",
      "recommendation",
      "improvement", "countermeasure", "to fix", "fixes", "less likely", "happening again", "going forward",
      "what we are doing", "what we're doing", "we will do")
    {
      return .actions
    }
    if has("went well", "went right", "what worked") { return .wentWell }
    if has("lesson", "learnings", "learned", "learnt", "takeaway", "got lucky", "where we were lucky") {
      return .lessons
    }
    if has("root cause", " rca ", "5 whys", "five whys") { return .rootCause }
    if has("trigger", "immediate cause", "proximate cause") { return .immediate }
    if has("systemic") { return .systemic }
    if has(
      "contributing", "cause", "factor", "went wrong", "findings", "what didn't go well", "didn't go well")
    {
      return .factors
    }
    if has("impact", "blast radius") { return .impact }
    if has("summary", "overview", "tl;dr", "tldr", "abstract", "executive") { return .summary }
    return nil
  }
}
