import Foundation
import PostmortemCore

/// An incident as the archive holds it.
public struct ArchivedIncident: Sendable, Equatable {
  public var id: String
  public var title: String
  public var startedAt: Timestamp
  public var endedAt: Timestamp
  public var quarter: String
  public var severity: String?
  public var services: [String]
  public var origin: String
  public var source: String
  public var metrics: ResponseMetrics
  /// What an imported document did not state (never invented).
  public var unknown: [String]
}

/// An action item with the incident it came from and where it stands.
public struct ArchivedAction: Sendable, Equatable {
  /// `overdue`, `untracked` (open, no tracking), `open` (open, tracked) or `done` (closed).
  public enum Standing: String, Sendable, CaseIterable {
    case overdue, untracked, open, done
  }
  public var incident: String
  public var incidentTitle: String
  public var incidentStarted: Timestamp
  public var item: ActionItem
  public var standing: Standing
  /// Days begun since it fell due, for overdue items.
  public var overdueDays: Int?
}

/// Count, median, 90th percentile and maximum of one duration over a group, in seconds.
public struct DurationStats: Sendable, Equatable {
  /// Incidents that state this duration.
  public var count: Int
  public var median: Int64?
  public var p90: Int64?
  public var max: Int64?

  /// Figures as given (`DurationStats()` is no incident, no figure).
  public init(median: Int64? = nil, p90: Int64? = nil, max: Int64? = nil, count: Int = 0) {
    self.median = median
    self.p90 = p90
    self.max = max
    self.count = count
  }

  /// From the values, by linear interpolation between closest ranks (as PostgreSQL's
  /// `percentile_cont` and NumPy's default), rounded to whole seconds.
  public init(_ values: [Int64]) {
    let sorted = values.sorted()
    count = sorted.count
    median = Self.percentile(sorted, 0.5)
    p90 = Self.percentile(sorted, 0.9)
    max = sorted.last
  }

  static func percentile(_ sorted: [Int64], _ p: Double) -> Int64? {
    guard !sorted.isEmpty else { return nil }
    let rank = p * Double(sorted.count - 1)
    let low = Int(rank.rounded(.down))
    let high = Swift.min(low + 1, sorted.count - 1)
    let value = Double(sorted[low]) + (rank - Double(low)) * Double(sorted[high] - sorted[low])
    return Int64(value.rounded(.toNearestOrAwayFromZero))
  }
}

/// Response times of one group of incidents.
public struct MetricsGroup: Sendable, Equatable {
  /// The group's key (a severity, service or quarter; `all` without `--by`; `unknown` for
  /// incidents without a severity).
  public var key: String
  public var incidents: Int
  public var detect: DurationStats
  public var acknowledge: DurationStats
  public var mitigate: DurationStats
  public var resolve: DurationStats
}

/// What `archive metrics --by` groups by.
public enum MetricsGrouping: String, Sendable, CaseIterable {
  case severity, service, quarter
}

/// Factors of several incidents that say the same thing in the same fishbone category.
public struct FactorCluster: Sendable, Equatable {
  public struct Member: Sendable, Equatable {
    public var incident: String
    public var text: String
  }
  /// The words most members share (`database-connection-pool`).
  public var label: String
  public var category: String
  /// The incidents, earliest first.
  public var incidents: [String]
  public var members: [Member]
}

/// A past incident like a given report, and why.
public struct SimilarIncident: Sendable, Equatable {
  public var incident: ArchivedIncident
  /// BM25 over the indexed words (higher is closer); comparable within one answer only.
  public var score: Double
  public var sharedServices: [String]
  public var sharedCategories: [String]
  /// Pairs of factors alike: (theirs, ours) as "theirs ≈ ours".
  public var alikeFactors: [String]
  /// The words that counted most.
  public var words: [String]
}

extension Archive {
  /// How many of a report's words rank the others in `similar`.
  static let similarQueryWords = 60

  // MARK: - list

