import Foundation

/// Where the archive lives: a SQLite file (the default, one per user) or a PostgreSQL server
/// (a team's). Chosen by `--archive URL`, then `PMHOST_ARCHIVE`, then the pipeline's
/// `archive = ...`, then `$XDG_DATA_HOME/pmhost/archive.sqlite`.
public enum ArchiveLocation: Sendable, Equatable {
  case sqlite(path: String)
  case postgres(url: String)

  /// The environment variable that names the archive for every command.
  public static let environmentVariable = "PMHOST_ARCHIVE"

  /// Reads a location: `postgres://...` or `postgresql://...`, `sqlite:PATH`, or a path. A
  /// relative path is taken from `base` (the pipeline's folder for `archive = ...`).
  public static func parse(_ text: String, base: String? = nil) throws(ArchiveError) -> ArchiveLocation {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty else {
      throw ArchiveError("the archive location is empty: give a path, sqlite:PATH or postgres://...")
    }
    let lower = trimmed.lowercased()
    if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
      return .postgres(url: trimmed)
    }
    var path = trimmed
    if lower.hasPrefix("sqlite:") {
      path = String(trimmed.dropFirst("sqlite:".count))
      if path.hasPrefix("//") { path = String(path.dropFirst(2)) }  // sqlite:///abs/path
    } else if let colon = trimmed.firstIndex(of: ":"), trimmed[..<colon].allSatisfy({ $0.isLetter }),
      trimmed[trimmed.index(after: colon)...].hasPrefix("//")
    {
      throw ArchiveError(
        "\(redacted(trimmed)): not an archive location pmhost knows (give a path, sqlite:PATH or postgres://...)"
      )
    }
    guard !path.isEmpty else { throw ArchiveError("sqlite: needs a path (sqlite:PATH)") }
    if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
      path = home + path.dropFirst(1)
    }
    return .sqlite(path: absolute(path, base: base))
  }

  /// `path` made absolute: taken from `base` (default: the current folder) when relative,
  /// with `.` and `..` resolved.
  public static func absolute(_ path: String, base: String? = nil) -> String {
    guard !path.hasPrefix("/") else { return path }
    let from = base ?? FileManager.default.currentDirectoryPath
    return ((from as NSString).appendingPathComponent(path) as NSString).standardizingPath
  }

  /// `$XDG_DATA_HOME/pmhost/archive.sqlite`, else `$HOME/.local/share/pmhost/archive.sqlite`
  /// (the XDG base directory default).
  public static func defaultPath(environment: [String: String]) -> String {
    if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
      return data + "/pmhost/archive.sqlite"
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return home + "/.local/share/pmhost/archive.sqlite"
  }

  /// The archive a command uses, and where that choice came from (for messages).
  public static func resolve(
    flag: String?, environment: [String: String], pipeline: String? = nil, pipelineFolder: String? = nil
  ) throws(ArchiveError) -> (location: ArchiveLocation, origin: String) {
    if let flag { return (try parse(flag), "--archive") }
    if let env = environment[environmentVariable], !env.isEmpty {
      return (try parse(env), environmentVariable)
    }
    if let pipeline { return (try parse(pipeline, base: pipelineFolder), "the pipeline's archive") }
    return (.sqlite(path: defaultPath(environment: environment)), "the default archive")
  }

  /// For messages: a PostgreSQL URL without its password.
  public var display: String {
    switch self {
    case .sqlite(let path): path
    case .postgres(let url): Self.redacted(url)
    }
  }

  /// `postgres://user:secret@host/db` as `postgres://user:***@host/db`; `password=` in the
  /// query string likewise.
  public static func redacted(_ url: String) -> String {
    var text = url
    if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") {
      let userinfo = text[scheme.upperBound..<at]
      if let colon = userinfo.firstIndex(of: ":") {
        text.replaceSubrange(text.index(after: colon)..<at, with: "***")
      }
    }
    if let range = text.range(of: "password=", options: .caseInsensitive) {
      let end = text[range.upperBound...].firstIndex(of: "&") ?? text.endIndex
      text.replaceSubrange(range.upperBound..<end, with: "***")
    }
    return text
  }

  /// A connection to the archive (created, with its folder, when it is a new SQLite file).
  public func connect() throws(ArchiveError) -> any SQLConnection {
    switch self {
    case .sqlite(let path): try SQLiteConnection(path: path)
    case .postgres(let url): try PostgresConnection(url: url)
    }
  }
}
