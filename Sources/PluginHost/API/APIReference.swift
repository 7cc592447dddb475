/// The one declaration of the pm API (ARCHITECTURE.md rule 9): every host function a plugin
/// can call, with the stages it may be called in, its parameters, results and doc. The Lua
/// binding takes its stage guards from here, `pmhost api` prints the reference and the LuaLS
/// annotations from here, and a test fails when a function is bound without being declared.
public struct APIFunction: Sendable {
  /// `ctx.timeline:add`, `pm.time.parse`: `:` for methods, `.` for functions.
  public var name: String
  /// The stages that may call it; nil for any stage.
  public var stages: [Stage]?
  /// Parameters: name, LuaLS type, doc. A `?` after the name marks an optional one.
  public var parameters: [(String, String, String)]
  /// Results: LuaLS type and doc.
  public var returns: [(String, String)]
  public var doc: String

  init(
    _ name: String, stages: [Stage]? = nil, _ parameters: [(String, String, String)] = [],
    returns: [(String, String)] = [], _ doc: String
  ) {
    self.name = name
    self.stages = stages
    self.parameters = parameters
    self.returns = returns
    self.doc = doc
  }

  /// `ctx.timeline` for `ctx.timeline:add`.
  var owner: String {
    let cut = name.lastIndex(where: { $0 == ":" || $0 == "." })!
    return String(name[..<cut])
  }

  var member: String {
    let cut = name.lastIndex(where: { $0 == ":" || $0 == "." })!
    return String(name[name.index(after: cut)...])
  }

  var isMethod: Bool { name.contains(":") }
}

public enum APIReference {
  static let collectTimeline: [Stage] = [.collect, .timeline]

