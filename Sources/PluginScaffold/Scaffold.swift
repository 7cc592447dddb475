import Foundation
import PluginHost

/// `pmhost new pipeline DIR` and `pmhost new plugin NAME --stage STAGE`: files to start from.
/// Existing files are never overwritten.
///
/// What they write is the package's `scaffold/` folder, embedded in the binary at build time
/// (BuildPlugins/EmbedLuaPlugins, `ScaffoldSources`):
/// - `pipeline/`: every file, as it is, into the new pipeline folder: a worked example about
///   a sample incident (pipeline.lua, incident.yaml, data/, whys.yaml, actions.yaml,
///   severity-rules.lua, answers.yaml, plugins/);
/// - `plugin/collect|report|validate/`, and `plugin/other/` for the other stages: into
///   plugins/NAME/, `NAME` in a path replaced by the plugin's name and `{{name}}`,
///   `{{stage}}`, `{{api}}` and `{{handle}}` in a file's text filled in;
/// - `luacheckrc.lua`: written as `.luacheckrc` into the pipeline folder (by `new plugin`
///   when the folder has none), so that `luacheck .` knows the pm globals. The package's
///   own .luacheckrc reads it too.
public enum Scaffold {
  /// The plugin API that scaffolded plugins declare (`api = ...`).
  static let pluginAPI = APIReference.version

  /// Writes a pipeline folder (see above). Returns the paths written.
  public static func pipeline(in directory: String) throws(HostError) -> [String] {
    var files = templates(under: "pipeline/").map { ($0.path, $0.text) }
    files.append((".luacheckrc", template("luacheckrc.lua")))
    return try write(files, in: directory)
  }

  /// Writes plugins/NAME/init.lua, NAME_spec.lua (and for a collector fixtures/) for a plugin
  /// of `stage`, and .luacheckrc when the folder has none.
  public static func plugin(name: String, stage: String, in directory: String) throws(HostError) -> [String] {
    guard let stage = Stage(rawValue: stage) else {
      throw .configuration("unknown stage '\(stage)' (stages: \(Stage.list))")
    }
    guard PluginManifest.isWellFormedName(name) else {
      throw .configuration("'\(name)' is not a plugin name: \(PluginManifest.nameRule)")
    }
    if let reason = PluginManifest.reservedReason(name) {
      throw .configuration("'\(name)' is a reserved plugin name: \(reason)")
    }
    let kind = [Stage.collect, .report, .validate].contains(stage) ? stage.rawValue : "other"
    let values = [
      "name": name, "stage": stage.rawValue, "api": String(pluginAPI), "handle": handle(of: stage),
    ]
    var files = templates(under: "plugin/\(kind)/").map { template in
      (
        "plugins/\(name)/" + template.path.replacingOccurrences(of: "NAME", with: name),
        filled(template.text, with: values)
      )
    }
    if !FileManager.default.fileExists(atPath: directory + "/.luacheckrc") {
      files.append((".luacheckrc", template("luacheckrc.lua")))
    }
    return try write(files, in: directory)
  }

  /// The `ctx` handle a plugin of `stage` works with, named in the template's comment.
  static func handle(of stage: Stage) -> String {
    switch stage {
    case .analyze: "factors"
    case .classify: "severity"
    case .act, .track: "actions"
    case .report, .validate: "report"
    case .collect, .timeline: "timeline"
    }
  }

  /// `{{key}}` in `text` replaced by `values[key]`.
  static func filled(_ text: String, with values: [String: String]) -> String {
    values.reduce(text) { $0.replacingOccurrences(of: "{{\($1.key)}}", with: $1.value) }
  }

  /// The embedded files under `prefix` of scaffold/, in path order, their paths relative to it.
  static func templates(under prefix: String) -> [(path: String, text: String)] {
    ScaffoldSources.files.compactMap { file in
      guard file.path.hasPrefix(prefix) else { return nil }
      return (String(file.path.dropFirst(prefix.count)), decoded(file.base64, path: file.path))
    }
  }

  /// The embedded scaffold/`path`.
  static func template(_ path: String) -> String {
    guard let file = ScaffoldSources.files.first(where: { $0.path == path }) else {
      preconditionFailure("scaffold/\(path) is not embedded in this build")
    }
    return decoded(file.base64, path: path)
  }

  private static func decoded(_ base64: String, path: String) -> String {
    guard let data = Data(base64Encoded: base64) else {
      preconditionFailure("scaffold/\(path) is embedded damaged")
    }
    return String(decoding: data, as: UTF8.self)
  }

  static func write(_ files: [(String, String)], in directory: String) throws(HostError) -> [String] {
    let paths = files.map { directory + "/" + $0.0 }
    let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
    guard existing.isEmpty else {
      throw .configuration(
        "\(existing.map(PluginHostPaths.display).joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""); nothing was written"
      )
    }
    for (path, (_, text)) in zip(paths, files) {
      do { try FileAccess.writeAtomically(Array(text.utf8), to: path) } catch {
        throw .configuration("cannot write \(path): \(error.localizedDescription)")
      }
    }
    return paths
  }
}
