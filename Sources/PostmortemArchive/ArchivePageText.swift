import PostmortemCore

/// Text on its way into the archive page, as HTML text, a double- or single-quoted attribute
/// value, or the text of an SVG element inside it. Incident text is untrusted: a title may
/// hold markup (`</title><script>`), a quote that ends an attribute, `]]>`, control
/// characters, a bidirectional override that reverses what follows, or 10,000 characters.
/// ``escape(_:limit:)`` is the one way such text reaches the page.
enum ArchivePageText {
  /// `text` made inert and visible, then escaped for HTML:
  /// - credentials in URLs masked (``Redaction``);
  /// - tab, CR and LF as a space; every other C0 control, DEL and C1 control as `\xNN`;
  /// - the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
  ///   as `\u{202e}`, so that they cannot reorder the text around them (the marks, U+200E
  ///   and U+200F, stay);
  /// - no more than ``maxMarks`` combining marks in a row;
  /// - past `limit` Unicode scalars, cut and ended with `…`;
  /// - `& < > " '` as character references: no tag, attribute, CDATA section or comment can
  ///   start or end inside it.
  ///
  /// ```swift
  /// ArchivePageText.escape("</title><script>")  // "&lt;/title&gt;&lt;script&gt;"
  /// ArchivePageText.escape("a\u{202E}b")        // "a\\u{202e}b"
  /// ```
  static func escape(_ text: String, limit: Int = Int.max) -> String {
    html(shown(text, limit: limit))
  }

  /// `text` escaped and cut at `limit` scalars as ``escape(_:limit:)`` does, and when it was
  /// cut, its first `fullLimit` scalars escaped too (for a `title` attribute that shows more).
  static func cut(_ text: String, limit: Int, fullLimit: Int = 2_000) -> Cut {
    let visible = visible(Redaction.text(text))
    let kept = truncated(visible, limit: limit)
    guard kept.wasCut else { return Cut(html: html(kept.string), full: nil) }
    return Cut(html: html(kept.string), full: html(truncated(visible, limit: fullLimit).string))
  }

  /// A text as shown in a cell, and the longer text of its tooltip when it was cut.
  struct Cut {
    var html: String
    var full: String?
  }

  /// `text` with controls shown and cut at `limit` scalars, not yet escaped.
  static func shown(_ text: String, limit: Int) -> String {
    truncated(visible(Redaction.text(text)), limit: limit).string
  }

  /// Combining marks kept on one character; the rest are dropped (text of stacked marks,
  /// "Zalgo", would paint over the rows above and below it).
  static let maxMarks = 4

  /// `text` with its control characters and bidirectional controls written out, and no more
  /// than ``maxMarks`` combining marks in a row.
  static func visible(_ text: String) -> String {
    func plain(_ s: Unicode.Scalar) -> Bool { !ControlText.isControl(s) }
    func mark(_ s: Unicode.Scalar) -> Bool {
      s.value >= 0x300
        && (s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .enclosingMark)
    }
    var marks = 0
    let clean = text.unicodeScalars.allSatisfy { s in
      marks = mark(s) ? marks + 1 : 0
      return plain(s) && marks <= maxMarks
    }
    if clean { return text }
    var out = String.UnicodeScalarView()
    marks = 0
    for s in text.unicodeScalars {
      marks = mark(s) ? marks + 1 : 0
      if marks > maxMarks { continue }
      if plain(s) {
        out.append(s)
        continue
      }
      // A line break or tab in a cell is a space; every other control is written out.
      let shown = [0x09, 0x0A, 0x0D].contains(s.value) ? " " : ControlText.written(s)
      out.append(contentsOf: shown.unicodeScalars)
    }
    return String(out)
  }

  /// The first `limit` scalars of `text` and `…` when there were more (counted in scalars,
  /// not characters: a character of 10,000 combining marks is 10,000 scalars).
  private static func truncated(_ text: String, limit: Int) -> (string: String, wasCut: Bool) {
    let scalars = text.unicodeScalars
    guard limit < Int.max, scalars.count > limit else { return (text, false) }
    var kept = String.UnicodeScalarView(scalars.prefix(Swift.max(0, limit - 1)))
    kept.append("…")
    return (String(kept), true)
  }

  /// `& < > " '` as character references; everything else as is. For text that is already
  /// inert (numbers, our own words) or has been through ``visible(_:)``.
  static func html(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
    else { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 16)
    for c in text.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// `1234567` as `1,234,567`.
  static func count(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = n < 0 ? "-" : ""
    for (i, d) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
      out.append(d)
    }
    return out
  }

  /// `n` and the noun, singular or plural: `1 incident`, `3 incidents`.
  static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    count(n) + " " + (n == 1 ? singular : (plural ?? singular + "s"))
  }

  /// A duration as pmhost writes one (`1h 35min`), `-` when unknown.
  static func duration(_ seconds: Int64?) -> String {
    seconds.map { formatDuration(seconds: $0) } ?? "-"
  }
}
