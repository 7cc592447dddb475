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

  /// An error at `line`:`column`.
  public init(line: Int, column: Int, message: String) {
    self.line = line
    self.column = column
    self.message = message
  }

  /// `line 3, column 7: expected ',' or '}'`
  public var description: String { "line \(line), column \(column): \(message)" }
}
