/// One check of the validation checklist.
///
/// ```swift
/// ValidationResult(check: "action items have owners", ok: true, detail: "4 of 4")
/// ValidationResult(check: "distributed within 48h", ok: nil, detail: "not distributed yet")  // pending
/// ValidationResult(check: "timeline_complete", ok: false, detail: "2 of 14 rows have no exact time",
///                  findings: [.init(line: 31, text: "later that afternoon: rollback")])
/// ```
public struct ValidationResult: Codable, Sendable, Equatable {
  /// What was checked.
  public var check: String
  /// `true` passed, `false` failed, `nil` pending (cannot be known yet; does not fail the run).
  public var ok: Bool?
  /// Details for the reader.
  public var detail: String
  /// Everything the check found, complete (never truncated): one per row, sentence or item.
  public var findings: [ValidationFinding]
  /// What the check recognised, for `pmhost validate --explain` and `--json`: `rows` and
  /// `zone` (timeline_complete), `items` (action_items_complete). Written beside the fields
  /// above; names in ``extraKeys`` only.
  public var extra: [String: JSONValue]

  /// The names an extra may have.
  public static let extraKeys: Set<String> = ["rows", "zone", "items"]

  /// A result.
  public init(
    check: String, ok: Bool?, detail: String = "", findings: [ValidationFinding] = [],
    extra: [String: JSONValue] = [:]
  ) {
    self.check = check
    self.ok = ok
    self.detail = detail
    self.findings = findings
    self.extra = extra
  }

  /// A result with what the check found as a plugin gave it (`{ findings = {...}, rows =,
  /// zone =, items = }` as JSON): findings each have a text and, when given, a positive
  /// line; other names are ``extraKeys`` only. Errors name the field.
  public init(check: String, ok: Bool?, detail: String = "", found: JSONValue) throws(ReportError) {
    var findings: [ValidationFinding] = []
    var extra: [String: JSONValue] = [:]
    let fields: [String: JSONValue]
    switch found {
    case .null: fields = [:]
    case .array(let items) where items.isEmpty: fields = [:]
    case .object(let o): fields = o
    default: throw ReportError("must be a table with named fields")
    }
    for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
      if key == "findings" {
        guard case .array(let list) = value else {
          if case .object(let o) = value, o.isEmpty { continue }
          throw ReportError("findings must be a list of { line = n, text = \"...\" }")
        }
        for (i, f) in list.enumerated() {
          guard let text = f["text"]?.stringValue else { throw ReportError("findings[\(i + 1)] has no text") }
          let line: Int?
          switch f["line"] {
          case nil, .some(.null): line = nil
          case .some(let l):
            guard let n = l.intValue, n > 0, n < Int64(Int32.max) else {
              throw ReportError("findings[\(i + 1)].line must be a positive integer")
            }
            line = Int(n)
          }
          findings.append(ValidationFinding(line: line, text: text))
        }
      } else if Self.extraKeys.contains(key) {
        extra[key] = value
      } else {
        throw ReportError(
          "unknown field '\(key)' (known: findings, \(Self.extraKeys.sorted().joined(separator: ", ")))")
      }
    }
    self.init(check: check, ok: ok, detail: detail, findings: findings, extra: extra)
  }

  struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    check = try c.decode(String.self, forKey: Key("check"))
    ok = try c.optional(Key("ok"))
    detail = try c.value(Key("detail"), or: "")
    findings = try c.value(Key("findings"), or: [])
    extra = [:]
    for name in Self.extraKeys.sorted() where c.contains(Key(name)) {
      extra[name] = try c.decode(JSONValue.self, forKey: Key(name))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Key.self)
    try c.encode(check, forKey: Key("check"))
    try c.encode(ok, forKey: Key("ok"))
    try c.encode(detail, forKey: Key("detail"))
    try c.encode(findings, forKey: Key("findings"))
    for name in extra.keys.sorted() { try c.encode(extra[name], forKey: Key(name)) }
  }
}

/// One thing a check found: a row without an exact time, a blaming sentence, a vague action
/// item. `line` is the source line of a Markdown document, nil in a report pmhost wrote.
public struct ValidationFinding: Codable, Sendable, Equatable {
  public var line: Int?
  public var text: String

  public init(line: Int?, text: String) {
    self.line = line
    self.text = text
  }

  enum CodingKeys: String, CodingKey { case line, text }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    line = try c.optional(.line)
    text = try c.decode(String.self, forKey: .text)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(line, forKey: .line)
    try c.encode(text, forKey: .text)
  }
}
