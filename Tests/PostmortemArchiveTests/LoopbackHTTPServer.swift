import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A real HTTP server on 127.0.0.1 that answers every request with 404 and remembers the
/// request lines: what a page fetched when a browser opened it.
final class LoopbackHTTPServer: @unchecked Sendable {
  let port: UInt16
  private let socket: Int32
  private let lock = NSLock()
  private var lines: [String] = []
  private var connected = 0
  private let done = DispatchSemaphore(value: 0)

  init() throws {
    #if canImport(Glibc)
      let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let fd = Darwin.socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
      close(fd)
      throw POSIXError(.init(rawValue: errno) ?? .EIO)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    socket = fd
    port = UInt16(bigEndian: address.sin_port)
    let thread = Thread { [self] in serve() }
    thread.start()
  }

  /// `http://127.0.0.1:PORT`.
  var origin: String { "http://127.0.0.1:\(port)" }

  /// The request lines received so far (`GET /leak.png HTTP/1.1`).
  var requests: [String] { lock.withLock { lines } }

  /// The connections accepted so far, with a request or not (a browser may connect ahead of
  /// a fetch it then makes or not).
  var connections: Int { lock.withLock { connected } }

  /// Stops accepting and waits for the serving thread.
  func stop() {
    shutdown(socket, Int32(SHUT_RDWR))
    close(socket)
    done.wait()
  }

  private func serve() {
    defer { done.signal() }
    while true {
      let client = accept(socket, nil, nil)
      if client < 0 {
        if errno == EINTR { continue }
        return
      }
      lock.withLock { connected += 1 }
      // Each connection on a thread of its own: a browser may open one and send nothing.
      Thread { [self] in answer(client) }.start()
    }
  }

  private func answer(_ client: Int32) {
    defer { close(client) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var buffer = [UInt8](repeating: 0, count: 8_192)
    let count = read(client, &buffer, buffer.count)
    guard count > 0 else { return }
    let request = String(decoding: buffer.prefix(count), as: UTF8.self)
    let line = request.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
    lock.withLock { lines.append(line) }
    let response = Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
    _ = response.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count) }
  }
}
