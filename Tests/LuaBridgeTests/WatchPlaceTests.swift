import Foundation
import LuaBridge
import Testing

/// Where Lua code was when its time ran out (issue 15): the line, the host function it was
/// inside, the C library function a watchdog gave up on.
@Suite struct WatchPlaceTests {
  /// The hook notes the line of the Lua code that ran out of time.
  @Test func timeLimitInLuaCodeNamesTheLine() throws {
    let lua = try LuaState()
    lua.setTimeLimit(seconds: 0.2, message: "time limit of 0.2 s exceeded")
    let error = #expect(throws: LuaError.self) {
      try lua.run("local n = 0\n\nwhile true do n = n + 1 end", chunkName: "spin.lua")
    }
    #expect(error?.message == "time limit of 0.2 s exceeded")
    #expect(lua.timeLimitPlace == LuaPlace(location: "spin.lua:3"))
  }

  /// A host call that uses up the time is named, with the line that called it (the hook
  /// alone would blame the line after it).
  @Test func timeLimitInsideAHostCallNamesTheCall() throws {
    let lua = try LuaState()
    lua.setGlobal(
      "slow",
      lua.function(named: "test.slow") { _ in
        usleep(400_000)
        return 0
      })
    lua.setTimeLimit(seconds: 0.2, message: "time limit of 0.2 s exceeded")
    let error = #expect(throws: LuaError.self) {
      try lua.run("local n = 0\nslow()\nwhile true do n = n + 1 end", chunkName: "caller.lua")
    }
    #expect(error?.kind == .limit)
    #expect(
      lua.timeLimitPlace
        == LuaPlace(location: "caller.lua:2", call: "test.slow", callLocation: "caller.lua:2"))
  }

  /// Unnamed host functions are named by where they are in a table.
  @Test func hostFunctionsAreNamedByWhereTheyAre() throws {
    let lua = try LuaState()
    var inner = LuaTable()
    inner["wait"] = lua.function { _ in
      usleep(400_000)
      return 0
    }
    var ctx = LuaTable()
    ctx["fs"] = .table(inner)
    lua.nameHostFunctions(in: .table(ctx), prefix: "ctx")
    lua.setGlobal("ctx", .table(ctx))
    lua.setTimeLimit(seconds: 0.2, message: "time limit")
    #expect(throws: LuaError.self) { try lua.run("ctx.fs.wait()", chunkName: "c.lua") }
    #expect(lua.timeLimitPlace?.call == "ctx.fs.wait")
    // A name given at creation stays.
    let again = try LuaState()
    var table = LuaTable()
    table["named"] = again.function(named: "kept:name") { _ in
      usleep(400_000)
      return 0
    }
    again.nameHostFunctions(in: .table(table), prefix: "x")
    again.setGlobal("x", .table(table))
    again.setTimeLimit(seconds: 0.2, message: "time limit")
    #expect(throws: LuaError.self) { try again.run("x.named()", chunkName: "c.lua") }
    #expect(again.timeLimitPlace?.call == "kept:name")
  }

  /// A host call that never comes back: the watchdog gives up and says which and from where.
  @Test func anAbandonedHostCallIsNamedWithItsCaller() {
    let outcome = LuaWatchdog.watch(grace: 0.3) { () -> String in
      do {
        let lua = try LuaState()
        lua.setGlobal(
          "slow",
          lua.function(named: "test.slow") { _ in
            usleep(2_000_000)
            return 0
          })
        lua.setTimeLimit(seconds: 0.2, message: "time limit")
        try lua.run("local x = 1\nfor i = 1, 10000 do x = x + i end\nslow()", chunkName: "caller.lua")
        return "returned"
      } catch { return "\(error)" }
    }
    guard case .abandoned(let place) = outcome else {
      Issue.record("not abandoned: \(outcome)")
      return
    }
    #expect(place.call == "test.slow")
    #expect(place.callLocation == "caller.lua:3")
    #expect(place.location == "caller.lua:3")
    #expect(place.library == nil)
  }

  /// One library call stuck in C: named, with the line the Lua code was last seen at.
  @Test func anAbandonedLibraryCallIsNamedWithItsCaller() {
    let outcome = LuaWatchdog.watch(grace: 0.3) { () -> String in
      do {
        let lua = try LuaState()
        lua.setTimeLimit(seconds: 0.2, message: "time limit")
        try lua.run(
          "local x = 0\nfor i = 1, 10000 do x = x + i end\nlocal s = ('a'):rep(40)\ns:find(('a*'):rep(40) .. 'b')",
          chunkName: "stuck.lua")
        return "returned"
      } catch { return "\(error)" }
    }
    guard case .abandoned(let place) = outcome else {
      Issue.record("not abandoned: \(outcome)")
      return
    }
    #expect(place.call == nil)
    #expect(place.library == "string.find")
    #expect(["stuck.lua:2", "stuck.lua:3", "stuck.lua:4"].contains(place.libraryLocation ?? ""))
  }

  /// The waiting thread hears which host call is running, for the progress line.
  @Test func theWaiterSeesTheCallInProgress() {
    var seen: Set<String> = []
    let body = { () -> Bool in
      guard let lua = try? LuaState() else { return false }
      lua.setGlobal(
        "slow",
        lua.function(named: "test.slow") { _ in
          usleep(300_000)
          return 0
        })
      return (try? lua.run("slow()", chunkName: "w.lua")) != nil
    }
    let outcome = LuaWatchdog.watch(waiting: { _, call in if let call { seen.insert(call) } }, body)
    guard case .finished(true) = outcome else {
      Issue.record("\(outcome)")
      return
    }
    #expect(seen == ["test.slow"])
  }

  /// The watched library functions raise their errors as before.
  @Test func watchedLibraryFunctionsKeepTheirErrors() throws {
    for watched in [false, true] {
      let message: String? = {
        let body = { () -> String? in
          guard let lua = try? LuaState() else { return nil }
          do {
            try lua.run("local s = 'x'\nreturn s:find({})", chunkName: "e.lua")
            return nil
          } catch let error as LuaError { return error.message } catch { return nil }
        }
        if !watched { return body() }
        return LuaWatchdog.run(body) ?? nil
      }()
      #expect(
        message == "e.lua:2: bad argument #1 to 'find' (string expected, got table)", "watched: \(watched)")
    }
  }
}
