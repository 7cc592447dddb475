import Foundation
import PostmortemCore
import Testing

@testable import PostmortemArchive

/// The archive page in a real browser (Debian's chromium, headless): the DOM it builds has
/// the four charts with the bars the trends call for and nothing hostile text could inject;
/// the page fetches nothing, and its Content-Security-Policy stops a fetch even when markup
/// that asks for one is slipped in (the same page without the policy does fetch, which is
/// how this test could fail). Screenshots (light and dark) and a PDF are kept under
/// .build/test-artifacts/ for a person to look at.
@Suite(.serialized, .enabled(if: Chromium.required, "needs Debian's chromium (scripts/test installs it)"))
struct ArchivePageBrowserTests {
  typealias F = ArchivePageFixtures

  /// A scratch folder, removed at the end.
  final class Scratch {
    let path: String
    init() throws {
      path =
        FileManager.default.temporaryDirectory.appendingPathComponent("pmhost-archive-page-\(UUID())").path
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func write(_ name: String, _ text: String) throws -> String {
      let file = path + "/" + name
      try text.write(toFile: file, atomically: true, encoding: .utf8)
      return "file://" + file
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
  }

  /// The `<rect class="bar ...">` elements of the chart `id` in a DOM Chromium serialised.
  static func bars(_ id: String, in dom: String) -> Int? {
    ArchivePageTests.chart(id, in: dom).map { ArchivePageTests.occurrences("<rect class=\"bar", in: $0) }
  }

  /// Elements and attributes in the DOM that the page does not write: what hostile text
  /// would have added had it become markup, or a script run by it (`data-pwned`).
  static func injected(_ dom: String) -> [String] {
    ArchivePageTests.foreignMarkup(dom)
  }

  @Test func theChartsAreDrawnAndHostileTextStaysText() throws {
    let scratch = try Scratch()
    let typical = try Chromium.run([
      "--dump-dom", try scratch.write("typical.html", ArchivePage.html(F.typical())),
    ])
    #expect(typical.status == 0, "\(typical.stderr.suffix(2000))")
    #expect(
      ArchivePageTests.occurrences("<svg xmlns=\"http://www.w3.org/2000/svg\"", in: typical.stdout) == 4)
    #expect(Self.bars("chart-quarters", in: typical.stdout) == 7)
    #expect(Self.bars("chart-factors", in: typical.stdout) == 2)
    #expect(Self.bars("chart-services", in: typical.stdout) == 3)
    #expect(
      ArchivePageTests.chart("chart-resolve", in: typical.stdout).map {
        $0.components(separatedBy: "<circle ").count - 1
      } == 4)
    #expect(typical.stdout.contains("<title>Post-mortem archive: since 2025-01-01</title>"))
    #expect(typical.console.isEmpty, "\(typical.console)")
    let foreign = Self.injected(typical.stdout)
    #expect(foreign.count == 0, "\(foreign.prefix(10))")

