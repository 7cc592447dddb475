/// One check of the validation checklist.
///
/// ```swift
/// ValidationResult(check: "action items have owners", ok: true, detail: "4 of 4")
/// ValidationResult(check: "distributed within 48h", ok: nil, detail: "not distributed yet")  // pending
/// ```
public struct ValidationResult: Codable, Sendable, Equatable {
  /// What was checked.
  public var check: String
  /// `true` passed, `false` failed, `nil` pending (cannot be known yet; does not fail the run).
  public var ok: Bool?
  /// Details for the reader.
  public var detail: String

  /// A result.
  public init(check: String, ok: Bool?, detail: String = "") {
    self.check = check
    self.ok = ok
    self.detail = detail
  }

  enum CodingKeys: String, CodingKey { case check, ok, detail }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    check = try c.decode(String.self, forKey: .check)
    ok = try c.optional(.ok)
    detail = try c.value(.detail, or: "")
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(check, forKey: .check)
    try c.encode(ok, forKey: .ok)
    try c.encode(detail, forKey: .detail)
  }
}
