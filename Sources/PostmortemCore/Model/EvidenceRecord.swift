/// One piece of evidence a run read or fetched (an entry of `evidence/manifest.json`, and
/// of report.json `evidence`).
///
/// ```swift
/// EvidenceRecord(plugin: "kubectl-logs", stage: "collect", kind: .file,
///                source: .object(["path": .string("data/api.log")]), file: "kubectl-logs/data/api.log",
///                sha256: "9f86…", bytes: 1234, fetchedAt: Timestamp(milliseconds: 0))
/// ```
public struct EvidenceRecord: Codable, Sendable, Equatable {
  /// What kind of read it was.
  public enum Kind: String, Codable, Sendable { case file, http, incident }

  /// The plugin that read it (`pmhost` for the incident file).
  public var plugin: String
  /// The stage it ran in.
  public var stage: String
  /// File or HTTP.
  public var kind: Kind
  /// Where it came from: `{path}` for a file, `{method, url, query, body_sha256}` for HTTP.
  public var source: JSONValue
  /// The saved copy, relative to the evidence folder (nil when nothing came back).
  public var file: String?
  /// SHA-256 of the saved bytes, lower-case hex.
  public var sha256: String?
  /// Size of the saved bytes.
  public var bytes: Int?
  /// When it was read or fetched.
  public var fetchedAt: Timestamp
  /// HTTP status, for HTTP evidence.
  public var status: Int?
  /// HTTP response headers kept (content-type), for HTTP evidence.
  public var contentType: String?
  /// Why no response came (refused, timeout), for HTTP evidence.
  public var error: String?
  /// How a local file was kept: `copy`, or `link` (a hard link to a big original).
  public var stored: String?

  /// An evidence record.
  public init(
    plugin: String, stage: String, kind: Kind, source: JSONValue, file: String? = nil,
    sha256: String? = nil, bytes: Int? = nil, fetchedAt: Timestamp, status: Int? = nil,
    contentType: String? = nil, error: String? = nil
  ) {
    self.plugin = plugin
    self.stage = stage
    self.kind = kind
    self.source = source
    self.file = file
    self.sha256 = sha256
    self.bytes = bytes
    self.fetchedAt = fetchedAt
    self.status = status
    self.contentType = contentType
    self.error = error
  }

  enum CodingKeys: String, CodingKey {
    case plugin, stage, kind, source, file, sha256, bytes, status, error, stored
    case fetchedAt = "fetched_at"
    case contentType = "content_type"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    plugin = try c.decode(String.self, forKey: .plugin)
    stage = try c.value(.stage, or: "collect")
    kind = try c.decode(Kind.self, forKey: .kind)
    source = try c.decode(JSONValue.self, forKey: .source)
    file = try c.optional(.file)
    sha256 = try c.optional(.sha256)
    bytes = try c.optional(.bytes)
    fetchedAt = try c.decode(Timestamp.self, forKey: .fetchedAt)
    status = try c.optional(.status)
    contentType = try c.optional(.contentType)
    error = try c.optional(.error)
    stored = try c.optional(.stored)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(plugin, forKey: .plugin)
    try c.encode(stage, forKey: .stage)
    try c.encode(kind, forKey: .kind)
    try c.encode(source, forKey: .source)
    try c.encode(file, forKey: .file)
    try c.encode(sha256, forKey: .sha256)
    try c.encode(bytes, forKey: .bytes)
    try c.encode(fetchedAt, forKey: .fetchedAt)
    try c.encodeIfPresent(status, forKey: .status)
    try c.encodeIfPresent(contentType, forKey: .contentType)
    try c.encodeIfPresent(error, forKey: .error)
    try c.encodeIfPresent(stored, forKey: .stored)
  }
}
