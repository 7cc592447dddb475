import Foundation

/// The one progress line on stderr, shared by every display (a big file's reading, a slow
/// stage) and the diagnostics: a message clears the line before it is written, so it never
/// lands after a half-drawn progress line. Thread-safe: a stage's line is drawn by the thread
/// that waits for the plugin while the plugin's own thread logs.
final class TerminalLine: @unchecked Sendable {
  static let shared = TerminalLine()

  private let lock = NSLock()
  private var shown = false
  /// Who drew last, and when: a stage's line gives way to a file's reading for a while.
  private var owner: ObjectIdentifier?
  private var drawnAt = 0.0

  /// Draws `text` (escaped) over the line. With `yielding`, only when no other display has
  /// drawn in the last half second.
  func draw(_ text: String, by drawer: AnyObject, yielding: Bool = false) {
    let now = ProcessInfo.processInfo.systemUptime
    lock.lock()
    defer { lock.unlock() }
    let me = ObjectIdentifier(drawer)
    if yielding, shown, owner != me, now - drawnAt < 0.5 { return }
    owner = me
    drawnAt = now
    shown = true
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + TerminalText.value(text)).utf8))
  }

  /// Clears the line if `drawer` drew it last (any drawer: nil).
  func clear(by drawer: AnyObject?) {
    lock.lock()
    defer { lock.unlock() }
    guard shown, drawer == nil || owner == ObjectIdentifier(drawer!) else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    shown = false
    owner = nil
  }

  /// Writes a whole message, the progress line cleared first (it is drawn again on the
  /// next update).
  func write(_ message: String) {
    lock.lock()
    defer { lock.unlock() }
    var bytes = Data()
    if shown {
      bytes.append(contentsOf: "\r\u{1B}[K".utf8)
      shown = false
      owner = nil
    }
    bytes.append(contentsOf: message.utf8)
    FileHandle.standardError.write(bytes)
  }
}

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
    TerminalLine.shared.draw(
      String(
        format: "pmhost: %@ %3d%% %d/%d MB %.0f MB/s", label, percent, done >> 20, total >> 20, rate),
      by: self)
  }

  /// Clears the line at the end of the input.
  func finish() { TerminalLine.shared.clear(by: self) }

  deinit { finish() }
}

/// What a plugin says it is doing (`ctx.progress`), set by the plugin's thread and read by
/// the thread that draws the stage's line.
final class PluginStatus: @unchecked Sendable {
  static let maxCharacters = 200
  private let lock = NSLock()
  private var value: String?

  func set(_ text: String) {
    // Escaped when drawn (TerminalLine): only the length is kept here.
    let line = String(text.prefix(Self.maxCharacters))
    lock.lock()
    value = line.isEmpty ? nil : line
    lock.unlock()
  }

  var text: String? {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}

/// The line of a stage step that has run for more than a second: `pmhost: report html 4.2 s`,
/// with the host call it is inside when there is one (`inside ctx.report.get`). Updated
/// by the thread that waits for the step (``LuaWatchdog/watch(grace:waiting:_:)``), at most
/// ten times a second; cleared when the step ends. Only when ``RunSettings/progress``.
final class StageProgress {
  /// Steps quicker than this show nothing.
  static let delay = 1.0

  private let label: String
  private var lastDraw = -1.0
  private var drawn = false

  /// nil when progress is off (stderr not a terminal, NO_COLOR, --quiet).
  init?(stage: String, step: String, settings: RunSettings) {
    guard settings.progress else { return nil }
    label = "pmhost: \(stage) \(step)"
  }

  /// The text for `elapsed` seconds, inside `call` when one is running.
  static func text(label: String, elapsed: Double, call: String?, status: String? = nil) -> String {
    label + String(format: " %.1f s", elapsed) + (status.map { ": \($0)" } ?? "")
      + (call.map { " (inside \($0))" } ?? "")
  }

  /// The plugin's own word on where it is (`ctx.progress`), shown after the time.
  var status: PluginStatus?

  func update(elapsed: Double, call: String?) {
    guard elapsed >= Self.delay, elapsed - lastDraw >= 0.1 else { return }
    lastDraw = elapsed
    drawn = true
    // A file's reading progress, when the plugin shows one, keeps the line.
    TerminalLine.shared.draw(
      Self.text(label: label, elapsed: elapsed, call: call, status: status?.text), by: self, yielding: true)
  }

  func finish() {
    if drawn { TerminalLine.shared.clear(by: self) }
  }

  deinit { finish() }
}

/// The steps of a run and how long each took (`pmhost run --timings`), in the order they ran.
final class StageClock {
  struct Step {
    var stage: String
    var plugin: String
    var seconds: Double
  }

  private(set) var steps: [Step] = []
  private let started = StageClock.now()

  /// Monotonic seconds.
  static func now() -> Double { ProcessInfo.processInfo.systemUptime }

  func record(stage: String, plugin: String, since start: Double) {
    steps.append(Step(stage: stage, plugin: plugin, seconds: Self.now() - start))
  }

  /// `pmhost: timing stage=report plugin=json seconds=1.020`: `plugin` without spaces,
  /// seconds with three decimals (scripts/bench-scale reads these lines).
  static func line(stage: String, plugin: String, seconds: Double) -> String {
    let name = plugin.isEmpty ? "-" : String(plugin.map { $0.isWhitespace ? "_" : $0 })
    return "pmhost: timing stage=\(stage) plugin=\(name) seconds=" + String(format: "%.3f", seconds)
  }

  /// Every step's line, then the total since this clock started.
  func lines() -> [String] {
    steps.map { Self.line(stage: $0.stage, plugin: $0.plugin, seconds: $0.seconds) }
      + [Self.line(stage: "total", plugin: "-", seconds: Self.now() - started)]
  }
}
