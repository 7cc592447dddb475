import Foundation
import Synchronization
import Testing

@testable import PostmortemArchive

/// The SQL connection contract, the same on both back ends: values come back as they went in,
/// `?` is a parameter only outside literals, batches, transactions, messages and concurrent
/// writers. Each test runs on a fresh database (Backends.swift).
@Suite struct SQLConnectionTests {
  /// A connection to a fresh database, with a table `t` of every type the archive uses.
  fileprivate func withTable<T>(
    _ backend: Backend, _ body: (any SQLConnection, ArchiveLocation) throws -> T
  ) throws -> T {
    try withFreshArchive(backend) { location in
      let db = try location.connect()
      defer { db.close() }
      try db.run("CREATE TABLE t (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT)")
      return try body(db, location)
    }
  }

  /// Text compared byte for byte: Swift's `==` on strings would call a precomposed é equal to
  /// e + combining accent, and hide a back end normalizing text.
  private func bytes(_ value: SQLValue) -> [UInt8]? { value.text.map { Array($0.utf8) } }

  @Test(arguments: Backend.allCases)
  func integersDoublesTextAndNullComeBackAsTheyWentIn(_ backend: Backend) throws {
    let integers: [Int64] = [Int64.min, Int64.max, -1, 0, 1, -9_007_199_254_740_993, 9_007_199_254_740_993]
    let doubles: [Double] = [
      0.1, -2.5, 3.141592653589793, 1e308, -1e-300, 2.2250738585072014e-308, 123_456_789.123_456_79,
      .infinity, -.infinity,
    ]
    let texts: [String?] = [
      "", nil, "plain", "héllo wörld", "e\u{301}", "🚒🔥 👩‍👩‍👧‍👦 🇺🇦", "שלום עולם مرحبا بالعالم",
      "mixed \u{202E}reversed\u{202C} end", "tab\tnew\nline\r\n'quote' \"double\" \\back ? $1 %s",
    ]
    try withTable(backend) { db, _ in
      var rows: [[SQLValue]] = []
      for (n, i) in integers.enumerated() { rows.append([.int(Int64(n)), .int(i), .null, .null]) }
      for (n, d) in doubles.enumerated() { rows.append([.int(Int64(100 + n)), .null, .double(d), .null]) }
      for (n, s) in texts.enumerated() { rows.append([.int(Int64(200 + n)), .null, .null, .text(s)]) }
      for row in rows { try db.query("INSERT INTO t (id, i, d, s) VALUES (?, ?, ?, ?)", row) }
      let back = try db.query("SELECT id, i, d, s FROM t ORDER BY id", [])
      #expect(back.count == rows.count)
      for (sent, got) in zip(rows, back) {
        #expect(got == sent, "row \(sent[0]) on \(backend)")
        #expect(bytes(got[3]) == bytes(sent[3]), "row \(sent[0]): text bytes on \(backend)")
      }
      // The empty string is not NULL, in a comparison either.
      #expect(try db.query("SELECT id FROM t WHERE s = ?", [.text("")]) == [[.int(200)]])
      #expect(try db.query("SELECT id FROM t WHERE id >= 200 AND s IS NULL", []) == [[.int(201)]])
      // A parameter compared with a stored extreme finds it (bound as a 64-bit integer).
      #expect(try db.query("SELECT id FROM t WHERE i = ?", [.int(Int64.min)]) == [[.int(0)]])
    }
  }

  @Test(arguments: Backend.allCases)
  func aMegabyteOfTextRoundTrips(_ backend: Backend) throws {
    var big = String(repeating: "0123456789abcdef", count: 65_536)  // 1 MiB
    big += "…end 🚒"
    try withTable(backend) { db, _ in
      try db.query("INSERT INTO t (id, s) VALUES (?, ?)", [.int(1), .text(big)])
      let back = try db.query("SELECT s, length(s) FROM t WHERE id = ?", [.int(1)])
      #expect(back.count == 1)
      #expect(bytes(back[0][0]) == Array(big.utf8))
      #expect(back[0][1] == .int(Int64(big.unicodeScalars.count)))
    }
  }

