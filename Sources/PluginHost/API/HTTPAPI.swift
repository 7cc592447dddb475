import Foundation
import LuaBridge
import PostmortemCore

/// `ctx.http`: GET and POST to the URLs the pipeline names, every exchange saved as
/// evidence (or served from it under `--replay`). Failures come back as `nil, reason` and
/// are recorded as data gaps unless the plugin passes `gap = false`.
extension PluginRun {
  func httpTable() -> LuaTable {
    var t = LuaTable()
    for (key, method, json) in [
      ("get", "GET", false), ("post", "POST", false), ("delete", "DELETE", false), ("get_json", "GET", true),
      ("post_json", "POST", true),
    ] {
      let name = "ctx.http.\(key)"
      t[key] = bind(name) { [unowned self] args in
        try http(args, name: name, method: method, decodeJSON: json)
      }
    }
    return t
  }

  private func http(_ args: APIArguments, name: String, method: String, decodeJSON: Bool) throws -> Int32 {
    let call = args.call
    let base = args.string(1)
    let options = args[2]
    let url = try requestURL(base, query: options["query"], name: name)
    try checkAllowed(url, name: name)
    let timeout = try timeoutOption(options["timeout_s"], name: name)
    var headers: [String: String] = [:]
    if case .table(let table) = options["headers"] {
      for (key, value) in table.stringFields {
        guard let text = value.stringValue ?? value.doubleValue.map({ PluginRun.displayText(.number($0)) })
        else {
          throw LuaRaise("\(name): header '\(key)' must be a string (got \(value.typeName))")
        }
        headers[key] = text
      }
    }
    var body: [UInt8]? = nil
    if method == "POST" || (method == "DELETE" && !(options["body"].isNil && options["json"].isNil)) {
      if case .string(let s) = options["body"] {
        body = s.bytes
      } else if !options["json"].isNil {
        do { body = Array(try LuaJSON.json(options["json"]).jsonText(pretty: false).utf8) } catch {
          throw LuaRaise("\(name): opts.json: \(error)")
        }
        if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
          headers["Content-Type"] = "application/json"
        }
      } else {
        body = []
      }
    }
    let recordGap = options["gap"].boolValue ?? true
    // What is printed, stored and matched on replay: the URL with its credentials masked.
    let redacted = Redaction.text(url.absoluteString)
    let shown = "\(method) \(redacted)"

    // The exchange: live (and saved), or from the replayed evidence.
    let source = Evidence.httpSource(method: method, url: redacted, body: body)
    var response: HTTPFetcher.Response?
    var failure: String?
    if evidence.mode == .replay {
      do { (response, failure) = try evidence.replayHTTP(source: source) } catch {
        failure = error.description
      }
    } else {
      info("\(shown)")
      var request = HTTPFetcher.Request(
        method: method, url: url, headers: headers, body: body, timeout: timeout)
      request.budget = lua.memoryAvailable
      var overBudget = false
      switch HTTPFetcher.fetch(request) {
      case .success(let r): response = r
      case .failure(let f): (failure, overBudget) = (Redaction.text(f.reason), f.overBudget)
      }
      evidence.recordHTTP(
        source: source, plugin: manifest.name, stage: stage.rawValue, response: response, failure: failure)
      // Past the memory limit, as for Lua memory: the plugin stops (a collector: a gap).
      if overBudget { throw memoryExceeded("HTTP response body from \(shown): \(failure ?? "")") }
    }

