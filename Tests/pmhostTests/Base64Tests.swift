import Foundation
import Testing

/// pm.base64 (an `Authorization: Basic` header, a token handed out encoded): RFC 4648's
/// test vectors, bytes that are not UTF-8 kept as bytes, and text that is not base64
/// answered with nil and a reason rather than garbage.
@Suite struct Base64Tests {
  @Test func encodesAndDecodesBytesAndRefusesWhatIsNotBase64() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try scratch.write("incident.yaml", Scratch.incident)
    try scratch.write(
      "plugins/b64.lua",
      #"""
      return { api = 2, stage = "collect", run = function(ctx)
        local out = {}
        for _, s in ipairs { "", "f", "fo", "foo", "foob", "fooba", "foobar", "elastic:p\xC3\xA4:ss", "\0\255\254" } do
          local e = pm.base64.encode(s)
          out[#out + 1] = e .. "=" .. tostring(pm.base64.decode(e) == s)
        end
        local bad, reason = pm.base64.decode("not base64!")
        out[#out + 1] = tostring(bad) .. "/" .. tostring(reason)
        out[#out + 1] = pm.base64.decode(" Zm9vYmFy\n")
        out[#out + 1] = tostring(select(1, pcall(pm.base64.encode, 42)))
        ctx.log.info("B64 " .. table.concat(out, "|"))
      end }
      """#)
    try scratch.write("pipeline.lua", #"return { incident = "incident.yaml", collect = { "b64" } }"#)
    let run = try PMHostProcess.run(["run", "pipeline.lua"], in: scratch.path)
    #expect(run.status == 0, "\(run.stderr)")
    let line = try #require(run.stderr.split(separator: "\n").first { $0.contains("[b64] B64 ") })
    let said = line.components(separatedBy: "B64 ")[1].split(separator: "|", omittingEmptySubsequences: false)
    #expect(
      said == [
        "=true", "Zg===true", "Zm8==true", "Zm9v=true", "Zm9vYg===true", "Zm9vYmE==true", "Zm9vYmFy=true",
        "ZWxhc3RpYzpww6Q6c3M==true", "AP/+=true", "nil/not base64 (RFC 4648, with padding)", "foobar",
        "false",
      ])
  }
}
