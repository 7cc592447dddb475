import Foundation
import LuaBridge
import PostmortemCore

/// One option of a schema: a plugin's `options = { name = { type = ..., ... } }` entry, or a
/// key of the pipeline file (``Pipeline/schema``). The language is documented in
/// docs/plugin-api.md ("Options"); ``OptionSpec/keys`` and ``OptionSpec/typeDocs`` are its
/// one declaration.
///
/// ```lua
/// keywords = { type = "map", of = { type = { "string", "record" }, fields = { source = "string", kind = "string" } } },
/// labels = { type = "list", of = "string", default = { "post-mortem" } },
/// mode = { type = "string", values = { "script", "api" }, default = "script" },
/// ```
public struct OptionSpec: Sendable {
  public var name: String
  /// The types a value may have: one, or alternatives (`type = { "string", "list" }`).
  public var types: [String]
  public var required: Bool
  public var defaultValue: LuaValue
  public var doc: String
  /// `values`: the only values allowed (an enum).
  public var values: [LuaValue]
  /// `pattern`: a Lua pattern a string value must match.
  public var pattern: String?
  /// `min` / `max`: bounds of a number.
  public var min: Double?
  public var max: Double?
  /// `of`: the schema of a list's items or a map's values (none or one).
  public var element: [OptionSpec]
  /// `fields`: a record's fields.
  public var fields: [OptionSpec]

  /// The keys a schema entry may have.
  /// The keys of a schema, each with its LuaLS type and what it says (docs/pmhost.lua's
  /// pmhost.OptionSchema is written from here).
  public static let keyDocs: [(key: String, luaLS: String, doc: String)] = [
    (
      "type", typeDocs.map { "\"\($0.key)\"" }.joined(separator: "|") + "|string[]",
      "the type, or a list of alternatives"
    ),
    ("required", "boolean?", "the pipeline must set it"),
    ("default", "any", "the value when the pipeline leaves it out"),
    ("doc", "string?", "what the option is for"),
    ("values", "any[]?", "the only values allowed"),
    ("pattern", "string?", "a Lua pattern a string must match"),
    ("min", "number?", "the least a number may be"),
    ("max", "number?", "the most a number may be"),
    ("of", "(string|pmhost.OptionSchema)?", "the schema of a list's items or a map's values"),
    ("fields", "table<string, string|pmhost.OptionSchema>?", "a record's fields"),
  ]
  public static let keys = keyDocs.map(\.key)

  /// Every type, with what a value of it is (docs/plugin-api.md lists the same).
  public static let typeDocs: KeyValuePairs<String, String> = [
    "string": "text",
    "number": "a number (`min`, `max` bound it)",
    "integer": "a whole number (`min`, `max` bound it)",
    "boolean": "true or false",
    "list": "a sequence { a, b, c }; `of` gives the items' schema",
    "map": "a table of name = value; `of` gives the values' schema (the names are strings)",
    "record": "a table with the names `fields` declares, each with its own schema; other names are errors",
    "table": "any table (prefer list, map or record: they say the shape)",
    "any": "anything (prefer a precise type)",
    "lua_pattern": "a Lua pattern, which must compile",
    "time_format": "a pm.time.parse format: \(TimeFormat.allCases.map(\.rawValue).joined(separator: ", "))",
    "file": "a file relative to the pipeline folder, inside it; `pmhost check` says when it is missing",
    "dir": "a folder relative to the pipeline folder, inside it; `pmhost check` says when it is missing",
    "glob":
      "a file or glob (`logs/*.log`) relative to the pipeline folder; `pmhost check` says when nothing matches",
    "url": "an http:// or https:// URL; only the pipeline may set it (no default)",
    "env": "an environment variable name (letters, digits, _); only the pipeline may set it (no default)",
  ]
  static let typeNames = Set(typeDocs.map(\.key))
  static let stringTypes: Set<String> = [
    "string", "lua_pattern", "time_format", "file", "dir", "glob", "url", "env",
  ]

  /// A schema written in Swift (the pipeline's keys).
  init(
    _ name: String, _ types: [String], required: Bool = false, default defaultValue: LuaValue = .nil,
    doc: String, values: [LuaValue] = [], min: Double? = nil, of element: OptionSpec? = nil,
    fields: [OptionSpec] = []
  ) {
    self.name = name
    self.types = types
    self.required = required
    self.defaultValue = defaultValue
    self.doc = doc
    self.values = values
    self.min = min
    self.element = element.map { [$0] } ?? []
    self.fields = fields
  }

