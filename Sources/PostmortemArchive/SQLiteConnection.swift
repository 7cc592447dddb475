import CSQLite
import Foundation

/// The embedded archive: the system SQLite (Debian's libsqlite3), in WAL mode so readers never
/// wait for a recorder, with a busy timeout so two recorders queue instead of failing.
public final class SQLiteConnection: SQLConnection {
  public let dialect = SQLDialect.sqlite
  public let display: String
  private var db: OpaquePointer?
  /// Called with every statement `query` runs, before it runs (the query-plan test).
  public var trace: ((String, [SQLValue]) -> Void)?
  /// Prepared statements by SQL text: the archive runs a handful of statements many times.
  private var cache: [String: OpaquePointer] = [:]

  /// Opens (creating when missing, with its folder) the database at `path`.
  public init(path: String, busyTimeoutMs: Int32 = 30_000) throws(ArchiveError) {
    display = path
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      // Foundation's message is "NSCocoaErrorDomain error 512"; the POSIX reason says what to fix.
      let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error
      let reason = underlying.map { String(cString: strerror(Int32(($0 as NSError).code))) } ?? "\(error)"
      throw ArchiveError(
        "\(path): cannot create its folder \(folder): \(reason) (name another archive with --archive or PMHOST_ARCHIVE)"
      )
    }
    var handle: OpaquePointer?
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
    let rc = sqlite3_open_v2(path, &handle, flags, nil)
    guard rc == SQLITE_OK, let handle else {
      let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close(handle)
      throw ArchiveError("\(path): cannot open the SQLite archive: \(reason)")
    }
    db = handle
    sqlite3_busy_timeout(handle, busyTimeoutMs)
    sqlite3_extended_result_codes(handle, 1)
    try run("PRAGMA journal_mode = WAL")
    try run("PRAGMA synchronous = NORMAL")
    try run("PRAGMA foreign_keys = ON")
  }

  deinit { close() }

  public func close() {
    for statement in cache.values { sqlite3_finalize(statement) }
    cache = [:]
    if let db { sqlite3_close_v2(db) }
    db = nil
  }

  private func failure(_ what: String, _ sql: String) -> ArchiveError {
    let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
    let head = sql.split(separator: "\n").first.map(String.init) ?? sql
    return ArchiveError("\(display): \(what): \(reason) (in: \(head.prefix(120)))")
  }

  public func run(_ sql: String) throws(ArchiveError) {
    guard let db else { throw ArchiveError("\(display): the archive is closed") }
    var message: UnsafeMutablePointer<CChar>?
    if sqlite3_exec(db, sql, nil, nil, &message) != SQLITE_OK {
      let reason = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
      sqlite3_free(message)
      throw ArchiveError("\(display): \(reason) (in: \(sql.prefix(120)))")
    }
  }

  @discardableResult
  public func query(_ sql: String, _ parameters: [SQLValue]) throws(ArchiveError) -> [[SQLValue]] {
    guard let db else { throw ArchiveError("\(display): the archive is closed") }
    trace?(sql, parameters)
    let statement: OpaquePointer
    if let cached = cache[sql] {
      statement = cached
    } else {
      var prepared: OpaquePointer?
      guard sqlite3_prepare_v2(db, sql, -1, &prepared, nil) == SQLITE_OK, let prepared else {
        throw failure("cannot prepare a statement", sql)
      }
      // Multi-row inserts vary in length; only the statements run again are kept.
      if sql.utf8.count < 2_000 { cache[sql] = prepared }
      statement = prepared
    }
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
      if cache[sql] == nil { sqlite3_finalize(statement) }
    }
    // A parameter left unbound would be NULL without a word (PostgreSQL refuses): refuse too.
    let expected = Int(sqlite3_bind_parameter_count(statement))
    guard expected == parameters.count else {
      let head = sql.split(separator: "\n").first.map(String.init) ?? sql
      throw ArchiveError(
        "\(display): the statement takes \(expected) parameters, \(parameters.count) given (in: \(head.prefix(120)))"
      )
    }
    let transient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)
    for (i, value) in parameters.enumerated() {
      let index = Int32(i + 1)
      let rc: Int32
      switch value {
      case .null: rc = sqlite3_bind_null(statement, index)
      case .int(let v): rc = sqlite3_bind_int64(statement, index, v)
      case .double(let d): rc = sqlite3_bind_double(statement, index, d)
      case .text(let s): rc = sqlite3_bind_text(statement, index, s, Int32(s.utf8.count), transient)
      }
      guard rc == SQLITE_OK else { throw failure("cannot bind parameter \(index)", sql) }
    }
    var rows: [[SQLValue]] = []
    let columns = sqlite3_column_count(statement)
    while true {
      let rc = sqlite3_step(statement)
      if rc == SQLITE_DONE { break }
      guard rc == SQLITE_ROW else { throw failure("statement failed", sql) }
      var row: [SQLValue] = []
      row.reserveCapacity(Int(columns))
      for c in 0..<columns {
        switch sqlite3_column_type(statement, c) {
        case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(statement, c)))
        case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(statement, c)))
        case SQLITE_NULL: row.append(.null)
        default:
          // By length: a text may hold a NUL.
          let count = Int(sqlite3_column_bytes(statement, c))
          let bytes = sqlite3_column_text(statement, c)
          let text = bytes.map {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
          }
          row.append(.text(text ?? ""))
        }
      }
      rows.append(row)
    }
    return rows
  }
}
