import Foundation

/// A duration as people write it in a post-mortem: `5 minutes`, `4 hours 42 minutes`,
/// `1h 35min`, `90 min`, `2 days`, `about 20 minutes`, `00:45` (h:mm) — in whole seconds;
/// nil for `?`, `N/A`, a range (`5-10 minutes`) or anything else that does not state one.
///
/// ```swift
/// parseDuration("1h 35min")  // 5700
/// parseDuration("?")         // nil
/// ```
public func parseDuration(_ text: String) -> Int64? {
  var rest = text.lowercased().trimmingCharacters(in: .whitespaces)
  for hedge in ["about ", "approximately ", "approx. ", "approx ", "around ", "roughly ", "~", "≈", "circa "]
  {
    if rest.hasPrefix(hedge) { rest = String(rest.dropFirst(hedge.count)) }
  }
  rest = rest.trimmingCharacters(in: .whitespaces)
  // h:mm or h:mm:ss
  let clock = rest.split(separator: ":", omittingEmptySubsequences: false)
  if clock.count == 2 || clock.count == 3, clock.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
    clock.dropFirst().allSatisfy({ $0.count == 2 })
  {
    let parts = clock.map { Int64($0)! }
    return clock.count == 2 ? parts[0] * 3600 + parts[1] * 60 : parts[0] * 3600 + parts[1] * 60 + parts[2]
  }
  let units: [(names: [String], seconds: Int64)] = [
    (["seconds", "second", "secs", "sec", "s"], 1),
    (["minutes", "minute", "mins", "min", "m"], 60),
    (["hours", "hour", "hrs", "hr", "h"], 3600),
    (["days", "day", "d"], 86_400),
    (["weeks", "week", "wk", "w"], 604_800),
  ]
  var total: Int64 = 0
  var found = false
  var scalars = Array(rest.unicodeScalars)
  // Trailing words after the last unit ("(estimated)") end the parse; anything else unread fails it.
  var i = 0
  func skipSpaces() { while i < scalars.count, " ,\t".unicodeScalars.contains(scalars[i]) { i += 1 } }
  while true {
    skipSpaces()
    if i >= scalars.count { break }
    if found, String(String.UnicodeScalarView(scalars[i...])).hasPrefix("and ") {
      i += 4
      continue
    }
    var digits = ""
    while i < scalars.count, ("0"..."9").contains(scalars[i]) || (scalars[i] == "." && !digits.isEmpty) {
      digits.unicodeScalars.append(scalars[i])
      i += 1
    }
    guard let number = Double(digits) else {
      if found, scalars[i] == "(" { break }
      return nil
    }
    skipSpaces()
    var word = ""
    while i < scalars.count, scalars[i].properties.isAlphabetic {
      word.unicodeScalars.append(scalars[i])
      i += 1
    }
    guard let unit = units.first(where: { $0.names.contains(word) }) else { return nil }
    total += Int64((number * Double(unit.seconds)).rounded())
    found = true
    // A range ("5m-10m") states no one duration.
    if i < scalars.count, scalars[i] == "-" { return nil }
  }
  scalars = []
  return found ? total : nil
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
