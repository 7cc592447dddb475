import FuzzDriver
import LuaBridge
import PostmortemCore

@testable import PluginHost

/// The answer files on arbitrary bytes, through the paths they take: `pm.yaml.decode` into a
/// Lua state with the `pm` library (five-whys answers, action-items files), walked as those
/// plugins walk them and encoded back, and `--answers` (prompt answers). A value, a Lua
/// error or a configuration error, never a crash, a hang or an alias bomb's gigabytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzanswersInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = try? AnswersFile.decode(text, path: "answers.yaml")
  // A fresh state each time, as each plugin run gets, with the default memory limit.
  guard let lua = try? LuaState() else { return 0 }
  lua.setMemoryLimit(bytes: 256 << 20, message: "memory limit exceeded")
  PMLibrary.install(in: lua)
  lua.setGlobal("input", .text(text))
  _ = try? lua.run(walk, chunkName: "walk.lua")
  return 0
}

/// What five-whys and action-items do with a decoded file, without their checks.
let walk = """
  local ok, doc = pcall(pm.yaml.decode, input, "whys.yaml")
  if not ok or type(doc) ~= "table" then return end
  local function visit(v, depth)
    if type(v) ~= "table" or depth > 300 then return 0 end
    local n = 1
    for k, x in pairs(v) do n = n + visit(x, depth + 1) + #tostring(k) end
    return n
  end
  visit(doc, 0)
  for _, c in ipairs(type(doc.chains) == "table" and doc.chains or doc) do
    if type(c) == "table" then
      for _, w in ipairs(type(c.whys) == "table" and c.whys or {}) do local _ = tostring(w) end
    end
  end
  pcall(pm.yaml.encode, doc)
  pcall(pm.json.encode, doc)
  """

// SwiftPM links an executable's entry as `FuzzAnswers_main` (aliased to `main`).
@_cdecl("FuzzAnswers_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  runFuzzer(argc, argv, fuzzanswersInput)
}
