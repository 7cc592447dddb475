-- blameless: finds wording that blames people in every prose field of the report (summary,
-- root cause, impact, factors and their why chains, what went well, lessons, action items)
-- and, for an imported Markdown post-mortem, in every paragraph, list item and table cell of
-- the document (timeline and "what happened" included); quotes each sentence, with its line
-- when it comes from a document, and suggests a systems framing. The rules are in
-- plugins/lib/blame.lua (require "pm.blame"): a person (an @handle, he/she/someone, a role such
-- as "the developer" or "the on-call engineer", a name the report knows, or a capitalised name
-- before a phrase only people do) as the agent of a fault, and words that blame on their own
-- ("human error", "careless", "X's fault"). An organisation adds its own rules with `words` /
-- `phrases` and silences idioms with `allow`.
--
-- The check's detail lists `where: "sentence" (suggestion)`, with `, line N` after `where`
-- for a document's sentence; its fourth argument carries the findings as { line, text }.
local blame = require "pm.blame"

return {
  name = "blameless",
  stage = "validate",
  version = "0.1.0",
  api = 2,
  description = "Blame in the report's prose, quoted, with a systems framing for each",
  options = {
    words = { type = "list", of = "lua_pattern", default = {}, doc = "more Lua patterns (lower case) that blame on their own" },
    phrases = { type = "list", of = "lua_pattern", default = {},
      doc = "more patterns that blame after a person (\"skipped the checklist\"): an @handle, he/she/someone, a role (\"the developer\") or a name the report knows" },
    allow = { type = "list", of = "lua_pattern", default = {}, doc = "patterns of sentences that are never findings" },
  },
  run = function(ctx, opts)
    local findings = blame.find(ctx.report.get { timeline = false }, opts) -- prose only: no table per event
    if #findings == 0 then
      ctx.report.check("blameless", true, "no blaming wording in the report's prose", { findings = {} })
      return
    end
    local quoted, list = {}, {}
    for i, f in ipairs(findings) do
      local where = f.line and ("%s, line %d"):format(f.where, f.line) or f.where
      quoted[i] = ("%s: %q (%s)"):format(where, f.sentence, f.suggestion)
      list[i] = { line = f.line, text = f.sentence }
      ctx.log.warn(("blame in the %s: %q: %s"):format(where, f.sentence, f.suggestion))
    end
    ctx.report.check("blameless", false, table.concat(quoted, "; "), { findings = list })
  end,
}
