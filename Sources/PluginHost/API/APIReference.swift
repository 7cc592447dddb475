import LuaBridge
import PostmortemCore

/// One function of the pm API, as the one declaration gives it (ARCHITECTURE.md rule 9).
public struct APIFunction: Sendable {
  /// `ctx.timeline.add`, `pm.time.parse`: every function is called with `.` (API 2).
  public var name: String
  /// The stages that may call it; nil for any stage.
  public var stages: [Stage]?
  /// Parameters in the order the plugin writes them. A last parameter named `...` takes any
  /// number of values of its type.
  public var parameters: [APIField]
  /// Results, in order.
  public var returns: [APIField]
  /// The errors it raises (beyond a bad argument, which every function raises alike).
  public var errors: [String]
  public var doc: String
  /// The API version that introduced it in this form.
  public var since: Int

  init(
    _ name: String, stages: [Stage]? = nil, _ parameters: [APIField] = [], returns: [APIField] = [],
    errors: [String] = [], since: Int = 1, _ doc: String
  ) {
    self.name = name
    self.stages = stages
    self.parameters = parameters
    self.returns = returns
    self.errors = errors
    self.since = since
    self.doc = doc
  }

  /// `ctx.timeline` for `ctx.timeline.add`.
  var owner: String { String(name[..<name.lastIndex(of: ".")!]) }
  var member: String { String(name[name.index(after: name.lastIndex(of: ".")!)...]) }

  /// Checks the arguments of a call against the parameters (arguments count from 1, as the
  /// plugin wrote them) and returns them converted.
  func arguments(_ call: LuaCall) throws -> [LuaValue] {
    var values: [LuaValue] = []
    let given = Int(call.count)
    // Counted first: a call written with `:` gives one argument too many (the handle).
    if given > parameters.count, parameters.last?.name != "..." {
      throw LuaRaise(
        "\(name) takes \(parameters.count == 0 ? "no" : "at most \(parameters.count)") argument\(parameters.count == 1 ? "" : "s"), got \(given)"
          + (call.isTable(1) ? Self.colonHint : ""))
    }
    for (i, parameter) in parameters.enumerated() {
      if parameter.name == "..." {
        for j in i..<max(i, given) {
          let value = try call.value(Int32(j + 1))
          if let problem = parameter.type.mismatch(value) { throw bad(j + 1, problem, call) }
          values.append(value)
        }
        return values
      }
      let value = i < given ? try call.value(Int32(i + 1)) : .nil
      if let problem = parameter.type.mismatch(value) { throw bad(i + 1, problem, call) }
      values.append(value)
    }
    return values
  }

  func bad(_ index: Int, _ problem: String, _ call: LuaCall) -> LuaRaise {
    LuaRaise(
      "bad argument #\(index) to '\(name)' (\(problem))"
        + (index == 1 && problem.hasSuffix("got table") ? Self.colonHint : ""))
  }

  static let colonHint =
    "; called with `:`? API 2 calls every ctx and pm function with `.` (docs/plugin-api.md, \"Migrating from API 1\")"
}

/// The arguments of a declared call, checked against the declaration.
struct APIArguments {
  let call: LuaCall
  let values: [LuaValue]

  subscript(_ index: Int) -> LuaValue { index <= values.count ? values[index - 1] : .nil }
  /// A checked string argument (its type is `.string` in the declaration).
  func string(_ index: Int) -> String { self[index].stringValue ?? "" }
  func optionalString(_ index: Int) -> String? { self[index].stringValue }
  func table(_ index: Int) -> LuaTable { self[index].tableValue ?? LuaTable() }
}

extension APIReference {
  /// Binds a declared function: its arguments are checked against the declaration before
  /// `body` runs, and `guardStage` (the plugin run's stage rule) is asked first. A name that
  /// is not declared is a programming error: nothing binds a function outside the declaration.
  static func bind(
    _ lua: LuaState, _ name: String, guardStage: ((APIFunction) throws -> Void)? = nil,
    _ body: @escaping (APIArguments) throws -> Int32
  ) -> LuaValue {
    guard let function = byName[name] else {
      preconditionFailure("pm API: \(name) is bound but not declared in APIReference.functions")
    }
    return lua.function(named: name) { call in
      try guardStage?(function)
      return try body(APIArguments(call: call, values: try function.arguments(call)))
    }
  }
}

/// The one declaration of the pm API: every host function a plugin can call, with the stages
/// it may be called in, its typed parameters (with the shapes of their tables), results,
/// errors and doc. The binding checks arguments and stages from here, and `pmhost api`
/// writes docs/pm-api.md, docs/pmhost.lua (LuaLS) and `--json` from here.
public enum APIReference {
  /// The API version this host runs; plugins declare it as `api = 2`.
  public static let version = 2

