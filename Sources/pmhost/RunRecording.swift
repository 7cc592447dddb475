import Foundation
import PluginHost
import PostmortemArchive
import PostmortemCore

/// The archive a `pmhost run` records its report in and asks what recurred: chosen by
/// `--archive`, then `PMHOST_ARCHIVE`, then the pipeline's `archive = ...`, then the default
/// (`$XDG_DATA_HOME/pmhost/archive.sqlite`); none with `--no-archive`.
///
/// A failure to record never loses the report (it is written before): the message names the
/// archive and the reason and gives the command that records it later. With the default
/// archive that is a warning and the run keeps its exit code; with an archive the user named
/// (`--archive`, `PMHOST_ARCHIVE`, the pipeline's key), the run exits 1.
struct RunArchive: Sendable {
  let location: ArchiveLocation
  /// Where the choice came from, for messages (`--archive`, `PMHOST_ARCHIVE`, ...).
  let origin: String
  /// The user named it: a failure to record fails the run.
  let named: Bool
  /// The `--archive` value a later `pmhost archive add` needs to reach the same archive (nil:
  /// it finds it by itself, through PMHOST_ARCHIVE or the default).
  let laterFlag: String?

  /// The run's archive; nil with `--no-archive`, and for a `--replay` that names none (a
  /// replay contacts no source and records nothing unless `--archive` says so). A location
  /// that cannot be read is a configuration error (exit 2) before anything runs.
  static func choose(
    flag: String?, noArchive: Bool, replay: Bool, pipelinePath: String,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> RunArchive? {
    if noArchive {
      if flag != nil { throw HostError.configuration("--archive and --no-archive: give one of them") }
      return nil
    }
    if replay && flag == nil { return nil }
    let fromEnvironment = !(environment[ArchiveLocation.environmentVariable] ?? "").isEmpty
    var pipeline: Pipeline?
    if flag == nil && !fromEnvironment {
      // The pipeline's own key; loading it again is cheap (a sandboxed table, no files read).
      // A pipeline with problems is left to the run, which names every one of them.
      pipeline = try? Pipeline.load(path: pipelinePath)
    }
    let key = pipeline?.archive
    do {
      let (location, origin) = try ArchiveLocation.resolve(
        flag: flag, environment: environment, pipeline: key, pipelineFolder: pipeline?.directory)
      return RunArchive(
        location: location, origin: origin, named: flag != nil || fromEnvironment || key != nil,
        laterFlag: flag != nil || key != nil ? location.display : nil)
    } catch {
      let place =
        if flag != nil { "--archive" } else if fromEnvironment { ArchiveLocation.environmentVariable } else {
          ConfigProblem(file: pipelinePath, line: pipeline?.lines.line(key: "archive"), message: "archive")
            .description
        }
      throw HostError.configuration("\(place): \(error.message)")
    }
  }

  /// What `pmhost check` says of a pipeline's `archive = ...`: nil when it is a location.
  static func problem(pipelineKey value: String, folder: String) -> String? {
    do {
      _ = try ArchiveLocation.parse(value, base: folder)
      return nil
    } catch {
      return error.message
    }
  }

  /// The lookup the runner calls just before the report stage: what this incident shares
  /// with the incidents already in the archive.
  var recurrence: @Sendable (Report) throws -> [Recurrence] {
    let location = location
    return { report in
      let archive = try Archive(location: location)
      defer { archive.close() }
      return try archive.recurrence(of: report)
    }
  }

  /// Records the run's report; returns the exit code the run ends with.
  func record(_ outcome: RunOutcome, quiet: Bool) -> Int32 {
    let report = outcome.model.report()
    let json = RunArchive.reportJSON(outcome)
    let source = json ?? outcome.outDirectory
    let id = TerminalText.value(report.incident.id)
    do {
      let archive = try Archive(location: location)
      defer { archive.close() }
      let result = try archive.record(report, origin: .run, source: ArchiveLocation.absolute(source))
      if !quiet {
        writeError(
          "pmhost: recorded \(id) in \(location.display)\(result == .replaced ? " (replaced)" : "")")
      }
      return outcome.exitCode
    } catch {
      var reason = error.message
      if reason.hasPrefix(location.display + ": ") {
        reason = String(reason.dropFirst(location.display.count + 2))
      }
      let kept = PluginHostPaths.display(json ?? outcome.outDirectory)
      let flag = laterFlag.map { " --archive \(RunArchive.shellQuoted($0))" } ?? ""
      // A password is never shown: the user puts it back.
      let password = laterFlag?.contains("***") == true ? " (with the password in place of ***)" : ""
      let later =
        json.map { path in
          "record it later with: pmhost archive add\(flag) \(RunArchive.shellQuoted(PluginHostPaths.display(path)))\(password)"
        } ?? "the pipeline writes no report.json (add \"json\" to its report stage to record its runs)"
      writeError(
        "pmhost: \(named ? "" : "warning: ")could not record \(id) in \(location.display) (\(origin)): \(reason)\n"
          + "  the report is kept in \(kept); \(later)")
      return named ? max(outcome.exitCode, 1) : outcome.exitCode
    }
  }

  /// The report.json the run wrote: `report.json`, else the first JSON output (the json
  /// plugin's `file`); nil when the pipeline writes none.
  static func reportJSON(_ outcome: RunOutcome) -> String? {
    let outputs = outcome.model.outputs
    guard
      let name = outputs.first(where: { $0 == "report.json" })
        ?? outputs.first(where: { $0.hasSuffix(".json") })
    else { return nil }
    return outcome.outDirectory + "/" + name
  }

  /// `path` as a shell reads it: as it is when it holds only safe characters, else quoted.
  static func shellQuoted(_ text: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@=,%")
    if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