  /// The incidents the filter selects, latest first.
  public func list(_ filter: ArchiveFilter = ArchiveFilter(), limit: Int? = nil) throws(ArchiveError)
    -> [ArchivedIncident]
  {
    let (condition, parameters) = filter.sql()
    let rows = try db.query(
      """
      SELECT i.id, i.title, i.started_ms, i.ended_ms, i.quarter, i.severity, i.origin, i.source,
        i.ttd_s, i.tta_s, i.ttm_s, i.ttr_s, i.duration_s, i.unknown
      FROM incidents i WHERE \(condition)
      """, parameters)
    var incidents = rows.map(Self.incident)
    let services = try servicesByIncident(condition: condition, parameters: parameters)
    for n in incidents.indices { incidents[n].services = services[incidents[n].id] ?? [] }
    incidents.sort { $0.startedAt != $1.startedAt ? $0.startedAt > $1.startedAt : $0.id < $1.id }
    if let limit, limit >= 0, incidents.count > limit { incidents.removeSubrange(limit...) }
    return incidents
  }

  static func incident(_ r: [SQLValue]) -> ArchivedIncident {
    ArchivedIncident(
      id: r[0].text ?? "", title: r[1].text ?? "", startedAt: Timestamp(milliseconds: r[2].int ?? 0),
      endedAt: Timestamp(milliseconds: r[3].int ?? 0), quarter: r[4].text ?? "", severity: r[5].text,
      services: [], origin: r[6].text ?? "", source: r[7].text ?? "",
      metrics: ResponseMetrics(
        timeToDetectS: r[8].int, timeToAcknowledgeS: r[9].int, timeToMitigateS: r[10].int,
        timeToResolveS: r[11].int,
        durationS: r[12].int),
      unknown: r[13].text.map { $0.split(separator: "\n").map(String.init) } ?? [])
  }

  /// Services of the incidents a condition selects, each list sorted.
  func servicesByIncident(condition: String, parameters: [SQLValue]) throws(ArchiveError) -> [String:
    [String]]
  {
    let rows = try db.query(
      "SELECT s.incident_id, s.service FROM incident_services s JOIN incidents i ON i.id = s.incident_id WHERE \(condition)",
      parameters)
    var out: [String: [String]] = [:]
    for r in rows { out[r[0].text ?? "", default: []].append(r[1].text ?? "") }
    for key in out.keys { out[key]?.sort() }
    return out
  }

  /// One incident by id, or nil.
  public func incident(id: String) throws(ArchiveError) -> ArchivedIncident? {
    let rows = try db.query(
      """
      SELECT i.id, i.title, i.started_ms, i.ended_ms, i.quarter, i.severity, i.origin, i.source,
        i.ttd_s, i.tta_s, i.ttm_s, i.ttr_s, i.duration_s, i.unknown
      FROM incidents i WHERE i.id = ?
      """, [.text(id)])
    guard var found = rows.first.map(Self.incident) else { return nil }
    found.services = try db.query(
      "SELECT service FROM incident_services WHERE incident_id = ?", [.text(id)]
    ).compactMap { $0[0].text }.sorted()
    return found
  }

  // MARK: - actions

  /// Action items across the incidents: overdue (most overdue first), then open items no
  /// tracker holds, then open tracked ones (by deadline, none last), then done ones.
  public func actions(_ filter: ArchiveFilter = ArchiveFilter(), today: Timestamp, overdueOnly: Bool = false)
    throws(ArchiveError) -> [ArchivedAction]
  {
    var (condition, parameters) = filter.sql()
    if overdueOnly {
      // actions_open_due: open items due before now, not every item.
      condition += " AND a.closed = 0 AND a.due_ms < ?"
      parameters.append(.int(today.milliseconds))
    }
    let rows = try db.query(
      """
      SELECT i.id, i.title, i.started_ms, a.seq, a.item_id, a.action, a.owner, a.deadline, a.priority, a.status,
        a.tracking
      FROM actions a JOIN incidents i ON i.id = a.incident_id WHERE \(condition)
      """, parameters)
    let items: [(seq: Int64, action: ArchivedAction)] = rows.map { r in
      let item = ActionItem(
        id: r[4].text ?? "", action: r[5].text ?? "", owner: r[6].text, deadline: r[7].text,
        priority: r[8].text,
        status: r[9].text ?? "open", tracking: r[10].text.map { .string($0) })
      let overdue = item.overdueDays(at: today)
      let standing: ArchivedAction.Standing =
        overdue != nil ? .overdue : item.isClosed ? .done : item.isTracked ? .open : .untracked
      return (
        r[3].int ?? 0,
        ArchivedAction(
          incident: r[0].text ?? "", incidentTitle: r[1].text ?? "",
          incidentStarted: Timestamp(milliseconds: r[2].int ?? 0), item: item, standing: standing,
          overdueDays: overdue)
      )
    }
    let order = Dictionary(
      uniqueKeysWithValues: ArchivedAction.Standing.allCases.enumerated().map { ($1, $0) })
    return items.sorted { a, b in
      let (x, y) = (a.action, b.action)
      if x.standing != y.standing { return order[x.standing]! < order[y.standing]! }
      if let dx = x.overdueDays, let dy = y.overdueDays, dx != dy { return dx > dy }
      let tx = x.item.dueAt?.milliseconds ?? .max
      let ty = y.item.dueAt?.milliseconds ?? .max
      if tx != ty { return tx < ty }
      if x.incidentStarted != y.incidentStarted { return x.incidentStarted < y.incidentStarted }
      if x.incident != y.incident { return x.incident < y.incident }
      return a.seq < b.seq
    }.map(\.action)
  }

