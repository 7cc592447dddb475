extension KeyedDecodingContainer {
  /// The value for `key`, or `fallback` when the key is missing or `null`.
  func value<T: Decodable>(_ key: Key, or fallback: @autoclosure () -> T) throws -> T {
    try decodeIfPresent(T.self, forKey: key) ?? fallback()
  }

  /// The value for `key`; missing or `null` is `nil`.
  func optional<T: Decodable>(_ key: Key) throws -> T? {
    try decodeIfPresent(T.self, forKey: key)
  }
}

/// A dotted path such as `timeline[3].time` for messages.
func describePath(_ path: [any CodingKey]) -> String {
  var out = ""
  for key in path {
    if let i = key.intValue {
      out += "[\(i)]"
    } else {
      if !out.isEmpty { out += "." }
      out += key.stringValue
    }
  }
  return out
}

/// A decoding error as one line for a person: `timeline[3].time: expected a string, found integer`.
func describeDecodingError(_ error: DecodingError) -> String {
  switch error {
  case .keyNotFound(let key, let context):
    let path = describePath(context.codingPath)
    return "missing required field '\(path.isEmpty ? "" : path + ".")\(key.stringValue)'"
  case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
    let path = describePath(context.codingPath)
    return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
  @unknown default:
    return "\(error)"
  }
}
