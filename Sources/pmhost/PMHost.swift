import ArgumentParser
import Foundation
import PluginHost
import PluginSpecs
import PostmortemCore

/// `pmhost`: blameless post-mortems as code. Thin: every command calls into PluginHost.
@main
struct PMHost: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pmhost",
    abstract:
      "Run blameless incident post-mortems as code: Lua plugins in stages, from raw evidence to a checked report.",
    version: PMHostVersion.current,
    subcommands: [
      Run.self, Check.self, Plugins.self, Validate.self, Import.self, Actions.self, ArchiveCommand.self,
      Test.self,
      New.self,
      API.self,
    ])

  /// Exit codes as CONTRACT.md gives them: usage errors are 2, not ArgumentParser's 64.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as HostError {
      writeError("pmhost: \(error.message)")
      Foundation.exit(error.code.rawValue)
    } catch let code as ExitCode {
      Foundation.exit(code.rawValue)
    } catch {
      let exitCode = PMHost.exitCode(for: error)
      if exitCode == .success {
        PMHost.exit(withError: error)
      }
      writeError(PMHost.fullMessage(for: error))
      Foundation.exit(exitCode == .validationFailure ? 2 : exitCode.rawValue == 1 ? 2 : exitCode.rawValue)
    }
  }
}

func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// Prints to stdout with control characters escaped (TerminalText): what pmhost prints can
/// carry data (titles, check details, action texts). JSON output is printed with `print`.
func say(_ text: String, terminator: String = "\n") {
  print(TerminalText.escape(text), terminator: terminator)
}

/// A message on stderr, control characters escaped.
func writeError(_ text: String) {
  FileHandle.standardError.write(Data((TerminalText.escape(text) + "\n").utf8))
}

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a pipeline: collect, timeline, analyze, classify, act, report, validate, track.")

  @Argument(help: "The pipeline file (pipeline.lua).") var pipeline: String
  @Option(help: "Output folder (default: the pipeline's `out`, relative to it).") var out: String?
  @Option(help: "YAML file of prompt answers (id: answer).") var answers: String?
  @Option(
    help: ArgumentHelp(
      "Re-run every stage from the evidence an earlier run saved in DIR/evidence; no source is contacted.",
      valueName: "DIR"))
  var replay: String?
  @Option(
    help: ArgumentHelp(
      "When the report was distributed (RFC 3339, or \"now\"), for the 48-hour check.", valueName: "WHEN"))
  var distributed: String?
  @Flag(help: "Never prompt; unanswered prompts are errors.") var noInput = false
  @Flag(help: "Only errors and warnings on stderr.") var quiet = false
  @Flag(
    help: ArgumentHelp(
      "At the end, print how long each plugin run and built-in step took, and the total, on stderr (`pmhost: timing stage=S plugin=P seconds=N`)."
    ))
  var timings = false
  @Option(
    help: ArgumentHelp(
      "The post-mortem archive to record the report in and to ask what recurred: a path, sqlite:PATH or postgres://... (default: PMHOST_ARCHIVE, the pipeline's archive, else $XDG_DATA_HOME/pmhost/archive.sqlite).",
      valueName: "URL"))
  var archive: String?
  @Flag(help: "Neither record the report in the archive nor look up what recurred.") var noArchive = false

  func run() throws {
    var settings = RunSettings()
    let store = try RunArchive.choose(
      flag: archive, noArchive: noArchive, replay: replay != nil, pipelinePath: pipeline)
    if let store {
      settings.recurrence = store.recurrence
    } else if !noArchive {
      // A replay that names no archive: the recorded run's answer, from its evidence (the
      // runner gives a replay that, and never calls this).
      settings.recurrence = { @Sendable _ in [] }
    }
    settings.replayDirectory = replay
    settings.timings = timings
    if let distributed {
      if distributed == "now" {
        settings.distributedAt = Timestamp(seconds: Date().timeIntervalSince1970)
      } else if let t = TimeParser.rfc3339(distributed) {
        settings.distributedAt = t
      } else {
        throw HostError.configuration(
          "--distributed \(distributed): give an RFC 3339 time (2025-02-10T16:00:00Z) or now")
      }
    }
    settings.progress =
      isTerminal(STDERR_FILENO) && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && !quiet
    settings.quiet = quiet
    settings.interactive = !noInput && isTerminal(STDIN_FILENO)
    if let answers { settings.answers = try loadAnswers(answers) }
    let outcome = try PipelineRunner.run(pipelinePath: pipeline, outOverride: out, settings: settings)
    if !quiet { FileHandle.standardError.write(Data(TerminalText.escape(Summary.text(outcome)).utf8)) }
    for name in outcome.model.outputs {
      say(PluginHostPaths.display(outcome.outDirectory + "/" + name))
    }
    let code = store?.record(outcome, quiet: quiet) ?? outcome.exitCode
    if code != 0 { throw ExitCode(code) }
  }
}

