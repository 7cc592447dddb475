import Testing

@testable import LuaBridge

/// Deeply nested Swift values (such as a 255-level `pm.yaml.decode` result or a
/// 512-level `pm.json.decode` one) cross into Lua without writing past the Lua stack.
@Suite struct DeepValueTests {
  @Test func deeplyNestedTablesArePushedSafely() throws {
    let lua = try LuaState()
    var value = LuaValue.integer(7)
    for _ in 0..<600 { value = .table(LuaTable(array: [value])) }
    lua.setGlobal("deep", value)
    var keyed = LuaValue.integer(8)
    for _ in 0..<600 {
      var t = LuaTable()
      t.fields[.text("a")] = keyed
      keyed = .table(t)
    }
    lua.setGlobal("keyed", keyed)
    let results = try lua.run(
      """
      local d, n = deep, 0
      while type(d) == "table" do d, n = d[1], n + 1 end
      local k, m = keyed, 0
      while type(k) == "table" do k, m = k.a, m + 1 end
      return n, d, m, k
      """)
    #expect(results == [.integer(600), .integer(7), .integer(600), .integer(8)])
  }
}
