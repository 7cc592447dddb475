import Foundation
import LuaBridge
import PostmortemCore

/// What every plugin of one run shares: the model it builds, the files it reads and writes,
/// the evidence and the clock. A `pmhost run` has one for all its stages; `pmhost validate`
/// one for its checks. Running a plugin then needs only the plugin, its stage and the
/// settings.
final class PipelineRun {
  let model: RunModel
  let files: FileAccess
  let evidence: Evidence
  /// Times each step (`--timings`); nil when nobody reads them.
  let clock: StageClock?

  init(model: RunModel, files: FileAccess, evidence: Evidence = .off(), clock: StageClock? = nil) {
    self.model = model
    self.files = files
    self.evidence = evidence
    self.clock = clock
  }

  /// Runs a built-in step of `stage`, timed, with a progress line when it takes a while
  /// (drawn by this thread while the step runs on another). `step` names it in both.
  func builtInStep(
    _ stage: Stage, step: String = "(built-in)", settings: RunSettings, _ body: @escaping () -> Void
  ) {
    let started = StageClock.now()
    if let progress = StageProgress(stage: stage.rawValue, step: step, settings: settings) {
      _ = LuaWatchdog.watch(waiting: { progress.update(elapsed: $0, call: $1) }, body)
      progress.finish()
    } else {
      body()
    }
    clock?.record(stage: stage.rawValue, plugin: step, since: started)
  }

  /// The built-in timeline step, before the timeline plugins: clock offsets, the UTC
  /// merge (k-way over the sources' sorted runs), dedupe, and clock-skew detection.
  func builtInTimeline(_ pipeline: Pipeline) {
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
    var report = ClockReport(offsets: pipeline.clockOffsets, toleranceSeconds: pipeline.skewToleranceSeconds)
    if pipeline.dedupeWindowSeconds > 0 {
      model.timeline.deduplicate(window: Int64(pipeline.dedupeWindowSeconds * 1000))
      report.skews = model.timeline.clockSkews(tolerance: Int64(pipeline.skewToleranceSeconds * 1000))
      for skew in report.skews {
        model.addWarning(
          RunWarning(plugin: "pmhost", stage: Stage.timeline.rawValue, message: skew.message))
        diagnostic("pmhost: warning: \(skew.message)")
      }
    }
    model.clock = report
  }

  /// After the timeline stage: each source the pipeline declares continuous that is silent
  /// for `gap_min_s` or longer inside the incident window is recorded in `gaps`. Only
  /// declared sources are checked: a collector that keeps only errors is silent whenever
  /// nothing fails, which is not missing data.
  func recordSilences(_ pipeline: Pipeline) {
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

  /// Before the report stage: what this incident shares with earlier ones, from the archive
  /// pmhost wired in (``RunSettings/recurrence``), kept in the model so that report.json and
  /// `ctx.report.get()` have it. The answer is saved in the evidence (a lookup, as for a
  /// glob), and a `--replay` is given the recorded answer instead of asking the archive again,
  /// so that its report comes out as the recorded run's did. A failure is a warning; the run
  /// goes on without it.
  func lookUpRecurrence(settings: RunSettings) {
    guard let lookUp = settings.recurrence else { return }
    let report = model.report()
    let id = report.incident.id
    if evidence.mode == .replay {
      // Recorded by an earlier run, or nothing (a run with --no-archive, older evidence).
      guard let recorded = try? evidence.lookup("archive.recurrence", id, live: { .null }),
        let found = try? JSONValueDecoder().decode([Recurrence].self, from: recorded)
      else { return }
      model.recurrence = found
      return
    }
    var outcome: Result<[Recurrence], any Error> = .success([])
    // `--timings`: `stage=report plugin=(archive)`.
    builtInStep(.report, step: "(archive)", settings: settings) { outcome = Result { try lookUp(report) } }
    switch outcome {
    case .success(let found):
      model.recurrence = found
      if let saved = try? JSONValueEncoder().encode(found) {
        _ = try? evidence.lookup("archive.recurrence", id, live: { saved })
      }
    case .failure(let error):
      let message =
        "the archive's recurrence could not be looked up (the report goes on without it): \(error)"
      model.addWarning(RunWarning(plugin: "pmhost", stage: Stage.report.rawValue, message: message))
      if settings.echoWarnings { diagnostic("pmhost: warning: \(message)") }
    }
  }

  /// Runs one plugin; returns a failure message for failures that fail the run.
  func runOne(_ plugin: PlannedPlugin, stage: Stage, settings: RunSettings) -> String? {
    let name = plugin.manifest.name
    let label = plugin.options["source"].stringValue ?? name
    // Read before the run: once abandoned, the plugin's thread may still be in the model.
    let events = model.timeline.events.count
    let started = StageClock.now()
    let progress = StageProgress(stage: stage.rawValue, step: name, settings: settings)
    let status = PluginStatus()
    progress?.status = status
    // On a watched thread: a plugin stuck inside one C call (where the time limit's hook
    // cannot fire) is abandoned, and the run goes on without it. This thread draws the
    // progress line meanwhile.
    let outcome = LuaWatchdog.watch(waiting: progress.map { p in { p.update(elapsed: $0, call: $1) } }) {
      self.attempt(plugin, stage: stage, settings: settings, status: status)
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

  /// Loads and runs one plugin: nil when it succeeded, else its problem and traceback.
  private func attempt(_ plugin: PlannedPlugin, stage: Stage, settings: RunSettings, status: PluginStatus)
    -> (problem: String, traceback: String?)?
  {
    let run: PluginRun
    do {
      run = try PluginRun(
        source: plugin.source, stage: stage, model: model, files: files, settings: settings,
        limits: plugin.reference.limits, evidence: evidence)
    } catch {
      return (error.message, nil)
    }
    run.status = status
    do {
      try run.run(options: plugin.options, grants: plugin.reference.options)
      return nil
    } catch {
      return (error.message, error.kind == .limit ? nil : error.traceback)
    }
  }
}