  static let collectTimeline: [Stage] = [.collect, .timeline]
  static let strings = APIType.list(.string)

  // MARK: Shapes

  static let window = APIShape(
    "Window",
    "A span of time; `end` is a Lua keyword, so write `w[\"end\"]` and `{ start = a, [\"end\"] = b }`.",
    [APIField("start", .time, "first moment"), APIField("end", .time, "last moment")])
  static let gapOptions = APIShape(
    "GapOptions", "What a gap covers.",
    [
      APIField("source", .optional(.string), "the Source label (default: the plugin's)"),
      APIField("window", .optional(.shape(window)), "the span of time without data"),
    ])
  static let promptOptions = APIShape(
    "PromptOptions", "How a question is asked.",
    [
      APIField("context", .optional(strings), "lines shown above the question"),
      APIField("default", .optional(.string), "the answer when the user presses Enter"),
    ])
  static let linesOptions = APIShape(
    "LinesOptions", "Filters applied in the host, before a line reaches Lua.",
    [
      APIField(
        "contains", .optional(.either([.string, strings])), "plain text, any of which a line must hold"),
      APIField("match", .optional(.string), "a Lua pattern a line must match"),
    ])
  static let query = APIType.either([
    .map(.either([.string, .number])), .list(.list(.either([.string, .number]))),
  ])
  static let httpOptions = APIShape(
    "HTTPOptions", "A request's options.",
    [
      APIField("query", .optional(query), "name -> value (sent sorted), or a list of {name, value} pairs"),
      APIField("headers", .optional(.map(.either([.string, .number]))), "request headers (never saved)"),
      APIField("timeout_s", .optional(.number), "seconds (default 30)"),
      APIField("gap", .optional(.boolean), "record a data gap on failure (default true)"),
      APIField("body", .optional(.string), "POST only: the body"),
      APIField("json", .optional(.any), "POST only: a table sent as JSON"),
    ])
  static let response = APIShape(
    "Response", "An HTTP response (any status).",
    [
      APIField("status", .integer), APIField("body", .string),
      APIField("headers", .map(.string), "lower-case names"),
      APIField("url", .string, "the URL fetched, credentials masked"),
    ])
  static let merged = APIShape(
    "MergedRow", "A row from another source folded into this one.",
    [
      APIField("time", .time), APIField("t", .optional(.number)), APIField("kind", .string),
      APIField("source", .optional(.string)), APIField("event", .optional(.string)),
    ])
  static let event = APIShape(
    "Event", "A timeline event, as `ctx.timeline.add` takes it and `ctx.timeline.get` gives it.",
    [
      APIField("time", .time, "when it happened"),
      APIField("event", .string, "what happened, one line"),
      APIField(
        "kind", .string,
        "error, alert_fired, alert_resolved, paged, acknowledged, escalated, action, deploy, metric_crossed, metric_recovered, note, mitigated, resolved, or another word"
      ),
      APIField("source", .optional(.string), "the Source label (default: the plugin's)"),
      APIField("actor", .optional(.string), "who acted"),
      APIField("evidence", .optional(.either([.string, strings])), "where it was read: `data/api.log:123`"),
      APIField("group", .optional(.string), "the burst label, e.g. `5xx errors`"),
      APIField("fields", .optional(.map(.any)), "extra values kept with the row (JSON values)"),
      APIField("time_text", .optional(.string), "the time as the source wrote it (200 bytes at most)"),
      APIField(
        "time_offset", .optional(.either([.number, .string])),
        "the offset applied: seconds east of UTC or `+05:30`"),
      // As ctx.timeline.get gives them (so that its rows can be given back to replace):
      APIField("t", .optional(.number), "get: the time in seconds"),
      APIField("sources", .optional(strings), "get: every source that reported it"),
      APIField("evidence_all", .optional(strings), "get: every evidence reference"),
      APIField("count", .optional(.integer), "get: events folded into this row (1 unless collapsed)"),
      APIField("last", .optional(.time), "get: the last folded event's time"),
      APIField("merged", .optional(.list(.shape(merged))), "get: rows from other sources folded into it"),
      APIField("index", .optional(.integer), "get: the row's position"),
    ])
  static let point = APIType.list(.either([.number, .string]))
  static let series = APIShape(
    "Series", "A metric series for the report's charts.",
    [
      APIField("name", .string),
      APIField(
        "points", .list(point), "`{ {t, v}, ... }`: t a time, v a number or \"NaN\", \"+Inf\", \"-Inf\""),
      APIField("query", .optional(.string)), APIField("labels", .optional(.map(.string))),
      APIField("unit", .optional(.string)), APIField("threshold", .optional(.number)),
      APIField("above", .optional(.boolean), "the threshold is crossed upwards"),
      APIField("source", .optional(.string)),
      APIField("plugin", .optional(.string), "get: the plugin that added it"),
    ])
  static let burstOptions = APIShape(
    "BurstOptions", "How repeated events fold (the bursts plugin's options, where their defaults live).",
    [
      APIField("gap", .number, "seconds of quiet that end a burst"),
      APIField("min_count", .integer, "events that make a burst"),
      APIField("title", .string, "the text of a folded row whose events differ; `%s` is the group"),
    ])
  static let factor = APIShape(
    "Factor", "A contributing factor.",
    [
      APIField("text", .string), APIField("category", .optional(.string), "fishbone category"),
      APIField("label", .optional(.string)), APIField("why_chain", .optional(strings)),
      APIField("evidence", .optional(strings)),
    ])
  static let factors = APIShape(
    "Factors", "Every factor.",
    [
      APIField("immediate", .optional(strings)), APIField("contributing", .optional(.list(.shape(factor)))),
      APIField("systemic", .optional(strings)),
    ])
  static let severity = APIShape(
    "Severity", "A severity and why.",
    [
      APIField("level", .string, "e.g. P1"), APIField("rule", .optional(.string)),
      APIField("reason", .optional(.string)),
    ])
  static let actionFields: [APIField] = [
    APIField("action", .string, "what will be done"), APIField("owner", .optional(.string)),
    APIField("deadline", .optional(.string), "YYYY-MM-DD"), APIField("priority", .optional(.string)),
    APIField("status", .optional(.string), "default open"),
    APIField("tracking", .optional(.any), "where it is tracked"),
  ]
  static let action = APIShape(
    "ActionItem", "An action item.",
    [APIField("id", .optional(.string), "AI-nnn when missing")] + actionFields)
  static let actionChanges = APIShape(
    "ActionChanges", "Fields to change.",
    actionFields.map { APIField($0.name, $0.type.isOptional ? $0.type : .optional($0.type), $0.doc) })
  static let reportFields = APIShape(
    "ReportFields", "Report fields a plugin sets.",
    [
      APIField("root_cause", .optional(.string)), APIField("what_went_well", .optional(strings)),
      APIField("lessons_learned", .optional(strings)),
    ])
  static let reportGetOptions = APIShape(
    "ReportGetOptions", "What to leave out.",
    [
      APIField(
        "timeline", .optional(.boolean), "false: leave the timeline out (read it with ctx.timeline.each)")
    ])
  static let finding = APIShape(
    "Finding", "One thing a check found.",
    [APIField("line", .optional(.integer), "a Markdown document's line"), APIField("text", .string)])
  static let checkExtra = APIShape(
    "CheckExtra", "Everything a check found, complete, and what it recognised (docs/validate.md).",
    [
      APIField("findings", .optional(.list(.shape(finding)))), APIField("rows", .optional(.any)),
      APIField("zone", .optional(.any)), APIField("items", .optional(.any)),
    ])
  static let encodeOptions = APIShape("EncodeOptions", "", [APIField("pretty", .optional(.boolean))])
  static let parseOptions = APIShape(
    "ParseOptions", "For times written without a year or an offset.",
    [
      APIField("near", .optional(.time), "syslog, klog: the year is the one nearest this time"),
      APIField("offset", .optional(.either([.string, .number])), "syslog, klog, local: `+02:00` or seconds"),
    ])
  static let renderOptions = APIShape(
    "RenderOptions", "", [APIField("escape", .optional(.oneOf(["html", "none"])), "default html")])
  static let incident = APIShape(
    "Incident", "incident.yaml as a table (read-only).",
    [
      APIField("id", .string), APIField("title", .string), APIField("started_at", .string, "RFC 3339"),
      APIField("ended_at", .string, "RFC 3339"), APIField("start", .number, "seconds"),
      APIField("end", .number, "seconds (`ctx.incident[\"end\"]`)"), APIField("services", strings),
      APIField("authors", strings), APIField("severity", .optional(.string)),
      APIField("impact", .optional(.any)),
      APIField("summary", .optional(.string)), APIField("root_cause", .optional(.string)),
      APIField("reviewed", .optional(.string)), APIField("distributed_at", .optional(.string)),
      APIField("people", .map(strings), "handle -> aliases"), APIField("what_went_well", strings),
      APIField("lessons_learned", strings),
    ])
  static let moments = APIType.oneOf(KeyMoment.allCases.map(\.rawValue))
  static let moduleTable = APIType.table

