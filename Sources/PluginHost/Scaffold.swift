import Foundation

/// `pmhost new pipeline DIR` and `pmhost new plugin NAME --stage STAGE`: files to start from.
/// Existing files are never overwritten.
public enum Scaffold {
  /// Writes a pipeline folder: pipeline.lua (every stage, commented), incident.yaml, a data/
  /// folder and a plugins/ folder. Returns the paths written.
  public static func pipeline(in directory: String) throws(HostError) -> [String] {
    let files = [
      ("pipeline.lua", pipelineText),
      ("incident.yaml", incidentText),
      ("data/README.md", "Put the incident's raw data here: logs, saved API responses, a Slack export.\n"),
      (
        "plugins/README.md",
        "Your own plugins go here (`pmhost new plugin NAME --stage STAGE`); they shadow bundled ones of the same name (pmhost warns when one does).\n"
      ),
    ]
    return try write(files, in: directory)
  }

  /// Writes plugins/NAME/init.lua, NAME_spec.lua and fixtures/ for a plugin of `stage`.
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
    let folder = "plugins/\(name)"
    var files = [
      ("\(folder)/init.lua", pluginText(name: name, stage: stage)),
      ("\(folder)/\(name)_spec.lua", specText(name: name, stage: stage)),
    ]
    if stage == .collect {
      files.append(
        (
          "\(folder)/fixtures/sample.log",
          "2025-02-09T10:05:23Z deploy api-service v2.3.1 by @alice\n2025-02-09T10:06:00Z healthcheck ok\n"
        ))
    }
    return try write(files, in: directory)
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

  static let pipelineText = """
    -- A post-mortem as code. Stages run in this order whatever order this file lists them in;
    -- `pmhost plugins list` shows every plugin and `pmhost plugins info NAME` its options.
    --   pmhost check pipeline.lua      -- loads everything, runs nothing
    --   pmhost run pipeline.lua        -- writes out/report.md, report.html, report.json
    return {
      incident = "incident.yaml",
      out = "out",

      collect = {
        -- { "kubectl-logs", path = "data/api.log", source = "app logs" },
        -- { "nginx-access", path = "data/access.log", source = "load balancer" },
        -- { "prometheus", url = "http://127.0.0.1:9090", query = "...", threshold = 0.05, name = "Error rate" },
        -- { "alertmanager", file = "data/alerts.json" },
        -- { "pagerduty", url = "https://api.pagerduty.com/incidents/ID/log_entries", token_env = "PAGERDUTY_TOKEN" },
        -- { "slack-export", dir = "data/slack", channel = "incident-channel" },
      },
      timeline = { "bursts", "key-moments" },
      analyze  = { "five-whys", "fishbone" },   -- five-whys asks at the terminal; answers = "whys.yaml" replays
      classify = { "severity" },
      act      = { "action-items" },            -- { "action-items", file = "actions.yaml" }
      report   = { "markdown", "html", "json" },
      validate = { "checklist", "blameless" },
      track    = { "calendar" },                -- { "github-issues", repo = "OWNER/NAME" }
    }

    """

  static let incidentText = """
    # The incident. Times are RFC 3339 with any offset; the report shows UTC.
    id: PM-YYYY-MM-DD
    title: What users saw, in a few words
    started_at: 2025-01-01T10:00:00Z
    ended_at: 2025-01-01T11:00:00Z
    services: [my-service]
    authors: ["@me"]
    # severity: P1            # the classify stage sets it when absent
    impact: { failed_requests: 0, customers_affected: 0 }
    summary: >-
      One paragraph: what happened, how long, who was affected, how it was fixed.
    # people: { "@me": ["My Name", "me@example.com"] }   # names and chat ids of each handle

    """

  static func pluginText(name: String, stage: Stage) -> String {
    let body: String
    switch stage {
    case .collect:
      body = """
            -- Lines reach Lua only when they hold `contains`; match and parse each one.
            for n, line in ctx.fs.lines(opts.path, { contains = opts.contains }) do
              local ts, what = line:match("^(%S+) (.*)$")
              local t = ts and pm.time.parse(ts)
              if t then
                ctx.timeline.add { time = t, event = what, kind = "deploy", evidence = opts.path .. ":" .. n }
              else
                ctx.log.warn(("%s:%d: no time at the start of the line"):format(opts.path, n))
              end
            end
        """
    case .report:
      body = """
            -- Text from the data goes into Markdown through pm.mdtext, so it shows as typed.
            local md = require "pm.mdtext"
            local data = ctx.report.get()
            local lines = { "# " .. md.text(data.incident.title), "" }
            for _, e in ipairs(data.timeline) do lines[#lines + 1] = ("- %s %s"):format(e.time, md.text(e.event)) end
            ctx.report.write(opts.file, table.concat(lines, "\\n") .. "\\n")
        """
    case .validate:
      body = """
            local data = ctx.report.get()
            ctx.report.check("has_summary", data.incident.summary ~= nil, data.incident.summary and "summary present" or "no summary")
        """
    default:
      body = """
            -- ctx.\(stage == .analyze ? "factors" : stage == .act ? "actions" : stage == .classify ? "severity" : "timeline") is this stage's handle; docs/plugin-api.md lists them all.
            ctx.log.info(("%d timeline rows"):format(ctx.timeline.count()))
        """
    }
    let options: String
    switch stage {
    case .collect:
      options = """
            path = { type = "string", required = true, doc = "the log, relative to the pipeline" },
            contains = { type = "string", default = "deploy", doc = "text a line must hold to be read" },
        """
    case .report:
      options = """
            file = { type = "string", default = "\(name).md", doc = "output file in the out folder" },
        """
    default:
      options = ""
    }
    return """
      -- \(name): a \(stage.rawValue) plugin. Reference: docs/plugin-api.md (ctx and pm).
      return {
        name = "\(name)",
        stage = "\(stage.rawValue)",
        version = "0.1.0",
        api = 2,
        description = "What this plugin does, in one line",
        options = {
      \(options)  },
        run = function(ctx, opts)
      \(body)
        end,
      }

      """
  }

  static func specText(name: String, stage: Stage) -> String {
    switch stage {
    case .collect:
      return """
        -- Run with: pmhost test plugins/\(name)
        describe("\(name)", function()
          it("turns matching lines into events", function()
            local r = plugin.run { path = "fixtures/sample.log" }
            assert.is_nil(r.error)
            assert.equals(1, #r.events)
            assert.equals("2025-02-09T10:05:23.000Z", r.events[1].time)
            assert.equals("deploy api-service v2.3.1 by @alice", r.events[1].event)
          end)
        end)

        """
    case .report:
      return """
        -- Run with: pmhost test plugins/\(name)
        describe("\(name)", function()
          it("writes its file", function()
            local r = plugin.run({}, { events = { { time = "2025-02-09T10:05:23Z", event = "First errors", kind = "error" } } })
            assert.is_nil(r.error)
            assert.matches("%- 2025%-02%-09T10:05:23%.000Z First errors", r.files["\(name).md"])
          end)
        end)

        """
    case .validate:
      return """
        -- Run with: pmhost test plugins/\(name)
        describe("\(name)", function()
          it("records its check", function()
            local r = plugin.run({})
            assert.is_nil(r.error)
            assert.equals("has_summary", r.checks[1].check)
          end)
        end)

        """
    default:
      return """
        -- Run with: pmhost test plugins/\(name)
        describe("\(name)", function()
          it("runs", function()
            local r = plugin.run({})
            assert.is_nil(r.error)
          end)
        end)

        """
    }
  }
}
