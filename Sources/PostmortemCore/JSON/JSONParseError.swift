/// Why JSON text could not be parsed, with the 1-based line and column.
///
/// ```swift
/// try JSONValue.parse("{\"a\": }")  // line 1, column 7: expected a value
/// ```
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// 1-based line of the offending character.
  public var line: Int
  /// 1-based column (in bytes) of the offending character.
  public var column: Int
  /// What was wrong.
  public var message: String
  /// Whether the text stopped because its value would take more than `maxBytes` (see
  /// ``JSONValue/parse(_:maxBytes:)-(Data,_)``), not because it is invalid.
  public var tooBig: Bool

  /// An error at `line`:`column`.
  public init(line: Int, column: Int, message: String, tooBig: Bool = false) {
    self.line = line
    self.column = column
    self.message = message
    self.tooBig = tooBig
  }

  /// `line 3, column 7: expected ',' or '}'`
  public var description: String { "line \(line), column \(column): \(message)" }
}
