import Crypto
import Foundation
import LuaBridge
import PostmortemCore
import PostmortemDocument

/// A plugin reference resolved and checked: ready to run.
public struct PlannedPlugin: Sendable {
  public var reference: PluginReference
  public var source: PluginSource
  public var manifest: PluginManifest
  public var options: LuaTable

  /// What report.json records about it (`pmhost.plugins`).
  public var use: PluginUse {
    PluginUse(
      name: manifest.name, stage: manifest.stage.rawValue, version: manifest.version,
      origin: source.origin == .bundled ? "bundled" : source.displayPath,
      shadowsBundled: source.origin != .bundled && BundledPlugins.shared.plugins[source.name] != nil)
  }

  /// Says that a local plugin is used instead of the bundled one of the same name.
  public var shadowNotice: String? {
    guard use.shadowsBundled else { return nil }
    return
      "plugin '\(source.name)' is loaded from \(source.displayPath), not the bundled plugin of the same name (`pmhost plugins list` shows both)"
  }
}

/// What `pmhost run` produced.
public struct RunOutcome {
  public var outDirectory: String
  public var model: RunModel
  /// Plugins that failed outside the collect stage (their messages).
  public var failures: [String]
  /// The evidence folder a `--replay` run read from.
  public var replayedFrom: String?
  public var exitCode: Int32 {
    if !failures.isEmpty || model.validation.contains(where: { $0.ok == false }) { return 1 }
    return 0
  }
}

/// Loads a pipeline, checks every plugin it names, and runs the stages in order.
public enum PipelineRunner {
  /// Loads `pipeline.lua` and resolves and checks every plugin it names (runs nothing);
  /// every problem found is in the error, one a line.
  public static func plan(pipelinePath: String) throws(HostError) -> (Pipeline, [Stage: [PlannedPlugin]]) {
    var problems: [ConfigProblem] = []
    let planned = try plan(pipelinePath: pipelinePath, checkFiles: false, problems: &problems)
    guard let planned, problems.isEmpty else { throw ConfigProblem.error(problems) }
    return planned
  }

  /// `pmhost check`: every problem a run would trip on, all of them, each with the file
  /// and line: the pipeline's keys, each plugin's options against its schema (files that
  /// must exist included), each `check(opts, ctx)` hook (given `ctx.fs`, so that it reads
  /// and checks the files its options name), the incident, and the `--answers` file.
  /// `archive` reads the pipeline's `archive` key (given the key and the pipeline's folder)
  /// and returns what is wrong with it: pmhost's archive locations, which PluginHost does
  /// not know.
  public static func check(
    pipelinePath: String, answers: String? = nil, archive: ((String, String) -> String?)? = nil
  ) throws(HostError) -> (
    plugins: Int, stages: Int, problems: [ConfigProblem]
  ) {
    var problems: [ConfigProblem] = []
    let planned = try plan(pipelinePath: pipelinePath, checkFiles: true, problems: &problems)
    if let (pipeline, _) = planned {
      do { _ = try incident(of: pipeline) } catch {
        problems.append(
          ConfigProblem(
            file: pipeline.path, line: pipeline.lines.line(key: "incident"), message: error.message))
      }
      if let location = pipeline.archive, let problem = archive?(location, pipeline.directory) {
        problems.append(
          ConfigProblem(
            file: pipeline.path, line: pipeline.lines.line(key: "archive"), message: "archive: \(problem)"))
      }
    }
    if let answers {
      do { _ = try AnswersFile.load(path: answers) } catch {
        let message = "\(error)"
        let prefix = "--answers \(answers): "
        problems.append(
          ConfigProblem(
            file: answers, line: nil,
            message: message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message))
      }
    }
    let plans = planned?.1 ?? [:]
    return (plans.values.map(\.count).reduce(0, +), plans.count, problems)
  }

