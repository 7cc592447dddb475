import Foundation

/// A one-line progress display on stderr for big inputs (only when stderr is a terminal and
/// NO_COLOR is unset; see ``RunSettings/progress``). Redrawn at most ten times a second.
final class Progress {
  /// Inputs smaller than this read too fast to need a display.
  static let minimumBytes = 32 << 20

  private let label: String
  private let total: Int
  private let started = Date()
  private var lastDraw = Date.distantPast
  private var calls = 0
  private var shown = false

  init(label: String, total: Int) {
    self.label = label
    self.total = max(total, 1)
  }

  /// Called per line: looks at the clock only every 4096 calls.
  func update(_ done: Int) {
    calls &+= 1
    guard calls & 4095 == 0 else { return }
    let now = Date()
    guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let percent = min(100, done * 100 / total)
    let elapsed = now.timeIntervalSince(started)
    let rate = elapsed > 0 ? Double(done) / elapsed / 1_048_576 : 0
    draw(
      String(
        format: "pmhost: %@ %3d%% %d/%d MB %.0f MB/s", label, percent, done >> 20, total >> 20, rate))
  }

  /// Clears the line at the end of the input.
  func finish() {
    guard shown else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    shown = false
  }

  private func draw(_ text: String) {
    shown = true
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + TerminalText.value(text)).utf8))
  }

  deinit { finish() }
}
