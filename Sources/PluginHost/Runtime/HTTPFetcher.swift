import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Blocking HTTP for `ctx.http`: one request at a time from the plugin's thread, with a
/// timeout, a size cap and no redirects (a redirect could leave the URLs the pipeline named;
/// the plugin sees the 3xx response instead).
enum HTTPFetcher {
  struct Request {
    var method: String
    var url: URL
    var headers: [String: String]
    var body: [UInt8]?
    var timeout: Double
  }

  struct Response: Sendable {
    var status: Int
    /// Lower-case names.
    var headers: [String: String]
    var body: [UInt8]
    var url: String
  }

  /// Responses larger than this are refused (a plugin would not hold them anyway).
  static let maxBody = 256 << 20

  static func fetch(_ request: Request) -> Result<Response, Failure> {
    var urlRequest = URLRequest(url: request.url)
    urlRequest.httpMethod = request.method
    urlRequest.timeoutInterval = request.timeout
    for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
    if urlRequest.value(forHTTPHeaderField: "User-Agent") == nil {
      urlRequest.setValue("pmhost/\(PMHostVersion.current)", forHTTPHeaderField: "User-Agent")
    }
    if let body = request.body { urlRequest.httpBody = Data(body) }

    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = request.timeout
    configuration.timeoutIntervalForResource = request.timeout
    configuration.httpCookieAcceptPolicy = .never
    configuration.urlCache = nil
    let delegate = NoRedirects()
    let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    defer { session.finishTasksAndInvalidate() }

    let box = Mutex<Result<Response, Failure>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let url = request.url.absoluteString
    let task = session.dataTask(with: urlRequest) { data, response, error in
      let outcome: Result<Response, Failure>
      if let error {
        outcome = .failure(Failure(error: error))
      } else if let http = response as? HTTPURLResponse {
        let body = data ?? Data()
        if body.count > maxBody {
          outcome = .failure(Failure(reason: "response larger than \(maxBody >> 20) MB"))
        } else {
          var headers: [String: String] = [:]
          for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
          }
          outcome = .success(
            Response(status: http.statusCode, headers: headers, body: [UInt8](body), url: url))
        }
      } else {
        outcome = .failure(Failure(reason: "no HTTP response"))
      }
      box.withLock { $0 = outcome }
      done.signal()
    }
    task.resume()
    // URLSession's own timeouts are per idle period; this one bounds the whole exchange.
    if done.wait(timeout: .now() + request.timeout + 1) == .timedOut {
      task.cancel()
      return .failure(Failure(reason: "timed out after \(Limits.format(request.timeout)) s"))
    }
    return box.withLock { $0 } ?? .failure(Failure(reason: "no response"))
  }

  struct Failure: Error, Sendable, CustomStringConvertible {
    var reason: String
    var description: String { reason }

    init(reason: String) { self.reason = reason }

    /// Plain words for the URLError codes a collector meets.
    init(error: any Error) {
      let code = (error as? URLError)?.code
      switch code {
      case .cannotConnectToHost?: reason = "connection refused"
      case .timedOut?: reason = "timed out"
      case .cannotFindHost?, .dnsLookupFailed?: reason = "host not found"
      case .networkConnectionLost?: reason = "connection lost"
      case .notConnectedToInternet?: reason = "network unreachable"
      case .secureConnectionFailed?, .serverCertificateUntrusted?, .serverCertificateHasBadDate?,
        .serverCertificateNotYetValid?, .serverCertificateHasUnknownRoot?:
        reason = "TLS failed: \(error.localizedDescription)"
      case .cancelled?: reason = "cancelled"
      default: reason = error.localizedDescription
      }
    }
  }
}

/// Refuses every redirect: the 3xx response goes back to the plugin.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
  func urlSession(
    _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
  ) {
    completionHandler(nil)
  }
}