  // MARK: Functions

  public static let functions: [APIFunction] = [
    APIFunction(
      "ctx.gap",
      [
        APIField("reason", .string, "what could not be collected"),
        APIField("opts", .optional(.shape(gapOptions))),
      ],
      errors: ["a window time outside the years 0001 to 9999", "a window that ends before it starts"],
      "Records a data gap (the report's Data Gaps section)."),
    APIFunction(
      "ctx.progress", stages: [.collect, .track],
      [
        APIField(
          "text", .string, "what the plugin is doing, e.g. `page 12: 120,000 rows, 14.2 MB, up to 10:32Z`")
      ],
      since: 2,
      "Shows where a long collection is on the stage's progress line (a terminal only; at most 200 characters)."
    ),
    APIFunction(
      "ctx.env",
      [APIField("name", .string, "a variable the pipeline names in one of this plugin's `*_env` options")],
      returns: [APIField("value", .optional(.string))], errors: ["a name the pipeline did not grant"],
      "Reads an environment variable the pipeline named (tokens)."),
    APIFunction(
      "ctx.prompt",
      [
        APIField("id", .string, "answer id (answers files use it)"), APIField("question", .string),
        APIField("opts", .optional(.shape(promptOptions))),
      ],
      returns: [APIField("answer", .string)], errors: ["no answer under --no-input"],
      "Asks a question at the terminal, or takes the answer from --answers or the pipeline's answer files."),
    APIFunction("ctx.log.info", [APIField("text", .any)], "Logs a line on stderr (not with --quiet)."),
    APIFunction("ctx.log.warn", [APIField("text", .any)], "Records a warning in report.json and prints it."),
    APIFunction("ctx.log.debug", [APIField("text", .any)], "Logs a line when PMHOST_DEBUG is set."),
    APIFunction(
      "ctx.fs.lines",
      [
        APIField("path", .string, "relative to the pipeline folder"),
        APIField("opts", .optional(.shape(linesOptions))),
      ],
      returns: [APIField("iterator", .lua("fun(): integer?, string?"), "line number and line")],
      errors: ["a path outside the pipeline folder", "not a regular file", "UTF-32 or BOM-less UTF-16"],
      since: 2,
      "Streams a regular file's lines, prefiltered in the host: `for n, line in ctx.fs.lines(p)`; saved as evidence. UTF-16 with a BOM comes as UTF-8; a line past 1 MiB is cut there, with a warning."
    ),
    APIFunction(
      "ctx.fs.read", [APIField("path", .string)],
      returns: [APIField("text", .string, "the whole file (256 MB at most, and within the memory limit)")],
      errors: ["a path outside the pipeline folder", "too large"],
      "Reads a whole file (JSON and YAML documents); saved as evidence."),
    APIFunction(
      "ctx.fs.exists", [APIField("path", .string)], returns: [APIField("exists", .boolean)],
      "Whether a file exists."),
    APIFunction(
      "ctx.fs.glob", [APIField("pattern", .string, "`*`, `?`, `[...]`, `**`")],
      returns: [APIField("paths", strings, "sorted")],
      "Files matching a glob under the pipeline folder (never the out folder)."),
    APIFunction(
      "ctx.fs.list", [APIField("path", .string, "a folder")], returns: [APIField("names", strings, "sorted")],
      "A folder's entries."),
    APIFunction(
      "ctx.http.get", stages: [.collect, .track],
      [
        APIField("url", .string, "under a URL the pipeline names in this plugin's options"),
        APIField("opts", .optional(.shape(httpOptions))),
      ],
      returns: [
        APIField("response", .optional(.shape(response))),
        APIField("reason", .optional(.string), "why no response came"),
      ],
      errors: ["a URL the pipeline did not name"], since: 2,
      "HTTP GET; the exchange is saved as evidence (replayed under --replay)."),
    APIFunction(
      "ctx.http.post", stages: [.collect, .track],
      [APIField("url", .string), APIField("opts", .optional(.shape(httpOptions)))],
      returns: [APIField("response", .optional(.shape(response))), APIField("reason", .optional(.string))],
      errors: ["a URL the pipeline did not name"], since: 2, "HTTP POST of `opts.body` or `opts.json`."),
    APIFunction(
      "ctx.http.delete", stages: [.collect, .track],
      [APIField("url", .string), APIField("opts", .optional(.shape(httpOptions)))],
      returns: [APIField("response", .optional(.shape(response))), APIField("reason", .optional(.string))],
      errors: ["a URL the pipeline did not name"], since: 2,
      "HTTP DELETE, with `opts.body` or `opts.json` when given (closing a search context a collector opened)."
    ),
    APIFunction(
      "ctx.http.get_json", stages: [.collect, .track],
      [APIField("url", .string), APIField("opts", .optional(.shape(httpOptions)))],
      returns: [
        APIField("value", .optional(.any), "the decoded body"),
        APIField("response_or_reason", .either([.shape(response), .string])),
      ],
      errors: ["a URL the pipeline did not name"], since: 2,
      "GET and decode JSON; no response, a non-2xx status or bad JSON is nil, reason (and a gap unless gap = false)."
    ),
    APIFunction(
      "ctx.http.post_json", stages: [.collect, .track],
      [APIField("url", .string), APIField("opts", .optional(.shape(httpOptions)))],
      returns: [
        APIField("value", .optional(.any)),
        APIField("response_or_reason", .either([.shape(response), .string])),
      ],
      errors: ["a URL the pipeline did not name"], since: 2, "POST and decode the JSON answer."),
    APIFunction(
      "ctx.timeline.add", stages: collectTimeline, [APIField("event", .shape(event))],
      errors: [
        "a bad field (named)", "a time outside the years 0001 to 9999", "an offset beyond ±24 h",
        "time_text over 200 bytes", "a count below 1", "a last time before the time",
      ], since: 2, "Adds an event."),
    APIFunction(
      "ctx.timeline.get", returns: [APIField("events", .list(.shape(event)))], since: 2,
      "The timeline, copied into tables (for 100,000s of rows read it with ctx.timeline.each)."),
    APIFunction(
      "ctx.timeline.each",
      [APIField("...", .string, "field names as get gives them: time, t, event, source, kind, ...")],
      returns: [APIField("iterator", .lua("fun(): integer?, any"), "index and the named fields")], since: 2,
      "Reads the timeline lazily, a chunk of each named field at a time: `for i, t, event in ctx.timeline.each(\"t\", \"event\")`."
    ),
    APIFunction(
      "ctx.timeline.view",
      returns: [APIField("view", .lua("pmhost.TimelineView"), "v[i].field read on demand, #v, v:each(...)")],
      since: 2, "A lazy, indexable view of the timeline."),
    APIFunction("ctx.timeline.count", returns: [APIField("count", .integer)], since: 2, "Number of events."),
    APIFunction(
      "ctx.timeline.replace", stages: [.timeline],
      [APIField("events", .list(.shape(event)), "as get gives or add takes")],
      errors: ["a bad event (its position and field named); nothing is replaced"], since: 2,
      "Replaces the timeline."),
    APIFunction(
      "ctx.timeline.collapse_bursts", stages: [.timeline], [APIField("opts", .shape(burstOptions))],
      returns: [APIField("rows", .integer, "rows after collapsing")],
      errors: ["a gap below 0 or a min_count below 1"], since: 2,
      "Folds repeated events into one row with a count and span (in the host)."),
    APIFunction(
      "ctx.moments.set", stages: [.timeline],
      [APIField("name", moments), APIField("time", .optional(.time), "nil clears it")],
      since: 2, "Marks a key moment."),
    APIFunction(
      "ctx.moments.get", returns: [APIField("moments", .map(.number), "name -> seconds")], since: 2,
      "The key moments marked so far."),
    APIFunction(
      "ctx.series.add", stages: collectTimeline, [APIField("series", .shape(series))],
      errors: [
        "an empty name", "a point's time outside the years 0001 to 9999 or value not a number (named)",
      ],
      since: 2,
      "Keeps a metric series for the report's charts."),
    APIFunction(
      "ctx.series.get", returns: [APIField("series", .list(.shape(series)))], since: 2,
      "The series kept so far."),
    APIFunction(
      "ctx.factors.add", stages: [.analyze], [APIField("factor", .shape(factor))], errors: ["an empty text"],
      since: 2,
      "Adds a contributing factor (a text already listed is ignored)."),
    APIFunction(
      "ctx.factors.add_immediate", stages: [.analyze], [APIField("text", .string)], errors: ["an empty text"],
      since: 2,
      "Adds an immediate cause."),
    APIFunction(
      "ctx.factors.add_systemic", stages: [.analyze], [APIField("text", .string)], errors: ["an empty text"],
      since: 2,
      "Adds a systemic issue."),
    APIFunction(
      "ctx.factors.set", stages: [.analyze], [APIField("factors", .shape(factors))],
      errors: ["an empty text (named)"], since: 2,
      "Replaces every factor."),
    APIFunction(
      "ctx.factors.get", returns: [APIField("factors", .shape(factors))], since: 2, "The factors so far."),
    APIFunction(
      "ctx.severity.set", stages: [.classify], [APIField("severity", .shape(severity))],
      errors: ["an empty level"], since: 2,
      "Sets the severity."),
    APIFunction(
      "ctx.severity.get", returns: [APIField("severity", .optional(.shape(severity)))], since: 2,
      "The severity, when set."),
    APIFunction(
      "ctx.actions.add", stages: [.act], [APIField("item", .shape(action))],
      returns: [APIField("id", .string)],
      errors: ["an empty action", "an id already used (both items named)"], since: 2,
      "Adds an action item (status `open` unless given)."),
    APIFunction(
      "ctx.actions.get", returns: [APIField("items", .list(.shape(action)))], since: 2, "The action items."),
    APIFunction(
      "ctx.actions.update", stages: [.act, .track],
      [APIField("id", .string), APIField("changes", .shape(actionChanges))],
      errors: ["no item with that id", "an empty action"], since: 2,
      "Changes the fields given (nil keeps one); the id never changes."),
    APIFunction(
      "ctx.report.get", [APIField("opts", .optional(.shape(reportGetOptions)))],
      returns: [APIField("report", moduleTable, "shaped like report.json")], since: 2,
      "The report as it stands."),
    APIFunction(
      "ctx.report.json", returns: [APIField("text", .string)], since: 2, "The report as report.json text."),
    APIFunction(
      "ctx.report.write", stages: [.report, .track],
      [APIField("name", .string, "relative to the out folder"), APIField("text", .string)],
      returns: [APIField("path", .string, "the path written")],
      errors: ["a name outside the out folder or reserved"], since: 2,
      "Writes a file in the out folder, atomically: the one writer."),
    APIFunction(
      "ctx.report.write_json", stages: [.report, .track],
      [APIField("name", .optional(.string), "default report.json")],
      returns: [APIField("path", .string)], since: 2,
      "Writes report.json streamed from the model, atomically: never one Lua string, so any size of incident fits."
    ),
    APIFunction(
      "ctx.report.set", stages: [.analyze, .classify, .act], [APIField("fields", .shape(reportFields))],
      since: 2,
      "Sets the root cause, what went well and lessons learned (a blank root cause states none; blank entries are left out)."
    ),
    APIFunction(
      "ctx.report.set_follow_up", stages: [.track],
      [
        APIField(
          "follow_up", .optional(moduleTable), "e.g. { at = \"2025-03-09\", calendar = \"follow-up.ics\" }")
      ],
      errors: ["a list instead of named fields", "an `at` that is not a string"], since: 2,
      "Records the follow-up review (report.json's follow_up); nil or `{}` clears it."),
    APIFunction(
      "ctx.report.check", stages: [.validate],
      [
        APIField("name", .string), APIField("ok", .optional(.boolean), "nil: pending"),
        APIField("detail", .optional(.string)), APIField("extra", .optional(.shape(checkExtra))),
      ],
      since: 2,
      "Records a validation check, with what it found (`pmhost validate --json` and `--explain` show it)."),
    APIFunction(
      "pm.json.decode", [APIField("text", .string)],
      returns: [APIField("value", .any, "null is pm.json.null")],
      errors: ["bad JSON (line and column named)"], "Decodes JSON."),
    APIFunction(
      "pm.json.encode",
      [APIField("value", .optional(.any)), APIField("opts", .optional(.shape(encodeOptions)))],
      returns: [APIField("text", .string)], errors: ["NaN, infinities, functions, mixed tables (path named)"],
      "Encodes JSON, keys sorted."),
    APIFunction(
      "pm.json.array", [APIField("t", .optional(moduleTable))], returns: [APIField("t", moduleTable)],
      "Marks a table as a JSON array."),
    APIFunction(
      "pm.base64.encode", [APIField("bytes", .string)], returns: [APIField("text", .string)],
      since: 2, "Encodes bytes as base64 (RFC 4648, with padding): an `Authorization: Basic` header."),
    APIFunction(
      "pm.base64.decode", [APIField("text", .string)],
      returns: [
        APIField("bytes", .optional(.string)), APIField("reason", .optional(.string), "why not: not base64"),
      ],
      since: 2, "Decodes base64 (RFC 4648, with padding; white space around it ignored)."),
    APIFunction(
      "pm.yaml.decode",
      [APIField("text", .string), APIField("name", .optional(.string), "the file, for errors")],
      returns: [APIField("value", .any)], errors: ["bad YAML (line named)", "alias bombs and deep nesting"],
      "Decodes YAML (at most 100,000 nodes with aliases expanded, 10,000 aliases, 256 levels)."),
    APIFunction(
      "pm.yaml.encode", [APIField("value", .optional(.any))], returns: [APIField("text", .string)],
      "Encodes YAML."),
    APIFunction(
      "pm.time.parse",
      [
        APIField("text", .string),
        APIField(
          "format", .optional(.oneOf(["rfc3339", "nginx", "unix", "syslog", "klog", "local"])),
          "default rfc3339"),
        APIField("opts", .optional(.shape(parseOptions))),
      ],
      returns: [
        APIField("seconds", .optional(.number), "Unix seconds"),
        APIField("reason", .optional(.string), "why not"),
      ],
      errors: ["syslog and klog without opts.near"], "Parses a time (years 0001 to 9999 only)."),
    APIFunction(
      "pm.time.check", [APIField("seconds", .number)],
      returns: [APIField("seconds", .optional(.number)), APIField("reason", .optional(.string))],
      "Whether a time computed in Lua is one the model holds (years 0001 to 9999)."),
    APIFunction(
      "pm.time.format",
      [
        APIField("seconds", .number),
        APIField(
          "style", .optional(.oneOf(["rfc3339", "clock", "hm", "date", "datetime"])), "default rfc3339"),
      ],
      returns: [APIField("text", .string, "UTC")], "Formats a time in UTC."),
    APIFunction(
      "pm.time.duration", [APIField("seconds", .number)], returns: [APIField("text", .string, "1h 35min")],
      "A duration for people."),
    APIFunction(
      "pm.template.render",
      [
        APIField("template", .string, "Mustache"), APIField("view", moduleTable),
        APIField("opts", .optional(.shape(renderOptions))),
      ],
      returns: [APIField("text", .string)], errors: ["a bad template (line and column named)"],
      "Renders a Mustache template."),
  ]

