-- luacheck configuration for the bundled plugins, their specs, the bench plugins and the
-- example. What each kind of file may use is defined once, in the configuration `pmhost new`
-- writes into a pipeline folder (scaffold/luacheckrc.lua): plugins see the sandbox, `pm` and
-- `require`; specs also describe/it/assert and `plugin`; pipeline.lua the bare sandbox.
local pmhost = require "scaffold.luacheckrc"
stds = pmhost.stds
std = pmhost.std
files = pmhost.files
max_line_length = 190
-- scripts/bench-scale's pipeline templates: REPORT is replaced by the script before a run.
files["bench/scale/*.lua"] = { read_globals = { "REPORT" } }
-- scripts/bench's baseline, run by the standalone lua5.4 with its whole standard library.
files["bench/standalone.lua"] = { std = "lua54" }
-- A rules file that reaches for io, os and require on purpose: the severity spec checks
-- that the rules sandbox has none of them.
files["plugins/classify/severity/fixtures/sandbox-rules.lua"] = { std = "pmhost_severity_rules", ignore = { "113" } }
-- The spec runner's prelude defines the busted-style globals the specs read.
files["Sources/PluginSpecs/Lua/spec-prelude.lua"] = {
  std = "lua54",
  globals = { "assert", "describe", "it", "before_each", "pending", "__pmhost_spec_results" },
}
