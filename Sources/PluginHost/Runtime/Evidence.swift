import Crypto
import Dispatch
import Foundation
import PostmortemCore
import Synchronization

/// The evidence of a run: every file a plugin reads, every HTTP response it gets and every
/// answer the file system gives (`glob`, `list`, `exists`), saved under `out/evidence/` as
/// it arrives with `manifest.json` (record mode); or served back from an earlier run's
/// evidence folder so that the run contacts no source (replay mode).
///
/// Local files are copied and hashed on a background thread while the plugin streams the
/// original, so that saving evidence costs little wall time.
package final class Evidence {
  enum Mode { case off, record, replay }

  let mode: Mode
  /// The evidence folder (`out/evidence`, or the replayed one).
  let directory: String
  /// Finished records, in the order the reads began.
  private(set) var records: [EvidenceRecord] = []
  private var lookups: [Lookup] = []
  private var answers: [String: String] = [:]
  private var pipeline: JSONValue = .null
  /// Copies still running in the background, in order; their slots in `records` follow.
  private var copies: [(slot: Int, job: CopyJob)] = []
  private var recordedPaths: [String: Int] = [:]
  private var usedNames: Set<String> = []
  private var httpCount = 0
  /// Replay: which records were served.
  private var served: Set<Int> = []
  /// Replay: the manifest as read, kept by ``preserve(into:)``.
  private var manifestData = Data()

  /// How local files are kept: copied, or hard-linked when big (``CopyJob/Policy``).
  var policy = CopyJob.Policy.auto

  /// No evidence (plugin specs, `pmhost validate`).
  package static func off() -> Evidence { Evidence(mode: .off, directory: "") }

  private init(mode: Mode, directory: String) {
    self.mode = mode
    self.directory = directory
  }

  /// Starts recording into `directory`, a new folder in this run's build folder
  /// (``OutFolder``): nothing already there is ever removed.
  static func record(into directory: String, pipelinePath: String) throws -> Evidence {
    let evidence = Evidence(mode: .record, directory: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    if let bytes = FileManager.default.contents(atPath: pipelinePath) {
      evidence.pipeline = .object([
        "path": .string(URL(fileURLWithPath: pipelinePath).lastPathComponent),
        "sha256": .string(Self.hex(SHA256.hash(data: bytes))),
      ])
    }
    try evidence.writeManifest()
    return evidence
  }

  /// Opens an earlier run's evidence: `dir` is its out folder or its evidence folder. Every
  /// entry of the manifest is checked before anything runs (``sealProblem(_:in:)``).
  package static func replay(from dir: String) throws(HostError) -> Evidence {
    var folder = dir
    while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
    var info = stat()
    if lstat(folder + "/manifest.json", &info) != 0 { folder += "/evidence" }
    let manifestPath = folder + "/manifest.json"
    // Neither the evidence folder nor its manifest may lead elsewhere through a link.
    for (what, path, type) in [("evidence folder", folder, S_IFDIR), ("manifest", manifestPath, S_IFREG)]
    where lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != type {
      throw .failed(
        "--replay \(dir): the \(what) \(path) is \((info.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : "not a regular \(type == S_IFDIR ? "folder" : "file")"); replay reads only the evidence folder pmhost wrote, never through a link: give the out folder of an earlier `pmhost run` as it was written"
      )
    }
    guard let data = FileManager.default.contents(atPath: manifestPath) else {
      throw .configuration(
        "--replay \(dir): no evidence/manifest.json there; give the out folder of an earlier `pmhost run`")
    }
    let manifest: Manifest
    do {
      manifest = try JSONValueDecoder().decode(Manifest.self, from: try JSONValue.parse(data))
    } catch {
      throw .configuration("\(manifestPath): not a pmhost evidence manifest: \(error)")
    }
    let evidence = Evidence(mode: .replay, directory: folder)
    evidence.records = manifest.entries
    evidence.lookups = manifest.lookups
    evidence.answers = manifest.answers
    evidence.pipeline = manifest.pipeline
    evidence.manifestData = data
    for (i, record) in manifest.entries.enumerated() {
      if let problem = sealProblem(record, in: folder) {
        throw .failed(
          "--replay \(dir): \(manifestPath): entry \(i + 1) (plugin \(record.plugin), file \"\(record.file ?? "")\"): \(problem). The evidence is not as pmhost recorded it, so nothing was replayed: replay an evidence folder exactly as `pmhost run` wrote it, or run without --replay to read the sources again"
        )
      }
      if record.kind != .http, let path = record.source["path"]?.stringValue {
        evidence.recordedPaths[path] = i
      }
    }
    return evidence
  }

  /// Why a manifest entry's file may not be replayed, or nil: it must be a plain relative
  /// name inside the evidence folder, reached through no symbolic link, a regular file, with
  /// the size and SHA-256 the manifest gives.
  static func sealProblem(_ record: EvidenceRecord, in folder: String) -> String? {
    guard let file = record.file else { return nil }  // nothing was saved (a failed fetch)
    if file.hasPrefix("/") { return "an absolute path; evidence files are named inside the evidence folder" }
    let parts = file.split(separator: "/", omittingEmptySubsequences: false)
    if parts.contains("..") { return "a '..' segment leads out of the evidence folder" }
    if !FileAccess.isPlainRelative(file) { return "not a plain relative path" }
    // The system would read a name cut at a NUL: another file than the manifest names.
    if file.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      return "a control character (such as NUL) in the name; pmhost names evidence files plainly"
    }
    var path = folder
    for (k, part) in parts.enumerated() {
      path += "/" + part
      var info = stat()
      guard lstat(path, &info) == 0 else {
        return "the file is missing (\(String(cString: strerror(errno))))"
      }
      let type = info.st_mode & S_IFMT
      let here = parts[...k].joined(separator: "/")
      if type == S_IFLNK { return "\(here) is a symbolic link; replay follows no links" }
      if k < parts.count - 1, type != S_IFDIR { return "\(here) is not a folder" }
      if k == parts.count - 1, let kind = InputFile.kind(info.st_mode) {
        return "it is \(kind), not a regular file"
      }
    }
    guard let expected = record.sha256 else { return "the manifest gives no sha256 for it" }
    guard let size = record.bytes else { return "the manifest gives no byte count for it" }
    switch CopyJob.hash(path) {
    case .success(let result) where result.bytes != size:
      return "it holds \(result.bytes) bytes, the manifest says \(size)"
    case .success(let result) where result.sha256 != expected:
      return
        "its sha256 is \(result.sha256.prefix(12))…, the manifest says \(expected.prefix(12))…: it changed after it was recorded"
    case .success:
      return nil
    case .failure(let error):
      return error.description
    }
  }

  /// Replay into the out folder the evidence came from: the evidence (checked when it was
  /// opened) goes into the new folder too, hard-linked where it can be, so that the new
  /// report.json does not point at evidence the swap removes.
  func preserve(into target: String) throws {
    guard mode == .replay else { return }
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    try FileAccess.writeAtomically(Array(manifestData), to: target + "/manifest.json")
    for file in Set(records.compactMap(\.file)) {
      let destination = target + "/" + file
      try FileManager.default.createDirectory(
        atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      if Glibc.link(directory + "/" + file, destination) != 0 {
        try FileManager.default.copyItem(atPath: directory + "/" + file, toPath: destination)
      }
    }
  }

  /// Prompt answers the recorded run used (replay only).
  var recordedAnswers: [String: String] { mode == .replay ? answers : [:] }

  /// The recorded pipeline's SHA-256, when known.
  var recordedPipelineHash: String? { pipeline["sha256"]?.stringValue }

  struct NotRecorded: Error, CustomStringConvertible {
    var description: String
  }

  // MARK: files

  /// The path to read for `relative` (as the plugin named it): the original file, whose copy
  /// starts in the background (record), or the saved copy (replay).
  func file(
    relative: String, resolvedPath: String, plugin: String, stage: String, kind: EvidenceRecord.Kind = .file
  ) throws(NotRecorded) -> String {
    let key = Self.normalized(relative)
    switch mode {
    case .off:
      return resolvedPath
    case .replay:
      guard let i = recordedPaths[key], let file = records[i].file else {
        throw NotRecorded(
          description:
            "'\(relative)' is not in the replayed evidence (\(directory)); the recorded run did not read it")
      }
      served.insert(i)
      return directory + "/" + file
    case .record:
      if recordedPaths[key] != nil { return resolvedPath }
      let name = uniqueName("\(Self.safe(plugin))/\(Self.safeRelative(key))")
      let job = CopyJob(source: resolvedPath, destination: directory + "/" + name, policy: policy)
      recordedPaths[key] = records.count
      copies.append((records.count, job))
      records.append(
        EvidenceRecord(
          plugin: plugin, stage: stage, kind: kind, source: .object(["path": .string(key)]), file: name,
          fetchedAt: Self.now()))
      job.start()
      return resolvedPath
    }
  }

  /// Records bytes already in memory (a file read whole by `ctx.fs.read`, the incident).
  func recordRead(
    relative: String, bytes: UnsafeRawBufferPointer, plugin: String, stage: String,
    kind: EvidenceRecord.Kind = .file
  ) {
    guard mode == .record else { return }
    let key = Self.normalized(relative)
    guard recordedPaths[key] == nil else { return }
    let name = uniqueName("\(Self.safe(plugin))/\(Self.safeRelative(key))")
    recordedPaths[key] = records.count
    records.append(
      save(bytes, as: name, plugin: plugin, stage: stage, kind: kind, source: .object(["path": .string(key)]))
    )
    try? writeManifest()
  }

  // MARK: lookups (glob, list, exists)

  struct Lookup: Codable, Sendable {
    var call: String
    var argument: String
    var result: JSONValue
  }

  /// Answers a file-system question: live (and saved) when recording, from the evidence when
  /// replaying.
  func lookup(_ call: String, _ argument: String, live: () throws -> JSONValue) throws -> JSONValue {
    switch mode {
    case .off:
      return try live()
    case .record:
      let result = try live()
      if !lookups.contains(where: { $0.call == call && $0.argument == argument && $0.result == result }) {
        lookups.append(Lookup(call: call, argument: argument, result: result))
        try? writeManifest()
      }
      return result
    case .replay:
      if let hit = lookups.first(where: { $0.call == call && $0.argument == argument }) { return hit.result }
      if call == "exists", recordedPaths[Self.normalized(argument)] != nil { return .bool(true) }
      throw NotRecorded(description: "\(call)('\(argument)') is not in the replayed evidence (\(directory))")
    }
  }

  // MARK: HTTP

  /// The key an HTTP request is matched by on replay.
  static func httpSource(method: String, url: String, body: [UInt8]?) -> JSONValue {
    var source: [String: JSONValue] = ["method": .string(method), "url": .string(url)]
    if let components = URLComponents(string: url), let items = components.queryItems, !items.isEmpty {
      source["query"] = .array(items.map { .array([.string($0.name), .string($0.value ?? "")]) })
    }
    if let body { source["body_sha256"] = .string(hex(SHA256.hash(data: body))) }
    return .object(source)
  }

  /// Saves an HTTP exchange: the response body (or the reason none came).
  func recordHTTP(
    source: JSONValue, plugin: String, stage: String, response: HTTPFetcher.Response?, failure: String?
  ) {
    guard mode == .record else { return }
    httpCount += 1
    if let response {
      let last = URL(string: source["url"]?.stringValue ?? "")?.lastPathComponent ?? ""
      let stem = last.isEmpty || last == "/" ? "response" : Self.safe(last)
      let ext = (response.headers["content-type"] ?? "").contains("json") ? ".json" : ".txt"
      let name = uniqueName(String(format: "%@/http-%03d-%@%@", Self.safe(plugin), httpCount, stem, ext))
      var record = response.body.withUnsafeBytes {
        save($0, as: name, plugin: plugin, stage: stage, kind: .http, source: source)
      }
      record.status = response.status
      record.contentType = response.headers["content-type"]
      records.append(record)
    } else {
      records.append(
        EvidenceRecord(
          plugin: plugin, stage: stage, kind: .http, source: source, fetchedAt: Self.now(), error: failure))
    }
    try? writeManifest()
  }

  /// Replay: the recorded response for a request, or the recorded failure.
  func replayHTTP(source: JSONValue) throws(NotRecorded) -> (HTTPFetcher.Response?, String?) {
    let url = source["url"]?.stringValue ?? ""
    guard
      let i = records.indices.first(where: { i in
        records[i].kind == .http && records[i].source == source && !served.contains(i)
      }) ?? records.indices.first(where: { records[$0].kind == .http && records[$0].source == source })
    else {
      throw NotRecorded(
        description: "\(source["method"]?.stringValue ?? "GET") \(url): not in the replayed evidence")
    }
    let record = records[i]
    guard let file = record.file, let status = record.status else {
      served.insert(i)
      return (nil, record.error ?? "no response")
    }
    served.insert(i)
    guard let body = FileManager.default.contents(atPath: directory + "/" + file) else {
      throw NotRecorded(description: "\(url): the replayed evidence file \(file) is missing")
    }
    var headers: [String: String] = [:]
    if let type = record.contentType { headers["content-type"] = type }
    return (HTTPFetcher.Response(status: status, headers: headers, body: [UInt8](body), url: url), nil)
  }

  // MARK: answers

  /// Remembers a prompt answer the run used, so a replay gives the same one.
  func recordAnswer(id: String, answer: String) {
    guard mode == .record, answers[id] != answer else { return }
    answers[id] = answer
    try? writeManifest()
  }

  // MARK: finishing

  /// Takes in the background copies that have finished (all of them with `wait`), and
  /// rewrites the manifest. Returns the copies that failed, as messages.
  @discardableResult
  func settle(wait: Bool) -> [String] {
    guard mode == .record, !copies.isEmpty else { return [] }
    var failures: [String] = []
    var still: [(slot: Int, job: CopyJob)] = []
    for (slot, job) in copies {
      guard let outcome = job.outcome(wait: wait) else {
        still.append((slot, job))
        continue
      }
      switch outcome {
      case .success(let result):
        records[slot].sha256 = result.sha256
        records[slot].bytes = result.bytes
        records[slot].stored = result.linked ? "link" : "copy"
      case .failure(let error):
        records[slot].file = nil
        records[slot].error = error.description
        failures.append("\(records[slot].source["path"]?.stringValue ?? "?"): \(error.description)")
      }
    }
    copies = still
    try? writeManifest()
    return failures
  }

  /// What report.json lists: every record (record mode), or those the replay used.
  var reportRecords: [EvidenceRecord] {
    switch mode {
    case .off: []
    case .record: records.filter { $0.sha256 != nil || $0.error != nil }
    case .replay: records
    }
  }

  // MARK: manifest

  struct Manifest: Codable {
    var pmhost: String
    var pipeline: JSONValue
    var entries: [EvidenceRecord]
    var lookups: [Lookup]
    var answers: [String: String]

    init(
      pmhost: String, pipeline: JSONValue, entries: [EvidenceRecord], lookups: [Lookup],
      answers: [String: String]
    ) {
      self.pmhost = pmhost
      self.pipeline = pipeline
      self.entries = entries
      self.lookups = lookups
      self.answers = answers
    }

    init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      pmhost = try c.decodeIfPresent(String.self, forKey: .pmhost) ?? "unknown"
      pipeline = try c.decodeIfPresent(JSONValue.self, forKey: .pipeline) ?? .null
      entries = try c.decode([EvidenceRecord].self, forKey: .entries)
      lookups = try c.decodeIfPresent([Lookup].self, forKey: .lookups) ?? []
      answers = try c.decodeIfPresent([String: String].self, forKey: .answers) ?? [:]
    }
  }

  private func writeManifest() throws {
    guard mode == .record else { return }
    // Entries whose copy is still running are left out until it finishes.
    let done = records.filter { $0.kind != .file || $0.sha256 != nil || $0.error != nil }
    let manifest = Manifest(
      pmhost: PMHostVersion.current, pipeline: pipeline, entries: done, lookups: lookups, answers: answers)
    let text = try JSONValueEncoder().encode(manifest).jsonText(pretty: true) + "\n"
    try FileAccess.writeAtomically(Array(text.utf8), to: directory + "/manifest.json")
  }

  private func save(
    _ bytes: UnsafeRawBufferPointer, as name: String, plugin: String, stage: String,
    kind: EvidenceRecord.Kind,
    source: JSONValue
  ) -> EvidenceRecord {
    var record = EvidenceRecord(
      plugin: plugin, stage: stage, kind: kind, source: source, fetchedAt: Self.now())
    do {
      try FileAccess.writeAtomically(Array(bytes), to: directory + "/" + name)
      record.file = name
      if kind != .http { record.stored = "copy" }
      record.sha256 = Self.hex(SHA256.hash(data: bytes))
      record.bytes = bytes.count
    } catch {
      record.error = "could not save the evidence copy: \(error.localizedDescription)"
    }
    return record
  }

  private func uniqueName(_ name: String) -> String {
    var candidate = name
    var n = 1
    while usedNames.contains(candidate) {
      n += 1
      candidate = "\(name).\(n)"
    }
    usedNames.insert(candidate)
    return candidate
  }

  // MARK: helpers

  static func now() -> Timestamp { Timestamp(seconds: Date().timeIntervalSince1970) }

  /// Lower-case hex. Not `String(format:)` per byte: a replay checks every manifest entry's
  /// hash, and formatting was most of the time a 100,000-entry manifest took.
  static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(64)
    for byte in digest {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 15)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// `./data//x.log` and `data/y/../x.log` both become `data/x.log`.
  static func normalized(_ relative: String) -> String {
    var parts: [Substring] = []
    for part in relative.split(separator: "/") {
      switch part {
      case ".": continue
      case "..": if !parts.isEmpty { parts.removeLast() }
      default: parts.append(part)
      }
    }
    return (relative.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
  }

  static func safe(_ s: String) -> String {
    let cleaned = String(s.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
    return cleaned.isEmpty || cleaned.hasPrefix(".") ? "_" + cleaned : cleaned
  }

  static func safeRelative(_ path: String) -> String {
    path.split(separator: "/").map { safe(String($0)) }.joined(separator: "/")
  }
}

/// A file saved into the evidence folder and hashed on a background thread.
///
/// Files are copied (read in 1 MB blocks, each hashed and written, then renamed into place).
/// A file of at least ``Policy/linkThreshold`` bytes is hard-linked instead when the policy
/// allows it and both folders are on one file system: a 50 GB log is then kept without a
/// second 50 GB, and only hashed. The manifest says which (`stored`: `copy` or `link`); a
/// replay refuses evidence whose hash no longer matches, so a linked log that was later
/// rewritten in place is caught, not silently used.
final class CopyJob: Sendable {
  enum Policy: String, Sendable {
    /// Copy small files, hard-link big ones when possible.
    case auto
    /// Always copy.
    case copy

    static let linkThreshold = 64 << 20
  }

  struct Copied: Sendable {
    var sha256: String
    var bytes: Int
    var linked = false
  }
  struct Failure: Error, Sendable, CustomStringConvertible {
    var description: String
  }

  let source: String
  let destination: String
  let policy: Policy
  private let result = Mutex<Result<Copied, Failure>?>(nil)
  private let done = DispatchSemaphore(value: 0)

  init(source: String, destination: String, policy: Policy) {
    self.source = source
    self.destination = destination
    self.policy = policy
  }

  func start() {
    Thread.detachNewThread { [self] in
      let outcome =
        Self.link(source, to: destination, policy: policy) ?? Self.copy(from: source, to: destination)
      result.withLock { $0 = outcome }
      done.signal()
    }
  }

  /// The outcome, waiting for it when `wait`; nil while still running.
  func outcome(wait: Bool) -> Result<Copied, Failure>? {
    if wait {
      done.wait()
      done.signal()
    }
    return result.withLock { $0 }
  }

  /// Hard-links a big file and hashes it; nil when it is to be copied instead.
  private static func link(_ source: String, to destination: String, policy: Policy) -> Result<
    Copied, Failure
  >? {
    guard policy == .auto else { return nil }
    var info = stat()
    guard stat(source, &info) == 0, Int(info.st_size) >= Policy.linkThreshold else { return nil }
    let folder = (destination as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    guard Glibc.link(source, destination) == 0 else { return nil }  // another file system: copy
    switch hash(destination) {
    case .success(var copied):
      copied.linked = true
      return .success(copied)
    case .failure(let error):
      return .failure(error)
    }
  }

  /// SHA-256 and size of a file. It is mapped 1 MB at a time rather than read: hashing
  /// straight from the page cache saves copying every byte (as much time as the hash
  /// itself), and unmapping each window keeps the process's memory flat.
  static func hash(_ path: String) -> Result<Copied, Failure> {
    func failure(_ what: String) -> Result<Copied, Failure> {
      .failure(Failure(description: "\(what) \(path): \(String(cString: strerror(errno)))"))
    }
    let input = open(path, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { return failure("cannot open") }
    defer { close(input) }
    var info = stat()
    guard fstat(input, &info) == 0 else { return failure("cannot read") }
    let total = Int(info.st_size)
    let window = 1 << 20
    var hasher = SHA256()
    var offset = 0
    while offset < total {
      let length = min(window, total - offset)
      guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, input, off_t(offset)),
        base != MAP_FAILED
      else { return failure("cannot map") }
      hasher.update(bufferPointer: UnsafeRawBufferPointer(start: base, count: length))
      munmap(base, length)
      offset += length
    }
    return .success(Copied(sha256: Evidence.hex(hasher.finalize()), bytes: total))
  }

  private static func copy(from source: String, to destination: String) -> Result<Copied, Failure> {
    func failure(_ what: String) -> Result<Copied, Failure> {
      .failure(Failure(description: "\(what): \(String(cString: strerror(errno)))"))
    }
    // Only a regular file, opened without blocking: a FIFO would hang this thread and the run.
    let input: Int32
    do { input = try InputFile.open(source, shown: source).fd } catch {
      return .failure(Failure(description: error.description))
    }
    defer { close(input) }
    let folder = (destination as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let partial = destination + ".partial"
    let output = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard output >= 0 else { return failure("cannot create \(partial)") }
    var closed = false
    defer { if !closed { close(output) } }
    let size = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    var hasher = SHA256()
    var total = 0
    while true {
      let count = read(input, buffer.baseAddress!, size)
      if count < 0 {
        if errno == EINTR { continue }
        return failure("cannot read \(source)")
      }
      if count == 0 { break }
      let chunk = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count)
      hasher.update(bufferPointer: chunk)
      var written = 0
      while written < count {
        let n = write(output, chunk.baseAddress! + written, count - written)
        if n < 0 {
          if errno == EINTR { continue }
          unlink(partial)
          return failure("cannot write \(partial)")
        }
        written += n
      }
      total += count
    }
    closed = true
    guard close(output) == 0, rename(partial, destination) == 0 else {
      unlink(partial)
      return failure("cannot save \(destination)")
    }
    return .success(Copied(sha256: Evidence.hex(hasher.finalize()), bytes: total))
  }
}