  /// Loads the pipeline and plans every plugin it names, adding each problem to
  /// `problems`; nil when the pipeline cannot be read at all. `checkFiles`: files the
  /// options name must exist, and `check` hooks get `ctx.fs` (`pmhost check`).
  static func plan(pipelinePath: String, checkFiles: Bool, problems: inout [ConfigProblem]) throws(HostError)
    -> (Pipeline, [Stage: [PlannedPlugin]])?
  {
    guard let pipeline = try Pipeline.load(path: pipelinePath, problems: &problems) else { return nil }
    let catalog = PluginCatalog(pipelineDirectory: pipeline.directory)
    let files = FileAccess(
      pipelineDirectory: pipeline.directory, outDirectory: pipeline.outDirectory(override: nil))
    let context = SchemaContext(files: files, checkFiles: checkFiles)
    var planned: [Stage: [PlannedPlugin]] = [:]
    for stage in Stage.allCases {
      for reference in pipeline.stages[stage] ?? [] {
        func add(_ message: String, option: String? = nil) {
          problems.append(
            ConfigProblem(
              file: pipeline.path,
              line: pipeline.lines.line(stage: stage.rawValue, entry: reference.index, option: option),
              message: "\(reference.place) (\(reference.name)): \(message)"))
        }
        let source: PluginSource
        let manifest: PluginManifest
        do {
          source = try catalog.find(reference.name)
          manifest = try PluginRun.manifest(of: source)
          try manifest.checkTrusted()
        } catch {
          add(error.message)
          continue
        }
        guard manifest.stage == stage else {
          add(
            "'\(reference.name)' is a \(manifest.stage.rawValue) plugin; list it under \(manifest.stage.rawValue) = { ... }"
          )
          continue
        }
        let (options, optionProblems) = manifest.checkOptions(reference.options, context: context)
        for p in optionProblems { add(p.message, option: p.key) }
        if !optionProblems.isEmpty { continue }
        if manifest.hasCheck {
          for problem in PluginRun.checkProblems(
            source: source, options: options, files: checkFiles ? files : nil)
          {
            add(problem, option: PluginRun.optionNamed(in: problem))
          }
        }
        let plan = PlannedPlugin(reference: reference, source: source, manifest: manifest, options: options)
        if let notice = plan.shadowNotice { diagnostic("pmhost: warning: \(reference.origin): \(notice)") }
        planned[stage, default: []].append(plan)
      }
    }
    planned[.report] = reportOrder(planned[.report] ?? [])
    return (pipeline, planned)
  }

  /// The report stage's plugins in the order they run: `json` first (report.json is then
  /// written even when another report plugin fails or runs out of time), the others as the
  /// pipeline lists them.
  static func reportOrder(_ plugins: [PlannedPlugin]) -> [PlannedPlugin] {
    plugins.filter { $0.manifest.name == "json" } + plugins.filter { $0.manifest.name != "json" }
  }

  /// Loads the pipeline's incident (a file beside it, or an inline table). With evidence,
  /// the file is saved (record) or read from the evidence (replay).
  public static func incident(of pipeline: Pipeline) throws(HostError) -> Incident {
    try incident(of: pipeline, evidence: .off())
  }

  static func incident(of pipeline: Pipeline, evidence: Evidence) throws(HostError) -> Incident {
    do {
      switch pipeline.incident {
      case .file(let name):
        var path = name.hasPrefix("/") ? name : PluginCatalog.join(pipeline.directory, name)
        if evidence.mode == .replay {
          do {
            path = try evidence.file(relative: name, resolvedPath: path, plugin: "pmhost", stage: "pipeline")
          } catch {
            throw HostError.configuration("--replay: the incident file: \(error.description)")
          }
        } else if let bytes = try? InputFile.contents(
          path, shown: name, maxBytes: IncidentLoader.maxFileBytes)
        {
          bytes.withUnsafeBytes {
            evidence.recordRead(
              relative: name, bytes: $0, plugin: "pmhost", stage: "pipeline", kind: .incident)
          }
        }
        return try IncidentLoader.load(path: path)
      case .inline(let table):
        let value: JSONValue
        do { value = try LuaJSON.json(.table(table)) } catch {
          throw HostError.configuration("\(pipeline.path): incident: \(error)")
        }
        return try IncidentLoader.decode(value, origin: "\(pipeline.path): incident")
      }
    } catch let error as HostError {
      throw error
    } catch {
      throw .configuration("\(error)")
    }
  }

