import LuaBridge

/// Per plugin run limits (`limits = { time_s, memory_mb, output_mb }`).
public struct Limits: Sendable, Equatable {
  public var timeSeconds: Double = 60
  public var memoryMB: Double = 256
  public var outputMB: Double = 64

  public init() {}

  /// These limits with the fields of a `limits` table applied; `origin` names it in errors.
  public func merging(_ value: LuaValue, origin: String) throws(HostError) -> Limits {
    guard case .table(let table) = value else {
      throw .configuration("\(origin): limits must be a table such as { time_s = 60 }")
    }
    var result = self
    for (key, value) in table.stringFields {
      guard let number = value.doubleValue, number > 0 else {
        throw .configuration("\(origin): limits.\(key) must be a positive number")
      }
      switch key {
      case "time_s": result.timeSeconds = number
      case "memory_mb": result.memoryMB = number
      case "output_mb": result.outputMB = number
      default:
        throw .configuration(
          "\(origin): unknown limit '\(key)' (known: time_s, memory_mb, output_mb)")
      }
    }
    return result
  }

  var memoryBytes: Int { Int(memoryMB * 1_048_576) }
  var outputBytes: Int { Int(outputMB * 1_048_576) }

  static func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}
