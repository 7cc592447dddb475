/// How the archive compares text: the words of a factor or an incident, lower-cased, without
/// the words every sentence has, with plural and tense endings and common abbreviations
/// folded, so "DB conn pool too small" and "database connection pools exhausted" share
/// `database`, `connection` and `pool`. One home for the rule: factor clusters, recurrence and
/// the similar-incident ranking all use it.
public enum ArchiveText {
  /// Words that say nothing about what went wrong.
  static let stopwords: Set<String> = [
    "a", "about", "after", "again", "all", "also", "an", "and", "any", "are", "as", "at", "be", "because",
    "been", "before", "being", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing",
    "due", "during", "each", "either", "enough", "etc", "every", "few", "for", "from", "further", "had",
    "has",
    "have", "having", "he", "her", "here", "him", "his", "how", "however", "i", "if", "in", "into", "is",
    "it",
    "its", "itself", "just", "lack", "lacked", "lacking", "less", "like", "many", "may", "me", "might",
    "more",
    "most", "much", "must", "my", "near", "neither", "no", "nor", "not", "now", "of", "off", "on", "once",
    "one", "only", "or", "other", "our", "ours", "out", "over", "own", "per", "same", "she", "should", "so",
    "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "thus", "to", "too", "under", "until", "up", "upon", "us", "very", "via", "was", "we", "were",
    "what", "when", "where", "whether", "which", "while", "who", "whom", "why", "will", "with", "within",
    "without", "would", "yet", "you", "your", "missing", "insufficient", "caused", "cause",
    "causing", "led", "lead", "leading", "result", "resulted", "resulting", "use", "used", "using", "set",
    "new", "get", "got", "make", "made", "need", "needed", "able", "still", "way", "take", "took", "see",
    "seen",
    "know", "known", "well", "back", "went", "go", "going", "done", "found", "look", "looked", "tried", "try",
    "issue", "issues", "problem", "problems", "incident", "incidents", "note", "noted", "around", "since",
    "already", "even", "though", "although", "instead", "rather",
  ]

  /// Abbreviations folded into one spelling before the ending is cut.
  static let synonyms: [String: String] = [
    "db": "database", "dbs": "database", "conn": "connection", "conns": "connection", "cfg": "config",
    "configuration": "config", "configurations": "config", "k8s": "kubernetes", "kube": "kubernetes",
    "cert": "certificate", "certs": "certificate", "tls": "certificate", "ssl": "certificate",
    "mem": "memory",
    "oom": "memory", "dns": "dns", "lb": "loadbalancer", "alb": "loadbalancer", "elb": "loadbalancer",
    "infra": "infrastructure", "env": "environment", "prod": "production", "deps": "dependency",
    "dep": "dependency", "auth": "authentication", "authn": "authentication", "creds": "credential",
    "perms": "permission", "msg": "message", "msgs": "message", "svc": "service", "ns": "namespace",
    "saturation": "exhaust", "saturated": "exhaust", "saturate": "exhaust", "exhaustion": "exhaust",
    "starvation": "exhaust", "starved": "exhaust", "depleted": "exhaust",
  ]

  /// The words of `text` as the archive compares them, in order, repeats kept.
  public static func words(_ text: String) -> [String] { tokens(text).map(\.word) }

  /// The words of `text` with how the text spells each (lower-cased), for labels.
  public static func tokens(_ text: String) -> [(word: String, surface: String)] {
    var out: [(word: String, surface: String)] = []
    var current = ""
    func flush() {
      defer { current = "" }
      guard !current.isEmpty else { return }
      if let word = normalise(current) { out.append((word, current)) }
    }
    func wordy(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || ("0"..."9").contains(s) }
    let scalars = Array(text.unicodeScalars)
    for (n, scalar) in scalars.enumerated() {
      if wordy(scalar) {
        current.unicodeScalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
      } else if "-_.".unicodeScalars.contains(scalar), !current.isEmpty, n + 1 < scalars.count,
        wordy(scalars[n + 1])
      {
        // `orders-api`, `kube_state`, `v2.3` are one name: as two words, any two texts naming
        // the same service would share two words and look alike.
        current.unicodeScalars.append(scalar)
      } else {
        flush()
      }
      if current.utf8.count > 64 { flush() }
    }
    flush()
    return out
  }

  /// One word folded: nil when it carries nothing (a stopword, one letter, a number shorter
  /// than three digits). Abbreviations are folded before and after the ending is cut, so
  /// `saturated`, `saturation` and `exhausted` all become `exhaust`.
  static func normalise(_ raw: String) -> String? {
    if raw.allSatisfy(\.isNumber) { return raw.count >= 3 ? raw : nil }
    guard raw.count >= 2, !stopwords.contains(raw) else { return nil }
    // A name (`orders-api`, `kube_state_metrics`) is kept as written.
    if raw.unicodeScalars.contains(where: { "-_.".unicodeScalars.contains($0) }) { return raw }
    let word = stem(synonyms[raw] ?? raw)
    let folded = synonyms[word] ?? word
    return stopwords.contains(folded) ? nil : folded
  }

  /// Plural and tense endings cut (one rule), then a final silent `e` (so `update`,
  /// `updated` and `updating` are all `updat`); never below three letters.
  static func stem(_ word: String) -> String {
    func cut(_ suffix: String, _ replacement: String = "", keep: Int = 3) -> String? {
      guard word.hasSuffix(suffix), word.count - suffix.count >= keep else { return nil }
      return String(word.dropLast(suffix.count)) + replacement
    }
    var w = word
    if let c = cut("ies", "y") {
      w = c
    } else if let c = cut("sses", "ss") {
      w = c
    } else if word.hasSuffix("ss") || word.hasSuffix("us") || word.hasSuffix("is") {
      w = word
    } else if let c = cut("ing", keep: 4) {
      w = undouble(c)
    } else if let c = cut("ed", keep: 4) {
      w = undouble(c)
    } else if let c = cut("s") {
      w = c
    }
    if w.count > 4, w.hasSuffix("e"), !w.hasSuffix("ee") { w.removeLast() }
    return w
  }

  /// `stopp` → `stop`, `throttl` stays.
  private static func undouble(_ w: String) -> String {
    guard let last = w.last, w.count >= 4, w.dropLast().last == last, !"lsz".contains(last) else { return w }
    return String(w.dropLast())
  }

  /// The set of a text's words.
  public static func wordSet(_ text: String) -> Set<String> { Set(words(text)) }

  /// A factor's signature as stored: its distinct words, sorted, space-separated.
  public static func signature(_ text: String) -> String { wordSet(text).sorted().joined(separator: " ") }

  /// The words of a stored signature.
  public static func words(signature: String) -> Set<String> {
    Set(signature.split(separator: " ").map(String.init))
  }

  /// Dice's coefficient: 2|a∩b| / (|a|+|b|), 0 when both are empty.
  public static func dice(_ a: Set<String>, _ b: Set<String>) -> Double {
    let total = a.count + b.count
    guard total > 0 else { return 0 }
    return Double(2 * a.intersection(b).count) / Double(total)
  }

  /// Two factors are alike when they share at least two words and half their words (Dice ≥
  /// 0.5), or when one's words (two or more) are all in the other.
  public static func alike(_ a: Set<String>, _ b: Set<String>) -> Bool {
    let shared = a.intersection(b).count
    guard shared >= 2 || (shared == 1 && a.count == 1 && b.count == 1) else { return false }
    if dice(a, b) >= 0.5 { return true }
    return shared >= 2 && (shared == a.count || shared == b.count)
  }
}