  /// Runs every stage. Collector failures become gaps; other failures are reported and
  /// make the run exit 1 after everything that can run has run.
  public static func run(
    pipelinePath: String, outOverride: String?, settings: RunSettings
  ) throws(HostError) -> RunOutcome {
    let clock = StageClock()
    let (pipeline, planned) = try plan(pipelinePath: pipelinePath)
    let out = pipeline.outDirectory(override: outOverride)
    // The run writes into a build folder beside `out`, swapped in when it is done.
    let folder = try OutFolder.open(out)
    defer { folder.abandon() }
    let build = folder.build
    var settings = settings
    let evidence: Evidence
    if let replay = settings.replayDirectory {
      evidence = try Evidence.replay(from: replay)
      if FileAccess.resolve(evidence.directory) == FileAccess.resolve(folder.absolute + "/evidence") {
        // Replayed into the folder it came from: the new folder keeps that evidence.
        do { try evidence.preserve(into: build + "/evidence") } catch {
          throw .configuration("cannot keep the replayed evidence in \(out): \(error.localizedDescription)")
        }
      }
      // The recorded run's prompt answers, unless --answers overrides them.
      settings.answers = evidence.recordedAnswers.merging(settings.answers) { _, explicit in explicit }
      settings.interactive = false
      if let recorded = evidence.recordedPipelineHash,
        let bytes = FileManager.default.contents(atPath: pipelinePath),
        Evidence.hex(SHA256.hash(data: bytes)) != recorded
      {
        diagnostic(
          "pmhost: warning: \(pipelinePath) changed since the recorded run; the replay follows the pipeline as it is now"
        )
      }
    } else {
      do {
        evidence = try Evidence.record(into: build + "/evidence", pipelinePath: pipelinePath)
        evidence.policy = pipeline.evidence == "copy" ? .copy : .auto
      } catch {
        throw .configuration("cannot create \(out)/evidence: \(error.localizedDescription)")
      }
    }
    let incident = try incident(of: pipeline, evidence: evidence)
    let model = RunModel(incident: incident)
    // Each plugin used, once (a plugin named twice is one entry), and each shadowing said.
    for plan in Stage.allCases.flatMap({ planned[$0] ?? [] }) where !model.plugins.contains(plan.use) {
      model.addPlugin(plan.use)
      if let notice = plan.shadowNotice {
        model.addWarning(
          RunWarning(plugin: "pmhost", stage: plan.manifest.stage.rawValue, message: notice))
      }
    }
    if let distributed = settings.distributedAt { model.setDistributedAt(distributed) }
    if let margin = pipeline.tableMarginSeconds {
      let m = Int64((margin * 1000).rounded())
      model.tableWindow = TimeWindow(
        start: incident.startedAt.adding(milliseconds: -m), end: incident.endedAt.adding(milliseconds: m))
    }
    let files = FileAccess(pipelineDirectory: pipeline.directory, outDirectory: out, writeDirectory: build)
    let session = PipelineRun(model: model, files: files, evidence: evidence, clock: clock)
    var failures: [String] = []
    var reportFailed = false
    /// Waits for evidence copies, records failed copies as gaps, refreshes report.json's list.
    func settleEvidence(wait: Bool) {
      for problem in evidence.settle(wait: wait) {
        model.addGap(
          Gap(
            source: "evidence", plugin: "pmhost",
            reason: "evidence copy failed: \(problem.replacingOccurrences(of: build, with: out))"))
      }
      model.evidence = evidence.reportRecords
    }
    // With validate or track stages after it, the report stage writes report.json only; the
    // other report files are rendered once, at the end, with the checks and the tracking.
    let renderAtEnd = !(planned[.validate] ?? []).isEmpty || !(planned[.track] ?? []).isEmpty
    let jsonFirst = (planned[.report] ?? []).filter { $0.manifest.name == "json" }
    for stage in Stage.allCases {
      if stage == .report {
        settleEvidence(wait: true)
        session.lookUpRecurrence(settings: settings)
      }
      if stage == .timeline {
        session.builtInStep(.timeline, settings: settings) { session.builtInTimeline(pipeline) }
      }
      if stage == .analyze { session.recordSilences(pipeline) }
      for plugin in (stage == .report && renderAtEnd ? jsonFirst : planned[stage] ?? []) {
        if let failure = session.runOne(plugin, stage: stage, settings: settings) {
          failures.append(failure)
          if stage == .report { reportFailed = true }
        }
        if stage == .collect || stage == .timeline { model.timeline.sort() }
        settleEvidence(wait: false)
      }
    }
    settleEvidence(wait: true)
    var quiet = settings
    quiet.quiet = true
    if renderAtEnd {
      // The checks that read the track stage's work (tracking, the follow-up) run again
      // once it has run.
      if !(planned[.track] ?? []).isEmpty {
        for plugin in planned[.validate] ?? [] {
          if let failure = session.runOne(plugin, stage: .validate, settings: quiet),
            !failures.contains(failure)
          {
            failures.append(failure)
          }
        }
      }
      // report.json again (now with the checks), then the other report files for the first
      // time.
      for plugin in planned[.report] ?? [] {
        let again = plugin.manifest.name == "json"
        if let failure = session.runOne(plugin, stage: .report, settings: again ? quiet : settings) {
          failures.append(failure)
          if !again { reportFailed = true }
        }
      }
    }
    if reportFailed {
      // report.json was written first; written again, it records what failed after it.
      for plugin in jsonFirst {
        if let failure = session.runOne(plugin, stage: .report, settings: quiet) {
          failures.append(failure)
        }
      }
    }
    if !model.answered.isEmpty {
      let yaml = AnswersFile.text(model.answered)
      try? FileAccess.writeAtomically(Array(yaml.utf8), to: build + "/answers.yaml")
      model.outputs.append("answers.yaml")
    }
    for note in try folder.finish() { diagnostic(note) }
    if settings.timings { clock.lines().forEach(diagnostic) }
    return RunOutcome(
      outDirectory: out, model: model, failures: failures,
      replayedFrom: evidence.mode == .replay ? evidence.directory : nil)
  }

