import Testing

@testable import LuaBridge

/// Swift objects whose deinit is observed.
final class Witness {
  let onDeinit: () -> Void
  init(_ onDeinit: @escaping () -> Void) { self.onDeinit = onDeinit }
  deinit { onDeinit() }
}

final class Flags {
  var deferRan = false
  var released = false
  var afterCallback = false
}

@Suite struct BoundaryTests {
  @Test func luaErrorThroughSwiftFunctionRunsDeferAndReleasesObjects() throws {
    let lua = try LuaState()
    let flags = Flags()
    lua.setGlobal(
      "fail",
      lua.function { call in
        let witness = Witness { flags.released = true }
        defer { flags.deferRan = true }
        _ = witness
        throw LuaRaise("host says no")
      })
    let error = #expect(throws: LuaError.self) {
      try lua.run("local x = 1\nfail()\n", chunkName: "boom.lua")
    }
    #expect(flags.deferRan)
    #expect(flags.released)
    #expect(error?.message == "boom.lua:2: host says no")
    #expect(error?.location?.line == 2)
    #expect(error?.traceback?.contains("stack traceback") == true)
  }

  @Test func luaErrorInCallbackFromSwiftUnwindsSwiftSafely() throws {
    let lua = try LuaState()
    let flags = Flags()
    lua.setGlobal(
      "with",
      lua.function { call in
        let callback = try call.value(1)
        let witness = Witness { flags.released = true }
        defer { flags.deferRan = true }
        _ = witness
        _ = try call.call(callback, [])  // raises: the Lua error comes back as a Swift throw
        flags.afterCallback = true
        return 0
      })
    let error = #expect(throws: LuaError.self) {
      try lua.run("with(function() error('inner failure') end)", chunkName: "cb.lua")
    }
    #expect(flags.deferRan && flags.released && !flags.afterCallback)
    #expect(error?.message == "cb.lua:1: inner failure")
  }

  @Test func pcallInLuaCatchesHostErrors() throws {
    let lua = try LuaState()
    lua.setGlobal("fail", lua.function { _ in throw LuaRaise("nope") })
    let result = try lua.run("local ok, e = pcall(fail) return ok, e", chunkName: "p.lua")
    #expect(result == [false, "nope"])
  }

  @Test func userdataGcReleasesSwiftObject() throws {
    let lua = try LuaState()
    let flags = Flags()
    lua.defineObjectType(
      "Counter",
      methods: [
        "name": { call in call.returning("counter") }
      ])
    var ud: LuaValue? = lua.object(Witness { flags.released = true }, type: "Counter")
    lua.setGlobal("c", ud!)
    #expect(try lua.run("return c:name(), getmetatable(c)") == ["counter", "locked"])
    if case .userdata(let ref) = ud! { lua.release(ref) }
    ud = nil
    lua.setGlobal("c", .nil)
    #expect(!flags.released)
    lua.collectGarbage()
    #expect(flags.released)
  }

  @Test func closingTheStateReleasesObjects() throws {
    let flags = Flags()
    do {
      let lua = try LuaState()
      lua.defineObjectType("Thing", methods: [:])
      lua.setGlobal("t", lua.object(Witness { flags.released = true }, type: "Thing"))
    }
    #expect(flags.released)
  }

  @Test func binaryChunksAreRefused() throws {
    let unsafe = try LuaState(sandboxed: false)
    let dumped = try unsafe.run("return string.dump(function() return 1 end)")
    guard case .string(let bytecode) = dumped[0] else {
      Issue.record("no bytecode")
      return
    }
    let lua = try LuaState()
    var bytes = bytecode.bytes
    let error = #expect(throws: LuaError.self) { try lua.load(bytes: &bytes, chunkName: "evil.luac") }
    #expect(error?.message.contains("binary chunks are not allowed") == true)
    let viaLoad = try lua.call(try lua.load("return load(...)", chunkName: "l.lua"), [.string(bytecode)])
    #expect(viaLoad[0] == .nil)
    #expect(viaLoad[1].stringValue?.contains("binary chunks are not allowed") == true)
    let modeB = try lua.call(
      try lua.load("return load(..., 'x', 'b')", chunkName: "l.lua"), [.string(bytecode)])
    #expect(modeB[0] == .nil)
  }

  @Test func syntaxErrorsNameChunkAndLine() throws {
    let lua = try LuaState()
    let error = #expect(throws: LuaError.self) {
      try lua.load("local a = 1\nlocal b = = 2\n", chunkName: "pipeline.lua")
    }
    #expect(error?.kind == .syntax)
    #expect(error?.location?.chunk == "pipeline.lua")
    #expect(error?.location?.line == 2)
  }

  @Test func errorObjectWhoseTostringFailsStillReports() throws {
    let lua = try LuaState()
    let error = #expect(throws: LuaError.self) {
      try lua.run(
        "error(setmetatable({}, { __tostring = function() error('worse') end }))",
        chunkName: "obj.lua")
    }
    #expect(error?.message == "(error object is a table value)")
  }
}
