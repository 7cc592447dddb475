/// An error raised by Lua code, or by the bridge on its way in or out.
///
/// The message reads as Lua wrote it (`plugins/x/init.lua:12: attempt to index a nil
/// value`); ``location`` holds the chunk and line parsed from it, ``traceback`` the stack.
public struct LuaError: Error, Sendable, CustomStringConvertible, Equatable {
  public enum Kind: Sendable, Equatable {
    /// The chunk did not compile.
    case syntax
    /// A runtime error in Lua code or a host function.
    case runtime
    /// A memory allocation failed (the memory limit, usually).
    case memory
    /// The error handler itself failed.
    case errorHandler
    /// A limit (time, memory, output) stopped the code; the message names it.
    case limit
    /// A value could not cross the boundary (cycle, unsupported type, bad chunk mode).
    case conversion
  }

  public var kind: Kind
  /// The full message, position prefix included.
  public var message: String
  public var traceback: String?

  public init(kind: Kind, message: String, traceback: String? = nil) {
    self.kind = kind
    self.message = message
    self.traceback = traceback
  }

  /// `chunk:line` parsed from the start of the message, when it has one.
  public var location: (chunk: String, line: Int)? {
    // Lua writes "chunkname:line: text"; chunk names may contain ':' only rarely.
    var rest = Substring(message)
    guard let colon = rest.firstIndex(of: ":") else { return nil }
    let chunk = rest[..<colon]
    rest = rest[rest.index(after: colon)...]
    let digits = rest.prefix(while: \.isNumber)
    guard !chunk.isEmpty, !digits.isEmpty, let line = Int(digits),
      rest.dropFirst(digits.count).hasPrefix(":")
    else { return nil }
    return (String(chunk), line)
  }

  /// The message without the `chunk:line: ` prefix.
  public var text: String {
    guard let loc = location else { return message }
    let prefix = "\(loc.chunk):\(loc.line): "
    return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
  }

  public var description: String { message }

  public static func == (a: LuaError, b: LuaError) -> Bool {
    a.kind == b.kind && a.message == b.message && a.traceback == b.traceback
  }
}

/// Thrown by host functions to raise a Lua error with a plain message. The trampoline
/// prefixes the caller's position, as `luaL_error` does.
public struct LuaRaise: Error, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
