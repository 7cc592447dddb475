import Foundation
import Testing

/// Output is escaped for where it goes (issue 14, items 2 and 8): the gh script never
/// interprets data, report.md shows evidence as inert text, follow-up.ics keeps every text
/// inside its property, and the terminal sees control characters only escaped. Each test runs
/// the real binary on hostile titles, ids, owners, action texts, log lines and chat messages.
@Suite(.serialized) struct EscapingTests {
  // MARK: hostile input

  static let hostileID = "PM-1$(touch CANARY)`touch CANARY`\n#!/bin/sh\ntouch CANARY"
  static let hostileTitle =
    "'; touch CANARY; '\r\n-R evil/repo \u{1b}]0;pwned\u{07} ünïcødé 😀 \\ \" "
    + String(repeating: "long title ", count: 300)

  /// id, action, owner (nil: none), the file name of its body, its assignee.
  static let items: [(id: String, action: String, owner: String?, file: String, assignee: String?)] = [
    ("$(touch CANARY)", "`touch CANARY` and $(touch CANARY)", "@bob", "__touch_CANARY_", "bob"),
    ("../../x\n#!", "'; touch CANARY; '", "-R evil/repo", "_.._x___", nil),
    ("-R evil/repo", "-t\r\ninjected\u{1b}[2J\rtouch CANARY", "@alice", "R_evil_repo", "alice"),
    ("AI-4", "ünïcødé 😀 " + String(repeating: "long ", count: 2000), nil, "AI-4", nil),
    ("a/b", "x\n\n-R evil/repo", "@dan", "a_b", "dan"),
    ("a_b", "--repo=evil/repo", "@dan", "a_b-2", "dan"),
  ]

  /// A YAML double-quoted scalar holding `s` exactly.
  static func yaml(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case _ where u.value < 0x20 || (0x7F...0x9F).contains(u.value):
        out += String(format: "\\x%02x", u.value)
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }

  /// A pipeline with the hostile incident and action items, act and track stages only.
  static func hostilePipeline(track: String) throws -> Scratch {
    let scratch = try Scratch()
    try scratch.write(
      "incident.yaml",
      """
      id: \(yaml(hostileID))
      title: \(yaml(hostileTitle))
      started_at: 2025-02-09T10:00:00Z
      ended_at: 2025-02-09T11:00:00Z
      authors: ["@alice"]
      summary: The test service returned errors.
      """)
    let actions = items.map { item in
      "- { id: \(yaml(item.id)), action: \(yaml(item.action)), "
        + (item.owner.map { "owner: \(yaml($0)), " } ?? "") + "deadline: 2025-03-01, priority: High }"
    }
    try scratch.write("actions.yaml", actions.joined(separator: "\n") + "\n")
    try scratch.write(
      "pipeline.lua",
      """
      return {
        incident = "incident.yaml",
        out = "out",
        act = { { "action-items", file = "actions.yaml" } },
        track = \(track),
      }
      """)
    return scratch
  }

  /// Control characters as the gh script writes a title: each run of them one space.
  static func oneLine(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    var inRun = false
    for u in s.unicodeScalars {
      if u.value < 0x20 || (0x7F...0x9F).contains(u.value) {
        if !inRun { out.append(" ") }
        inRun = true
      } else {
        out.append(u)
        inRun = false
      }
    }
    return String(out)
  }

  /// `s` as cmark-gfm writes text in HTML.
  static func htmlText(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static func files(named name: String, under root: String) -> [String] {
    let walker = FileManager.default.enumerator(atPath: root)
    var found: [String] = []
    while let path = walker?.nextObject() as? String {
      if (path as NSString).lastPathComponent == name { found.append(path) }
    }
    return found
  }

  static func run(
    _ tool: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]
  )
    throws -> (status: Int32, stdout: String)
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  // MARK: item 2: the gh script

