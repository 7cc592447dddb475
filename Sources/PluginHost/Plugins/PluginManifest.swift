import LuaBridge
import PostmortemCore

/// What a plugin says about itself: read by running its chunk, which only returns a table.
public struct PluginManifest: Sendable {
  public var name: String
  public var stage: Stage
  public var version: String
  public var api: Int
  public var description: String
  /// Whether the plugin has `check(opts)`: option checks beyond the schema (a pattern that
  /// compiles, options that exclude each other), run by `pmhost check` and before any stage.
  public var hasCheck: Bool
  public var options: [OptionSpec]
  public var source: PluginSource

  static let keys: Set<String> = [
    "name", "stage", "version", "api", "description", "options", "run", "check",
  ]

  init(table: LuaTable, source: PluginSource) throws(HostError) {
    let path = source.displayPath
    for (key, _) in table.fields where !(key.stringValue.map(Self.keys.contains) ?? false) {
      throw .configuration(
        "\(path): unknown plugin field \(Pipeline.describe(key)) (known: \(Self.keys.sorted().joined(separator: ", ")))"
      )
    }
    name = table["name"].stringValue ?? source.name
    guard let stageName = table["stage"].stringValue else {
      throw .configuration("\(path): the plugin table needs stage = one of \(Stage.list)")
    }
    guard let stage = Stage(rawValue: stageName) else {
      throw .configuration("\(path): unknown stage '\(stageName)' (stages: \(Stage.list))")
    }
    self.stage = stage
    version = table["version"].stringValue ?? "0.0.0"
    guard let declared = table["api"].intValue else {
      throw .configuration(
        "\(path): the plugin table needs api = \(APIReference.version) (the pm API it is written for); a plugin without it was written for API 1: move it with the table in docs/plugin-api.md, \"Migrating from API 1\""
      )
    }
    api = Int(declared)
    guard api == APIReference.version else {
      throw .configuration(
        api < APIReference.version
          ? "\(path): written for pm API \(api); this pmhost runs API \(APIReference.version) only: move it to api = \(APIReference.version) with the table in docs/plugin-api.md, \"Migrating from API 1\""
          : "\(path): written for pm API \(api); this pmhost runs API \(APIReference.version): upgrade pmhost"
      )
    }
    description = table["description"].stringValue ?? ""
    guard case .function = table["run"] else {
      throw .configuration("\(path): the plugin table needs run = function(ctx, opts) ... end")
    }
    switch table["check"] {
    case .nil: hasCheck = false
    case .function: hasCheck = true
    default:
      throw .configuration("\(path): check must be a function(opts) that raises an error for bad options")
    }
    var options: [OptionSpec] = []
    switch table["options"] {
    case .nil: break
    case .table(let schema):
      for (key, value) in schema.stringFields {
        do {
          options.append(try OptionSpec(name: key, spec: value, plugin: path))
        } catch {
          // Named with its line, so that a mistake in a schema points where to fix it. The
          // plugin's text is read only then: every run loads its manifest.
          let text = source.file(source.mainFile).map { String(decoding: $0, as: UTF8.self) } ?? ""
          guard error.message.hasPrefix(path + ": "), let line = Self.line(ofOption: key, in: text) else {
            throw error
          }
          throw .configuration("\(path):\(line)" + error.message.dropFirst(path.count))
        }
      }
    default: throw .configuration("\(path): options must be a table of option schemas")
    }
    self.options = options
    self.source = source
  }
}

extension PluginManifest {
  /// The options as a schema the host reads tables with (a collector also takes `source`).
  var optionSchema: OptionSchema {
    OptionSchema(
      specs: options, noun: "option", extraKeys: stage == .collect ? ["source"] : [],
      hint: "`pmhost plugins info \(name)` documents them")
  }

  /// Checks `options` against the schema and fills in defaults: every problem found, each
  /// with the option it is about.
  func checkOptions(_ options: LuaTable, context: SchemaContext) -> (LuaTable, [OptionSchema.Problem]) {
    optionSchema.read(options, context)
  }

  /// Checks `options` against the schema and fills in defaults; the problems, one a line,
  /// are one error. `origin` says where the options were written (`pipeline.lua: collect[2]`).
  package func resolveOptions(_ options: LuaTable, origin: String, context: SchemaContext = SchemaContext())
    throws(HostError) -> LuaTable
  {
    let (result, problems) = checkOptions(options, context: context)
    guard problems.isEmpty else {
      throw .configuration(problems.map { "\(origin) (\(name)): \($0.message)" }.joined(separator: "\n"))
    }
    return result
  }
}

extension PluginManifest {
  /// The rule for option defaults: options that grant reach must be set in the pipeline.
  static let reachRule =
    "options that grant reach must be set in the pipeline: a plugin's defaults may not name a URL or an environment variable"

  /// Refuses a plugin whose option schema gives a default that names a URL (a value with
  /// `scheme://` anywhere in it, or any default of an option called `url` or `*url`) or an
  /// environment variable (any default of an option called `env` or `*_env`). Only the
  /// pipeline grants reach (`ctx.http`, `ctx.env` read the options as the pipeline wrote
  /// them); a default that looks like a grant is refused at load so that nobody relies on it.
  package func checkReachDefaults() throws(HostError) {
    for spec in options.sorted(by: { $0.name < $1.name }) where !spec.defaultValue.isNil {
      let lower = spec.name.lowercased()
      let what: String?
      if spec.types.contains("env") || lower == "env" || lower.hasSuffix("_env") {
        what = "names an environment variable"
      } else if spec.types.contains("url") || lower.hasSuffix("url") {
        what = "names a URL"
      } else if Self.containsURL(spec.defaultValue) {
        what = "contains a URL"
      } else {
        what = nil
      }
      guard let what else { continue }
      throw .configuration(
        "\(source.displayPath): plugin \(name): option '\(spec.name)' has default \(Self.shown(spec.defaultValue)), which \(what); \(Self.reachRule). Remove the default (make the option required where it is needed) and set it in the pipeline: { \"\(name)\", \(spec.name) = ... }"
      )
    }
  }

