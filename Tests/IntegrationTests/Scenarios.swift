import Foundation

/// The pipelines the live suite runs and the replay suite runs again from their evidence.
/// Each lives in PMHOST_IT_WORK/NAME; the URLs are the loopback servers of scripts/integration.
enum Pipelines {
  static let prometheus = Scenario(name: "prometheus")
  static let alertmanager = Scenario(name: "alertmanager")
  static let pagerduty = Scenario(name: "pagerduty")
  static let incident = Scenario(name: "incident")
  static let gaps = Scenario(name: "gaps")
  static let all =
    [prometheus, alertmanager, pagerduty, incident, gaps]
    + ESCassettes.scenarios  // elasticsearch against the recorded-response server (ElasticsearchTests)
    + [Loki.paged, Loki.metric, Loki.error, Loki.file]
    + [victoriaMetrics, victoriaMetricsRefused]  // VictoriaMetricsTests.swift

  static func text(_ name: String) -> String {
    switch name {
    case "prometheus": return wrap([prometheusSource])
    case "alertmanager": return wrap([alertmanagerSource])
    case "pagerduty": return wrap([pagerdutySource])
    case "incident":
      return wrap([prometheusSource, alertmanagerSource, pagerdutySource], timeline: ["key-moments"])
    case "gaps": return wrap(gapSources)
    default: fatalError("no pipeline \(name)")
    }
  }

  static var pagerdutyURL: String { IT.pagerduty + "/incidents/" + IT.incidentID + "/log_entries" }

  static var prometheusSource: String {
    """
    { "prometheus", url = \(lua(IT.prometheus)), query = \(lua(errorRatioQuery)),
          threshold = 0.05, name = "Error rate", source = "Prometheus" },
    """
  }
  static var alertmanagerSource: String {
    "{ \"alertmanager\", url = \(lua(IT.alertmanager)), source = \"Alertmanager\" },"
  }
  static var pagerdutySource: String {
    """
    { "pagerduty", url = \(lua(pagerdutyURL)), token_env = "\(IT.tokenVariable)", source = "PagerDuty" },
    """
  }
  /// A port nothing listens on, a query Prometheus rejects (HTTP 400 bad_data), a wrong token (401).
  static var gapSources: [String] {
    [
      """
      { "prometheus", url = \(lua(IT.refused)), query = \(lua(errorRatioQuery)),
            threshold = 0.05, name = "Refused", source = "Nowhere" },
      """,
      """
      { "prometheus", url = \(lua(IT.prometheus)), query = \(lua(badQuery)),
            threshold = 0.05, name = "Bad query", source = "Prometheus" },
      """,
      """
      { "pagerduty", url = \(lua(pagerdutyURL)), token_env = "\(IT.badTokenVariable)", source = "PagerDuty" },
      """,
    ]
  }
  static let badQuery = "sum(rate(http_requests_total[1m])"

  /// A pipeline of `sources` (collect entries) and the `timeline` plugins, writing report.json.
  static func wrap(_ sources: [String], timeline: [String] = []) -> String {
    """
    -- Written by Tests/IntegrationTests; the URLs are scripts/integration's loopback servers.
    return {
      incident = "incident.yaml",
      out = "out",
      collect = {
        \(sources.joined(separator: "\n    "))
      },
      \(timeline.isEmpty ? "" : "timeline = { " + timeline.map { "\"\($0)\"" }.joined(separator: ", ") + " },")
      report = { "json" },
    }

    """
  }
}

extension Scenario {
  /// Writes the scenario's pipeline and runs it live; the exit status is kept for the replay.
  func runLive() throws -> (RunResult, Report?) {
    try write(pipeline: Pipelines.text(name))
    let result = try run()
    try Data("\(result.status)\n".utf8).write(to: URL(fileURLWithPath: dir + "/.live-status"))
    let report = try? Report(path: out + "/report.json")
    return (result, report)
  }
}