  /// SQLite keeps a NUL inside text (read back by length). PostgreSQL text cannot hold one:
  /// PostgresConnection drops it rather than fail the record (documented there).
  @Test(arguments: Backend.allCases)
  func aNulInsideText(_ backend: Backend) throws {
    try withTable(backend) { db, _ in
      try db.query("INSERT INTO t (id, s) VALUES (?, ?)", [.int(1), .text("before\0after")])
      let back = try db.query("SELECT s FROM t", [])
      switch backend {
      case .sqlite: #expect(bytes(back[0][0]) == Array("before\0after".utf8))
      case .postgres: #expect(back[0][0] == .text("beforeafter"))
      }
    }
  }

  /// SUM over BIGINT is numeric on PostgreSQL: it comes back an exact integer, as on SQLite
  /// (beyond 2^53 a double would round it).
  @Test(arguments: Backend.allCases)
  func aSumOfIntegersIsAnExactInteger(_ backend: Backend) throws {
    try withTable(backend) { db, _ in
      try db.insert(
        into: "t", columns: ["id", "i"],
        rows: [[.int(1), .int(4_611_686_018_427_387_903)], [.int(2), .int(3)]])
      #expect(
        try db.query("SELECT SUM(i), COUNT(*) FROM t", []) == [[.int(4_611_686_018_427_387_906), .int(2)]])
      #expect(try db.query("SELECT AVG(id) FROM t", []) == [[.double(1.5)]])
    }
  }

  @Test(arguments: Backend.allCases)
  func aQuestionMarkInsideALiteralOrCommentIsNotAParameter(_ backend: Backend) throws {
    try withTable(backend) { db, _ in
      let row = try db.query("SELECT 'why?', ?, 'it''s ? here', CAST(? AS BIGINT)", [.text("one"), .int(2)])
      #expect(row == [[.text("why?"), .text("one"), .text("it's ? here"), .int(2)]])
      try db.query(
        """
        -- which incident? the first
        INSERT INTO t (id, s) /* who? */ VALUES (?, 'what?')
        """, [.int(7)])
      #expect(
        try db.query("SELECT id, s FROM t WHERE s = 'what?' AND id = ?", [.int(7)]) == [
          [.int(7), .text("what?")]
        ])
      try db.run("CREATE TABLE \"odd?name\" (\"col?\" TEXT)")
      try db.query("INSERT INTO \"odd?name\" (\"col?\") VALUES (?)", [.text("x")])
      #expect(try db.query("SELECT \"col?\" FROM \"odd?name\"", []) == [[.text("x")]])
    }
  }

  @Test(arguments: Backend.allCases)
  func aMultiRowInsertSpanningSeveralBatchesKeepsEveryRow(_ backend: Backend) throws {
    let rows: [[SQLValue]] = (0..<1_001).map { (n: Int) -> [SQLValue] in
      let i: SQLValue = n % 7 == 0 ? .null : .int(Int64(n) * -3)
      return [.int(Int64(n)), i, .double(Double(n) / 4), .text("row \(n) ✓")]
    }
    for batch in [200, 7, 1_001] {
      try withTable(backend) { db, _ in
        try db.insert(into: "t", columns: ["id", "i", "d", "s"], rows: rows, batch: batch)
        let back = try db.query("SELECT id, i, d, s FROM t ORDER BY id", [])
        #expect(back.count == rows.count, "batch \(batch) on \(backend)")
        #expect(back == rows, "batch \(batch) on \(backend)")
        try db.insert(into: "t", columns: ["id"], rows: [])
        #expect(try db.query("SELECT COUNT(*) FROM t", []) == [[.int(1_001)]])
      }
    }
  }

  @Test(arguments: Backend.allCases)
  func aWriteTransactionCommitsWhenItsBodyReturns(_ backend: Backend) throws {
    try withTable(backend) { db, location in
      let value = try db.writeTransaction { () throws(ArchiveError) -> Int in
        try db.insert(
          into: "t", columns: ["id", "s"], rows: [[.int(1), .text("a")], [.int(2), .text("b")]])
        return 42
      }
      #expect(value == 42)
      // Committed: another connection sees it.
      let other = try location.connect()
      defer { other.close() }
      #expect(try other.query("SELECT COUNT(*) FROM t", []) == [[.int(2)]])
    }
  }

  @Test(arguments: Backend.allCases)
  func aWriteTransactionRollsBackWhenItsBodyThrows(_ backend: Backend) throws {
    try withTable(backend) { db, location in
      do throws(ArchiveError) {
        try db.writeTransaction { () throws(ArchiveError) in
          try db.insert(
            into: "t", columns: ["id", "s"], rows: [[.int(1), .text("a")], [.int(2), .text("b")]])
          throw ArchiveError("the recorder gave up")
        }
        Issue.record("the body's error did not come out of writeTransaction")
      } catch {
        #expect(error.message == "the recorder gave up")
      }
      // A statement that fails half-way rolls back what came before it too.
      do throws(ArchiveError) {
        try db.writeTransaction { () throws(ArchiveError) in
          try db.query("INSERT INTO t (id) VALUES (?)", [.int(3)])
          try db.query("INSERT INTO t (id) VALUES (?)", [.int(3)])  // the same primary key
        }
        Issue.record("a duplicate primary key was accepted")
      } catch {
        #expect(error.message.contains("INSERT INTO t"), "\(error)")
      }
      #expect(try db.query("SELECT COUNT(*) FROM t", []) == [[.int(0)]])
      let other = try location.connect()
      defer { other.close() }
      #expect(try other.query("SELECT COUNT(*) FROM t", []) == [[.int(0)]])
      // Not left inside a transaction: the next one works and commits.
      _ = try db.writeTransaction { () throws(ArchiveError) in
        try db.query("INSERT INTO t (id) VALUES (?)", [.int(4)])
      }
      #expect(try other.query("SELECT id FROM t", []) == [[.int(4)]])
    }
  }

  @Test(arguments: Backend.allCases)
  func aFailingStatementNamesTheArchiveAndTheStatement(_ backend: Backend) throws {
    try withFreshArchive(backend) { location in
      // The URL the test connects with carries a password (trust authentication ignores it).
      let withPassword: ArchiveLocation
      switch location {
      case .sqlite: withPassword = location
      case .postgres(let url):
        withPassword = .postgres(url: url.replacingOccurrences(of: "@", with: ":s3cret-pw@"))
      }
      let db = try withPassword.connect()
      defer { db.close() }
      #expect(db.display == location.display.replacingOccurrences(of: "@", with: ":***@"))
      do throws(ArchiveError) {
        try db.query("SELECT nothing FROM no_such_table WHERE id = ?", [.int(1)])
        Issue.record("a query on a missing table succeeded")
      } catch {
        #expect(error.message.hasPrefix(db.display + ": "), "\(error)")
        #expect(error.message.contains("no_such_table"), "\(error)")
        #expect(!error.message.contains("s3cret-pw"), "\(error)")
      }
      do throws(ArchiveError) {
        try db.run("CREATE TABLE broken (")
        Issue.record("a broken statement succeeded")
      } catch {
        #expect(error.message.hasPrefix(db.display + ": "), "\(error)")
        #expect(error.message.contains("CREATE TABLE broken"), "\(error)")
      }
    }
  }

  /// The archive cannot be reached: the message names it (without the password) and says why.
  @Test(arguments: Backend.allCases)
  func anArchiveThatCannotBeOpenedIsNamedWithoutItsPassword(_ backend: Backend) throws {
    switch backend {
    case .sqlite:
      // A folder that cannot be made: its parent is a file.
      let file = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pmhost-not-a-folder-\(UUID())"
      ).path
      #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
      defer { try? FileManager.default.removeItem(atPath: file) }
      let path = file + "/archive.sqlite"
      do throws(ArchiveError) {
        _ = try ArchiveLocation.sqlite(path: path).connect()
        Issue.record("an archive under a file opened")
      } catch {
        #expect(error.message.hasPrefix(path + ": "), "\(error)")
      }
    case .postgres:
      // Port 1 on loopback: nothing listens (no server needed for this case).
      for url in [
        "postgres://pm:s3cret-pw@127.0.0.1:1/archive?connect_timeout=5",
        "postgresql://127.0.0.1:1/archive?user=pm&password=s3cret-pw&connect_timeout=5",
      ] {
        do throws(ArchiveError) {
          _ = try ArchiveLocation.postgres(url: url).connect()
          Issue.record("connected to port 1")
        } catch {
          #expect(error.message.hasPrefix(ArchiveLocation.redacted(url) + ": cannot connect"), "\(error)")
          #expect(error.message.contains("127.0.0.1"), "\(error)")
          #expect(error.message.contains("***"), "\(error)")
          #expect(!error.message.contains("s3cret-pw"), "\(error)")
        }
      }
    }
  }

  /// Two recorders at once, each on its own connection and thread, 500 transactions each,
  /// every one reading before it writes (the pattern a deferred SQLite transaction fails):
  /// nothing is lost, no transaction fails, each writer's sequence has no gap or duplicate.
  @Test(arguments: Backend.allCases)
  func twoWritersAtOnceLoseNothing(_ backend: Backend) throws {
    let perWriter = 500
    try withFreshArchive(backend) { location in
      let setup = try location.connect()
      defer { setup.close() }
      try setup.run("CREATE TABLE w (writer BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (writer, seq))")
      let failures = WriterFailures()
      let ready = DispatchSemaphore(value: 0)
      let go = DispatchSemaphore(value: 0)
      let done = DispatchGroup()
      for writer in 0..<2 {
        done.enter()
        Thread.detachNewThread {
          defer { done.leave() }
          do throws(ArchiveError) {
            let db = try location.connect()
            defer { db.close() }
            ready.signal()
            go.wait()
            for _ in 0..<perWriter {
              try db.writeTransaction { () throws(ArchiveError) in
                let count = try db.query("SELECT COUNT(*) FROM w WHERE writer = ?", [.int(Int64(writer))])
                try db.query("INSERT INTO w (writer, seq) VALUES (?, ?)", [.int(Int64(writer)), count[0][0]])
              }
            }
          } catch {
            ready.signal()
            failures.list.withLock { $0.append("writer \(writer): \(error)") }
          }
        }
      }
      ready.wait()
      ready.wait()
      go.signal()
      go.signal()
      #expect(done.wait(timeout: .now() + 120) == .success, "the writers did not finish in 2 minutes")
      #expect(failures.list.withLock { $0 } == [])
      let counts = try setup.query(
        "SELECT writer, COUNT(*), MIN(seq), MAX(seq) FROM w GROUP BY writer ORDER BY writer", [])
      let expected: [[SQLValue]] = (0..<2).map {
        [.int(Int64($0)), .int(Int64(perWriter)), .int(0), .int(499)]
      }
      #expect(counts == expected)
    }
  }

  @Test func placeholdersAreNumberedOutsideLiteralsIdentifiersAndComments() {
    let cases: [(String, String)] = [
      ("SELECT 1", "SELECT 1"),
      ("SELECT ?", "SELECT $1"),
      ("a = ? AND b = ? OR c IN (?, ?)", "a = $1 AND b = $2 OR c IN ($3, $4)"),
      ("SELECT '?', ?", "SELECT '?', $1"),
      ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"),
      ("SELECT \"col?\" FROM \"t\"\"?\" WHERE x = ?", "SELECT \"col?\" FROM \"t\"\"?\" WHERE x = $1"),
      ("SELECT '\"?', ?, \"'?\"", "SELECT '\"?', $1, \"'?\""),
      ("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"),
      ("SELECT ? /* who? 'x */ , ?", "SELECT $1 /* who? 'x */ , $2"),
      ("SELECT /*/ ? */ ?", "SELECT /*/ ? */ $1"),
      ("SELECT 5-?, 6 - -?", "SELECT 5-$1, 6 - -$2"),
      ("SELECT '-- not a comment', ?", "SELECT '-- not a comment', $1"),
      ("SELECT 'é?' || ? || '🚒'", "SELECT 'é?' || $1 || '🚒'"),
      (
        "VALUES " + Array(repeating: "(?, ?)", count: 6).joined(separator: ", "),
        "VALUES ($1, $2), ($3, $4), ($5, $6), ($7, $8), ($9, $10), ($11, $12)"
      ),
    ]
    for (sql, expected) in cases {
      #expect(PostgresConnection.numbered(sql) == expected, "\(sql)")
    }
  }
}

/// What the writer threads report.
private final class WriterFailures: Sendable {
  let list = Mutex<[String]>([])
}

extension SQLConnectionTests {
  /// Too few parameters would leave one NULL on SQLite without a word; both back ends refuse.
  @Test(arguments: Backend.allCases)
  func aParameterCountThatDoesNotMatchIsAnError(_ backend: Backend) throws {
    try withTable(backend) { db, _ throws in
      for given in [[SQLValue.int(1)], [.int(1), .text("a"), .text("b")]] {
        do throws(ArchiveError) {
          try db.query("INSERT INTO t (id, s) VALUES (?, ?)", given)
          Issue.record("\(given.count) parameters accepted for 2")
        } catch {
          #expect(error.message.hasPrefix(db.display + ": "), "\(error)")
          #expect(error.message.contains("INSERT INTO t"), "\(error)")
        }
      }
      #expect(try db.query("SELECT COUNT(*) FROM t", []) == [[.int(0)]])
    }
  }
}
