import Testing

@testable import PluginHost

/// TerminalText.escape: the one escaper for text on its way to a terminal.
@Suite struct TerminalTextTests {
  @Test func escapeSequencesAndControlsShowEscaped() {
    #expect(TerminalText.escape("a\u{1b}]0;pwned\u{07}b\u{1b}[2J") == #"a\e]0;pwned\x07b\e[2J"#)
    #expect(TerminalText.escape("over\rwrite\0\u{7f}\u{9b}31m\u{85}") == #"over\rwrite\x00\x7f\x9b31m\x85"#)
  }

  @Test func bidirectionalControlsShowEscaped() {
    #expect(
      TerminalText.escape("a\u{202e}gnp.exe\u{202c} \u{2066}x\u{2069}")
        == #"a\u{202e}gnp.exe\u{202c} \u{2066}x\u{2069}"#)
    #expect(TerminalText.escape("עברית\u{200f} and العربية") == "עברית\u{200f} and العربية")
  }

  @Test func ourLinesAndTabsStayAndADataValueKeepsToItsLine() {
    #expect(TerminalText.escape("line one\n  line\ttwo") == "line one\n  line\ttwo")
    #expect(TerminalText.value("a\nb") == #"a\nb"#)
  }

  @Test func plainTextComesBackAsItIs() {
    let text = "pmhost: PM-1: ünïcødé 😀 \\e is not an escape"
    #expect(TerminalText.escape(text) == text)
  }
}