  /// A default as the message shows it: a string quoted (its URL credentials masked), a
  /// table by the first string in it that holds a URL.
  static func shown(_ value: LuaValue) -> String {
    switch value {
    case .string(let s): return "\"\(Redaction.text(s.text))\""
    case .table(let t):
      let inside = (t.array + Array(t.fields.values)).first(where: containsURL)
      return inside.map { "a \(value.typeName) holding \(shown($0))" } ?? "a \(value.typeName)"
    default: return PluginRun.displayText(value)
    }
  }

  /// Whether a value (or a string in a table of it) has `scheme://` in it.
  static func containsURL(_ value: LuaValue) -> Bool {
    switch value {
    case .string(let s):
      let bytes = s.bytes
      var i = 0
      while i + 2 < bytes.count {
        if bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: "/"),
          bytes[i + 2] == UInt8(ascii: "/"),
          i > 0, Self.isSchemeByte(bytes[i - 1])
        {
          return true
        }
        i += 1
      }
      return false
    case .table(let t):
      return t.array.contains(where: containsURL) || t.fields.values.contains(where: containsURL)
    default: return false
    }
  }

  private static func isSchemeByte(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
      || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "+")
      || b == UInt8(ascii: "-")
      || b == UInt8(ascii: ".")
  }
}

extension PluginManifest {
  /// What a plugin name is made of (``isWellFormedName(_:)``).
  public static let nameRule = "ASCII letters, digits, - and _, starting with a letter"

  /// Whether `name` is made of ASCII letters, digits, `-` and `_`, starting with a letter:
  /// nothing else, so that no name can look like another (`ｐｍｈｏｓｔ`, or `pmhоst` with a
  /// Cyrillic `о`, past the reserved names) or hold a space, a line break or an escape.
  public static func isWellFormedName(_ name: String) -> Bool {
    func letter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    guard let first = name.unicodeScalars.first, letter(first) else { return false }
    return name.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
  }

  /// Why `name` may not be a plugin's name, or nil when it may: `pmhost` and names starting
  /// with it, `pm` and `pm.*` (the plugin API and its modules), `lib` (the shared modules'
  /// folder) and the stage names (folders of the by-stage layout).
  public static func reservedReason(_ name: String) -> String? {
    let lower = name.lowercased()
    if lower.hasPrefix("pmhost") {
      return "names starting with 'pmhost' are pmhost's own (it signs its gaps and warnings so)"
    }
    if lower == "pm" || lower.hasPrefix("pm.") {
      return "'pm' and 'pm.*' name the plugin API and its modules"
    }
    if lower == "lib" { return "'lib' is the folder of the shared pm.* modules" }
    if Stage(rawValue: lower) != nil { return "'\(lower)' is a stage name" }
    return nil
  }

  /// The checks a plugin passes before a pipeline (or `pmhost validate`) uses it: its name
  /// is well formed and not reserved, the name it declares is the one it was found by, so that reports name
  /// the plugin that ran, and no option default grants reach (``checkReachDefaults()``).
  public func checkTrusted() throws(HostError) {
    for candidate in Set([source.name, name]).sorted() {
      guard Self.isWellFormedName(candidate) else {
        throw .configuration(
          "\(source.displayPath): '\(candidate)' is not a plugin name: \(Self.nameRule); rename the plugin")
      }
      if let reason = Self.reservedReason(candidate) {
        throw .configuration(
          "\(source.displayPath): plugin name '\(candidate)' is reserved: \(reason); rename the plugin")
      }
    }
    guard name == source.name else {
      throw .configuration(
        "\(source.displayPath): the plugin declares name = \"\(name)\" but is found as '\(source.name)' (its folder or file name); the two must agree so that reports name the plugin that ran: rename one of them"
      )
    }
    try checkReachDefaults()
  }
}

extension PluginManifest {
  /// The line of option `name`'s schema in a plugin's text: the first line, from the one
  /// that opens `options = {`, where `name =` (or `["name"] =`) starts; nil when not found.
  static func line(ofOption name: String, in text: String) -> Int? {
    var inOptions = false
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var rest = line.drop { $0 == " " || $0 == "\t" }
      if rest.hasPrefix("--") { continue }
      if !inOptions {
        // `options = {`, alone or inside a one-line plugin table; what follows the brace
        // may already be the option.
        guard let opening = rest.range(of: "options") else { continue }
        let after = rest[opening.upperBound...].drop { $0 == " " || $0 == "\t" }
        guard after.hasPrefix("=") else { continue }
        let value = after.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard value.hasPrefix("{") else { continue }
        inOptions = true
        rest = value.dropFirst()
      }
      if Self.startsWithKey(rest, name) { return i + 1 }
    }
    return nil
  }

  private static func startsWithKey(_ text: Substring, _ name: String) -> Bool {
    let t = text.drop { $0 == " " || $0 == "\t" }
    for form in [name, "[\"\(name)\"]", "['\(name)']"] where t.hasPrefix(form) {
      let rest = t.dropFirst(form.count).drop { $0 == " " || $0 == "\t" }
      if rest.hasPrefix("=") && !rest.hasPrefix("==") { return true }
    }
    return false
  }
}
