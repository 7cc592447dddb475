import Foundation
import PostmortemCore
import PostmortemDocument

/// `pmhost import post-mortem.md`: a hand-written post-mortem as a report.json, so that old
/// incidents can be read beside new ones. What the document states is kept; what it does
/// not is marked unknown (`imported.unknown`), never invented.
public enum DocumentImport {
  /// The report.json bytes for the document at `path`.
  public static func report(path: String) throws(HostError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .configuration("\(path): no such file")
    }
    guard isMarkdown(path, data) else {
      throw .configuration("\(path): not a Markdown post-mortem (pmhost import reads .md files)")
    }
    var doc = try importMarkdown(data, path: path)
    var unknown: [String] = []
    guard case .object(var root) = doc else { throw .failed("\(path): the reader returned no document") }

    // The window: the document's stated start and end, else its first and last exact rows.
    let exact = (root["timeline"]?.arrayValue ?? []).compactMap { $0["time"]?.stringValue }.compactMap {
      try? TimeParser.parseRFC3339($0)
    }
    var incident = root["incident"]?.objectValue ?? [:]
    let start =
      incident["started_at"]?.stringValue.flatMap { try? TimeParser.parseRFC3339($0) } ?? exact.min()
    let end = incident["ended_at"]?.stringValue.flatMap { try? TimeParser.parseRFC3339($0) } ?? exact.max()
    guard let start, let end else {
      throw .failed(
        "\(path): no exact time in the document (no timeline row with a date, a time and a zone): pmhost import needs one to place the incident; --explain shows what was read"
      )
    }
    if incident["started_at"]?.stringValue == nil {
      unknown.append("incident.started_at (first timeline row used)")
    }
    if incident["ended_at"]?.stringValue == nil {
      unknown.append("incident.ended_at (last timeline row used)")
    }
    incident["started_at"] = .string(start.formatted(.rfc3339))
    incident["ended_at"] = .string(end.formatted(.rfc3339))
    if (incident["title"]?.stringValue ?? "").isEmpty {
      incident["title"] = .string(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
      unknown.append("incident.title (the file name used)")
    }
    if incident["people"]?.objectValue == nil { incident["people"] = .object([:]) }
    for key in ["summary", "root_cause", "severity"] where incident[key] == nil || incident[key] == .null {
      unknown.append("incident.\(key)")
    }
    root["incident"] = .object(incident)
    for key in ["key_moments", "metrics"] where root[key] == nil { root[key] = .object([:]) }
    if root["severity"] == nil { root["severity"] = .null }
    for key in ["gaps", "warnings", "validation", "what_went_well", "lessons_learned", "action_items"]
    where root[key] == nil {
      root[key] = .array([])
    }
    unknown.append("key_moments (a document states none pmhost can place)")
    root["pmhost"] = .object([
      "version": .string(PMHostVersion.current),
      "generated_at": .string(Timestamp(seconds: Date().timeIntervalSince1970).formatted(.rfc3339)),
    ])
    if case .object(var imported) = root["imported"] ?? .null {
      imported["unknown"] = .array(unknown.map { .string($0) })
      root["imported"] = .object(imported)
    }
    doc = .object(root)
    let bytes = Array(doc.jsonText(pretty: true).utf8) + [0x0A]
    // What pmhost writes it must read back.
    do { _ = try Report.decode(Data(bytes), origin: path) } catch {
      throw .failed("\(path): the imported report does not read back: \(error)")
    }
    return bytes
  }

  /// Writes the report to `output` atomically. An existing file there is replaced only when
  /// it is a report.json pmhost wrote: nothing pmhost did not write is overwritten.
  public static func write(_ bytes: [UInt8], to output: String) throws(HostError) {
    if let existing = FileManager.default.contents(atPath: output) {
      let isReport = (try? JSONValue.parse(existing))?["pmhost"]?["version"]?.stringValue != nil
      guard isReport else {
        throw .configuration(
          "\(output) exists and is not a report.json pmhost wrote: not overwritten; name another file with -o"
        )
      }
    }
    do { try FileAccess.writeAtomically(bytes, to: output) } catch {
      throw .failed("\(output): cannot write it: \(error)")
    }
  }

  /// Whether a file to validate is a hand-written Markdown post-mortem rather than report.json.
  static func isMarkdown(_ path: String, _ data: Data) -> Bool {
    let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
    if ["md", "markdown", "mdown"].contains(ext) { return true }
    if ext == "json" { return false }
    return data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) != UInt8(ascii: "{")
  }

  /// A Markdown post-mortem read into report.json's shape by ``DocumentReader`` (libcmark-gfm's
  /// tree): refused above ``DocumentReader/maxBytes``, so reading stays bounded in time and memory.
  static func importMarkdown(_ data: Data, path: String) throws(HostError) -> JSONValue {
    if let refusal = DocumentReader.refusal(byteCount: data.count, name: path) {
      throw .configuration(refusal)
    }
    let name = URL(fileURLWithPath: path).lastPathComponent
    if let text = String(data: data, encoding: .utf8) { return DocumentReader.read(text: text, name: name) }
    // Saved from a Windows editor: read, and said so in the notes.
    guard !data.contains(0), let text = String(data: data, encoding: .windowsCP1252) else {
      throw .configuration("\(path): not UTF-8 text")
    }
    return DocumentReader.read(
      text: text, name: name, notes: ["\(name) is not UTF-8: read as Windows-1252 (save it as UTF-8)"])
  }
}