  @Test func theGhScriptPassesEveryHostileValueAsOneArgumentOrAFile() throws {
    let scratch = try Self.hostilePipeline(track: #"{ { "github-issues", repo = "acme/api" } }"#)
    defer { scratch.remove() }
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--quiet"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    // The stub gh: each call's argv (count first, NUL-separated) and a copy of its body file.
    try scratch.write(
      "bin/gh",
      """
      #!/bin/sh
      n=$(cat "$GH_DIR/count" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$GH_DIR/count"
      printf '%s\\0' "$#" > "$GH_DIR/argv.$n"
      for a in "$@"; do
        printf '%s\\0' "$a" >> "$GH_DIR/argv.$n"
        case "$a" in --body-file=*) cat -- "${a#--body-file=}" > "$GH_DIR/body.$n" ;; esac
      done

      """)
    chmod(scratch.path + "/bin/gh", 0o755)
    try FileManager.default.createDirectory(atPath: scratch.path + "/gh", withIntermediateDirectories: true)
    // Run from another folder than the script's: it changes to its own.
    let script = try Self.run(
      "sh", ["out/track/github-issues.sh"], in: scratch.path,
      environment: [
        "PATH": scratch.path + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        "GH_DIR": scratch.path + "/gh",
      ])
    #expect(script.status == 0)
    #expect(Self.files(named: "CANARY", under: scratch.path).isEmpty, "a value ran as a command")
    #expect(Self.files(named: "CANARY", under: NSTemporaryDirectory()).isEmpty)
    #expect(scratch.read("gh/count") == "\(Self.items.count)\n", "one gh call per action item")
    for (n, item) in Self.items.enumerated() {
      let record = try #require(scratch.read("gh/argv.\(n + 1)"), "call \(n + 1)")
      var fields = record.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
      #expect(fields.last == "")
      fields.removeLast()
      #expect(Int(fields.removeFirst()) == fields.count)
      var expected = [
        "issue", "create", "--repo=acme/api", "--title=" + Self.oneLine(item.id + ": " + item.action),
        "--body-file=github-issues/\(item.file).md", "--label=post-mortem",
      ]
      if let who = item.assignee { expected.append("--assignee=" + who) }
      #expect(fields == expected, "call \(n + 1)")
      // The body is Markdown on GitHub: rendered with no sanitiser, it holds no tag, link or
      // image of the data's; its last line is the one marker, whose ids hold no space or "-->".
      let body = try #require(scratch.read("gh/body.\(n + 1)"), "body of call \(n + 1)")
      let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
      #expect(lines.filter { $0.contains("<!--") }.count == 1, "\(body)")
      let marker = String(lines.last ?? "")
      #expect(
        marker.hasPrefix("<!-- pmhost:PM-1%24%28touch%20CANARY%29") && marker.hasSuffix(" -->"), "\(marker)")
      #expect(!marker.dropFirst(5).dropLast(4).contains(" "), "\(marker)")
      try scratch.write("gh/body.md", body)
      let render = try Self.run(
        try #require(Self.cmark), ["-e", "table", "-e", "strikethrough", "--unsafe", "gh/body.md"],
        in: scratch.path)
      #expect(render.status == 0)
      for tag in ["<script", "<img", "<a ", "<code>", "<em>", "<h1", "<del>"] {
        #expect(!render.stdout.contains(tag), "\(tag) in \(render.stdout)")
      }
      // Shown as typed: the owner and the title's text survive as text.
      #expect(
        render.stdout.contains("Owner: \(item.owner.map(Self.htmlText) ?? "unassigned")"), "\(render.stdout)")
      #expect(render.stdout.contains("PM-1$(touch CANARY)`touch CANARY` #!/bin/sh touch CANARY: "))
    }
  }

  // MARK: item 8: iCalendar

  @Test func theCalendarKeepsAnInjectedEventOutAndFoldsWithinUTF8() throws {
    let title =
      "Outage\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected\rDTSTART:19700101T000000Z; a,b \\ é€😀"
    let scratch = try Self.hostilePipeline(track: #"{ "calendar" }"#)
    defer { scratch.remove() }
    var incident = try #require(scratch.read("incident.yaml"))
    incident = incident.replacingOccurrences(
      of: "title: \(Self.yaml(Self.hostileTitle))", with: "title: \(Self.yaml(title))")
    try scratch.write("incident.yaml", incident)
    #expect(try PMHostProcess.run(["run", "pipeline.lua", "--quiet"], in: scratch.path).status == 0)
    let ics = try #require(FileManager.default.contents(atPath: scratch.path + "/out/follow-up.ics"))
    for line in ics.split(separator: UInt8(ascii: "\n")) {
      #expect(line.last == UInt8(ascii: "\r"))
      #expect(line.count - 1 <= 75, "a line longer than 75 octets")
      #expect(String(validatingUTF8: (Array(line.dropLast()) + [0]).map { CChar(bitPattern: $0) }) != nil)
      #expect(!line.dropLast().contains { $0 < 0x20 || $0 == 0x7F }, "a control character inside a line")
    }
    try scratch.write(
      "read.py",
      """
      import json, sys, icalendar
      cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
      print(json.dumps([str(e["SUMMARY"]) for e in cal.walk("VEVENT")]))
      """)
    let read = try Self.run("python3", ["read.py", "out/follow-up.ics"], in: scratch.path)
    #expect(read.status == 0)
    let summaries = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String])
    let shown = "Outage\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injectedDTSTART:19700101T000000Z; a,b \\ é€😀"
    #expect(
      summaries == [
        "Post-mortem follow-up review: " + shown, "Action-item review: " + shown,
      ])
  }

  // MARK: item 8: Markdown

  static let cmark = MarkdownRenderTests.cmark

  @Test(.enabled(if: cmark != nil, "needs Debian's cmark-gfm (scripts/test installs it)"))
  func reportMDShowsHostileLogLinesAndChatAsInertText() throws {
    let scratch = try EvidenceTests.exampleCopy()
    defer { scratch.remove() }
    // Slack stores what people typed with &lt; &gt; &amp;: the collector decodes them.
    let hostileChat = [
      "kubectl &lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=http://evil.example/i.png&gt;",
      "kubectl ![](http://evil.example/pixel.png) [click](javascript:alert(1)) &lt;http://evil.example/auto&gt;",
      "kubectl *em* _it_ `code` ~~gone~~ a | b\rc\nd",
      "kubectl &amp;lt;script&amp;gt; as typed",
      "kubectl see www.evil.example and https://evil.example/x",
    ]
    let path = "data/slack/incident-2025-02-09/2025-02-09.json"
    let original = try #require(scratch.read(path))
    var messages = try #require(
      try JSONSerialization.jsonObject(with: Data(original.utf8)) as? [[String: Any]])
    for (i, text) in hostileChat.enumerated() {
      messages.append([
        "type": "message", "user": "U01ALICE", "text": text, "ts": "\(1_739_098_200 + i * 120).000100",
      ])
    }
    try scratch.write(
      path, String(decoding: try JSONSerialization.data(withJSONObject: messages), as: UTF8.self))
    // And a log line (kubectl-logs keeps error lines).
    var log = try #require(scratch.read("data/kubectl/api-service.log"))
    log +=
      "[pod/api-service-7d9f8b6c5-x2x4q/api] 2025-02-09T11:05:00.000000000Z level=error msg=\"<script>x()</script> <img src=http://evil.example/l.png> | cell\rrow\"\n"
    try scratch.write("data/kubectl/api-service.log", log)
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--quiet"], in: scratch.path)
    #expect(run.status == exampleRunStatus, "\(run.stderr)")
    let md = try #require(scratch.read("out/report.md"))
    // --unsafe: raw HTML and javascript: links pass, as they would through a renderer with
    // no sanitiser; report.md must be inert without one. GFM's autolink extension (GitHub
    // has it on) would make a link of a bare http:// or www. URL.
    let render = try Self.run(
      try #require(Self.cmark),
      ["-e", "table", "-e", "strikethrough", "-e", "autolink", "--unsafe", "out/report.md"],
      in: scratch.path)
    #expect(render.status == 0)
    let html = render.stdout
    #expect(!html.contains("<script"), "\(html)")
    #expect(!html.contains("<img"))
    #expect(!html.lowercased().contains("href=\"javascript:"))
    #expect(!html.contains("src=\""))
    #expect(!html.contains("<a "), "no link at all: the report has none of its own")
    #expect(!html.contains("<em>") && !html.contains("<code>") && !html.contains("<del>"))
    // The texts are there, as text.
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(html.contains("![](http://evil.example/pixel.png) [click](javascript:alert(1))"))
    #expect(html.contains("&amp;lt;script&amp;gt; as typed"))
    #expect(html.contains("see www.evil.example and https://evil.example/x"))
    // Every row of the Timeline table has its four cells.
    let table = try #require(html.components(separatedBy: "<table>").dropFirst().first)
    let rows = table.components(separatedBy: "<tbody>").last!.components(separatedBy: "<tr>").dropFirst()
    #expect(rows.count == 9 + hostileChat.count + 1, "\(md)")
    for row in rows { #expect(row.components(separatedBy: "<td").count - 1 == 4, "\(row)") }
    // ... and the hostile rows hold their text in the Event cell (the collector keeps a
    // message's first line; a CR inside it is a space).
    #expect(rows.contains { $0.contains("<td>kubectl *em* _it_ `code` ~~gone~~ a | b c</td>") })
    #expect(
      rows.contains {
        $0.contains(
          "<td>&lt;script&gt;x()&lt;/script&gt; &lt;img src=http://evil.example/l.png&gt; | cell row</td>")
      })
  }

  // MARK: item 8: the terminal

  @Test func controlCharactersReachTheTerminalOnlyEscaped() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let hostile = "log \u{1b}]0;pwned\u{07} then \u{1b}[2J and\rover\u{9b}31m"
    try scratch.write(
      "incident.yaml",
      Scratch.incident.replacingOccurrences(of: "title: Test outage", with: "title: \(Self.yaml(hostile))"))
    try scratch.write("data/app.log", "2025-02-09T10:05:00Z \(hostile)\n")
    // A local collector that logs a line of its input, as plugins do in warnings.
    try scratch.write(
      "plugins/echo/init.lua",
      """
      return {
        name = "echo", stage = "collect", version = "0.1.0", api = 2, description = "logs its input",
        options = { path = { type = "string", required = true, doc = "a file" } },
        run = function(ctx, opts)
          for _, line in ctx.fs.lines(opts.path) do ctx.log.warn("odd line: " .. line) end
          ctx.gap("cannot read: " .. ctx.fs.read(opts.path))
        end,
      }
      """)
    try scratch.write(
      "actions.yaml",
      "- { id: AI-1, action: \(Self.yaml(hostile)), owner: \"@bob\", deadline: 2025-03-01, priority: High }\n"
    )
    try scratch.write(
      "pipeline.lua",
      """
      return {
        incident = "incident.yaml", out = "out",
        collect = { { "echo", path = "data/app.log" } },
        act = { { "action-items", file = "actions.yaml" } },
        report = { "json" },
        validate = { "checklist" },
      }
      """)
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    let actions = try PMHostProcess.run(
      ["actions", "out/report.json", "--today", "2025-02-10"], in: scratch.path)
    let validate = try PMHostProcess.run(["validate", "out/report.json"], in: scratch.path)
    #expect(actions.status == 0)
    let shown = #"log \e]0;pwned\x07 then \e[2J and\rover\x9b31m"#
    for (name, text, expected) in [
      ("run stderr", run.stderr, 3), ("actions stdout", actions.stdout, 1),
    ] {
      #expect(
        !text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) },
        "\(name)")
      #expect(text.components(separatedBy: shown).count - 1 >= expected, "\(name): \(text)")
    }
    // The gap's text holds the file's newline: it shows as \n, on the summary's one line.
    #expect(run.stderr.contains("cannot read: 2025-02-09T10:05:00Z \(shown)\\n"), "\(run.stderr)")
    #expect(run.stderr.contains("pmhost: PM-TEST: \(shown)\n"))
    for text in [validate.stdout, validate.stderr] {
      #expect(
        !text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
    }
    // JSON on stdout too: JSON lets DEL and C1 stand raw, but U+009B is a terminal's CSI.
    let actionsJSON = try PMHostProcess.run(
      ["actions", "--json", "out/report.json", "--today", "2025-02-10"], in: scratch.path)
    let validateJSON = try PMHostProcess.run(["validate", "--json", "out/report.json"], in: scratch.path)
    for (name, text) in [("actions --json", actionsJSON.stdout), ("validate --json", validateJSON.stdout)] {
      #expect(
        !text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) },
        "\(name): \(text)")
    }
    #expect(actionsJSON.stdout.contains(#"and\rover\u009b31m"#), "\(actionsJSON.stdout)")
    let report = try #require(scratch.read("out/report.json"))
    #expect(report.contains(#"\u009b31m"#) && !report.unicodeScalars.contains("\u{9b}"))
  }

  @Test func bidirectionalOverridesReachTheTerminalOnlyEscaped() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write(
      "incident.yaml",
      Scratch.incident.replacingOccurrences(
        of: "title: Test outage",
        with: "title: \(Self.yaml("invoice\u{202E}fdp.exe\u{202C} \u{2067}x\u{2069}"))"))
    try scratch.write(
      "pipeline.lua", #"return { incident = "incident.yaml", out = "out", report = { "json" } }"#)
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(
      run.stderr.contains(#"pmhost: PM-TEST: invoice\u{202e}fdp.exe\u{202c} \u{2067}x\u{2069}"#),
      "\(run.stderr)")
    #expect(
      !run.stderr.unicodeScalars.contains {
        (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value)
      })
  }
}
