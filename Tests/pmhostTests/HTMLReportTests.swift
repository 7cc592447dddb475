import Foundation
import Testing

/// The example's report.html in a real browser: Debian's chromium, headless. It must load
/// with no console error and draw its SVG; the screenshot is kept under
/// .build/test-artifacts/ for a person to look at.
@Suite(.serialized) struct HTMLReportTests {
  static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  static func browser(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(chromium))
    process.arguments =
      ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0"]
      + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: outData, as: UTF8.self),
      String(decoding: errData, as: UTF8.self)
    )
  }

  @Test(.enabled(if: chromium != nil, "needs Debian's chromium (scripts/test installs it)"))
  func theExampleReportRendersInChromium() throws {
    let out = try Scratch()
    defer { out.remove() }
    let run = try PMHostProcess.run(["run", "examples/api-outage/pipeline.lua", "--out", out.path, "--quiet"])
    #expect(run.status == exampleRunStatus, "\(run.stderr)")
    let page = "file://" + out.path + "/report.html"

    // The DOM Chromium built: the SVG timeline and chart are elements, not text.
    let dom = try Self.browser(["--dump-dom", page])
    #expect(dom.status == 0, "\(dom.stderr.suffix(2000))")
    #expect(dom.stdout.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(
      dom.stdout.components(separatedBy: "<svg ").count - 1 == 3,
      "the timeline, the chart and the causal graph")
    #expect(dom.stdout.contains("<polyline"))

    let artifacts = PMHostProcess.packageRoot + "/.build/test-artifacts"
    try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
    let shot = artifacts + "/api-outage-report.png"
    try? FileManager.default.removeItem(atPath: shot)
    let screenshot = try Self.browser([
      "--hide-scrollbars", "--window-size=1100,2400", "--screenshot=\(shot)", page,
    ])
    #expect(screenshot.status == 0, "\(screenshot.stderr.suffix(2000))")
    let png = try #require(FileManager.default.contents(atPath: shot), "no screenshot at \(shot)")
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "\(png.count) bytes")

    // Console messages reach stderr as CONSOLE(...) lines with --enable-logging; there must be none.
    for output in [dom.stderr, screenshot.stderr] {
      let console = output.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
      #expect(console.isEmpty, "\(console)")
    }
  }

  /// A report of 100,000 timeline rows (two logs over three days, no bursts) as a browser
  /// sees it: under 3 MB, at most `max_rows` (2,000) rows in the table and the rest counted,
  /// the timeline drawn as density strips, the table filtered by the page's own script from
  /// a URL hash, hostile text inert. The page measures its layout, filter and scrolling
  /// (`perf=1` in the hash) and the figures are printed, not asserted: no timed unit tests.
  @Test(.enabled(if: chromium != nil, "needs Debian's chromium (scripts/test installs it)"))
  func aReportOf100000EventsOpensFiltersAndScrolls() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let hostile = "</script><script>document.title='pwned'</script><img src=x onerror=alert(1)> & <b>bold</b>"
    let start = 1_739_059_200.0  // 2025-02-09T00:00:00Z
    let format = ISO8601DateFormatter()
    format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    func log(_ count: Int, every: Double, _ message: (Int) -> String) -> String {
      var lines: [String] = []
      lines.reserveCapacity(count)
      for i in 0..<count {
        let at = format.string(from: Date(timeIntervalSince1970: start + Double(i) * every))
        lines.append("\(at) level=error msg=\"\(message(i))\"")
      }
      return lines.joined(separator: "\n") + "\n"
    }
    try scratch.write(
      "app.log",
      log(60_000, every: 4.32) { i in
        i < 2
          ? hostile : (i % 3 == 0 ? "checkout failed for order \(i)" : "payment timeout on /api/v1/cart \(i)")
      })
    try scratch.write("db.log", log(40_000, every: 6.48) { i in "slow query \(i) on orders" })
    try scratch.write(
      "incident.yaml",
      """
      id: PM-BIG
      title: Three days of checkout errors
      started_at: 2025-02-10T10:00:00Z
      ended_at: 2025-02-10T13:00:00Z
      services: [api-service]

      """)
    try scratch.write(
      "pipeline.lua",
      """
      return {
        incident = "incident.yaml",
        table_margin_s = 3 * 86400,
        collect = {
          { "log-pattern", path = "app.log", source = "app", kind = "error",
            pattern = '^(%S+) level=(%a+) msg="(.-)"$', fields = { "time", "level", "message" } },
          { "log-pattern", path = "db.log", source = "db", kind = "slow_query",
            pattern = '^(%S+) level=(%a+) msg="(.-)"$', fields = { "time", "level", "message" } },
        },
        report = { "html" },
      }

      """)
    let began = Date()
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "out", "--quiet"], in: scratch.path)
    let runSeconds = Date().timeIntervalSince(began)
    #expect(run.status == 0, "\(run.stderr)")
    let html = try #require(scratch.read("out/report.html"))
    let bytes = html.utf8.count
    #expect(bytes < 3_000_000, "\(bytes) bytes")
    #expect(html.contains(" of the 100,000 rows in the incident window"))
    #expect(html.contains("report.json holds the whole set"))
    let rows = html.components(separatedBy: "<tr data-t=\"").count - 1
    #expect(rows > 1_900 && rows <= 2_000, "\(rows) rows")
    #expect(!html.contains("<circle "), "density strips, not a shape per event")
    #expect(html.components(separatedBy: "<rect ").count < 3_000)
    #expect(html.components(separatedBy: "<script").count == 2, "one script: the page's own")
    #expect(!html.contains("<img") && !html.contains("<b>bold"))
    #expect(html.contains("&lt;/script&gt;&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"))

    let page = "file://" + scratch.path + "/out/report.html"
    func visible(_ dom: String) -> [String] {
      dom.components(separatedBy: "<tr data-t=\"").dropFirst().map { String($0.prefix { $0 != "\n" }) }
        .filter { row in !(row.components(separatedBy: ">").first ?? "").contains("hidden") }
    }

    // Without script (as written): every row shown, the filter form hidden.
    #expect(visible(html).count == rows)
    #expect(html.contains("<form id=\"tl-filter\" class=\"filter\" hidden>"))

    // Opened with no filter: every row shown; the page's measurement of layout and scrolling.
    var began2 = Date()
    let whole = try Self.browser(["--window-size=1100,900", "--dump-dom", page + "#perf=1"])
    let loadSeconds = Date().timeIntervalSince(began2)
    #expect(whole.status == 0, "\(whole.stderr.suffix(2000))")
    #expect(whole.stdout.contains(">\(rows) of \(rows) rows shown</output>"))
    #expect(visible(whole.stdout).count == rows)
    #expect(!whole.stdout.contains("<title>pwned") && !whole.stdout.contains("<img"))
    let perf = try #require(
      whole.stdout.components(separatedBy: "data-perf=\"").dropFirst().first?.prefix { $0 != "\"" })
    print(
      "html at scale: \(bytes) bytes, \(rows) rows; pmhost run \(String(format: "%.1f", runSeconds)) s;"
        + " chromium --dump-dom \(String(format: "%.1f", loadSeconds)) s;"
        + " page: \(perf.replacingOccurrences(of: "&quot;", with: "\""))")

    // Filtered from the URL hash: text, source and a time range.
    began2 = Date()
    let query = "#q=checkout&source=app&kind=error&from=2025-02-10%2010:00&to=2025-02-10T13:00"
    let filtered = try Self.browser(["--dump-dom", page + query])
    #expect(filtered.status == 0, "\(filtered.stderr.suffix(2000))")
    let shown = visible(filtered.stdout)
    #expect(!shown.isEmpty && shown.count < rows, "\(shown.count) of \(rows)")
    #expect(filtered.stdout.contains(">\(shown.count) of \(rows) rows shown</output>"))
    let lo = 1_739_181_600  // 2025-02-10T10:00:00Z
    for row in shown {
      let t = Int(row.prefix { $0 != "\"" }) ?? 0
      #expect(t >= lo && t <= lo + 3 * 3600, "\(row)")
      #expect(row.contains("data-s=\"app\" data-k=\"error\"") && row.contains("checkout failed"), "\(row)")
    }
    print(
      "html at scale: filter to \(shown.count) rows, chromium \(String(format: "%.1f", Date().timeIntervalSince(began2))) s"
    )

    for output in [whole.stderr, filtered.stderr] {
      let console = output.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
      #expect(console.isEmpty, "\(console)")
    }
  }
}