  // MARK: - metrics

  /// Count, median, p90 and maximum of time to detect, acknowledge, mitigate and resolve, for
  /// all the selected incidents or per group. A duration a report does not state is left out
  /// of its figure (each figure says how many incidents it is from), never taken as zero.
  public func metrics(_ filter: ArchiveFilter = ArchiveFilter(), by grouping: MetricsGrouping? = nil)
    throws(ArchiveError) -> [MetricsGroup]
  {
    let (condition, parameters) = filter.sql()
    let key: String
    let from: String
    switch grouping {
    case nil:
      key = "'all'"
      from = "incidents i"
    case .severity?:
      key = "i.severity"
      from = "incidents i"
    case .quarter?:
      key = "i.quarter"
      from = "incidents i"
    case .service?:
      key = "g.service"
      from = "incidents i JOIN incident_services g ON g.incident_id = i.id"
    }
    let rows = try db.query(
      "SELECT \(key), i.ttd_s, i.tta_s, i.ttm_s, i.ttr_s FROM \(from) WHERE \(condition)", parameters)
    var groups: [String: [[Int64?]]] = [:]
    for r in rows {
      let name = r[0].text ?? "unknown"
      groups[name, default: []].append([r[1].int, r[2].int, r[3].int, r[4].int])
    }
    if grouping == nil && groups.isEmpty { groups["all"] = [] }
    return groups.map { name, values in
      func stats(_ n: Int) -> DurationStats { DurationStats(values.compactMap { $0[n] }) }
      return MetricsGroup(
        key: name, incidents: values.count, detect: stats(0), acknowledge: stats(1), mitigate: stats(2),
        resolve: stats(3))
    }.sorted { a, b in
      switch grouping {
      case .quarter?, .severity?: a.key < b.key
      default: a.incidents != b.incidents ? a.incidents > b.incidents : a.key < b.key
      }
    }
  }

  // MARK: - factors

  /// Factors that recur: those of at least `minIncidents` incidents that are alike (same
  /// category, ``ArchiveText/alike(_:_:)``), most incidents first.
  public func factors(_ filter: ArchiveFilter = ArchiveFilter(), minIncidents: Int = 2) throws(ArchiveError)
    -> [FactorCluster]
  {
    let (condition, parameters) = filter.sql()
    let rows = try db.query(
      """
      SELECT f.incident_id, f.category, f.text, f.signature, i.started_ms, f.seq
      FROM factors f JOIN incidents i ON i.id = f.incident_id WHERE \(condition)
      """, parameters)
    let factors = rows.map { r in
      ClusterInput(
        incident: r[0].text ?? "", category: r[1].text ?? Self.uncategorized, text: r[2].text ?? "",
        words: ArchiveText.words(signature: r[3].text ?? ""), started: r[4].int ?? 0, seq: r[5].int ?? 0)
    }.sorted { ($0.started, $0.incident, $0.seq) < ($1.started, $1.incident, $1.seq) }
    return FactorClustering.clusters(factors, minIncidents: max(1, minIncidents))
  }

  // MARK: - similar

