import Foundation
import Testing

@testable import PostmortemCore

/// Writes `text` to a fresh temporary incident.yaml and returns its path.
func writeTemp(_ text: String, name: String = "incident.yaml") throws -> String {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
    "pmcore-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let url = dir.appendingPathComponent(name)
  try text.write(to: url, atomically: true, encoding: .utf8)
  return url.path
}

let fullYAML = """
  id: PM-2025-02-09
  title: API Service Degradation
  started_at: 2025-02-09T10:05:00Z     # unquoted
  ended_at: "2025-02-09T12:40:00+01:00"
  services: [api-service]
  authors: ["@alice", "@bob"]
  severity: P1
  impact: { failed_requests: 40000, customers_affected: 2000, revenue_usd: 5000.0, error_rate_peak: 0.40, data_loss: false }
  summary: >-
    The API service experienced
    elevated error rates.
  root_cause: Bad config
  reviewed: 2025-02-16
  distributed_at: 2025-02-10T09:00:00Z
  people:
    alice: [Alice Smith, alice@example.com, U123]
    bob: Bob
  what_went_well: [Fast rollback]
  lessons_learned:
    - Canaries matter
  custom_field: ignored
  """

@Suite struct IncidentLoaderTests {
  @Test func loadsEveryField() throws {
    let incident = try IncidentLoader.load(path: try writeTemp(fullYAML))
    #expect(incident.id == "PM-2025-02-09")
    #expect(incident.startedAt == t("2025-02-09T10:05:00Z"))
    #expect(incident.endedAt == t("2025-02-09T11:40:00Z"))
    #expect(incident.durationSeconds == 5700)
    #expect(incident.services == ["api-service"])
    #expect(incident.authors == ["@alice", "@bob"])
    #expect(incident.severity == "P1")
    #expect(incident.impact["failed_requests"] == .int(40000))
    #expect(incident.impact["revenue_usd"] == .double(5000))
    #expect(incident.impact["error_rate_peak"] == .double(0.4))
    #expect(incident.impact["data_loss"] == .bool(false))
    #expect(incident.summary == "The API service experienced elevated error rates.")
    #expect(incident.rootCause == "Bad config")
    #expect(incident.reviewed == "2025-02-16")
    #expect(incident.distributedAt == t("2025-02-10T09:00:00Z"))
    #expect(
      incident.people == ["alice": ["Alice Smith", "alice@example.com", "U123"], "bob": ["Bob"]])
    #expect(incident.whatWentWell == ["Fast rollback"])
    #expect(incident.lessonsLearned == ["Canaries matter"])
  }

  @Test(arguments: [
    "started_at: 2025-02-09T10:05:00Z", "started_at: \"2025-02-09T10:05:00Z\"",
    "started_at: '2025-02-09T10:05:00.000000Z'", "started_at: 2025-02-09 10:05:00Z",
    "started_at: 2025-02-09T11:05:00+01:00",
  ])
  func quotedAndUnquotedTimes(line: String) throws {
    let yaml = "id: X\ntitle: T\n\(line)\nended_at: 2025-02-09T11:00:00Z\n"
    #expect(
      try IncidentLoader.decodeYAML(yaml, origin: "incident.yaml").startedAt
        == t("2025-02-09T10:05:00Z"))
  }

  @Test func minimalIncidentHasEmptyDefaults() throws {
    let incident = try IncidentLoader.decodeYAML(
      "id: X\ntitle: T\nstarted_at: 2025-02-09T10:00:00Z\nended_at: 2025-02-09T10:00:00Z\nseverity: null\n",
      origin: "i.yaml")
    #expect(incident.severity == nil)
    #expect(incident.services.isEmpty && incident.people.isEmpty && incident.impact.isEmpty)
    #expect(incident.durationSeconds == 0)
  }

  @Test func badTimeNamesFileLineAndField() throws {
    let path = try writeTemp(
      """
      id: X
      title: T
      # comment
      started_at: "2025-02-30T10:00Z"
      ended_at: 2025-02-09T11:00:00Z
      """)
    #expect(
      throws: IncidentError(
        origin: path, line: 4, field: "started_at",
        message:
          "\"2025-02-30T10:00Z\" is not an RFC 3339 time (day 30 out of range for February 2025)")
    ) { try IncidentLoader.load(path: path) }
    do {
      _ = try IncidentLoader.load(path: path)
    } catch {
      #expect(
        error.description
          == "\(path):4: started_at: \"2025-02-30T10:00Z\" is not an RFC 3339 time (day 30 out of range for February 2025)"
      )
    }
  }

  @Test func missingRequiredField() {
    #expect(
      throws: IncidentError(origin: "incident.yaml", message: "missing required field 'title'")
    ) {
      try IncidentLoader.decodeYAML(
        "id: X\nstarted_at: 2025-02-09T10:00:00Z\nended_at: 2025-02-09T11:00:00Z\n",
        origin: "incident.yaml")
    }
    let error = IncidentError(origin: "incident.yaml", message: "missing required field 'title'")
    #expect(error.description == "incident.yaml: missing required field 'title'")
  }

  @Test func endBeforeStart() throws {
    do {
      _ = try IncidentLoader.decodeYAML(
        "id: X\ntitle: T\nstarted_at: 2025-02-09T10:00:00Z\nended_at: 2025-02-09T09:00:00Z\n",
        origin: "incident.yaml")
      Issue.record("expected an error")
    } catch {
      #expect(error.line == 4)
      #expect(error.field == "ended_at")
      #expect(
        error.description.hasPrefix(
          "incident.yaml:4: ended_at: 2025-02-09T09:00:00.000Z is before started_at"))
    }
  }

  @Test func wrongTypesNameTheField() {
    do {
      _ = try IncidentLoader.decodeYAML(
        "id: X\ntitle: T\nstarted_at: 2025-02-09T10:00:00Z\nended_at: 2025-02-09T11:00:00Z\nservices: {a: 1}\n",
        origin: "incident.yaml")
      Issue.record("expected an error")
    } catch {
      #expect(
        error.description == "incident.yaml:5: services: expected a list of strings, found object")
    }
    do {
      _ = try IncidentLoader.decodeYAML(
        "id: X\ntitle: T\nstarted_at: 2025-02-09T10:00:00Z\nended_at: 2025-02-09T11:00:00Z\nreviewed: 2025-02-31\n",
        origin: "incident.yaml")
      Issue.record("expected an error")
    } catch {
      #expect(
        error.description.hasPrefix("incident.yaml:5: reviewed: \"2025-02-31\" is not a date"))
    }
  }

  @Test func invalidYAMLNamesTheLine() {
    do {
      _ = try IncidentLoader.decodeYAML(
        "id: X\ntitle: [unclosed\nstarted_at: x\n", origin: "incident.yaml")
      Issue.record("expected an error")
    } catch {
      #expect(error.line != nil)
      #expect(error.description.hasPrefix("incident.yaml:"))
      #expect(error.message.contains("invalid YAML"))
    }
    #expect(throws: IncidentError.self) {
      try IncidentLoader.decodeYAML("- a\n- b\n", origin: "incident.yaml")
    }
  }

  @Test func unreadableFile() {
    #expect(
      throws: IncidentError(
        origin: "/nonexistent/incident.yaml",
        message: "cannot read file (No such file or directory)")
    ) { try IncidentLoader.load(path: "/nonexistent/incident.yaml") }
  }

  @Test func decodesInlineTables() throws {
    let value: JSONValue = [
      "id": "X", "title": "T", "started_at": "2025-02-09T10:05:00Z",
      "ended_at": .double(1_739_099_100),
      "impact": ["n": 3], "services": "api",
    ]
    let incident = try IncidentLoader.decode(value, origin: "pipeline.lua (incident)")
    #expect(incident.endedAt == t("2025-02-09T11:05:00Z"))
    #expect(incident.services == ["api"])
    #expect(incident.impact == ["n": 3])
    #expect(throws: IncidentError(origin: "pipeline.lua", message: "missing required field 'id'")) {
      try IncidentLoader.decode(["title": "T"], origin: "pipeline.lua")
    }
  }
}
