import Foundation
import Testing

/// Runs the built `pmhost` binary as a user would.
struct PMHostProcess {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// The pmhost binary beside the test bundle (SwiftPM builds both into one folder).
  static var binary: String {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [beside, beside.deletingLastPathComponent()] {
      let path = candidate.appendingPathComponent("pmhost").path
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return packageRoot + "/.build/debug/pmhost"
  }

  static var packageRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }

  /// The environment a test runs pmhost in: this one's, with no `PMHOST_PLUGIN_PATH` and
  /// `HOME` at `home`, so no plugin of the machine's is found, and the default archive under
  /// `home` (no `PMHOST_ARCHIVE`, `XDG_DATA_HOME` in it): a test never records in the user's.
  static func environment(home: String) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["PMHOST_PLUGIN_PATH"] = nil
    environment["PMHOST_ARCHIVE"] = nil
    environment["HOME"] = home
    environment["XDG_DATA_HOME"] = home + "/.local/share"
    return environment
  }

  @discardableResult
  static func run(
    _ arguments: [String], in directory: String? = nil, binary: String = binary,
    environment extra: [String: String] = [:]
  ) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory ?? packageRoot)
    // Each run's default archive is a folder of its own, removed after it: runs of different
    // tests never see each other's incidents (a recurrence section would then come and go).
    let data = NSTemporaryDirectory() + "pmhost-test-data-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: data) }
    var base = environment(home: NSTemporaryDirectory())
    base["XDG_DATA_HOME"] = data
    process.environment = base.merging(extra) { _, new in new }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}

/// A scratch folder with files, removed by the caller's `defer`.
struct Scratch {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "pmhost-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func write(_ name: String, _ text: String) throws {
    let url = URL(fileURLWithPath: path + "/" + name)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }

  func read(_ name: String) -> String? {
    FileManager.default.contents(atPath: path + "/" + name).map { String(decoding: $0, as: UTF8.self) }
  }

  func remove() { try? FileManager.default.removeItem(atPath: path) }

  static let incident = """
    id: PM-TEST
    title: Test outage
    started_at: 2025-02-09T10:00:00Z
    ended_at: 2025-02-09T11:00:00Z
    authors: ["@alice"]
    summary: The test service returned errors.
    """
}

/// What `pmhost run` on the seed's example exits with: 1, a failed check. Its incident file
/// states the seed's window (10:05 to 11:40) and "10 minutes from page to fix", which its
/// own timeline contradicts (resolved at 10:40; 14 minutes from page to fix), and
/// claims_match_evidence reports both (ClaimsTests checks that nothing else fails).
let exampleRunStatus: Int32 = 1

/// One finding in `pmhost validate --json`.
struct ValidatedFinding: Decodable, Equatable {
  var line: Int?
  var text: String
}

/// One check in `pmhost validate --json`.
struct ValidatedCheck: Decodable {
  var check: String
  var ok: Bool?
  var detail: String
  var findings: [ValidatedFinding]
}
