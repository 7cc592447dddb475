// swift-tools-version:6.0
// libFuzzer targets for pmhost, kept out of the main package so that its `swift build` is
// unaffected. Build and run them with scripts/fuzz.
import PackageDescription

// The fuzz targets link libFuzzer's main; everything else (built by scripts/fuzz with
// address sanitizer and coverage flags) is instrumented without it, so build tools still link.
let fuzzer: [SwiftSetting] = [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer,address"])]
let fuzzerLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
  name: "pmhost-fuzz",
  dependencies: [.package(name: "pmhost", path: "..")],
  targets: [
    .target(name: "FuzzDriver"),
    .executableTarget(
      name: "FuzzTime", dependencies: ["FuzzDriver", .product(name: "PostmortemCore", package: "pmhost")],
      swiftSettings: fuzzer, linkerSettings: fuzzerLink),
    .executableTarget(
      name: "FuzzIncident",
      dependencies: ["FuzzDriver", .product(name: "PostmortemCore", package: "pmhost")],
      swiftSettings: fuzzer, linkerSettings: fuzzerLink),
    .executableTarget(
      name: "FuzzJSON", dependencies: ["FuzzDriver", .product(name: "PostmortemCore", package: "pmhost")],
      swiftSettings: fuzzer, linkerSettings: fuzzerLink),
    .executableTarget(
      name: "FuzzAnswers", dependencies: ["FuzzDriver", .product(name: "PluginHost", package: "pmhost")],
      swiftSettings: fuzzer, linkerSettings: fuzzerLink),
    .executableTarget(
      name: "FuzzCollectors", dependencies: ["FuzzDriver", .product(name: "PluginHost", package: "pmhost")],
      swiftSettings: fuzzer, linkerSettings: fuzzerLink),
  ]
)