  /// Reads a schema entry: a table, or (for `of` and `fields`) a type name alone. Every
  /// mistake in it is an error naming the plugin and the option: an unknown key or type,
  /// `of` without a list or map, a `pattern` that does not compile, a default that does
  /// not fit.
  package init(name: String, spec: LuaValue, plugin: String, shorthand: Bool = false) throws(HostError) {
    let t: LuaTable
    switch spec {
    case .table(let table): t = table
    case .string(let s) where shorthand: t = LuaTable(fields: ["type": .text(s.text)])
    default:
      throw .configuration(
        "\(plugin): option '\(name)' needs a schema table such as { type = \"string\", doc = \"...\" }")
    }
    func fail(_ problem: String) -> HostError { .configuration("\(plugin): option '\(name)': \(problem)") }
    let unknown = t.fields.keys.filter { !(Self.keys.contains($0.stringValue ?? "")) }
      .map(Pipeline.describe).sorted()
    if !unknown.isEmpty || !t.array.isEmpty {
      let what =
        unknown.isEmpty
        ? "items without names"
        : "unknown schema key\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", "))"
      throw fail("\(what) (known: \(Self.keys.joined(separator: ", ")))")
    }
    self.name = name
    switch t["type"] {
    case .nil: types = ["any"]
    case .string(let s): types = [s.text]
    case .table(let list)
    where list.fields.isEmpty && !list.array.isEmpty && list.array.allSatisfy({ $0.stringValue != nil }):
      types = list.array.compactMap(\.stringValue)
    default: throw fail("type must be a type name or a list of them, e.g. type = { \"string\", \"list\" }")
    }
    for type in types where !Self.typeNames.contains(type) {
      throw fail(
        "unknown type '\(type)' (types: \(Self.typeDocs.map(\.key).joined(separator: ", ")))")
    }
    required = t["required"].isTruthy
    defaultValue = t["default"]
    doc = t["doc"].stringValue ?? ""
    switch t["values"] {
    case .nil: values = []
    case .table(let list) where list.fields.isEmpty && !list.array.isEmpty: values = list.array
    default: throw fail("values must be a list of the allowed values, e.g. values = { \"a\", \"b\" }")
    }
    pattern = nil
    if !t["pattern"].isNil {
      guard let p = t["pattern"].stringValue else { throw fail("pattern must be a Lua pattern (a string)") }
      if let bad = SchemaLua.problem(compiling: p) { throw fail("pattern \"\(p)\": \(bad)") }
      pattern = p
    }
    for bound in ["min", "max"] where !t[bound].isNil && t[bound].doubleValue == nil {
      throw fail("\(bound) must be a number")
    }
    min = t["min"].doubleValue
    max = t["max"].doubleValue
    element = []
    if !t["of"].isNil {
      guard types.contains("list") || types.contains("map") else {
        throw fail(
          "`of` gives the items of a list or the values of a map; the type is \(types.joined(separator: " or "))"
        )
      }
      element = [try OptionSpec(name: "\(name) item", spec: t["of"], plugin: plugin, shorthand: true)]
    }
    fields = []
    switch t["fields"] {
    case .nil:
      if types.contains("record") { throw fail("a record needs fields = { name = schema, ... }") }
    case .table(let declared) where declared.array.isEmpty && types.contains("record"):
      for (field, schema) in declared.stringFields {
        fields.append(try OptionSpec(name: "\(name).\(field)", spec: schema, plugin: plugin, shorthand: true))
      }
    default:
      throw fail("`fields` declares a record's fields: type = \"record\", fields = { name = schema, ... }")
    }
    if pattern != nil, !types.contains(where: Self.stringTypes.contains) {
      throw fail("`pattern` applies to strings; the type is \(types.joined(separator: " or "))")
    }
    if min != nil || max != nil, !types.contains("number"), !types.contains("integer") {
      throw fail("`min` and `max` apply to numbers; the type is \(types.joined(separator: " or "))")
    }
    var shapeOnly = self
    shapeOnly.values = []
    for v in values {
      if let problem = shapeOnly.problems(v, at: "", SchemaContext()).first {
        throw fail(
          "value \(SchemaText.shown(v)) in `values` does not fit the type: \(problem.message)")
      }
    }
    if !defaultValue.isNil {
      if required { throw fail("an option with a default is not required: drop one of them") }
      if let problem = problems(defaultValue, at: "", SchemaContext()).first {
        throw fail("the default does not fit the schema: \(problem.message)")
      }
    }
  }