    func fail(_ reason: String) -> Int32 {
      let message = "\(shown): \(reason)"
      if recordGap {
        model.addGap(Gap(source: sourceLabel, plugin: manifest.name, reason: message))
        info("gap: \(message)")
      }
      return call.returning(.nil, .text(message))
    }
    guard let response else { return fail(failure ?? "no response") }
    try spend(0)
    let table = responseTable(response)
    guard decodeJSON else { return call.returning(.table(table)) }
    guard (200..<300).contains(response.status) else {
      return fail("HTTP \(response.status)\(Self.excerpt(response.body))")
    }
    let value: JSONValue
    // Decoding is counted as it goes: a body within the limit may decode to many times it.
    do { value = try JSONValue.parse(Data(response.body), maxBytes: lua.memoryAvailable) } catch {
      if error.tooBig { throw memoryExceeded("JSON decoded from the response of \(shown)") }
      return fail("invalid JSON at line \(error.line), column \(error.column): \(error.message)")
    }
    // The decoded tree is the host's until Lua has its copy: counted while it is held.
    let treeBytes = HostMemory.bytes(value)
    try charge(treeBytes, for: "JSON decoded from the response of \(shown)")
    defer { lua.releaseHostMemory(treeBytes) }
    return call.returning(LuaJSON.lua(value), .table(table))
  }

  private func responseTable(_ response: HTTPFetcher.Response) -> LuaTable {
    var table = LuaTable()
    table["status"] = .integer(Int64(response.status))
    table["body"] = .string(LuaString(bytes: response.body))
    var headers = LuaTable()
    for (key, value) in response.headers { headers[key] = .text(value) }
    table["headers"] = .table(headers)
    table["url"] = .text(Redaction.text(response.url))
    return table
  }

  /// ` : {"status":"error",...}` — the start of a body, for messages.
  static func excerpt(_ body: [UInt8]) -> String {
    let text = String(decoding: body.prefix(300), as: UTF8.self)
      .split(whereSeparator: \.isNewline).joined(separator: " ")
      .trimmingCharacters(in: .whitespaces)
    guard !text.isEmpty else { return "" }
    return ": " + text + (body.count > 300 ? "…" : "")
  }

  private func timeoutOption(_ value: LuaValue, name: String) throws -> Double {
    guard !value.isNil else { return min(30, limits.timeSeconds) }
    guard let seconds = value.doubleValue, seconds > 0, seconds.isFinite else {
      throw LuaRaise("\(name): timeout_s must be a positive number of seconds")
    }
    // A request may not outlive the plugin's own time limit.
    return min(seconds, limits.timeSeconds)
  }

  /// The URL with `opts.query` appended (names sorted, or pairs in order).
  private func requestURL(_ text: String, query: LuaValue, name: String) throws -> URL {
    guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
      scheme == "http" || scheme == "https", components.host?.isEmpty == false
    else {
      throw LuaRaise("\(name): '\(Redaction.text(text))' is not an http:// or https:// URL")
    }
    var items = components.queryItems ?? []
    switch query {
    case .nil: break
    case .table(let table):
      for (i, pair) in table.array.enumerated() {
        guard case .table(let p) = pair, let key = p[index: 1].stringValue,
          let value = Self.queryText(p[index: 2])
        else {
          throw LuaRaise("\(name): opts.query[\(i + 1)] must be a {name, value} pair of strings or numbers")
        }
        items.append(URLQueryItem(name: key, value: value))
      }
      for (key, value) in table.stringFields.sorted(by: { $0.key < $1.key }) {
        guard let text = Self.queryText(value) else {
          throw LuaRaise("\(name): opts.query.\(key) must be a string or a number (got \(value.typeName))")
        }
        items.append(URLQueryItem(name: key, value: text))
      }
    default:
      throw LuaRaise("\(name): opts.query must be a table (got \(query.typeName))")
    }
    if !items.isEmpty {
      // URLComponents leaves `+` alone in queries; servers read it as a space.
      components.percentEncodedQuery = items.map {
        Self.formEncoded($0.name) + "=" + Self.formEncoded($0.value ?? "")
      }.joined(separator: "&")
    }
    guard let url = components.url else {
      throw LuaRaise("\(name): cannot build a URL from '\(Redaction.text(text))'")
    }
    return url
  }

  static func queryText(_ value: LuaValue) -> String? {
    switch value {
    case .string(let s): s.text
    case .integer(let i): String(i)
    case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    case .boolean(let b): String(b)
    default: nil
    }
  }

  static func formEncoded(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
  }

  /// A request may go only under a URL that this plugin reference's options name.
  private func checkAllowed(_ url: URL, name: String) throws {
    guard let target = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
      throw LuaRaise("\(name): cannot read the URL \(Redaction.text(url.absoluteString))")
    }
    for named in namedURLs where Self.covers(named, target) { return }
    let list = namedURLs.compactMap { $0.string.map(Redaction.text) }
    throw LuaRaise(
      "\(name): plugin \(manifest.name) may not fetch \(Redaction.text(url.absoluteString)): only URLs the pipeline names in this plugin's options may be fetched"
        + (list.isEmpty ? " (it names none)" : " (named: \(list.joined(separator: ", ")))"))
  }

  static func covers(_ named: URLComponents, _ target: URLComponents) -> Bool {
    func port(_ c: URLComponents) -> Int? { c.port ?? (c.scheme?.lowercased() == "https" ? 443 : 80) }
    // `/api/../admin` would pass a prefix test and reach `/admin` once the client or the
    // server removes the dot segments: such a path is never covered.
    let segments = target.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
    if segments.contains(where: {
      let decoded = ($0.removingPercentEncoding ?? String($0))
      return decoded == "." || decoded == ".." || decoded.contains("/") || decoded.contains("\\")
    }) {
      return false
    }
    guard named.scheme?.lowercased() == target.scheme?.lowercased(),
      named.host?.lowercased() == target.host?.lowercased(), port(named) == port(target)
    else { return false }
    let prefix = named.percentEncodedPath
    if prefix.isEmpty || prefix == "/" { return true }
    let path = target.percentEncodedPath
    let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
    return path == trimmed || path.hasPrefix(trimmed + "/")
  }

  /// The http(s) URLs among the options (strings, and strings in lists).
  static func namedURLs(in options: LuaTable) -> [URLComponents] {
    var urls: [URLComponents] = []
    func consider(_ value: LuaValue) {
      guard let text = value.stringValue else { return }
      let lower = text.lowercased()
      guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), let c = URLComponents(string: text),
        c.host?.isEmpty == false
      else { return }
      urls.append(c)
    }
    for (_, value) in options.stringFields {
      consider(value)
      if case .table(let list) = value { list.array.forEach(consider) }
    }
    return urls
  }
}