func loadAnswers(_ path: String) throws -> [String: String] {
  do {
    return try AnswersFile.load(path: path)
  } catch let error as HostError {
    throw error
  } catch {
    throw HostError.configuration("\(path): \(error)")
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Check a pipeline without running it: its keys, every plugin's options and check() hook, the files they name (answers, actions, rules), the incident; every problem as file:line, exit 2."
  )

  @Argument(help: "The pipeline file.") var pipeline: String
  @Option(
    help: "Also check this YAML file of prompt answers (id: answer), as `pmhost run --answers` reads it.")
  var answers: String?

  func run() throws {
    let result = try PipelineRunner.check(
      pipelinePath: pipeline, answers: answers, archive: RunArchive.problem(pipelineKey:folder:))
    guard result.problems.isEmpty else {
      for problem in result.problems { writeError(problem.description) }
      writeError(
        "pmhost: \(pipeline): \(result.problems.count) problem\(result.problems.count == 1 ? "" : "s")")
      throw ExitCode(2)
    }
    say("\(pipeline): ok (\(result.plugins) plugins in \(result.stages) stages)")
  }
}

struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Run the seed's validation checklist on a report.json, or on a hand-written Markdown post-mortem; exit 1 when a check fails."
  )

  @Argument(help: "A report.json written by pmhost run, or a Markdown post-mortem (.md).") var report: String
  @Flag(
    help:
      "Print the results as JSON: a list of checks { check, ok, detail, findings: [{ line, text }] }, with rows and zone on timeline_complete and items on action_items_complete (docs/validate.md)."
  )
  var json = false
  @Flag(
    help:
      "Show what was recognised where (sections, zone, each timeline row with the time read from it, each action item with its owner, deadline and priority), then every check with all its findings."
  )
  var explain = false
  @Option(
    name: .customLong("check"),
    help: ArgumentHelp(
      "A validate plugin to run (repeatable; default: checklist). Bundled plugins only, unless --plugins names a folder.",
      valueName: "NAME"))
  var checks: [String] = []
  @Option(
    name: .customLong("plugins"),
    help: ArgumentHelp(
      "Also look for --check plugins in DIR, before the bundled ones (repeatable). Without it, no code from the report's folder, PMHOST_PLUGIN_PATH or ~/.config runs.",
      valueName: "DIR"))
  var pluginFolders: [String] = []

  func run() throws {
    let model = try PipelineRunner.validate(
      reportPath: report, plugins: checks.isEmpty ? ["checklist"] : checks, searchFolders: pluginFolders)
    if json {
      print(try ValidationOutput.json(model.validation))
    } else if explain {
      say(ValidationOutput.explain(model.validation, imported: model.imported, path: report), terminator: "")
    } else {
      say(ValidationOutput.text(model.validation), terminator: "")
    }
    if model.validation.contains(where: { $0.ok == false }) { throw ExitCode(1) }
  }
}

struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Read a hand-written Markdown post-mortem into a report.json: what it states (timeline rows with exact times, factors, action items, summary), the rest listed in imported.unknown."
  )

  @Argument(help: "A Markdown post-mortem (.md).") var document: String
  @Option(
    name: [.customShort("o"), .customLong("output")],
    help: ArgumentHelp(
      "Where to write the report (default: standard output). An existing file is replaced only when pmhost wrote it.",
      valueName: "FILE"))
  var output: String?

  func run() throws {
    let bytes = try DocumentImport.report(path: document)
    if let output {
      try DocumentImport.write(bytes, to: output)
      say("\(output): written from \(document)")
    } else {
      FileHandle.standardOutput.write(Data(bytes))
    }
  }
}

struct Test: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run plugin specs (*_spec.lua) busted-style.")

  @Argument(help: "Spec files or folders (default: plugins).") var paths: [String] = []

  func run() throws {
    let outcome = try SpecRunner.run(paths: paths.isEmpty ? ["plugins"] : paths) { say($0) }
    if outcome.failed > 0 { throw ExitCode(1) }
  }
}
