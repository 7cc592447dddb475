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
    #expect(run.status == 0, "\(run.stderr)")
    let page = "file://" + out.path + "/report.html"

    // The DOM Chromium built: the SVG timeline and chart are elements, not text.
    let dom = try Self.browser(["--dump-dom", page])
    #expect(dom.status == 0, "\(dom.stderr.suffix(2000))")
    #expect(dom.stdout.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(dom.stdout.components(separatedBy: "<svg ").count - 1 == 3, "the timeline, the chart and the causal graph")
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
}
