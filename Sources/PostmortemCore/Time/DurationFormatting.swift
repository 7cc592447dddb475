/// A duration as people write it in a post-mortem: the largest unit and, when not zero, the
/// next one. Truncates; negative durations get a leading `-`.
///
/// ```swift
/// formatDuration(seconds: 5700)    // "1h 35min"
/// formatDuration(seconds: 3600)    // "1h"
/// formatDuration(seconds: 750)     // "12min 30s"
/// formatDuration(seconds: 45)      // "45s"
/// formatDuration(seconds: 183600)  // "2d 3h"
/// formatDuration(seconds: 0)       // "0s"
/// ```
public func formatDuration(seconds: Int64) -> String {
  let sign = seconds < 0 ? "-" : ""
  let total = seconds.magnitude
  if total == 0 { return "0s" }
  let days = total / 86_400
  let hours = total / 3600 % 24
  let minutes = total / 60 % 60
  let secs = total % 60
  let pair: String
  if days > 0 {
    pair = hours > 0 ? "\(days)d \(hours)h" : "\(days)d"
  } else if hours > 0 {
    pair = minutes > 0 ? "\(hours)h \(minutes)min" : "\(hours)h"
  } else if minutes > 0 {
    pair = secs > 0 ? "\(minutes)min \(secs)s" : "\(minutes)min"
  } else {
    pair = "\(secs)s"
  }
  return sign + pair
}
