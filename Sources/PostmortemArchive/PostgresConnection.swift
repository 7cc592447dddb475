import CLibpq
import Foundation

/// The team archive: a PostgreSQL server through the system libpq (Debian's libpq5), which
/// reads `postgres://` URLs, `PGPASSWORD`/`~/.pgpass`, TLS and SCRAM the way psql does.
/// Parameters go as text with `$n` placeholders (PQexecParams); nothing is spliced.
public final class PostgresConnection: SQLConnection {
  public let dialect = SQLDialect.postgres
  public let display: String
  private var conn: OpaquePointer?

  /// Connects to `url` (`postgres://user@host:port/db?sslmode=...`).
  public init(url: String) throws(ArchiveError) {
    display = ArchiveLocation.redacted(url)
    guard let handle = PQconnectdb(url) else { throw ArchiveError("\(display): out of memory") }
    guard PQstatus(handle) == CONNECTION_OK else {
      let reason = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
      PQfinish(handle)
      throw ArchiveError(
        "\(display): cannot connect: \(reason) (check the URL, that the server runs, and the password in PGPASSWORD or ~/.pgpass)"
      )
    }
    conn = handle
    // Notices (\"relation already exists, skipping\") are not the user's business.
    try run("SET client_min_messages = warning")
    try run("SET TIME ZONE 'UTC'")
  }

  deinit { close() }

  public func close() {
    if let conn { PQfinish(conn) }
    conn = nil
  }

  /// `?` placeholders as `$1, $2...`, outside quoted strings, quoted identifiers and comments
  /// (`-- ...` to the end of the line, `/* ... */`), as SQLite reads them.
  static func numbered(_ sql: String) -> String {
    var out = ""
    out.reserveCapacity(sql.utf8.count + 16)
    var n = 0
    var quote: Character? = nil
    var lineComment = false
    var blockComment = false
    var previous: Character? = nil
    for ch in sql {
      if lineComment {
        if ch == "\n" { lineComment = false }
        out.append(ch)
        previous = nil
        continue
      } else if blockComment {
        if previous == "*" && ch == "/" {
          blockComment = false
          previous = nil
        } else {
          previous = ch
        }
        out.append(ch)
        continue
      } else if let q = quote {
        if ch == q { quote = nil }
        out.append(ch)
      } else if ch == "'" || ch == "\"" {
        quote = ch
        out.append(ch)
      } else if ch == "-" && previous == "-" {
        lineComment = true
        out.append(ch)
        previous = nil
        continue
      } else if ch == "*" && previous == "/" {
        blockComment = true
        out.append(ch)
        previous = nil
        continue
      } else if ch == "?" {
        n += 1
        out += "$\(n)"
      } else {
        out.append(ch)
      }
      previous = quote == nil ? ch : nil
    }
    return out
  }

  private func check(_ result: OpaquePointer?, _ sql: String) throws(ArchiveError) -> OpaquePointer {
    guard let conn else { throw ArchiveError("\(display): the archive is closed") }
    guard let result else {
      throw ArchiveError("\(display): \(String(cString: PQerrorMessage(conn)))")
    }
    let status = PQresultStatus(result)
    guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
      let reason = String(cString: PQresultErrorMessage(result)).trimmingCharacters(
        in: .whitespacesAndNewlines)
      PQclear(result)
      let head = sql.split(separator: "\n").first.map(String.init) ?? sql
      throw ArchiveError("\(display): \(reason) (in: \(head.prefix(120)))")
    }
    return result
  }

  public func run(_ sql: String) throws(ArchiveError) {
    guard let conn else { throw ArchiveError("\(display): the archive is closed") }
    PQclear(try check(PQexec(conn, sql), sql))
  }

  @discardableResult
  public func query(_ sql: String, _ parameters: [SQLValue]) throws(ArchiveError) -> [[SQLValue]] {
    guard let conn else { throw ArchiveError("\(display): the archive is closed") }
    let text = Self.numbered(sql)
    // Parameters as C strings (NULL for SQL NULL), typed by the server from the statement.
    var owned: [UnsafeMutablePointer<CChar>?] = parameters.map { value in
      switch value {
      case .null: nil
      case .int(let v): strdup(String(v))
      case .double(let d):
        strdup(d.isFinite ? "\(d)" : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")))
      // PostgreSQL text cannot hold NUL: it is dropped here rather than failing the record.
      case .text(let s): strdup(s.replacingOccurrences(of: "\0", with: ""))
      }
    }
    defer { for p in owned { free(p) } }
    let result = try owned.withUnsafeMutableBufferPointer { buffer throws(ArchiveError) in
      try buffer.baseAddress!.withMemoryRebound(
        to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)
      ) {
        values throws(ArchiveError) in
        try check(
          PQexecParams(
            conn, text, Int32(parameters.count), nil, parameters.isEmpty ? nil : values, nil, nil, 0), sql)
      }
    }
    defer { PQclear(result) }
    let rowCount = PQntuples(result)
    let columnCount = PQnfields(result)
    var rows: [[SQLValue]] = []
    rows.reserveCapacity(Int(rowCount))
    let types = (0..<columnCount).map { PQftype(result, $0) }
    for r in 0..<rowCount {
      var row: [SQLValue] = []
      row.reserveCapacity(Int(columnCount))
      for c in 0..<columnCount {
        if PQgetisnull(result, r, c) == 1 {
          row.append(.null)
          continue
        }
        let count = Int(PQgetlength(result, r, c))
        let raw = PQgetvalue(result, r, c)!
        let value = raw.withMemoryRebound(to: UInt8.self, capacity: count) {
          String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
        switch types[Int(c)] {
        case 20, 21, 23: row.append(Int64(value).map { .int($0) } ?? .text(value))  // int8, int2, int4
        case 700, 701: row.append(Double(value).map { .double($0) } ?? .text(value))  // float4, float8
        // numeric: an integer when it is one (SUM of a BIGINT column is numeric on PostgreSQL,
        // an integer on SQLite), else a double.
        case 1700:
          row.append(Int64(value).map { .int($0) } ?? Double(value).map { .double($0) } ?? .text(value))
        case 16: row.append(.int(value == "t" ? 1 : 0))  // bool
        default: row.append(.text(value))
        }
      }
      rows.append(row)
    }
    return rows
  }
}
