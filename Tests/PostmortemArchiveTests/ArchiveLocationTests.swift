import Testing

@testable import PostmortemArchive

@Suite struct ArchiveLocationTests {
  @Test func readsEveryForm() throws {
    #expect(try ArchiveLocation.parse("/var/a.sqlite") == .sqlite(path: "/var/a.sqlite"))
    #expect(try ArchiveLocation.parse("sqlite:/var/a.sqlite") == .sqlite(path: "/var/a.sqlite"))
    #expect(try ArchiveLocation.parse("sqlite:///var/a.sqlite") == .sqlite(path: "/var/a.sqlite"))
    #expect(try ArchiveLocation.parse("a.sqlite", base: "/srv/pm") == .sqlite(path: "/srv/pm/a.sqlite"))
    #expect(try ArchiveLocation.parse("../a.sqlite", base: "/srv/pm") == .sqlite(path: "/srv/a.sqlite"))
    #expect(try ArchiveLocation.parse("postgres://u@h/db") == .postgres(url: "postgres://u@h/db"))
    #expect(try ArchiveLocation.parse("POSTGRESQL://u@h/db") == .postgres(url: "POSTGRESQL://u@h/db"))
  }

  @Test func refusesWhatItDoesNotKnow() {
    #expect(throws: ArchiveError.self) { try ArchiveLocation.parse("") }
    #expect(throws: ArchiveError.self) { try ArchiveLocation.parse("sqlite:") }
    #expect(throws: ArchiveError.self) { try ArchiveLocation.parse("mysql://u:pw@h/db") }
    do {
      _ = try ArchiveLocation.parse("mysql://u:pw@h/db")
    } catch {
      #expect(!error.message.contains("pw"))
    }
  }

  @Test func thePasswordNeverReachesAMessage() {
    #expect(ArchiveLocation.redacted("postgres://pm:s3cret@db:5432/pm") == "postgres://pm:***@db:5432/pm")
    #expect(
      ArchiveLocation.redacted("postgres://db/pm?user=pm&password=s3cret&sslmode=require")
        == "postgres://db/pm?user=pm&password=***&sslmode=require")
    #expect(ArchiveLocation.postgres(url: "postgres://pm:s3cret@db/pm").display == "postgres://pm:***@db/pm")
  }

  @Test func choosesFlagThenEnvironmentThenPipelineThenDefault() throws {
    let env = ["HOME": "/home/sre", "PMHOST_ARCHIVE": "/env.sqlite"]
    #expect(
      try ArchiveLocation.resolve(flag: "/flag.sqlite", environment: env).location
        == .sqlite(path: "/flag.sqlite"))
    #expect(
      try ArchiveLocation.resolve(flag: nil, environment: env, pipeline: "p.sqlite").origin
        == "PMHOST_ARCHIVE")
    let fromPipeline = try ArchiveLocation.resolve(
      flag: nil, environment: ["HOME": "/h"], pipeline: "p.sqlite", pipelineFolder: "/srv/pm")
    #expect(fromPipeline.location == .sqlite(path: "/srv/pm/p.sqlite"))
    #expect(
      try ArchiveLocation.resolve(flag: nil, environment: ["HOME": "/home/sre"]).location
        == .sqlite(path: "/home/sre/.local/share/pmhost/archive.sqlite"))
    #expect(
      try ArchiveLocation.resolve(flag: nil, environment: ["HOME": "/h", "XDG_DATA_HOME": "/x"]).location
        == .sqlite(path: "/x/pmhost/archive.sqlite"))
  }
}