  /// The type as docs and `pmhost plugins info` show it: `list of string`, `string or list of string`.
  public var type: String {
    types.map { type in
      switch type {
      case "list", "map": element.first.map { "\(type) of \($0.type)" } ?? type
      case "record":
        "record { \(fields.map { "\($0.name.split(separator: ".").last ?? "") = \($0.type)" }.joined(separator: ", ")) }"
      default: type
      }
    }.joined(separator: " or ")
  }

  /// Why `value` does not fit, or nil when it does (the first problem).
  func mismatch(_ value: LuaValue, _ context: SchemaContext = SchemaContext()) -> String? {
    problems(value, at: "", context).first.map {
      $0.place.isEmpty ? $0.message : "\($0.place): \($0.message)"
    }
  }

  /// One thing wrong with a value: where inside it (`[2]`, `.source`; empty for the value
  /// itself) and what.
  struct Problem: Sendable, Equatable {
    var place: String
    var message: String
  }

  /// Every problem of `value` (at `place` inside the option).
  func problems(_ value: LuaValue, at place: String, _ context: SchemaContext) -> [Problem] {
    if Self.containsReference(value) {
      return [
        Problem(
          place: place,
          message: "holds a function or userdata; options cross into the plugin's own Lua state as data only")
      ]
    }
    // The first alternative whose shape fits decides; none fitting is one problem.
    guard let type = types.first(where: { Self.shapeFits($0, value) }) else {
      return [Problem(place: place, message: shapeProblem(value))]
    }
    var found: [Problem] = []
    func add(_ message: String, at inner: String = place) {
      found.append(Problem(place: inner, message: message))
    }
    if !values.isEmpty, !values.contains(value) {
      add(
        "must be one of \(values.map(SchemaText.shown).joined(separator: ", ")) (got \(SchemaText.shown(value)))"
      )
      return found
    }
    switch type {
    case "number", "integer":
      let v = value.doubleValue ?? 0
      if !v.isFinite { add("must be a finite number") }
      if let min, v < min {
        add("must be at least \(SchemaText.number(min)) (got \(SchemaText.shown(value)))")
      }
      if let max, v > max {
        add("must be at most \(SchemaText.number(max)) (got \(SchemaText.shown(value)))")
      }
    case "list":
      for (i, item) in (value.tableValue?.array ?? []).enumerated() {
        for spec in element { found += spec.problems(item, at: "\(place)[\(i + 1)]", context) }
      }
    case "map":
      for (key, item) in value.tableValue?.stringFields ?? [] {
        for spec in element { found += spec.problems(item, at: place + Self.fieldPlace(key), context) }
      }
    case "record":
      let t = value.tableValue ?? LuaTable()
      let names = Set(fields.map { String($0.name.split(separator: ".").last ?? "") })
      for (key, _) in t.stringFields where !names.contains(key) {
        add(
          "unknown field '\(key)' (known: \(names.sorted().joined(separator: ", ")))",
          at: place + Self.fieldPlace(key))
      }
      for field in fields {
        let key = String(field.name.split(separator: ".").last ?? "")
        let given = t[key]
        if given.isNil {
          if field.required { add("needs the field '\(key)'\(field.doc.isEmpty ? "" : " (\(field.doc))")") }
          continue
        }
        found += field.problems(given, at: place + Self.fieldPlace(key), context)
      }
    default:
      if let s = value.stringValue, let problem = stringProblem(type, s, context) { add(problem) }
    }
    if let pattern, let s = value.stringValue, !SchemaLua.matches(s, pattern) {
      add("\"\(s)\" does not match the pattern \(pattern)\(doc.isEmpty ? "" : " (\(doc))")")
    }
    return found
  }

