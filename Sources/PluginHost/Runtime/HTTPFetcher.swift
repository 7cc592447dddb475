import CCurl
import Foundation
import PostmortemCore

/// Blocking HTTP for `ctx.http` through the system's libcurl (loaded on the first request,
/// see CCurl): one request at a time from the plugin's thread, with a timeout, a size cap
/// and no redirects (a redirect could leave the URLs the pipeline named; the plugin sees
/// the 3xx response instead).
enum HTTPFetcher {
  struct Request {
    var method: String
    var url: URL
    var headers: [String: String]
    var body: [UInt8]?
    var timeout: Double
    /// Most bytes of body the plugin's memory limit leaves room for: a bigger body stops the
    /// transfer as it comes (``Failure/overBudget``).
    var budget = Int.max
  }

  struct Response: Sendable {
    var status: Int
    /// Lower-case names; repeated headers joined with ", ".
    var headers: [String: String]
    var body: [UInt8]
    var url: String
  }

  struct Failure: Error, Sendable, CustomStringConvertible {
    var reason: String
    /// The body passed the request's ``Request/budget`` (not the fixed ``maxBody``).
    var overBudget = false
    var description: String { reason }
  }

  /// Responses larger than this are refused (a plugin would not hold them anyway).
  static let maxBody = 256 << 20

  static func fetch(_ request: Request) -> Result<Response, Failure> {
    var headerLines = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
    if !request.headers.keys.contains(where: { $0.lowercased() == "user-agent" }) {
      headerLines.append("User-Agent: pmhost/\(PMHostVersion.current)")
    }
    // libcurl would send `Expect: 100-continue` for larger bodies; servers need not support it.
    headerLines.append("Expect:")
    var response = pmh_http_response()
    defer { pmh_http_response_free(&response) }
    let cHeaders = headerLines.map { strdup($0) }
    defer { for header in cHeaders { free(header) } }
    var pointers = cHeaders.map { UnsafePointer<CChar>($0) }
    let timeoutMS = Int(max(1, request.timeout * 1000))
    let cap = min(maxBody, max(0, request.budget))
    pointers.withUnsafeMutableBufferPointer { list in
      list.withMemoryRebound(to: UnsafePointer<CChar>?.self) { headers in
        if let body = request.body {
          body.withUnsafeBufferPointer { bytes in
            pmh_http_perform(
              request.method, request.url.absoluteString, headers.baseAddress, headers.count,
              bytes.baseAddress ?? UnsafePointer(bitPattern: 1), bytes.count, timeoutMS, cap, &response)
          }
        } else {
          pmh_http_perform(
            request.method, request.url.absoluteString, headers.baseAddress, headers.count, nil, 0,
            timeoutMS, cap, &response)
        }
      }
    }
    let message = withUnsafeBytes(of: response.error) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    switch Int(response.failure) {
    case PMH_HTTP_OK:
      break
    case PMH_HTTP_REFUSED: return .failure(Failure(reason: "connection refused"))
    case PMH_HTTP_TIMEOUT:
      return .failure(Failure(reason: "timed out after \(Limits.format(request.timeout)) s"))
    case PMH_HTTP_NO_HOST: return .failure(Failure(reason: "host not found (\(message))"))
    case PMH_HTTP_TLS: return .failure(Failure(reason: "TLS failed: \(message)"))
    case PMH_HTTP_TOO_BIG where cap < maxBody:
      return .failure(
        Failure(
          reason: "response body larger than the \(String(format: "%.1f", Double(cap) / 1_048_576)) MB left",
          overBudget: true))
    case PMH_HTTP_TOO_BIG:
      return .failure(Failure(reason: "response larger than \(maxBody >> 20) MB"))
    default: return .failure(Failure(reason: message))
    }
    let body = response.body.map { [UInt8](UnsafeBufferPointer(start: $0, count: response.body_len)) } ?? []
    let head = response.headers.map {
      String(decoding: UnsafeRawBufferPointer(start: $0, count: response.headers_len), as: UTF8.self)
    }
    return .success(
      Response(
        status: Int(response.status), headers: parseHeaders(head ?? ""), body: body,
        url: request.url.absoluteString))
  }

  /// `Name: value` lines after the status line, names lower-cased.
  static func parseHeaders(_ text: String) -> [String: String] {
    var headers: [String: String] = [:]
    for line in text.split(whereSeparator: \.isNewline).dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      headers[name] = headers[name].map { $0 + ", " + value } ?? value
    }
    return headers
  }
}