  public static let functions: [APIFunction] = [
    // ctx
    APIFunction(
      "ctx.gap",
      [
        ("reason", "string", "what could not be collected"),
        ("extra?", "table", "{ source, window = { start, finish } }"),
      ],
      "Records a data gap (the report's Data Gaps section)."),
    APIFunction(
      "ctx.env",
      [("name", "string", "a variable the pipeline names in one of this plugin reference's `*_env` options")],
      returns: [("string?", "its value")], "Reads an environment variable the pipeline named (tokens)."),
    APIFunction(
      "ctx.prompt",
      [
        ("id", "string", "answer id (answers files use it)"), ("question", "string", "the question"),
        ("opts?", "table", "{ context = { lines... }, default = text }"),
      ],
      returns: [("string", "the answer")],
      "Asks a question at the terminal, or takes the answer from --answers / the pipeline's answer files."),
    APIFunction("ctx.log.info", [("text", "any", "")], "Logs a line on stderr (not with --quiet)."),
    APIFunction("ctx.log.warn", [("text", "any", "")], "Records a warning in report.json and prints it."),
    APIFunction("ctx.log.debug", [("text", "any", "")], "Logs a line when PMHOST_DEBUG is set."),
    APIFunction(
      "ctx.fs.lines",
      [
        ("path", "string", "relative to the pipeline folder"),
        (
          "opts?", "table",
          "{ contains = text or {texts}, match = Lua pattern }: lines that fail never reach Lua"
        ),
      ],
      returns: [("fun(): string?, integer?", "iterator of line, line number")],
      "Streams a regular file's lines, prefiltered in the host; saved as evidence. UTF-16 with a BOM comes as UTF-8; a line past 1 MiB is cut there, with a warning."
    ),
    APIFunction(
      "ctx.fs.read", [("path", "string", "")],
      returns: [("string", "the whole file (256 MB at most, and within the memory limit)")],
      "Reads a whole file (JSON and YAML documents); saved as evidence."),
    APIFunction(
      "ctx.fs.exists", [("path", "string", "")], returns: [("boolean", "")], "Whether a file exists."),
    APIFunction(
      "ctx.fs.glob", [("pattern", "string", "`*`, `?`, `[...]`, `**`")],
      returns: [("string[]", "sorted paths")],
      "Files matching a glob under the pipeline folder (never the out folder)."),
    APIFunction(
      "ctx.fs.list", [("path", "string", "a folder")], returns: [("string[]", "sorted names")],
      "A folder's entries."),
    APIFunction(
      "ctx.fs.write", stages: [.report, .track],
      [("name", "string", "relative to the out folder"), ("text", "string", "")],
      returns: [("string", "the path written")], "Writes a file in the out folder, atomically."),
    APIFunction(
      "ctx.http:get", stages: [.collect, .track],
      [
        ("url", "string", "under a URL the pipeline names in this plugin's options"),
        ("opts?", "table", "{ query, headers, timeout_s, gap }"),
      ],
      returns: [("table?", "{ status, body, headers, url }"), ("string?", "why no response came")],
      "HTTP GET; the exchange is saved as evidence (replayed under --replay)."),
    APIFunction(
      "ctx.http:post", stages: [.collect, .track],
      [
        ("url", "string", ""),
        ("opts?", "table", "{ body = text or json = table, query, headers, timeout_s, gap }"),
      ],
      returns: [("table?", "{ status, body, headers, url }"), ("string?", "why no response came")],
      "HTTP POST."),
    APIFunction(
      "ctx.http:get_json", stages: [.collect, .track], [("url", "string", ""), ("opts?", "table", "as get")],
      returns: [("any", "the decoded body, or nil"), ("table|string", "the response, or why it failed")],
      "GET and decode JSON; no response, a non-2xx status or bad JSON is nil, reason (and a gap unless gap = false)."
    ),
    APIFunction(
      "ctx.http:post_json", stages: [.collect, .track],
      [("url", "string", ""), ("opts?", "table", "as post")],
      returns: [("any", "the decoded body, or nil"), ("table|string", "the response, or why it failed")],
      "POST and decode the JSON answer."),
    APIFunction(
      "ctx.timeline:add", stages: collectTimeline,
      [("event", "table", "{ time, event, kind, source?, actor?, evidence?, group?, fields? }")],
      "Adds an event; a bad field raises an error naming it."),
    APIFunction(
      "ctx.timeline:add_series", stages: collectTimeline,
      [("series", "table", "{ name, points = { {t, v}... }, query?, labels?, unit?, threshold?, above? }")],
      "Keeps a metric series for the report's charts."),
    APIFunction(
      "ctx.timeline:events", returns: [("table[]", "every event as a table")],
      "The timeline, copied into tables."),
    APIFunction(
      "ctx.timeline:each",
      [("...", "string", "field names: time, t, event, source, kind, actor, count, ...")],
      returns: [("fun(): integer?, any...", "iterator of index and the named fields")],
      "Reads the timeline lazily, a chunk of each named field at a time: the fast way over many events."),
    APIFunction(
      "ctx.timeline:view", returns: [("table", "v[i].field read on demand, #v, v:each(...)")],
      "A lazy, indexable view of the timeline."),
    APIFunction("ctx.timeline:count", returns: [("integer", "")], "Number of events."),
    APIFunction("ctx.timeline:series", returns: [("table[]", "")], "The metric series kept so far."),
    APIFunction(
      "ctx.timeline:replace", stages: [.timeline],
      [("events", "table[]", "tables as events() gives or add takes")],
      "Replaces the timeline."),
    APIFunction(
      "ctx.timeline:set_moment", stages: [.timeline],
      [
        ("name", "string", "impact_start, detected, paged, acknowledged, mitigated or resolved"),
        ("time", "number|string|nil", ""),
      ],
      "Marks a key moment."),
    APIFunction(
      "ctx.timeline:moments", returns: [("table", "name -> seconds")], "The key moments marked so far."),
    APIFunction(
      "ctx.timeline:collapse_bursts", stages: [.timeline],
      [("opts?", "table", "the bursts plugin's options")],
      returns: [("integer", "rows after collapsing")],
      "Collapses repeated events into one row with a count (in the host)."),
    APIFunction(
      "ctx.factors:add_immediate", stages: [.analyze], [("text", "string", "")], "Adds an immediate cause."),
    APIFunction(
      "ctx.factors:add_systemic", stages: [.analyze], [("text", "string", "")], "Adds a systemic issue."),
    APIFunction(
      "ctx.factors:add", stages: [.analyze],
      [("factor", "table", "{ text, category?, label?, why_chain?, evidence? }")],
      "Adds a contributing factor."),
    APIFunction(
      "ctx.factors:set", stages: [.analyze], [("factors", "table", "{ immediate, contributing, systemic }")],
      "Replaces all factors."),
    APIFunction(
      "ctx.factors:get", returns: [("table", "{ immediate, contributing, systemic }")], "The factors so far."),
    APIFunction(
      "ctx.factors:set_root_cause", stages: [.analyze], [("text", "string", "")], "Sets the root cause text."),
    APIFunction(
      "ctx.severity:set", stages: [.classify], [("severity", "table", "{ level, rule?, reason? }")],
      "Sets the severity."),
    APIFunction(
      "ctx.severity:get", returns: [("table?", "{ level, rule, reason }")], "The severity, when set."),
    APIFunction(
      "ctx.actions:add", stages: [.act],
      [("item", "table", "{ id?, action, owner?, deadline?, priority?, status? }")],
      "Adds an action item."),
    APIFunction("ctx.actions:list", returns: [("table[]", "")], "The action items."),
    APIFunction(
      "ctx.actions:update", stages: [.act, .track],
      [("id", "string", ""), ("changes", "table", "fields to change, e.g. { tracking = url }")],
      "Changes an action item."),
    APIFunction(
      "ctx.report:data",
      [
        (
          "options?", "table",
          "{ timeline = false }: leave out the timeline (read it with ctx.timeline:each)"
        )
      ],
      returns: [("table", "shaped like report.json")], "The report as it stands."),
    APIFunction("ctx.report:json", returns: [("string", "")], "The report as report.json text."),
    APIFunction(
      "ctx.report:write_json", stages: [.report, .track], [("name?", "string", "default report.json")],
      returns: [("string", "the path written")],
      "Writes report.json in the out folder, streamed from the model and atomically: never held as one Lua string, so any size of incident fits."
    ),
    APIFunction(
      "ctx.report:write", stages: [.report, .track], [("name", "string", ""), ("text", "string", "")],
      returns: [("string", "the path written")], "Writes an output file in the out folder, atomically."),
    APIFunction(
      "ctx.report:set", stages: [.analyze, .classify, .act, .track],
      [
        ("field", "string", "what_went_well, lessons_learned, root_cause, or follow_up (track only)"),
        ("value", "any", ""),
      ],
      "Sets a report field."),
    APIFunction(
      "ctx.report:check", stages: [.validate],
      [
        ("name", "string", ""), ("ok", "boolean?", "nil: pending"), ("detail?", "string", ""),
        (
          "extra?", "table",
          "{ findings = { {line = n|nil, text = s} }, rows = {...}, zone = s, items = {...} }: everything found, complete"
        ),
      ],
      "Records a validation check, with what it found (`pmhost validate --json` and `--explain` show it)."),
    // pm
    APIFunction(
      "pm.json.decode", [("text", "string", "")], returns: [("any", "null is pm.json.null")],
      "Decodes JSON (errors name line and column)."),
    APIFunction(
      "pm.json.encode", [("value", "any", ""), ("opts?", "table", "{ pretty = true }")],
      returns: [("string", "")],
      "Encodes JSON, keys sorted."),
    APIFunction(
      "pm.json.array", [("t?", "table", "")], returns: [("table", "")], "Marks a table as a JSON array."),
    APIFunction(
      "pm.yaml.decode", [("text", "string", ""), ("name?", "string", "the file, for errors")],
      returns: [("any", "")],
      "Decodes YAML (at most 100,000 nodes with aliases expanded, 10,000 aliases, 256 levels)."),
    APIFunction("pm.yaml.encode", [("value", "any", "")], returns: [("string", "")], "Encodes YAML."),
    APIFunction(
      "pm.time.parse",
      [
        ("text", "string", ""), ("format?", "string", "rfc3339 (default), nginx, unix, syslog, klog, local"),
        (
          "opts?", "table",
          "{ near = time (syslog, klog: picks the year), offset = \"+02:00\" (syslog, klog, local) }"
        ),
      ],
      returns: [("number?", "Unix seconds"), ("string?", "why not")],
      "Parses a time (years 0001 to 9999 only)."),
    APIFunction(
      "pm.time.check", [("seconds", "number", "")],
      returns: [("number?", "the same seconds"), ("string?", "why not")],
      "Whether a time computed in Lua is one the model holds (years 0001 to 9999)."),
    APIFunction(
      "pm.time.format",
      [("seconds", "number", ""), ("style?", "string", "rfc3339, clock, hm, date, datetime")],
      returns: [("string", "UTC text")], "Formats a time in UTC."),
    APIFunction(
      "pm.time.duration", [("seconds", "number", "")], returns: [("string", "1h 35min")],
      "A duration for people."),
    APIFunction(
      "pm.template.render",
      [
        ("template", "string", "Mustache"), ("view", "table", ""),
        ("opts?", "table", "{ escape = \"html\" or \"none\" }"),
      ],
      returns: [("string", "")], "Renders a Mustache template."),
  ]

