import Foundation

/// Reads the incident description: `incident.yaml`, or an inline table in a pipeline.
///
/// Required fields: `id`, `title`, `started_at`, `ended_at` (RFC 3339, any offset, quoted
/// or not); `ended_at` must not be before `started_at`. Optional: `services`, `authors`,
/// `what_went_well`, `lessons_learned` (lists of strings, or one string), `severity`,
/// `summary`, `root_cause`, `reviewed` (a date), `distributed_at` (a time), `people`
/// (handle to a list of aliases), `impact` (a map; numbers keep int or float). Other keys
/// are ignored.
///
/// ```swift
/// let incident = try IncidentLoader.load(path: "incident.yaml")
/// ```
public enum IncidentLoader {
  /// The largest incident file read, in bytes (64 MiB): the one home of this limit, which
  /// the run's evidence record of the file uses too.
  public static let maxFileBytes = 64 << 20

  /// Loads and checks an incident.yaml; `path` is also the name errors show.
  public static func load(path: String) throws(IncidentError) -> Incident {
    let text = try readFile(path)
    return try decodeYAML(text, origin: path)
  }

  /// Decodes incident YAML text; errors name `origin` and the line.
  public static func decodeYAML(_ text: String, origin: String) throws(IncidentError) -> Incident {
    let document: YAMLDocument?
    do {
      document = try YAMLReader.read(text)
    } catch {
      throw IncidentError(origin: origin, line: error.line, message: error.message)
    }
    guard let document, case .object(let members) = document.value else {
      throw IncidentError(
        origin: origin, line: document?.line,
        message: "expected a mapping of fields (id, title, started_at, ended_at, ...)")
    }
    var fields: [String: Field] = [:]
    for (name, value) in members {
      fields[name] = Field(value: value, line: document.memberLines[name])
    }
    return try build(fields, origin: origin)
  }

  /// Decodes an incident given as a value (an inline table in a pipeline); errors name
  /// `origin`. Times may be RFC 3339 strings or Unix seconds.
  public static func decode(_ value: JSONValue, origin: String) throws(IncidentError) -> Incident {
    guard case .object(let members) = value else {
      throw IncidentError(
        origin: origin,
        message:
          "expected a table of fields (id, title, started_at, ended_at, ...), found \(value.kindName)"
      )
    }
    return try build(members.mapValues { Field(value: $0, line: nil) }, origin: origin)
  }

  // MARK: Reading

  static func readFile(_ path: String) throws(IncidentError) -> String {
    // A FIFO or device is refused before it is opened; OS errors are named as they are.
    let data: [UInt8]
    do {
      data = try InputFile.utf8(
        InputFile.contents(path, shown: path, maxBytes: maxFileBytes), shown: path)
    } catch {
      throw IncidentError(origin: path, message: "cannot read file (\(error.reason))")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw IncidentError(origin: path, message: "cannot read file (not UTF-8 text)")
    }
    return text
  }

  /// A field's value and the line it is on (YAML only).
  struct Field {
    var value: JSONValue
    var line: Int?
  }

  /// Reads typed fields and reports errors with the origin and line.
  struct FieldReader {
    let fields: [String: Field]
    let origin: String

    func error(_ name: String, _ message: String) -> IncidentError {
      let top = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
      return IncidentError(origin: origin, line: fields[top]?.line, field: name, message: message)
    }

    /// The value, with `null` treated as absent.
    func present(_ name: String) -> Field? {
      guard let f = fields[name], f.value != .null else { return nil }
      return f
    }

    func required(_ name: String) throws(IncidentError) -> Field {
      guard let f = present(name) else {
        throw IncidentError(
          origin: origin, line: nil, field: nil, message: "missing required field '\(name)'")
      }
      return f
    }

    /// Scalars read as text: strings as is, numbers and booleans as written in JSON.
    func text(_ value: JSONValue, _ name: String, what: String = "a string") throws(IncidentError)
      -> String
    {
      switch value {
      case .string(let s): return s
      case .int, .double, .bool: return value.jsonText()
      default: throw error(name, "expected \(what), found \(value.kindName)")
      }
    }

    func requiredString(_ name: String) throws(IncidentError) -> String {
      let s = try text(try required(name).value, name)
      guard !s.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw error(name, "must not be empty")
      }
      return s
    }

