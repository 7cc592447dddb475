import Foundation
import Testing

@testable import LuaBridge

/// One memory budget per state: bytes the host keeps for it and Lua's own allocations count
/// against the same limit, checked by the one rule in the shim.
@Suite struct HostMemoryTests {
  @Test func hostBytesAndLuaBytesShareOneLimit() throws {
    let lua = try LuaState()
    lua.setMemoryLimit(bytes: 16 << 20, message: "memory limit of 16 MB exceeded")
    let free = lua.memoryAvailable
    #expect(free > 15 << 20 && free < 16 << 20)
    #expect(lua.reserveHostMemory(10 << 20))
    #expect(lua.memoryAvailable == free - (10 << 20))
    // Past what is left: refused, nothing counted.
    #expect(!lua.reserveHostMemory(8 << 20))
    #expect(lua.memoryAvailable == free - (10 << 20))
    // Lua may no longer allocate what it could with the host holding nothing.
    let error = #expect(throws: LuaError.self) { try lua.run("local s = string.rep('x', 8 << 20) return #s") }
    #expect(error?.message == "memory limit of 16 MB exceeded")

    let fresh = try LuaState()
    fresh.setMemoryLimit(bytes: 16 << 20, message: "memory limit of 16 MB exceeded")
    #expect(fresh.reserveHostMemory(10 << 20))
    fresh.releaseHostMemory(10 << 20)
    #expect(try fresh.run("local s = string.rep('x', 8 << 20) return #s").first?.intValue == Int64(8 << 20))
  }

  @Test func noLimitLeavesEverythingAvailable() throws {
    let lua = try LuaState()
    #expect(lua.memoryAvailable == Int.max)
    #expect(lua.reserveHostMemory(1 << 40))
  }
}