  static let byName: [String: APIFunction] = Dictionary(uniqueKeysWithValues: functions.map { ($0.name, $0) })

  /// Every shape the declaration names, in order of first use.
  static var shapes: [APIShape] {
    var seen: Set<String> = []
    var out: [APIShape] = []
    for f in functions {
      for field in f.parameters + f.returns {
        for s in field.type.shapes where seen.insert(s.name).inserted { out.append(s) }
      }
    }
    for s in incident.fields.flatMap(\.type.shapes) + [incident] where seen.insert(s.name).inserted {
      out.append(s)
    }
    return out
  }

  // MARK: Generated files

  static let generatedNote =
    "Generated from `Sources/PluginHost/API/APIReference.swift` by `pmhost api --write docs`; do not edit."

  /// The reference as Markdown (docs/pm-api.md).
  public static func markdown() -> String {
    func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
    func field(_ f: APIField) -> String {
      "`\(f.name)`: \(f.type.shown)" + (f.doc.isEmpty ? "" : " (\(f.doc))")
    }
    var out = [
      "# pm API reference (api = \(version))", "", generatedNote,
      "`docs/plugin-api.md` explains the concepts; `docs/pmhost.lua` holds the same declaration as LuaLS annotations.",
      "Every function is called with `.`. Stages: the stages that may call it (any when empty). A bad argument raises",
      "`bad argument #N to 'NAME' (field 'x': string expected, got nil)`, counting the arguments as written.",
      "",
      "| function | stages | parameters | returns | errors | since | what it does |",
      "|---|---|---|---|---|---|---|",
    ]
    for f in functions {
      let params = f.parameters.map(field).joined(separator: "; ")
      let returns = f.returns.map(field).joined(separator: "; ")
      out.append(
        "| `\(f.name)` | \(f.stages?.map(\.rawValue).joined(separator: ", ") ?? "") | \(cell(params)) | \(cell(returns)) | \(cell(f.errors.joined(separator: "; "))) | \(f.since) | \(cell(f.doc)) |"
      )
    }
    out += [
      "", "## Tables", "",
      "A table argument may hold only the fields its shape names; any other field is an error naming it.", "",
    ]
    for shape in shapes {
      out.append("### \(shape.name)")
      if !shape.doc.isEmpty { out.append(shape.doc) }
      out.append("")
      for f in shape.fields { out.append("- " + field(f) + (f.type.isOptional ? "" : ", required")) }
      out.append("")
    }
    return out.joined(separator: "\n")
  }