  /// The past incidents most like `report`, by BM25 over the words the archive indexed
  /// (title, summary, root cause, factors, services, timeline messages), with what they share.
  /// The report's own record is left out.
  public func similar(to report: Report, _ filter: ArchiveFilter = ArchiveFilter(), limit: Int = 5)
    throws(ArchiveError) -> [SimilarIncident]
  {
    let services = Self.services(of: report)
    let ours = Self.factors(of: report)
    let query = Self.terms(of: report, services: services, factors: ours)
    guard !query.isEmpty, limit > 0 else { return [] }
    // The report's own record (when it is recorded) is neither an answer nor counted: its
    // words would otherwise look rare, and rank nothing.
    var (total, allTerms) = try totals()
    if let own = try db.query("SELECT term_count FROM incidents WHERE id = ?", [.text(report.incident.id)])
      .first
    {
      total -= 1
      allTerms -= own[0].int ?? 0
    }
    guard total > 0 else { return [] }
    let avgLength = max(1, Double(allTerms) / Double(total))
    // Document frequencies of the query's words among the others (the terms primary key).
    let words = query.keys.sorted()
    var df: [String: Int64] = [:]
    for chunk in stride(from: 0, to: words.count, by: 300).map({
      Array(words[$0..<min($0 + 300, words.count)])
    }) {
      let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
      for r in try db.query(
        "SELECT term, COUNT(*) FROM terms WHERE term IN (\(marks)) AND incident_id <> ? GROUP BY term",
        chunk.map { .text($0) } + [.text(report.incident.id)])
      {
        df[r[0].text ?? ""] = r[1].int ?? 0
      }
    }
    // The rarest words carry the ranking; a word in most incidents says nothing.
    func idf(_ n: Int64) -> Double { log(1 + (Double(total) - Double(n) + 0.5) / (Double(n) + 0.5)) }
    // The words that weigh most in the report (how often it says them, how rare they are)
    // rank the others; a word in more than half the incidents says nothing.
    let usable = df.filter { $0.value > 0 && Double($0.value) <= 0.5 * Double(total) }.map { word, n in
      (word: word, weight: idf(n) * Double(query[word] ?? 1).squareRoot())
    }
    let chosen = usable.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.word < $1.word }
      .prefix(Self.similarQueryWords).map(\.word)
    guard !chosen.isEmpty else { return [] }
    let (condition, parameters) = filter.sql()
    let marks = Array(repeating: "?", count: chosen.count).joined(separator: ", ")
    let postings = try db.query(
      """
      SELECT t.incident_id, t.term, t.tf, i.term_count FROM terms t JOIN incidents i ON i.id = t.incident_id
      WHERE t.term IN (\(marks)) AND i.id <> ? AND \(condition)
      """, chosen.map { .text($0) } + [.text(report.incident.id)] + parameters)
    let (k1, b) = (1.2, 0.75)
    var scores: [String: Double] = [:]
    var contributions: [String: [(String, Double)]] = [:]
    for r in postings {
      let id = r[0].text ?? ""
      let term = r[1].text ?? ""
      let tf = Double(r[2].int ?? 0)
      let length = Double(r[3].int ?? 0)
      let weight = idf(df[term] ?? 0) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgLength))
      let part = weight * Double(query[term] ?? 1).squareRoot()
      scores[id, default: 0] += part
      contributions[id, default: []].append((term, part))
    }
    let top = scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit)
    var out: [SimilarIncident] = []
    let ourWords = ours.map { ($0, ArchiveText.wordSet($0.text)) }
    for (id, score) in top {
      guard let incident = try incident(id: id) else { continue }
      let theirFactors = try db.query(
        "SELECT category, text, signature FROM factors WHERE incident_id = ? ORDER BY seq", [.text(id)])
      var alike: [String] = []
      var categories: Set<String> = []
      for f in theirFactors {
        let words = ArchiveText.words(signature: f[2].text ?? "")
        for (mine, mineWords) in ourWords
        where mine.category == f[0].text && ArchiveText.alike(words, mineWords) {
          alike.append("\(f[1].text ?? "") ≈ \(mine.text)")
          categories.insert(mine.category)
        }
      }
      let topWords = (contributions[id] ?? []).filter {
        !$0.0.hasPrefix("service:") && !$0.0.hasPrefix("category:")
      }
      .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(6).map(\.0)
      out.append(
        SimilarIncident(
          incident: incident, score: (score * 1000).rounded() / 1000,
          sharedServices: incident.services.filter { services.contains($0) },
          sharedCategories: categories.filter { $0 != Self.uncategorized }.sorted(),
          alikeFactors: alike,
          words: Array(topWords)))
    }
    return out
  }

  // MARK: - recurrence

  /// What `report` shares with other incidents of its quarter: each service, and each factor
  /// alike to one of theirs (same category), when at least one other incident has it.
  public func recurrence(of report: Report) throws(ArchiveError) -> [Recurrence] {
    let id = report.incident.id
    let period = Self.quarter(of: report.incident.startedAt)
    var out: [Recurrence] = []
    for service in Self.services(of: report) {
      let rows = try db.query(
        """
        SELECT i.id, i.started_ms FROM incident_services s JOIN incidents i ON i.id = s.incident_id
        WHERE s.service = ? AND i.quarter = ? AND i.id <> ?
        """, [.text(service), .text(period), .text(id)])
      guard !rows.isEmpty else { continue }
      let others = Self.earliestFirst(rows)
      let count = others.count + 1
      out.append(
        Recurrence(
          kind: "service", subject: service, period: period, count: count, incidents: others,
          text:
            "\(Self.ordinal(count).capitalizedFirst) incident in \(period) involving \(service): \(others.joined(separator: ", "))"
        ))
    }
    for factor in Self.factors(of: report) {
      let mine = ArchiveText.wordSet(factor.text)
      guard !mine.isEmpty else { continue }
      let rows = try db.query(
        """
        SELECT i.id, i.started_ms, f.signature FROM factors f JOIN incidents i ON i.id = f.incident_id
        WHERE f.category = ? AND i.quarter = ? AND i.id <> ?
        """, [.text(factor.category), .text(period), .text(id)])
      let matches = rows.filter { ArchiveText.alike(ArchiveText.words(signature: $0[2].text ?? ""), mine) }
      guard !matches.isEmpty else { continue }
      let others = Self.earliestFirst(matches)
      let shared = matches.reduce(into: [String: Int]()) { counts, r in
        for w in ArchiveText.words(signature: r[2].text ?? "").intersection(mine) {
          counts[w, default: 0] += 1
        }
      }
      let subject = FactorClustering.label(
        order: ArchiveText.tokens(factor.text), counts: shared, members: matches.count, all: true)
      let count = others.count + 1
      let category = factor.category == Self.uncategorized ? "" : " (\(factor.category))"
      out.append(
        Recurrence(
          kind: "factor", subject: subject,
          category: factor.category == Self.uncategorized ? nil : factor.category,
          period: period, count: count, incidents: others,
          text:
            "\(Self.ordinal(count).capitalizedFirst) incident in \(period) with a \(subject) factor\(category): \(others.joined(separator: ", "))"
        ))
    }
    return out
  }

  /// Distinct incident ids of rows (id, started_ms, ...), earliest first.
  static func earliestFirst(_ rows: [[SQLValue]]) -> [String] {
    var started: [String: Int64] = [:]
    for r in rows { started[r[0].text ?? ""] = r[1].int ?? 0 }
    return started.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }.map(\.key)
  }

  /// `second`, `third`... `12th`.
  static func ordinal(_ n: Int) -> String {
    let words = [
      "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    ]
    if n >= 0 && n < words.count { return words[n] }
    let suffix =
      (n % 100 >= 11 && n % 100 <= 13)
      ? "th" : ["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"][n % 10]
    return "\(n)\(suffix)"
  }
}

