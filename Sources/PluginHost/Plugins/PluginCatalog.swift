import Foundation

/// Finds plugins along the search path (CONTRACT.md): the pipeline's `plugins/` folder,
/// each folder of `PMHOST_PLUGIN_PATH`, `~/.config/pmhost/plugins`, then the bundled ones.
public struct PluginCatalog: Sendable {
  public var searchFolders: [String]

  public init(pipelineDirectory: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
  {
    var folders: [String] = []
    if let pipelineDirectory {
      folders.append(Self.join(pipelineDirectory, "plugins"))
    }
    for entry in (environment["PMHOST_PLUGIN_PATH"] ?? "").split(separator: ":") where !entry.isEmpty {
      folders.append(String(entry))
    }
    if let home = environment["HOME"] {
      folders.append(Self.join(home, ".config/pmhost/plugins"))
    }
    searchFolders = folders
  }

  /// A catalog over exactly these folders, then the bundled plugins (`[]`: bundled only).
  public init(searchFolders: [String]) {
    self.searchFolders = searchFolders
  }

  package static func join(_ a: String, _ b: String) -> String {
    a.isEmpty || a == "." ? b : (a.hasSuffix("/") ? a + b : a + "/" + b)
  }

  /// The first plugin called `name`, or a configuration error listing where it looked.
  public func find(_ name: String) throws(HostError) -> PluginSource {
    guard !name.isEmpty, !name.contains("/"), !name.contains("..") else {
      throw .configuration("'\(name)' is not a plugin name")
    }
    for folder in searchFolders {
      let found = Self.candidates(name, in: folder)
      // Two files of one folder answering to one name (`plugins/x.lua` beside
      // `plugins/collect/x/`): which one runs would hang on the lookup order, and a one-line
      // file could silently replace a reviewed folder.
      if found.count > 1 {
        throw .configuration(
          "plugin '\(name)' is defined \(found.count) times in \(folder): \(found.map(\.displayPath).joined(separator: ", ")); keep one"
        )
      }
      if let first = found.first { return first }
    }
    if let bundled = BundledPlugins.shared.plugins[name] { return bundled }
    let looked = (searchFolders + ["the plugins bundled with pmhost"]).map { "  \($0)" }
    throw .configuration(
      "unknown plugin '\(name)'; looked in:\n\(looked.joined(separator: "\n"))\n"
        + "(`pmhost plugins list` shows the plugins it can find)")
  }

  static func lookup(_ name: String, in folder: String) -> PluginSource? {
    candidates(name, in: folder).first
  }

  /// Every plugin called `name` in `folder`, in lookup order: `NAME/init.lua`, `NAME.lua`,
  /// then the same in each stage folder (`plugins/<stage>/NAME`).
  static func candidates(_ name: String, in folder: String) -> [PluginSource] {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
    var found: [PluginSource] = []
    if fm.fileExists(atPath: join(folder, "\(name)/init.lua")) {
      found.append(
        PluginSource(name: name, origin: .directory(folder), folder: join(folder, name), mainFile: "init.lua")
      )
    }
    if fm.fileExists(atPath: join(folder, "\(name).lua")) {
      found.append(
        PluginSource(name: name, origin: .directory(folder), folder: folder, mainFile: "\(name).lua"))
    }
    // Plugins grouped by stage: plugins/<stage>/<name>.
    for stage in Stage.allCases {
      let grouped = join(folder, stage.rawValue)
      if fm.fileExists(atPath: join(grouped, "\(name)/init.lua")) {
        found.append(
          PluginSource(
            name: name, stageFolder: stage.rawValue, origin: .directory(folder), folder: join(grouped, name),
            mainFile: "init.lua"))
      }
      if fm.fileExists(atPath: join(grouped, "\(name).lua")) {
        found.append(
          PluginSource(
            name: name, stageFolder: stage.rawValue, origin: .directory(folder), folder: grouped,
            mainFile: "\(name).lua"))
      }
    }
    return found
  }

  /// Every plugin on the search path, in search order; later ones with a name already
  /// seen are marked shadowed.
  public func all() -> [(source: PluginSource, shadowed: Bool)] {
    var seen: Set<String> = []
    var result: [(PluginSource, Bool)] = []
    func add(_ source: PluginSource) {
      result.append((source, seen.contains(source.name)))
      seen.insert(source.name)
    }
    for folder in searchFolders {
      for name in Self.names(in: folder) {
        if let source = Self.lookup(name, in: folder) { add(source) }
      }
    }
    for name in BundledPlugins.shared.plugins.keys.sorted() {
      add(BundledPlugins.shared.plugins[name]!)
    }
    return result
  }

  static func names(in folder: String) -> [String] {
    let fm = FileManager.default
    var names: Set<String> = []
    func scan(_ dir: String) {
      for entry in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] {
        if entry.hasSuffix(".lua") && !entry.hasSuffix("_spec.lua") {
          names.insert(String(entry.dropLast(4)))
        } else if fm.fileExists(atPath: join(dir, "\(entry)/init.lua")) {
          names.insert(entry)
        }
      }
    }
    scan(folder)
    for stage in Stage.allCases { scan(join(folder, stage.rawValue)) }
    return names.sorted()
  }
}

/// The plugins compiled into the binary from `plugins/` (see BuildPlugins/EmbedLuaPlugins).
final class BundledPlugins: Sendable {
  static let shared = BundledPlugins()
  let plugins: [String: PluginSource]
  /// Shared modules from `plugins/lib/NAME.lua`, which any plugin loads with
  /// `require "pm.NAME"`.
  let libraries: [String: [UInt8]]

  private init() {
    var byFolder: [String: [String: [UInt8]]] = [:]
    var libraries: [String: [UInt8]] = [:]
    for (path, base64) in BundledPluginSources.files {
      if path.hasPrefix("lib/"), path.hasSuffix(".lua"), let data = Data(base64Encoded: base64) {
        libraries[String(path.dropFirst(4).dropLast(4)).replacingOccurrences(of: "/", with: ".")] = [UInt8](
          data)
        continue
      }
      // path: <stage>/<name>/<file...>
      let parts = path.split(separator: "/", maxSplits: 2).map(String.init)
      guard parts.count == 3, let data = Data(base64Encoded: base64) else { continue }
      byFolder["\(parts[0])/\(parts[1])", default: [:]][parts[2]] = [UInt8](data)
    }
    var plugins: [String: PluginSource] = [:]
    for (folder, files) in byFolder where files["init.lua"] != nil {
      let parts = folder.split(separator: "/").map(String.init)
      var source = PluginSource(
        name: parts[1], stageFolder: parts[0], origin: .bundled, folder: "bundled/\(folder)",
        mainFile: "init.lua")
      source.bundledFiles = files
      plugins[parts[1]] = source
    }
    self.plugins = plugins
    self.libraries = libraries
  }
}
