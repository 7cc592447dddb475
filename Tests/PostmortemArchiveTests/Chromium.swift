import Foundation
import Testing

/// Debian's chromium, headless, for the tests that open a page in a real browser. Without
/// it those tests are skipped on a workstation and fail under CI (`CI` set), where
/// scripts/test installs it.
enum Chromium {
  static let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  /// Whether the browser tests run: chromium is there, or CI says it must be.
  static let required = path != nil || !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty

  /// What a run of chromium printed.
  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Chromium was stopped after the time allowed.
    var timedOut = false

    /// The console lines (`CONSOLE(...)` with --enable-logging) and uncaught errors.
    var console: [Substring] {
      stderr.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
    }
  }

  /// Runs chromium headless with `arguments` (in a profile of its own, removed after) and
  /// waits for it, at most `timeout` seconds. Headless chromium now and then hangs on a
  /// loaded machine: a run that times out is tried once more (and says so), and a second
  /// timeout is returned as a failure (status -1, `timedOut`).
  static func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> Output {
    let first = try once(arguments, timeout: timeout)
    guard first.timedOut else { return first }
    print("chromium: no answer in \(Int(timeout)) s, trying once more: \(arguments.joined(separator: " "))")
    return try once(arguments, timeout: timeout)
  }

  private final class Collected: @unchecked Sendable {
    let lock = NSLock()
    var data = Data()
  }

  private static func once(_ arguments: [String], timeout: TimeInterval) throws -> Output {
    let browser = try #require(path, "chromium is not installed (apt-get install -y chromium)")
    let profile = FileManager.default.temporaryDirectory.appendingPathComponent("pmhost-chromium-\(UUID())")
      .path
    defer { try? FileManager.default.removeItem(atPath: profile) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: browser)
    process.arguments =
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
        "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0",
      ] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    // Both pipes read at once, so that neither fills while chromium writes the other.
    let reads = DispatchGroup()
    let collected = [Collected(), Collected()]
    for (pipe, into) in zip([out, err], collected) {
      reads.enter()
      DispatchQueue.global().async {
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        into.lock.withLock { into.data = data }
        reads.leave()
      }
    }
    var timedOut = false
    if exited.wait(timeout: .now() + timeout) == .timedOut {
      timedOut = true
      process.terminate()
      if exited.wait(timeout: .now() + 5) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        _ = exited.wait(timeout: .now() + 5)
      }
    }
    // Its helpers may hold the pipes a moment longer; what they wrote by then is enough.
    _ = reads.wait(timeout: .now() + 10)
    let text = collected.map { c in c.lock.withLock { String(decoding: c.data, as: UTF8.self) } }
    return Output(
      status: timedOut ? -1 : process.terminationStatus, stdout: text[0],
      stderr: timedOut ? "timed out after \(Int(timeout)) s\n" + text[1] : text[1], timedOut: timedOut)
  }
}
