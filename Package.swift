// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "pmhost",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "pmhost", targets: ["pmhost"]),
    .library(name: "PluginHost", targets: ["PluginHost"]),
    // For the fuzz targets in Fuzz/ (a package of its own, outside this build).
    .library(name: "PostmortemCore", targets: ["PostmortemCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
  ],
  targets: [
    // The system Lua 5.4 (Debian: liblua5.4-dev), found through pkg-config.
    .systemLibrary(
      name: "CLua",
      pkgConfig: "lua5.4",
      providers: [.apt(["liblua5.4-dev"]), .brew(["lua"])]
    ),
    // C: Lua macros as functions, the trampoline that raises Lua errors after a Swift
    // function has returned, the counting allocator and the limit hook.
    .target(name: "CLuaShim", dependencies: ["CLua"]),
    .target(name: "LuaBridge", dependencies: ["CLuaShim", "CLua"]),
    // C: HTTP through the system's libcurl, loaded with dlopen on the first request.
    .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
    .target(name: "PostmortemCore", dependencies: [.product(name: "Yams", package: "Yams")]),
    // C: Markdown through the system's libcmark-gfm (Debian: libcmark-gfm-dev), its GFM
    // extensions library loaded with dlopen on first use (Debian ships no link for it).
    .target(name: "CCmark", linkerSettings: [.linkedLibrary("cmark-gfm"), .linkedLibrary("dl")]),
    // The post-mortem archive's two back ends: the system SQLite (Debian: libsqlite3-dev) for
    // the default file, the system libpq (Debian: libpq-dev) for a team's PostgreSQL.
    .systemLibrary(
      name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
    .systemLibrary(name: "CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
    // Every incident remembered: recording, recurring factors, actions, metrics, similar ones.
    .target(name: "PostmortemArchive", dependencies: ["CSQLite", "CLibpq", "PostmortemCore"]),
    // Hand-written Markdown post-mortems read into report.json's shape.
    .target(name: "PostmortemDocument", dependencies: ["CCmark", "PostmortemCore"]),
    // Generates Swift source from plugins/, Sources/PluginSpecs/Lua/ and scaffold/ so that the
    // bundled plugins, the spec runner's Lua and `pmhost new`'s templates live inside the
    // binary (BuildPlugins/EmbedLuaPlugins says which target embeds which).
    .executableTarget(name: "EmbedTool", path: "Sources/EmbedTool"),
    .plugin(
      name: "EmbedLuaPlugins",
      capability: .buildTool(),
      dependencies: ["EmbedTool"],
      path: "BuildPlugins/EmbedLuaPlugins"
    ),
    .target(
      name: "PluginHost",
      dependencies: [
        "LuaBridge", "PostmortemCore", "PostmortemDocument", "CCurl", .product(name: "Yams", package: "Yams"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Mustache", package: "swift-mustache"),
      ],
      plugins: ["EmbedLuaPlugins"]
    ),
    // The plugin API binding (API/), discovery (Plugins/), the plugin run (Runtime/) and the
    // pipeline runner (Pipeline/) are PluginHost; what uses them beside `pmhost run` has a
    // target of its own.
    // `pmhost test`: plugin specs (busted-style); Lua/ is embedded by EmbedLuaPlugins rather
    // than copied as resources.
    .target(
      name: "PluginSpecs", dependencies: ["PluginHost", "LuaBridge", "PostmortemCore"],
      exclude: ["Lua"], plugins: ["EmbedLuaPlugins"]),
    // `pmhost new`: the pipeline folder and plugins it writes, from the embedded scaffold/.
    .target(name: "PluginScaffold", dependencies: ["PluginHost"], plugins: ["EmbedLuaPlugins"]),
    .executableTarget(
      name: "pmhost",
      dependencies: [
        "PluginHost", "PluginSpecs", "PluginScaffold", "LuaBridge", "PostmortemCore", "PostmortemArchive",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // scripts/bench-timeline's engine measurement; never part of pmhost.
    .executableTarget(name: "TimelineBench", dependencies: ["PostmortemCore"], path: "bench/TimelineBench"),
    .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge"]),
    .testTarget(name: "PostmortemCoreTests", dependencies: ["PostmortemCore"]),
    .testTarget(name: "PluginHostTests", dependencies: ["PluginHost"]),
    .testTarget(name: "PostmortemArchiveTests", dependencies: ["PostmortemArchive", "PostmortemCore"]),
    .testTarget(name: "PostmortemDocumentTests", dependencies: ["PostmortemDocument", "PostmortemCore"]),
    .testTarget(
      name: "pmhostTests",
      dependencies: ["pmhost", "PostmortemArchive", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["Fixtures"]
    ),
    .testTarget(name: "IntegrationTests", exclude: ["Data"]),
  ]
)