  /// Runs the validate-stage plugins named (default: checklist) over a saved report.json,
  /// or over a hand-written Markdown post-mortem (the checks it can answer).
  ///
  /// Plugins come from the bundled ones only, or from `searchFolders` (then the bundled
  /// ones) when the caller names them (`pmhost validate --plugins DIR`): never from the
  /// folder of the report, `PMHOST_PLUGIN_PATH` or `~/.config`, since the report's folder
  /// is untrusted input and validating it must not run its code.
  public static func validate(
    reportPath: String, plugins: [String] = ["checklist"], searchFolders: [String] = []
  ) throws(HostError) -> RunModel {
    guard let data = FileManager.default.contents(atPath: reportPath) else {
      throw .configuration("\(reportPath): no such file")
    }
    let model: RunModel
    if DocumentImport.isMarkdown(reportPath, data) {
      let imported = try DocumentImport.importMarkdown(data, path: reportPath)
      model = RunModel(
        incident: Incident(
          id: imported["incident"]?["id"]?.stringValue ?? "document", title: "",
          startedAt: Timestamp(milliseconds: 0), endedAt: Timestamp(milliseconds: 0)))
      model.imported = imported
    } else {
      let report: Report
      do { report = try Report.decode(data, origin: reportPath) } catch {
        throw .configuration("\(error)")
      }
      do { model = try RunModel(report: report) } catch { throw .configuration("\(reportPath): \(error)") }
    }
    model.clearValidation()
    let folder = URL(fileURLWithPath: reportPath).deletingLastPathComponent().path
    let catalog = PluginCatalog(searchFolders: searchFolders)
    let session = PipelineRun(
      model: model, files: FileAccess(pipelineDirectory: folder, outDirectory: folder))
    var settings = RunSettings()
    settings.quiet = true
    for name in plugins {
      let source = try catalog.find(name)
      let manifest = try PluginRun.manifest(of: source)
      try manifest.checkTrusted()
      guard manifest.stage == .validate else {
        throw .configuration("'\(name)' is a \(manifest.stage.rawValue) plugin, not a validate plugin")
      }
      let options = try manifest.resolveOptions(LuaTable(), origin: "pmhost validate")
      let reference = PluginReference(
        name: name, options: LuaTable(), limits: Limits(), origin: "pmhost validate")
      let plan = PlannedPlugin(reference: reference, source: source, manifest: manifest, options: options)
      if let notice = plan.shadowNotice { diagnostic("pmhost: warning: pmhost validate: \(notice)") }
      if let failure = session.runOne(plan, stage: .validate, settings: settings) {
        throw .failed(failure)
      }
    }
    return model
  }
}