  static let byName: [String: APIFunction] = Dictionary(uniqueKeysWithValues: functions.map { ($0.name, $0) })

  /// The stages a bound function may be called in (nil: any). A name that is not declared
  /// is a programming error: the binding and the declaration must not drift.
  static func stages(of name: String) -> [Stage]? {
    guard let entry = byName[name] else {
      preconditionFailure("pm API: \(name) is bound but not declared in APIReference.functions")
    }
    return entry.stages
  }

  /// The reference as Markdown (docs/pm-api.md).
  public static func markdown() -> String {
    var out = [
      "# pm API reference (api = 1)", "",
      "Generated from `Sources/PluginHost/API/APIReference.swift` by `pmhost api --write docs`; do not edit.",
      "`docs/plugin-api.md` explains the concepts. Stages: the stages that may call a function (any when empty).",
      "",
      "| function | stages | parameters | returns | what it does |", "|---|---|---|---|---|",
    ]
    func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
    for f in functions {
      let params = f.parameters.map { "`\($0.0)`: \($0.1)" + ($0.2.isEmpty ? "" : " (\($0.2))") }.joined(
        separator: "; ")
      let returns = f.returns.map { $0.0 + ($0.1.isEmpty ? "" : " (\($0.1))") }.joined(separator: ", ")
      out.append(
        "| `\(f.name)` | \(f.stages?.map(\.rawValue).joined(separator: ", ") ?? "") | \(cell(params)) | \(cell(returns)) | \(cell(f.doc)) |"
      )
    }
    return out.joined(separator: "\n") + "\n"
  }

