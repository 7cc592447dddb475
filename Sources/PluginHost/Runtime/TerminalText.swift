import PostmortemCore

/// Text on its way to a terminal. Log lines, chat messages and titles may carry escape
/// sequences that retitle the window, clear the screen, move the cursor or rewrite what was
/// printed before (`ESC ] 0 ; ... BEL`, `ESC [ 2 J`, a bare `CR`): every control character is
/// shown escaped instead, so the person reads what the data holds. Credentials in URLs are
/// masked on the way (``Redaction``). The one escaper for the terminal; `diagnostic` and
/// every print of the command line go through it.
public enum TerminalText {
  /// `text` with ESC as `\e`, CR as `\r`, every other C0 control, DEL and C1 control as
  /// `\xNN`, and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
  /// U+2066-U+2069) as `\u{202e}`. Tab stays (columns of `print`), and so does LF when
  /// `keepingLines` (the lines of a message of our own); a data value inside one line passes `keepingLines: false`, so its
  /// newlines show as `\n` and cannot start a line that looks like pmhost's.
  public static func escape(_ text: String, keepingLines: Bool = true) -> String {
    let text = Redaction.text(text)
    func plain(_ s: Unicode.Scalar) -> Bool {
      s.value == 0x09 || (s.value == 0x0A && keepingLines) || !ControlText.isControl(s)
    }
    if text.unicodeScalars.allSatisfy(plain) { return text }
    var out = String.UnicodeScalarView()
    for s in text.unicodeScalars {
      if plain(s) {
        out.append(s)
      } else {
        out.append(contentsOf: ControlText.written(s).unicodeScalars)
      }
    }
    return String(out)
  }

  /// `escape(value, keepingLines: false)`: a data value on one line.
  public static func value(_ value: String) -> String { escape(value, keepingLines: false) }
}
