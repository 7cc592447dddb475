/// Why an incident description could not be loaded: the file, the line where known, the
/// field, and what was wrong.
///
/// ```
/// incident.yaml:4: started_at: "2025-02-30T10:00Z" is not an RFC 3339 time (day 30 out of range for February 2025)
/// incident.yaml: missing required field 'title'
/// incident.yaml: cannot read file (No such file or directory)
/// ```
public struct IncidentError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file (display path) or other origin, such as `pipeline.lua (incident)`.
  public var origin: String
  /// 1-based line, for YAML input.
  public var line: Int?
  /// The field involved, when one is.
  public var field: String?
  /// What was wrong and what to do.
  public var message: String

  /// An error.
  public init(origin: String, line: Int? = nil, field: String? = nil, message: String) {
    self.origin = origin
    self.line = line
    self.field = field
    self.message = message
  }

  /// `origin[:line]: [field: ]message`
  public var description: String {
    let place = line.map { "\(origin):\($0)" } ?? origin
    return field.map { "\(place): \($0): \(message)" } ?? "\(place): \(message)"
  }
}