  /// LuaLS annotations (docs/pmhost.lua): a class per table shape and per handle, every
  /// function with `---@param` and `---@return`.
  public static func luaAnnotations() -> String {
    var out = [
      "---@meta pmhost",
      "-- LuaLS annotations for pmhost plugins (api = \(version)). " + generatedNote,
      "-- Point your editor's Lua language server at this file (workspace.library), and write",
      "-- `---@type pmhost.Plugin` above a plugin's `return {`: run's ctx then completes every call.",
      "",
      "---@class pmhost.Plugin",
      "---@field name string the folder or file name",
      "---@field stage \"collect\"|\"timeline\"|\"analyze\"|\"classify\"|\"act\"|\"report\"|\"validate\"|\"track\"",
      "---@field version string",
      "---@field api integer \(version)",
      "---@field description string?",
      "---@field options table<string, pmhost.OptionSchema>? option schemas (docs/plugin-api.md, \"Options are schemas\")",
      "---@field check (fun(opts: table, ctx: pmhost.ctx): string[]?)? option checks beyond the schema",
      "---@field run fun(ctx: pmhost.ctx, opts: table)",
      "",
      "--- One option's schema; any other key is an error naming it.",
      "---@class pmhost.OptionSchema",
    ]
    out += OptionSpec.keyDocs.map { "---@field \($0.key) \($0.luaLS) \($0.doc)" } + [""]
    func doc(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: " ") }
    for shape in shapes {
      if !shape.doc.isEmpty { out.append("--- \(doc(shape.doc))") }
      out.append("---@class \(shape.className)")
      for f in shape.fields {
        let type = f.type.isOptional ? f.type.luaLS : f.type.luaLS
        let name = f.name == "end" ? "[\"end\"]" : f.name
        out.append("---@field \(name) \(type)" + (f.doc.isEmpty ? "" : " \(doc(f.doc))"))
      }
      out.append("")
    }
    out += [
      "---@class pmhost.TimelineView", "---@field [integer] pmhost.Event", "local TimelineView = {}",
      "---@param ... string field names", "---@return fun(): integer?, any",
      "function TimelineView:each(...) end", "",
    ]
    var owners: [String] = []
    for f in functions where !owners.contains(f.owner) { owners.append(f.owner) }
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
    for root in ["pm", "ctx"] where !owners.contains(root) { owners.insert(root, at: 0) }
    func variable(_ owner: String) -> String { owner.replacingOccurrences(of: ".", with: "_") }
    for owner in owners {
      out.append("---@class pmhost.\(owner)")
      for child in children[owner] ?? [] {
        out.append("---@field \(child.split(separator: ".").last!) pmhost.\(child)")
      }
      switch owner {
      case "pm": out.append("---@field version string")
      case "ctx":
        out += [
          "---@field stage string the stage running", "---@field plugin string this plugin's name",
          "---@field pipeline_dir string the pipeline folder", "---@field incident \(incident.className)",
          "---@field replay boolean true under `pmhost run --replay` (no request is sent)",
        ]
      case "pm.json": out.append("---@field null lightuserdata JSON null")
      default: break
      }
      out.append("local \(variable(owner)) = {}")
      out.append("")
    }
    for f in functions {
      if let stages = f.stages {
        out.append("--- Stages: \(stages.map(\.rawValue).joined(separator: ", ")).")
      }
      out.append("--- \(doc(f.doc))")
      for p in f.parameters {
        let name = p.name == "..." ? "..." : p.name + (p.type.isOptional ? "?" : "")
        let type: APIType = if case .optional(let inner) = p.type { inner } else { p.type }
        out.append("---@param \(name) \(type.luaLS)" + (p.doc.isEmpty ? "" : " \(doc(p.doc))"))
      }
      for r in f.returns {
        out.append("---@return \(r.type.luaLS) \(r.name)" + (r.doc.isEmpty ? "" : " # \(doc(r.doc))"))
      }
      out.append(
        "function \(variable(f.owner)).\(f.member)(\(f.parameters.map(\.name).joined(separator: ", "))) end")
      out.append("")
    }
    out += ["---@type pmhost.pm", "pm = pm"]
    return out.joined(separator: "\n") + "\n"
  }

  /// The declaration as JSON (`pmhost api --json`), for tools.
  public static func json() -> String {
    func fields(_ list: [APIField]) -> JSONValue {
      .array(
        list.map { f in
          var o: [String: JSONValue] = ["name": .string(f.name), "type": f.type.json]
          if !f.doc.isEmpty { o["doc"] = .string(f.doc) }
          return .object(o)
        })
    }
    let value: JSONValue = .object([
      "api": .int(Int64(version)),
      "functions": .array(
        functions.map { f in
          .object([
            "name": .string(f.name),
            "stages": f.stages.map { .array($0.map { .string($0.rawValue) }) } ?? .null,
            "parameters": fields(f.parameters), "returns": fields(f.returns),
            "errors": .array(f.errors.map { .string($0) }), "doc": .string(f.doc),
            "since": .int(Int64(f.since)),
          ])
        }),
      "shapes": .array(
        shapes.map { s in
          .object(["name": .string(s.name), "doc": .string(s.doc), "fields": fields(s.fields)])
        }),
    ])
    return value.jsonText(pretty: true) + "\n"
  }
}
