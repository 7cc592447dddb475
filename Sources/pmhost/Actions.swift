import ArgumentParser
import Foundation
import PluginHost
import PostmortemCore

/// `pmhost actions REPORT.json...`: action items for the weekly review, overdue first.
struct Actions: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "List the action items of one or more report.json files: overdue first, then by deadline (across every recorded incident: pmhost archive actions)."
  )

  @Argument(help: "report.json files written by pmhost run.") var reports: [String]
  @Flag(help: "Print the items as JSON.") var json = false
  @Option(
    help: ArgumentHelp("The day to count overdue items from (default: today, UTC).", valueName: "YYYY-MM-DD"))
  var today: String?

  func run() throws {
    var now = Timestamp(seconds: Date().timeIntervalSince1970)
    if let today {
      guard let day = TimeParser.rfc3339(today + "T00:00:00Z") else {
        throw HostError.configuration("--today \(today): give a date as YYYY-MM-DD")
      }
      now = day
    }
    let rows = try ActionListing.rows(reportPaths: reports, today: now)
    if json { print(try ActionListing.json(rows)) } else { say(ActionListing.text(rows), terminator: "") }
  }
}
