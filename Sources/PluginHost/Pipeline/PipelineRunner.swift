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
  public static func check(pipelinePath: String, answers: String? = nil) throws(HostError) -> (
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
      if stage == .report { settleEvidence(wait: true) }
      if stage == .timeline {
        builtInStep(.timeline, settings: settings, clock: clock) { builtInTimeline(pipeline, model: model) }
      }
      if stage == .analyze { recordSilences(pipeline, model: model) }
      for plugin in (stage == .report && renderAtEnd ? jsonFirst : planned[stage] ?? []) {
        if let failure = runOne(
          plugin, stage: stage, model: model, files: files, settings: settings, evidence: evidence,
          clock: clock)
        {
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
          if let failure = runOne(
            plugin, stage: .validate, model: model, files: files, settings: quiet, evidence: evidence,
            clock: clock),
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
        if let failure = runOne(
          plugin, stage: .report, model: model, files: files, settings: again ? quiet : settings,
          evidence: evidence, clock: clock)
        {
          failures.append(failure)
          if !again { reportFailed = true }
        }
      }
    }
    if reportFailed {
      // report.json was written first; written again, it records what failed after it.
      for plugin in jsonFirst {
        if let failure = runOne(
          plugin, stage: .report, model: model, files: files, settings: quiet, evidence: evidence,
          clock: clock)
        {
          failures.append(failure)
        }
      }
    }
    if !model.answered.isEmpty {
      let yaml = model.answered.map { "\($0.id): \(yamlQuoted($0.answer))" }.joined(separator: "\n") + "\n"
      try? FileAccess.writeAtomically(Array(yaml.utf8), to: build + "/answers.yaml")
      model.outputs.append("answers.yaml")
    }
    for note in try folder.finish() { diagnostic(note) }
    if settings.timings { clock.lines().forEach(diagnostic) }
    return RunOutcome(
      outDirectory: out, model: model, failures: failures,
      replayedFrom: evidence.mode == .replay ? evidence.directory : nil)
  }

  /// Runs a built-in step of `stage`, timed, with a progress line when it takes a while
  /// (drawn by this thread while the step runs on another).
  static func builtInStep(
    _ stage: Stage, settings: RunSettings, clock: StageClock, _ body: @escaping () -> Void
  ) {
    let started = StageClock.now()
    if let progress = StageProgress(stage: stage.rawValue, step: "(built-in)", settings: settings) {
      _ = LuaWatchdog.watch(waiting: { progress.update(elapsed: $0, call: $1) }, body)
      progress.finish()
    } else {
      body()
    }
    clock.record(stage: stage.rawValue, plugin: "(built-in)", since: started)
  }

  /// The built-in timeline step, before the timeline plugins: clock offsets, the UTC
  /// merge (k-way over the sources' sorted runs), dedupe, and clock-skew detection.
  static func builtInTimeline(_ pipeline: Pipeline, model: RunModel) {
    let known = Set(model.timeline.events.lazy.map(\.source))
    for (source, seconds) in pipeline.clockOffsets.sorted(by: { $0.key < $1.key }) {
      let offset = Int64((seconds * 1000).rounded())
      let moved = model.shift(source: source, byMilliseconds: offset)
      if moved == 0 && !known.contains(source) {
        let message =
          "clock_offsets names '\(source)', but no event has that source (sources: \(known.sorted().joined(separator: ", ")))"
        model.addWarning(RunWarning(plugin: "pmhost", stage: Stage.timeline.rawValue, message: message))
        diagnostic("pmhost: warning: \(message)")
      }
    }
    model.timeline.sort()
    var clock = ClockReport(offsets: pipeline.clockOffsets, toleranceSeconds: pipeline.skewToleranceSeconds)
    if pipeline.dedupeWindowSeconds > 0 {
      model.timeline.deduplicate(window: Int64(pipeline.dedupeWindowSeconds * 1000))
      clock.skews = model.timeline.clockSkews(tolerance: Int64(pipeline.skewToleranceSeconds * 1000))
      for skew in clock.skews {
        model.addWarning(
          RunWarning(plugin: "pmhost", stage: Stage.timeline.rawValue, message: skew.message))
        diagnostic("pmhost: warning: \(skew.message)")
      }
    }
    model.clock = clock
  }

  /// After the timeline stage: each source the pipeline declares continuous that is silent
  /// for `gap_min_s` or longer inside the incident window is recorded in `gaps`. Only
  /// declared sources are checked: a collector that keeps only errors is silent whenever
  /// nothing fails, which is not missing data.
  static func recordSilences(_ pipeline: Pipeline, model: RunModel) {
    let window = TimeWindow(start: model.incident.startedAt, end: model.incident.endedAt)
    let minGap = Int64(pipeline.gapMinSeconds * 1000)
    for source in pipeline.continuousSources {
      var spans: [(Int64, Int64)] = []
      var plugin = "pmhost"
      for series in model.series where series.name == source || series.source == source {
        plugin = series.plugin
        // A NaN sample is a series with no data at that moment.
        for p in series.points {
          guard case .number = p.value else { continue }
          let t = Int64((p.time * 1000).rounded())
          spans.append((t, t))
        }
      }
      for row in model.timeline.events {
        if row.source == source {
          spans.append((row.time.milliseconds, (row.last ?? row.time).milliseconds))
        }
        for m in row.merged where m.source == source {
          spans.append((m.time.milliseconds, m.time.milliseconds))
        }
      }
      for silence in Timeline.silences(spans: spans, in: window, minGap: minGap) {
        let minutes = Double(silence.end.milliseconds - silence.start.milliseconds) / 60_000
        let reason =
          spans.isEmpty
          ? "no events at all from this continuous source in the incident window"
          : "no events for \(String(format: "%.0f", minutes)) min from a source declared continuous (continuous_sources)"
        model.addGap(Gap(source: source, plugin: plugin, reason: reason, window: silence))
      }
    }
  }

  static func yamlQuoted(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  /// Runs one plugin; returns a failure message for failures that fail the run.
  static func runOne(
    _ plugin: PlannedPlugin, stage: Stage, model: RunModel, files: FileAccess, settings: RunSettings,
    evidence: Evidence = .off(), clock: StageClock? = nil
  ) -> String? {
    let name = plugin.manifest.name
    let label = plugin.options["source"].stringValue ?? name
    // Read before the run: once abandoned, the plugin's thread may still be in the model.
    let events = model.timeline.events.count
    let started = StageClock.now()
    let progress = StageProgress(stage: stage.rawValue, step: name, settings: settings)
    // On a watched thread: a plugin stuck inside one C call (where the time limit's hook
    // cannot fire) is abandoned, and the run goes on without it. This thread draws the
    // progress line meanwhile.
    let outcome = LuaWatchdog.watch(waiting: progress.map { p in { p.update(elapsed: $0, call: $1) } }) {
      attempt(plugin, stage: stage, model: model, files: files, settings: settings, evidence: evidence)
    }
    progress?.finish()
    clock?.record(stage: stage.rawValue, plugin: name, since: started)
    let problem: String
    let traceback: String?
    switch outcome {
    case .finished(.none): return nil
    case .finished(.some(let failure)):
      (problem, traceback) = (MessageCap.capped(failure.problem), failure.traceback)
    case .abandoned(let place):
      problem = PluginRun.timeLimitMessage(
        plugin: name, seconds: plugin.reference.limits.timeSeconds, place: place, abandoned: true,
        events: events)
      traceback = nil
    }
    var message = "pmhost: plugin '\(name)' failed in stage \(stage.rawValue): \(problem)"
    if let traceback { message += "\n" + traceback }
    if stage == .collect {
      model.addGap(
        Gap(source: label, plugin: name, reason: MessageCap.capped("collector failed: \(problem)")))
      diagnostic(message + "\n  (recorded as a data gap; the run goes on)")
      return nil
    }
    model.addWarning(RunWarning(plugin: name, stage: stage.rawValue, message: problem))
    diagnostic(message)
    return "\(name) (\(stage.rawValue)): \(problem)"
  }

  /// Whether a file to validate is a hand-written Markdown post-mortem rather than report.json.
  static func isMarkdown(_ path: String, _ data: Data) -> Bool {
    let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
    if ["md", "markdown", "mdown"].contains(ext) { return true }
    if ext == "json" { return false }
    return data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) != UInt8(ascii: "{")
  }

  /// A Markdown post-mortem read into report.json's shape by ``DocumentReader`` (libcmark-gfm's
  /// tree): refused above ``DocumentReader/maxBytes``, so reading stays bounded in time and memory.
  static func importMarkdown(_ data: Data, path: String) throws(HostError) -> JSONValue {
    if let refusal = DocumentReader.refusal(byteCount: data.count, name: path) {
      throw .configuration(refusal)
    }
    let name = URL(fileURLWithPath: path).lastPathComponent
    if let text = String(data: data, encoding: .utf8) { return DocumentReader.read(text: text, name: name) }
    // Saved from a Windows editor: read, and said so in the notes.
    guard !data.contains(0), let text = String(data: data, encoding: .windowsCP1252) else {
      throw .configuration("\(path): not UTF-8 text")
    }
    return DocumentReader.read(
      text: text, name: name, notes: ["\(name) is not UTF-8: read as Windows-1252 (save it as UTF-8)"])
  }

  /// Loads and runs one plugin: nil when it succeeded, else its problem and traceback.
  private static func attempt(
    _ plugin: PlannedPlugin, stage: Stage, model: RunModel, files: FileAccess, settings: RunSettings,
    evidence: Evidence
  ) -> (problem: String, traceback: String?)? {
    let run: PluginRun
    do {
      run = try PluginRun(
        source: plugin.source, stage: stage, model: model, files: files, settings: settings,
        limits: plugin.reference.limits, evidence: evidence)
    } catch {
      return (error.message, nil)
    }
    do {
      try run.run(options: plugin.options, grants: plugin.reference.options)
      return nil
    } catch {
      return (error.message, error.kind == .limit ? nil : error.traceback)
    }
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
    if isMarkdown(reportPath, data) {
      let imported = try importMarkdown(data, path: reportPath)
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
    let files = FileAccess(pipelineDirectory: folder, outDirectory: folder)
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
      if let failure = runOne(plan, stage: .validate, model: model, files: files, settings: settings) {
        throw .failed(failure)
      }
    }
    return model
  }
}
