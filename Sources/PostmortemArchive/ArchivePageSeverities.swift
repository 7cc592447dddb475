import Foundation

extension ArchivePage {
  /// The severities of the page in order, the most severe first, each with its colour class.
  /// `SEV1`, `SEV-2`, `P0`, `S3`, `severity 1` order by their number; `critical`, `high`,
  /// `major`, `medium`, `moderate`, `low` and `minor` by their word; any other name after
  /// them in alphabetical order; `unknown` (or a blank name) last, in grey.
  ///
  /// ```swift
  /// ArchivePage.Severities(["unknown", "SEV2", "SEV10", "SEV1"]).names  // ["SEV1", "SEV2", "SEV10", "unknown"]
  /// ```
  struct Severities {
    let names: [String]
    private let styles: [String: String]

    /// The colour classes: six, the most severe first; then they repeat (the legend and the
    /// table name them).
    static let palette = ["s0", "s1", "s2", "s3", "s4", "s5"]

    init<S: Sequence>(_ names: S) where S.Element == String {
      let distinct = Set(names)
      let ordered = distinct.sorted { a, b in
        let ra = Self.rank(a)
        let rb = Self.rank(b)
        if ra.group != rb.group { return ra.group < rb.group }
        if ra.order != rb.order { return ra.order < rb.order }
        return a < b
      }
      self.names = ordered
      var styles: [String: String] = [:]
      var i = 0
      for name in ordered {
        if Self.rank(name).group == 2 {
          styles[name] = "su"
        } else {
          styles[name] = Self.palette[i % Self.palette.count]
          i += 1
        }
      }
      self.styles = styles
    }

    /// The colour class of `name`.
    func style(_ name: String) -> String { styles[name] ?? "su" }

    private struct Rank {
      /// 0: numbered or a known word; 1: another name; 2: unknown.
      var group: Int
      var order: Int
    }

    private static let words = [
      "critical": 0, "highest": 0, "high": 1, "major": 1, "medium": 2, "moderate": 2, "low": 3, "minor": 3,
      "lowest": 4, "info": 5, "informational": 5,
    ]

    private static func rank(_ name: String) -> Rank {
      let lower = name.trimmingCharacters(in: .whitespaces).lowercased()
      if lower.isEmpty || lower == "unknown" { return Rank(group: 2, order: 0) }
      if let word = words[lower] { return Rank(group: 0, order: word) }
      // A short prefix (sev, p, s, severity) and a number: the number orders.
      let digits = lower.reversed().prefix { $0.isASCII && $0.isNumber }
      let prefix = lower.dropLast(digits.count).trimmingCharacters(in: CharacterSet(charactersIn: " -_"))
      if !digits.isEmpty, digits.count <= 4, ["sev", "p", "s", "severity", "level", "l"].contains(prefix),
        let n = Int(String(digits.reversed()))
      {
        return Rank(group: 0, order: n)
      }
      return Rank(group: 1, order: 0)
    }
  }
}