  /// Whether `value` has the shape of `type` (its contents are checked after).
  static func shapeFits(_ type: String, _ value: LuaValue) -> Bool {
    switch type {
    case "number": value.doubleValue != nil
    case "integer": value.intValue != nil
    case "boolean": value.boolValue != nil
    case "list": value.tableValue.map { $0.fields.isEmpty } ?? false
    case "map":
      value.tableValue.map { t in t.array.isEmpty && t.fields.keys.allSatisfy { $0.stringValue != nil } }
        ?? false
    case "record":
      value.tableValue.map { t in t.array.isEmpty && t.fields.keys.allSatisfy { $0.stringValue != nil } }
        ?? false
    case "table": value.tableValue != nil
    case "any": true
    default: value.stringValue != nil
    }
  }

  /// Why no alternative fits, with what to write instead where the shape is close.
  func shapeProblem(_ value: LuaValue) -> String {
    let expected = "expected \(type)"
    guard let t = value.tableValue else {
      return "\(expected), got \(value.typeName) \(SchemaText.shown(value))"
    }
    let wantsNames = types.contains("map") || types.contains("record")
    if wantsNames, !t.array.isEmpty {
      let first = t.array[0]
      return
        "\(expected): a table of name = value, got a list ([1] = \(SchemaText.shown(first))); write { [\(SchemaText.shown(first))] = ... } with a name for each entry"
    }
    if types.contains("list"), !t.fields.isEmpty {
      let keys = t.fields.keys.map(Pipeline.describe).sorted().prefix(3).joined(separator: ", ")
      return "\(expected): a sequence { a, b }, got a table with the keys \(keys)"
    }
    if wantsNames {
      let keys = t.fields.keys.filter { $0.stringValue == nil }.map(Pipeline.describe).sorted()
      return "\(expected): names must be strings, got the keys \(keys.joined(separator: ", "))"
    }
    return "\(expected), got a table"
  }

  /// The checks of the string types beyond being a string.
  func stringProblem(_ type: String, _ s: String, _ context: SchemaContext) -> String? {
    switch type {
    case "lua_pattern":
      return SchemaLua.problem(compiling: s).map { "\"\(s)\" is not a Lua pattern: \($0)" }
    case "time_format":
      let known = TimeFormat.allCases.map(\.rawValue)
      return known.contains(s)
        ? nil : "\"\(s)\" is not a time format (formats: \(known.joined(separator: ", ")))"
    case "url":
      guard let url = URLComponents(string: s), let scheme = url.scheme?.lowercased(),
        scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty,
        !s.contains(where: { $0.isWhitespace })
      else {
        return "\"\(Redaction.text(s))\" is not an http:// or https:// URL with a host"
      }
      return nil
    case "env":
      return Self.isEnvironmentName(s)
        ? nil
        : "\"\(s)\" is not an environment variable name (letters, digits and _, not starting with a digit)"
    case "file", "dir", "glob":
      return pathProblem(type, s, context)
    default:
      return nil
    }
  }

  static func isEnvironmentName(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
    return s.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
    }
  }

  func pathProblem(_ type: String, _ path: String, _ context: SchemaContext) -> String? {
    guard let files = context.files else { return nil }
    if type == "glob" {
      let found: [String]
      do { found = try files.glob(path) } catch { return error.description }
      if context.checkFiles, found.isEmpty { return "no file matches '\(path)' in \(files.root)" }
      return nil
    }
    let resolved: String
    do { resolved = try files.readablePath(path) } catch { return error.description }
    guard context.checkFiles else { return nil }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
      return "no \(type == "dir" ? "folder" : "file") '\(path)' in \(files.root)"
    }
    if isDirectory.boolValue != (type == "dir") {
      return
        "'\(path)' is \(isDirectory.boolValue ? "a folder" : "a file"), not a \(type == "dir" ? "folder" : "file")"
    }
    return nil
  }

  /// `.name`, or `["rolled back"]` for a name that is not an identifier.
  static func fieldPlace(_ key: String) -> String {
    let identifier =
      key.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
      && key.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    return identifier ? ".\(key)" : "[\"\(key)\"]"
  }

  static func containsReference(_ value: LuaValue) -> Bool {
    switch value {
    case .function, .userdata, .thread: true
    case .table(let t):
      t.array.contains(where: containsReference) || t.fields.values.contains(where: containsReference)
    default: false
    }
  }
}

/// What the checks of file options need: the pipeline folder, and whether missing files
/// are problems (`pmhost check`; a run leaves a missing input to its collector, as a gap).
package struct SchemaContext {
  package var files: FileAccess? = nil
  package var checkFiles = false

  package init(files: FileAccess? = nil, checkFiles: Bool = false) {
    self.files = files
    self.checkFiles = checkFiles
  }
}

