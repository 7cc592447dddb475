/// Credentials written into URLs, hidden wherever a URL leaves pmhost for output: stderr,
/// report.json (gaps, warnings, evidence), the evidence manifest, HTTP messages.
///
/// ```swift
/// Redaction.text("GET http://bob:hunter2@api.local/v1?access_token=abc&page=2: timed out")
/// // "GET http://bob:***@api.local/v1?access_token=***&page=2: timed out"
/// ```
///
/// What is hidden, in every `scheme://` URL found in the text:
/// - the password of the userinfo (`user:***@host`); a userinfo with no password is hidden
///   whole (`***@host`), since a lone name there is usually a token (`https://TOKEN@host`);
/// - the value of a query or fragment parameter whose name says it is a secret: names
///   containing `token`, `secret`, `passw`, `apikey`, `api_key`, `api-key`, `signature`,
///   `credential`, `session` or `jwt`, and the names `key`, `sig`, `pass`, `pwd` and `auth`
///   (any case);
/// - the same in a URL written inside another one's path or query (`?next=http://u:p@h/`).
/// Headers are never printed or stored, so a token sent in a header needs nothing here.
/// The request itself still uses the URL as written.
public enum Redaction {
  /// What replaces a hidden value.
  public static let mask = "***"

  /// `text` with the credentials of every URL in it masked; the same text when it has none.
  public static func text(_ text: String) -> String { self.text(text, depth: 0) }

  /// `text(_:)` inside `depth` other URLs: two levels are looked into, no more, so that a
  /// line of `http://a/http://a/...` costs no deep recursion.
  private static func text(_ text: String, depth: Int) -> String {
    let bytes = Array(text.utf8)
    guard let first = separator(in: bytes, from: 0) else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var copied = 0
    var next: Int? = first
    while let at = next {
      // Copy through `://`, then the authority and the query are rewritten.
      let start = at + 3
      out.append(contentsOf: bytes[copied..<start])
      var i = start
      while i < bytes.count, !ends(bytes[i]), !"/?#".utf8.contains(bytes[i]) { i += 1 }
      let authority = bytes[start..<i]
      if let lastAt = authority.lastIndex(of: UInt8(ascii: "@")) {
        let userinfo = bytes[start..<lastAt]
        if let colon = userinfo.firstIndex(of: UInt8(ascii: ":")) {
          out.append(contentsOf: bytes[start...colon])
        }
        out.append(contentsOf: mask.utf8)
        out.append(contentsOf: bytes[lastAt..<i])
      } else {
        out.append(contentsOf: authority)
      }
      // The path as it is (a URL nested in it masked too); in the query and the fragment
      // (`#access_token=...`), secret values masked.
      var k = i
      while k < bytes.count, !ends(bytes[k]), bytes[k] != UInt8(ascii: "?"), bytes[k] != UInt8(ascii: "#") {
        k += 1
      }
      out.append(contentsOf: nested(bytes[i..<k], depth: depth))
      i = k
      for mark in ["?", "#"].map({ UInt8(ascii: $0) }) where i < bytes.count && bytes[i] == mark {
        out.append(bytes[i])
        i += 1
        while i < bytes.count, !ends(bytes[i]), mark == UInt8(ascii: "#") || bytes[i] != UInt8(ascii: "#") {
          var k = i
          while k < bytes.count, !ends(bytes[k]), !"&;#".utf8.contains(bytes[k]) { k += 1 }
          let pair = bytes[i..<k]
          if let equals = pair.firstIndex(of: UInt8(ascii: "=")),
            isSecretName(String(decoding: bytes[i..<equals], as: UTF8.self))
          {
            out.append(contentsOf: bytes[i...equals])
            out.append(contentsOf: mask.utf8)
          } else {
            out.append(contentsOf: nested(pair, depth: depth))
          }
          i = k
          if i < bytes.count,
            bytes[i] == UInt8(ascii: "&") || bytes[i] == UInt8(ascii: ";")
              || (mark == UInt8(ascii: "#") && bytes[i] == UInt8(ascii: "#"))
          {
            out.append(bytes[i])
            i += 1
          }
        }
      }
      copied = i
      next = separator(in: bytes, from: i)
    }
    out.append(contentsOf: bytes[copied...])
    return String(decoding: out, as: UTF8.self)
  }

  /// A part of a URL with the credentials of a URL written inside it (`?next=http://u:p@h/`)
  /// masked too.
  private static func nested(_ part: ArraySlice<UInt8>, depth: Int) -> [UInt8] {
    guard depth < 2, separator(in: Array(part), from: 0) != nil else { return Array(part) }
    return Array(text(String(decoding: part, as: UTF8.self), depth: depth + 1).utf8)
  }

  /// Whether a query parameter's name says its value is a secret.
  public static func isSecretName(_ name: String) -> Bool {
    let lower = (name.removingPercentEncodingASCII ?? name).lowercased()
    if ["key", "sig", "pass", "pwd", "auth"].contains(lower) { return true }
    return [
      "token", "secret", "passw", "apikey", "api_key", "api-key", "signature", "credential", "session", "jwt",
    ]
    .contains { lower.contains($0) }
  }

  /// The next `://` at or after `from`.
  private static func separator(in bytes: [UInt8], from: Int) -> Int? {
    var i = from
    while i + 2 < bytes.count {
      if bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: "/"), bytes[i + 2] == UInt8(ascii: "/") {
        return i
      }
      i += 1
    }
    return nil
  }

  /// Bytes that end a URL in running text: white space, controls, quotes and brackets
  /// that cannot appear in one unescaped.
  private static func ends(_ byte: UInt8) -> Bool {
    byte <= 0x20 || byte == 0x7F || "\"<>\\^`{|}".utf8.contains(byte)
  }
}

extension String {
  /// `%41` → `A` for ASCII escapes only; nil when nothing was escaped.
  fileprivate var removingPercentEncodingASCII: String? {
    guard contains("%") else { return nil }
    var out: [UInt8] = []
    var bytes = Array(utf8)[...]
    while let byte = bytes.popFirst() {
      if byte == UInt8(ascii: "%"), bytes.count >= 2,
        let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16), value < 0x80
      {
        out.append(value)
        bytes = bytes.dropFirst(2)
      } else {
        out.append(byte)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }
}
