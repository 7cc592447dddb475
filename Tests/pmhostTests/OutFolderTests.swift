import Crypto
import Foundation
import Testing

/// The out folder is pmhost's or nobody's (issue 14, item 5): pmhost marks the folders it
/// makes, refuses links, system folders and folders it did not make, locks the folder for one
/// run, builds each run beside it and swaps it in, and deletes nothing it did not write.
@Suite(.serialized) struct OutFolderTests {
  static let fm = FileManager.default

  /// incident.yaml, a.log and a pipeline with the given report plugins.
  static func pipeline(_ dir: Scratch, report: String = #""markdown", "json""#) throws {
    try dir.write("incident.yaml", Scratch.incident)
    try dir.write("a.log", "2025-02-09T10:01:00Z level=error msg=boom\n")
    try dir.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", collect = { { "kubectl-logs", path = "a.log" } }, report = { \#(report) } }"#
    )
  }

  /// Every file under `path` with its SHA-256 (links as their target text), to prove nothing changed.
  static func tree(_ path: String) -> [String: String] {
    var result: [String: String] = [:]
    guard let walker = fm.enumerator(atPath: path) else { return result }
    while let relative = walker.nextObject() as? String {
      let full = path + "/" + relative
      if let target = try? fm.destinationOfSymbolicLink(atPath: full) {
        result[relative] = "-> " + target
      } else if let data = fm.contents(atPath: full) {
        result[relative] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
      } else {
        result[relative] = "folder"
      }
    }
    return result
  }

  /// Checks that every evidence file report.json lists is on disk with the listed SHA-256.
  static func evidenceMatches(_ out: String) throws {
    let data = try #require(fm.contents(atPath: out + "/report.json"), "no report.json in \(out)")
    let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let evidence = try #require(report["evidence"] as? [[String: Any]])
    #expect(!evidence.isEmpty)
    for entry in evidence {
      guard let file = entry["file"] as? String else { continue }
      let bytes = try #require(fm.contents(atPath: out + "/evidence/" + file), "\(file) listed, not on disk")
      let actual = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
      #expect(actual == entry["sha256"] as? String, "\(file)")
    }
  }

  /// Hidden folders and lock files pmhost left beside `out`.
  static func leftovers(beside out: String) -> [String] {
    let parent = (out as NSString).deletingLastPathComponent
    let name = (out as NSString).lastPathComponent
    return ((try? fm.contentsOfDirectory(atPath: parent)) ?? []).filter {
      $0.hasPrefix("." + name + ".pmhost")
    }
  }

  @Test func aSymlinkedOutFolderIsRefusedAndItsTargetIsUntouched() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    try dir.write("target/evidence/manifest.json", "{\"precious\": true}\n")
    try dir.write("target/report.json", "{}\n")
    try dir.write(
      "target/.pmhost", #"{"written_by": "pmhost run", "state": "complete", "files": ["report.json"]}"#)
    try Self.fm.createSymbolicLink(atPath: dir.path + "/o", withDestinationPath: "target")
    let before = Self.tree(dir.path + "/target")
    for out in ["o", "o/", dir.path + "/o"] {
      let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", out], in: dir.path)
      #expect(run.status == 2, "\(out): \(run.stderr)")
      #expect(run.stderr.contains("the out folder \(out) is a symbolic link"), "\(run.stderr)")
    }
    #expect(Self.tree(dir.path + "/target") == before)
    #expect(dir.read("target/evidence/manifest.json") == "{\"precious\": true}\n")
  }

  @Test func aFolderPmhostDidNotMakeIsRefusedAndNothingIsDeleted() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    try dir.write("mine/evidence/photo.txt", "the user's evidence\n")
    try dir.write("mine/notes.md", "notes\n")
    let before = Self.tree(dir.path + "/mine")
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "mine"], in: dir.path)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("the out folder mine is not empty (evidence, notes.md)"), "\(run.stderr)")
    #expect(run.stderr.contains("was not made by pmhost"))
    #expect(Self.tree(dir.path + "/mine") == before)
    #expect(Self.leftovers(beside: dir.path + "/mine") == [])
    // An empty folder is taken, and marked.
    try Self.fm.createDirectory(atPath: dir.path + "/empty", withIntermediateDirectories: false)
    let empty = try PMHostProcess.run(["run", "pipeline.lua", "--out", "empty", "--quiet"], in: dir.path)
    #expect(empty.status == 0, "\(empty.stderr)")
    let marker = try #require(dir.read("empty/.pmhost"))
    #expect(
      marker.contains("\"written_by\": \"pmhost run\"") && marker.contains("\"path\": \"report.md\""),
      "\(marker)")
    #expect(marker.contains("\"evidence/manifest.json\""))
  }

  @Test func systemFoldersAndTheHomeFolderAreRefused() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    let never = "/usr/pmhost-test-\(UUID().uuidString)"
    defer { try? Self.fm.removeItem(atPath: never) }
    // A folder directly in /var, as /var/tmp is (a new one: were the rule broken, the test
    // must not swap the machine's own /var/tmp).
    let varFolder = "/var/pmhost-test-\(UUID().uuidString)"
    defer { try? Self.fm.removeItem(atPath: varFolder) }
    for out in ["/etc", "/", "/tmp", never, "/etc/../usr/share/pmhost-test", varFolder] {
      let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", out], in: dir.path)
      #expect(run.status == 2, "\(out): \(run.stderr)")
      #expect(run.stderr.contains("the out folder \(out) is refused"), "\(out): \(run.stderr)")
    }
    #expect(!Self.fm.fileExists(atPath: never) && !Self.fm.fileExists(atPath: varFolder))
    #expect(!Self.fm.fileExists(atPath: "/etc/report.json") && !Self.fm.fileExists(atPath: "/etc/.pmhost"))
    // The home folder (empty here, so only the home rule refuses it) and a folder above it.
    try Self.fm.createDirectory(atPath: dir.path + "/home", withIntermediateDirectories: false)
    for out in [dir.path + "/home", dir.path] {
      let run = try Self.run(["run", "pipeline.lua", "--out", out], in: dir.path, home: dir.path + "/home")
      #expect(run.status == 2, "\(out): \(run.stderr)")
      #expect(run.stderr.contains("is refused: it is your home folder"), "\(run.stderr)")
    }
    #expect(try Self.fm.contentsOfDirectory(atPath: dir.path + "/home") == [])
  }

  /// `pmhost run` with HOME set.
  static func run(_ arguments: [String], in directory: String, home: String) throws -> PMHostProcess.Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: PMHostProcess.binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = PMHostProcess.environment(home: home)
    let err = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return PMHostProcess.Result(
      status: process.terminationStatus, stdout: "", stderr: String(decoding: errData, as: UTF8.self))
  }

  @Test func aSecondRunIntoTheSameFolderFailsAtOnce() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    // The first run waits in its collector until the test creates `go`.
    try dir.write(
      "plugins/wait.lua",
      #"return { api = 2, stage = "collect", run = function(ctx) while not ctx.fs.exists("go") do end end }"#)
    try dir.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", collect = { { "wait", limits = { time_s = 60 } } }, report = { "json" } }"#
    )
    let first = Process()
    first.executableURL = URL(fileURLWithPath: PMHostProcess.binary)
    first.arguments = ["run", "pipeline.lua", "--out", "o", "--quiet"]
    first.currentDirectoryURL = URL(fileURLWithPath: dir.path)
    first.environment = PMHostProcess.environment(home: dir.path)
    first.standardOutput = FileHandle.nullDevice
    first.standardError = FileHandle.nullDevice
    first.standardInput = FileHandle.nullDevice
    try first.run()
    defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
    let lock = dir.path + "/.o.pmhost-lock"
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, Self.fm.contents(atPath: lock).map({ !$0.isEmpty }) != true {
      Thread.sleep(forTimeInterval: 0.05)
    }
    let started = Date()
    let second = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(Date().timeIntervalSince(started) < 10)
    #expect(second.status == 2, "\(second.stderr)")
    #expect(
      second.stderr.contains(
        "the out folder o is in use by another pmhost run (pid \(first.processIdentifier))"),
      "\(second.stderr)")
    try dir.write("go", "")
    first.waitUntilExit()
    #expect(first.terminationStatus == 0)
    #expect(dir.read("o/report.json") != nil)
    #expect(Self.leftovers(beside: dir.path + "/o") == [])
  }

  @Test func aRunKilledDuringAReRunLeavesThePreviousReportAndItsEvidence() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try CrashSafetyTests.makePipeline(dir)
    let started = Date()
    let full = try PMHostProcess.run(["run", "pipeline.lua", "--quiet"], in: dir.path)
    let duration = Date().timeIntervalSince(started)
    #expect(full.status == 0, "\(full.stderr)")
    let out = dir.path + "/out"
    try Self.evidenceMatches(out)
    try dir.write("out/notes.txt", "the user's notes\n")
    for trial in 0..<8 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: PMHostProcess.binary)
      process.arguments = ["run", "pipeline.lua", "--quiet"]
      process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
      process.environment = PMHostProcess.environment(home: dir.path)
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      process.standardInput = FileHandle.nullDevice
      try process.run()
      Thread.sleep(forTimeInterval: duration * Double(trial + 1) / 9)
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      // Either the previous report or (killed after the swap) the new one, whole, with its evidence.
      #expect(dir.read("out/report.json") != nil, "trial \(trial): report.json is gone")
      try Self.evidenceMatches(out)
    }
    // The next finished run clears what the killed runs left beside the folder.
    let last = try PMHostProcess.run(["run", "pipeline.lua", "--quiet"], in: dir.path)
    #expect(last.status == 0, "\(last.stderr)")
    try Self.evidenceMatches(out)
    #expect(Self.leftovers(beside: out) == [])
    #expect(dir.read("out/notes.txt") == "the user's notes\n")
  }

  @Test func noOutputOfAnEarlierRunSurvivesAndTheUsersFilesAreKept() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir, report: #""markdown", "html", "json""#)
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path).status == 0)
    #expect(dir.read("o/report.html") != nil)
    try dir.write("o/notes.txt", "notes\n")
    try dir.write("o/evidence/mine.txt", "mine\n")
    try dir.write("o/drafts/a.md", "draft\n")
    try Self.fm.createSymbolicLink(atPath: dir.path + "/o/elsewhere", withDestinationPath: "..")
    // A report the user edited by hand is no longer what pmhost wrote: it is kept too.
    try dir.write("o/report.md", "edited by hand\n")
    // The pipeline drops html; a.log is read no more.
    try dir.write(
      "pipeline.lua",
      #"return { incident = "incident.yaml", report = { "markdown", "json" } }"#)
    let second = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(dir.read("o/report.html") == nil)
    #expect(!Self.fm.fileExists(atPath: dir.path + "/o/evidence/kubectl-logs"))
    #expect(dir.read("o/report.md")?.contains("# Post-Mortem") == true)
    #expect(dir.read("o/report.md.kept") == "edited by hand\n")
    #expect(
      second.stderr.contains("kept report.md in o: it changed after pmhost wrote it"), "\(second.stderr)")
    #expect(dir.read("o/notes.txt") == "notes\n")
    #expect(dir.read("o/evidence/mine.txt") == "mine\n")
    #expect(dir.read("o/drafts/a.md") == "draft\n")
    #expect(try Self.fm.destinationOfSymbolicLink(atPath: dir.path + "/o/elsewhere") == "..")
    #expect(second.stderr.contains("kept notes.txt in o: pmhost did not write it"), "\(second.stderr)")
    #expect(second.stderr.contains("kept evidence/mine.txt in o"))
    // The marker lists only what the run wrote: the user's files are carried over again next time.
    let marker = try #require(dir.read("o/.pmhost"))
    #expect(!marker.contains("notes.txt") && !marker.contains("mine.txt"))
    try Self.evidenceMatches(dir.path + "/o")
    #expect(Self.leftovers(beside: dir.path + "/o") == [])
  }

  /// What a killed run can leave beside the folder: the previous folder moved aside (killed
  /// between the two renames of the fallback swap) and a build folder. The next run restores
  /// the one, removes the other, keeps the user's files and leaves alone what is not pmhost's.
  @Test func whatAKilledRunLeftBesideTheFolderIsCleared() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path).status == 0)
    try dir.write("o/notes.txt", "notes\n")
    try Self.fm.moveItem(atPath: dir.path + "/o", toPath: dir.path + "/.o.pmhost-old-999999")
    try dir.write(
      ".o.pmhost-new-999998/.pmhost", #"{"written_by": "pmhost run", "state": "building", "files": []}"#)
    try dir.write(".o.pmhost-new-999998/report.md", "half")
    try dir.write(".o.pmhost-new-1/mine.txt", "not pmhost's")
    try dir.write("file", "x")
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("restored the complete folder"), "\(run.stderr)")
    #expect(dir.read("o/notes.txt") == "notes\n")
    try Self.evidenceMatches(dir.path + "/o")
    #expect(Self.leftovers(beside: dir.path + "/o") == [".o.pmhost-new-1"])
    #expect(dir.read(".o.pmhost-new-1/mine.txt") == "not pmhost's")
    // A file is no out folder either.
    let onFile = try PMHostProcess.run(["run", "pipeline.lua", "--out", "file"], in: dir.path)
    #expect(onFile.status == 2)
    #expect(onFile.stderr.contains("the out folder file exists and is not a folder"), "\(onFile.stderr)")
    #expect(dir.read("file") == "x")
  }

  /// A marker is a claim anyone can write: it never makes pmhost delete a file it cannot
  /// tell it wrote (no size and time recorded), nor a whole out folder said to be "building".
  @Test func aForgedMarkerDeletesNothing() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    try dir.write("o/.pmhost", #"{"written_by": "pmhost run", "state": "building", "files": ["notes.txt"]}"#)
    try dir.write("o/notes.txt", "notes\n")
    try dir.write("o/other.txt", "other\n")
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(dir.read("o/notes.txt") == "notes\n")
    #expect(dir.read("o/other.txt") == "other\n")
    #expect(run.stderr.contains("kept notes.txt in o: pmhost cannot tell that it wrote it"), "\(run.stderr)")
    #expect(Self.leftovers(beside: dir.path + "/o") == [])
  }

  @Test func pathsShownAndWrittenAreTheOutFolders() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", dir.path + "/o"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    let printed = run.stdout.split(separator: "\n")
    #expect(!printed.isEmpty)
    for line in printed { #expect(line.hasPrefix("o/"), "\(line)") }
    for (name, text) in Self.tree(dir.path + "/o") {
      if let data = Self.fm.contents(atPath: dir.path + "/o/" + name) {
        #expect(!String(decoding: data, as: UTF8.self).contains(".pmhost-new"), "\(name): \(text)")
      }
    }
  }

  @Test func aReplayIntoTheFolderItCameFromKeepsItsEvidence() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path).status == 0)
    let report = try EvidenceTests.comparable(dir.path + "/o/report.json")
    for _ in 0..<2 {
      let replay = try PMHostProcess.run(
        ["run", "pipeline.lua", "--replay", "o", "--out", "o"], in: dir.path)
      #expect(replay.status == 0, "\(replay.stderr)")
      #expect(try EvidenceTests.comparable(dir.path + "/o/report.json") == report)
      try Self.evidenceMatches(dir.path + "/o")
    }
  }

  /// A file planted under the lock's name (a hard link to another file, a FIFO, a link) is
  /// never written through: the run stops and the file is as it was.
  @Test func aPlantedLockFileIsNeverWrittenThrough() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    try dir.write("victim", "precious data\n")
    let lock = dir.path + "/.o.pmhost-lock"
    let plants: [(String, () throws -> Void, String)] = [
      ("hard link", { #expect(link(dir.path + "/victim", lock) == 0) }, "it is a hard link to another file"),
      ("FIFO", { #expect(mkfifo(lock, 0o644) == 0) }, "it is not a regular file"),
      (
        "symbolic link", { try Self.fm.createSymbolicLink(atPath: lock, withDestinationPath: "victim") },
        "it is a symbolic link, never followed"
      ),
    ]
    for (what, plant, message) in plants {
      try plant()
      let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
      #expect(run.status == 2, "\(what): \(run.stderr)")
      #expect(run.stderr.contains(message), "\(what): \(run.stderr)")
      #expect(dir.read("victim") == "precious data\n", "\(what)")
      var info = stat()
      #expect(lstat(lock, &info) == 0, "\(what): pmhost removed a file it did not make")
      #expect(!Self.fm.fileExists(atPath: dir.path + "/o"))
      unlink(lock)
    }
    // A lock file a killed run of this user left is taken over.
    try dir.write(".o.pmhost-lock", "12345\n")
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(Self.leftovers(beside: dir.path + "/o") == [])
  }

  /// A folder others can write into is not pmhost's: they could plant files that a run
  /// carries into the report, or swap an entry for a link while pmhost retires it.
  @Test func aFolderEveryoneMayWriteIntoIsRefused() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    try Self.fm.createDirectory(atPath: dir.path + "/shared", withIntermediateDirectories: false)
    chmod(dir.path + "/shared", 0o777)
    var run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "shared"], in: dir.path)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("the out folder shared is writable by every user"), "\(run.stderr)")
    run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "shared/o"], in: dir.path)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("is writable by every user without the sticky bit"), "\(run.stderr)")
    #expect(try Self.fm.contentsOfDirectory(atPath: dir.path + "/shared") == [])
    // With the sticky bit (as /tmp has), no one may rename what others made: allowed.
    chmod(dir.path + "/shared", 0o1777)
    run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "shared/o", "--quiet"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
  }

  /// What another user owns beside or as the out folder is never taken for pmhost's, marker
  /// or not: a forged "complete" folder is not restored into the user's report, an out
  /// folder or lock file of theirs is refused. (Needs root to give files to another user.)
  @Test(.enabled(if: geteuid() == 0, "needs root to make files another user owns"))
  func whatAnotherUserOwnsIsNeverPmhosts() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    let nobody: uid_t = 65534
    let marker = #"{"written_by": "pmhost run", "state": "complete", "files": []}"#
    try dir.write(".o.pmhost-old-1/.pmhost", marker)
    try dir.write(".o.pmhost-old-1/index.html", "<script>planted()</script>")
    for entry in ["", "/.pmhost", "/index.html"] {
      chown(dir.path + "/.o.pmhost-old-1" + entry, nobody, nobody)
    }
    var run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!run.stderr.contains("restored"), "\(run.stderr)")
    #expect(dir.read("o/index.html") == nil)
    #expect(dir.read(".o.pmhost-old-1/index.html") == "<script>planted()</script>")
    // Their out folder, marked or not.
    try dir.write("theirs/.pmhost", marker)
    try dir.write("theirs/notes.txt", "theirs\n")
    chown(dir.path + "/theirs", nobody, nobody)
    let before = Self.tree(dir.path + "/theirs")
    run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "theirs"], in: dir.path)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("the out folder theirs belongs to another user (uid 65534)"), "\(run.stderr)")
    #expect(Self.tree(dir.path + "/theirs") == before)
    // Their lock file.
    try dir.write(".o.pmhost-lock", "")
    chown(dir.path + "/.o.pmhost-lock", nobody, nobody)
    run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("it belongs to another user (uid 65534)"), "\(run.stderr)")
    #expect(Self.fm.fileExists(atPath: dir.path + "/.o.pmhost-lock"))
    unlink(dir.path + "/.o.pmhost-lock")
    // A folder of theirs in place of one pmhost wrote is not gone through (they could swap
    // its entries for links meanwhile): it is carried over whole.
    try Self.fm.removeItem(atPath: dir.path + "/o/evidence")
    try dir.write("o/evidence/kubectl-logs/a.log", "theirs\n")
    for entry in ["", "/kubectl-logs", "/kubectl-logs/a.log"] {
      chown(dir.path + "/o/evidence" + entry, nobody, nobody)
    }
    run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("kept evidence in o: pmhost did not write it"), "\(run.stderr)")
    #expect(dir.read("o/evidence.kept/kubectl-logs/a.log") == "theirs\n")
    try Self.evidenceMatches(dir.path + "/o")
  }

  /// A folder already under the name of a run's build folder (`.NAME.pmhost-new-PID`, pid
  /// reused, or planted) is not the run's: the run stops, and the folder is left whole.
  @Test func aFolderUnderTheBuildFoldersNameIsNotDeleted() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    // Pids are handed out in order: plant the next few hundred.
    let lastPid = Self.fm.contents(atPath: "/proc/sys/kernel/ns_last_pid").map {
      String(decoding: $0, as: UTF8.self)
    }
    let first = try #require(Int((lastPid ?? "").trimmingCharacters(in: .whitespacesAndNewlines))) + 1
    let planted = first..<(first + 400)
    for pid in planted { try dir.write(".o.pmhost-new-\(pid)/mine.txt", "mine\n") }
    var hit = false
    for _ in 0..<20 where !hit {
      let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path)
      hit = run.status != 0
      if hit {
        #expect(run.stderr.contains("cannot create") && run.stderr.contains("File exists"), "\(run.stderr)")
      }
    }
    #expect(hit, "no run got a planted pid")
    for pid in planted { #expect(dir.read(".o.pmhost-new-\(pid)/mine.txt") == "mine\n", "pid \(pid)") }
  }

  /// The swap replaces the folder: the new one keeps the permissions of the one it replaces,
  /// so a report folder made private (`chmod 700`) does not become readable by everyone.
  @Test func aPrivateOutFolderStaysPrivate() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    try Self.fm.createDirectory(atPath: dir.path + "/o", withIntermediateDirectories: false)
    chmod(dir.path + "/o", 0o700)
    for _ in 0..<2 {
      let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path)
      #expect(run.status == 0, "\(run.stderr)")
      var info = stat()
      #expect(stat(dir.path + "/o", &info) == 0)
      #expect(info.st_mode & 0o7777 == 0o700, "mode \(String(info.st_mode & 0o7777, radix: 8))")
    }
    #expect(dir.read("o/report.json") != nil)
    // A folder made read-only is refused: it could not be emptied after the swap.
    chmod(dir.path + "/o", 0o500)
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("the out folder o is read-only (mode 500)"), "\(run.stderr)")
    #expect(Self.leftovers(beside: dir.path + "/o") == [])
    chmod(dir.path + "/o", 0o700)
  }

  /// A folder named like pmhost's own files beside another out folder would be restored in
  /// that folder's place or retired by its next run: such a name is refused.
  @Test func anOutFolderNamedLikePmhostsOwnFilesIsRefused() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    for out in [".o.pmhost-old-1", ".o.pmhost-new-2", ".o.pmhost-lock"] {
      let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", out], in: dir.path)
      #expect(run.status == 2, "\(out): \(run.stderr)")
      #expect(
        run.stderr.contains("is named like the files pmhost keeps beside an out folder"), "\(run.stderr)")
      #expect(!Self.fm.fileExists(atPath: dir.path + "/" + out))
    }
  }

  /// A file of the user's already named like a kept file keeps its name: the edited report
  /// carried over takes the next free one.
  @Test func aKeptFileNeverTakesTheNameOfAUsersFile() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path).status == 0)
    try dir.write("o/report.md", "edited by hand\n")
    try dir.write("o/report.md.kept", "the user's own\n")
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(dir.read("o/report.md.kept") == "the user's own\n")
    #expect(dir.read("o/report.md.kept-2") == "edited by hand\n")
    #expect(run.stderr.contains("kept report.md in o: it changed after pmhost wrote it"), "\(run.stderr)")
    #expect(run.stderr.contains("as report.md.kept-2"), "\(run.stderr)")
    #expect(dir.read("o/report.md")?.contains("# Post-Mortem") == true)
  }

  /// Many files carried over are all kept, and said in a few lines, not one line each.
  @Test func manyFilesCarriedOverAreSaidInAFewLines() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    try Self.pipeline(dir)
    #expect(
      try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path).status == 0)
    for i in 0..<500 { try dir.write("o/evidence/kubectl-logs/mine-\(i).txt", "\(i)\n") }
    let run = try PMHostProcess.run(["run", "pipeline.lua", "--out", "o", "--quiet"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.split(separator: "\n").count <= 22, "\(run.stderr.prefix(500))")
    #expect(run.stderr.contains("pmhost: kept 480 more files in o the same way"), "\(run.stderr.suffix(300))")
    for i in 0..<500 { #expect(dir.read("o/evidence/kubectl-logs/mine-\(i).txt") == "\(i)\n") }
  }
}
