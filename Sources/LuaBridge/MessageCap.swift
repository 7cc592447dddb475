/// The one cap on messages that come from plugins: Lua errors, warnings, gap reasons and
/// log lines. A longer message keeps its first bytes (cut at a character boundary) and says
/// how much was left out, so a plugin raising `error(string.rep("x", 100 * 1024 * 1024))`
/// costs 4 KiB in the report, on stderr and in memory, not 100 MB each.
///
/// ```swift
/// MessageCap.capped(String(repeating: "x", count: 10_000))
/// // "xxx…x… (5939 bytes more)", 4096 bytes in all
/// ```
public enum MessageCap {
  /// The most bytes a capped message has, its "… (N bytes more)" included.
  public static let bytes = 4096
  /// Room kept for the suffix.
  static let suffixRoom = 40

  /// `text`, or its first bytes and "… (N bytes more)".
  public static func capped(_ text: String) -> String {
    let count = text.utf8.count
    guard count > bytes else { return text }
    var copy = text
    return copy.withUTF8 { capped(UnsafeRawBufferPointer($0)) }
  }

  /// The text of `buffer` (UTF-8; invalid bytes replaced), capped; only the kept bytes are
  /// copied.
  public static func capped(_ buffer: UnsafeRawBufferPointer) -> String {
    guard buffer.count > bytes else { return String(decoding: buffer, as: UTF8.self) }
    var keep = bytes - suffixRoom
    // Back to the start of a character: never leave half of one.
    while keep > 0, buffer[keep] & 0xC0 == 0x80 { keep -= 1 }
    let head = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<keep]), as: UTF8.self)
    return head + "… (\(buffer.count - keep) bytes more)"
  }
}
