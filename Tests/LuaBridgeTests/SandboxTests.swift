import Testing

@testable import LuaBridge

@Suite struct SandboxTests {
  @Test func dangerousGlobalsAreAbsent() throws {
    let lua = try LuaState()
    let names = [
      "io", "debug", "package", "dofile", "loadfile", "require", "os.execute", "os.getenv",
      "os.remove", "os.exit", "string.dump",
    ]
    for name in names {
      let parts = name.split(separator: ".")
      let code =
        parts.count == 1 ? "return \(name) == nil" : "return \(parts[0]).\(parts[1]) == nil"
      #expect(try lua.run(code) == [true], "\(name) should not be reachable")
      #expect(try lua.run("return (''). dump == nil") == [true])
    }
    #expect(
      try lua.run("return type(os.time()), type(string.format), type(utf8.char)") == [
        "number", "function", "function",
      ])
  }

  @Test func collectgarbageIsRestricted() throws {
    let lua = try LuaState()
    #expect(try lua.run("return type(collectgarbage('count'))") == ["number"])
    #expect(throws: LuaError.self) { try lua.run("collectgarbage('stop')") }
  }

  @Test func timeLimitStopsLoopsEvenInsidePcallAndCoroutines() throws {
    for body in [
      "while true do end",
      "while true do pcall(function() while true do end end) end",
      "local co = coroutine.wrap(function() while true do end end) co()",
      "while true do local co = coroutine.create(function() while true do end end) pcall(coroutine.resume, co) end",
    ] {
      let lua = try LuaState()
      lua.setTimeLimit(seconds: 0.2, message: "time limit of 0.2 s exceeded")
      let started = ContinuousClock.now
      let error = #expect(throws: LuaError.self) { try lua.run(body, chunkName: "spin.lua") }
      #expect(error?.kind == .limit)
      #expect(error?.message == "time limit of 0.2 s exceeded")
      #expect(ContinuousClock.now - started < .seconds(5))
    }
  }

  @Test func memoryLimitCatchesSingleCallBlowUps() throws {
    for body in [
      "local s = string.rep('x', 1 << 30)",
      "local t = {} for i = 1, 1e9 do t[i] = i end",
      "local s = 'x' while true do s = s .. s end",
    ] {
      let lua = try LuaState()
      lua.setMemoryLimit(bytes: 16 << 20, message: "memory limit of 16 MB exceeded")
      let error = #expect(throws: LuaError.self) { try lua.run(body, chunkName: "bomb.lua") }
      #expect(error?.kind == .limit)
      #expect(error?.message == "memory limit of 16 MB exceeded")
      #expect(lua.peakMemory < 20 << 20)
    }
  }

  @Test func memoryLimitCannotBeSwallowedByPcall() throws {
    let lua = try LuaState()
    lua.setMemoryLimit(bytes: 8 << 20, message: "memory limit of 8 MB exceeded")
    let error = #expect(throws: LuaError.self) {
      try lua.run(
        "for i = 1, 100 do pcall(string.rep, 'x', 1 << 28) end local n = 0 while true do n = n + 1 end",
        chunkName: "swallow.lua")
    }
    #expect(error?.kind == .limit)
  }

  /// Finalizers run with debug hooks off, so the time limit could never stop one.
  @Test func gcMetamethodsAreRefused() throws {
    let lua = try LuaState()
    for body in [
      "setmetatable({}, { __gc = function() while true do end end })",
      "setmetatable({}, { __gc = true })",
    ] {
      let error = #expect(throws: LuaError.self) { try lua.run(body, chunkName: "gc.lua") }
      #expect(error?.message.contains("__gc metamethods are not allowed") == true)
    }
    // Other metatables are untouched, and a __gc added later marks nothing for finalization.
    #expect(
      try lua.run(
        "local mt = {} local t = setmetatable({}, mt) mt.__gc = function() error('ran') end "
          + "t = nil collectgarbage() return getmetatable(setmetatable({}, { __index = { x = 1 } })).__index.x"
      )
        == [1])
  }

  /// One C call that never returns (no instruction runs, so no hook fires) is abandoned by
  /// the watchdog; when it comes back its state stops and runs no host code.
  @Test func watchdogAbandonsAStateStuckInsideACFunction() throws {
    let started = ContinuousClock.now
    let result = LuaWatchdog.run(grace: 0.5) { () -> String in
      do {
        let lua = try LuaState()
        lua.setTimeLimit(seconds: 0.2, message: "time limit of 0.2 s exceeded")
        try lua.run("table.move({}, 1, 1e14, 2)", chunkName: "stuck.lua")
        return "returned"
      } catch let error as LuaError { return error.message } catch { return "\(error)" }
    }
    #expect(result == nil)
    #expect(ContinuousClock.now - started < .seconds(5))
    // Work that finishes in time is returned as is.
    #expect(LuaWatchdog.run { () -> Int in 42 } == 42)
    let stopped = LuaWatchdog.run(grace: 0.5) { () -> LuaError.Kind? in
      do {
        let lua = try LuaState()
        lua.setTimeLimit(seconds: 0.2, message: "time limit of 0.2 s exceeded")
        try lua.run("while true do end", chunkName: "spin.lua")
        return nil
      } catch let error as LuaError { return error.kind } catch { return nil }
    }
    #expect(stopped == .some(.limit))
  }
}
