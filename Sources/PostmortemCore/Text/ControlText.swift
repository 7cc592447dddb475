/// The characters a reader must see written out rather than have act on the text around
/// them: C0 and C1 controls and DEL (escape sequences, carriage returns), and the
/// bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that
/// reorder what follows them ("Trojan Source"); the marks (U+200E, U+200F) are plain. The one
/// rule for the terminal (`TerminalText`) and the archive page.
public enum ControlText {
  /// Whether `s` is such a character.
  public static func isControl(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
  }

  /// How it is written out: `\e`, `\r`, `\n`, `\xNN` below U+0100, `\u{202e}` above.
  public static func written(_ s: Unicode.Scalar) -> String {
    switch s.value {
    case 0x1B: return "\\e"
    case 0x0D: return "\\r"
    case 0x0A: return "\\n"
    case 0x100...: return "\\u{" + String(s.value, radix: 16) + "}"
    default:
      let hex = String(s.value, radix: 16)
      return "\\x" + (hex.count < 2 ? "0" + hex : hex)
    }
  }
}