    // Hostile text in every field: the same four charts, their bars, no element or attribute
    // from the text, and the title as text. Once with the policy, once without it: the
    // escaping alone keeps the page inert.
    let hostileTrends = F.hostileTrends()
    let page = ArchivePage.html(hostileTrends)
    let policy =
      "<meta http-equiv=\"Content-Security-Policy\" content=\"\(ArchivePage.contentSecurityPolicy)\">\n"
    #expect(page.contains(policy))
    let quarterBars = hostileTrends.quarters.reduce(0) {
      $0 + $1.incidentsBySeverity.values.filter { $0 > 0 }.count
    }
    for (name, html) in [
      ("hostile.html", page), ("hostile-no-csp.html", page.replacingOccurrences(of: policy, with: "")),
    ] {
      let dom = try Chromium.run(["--dump-dom", try scratch.write(name, html)])
      #expect(dom.status == 0, "\(name): \(dom.stderr.suffix(2000))")
      #expect(ArchivePageTests.occurrences("<svg ", in: dom.stdout) == 4, "\(name)")
      #expect(Self.bars("chart-quarters", in: dom.stdout) == quarterBars, "\(name)")
      #expect(Self.bars("chart-factors", in: dom.stdout) == ArchivePage.maxFactorBars, "\(name)")
      #expect(Self.bars("chart-services", in: dom.stdout) == hostileTrends.services.count, "\(name)")
      let injected = Self.injected(dom.stdout)
      #expect(injected.count == 0, "\(name): \(injected.prefix(10))")
      #expect(
        dom.stdout.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\"><head>"), "\(name): \(dom.stdout.prefix(80))"
      )
      #expect(
        dom.stdout.contains(
          "<title>Post-mortem archive: &lt;/title&gt;&lt;script&gt;document.documentElement.setAttribute('data-pwned','1')"
        ), "\(name)")
      #expect(ArchivePageTests.has(dom.stdout, "]]&gt;&lt;script&gt;"), "\(name)")
      #expect(dom.console.isEmpty, "\(name): \(dom.console)")
    }
  }

  @Test func thePageFetchesNothingAndItsPolicyForbidsFetching() throws {
    let scratch = try Scratch()
    let server = try LoopbackHTTPServer()
    defer { server.stop() }
    let page = ArchivePage.html(F.hostileTrends())

    // As written: nothing reaches the server (nor anywhere else: the page names no URL).
    let plain = try Chromium.run(["--dump-dom", try scratch.write("page.html", page)])
    #expect(plain.status == 0, "\(plain.stderr.suffix(2000))")
    #expect(server.connections == 0)

    // Markup that fetches, slipped into the body as if an escape had been missed.
    let o = server.origin
    let slipped =
      "<img src=\"\(o)/img.png\"><link rel=\"stylesheet\" href=\"\(o)/style.css\">"
      + "<script src=\"\(o)/script.js\"></script><style>@import url(\"\(o)/import.css\");</style>"
      + "<iframe src=\"\(o)/frame.html\"></iframe><svg><image href=\"\(o)/svg-image.png\"/></svg>"
    let injected = page.replacingOccurrences(of: "<main>", with: "<main>" + slipped)
    #expect(injected != page)
    let guarded = try Chromium.run(["--dump-dom", try scratch.write("slipped.html", injected)])
    #expect(guarded.status == 0, "\(guarded.stderr.suffix(2000))")
    #expect(guarded.stdout.contains("<img src=\"\(o)/img.png\">"), "the markup is in the DOM, only blocked")
    // No request is sent. (Chromium 156 still opens a TCP connection for the blocked iframe,
    // and sends nothing on it: the policy is a second line, the escaping is the first.)
    #expect(server.requests.isEmpty, "\(server.requests)")

    // The control: the same page without its policy fetches from the server.
    let policy =
      "<meta http-equiv=\"Content-Security-Policy\" content=\"\(ArchivePage.contentSecurityPolicy)\">\n"
    let open = try Chromium.run(
      ["--dump-dom", try scratch.write("open.html", injected.replacingOccurrences(of: policy, with: ""))])
    #expect(open.status == 0, "\(open.stderr.suffix(2000))")
    let fetched = server.requests
    #expect(fetched.contains { $0.hasPrefix("GET /img.png ") }, "\(fetched)")
    #expect(fetched.contains { $0.hasPrefix("GET /script.js ") }, "\(fetched)")
  }

  @Test func itDrawsInLightAndDarkAndPrints() throws {
    let scratch = try Scratch()
    let page = try scratch.write("archive.html", ArchivePage.html(F.atScale()))
    let hostile = try scratch.write("hostile.html", ArchivePage.html(F.hostileTrends()))
    let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/test-artifacts").path
    try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
    let shots = [
      ("archive-report.png", [page]), ("archive-report-dark.png", ["--force-dark-mode", page]),
      ("archive-report-hostile.png", [hostile]),
    ]
    for (name, arguments) in shots {
      let shot = artifacts + "/" + name
      try? FileManager.default.removeItem(atPath: shot)
      let run = try Chromium.run(
        ["--hide-scrollbars", "--window-size=1100,2600", "--screenshot=\(shot)"] + arguments)
      #expect(run.status == 0, "\(run.stderr.suffix(2000))")
      let png = try #require(FileManager.default.contents(atPath: shot), "no screenshot at \(shot)")
      #expect(
        png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 30_000, "\(name): \(png.count) bytes")
      #expect(run.console.isEmpty, "\(run.console)")
    }
    let pdf = artifacts + "/archive-report.pdf"
    try? FileManager.default.removeItem(atPath: pdf)
    let printed = try Chromium.run(["--no-pdf-header-footer", "--print-to-pdf=\(pdf)", page])
    #expect(printed.status == 0, "\(printed.stderr.suffix(2000))")
    let data = try #require(FileManager.default.contents(atPath: pdf), "no PDF at \(pdf)")
    #expect(data.starts(with: Array("%PDF".utf8)) && data.count > 50_000, "\(data.count) bytes")
  }
}