extension String {
  fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// One factor for clustering.
struct ClusterInput {
  var incident: String
  var category: String
  var text: String
  var words: Set<String>
  var started: Int64
  var seq: Int64
}

/// Groups alike factors: within a category, a factor joins every cluster holding a factor it
/// is alike to (merged with union-find), but a cluster of three or more takes it only when it
/// is alike to the cluster's first factor or to two of its factors, so no chain of loose
/// likenesses joins unrelated factors. Candidates come from an index of words,
/// leaving out words so common in the category that they say nothing, so the work grows with
/// the factors that share words, not with every pair.
enum FactorClustering {
  static func clusters(_ factors: [ClusterInput], minIncidents: Int) -> [FactorCluster] {
    // Factors with the same words in the same category are one node: archives repeat
    // themselves, and this keeps the pairs to compare few.
    var nodeOf: [String: Int] = [:]
    var nodes: [(category: String, words: Set<String>)] = []
    var factorNode: [Int] = []
    for f in factors {
      let key = f.category + "\u{1}" + f.words.sorted().joined(separator: " ")
      if let n = nodeOf[key] {
        factorNode.append(n)
      } else {
        nodeOf[key] = nodes.count
        factorNode.append(nodes.count)
        nodes.append((f.category, f.words))
      }
    }
    var parent = Array(nodes.indices)
    // Per cluster root: how many factors (nodes) it holds and its earliest one.
    var size = Array(repeating: 1, count: nodes.count)
    var seed = Array(nodes.indices)
    func find(_ x: Int) -> Int {
      var x = x
      while parent[x] != x {
        parent[x] = parent[parent[x]]
        x = parent[x]
      }
      return x
    }
    let byCategory = Dictionary(grouping: nodes.indices, by: { nodes[$0].category })
    for (_, members) in byCategory {
      var frequency: [String: Int] = [:]
      for m in members { for w in nodes[m].words { frequency[w, default: 0] += 1 } }
      // A word in more than a quarter of a big category's factors proposes no candidates.
      let common = max(50, members.count / 4)
      var index: [String: [Int]] = [:]
      for m in members {
        var hits: [Int: Int] = [:]
        for w in nodes[m].words where (frequency[w] ?? 0) <= common {
          for other in index[w] ?? [] { hits[other, default: 0] += 1 }
        }
        // Alike needs two shared words, unless both are one word long.
        var alikeIn: [Int: Int] = [:]
        for other in hits.keys.sorted() where hits[other]! >= 2 || nodes[m].words.count == 1 {
          if ArchiveText.alike(nodes[other].words, nodes[m].words) { alikeIn[find(other), default: 0] += 1 }
        }
        // A factor joins a cluster of three or more only when it is alike to its first factor
        // or to two of its factors: one loose likeness must not chain unrelated factors.
        for root in alikeIn.keys.sorted() {
          let target = find(root)
          let mine = find(m)
          guard target != mine else { continue }
          let strong =
            size[target] < 3 || alikeIn[root]! >= 2
            || ArchiveText.alike(nodes[seed[target]].words, nodes[m].words)
          guard strong else { continue }
          parent[mine] = target
          size[target] += size[mine]
          seed[target] = min(seed[target], seed[mine])
        }
        for w in nodes[m].words where (frequency[w] ?? 0) <= common { index[w, default: []].append(m) }
      }
    }
    var groups: [Int: [Int]] = [:]
    for i in factors.indices { groups[find(factorNode[i]), default: []].append(i) }
    var out: [FactorCluster] = []
    for (_, members) in groups {
      var incidents: [String] = []
      var seen: Set<String> = []
      for m in members where seen.insert(factors[m].incident).inserted {
        incidents.append(factors[m].incident)
      }
      guard incidents.count >= minIncidents else { continue }
      var counts: [String: Int] = [:]
      for m in members { for w in factors[m].words { counts[w, default: 0] += 1 } }
      let first = factors[members[0]]
      out.append(
        FactorCluster(
          label: label(order: ArchiveText.tokens(first.text), counts: counts, members: members.count),
          category: first.category, incidents: incidents,
          members: members.map {
            FactorCluster.Member(incident: factors[$0].incident, text: factors[$0].text)
          }))
    }
    return out.sorted { a, b in
      if a.incidents.count != b.incidents.count { return a.incidents.count > b.incidents.count }
      if a.category != b.category { return a.category < b.category }
      if a.label != b.label { return a.label < b.label }
      // Clusters are disjoint: their first incidents, or first factors, tell them apart.
      if a.incidents != b.incidents { return a.incidents.lexicographicallyPrecedes(b.incidents) }
      return a.members.map(\.text).lexicographicallyPrecedes(b.members.map(\.text))
    }
  }

  /// Up to three words that at least half the members share (all of them, with `all`), in
  /// the order the first factor says them and as it spells them, joined by hyphens
  /// (`connection-pool`).
  static func label(
    order: [(word: String, surface: String)], counts: [String: Int], members: Int, all: Bool = false
  ) -> String {
    var seen: Set<String> = []
    let shared = order.filter {
      let n = counts[$0.word] ?? 0
      return (all ? n >= members : n * 2 >= members) && seen.insert($0.word).inserted
    }
    let picked = shared.isEmpty ? Array(order.prefix(3)) : Array(shared.prefix(3))
    return picked.map(\.surface).joined(separator: "-")
  }
}
