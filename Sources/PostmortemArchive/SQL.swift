/// A value bound to a statement or read from a row. The archive uses four types on both back
/// ends: integers (BIGINT), doubles, text and NULL.
public enum SQLValue: Sendable, Equatable, Hashable {
  case null
  case int(Int64)
  case double(Double)
  case text(String)

  /// The text, or nil for any other type.
  public var text: String? {
    if case .text(let s) = self { return s }
    return nil
  }

  /// The integer (a double is truncated; text is parsed), or nil.
  public var int: Int64? {
    switch self {
    case .int(let v): v
    case .double(let d): Int64(exactly: d.rounded(.towardZero))
    case .text(let s): Int64(s)
    case .null: nil
    }
  }

  /// The number as a double, or nil.
  public var double: Double? {
    switch self {
    case .int(let v): Double(v)
    case .double(let d): d
    case .text(let s): Double(s)
    case .null: nil
    }
  }

  /// `.null` for nil, else `.text`.
  public static func text(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
  /// `.null` for nil, else `.int`.
  public static func int(_ v: Int64?) -> SQLValue { v.map { .int($0) } ?? .null }
}

/// Which server a connection talks to. Statements are written once, in the SQL both accept;
/// the few places that differ ask the dialect.
public enum SQLDialect: String, Sendable {
  case sqlite, postgres

  /// The statement that opens a write transaction: SQLite takes the write lock at once
  /// (`IMMEDIATE`), so two recorders queue on the busy timeout instead of failing to upgrade.
  public var beginWrite: String { self == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN" }
}

/// One connection to an archive database, used by one thread. `?` marks a parameter in every
/// statement (the PostgreSQL connection numbers them); values are always bound, never spliced.
public protocol SQLConnection: AnyObject {
  var dialect: SQLDialect { get }
  /// Where it points, without a password (for messages).
  var display: String { get }
  /// Runs one statement and returns its rows (empty for statements that return none).
  @discardableResult
  func query(_ sql: String, _ parameters: [SQLValue]) throws(ArchiveError) -> [[SQLValue]]
  /// Runs statements without parameters and without results (schema, transactions).
  func run(_ sql: String) throws(ArchiveError)
  func close()
}

extension SQLConnection {
  /// Runs `body` in a write transaction: committed when it returns, rolled back when it throws.
  public func writeTransaction<T>(_ body: () throws(ArchiveError) -> T) throws(ArchiveError) -> T {
    try run(dialect.beginWrite)
    do {
      let value = try body()
      try run("COMMIT")
      return value
    } catch {
      try? run("ROLLBACK")
      throw error
    }
  }

  /// Inserts `rows` into `table` with multi-row VALUES statements of at most `batch` rows (one
  /// round trip per batch on a server, not per row).
  public func insert(
    into table: String, columns: [String], rows: [[SQLValue]], batch: Int = 200
  ) throws(ArchiveError) {
    guard !rows.isEmpty else { return }
    let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
    var start = 0
    while start < rows.count {
      let chunk = rows[start..<min(start + batch, rows.count)]
      let sql =
        "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        + Array(repeating: tuple, count: chunk.count).joined(separator: ", ")
      try query(sql, chunk.flatMap { $0 })
      start += batch
    }
  }
}

/// What went wrong with the archive: the message names the archive and what to do.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
