import Testing

@testable import LuaBridge

@Suite struct ValueTests {
  @Test func scalarsRoundTripWithIntegersAndFloatsApart() throws {
    let lua = try LuaState()
    let echo = try lua.load("return ...", chunkName: "echo.lua")
    let values: [LuaValue] = [.nil, true, false, 0, 42, -7, 1.0, 2.5, .number(-0.0), "text"]
    let back = try lua.call(echo, values)
    #expect(back == values)
    let types = try lua.run("return math.type(1), math.type(1.0), 3 // 2, 3 / 2")
    #expect(types == ["integer", "float", 1, 1.5])
  }

  @Test func stringsAreByteExact() throws {
    let lua = try LuaState()
    let bytes: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0xFE, 0xC3, 0xA9, 0x00]
    let f = try lua.load("local s = ... return s, #s, s:byte(2), s:sub(6, 7)", chunkName: "s.lua")
    let back = try lua.call(f, [.string(LuaString(bytes: bytes))])
    #expect(back[0] == .string(LuaString(bytes: bytes)))
    #expect(back[1] == 8)
    #expect(back[2] == 0)
    #expect(back[3].stringValue == "é")
    let emoji = try lua.call(f, ["naïve ☃ 🚀"])
    #expect(emoji[0].stringValue == "naïve ☃ 🚀")
  }

  @Test func tablesKeepArrayAndFieldsApart() throws {
    let lua = try LuaState()
    let result = try lua.run(
      "return { 'a', 'b', 3, [5] = 'hole', name = 'x', nested = { ok = true, list = { 1.5 } } }")
    guard case .table(let t) = result[0] else {
      Issue.record("expected a table")
      return
    }
    #expect(t.array == ["a", "b", 3])
    #expect(t.fields[5] == "hole")
    #expect(t["name"] == "x")
    #expect(t["nested"]["ok"] == true)
    #expect(t["nested"]["list"].tableValue?.array == [1.5])
    let echo = try lua.load("local t = ... return #t, t.name, t[5], t.nested.list[1]", chunkName: "t.lua")
    #expect(try lua.call(echo, [.table(t)]) == [3, "x", "hole", 1.5])
  }

  @Test func cyclesAreConversionErrors() throws {
    let lua = try LuaState()
    #expect(throws: LuaError.self) { try lua.run("local t = {} t.self = t return t") }
  }

  @Test func functionsStayReferences() throws {
    let lua = try LuaState()
    let result = try lua.run("return function(a, b) return a * b end")
    guard case .function = result[0] else {
      Issue.record("expected a function")
      return
    }
    #expect(try lua.call(result[0], [6, 7]) == [42])
  }
}