  /// LuaLS annotations (docs/pmhost.lua): `---@class` per table, `---@param` / `---@return`.
  public static func luaAnnotations() -> String {
    var out = [
      "---@meta pmhost",
      "-- LuaLS annotations for pmhost plugins (api = 1). Generated from",
      "-- Sources/PluginHost/API/APIReference.swift by `pmhost api --write docs`; do not edit.",
      "-- Point your editor's Lua language server at this file (workspace.library).",
      "",
    ]
    var owners: [String] = []
    for f in functions where !owners.contains(f.owner) { owners.append(f.owner) }
    func className(_ owner: String) -> String { owner.replacingOccurrences(of: ".", with: "_") }
    // Each owner table as a class; parents get fields for their children.
    var children: [String: [String]] = [:]
    for owner in owners {
      var parts = owner.split(separator: ".").map(String.init)
      while parts.count > 1 {
        let child = parts.joined(separator: ".")
        parts.removeLast()
        let parent = parts.joined(separator: ".")
        if !(children[parent] ?? []).contains(child) { children[parent, default: []].append(child) }
      }
    }
    for root in ["ctx", "pm"] where children[root] != nil && !owners.contains(root) {
      owners.insert(root, at: 0)
    }
    for owner in owners {
      out.append("---@class \(className(owner))")
      for child in children[owner] ?? [] {
        out.append("---@field \(child.split(separator: ".").last!) \(className(child))")
      }
      if owner == "pm" { out.append("---@field version string") }
      if owner == "ctx" {
        out.append(contentsOf: [
          "---@field stage string the stage running", "---@field plugin string this plugin's name",
          "---@field pipeline_dir string the pipeline folder",
          "---@field incident table incident.yaml as a table (start and finish in Unix seconds)",
        ])
      }
      if owner == "pm.json" { out.append("---@field null lightuserdata") }
      out.append("local \(className(owner)) = {}")
      out.append("")
    }
    for f in functions {
      if let stages = f.stages {
        out.append("--- Stages: \(stages.map(\.rawValue).joined(separator: ", ")).")
      }
      out.append("--- \(f.doc)")
      for (name, type, doc) in f.parameters {
        out.append("---@param \(name) \(type)" + (doc.isEmpty ? "" : " \(doc)"))
      }
      for (type, doc) in f.returns { out.append("---@return \(type)" + (doc.isEmpty ? "" : " # \(doc)")) }
      let names = f.parameters.map { $0.0.hasSuffix("?") ? String($0.0.dropLast()) : $0.0 }.joined(
        separator: ", ")
      out.append("function \(className(f.owner))\(f.isMethod ? ":" : ".")\(f.member)(\(names)) end")
      out.append("")
    }
    out.append("---@type ctx")
    out.append("ctx = ctx")
    out.append("---@type pm")
    out.append("pm = pm")
    return out.joined(separator: "\n") + "\n"
  }
}
