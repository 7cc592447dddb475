import Foundation
import PostmortemCore

/// `--answers FILE`: a YAML map of prompt id to answer.
public enum AnswersFile {
  public static func load(path: String) throws -> [String: String] {
    let data: [UInt8]
    do {
      data = try InputFile.utf8(InputFile.contents(path, shown: path, maxBytes: 16 << 20), shown: path)
    } catch {
      throw HostError.configuration("--answers \(path): \(error)")
    }
    return try decode(String(decoding: data, as: UTF8.self), path: path)
  }

  /// The answers in `text`, the contents of `path` (read with the limits of ``YAMLLimits``).
  public static func decode(_ text: String, path: String) throws -> [String: String] {
    let value: JSONValue
    do { value = try JSONValue.parseYAML(text) } catch {
      throw HostError.configuration("--answers \(path): \(error)")
    }
    guard case .object(let object) = value else {
      throw HostError.configuration("--answers \(path): expected a map of prompt id to answer")
    }
    var answers: [String: String] = [:]
    for (key, answer) in object {
      switch answer {
      case .string(let s): answers[key] = s
      case .int(let i): answers[key] = String(i)
      case .double(let d): answers[key] = String(d)
      case .bool(let b): answers[key] = String(b)
      default: throw HostError.configuration("--answers \(path): '\(key)' must be a plain answer")
      }
    }
    return answers
  }
}