/// Values as messages show them.
enum SchemaText {
  static func shown(_ value: LuaValue) -> String {
    switch value {
    case .string(let s): "\"\(Redaction.text(s.text))\""
    case .integer(let i): String(i)
    case .number(let d): number(d)
    case .boolean(let b): String(b)
    case .table(let t): t.fields.isEmpty ? "a list of \(t.array.count)" : "a table"
    default: value.typeName
    }
  }

  static func number(_ d: Double) -> String {
    d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
  }
}

/// Lua patterns for schemas, each answer from a small state of its own: whether one
/// compiles (`pm.logtext.check`, the one checker, which `ctx.fs.lines` filters agree
/// with) and whether a string matches one (`string.find`).
enum SchemaLua {
  /// A fresh state with `pm.logtext` loaded, and the module.
  private static func state() -> (LuaState, LuaValue)? {
    guard let lua = try? LuaState(), var bytes = BundledPlugins.shared.libraries["logtext"],
      let chunk = try? lua.load(bytes: &bytes, chunkName: "bundled/lib/logtext.lua"),
      let module = try? lua.call(chunk).first
    else { return nil }
    return (lua, module)
  }

  /// Why `pattern` is not a Lua pattern, or nil when it compiles.
  static func problem(compiling pattern: String) -> String? {
    guard let (lua, module) = state() else { return nil }
    do {
      return try lua.call(module["check"], [.text(pattern)]).first?.stringValue
    } catch {
      return error.message
    }
  }

  /// Whether `text` matches `pattern` (a pattern that raises counts as no match).
  static func matches(_ text: String, _ pattern: String) -> Bool {
    guard let lua = try? LuaState(), let find = try? lua.run("return string.find").first else { return true }
    return ((try? lua.call(find, [.text(text), .text(pattern)]).first) ?? .nil).isTruthy
  }
}

/// A table read against a schema: every key checked, every problem found (not the first
/// only), defaults filled in. Plugin options and the pipeline file's keys are both read so.
struct OptionSchema {
  var specs: [OptionSpec]
  /// What a key is called in messages: `option`, `key`.
  var noun = "option"
  /// Keys allowed besides the schema's (read elsewhere: a collector's `source`, stage lists).
  var extraKeys: [String] = []
  /// Said after the known keys of an unknown one (`pmhost plugins info x` documents them).
  var hint = ""

  /// One problem: the key it is about (nil for the table as a whole) and what.
  struct Problem: Sendable, Equatable {
    var key: String?
    var message: String
  }

  func read(_ given: LuaTable, _ context: SchemaContext) -> (LuaTable, [Problem]) {
    var problems: [Problem] = []
    var result = LuaTable()
    for (key, value) in given.fields where key.stringValue == nil {
      problems.append(
        Problem(
          key: nil,
          message:
            "\(noun) keys must be names, got \(Pipeline.describe(key)) = \(SchemaText.shown(value))"))
    }
    for (i, value) in given.array.enumerated() {
      problems.append(
        Problem(
          key: nil,
          message:
            "\(noun) keys must be names, got the list item [\(i + 1)] = \(SchemaText.shown(value))"))
    }
    let names = Set(specs.map(\.name))
    let known = (specs.map(\.name) + extraKeys).sorted().joined(separator: ", ")
    for (key, _) in given.stringFields where !names.contains(key) && !extraKeys.contains(key) {
      problems.append(
        Problem(
          key: key, message: "unknown \(noun) '\(key)' (known: \(known))\(hint.isEmpty ? "" : "; \(hint)")"))
    }
    for key in extraKeys where !given[key].isNil { result[key] = given[key] }
    for spec in specs {
      let value = given[spec.name]
      if value.isNil {
        if spec.required {
          problems.append(
            Problem(
              key: nil,
              message: "missing required \(noun) '\(spec.name)'\(spec.doc.isEmpty ? "" : " (\(spec.doc))")"))
        }
        result[spec.name] = spec.defaultValue
        continue
      }
      for p in spec.problems(value, at: "", context) {
        problems.append(Problem(key: spec.name, message: "\(noun) '\(spec.name)'\(p.place): \(p.message)"))
      }
      result[spec.name] = value
    }
    return (result, problems)
  }
}
