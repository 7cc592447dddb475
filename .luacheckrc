-- luacheck configuration for the bundled plugins, their specs, the bench plugins and the
-- host's own Lua (Sources/PluginHost/Lua).
std = "lua54"
-- The pm API every plugin sees (docs/pm-api.md).
read_globals = { "pm" }
max_line_length = 190
-- Specs run under `pmhost test`: busted-style describe/it/assert, and `plugin`, the helper
-- that runs the plugin under test (Sources/PluginHost/Lua/spec-prelude.lua and SpecRunner.swift).
files["**/*_spec.lua"] = { std = "+busted", read_globals = { "plugin" } }
-- scripts/bench-scale's pipeline templates: REPORT is replaced by the script before a run.
files["bench/scale/*.lua"] = { read_globals = { "REPORT" } }
-- The spec runner's prelude defines the busted-style globals the specs read.
files["Sources/PluginHost/Lua/spec-prelude.lua"] = {
  globals = { "assert", "describe", "it", "before_each", "pending", "__pmhost_spec_results" },
}
