import Testing

@testable import LuaBridge

/// Messages from plugins are capped once, as they leave Lua, so a 100 MB error() costs
/// 4 KiB in the report, on stderr and in the host's memory.
@Suite struct MessageCapTests {
  @Test func shortMessagesAreKept() {
    #expect(MessageCap.capped("disk full") == "disk full")
    let exact = String(repeating: "x", count: MessageCap.bytes)
    #expect(MessageCap.capped(exact) == exact)
  }

  @Test func longMessagesKeepTheirStartAndSayHowMuchIsLeftOut() {
    let capped = MessageCap.capped(String(repeating: "x", count: 10_000))
    #expect(capped.utf8.count <= MessageCap.bytes)
    #expect(capped.hasPrefix("xxxx"))
    #expect(capped.hasSuffix("… (\(10_000 - 4056) bytes more)"))
  }

  @Test func neverCutsACharacterInHalf() {
    let capped = MessageCap.capped(String(repeating: "é", count: 5_000))  // 2 bytes each
    #expect(capped.utf8.count <= MessageCap.bytes)
    #expect(!capped.contains("\u{FFFD}"))
    #expect(capped.hasPrefix("éé"))
  }

  @Test func aHugeLuaErrorArrivesCapped() throws {
    let lua = try LuaState()
    let error = #expect(throws: LuaError.self) {
      try lua.run(#"error(string.rep("x", 100 * 1024 * 1024))"#, chunkName: "big.lua")
    }
    let message = error?.message ?? ""
    #expect(message.utf8.count <= MessageCap.bytes)
    #expect(message.hasPrefix("big.lua:1: xxx"))
    #expect(message.hasSuffix("bytes more)"))
  }

  @Test func cappedStringArgumentsCopyOnlyWhatIsKept() throws {
    let lua = try LuaState()
    final class Seen { var texts: [String] = [] }
    let seen = Seen()
    lua.setGlobal(
      "note",
      lua.function { call in
        seen.texts.append(call.cappedString(1) ?? "(not a string)")
        return 0
      })
    try lua.run(#"note(string.rep("y", 1e6)) note("short") note(42)"#)
    #expect(seen.texts.count == 3)
    #expect(seen.texts[0].utf8.count <= MessageCap.bytes && seen.texts[0].hasSuffix("bytes more)"))
    #expect(seen.texts[1] == "short")
    #expect(seen.texts[2] == "(not a string)")
  }
}
