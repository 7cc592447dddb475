import LuaBridge
import Mustache

/// `pm.template.render(template, view [, { escape = "html" | "none" }])`: Mustache through
/// swift-mustache. The view is a Lua table (strings, numbers, booleans, lists, tables);
/// `escape = "none"` (what Markdown wants) leaves `{{x}}` unescaped, `"html"` (the default,
/// as Mustache specifies) escapes it. Template errors name the line and column.
enum TemplateLibrary {
  static func table(_ lua: LuaState) -> LuaTable {
    var t = LuaTable()
    t["render"] = APIReference.bind(lua, "pm.template.render") { args in
      let call = args.call
      let text = try call.string(1, "pm.template.render")
      let view = args[2]
      let options = args[3]
      let escape = options["escape"].stringValue ?? "html"
      guard escape == "html" || escape == "none" else {
        throw LuaRaise("pm.template.render: escape must be \"html\" or \"none\" (got \"\(escape)\")")
      }
      // A pragma alone on its line leaves no trace in the output.
      let source = (escape == "none" ? "{{% CONTENT_TYPE: TEXT}}\n" : "") + text
      let template: MustacheTemplate
      do {
        template = try MustacheTemplate(string: source)
      } catch let error as MustacheTemplate.ParserError {
        throw LuaRaise(
          "pm.template.render: line \(error.context.lineNumber - (escape == "none" ? 1 : 0)), column \(error.context.columnNumber): \(describe(error.error)) in: \(error.context.line)"
        )
      }
      let rendered = template.render(swiftValue(view) ?? [String: Any]())
      return call.returning(.text(rendered))
    }
    return t
  }

  static func describe(_ error: any Error) -> String {
    switch error as? MustacheTemplate.Error {
    case .sectionCloseNameIncorrect?: "a section is closed with another name than it was opened with"
    case .unfinishedName?: "a tag is not closed"
    case .expectedSectionEnd?: "a section is never closed"
    case .invalidSetDelimiter?: "bad set-delimiter tag"
    case .unrecognisedConfigVariable?, .invalidConfigVariableSyntax?: "bad pragma"
    default: "\(error)"
    }
  }

  /// A Lua value as what swift-mustache renders: dictionaries, arrays, strings, numbers.
  static func swiftValue(_ value: LuaValue) -> Any? {
    switch value {
    case .nil, .lightUserdata: return nil
    case .boolean(let b): return b
    case .integer(let i): return Int(i)
    case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? Int(d) as Any : d as Any
    case .string(let s): return s.text
    case .table(let t):
      if t.fields.isEmpty { return t.array.compactMap(swiftValue) }
      var dictionary: [String: Any] = [:]
      for (key, item) in t.stringFields { if let v = swiftValue(item) { dictionary[key] = v } }
      if !t.array.isEmpty { dictionary["items"] = t.array.compactMap(swiftValue) }
      return dictionary
    default: return nil
    }
  }
}
