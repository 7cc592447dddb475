import Testing

@testable import LuaBridge

/// The C column iterator (`LuaState.columnIterator()`), driven by a fill written in Lua.
@Suite struct ColumnIteratorTests {
  /// `columns` as a global, and `fill(source, field, from, count, t)` that writes
  /// "<field><row>" into t[1..count] and counts its calls.
  func state() throws -> LuaState {
    let lua = try LuaState()
    lua.setGlobal("columns", lua.columnIterator())
    try lua.run(
      """
      fills = 0
      function fill(source, field, from, count, t)
        fills = fills + 1
        assert(source == "src")
        for k = 1, count do t[k] = field .. (from + k - 1) end
      end
      """)
    return lua
  }

  @Test func readsEveryRowAcrossChunksInOrder() throws {
    let lua = try state()
    let result = try lua.run(
      """
      local rows = {}
      for i, a, b in columns(fill, "src", 10, 3, "a", "b") do rows[#rows + 1] = i .. "=" .. a .. "," .. b end
      return table.concat(rows, " "), fills
      """)
    #expect(
      result[0].stringValue
        == "1=a1,b1 2=a2,b2 3=a3,b3 4=a4,b4 5=a5,b5 6=a6,b6 7=a7,b7 8=a8,b8 9=a9,b9 10=a10,b10")
    #expect(result[1].intValue == 8)  // 4 chunks (3, 3, 3, 1) x 2 fields
  }

  @Test func anyControlValueReloadsTheRightChunk() throws {
    let lua = try state()
    let result = try lua.run(
      """
      local it = columns(fill, "src", 10, 4, "x")
      local out = {}
      for _, control in ipairs { 7, 0, 9, 3, 3, 10, -1, 2.0, math.maxinteger, math.mininteger } do
        local i, x = it(nil, control)
        out[#out + 1] = tostring(i) .. ":" .. tostring(x)
      end
      return table.concat(out, " ")
      """)
    #expect(result[0].stringValue == "8:x8 1:x1 10:x10 4:x4 4:x4 nil:nil nil:nil 3:x3 nil:nil nil:nil")
  }

  @Test func manyFieldsAndNoRows() throws {
    let lua = try state()
    // 60 fields: more values than a C function may push without growing its stack.
    let result = try lua.run(
      """
      local names = {}
      for f = 1, 60 do names[f] = "f" .. f .. "_" end
      local got
      for i, first, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _,
          _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, last
          in columns(fill, "src", 5, 2, table.unpack(names)) do
        got = i .. ":" .. first .. ":" .. last
      end
      local none = 0
      for _ in columns(fill, "src", 0, 4, "a") do none = none + 1 end
      return got, none
      """)
    #expect(result[0].stringValue == "5:f1_5:f60_5")
    #expect(result[1].intValue == 0)
  }

  @Test func aFillThatFailsLeavesNoHalfLoadedChunk() throws {
    let lua = try state()
    let result = try lua.run(
      """
      local broken = false
      local function flaky(source, field, from, count, t)
        if broken and field == "b" then error("b is gone") end
        fill(source, field, from, count, t)
      end
      local it = columns(flaky, "src", 10, 4, "a", "b")
      local _, a1 = it(nil, 0)
      broken = true
      local ok = pcall(it, nil, 4)  -- loads rows 5..8: "a" fills, then "b" fails
      broken = false
      local _, a2, b2 = it(nil, 0)  -- row 1 again: reloaded, not "a5" left by the failed load
      local _, a3, b3 = it(nil, 4)
      return table.concat({ tostring(ok), a1, a2, b2, a3, b3 }, " ")
      """)
    #expect(result[0].stringValue == "false a1 a1 b1 a5 b5")
  }

  @Test func badArgumentsAndFillErrorsAreLuaErrors() throws {
    let lua = try state()
    for (code, message) in [
      ("columns(fill, 'src', 5, 2)", "between 1 and 100 fields"),
      ("columns(fill, 'src', 5, 0, 'a')", "chunk size out of range"),
      ("columns(fill, 'src', 5, 2, 'a', 7)", "string expected"),
      ("columns(42, 'src', 5, 2, 'a')", "function expected"),
      ("for _ in columns(function() error('fill broke') end, 'src', 5, 2, 'a') do end", "fill broke"),
    ] {
      let error = #expect(throws: LuaError.self) { try lua.run(code) }
      #expect(error?.message.contains(message) == true, "\(code): \(error?.message ?? "")")
    }
    let many = (1...101).map { "'f\($0)'" }.joined(separator: ", ")
    let error = #expect(throws: LuaError.self) { try lua.run("columns(fill, 'src', 5, 2, \(many))") }
    #expect(error?.message.contains("between 1 and 100 fields") == true)
  }
}
