-- luacheck configuration for a pmhost pipeline folder: `luacheck .` checks the plugins, their
-- specs, pipeline.lua and severity-rules.lua against what pmhost gives each of them. Written
-- by `pmhost new`; pmhost's repository checks its bundled plugins with this same file.
--
-- Every Lua state in pmhost is a sandbox: the base functions below and assert, string
-- (without string.dump), table, math, utf8, coroutine and os.time/date/clock; no io,
-- os.execute, debug, package, dofile or loadfile.
local sandbox = {
  "_ENV", "_G", "_VERSION", "collectgarbage", "error", "getmetatable", "ipairs", "load", "next",
  "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable",
  "tonumber", "tostring", "type", "xpcall",
  string = { fields = { "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match",
    "pack", "packsize", "rep", "reverse", "sub", "unpack", "upper" } },
  table = { fields = { "concat", "insert", "move", "pack", "remove", "sort", "unpack" } },
  math = { fields = { "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod",
    "huge", "log", "max", "maxinteger", "min", "mininteger", "modf", "pi", "rad", "random",
    "randomseed", "sin", "sqrt", "tan", "tointeger", "type", "ult" } },
  utf8 = { fields = { "char", "charpattern", "codepoint", "codes", "len", "offset" } },
  coroutine = { fields = { "close", "create", "isyieldable", "resume", "running", "status", "wrap",
    "yield" } },
  os = { fields = { "clock", "date", "time" } },
}

-- A std of the sandbox and `extra` (names, and name = { fields = ... }).
local function sandbox_and(extra)
  local globals = {}
  for _, t in ipairs { sandbox, extra } do
    for k, v in pairs(t) do
      if type(k) == "number" then globals[#globals + 1] = v else globals[k] = v end
    end
  end
  return { read_globals = globals }
end

return {
  stds = {
    -- The pipeline file: the bare sandbox, no pm, no require.
    pmhost_pipeline = sandbox_and { "assert" },
    -- A plugin also has `pm` (docs/pm-api.md) and `require`: its own modules, and pm.NAME,
    -- the shared ones.
    pmhost_plugin = sandbox_and { "assert", "pm", "require" },
    -- A spec (`pmhost test`) has a plugin's globals, busted-style describe/it/before_each/
    -- pending and assert, and `plugin`, which runs the plugin under test.
    pmhost_spec = sandbox_and {
      "pm", "require", "before_each", "describe", "it", "pending", "plugin",
      assert = { fields = {
        "equal", "equals", "falsy", "has_error", "is_false", "is_falsy", "is_nil", "is_not_nil",
        "is_true", "is_truthy", "matches", "not_nil", "same", "truthy",
        are = { fields = { "equal", "equals", "same" } },
        is = { fields = { "false", "falsy", "nil", "true", "truthy" } },
      } },
    },
    -- The severity plugin's `rules` file sees only these (plugins/classify/severity).
    pmhost_severity_rules = {
      read_globals = {
        "assert", "error", "ipairs", "pairs", "pm", "select", "tonumber", "tostring", "type",
        math = sandbox.math, string = sandbox.string, table = sandbox.table,
      },
    },
  },
  std = "pmhost_plugin",
  files = {
    ["**/*_spec.lua"] = { std = "pmhost_spec" },
    ["**/pipeline.lua"] = { std = "pmhost_pipeline" },
    ["**/severity-rules.lua"] = { std = "pmhost_severity_rules" },
  },
}
