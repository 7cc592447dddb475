import Foundation
import PostmortemCore

/// Which incidents a question is about: `--since`, `--until` (by when impact began, both
/// inclusive), `--service` and `--severity`.
public struct ArchiveFilter: Sendable, Equatable {
  public var since: Timestamp?
  public var until: Timestamp?
  public var service: String?
  /// As stored: ``Archive/severityKey(_:)``.
  public var severity: String?

  public init(
    since: Timestamp? = nil, until: Timestamp? = nil, service: String? = nil, severity: String? = nil
  ) {
    self.since = since
    self.until = until
    self.service = service
    self.severity = Archive.severityKey(severity)
  }

  /// Reads the command line's words: a date (`2025-01-01`; `--until` takes the whole day),
  /// an RFC 3339 time, or a span back from `now` (`90d`, `12w`, `6m` for months of 30 days,
  /// `1y`).
  public static func parse(
    since: String?, until: String?, service: String?, severity: String?, now: Timestamp
  ) throws(ArchiveError) -> ArchiveFilter {
    func time(_ text: String?, option: String, endOfDay: Bool) throws(ArchiveError) -> Timestamp? {
      guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
      if text.count == 10, let day = TimeParser.rfc3339(text + (endOfDay ? "T23:59:59.999Z" : "T00:00:00Z")) {
        return day
      }
      if let exact = TimeParser.rfc3339(text) { return exact }
      if let unit = text.last, let n = Int64(text.dropLast()), n >= 0, n < 100_000 {
        let days: Int64? =
          switch unit {
          case "d": n
          case "w": n * 7
          case "m": n * 30
          case "y": n * 365
          default: nil
          }
        if let days { return now.adding(milliseconds: -days * 86_400_000) }
      }
      throw ArchiveError(
        "\(option) \(text): give a date (2025-01-01), an RFC 3339 time or a span back from now (90d, 12w, 6m, 1y)"
      )
    }
    let filter = ArchiveFilter(
      since: try time(since, option: "--since", endOfDay: false),
      until: try time(until, option: "--until", endOfDay: true),
      service: service.flatMap { $0.isEmpty ? nil : $0 }, severity: severity)
    if let s = filter.since, let u = filter.until, u < s {
      throw ArchiveError("--until \(until ?? "") is before --since \(since ?? ""): nothing can match")
    }
    return filter
  }

  /// The conditions on incidents aliased `i`, to follow a WHERE (`1 = 1` when none).
  func sql() -> (text: String, parameters: [SQLValue]) {
    var parts = ["1 = 1"]
    var parameters: [SQLValue] = []
    if let since {
      parts.append("i.started_ms >= ?")
      parameters.append(.int(since.milliseconds))
    }
    if let until {
      parts.append("i.started_ms <= ?")
      parameters.append(.int(until.milliseconds))
    }
    if let severity {
      parts.append("i.severity = ?")
      parameters.append(.text(severity))
    }
    if let service {
      // Through the service index, then the incidents by id.
      parts.append("i.id IN (SELECT fs.incident_id FROM incident_services fs WHERE fs.service = ?)")
      parameters.append(.text(service))
    }
    return (parts.joined(separator: " AND "), parameters)
  }

  /// For headings: `since 2025-01-01 · service checkout-api`, or `all incidents`.
  public var description: String {
    var parts: [String] = []
    if let since { parts.append("since \(since.formatted(.rfc3339))") }
    if let until { parts.append("until \(until.formatted(.rfc3339))") }
    if let service { parts.append("service \(service)") }
    if let severity { parts.append("severity \(severity)") }
    return parts.isEmpty ? "all incidents" : parts.joined(separator: " · ")
  }

  /// As JSON, for the `filter` member of every `--json` answer.
  public var json: JSONValue {
    .object([
      "since": since.map { .string($0.formatted(.rfc3339)) } ?? .null,
      "until": until.map { .string($0.formatted(.rfc3339)) } ?? .null,
      "service": service.map { .string($0) } ?? .null,
      "severity": severity.map { .string($0) } ?? .null,
    ])
  }
}