    func string(_ name: String) throws(IncidentError) -> String? {
      guard let f = present(name) else { return nil }
      return try text(f.value, name)
    }

    func strings(_ name: String) throws(IncidentError) -> [String] {
      guard let f = present(name) else { return [] }
      return try list(f.value, name)
    }

    func list(_ value: JSONValue, _ name: String) throws(IncidentError) -> [String] {
      switch value {
      case .array(let items):
        var out: [String] = []
        for item in items { out.append(try text(item, name, what: "a list of strings")) }
        return out
      case .string, .int, .double, .bool:
        return [try text(value, name)]
      default:
        throw error(name, "expected a list of strings, found \(value.kindName)")
      }
    }

    func time(_ value: JSONValue, _ name: String) throws(IncidentError) -> Timestamp {
      switch value {
      case .string(let s):
        do {
          return try TimeParser.parseRFC3339(s)
        } catch {
          throw self.error(name, "\"\(s)\" is not an RFC 3339 time (\(error.reason))")
        }
      case .int, .double:
        if let t = Timestamp(checkedSeconds: value.doubleValue ?? .nan) { return t }
        throw error(
          name, "\(value.jsonText()) is not a time in Unix seconds in the years 0001 to 9999")
      default:
        throw error(
          name, "expected an RFC 3339 time such as 2025-02-09T10:05:00Z, found \(value.kindName)")
      }
    }

    func requiredTime(_ name: String) throws(IncidentError) -> Timestamp {
      try time(try required(name).value, name)
    }

    func optionalTime(_ name: String) throws(IncidentError) -> Timestamp? {
      guard let f = present(name) else { return nil }
      return try time(f.value, name)
    }

    /// A date (`YYYY-MM-DD`) or a full RFC 3339 time, kept as written.
    func date(_ name: String) throws(IncidentError) -> String? {
      guard let s = try string(name) else { return nil }
      if TimeParser.rfc3339(s + "T00:00:00Z") != nil || TimeParser.rfc3339(s) != nil { return s }
      let reason: String
      do {
        _ = try TimeParser.parseRFC3339(s.count == 10 ? s + "T00:00:00Z" : s)
        reason = "invalid"
      } catch {
        reason = error.reason
      }
      throw error(name, "\"\(s)\" is not a date such as 2025-02-16 (\(reason))")
    }

    func people(_ name: String) throws(IncidentError) -> [String: [String]] {
      guard let f = present(name), f.value != .array([]) else { return [:] }
      guard case .object(let members) = f.value else {
        throw error(
          name, "expected a map of handle to a list of aliases, found \(f.value.kindName)")
      }
      var out: [String: [String]] = [:]
      for (handle, aliases) in members {
        out[handle] = aliases == .null ? [] : try list(aliases, "\(name).\(handle)")
      }
      return out
    }

    func impact(_ name: String) throws(IncidentError) -> [String: JSONValue] {
      // An empty Lua table arrives as [] (it could be either): read it as an empty map.
      guard let f = present(name), f.value != .array([]) else { return [:] }
      guard case .object(let members) = f.value else {
        throw error(
          name, "expected a map such as { failed_requests: 40000 }, found \(f.value.kindName)")
      }
      return members
    }
  }

  static func build(_ fields: [String: Field], origin: String) throws(IncidentError) -> Incident {
    let r = FieldReader(fields: fields, origin: origin)
    // Required fields first, in the order a reader scans the file.
    let id = try r.requiredString("id")
    let title = try r.requiredString("title")
    let started = try r.requiredTime("started_at")
    let ended = try r.requiredTime("ended_at")
    guard ended >= started else {
      throw r.error(
        "ended_at", "\(ended) is before started_at (\(started)); swap them or fix the date")
    }
    return Incident(
      id: id, title: title, startedAt: started, endedAt: ended,
      services: try r.strings("services"), authors: try r.strings("authors"),
      severity: try r.string("severity"), impact: try r.impact("impact"),
      summary: try r.string("summary"), rootCause: try r.string("root_cause"),
      reviewed: try r.date("reviewed"), distributedAt: try r.optionalTime("distributed_at"),
      people: try r.people("people"), whatWentWell: try r.strings("what_went_well"),
      lessonsLearned: try r.strings("lessons_learned"))
  }
}
