// Test support: a fresh, empty archive database per test, on each back end.
//
//   @Test(arguments: Backend.allCases)
//   func recordsAnIncident(_ backend: Backend) throws {
//     try withFreshArchive(backend) { location in
//       let db = try location.connect()
//       defer { db.close() }
//       ...
//     }
//   }
//
// or, where a closure does not fit (async tests, several connections kept):
//
//   let archive = try backend.fresh()
//   defer { archive.cleanup() }
//   ... archive.location ...
//
// - `.sqlite`: a new file `archive.sqlite` in a new temporary folder; cleanup removes the
//   folder (with the -wal and -shm files).
// - `.postgres`: a new database `pmhost_t_<random>` on the server PMHOST_TEST_POSTGRES names
//   (CREATE DATABASE through a connection to that URL's database); `location` is the same URL
//   with the new database. Cleanup drops it WITH (FORCE), closing connections a test left open.
//   scripts/with-postgres starts a server and sets PMHOST_TEST_POSTGRES (scripts/test runs
//   every Swift test under it).
//
// PMHOST_TEST_POSTGRES unset: with `CI` set, the postgres case fails (an issue telling to run
// under scripts/with-postgres); otherwise it records a warning saying so (a warning does not
// fail the run) and is cancelled (skipped). Either way `fresh()` and `withFreshArchive` throw
// Swift Testing's cancellation, which ends the case: call them before anything the test must
// not do without a database, and let the error out (do not catch it).

import Foundation
import Testing

@testable import PostmortemArchive

enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite, postgres

  var testDescription: String { rawValue }

  /// The server the postgres cases use (scripts/with-postgres sets it).
  static let environmentVariable = "PMHOST_TEST_POSTGRES"

  static var serverURL: String? {
    let url = ProcessInfo.processInfo.environment[environmentVariable] ?? ""
    return url.isEmpty ? nil : url
  }

  /// A new, empty database on this back end; `cleanup` removes it (call it once, at the end).
  func fresh(sourceLocation: SourceLocation = #_sourceLocation) throws -> FreshArchive {
    switch self {
    case .sqlite: return try Self.freshSQLite()
    case .postgres: return try Self.freshPostgres(sourceLocation: sourceLocation)
    }
  }

  private static func freshSQLite() throws -> FreshArchive {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("pmhost-archive-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return FreshArchive(location: .sqlite(path: folder + "/archive.sqlite")) {
      try? FileManager.default.removeItem(atPath: folder)
    }
  }

  private static func freshPostgres(sourceLocation: SourceLocation) throws -> FreshArchive {
    guard let server = serverURL else {
      let why =
        "\(environmentVariable) is not set; run the tests under scripts/with-postgres (scripts/test does)"
      if ProcessInfo.processInfo.environment["CI"] != nil {
        Issue.record("PostgreSQL case failed: \(why)", sourceLocation: sourceLocation)
      } else {
        // A cancelled case is not listed in the output: the warning says why it did not run.
        Issue.record("PostgreSQL case skipped: \(why)", severity: .warning, sourceLocation: sourceLocation)
      }
      try Test.cancel("PostgreSQL: \(why)", sourceLocation: sourceLocation)
    }
    let name = "pmhost_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let url = try databaseURL(server, name)
    let admin = try PostgresConnection(url: server)
    defer { admin.close() }
    try admin.run("CREATE DATABASE \(name)")
    return FreshArchive(location: .postgres(url: url)) {
      do {
        let admin = try PostgresConnection(url: server)
        defer { admin.close() }
        try admin.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
      } catch {
        Issue.record("cannot drop the test database \(name): \(error)", sourceLocation: sourceLocation)
      }
    }
  }

  /// `server` (a postgres:// URL) with its database replaced by `name`.
  static func databaseURL(_ server: String, _ name: String) throws -> String {
    guard var parts = URLComponents(string: server), parts.host != nil else {
      throw BackendUnavailable(message: "\(environmentVariable) is not a postgres:// URL: \(server)")
    }
    parts.path = "/" + name
    guard let url = parts.string else {
      throw BackendUnavailable(message: "cannot build a URL for the database \(name) from \(server)")
    }
    return url
  }
}

/// A database made for one test.
struct FreshArchive {
  let location: ArchiveLocation
  /// Removes the database; once, when the test is done with it.
  let cleanup: () -> Void
}

/// PMHOST_TEST_POSTGRES is not a URL a database can be made from.
struct BackendUnavailable: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// Runs `body` with a fresh, empty database on `backend`, removed afterwards whatever happens.
func withFreshArchive<T>(
  _ backend: Backend, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: (ArchiveLocation) throws -> T
) throws -> T {
  let archive = try backend.fresh(sourceLocation: sourceLocation)
  defer { archive.cleanup() }
  return try body(archive.location)
}

/// The async form, for tests that await.
func withFreshArchive<T>(
  _ backend: Backend, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: (ArchiveLocation) async throws -> T
) async throws -> T {
  let archive = try backend.fresh(sourceLocation: sourceLocation)
  defer { archive.cleanup() }
  return try await body(archive.location)
}
