-- blameless: finds wording that blames people in every prose field of the report (summary,
-- root cause, factors and their why chains, lessons, action items), quotes each sentence and
-- suggests a systems framing. The rules are in plugins/lib/blame.lua (require "pm.blame");
-- an organisation adds its own with `words` / `phrases` and silences idioms with `allow`.
local blame = require "pm.blame"
local logtext = require "pm.logtext"

return {
  name = "blameless",
  stage = "validate",
  version = "0.1.0",
  api = 1,
  description = "Blame in the report's prose, quoted, with a systems framing for each",
  options = {
    words = { type = "list", default = {}, doc = "more Lua patterns (lower case) that blame on their own" },
    phrases = { type = "list", default = {},
      doc = "more patterns that blame after a person (\"ignored the alert\"): an @handle, he/she/someone or a name from incident.people" },
    allow = { type = "list", default = {}, doc = "patterns of sentences that are never findings" },
  },
  check = function(opts)
    for _, key in ipairs { "words", "phrases", "allow" } do
      for i, p in ipairs(opts[key]) do
        local problem = type(p) ~= "string" and "not a string" or logtext.check(p)
        if problem then error(("option %s[%d]: %s is not a Lua pattern (%s)"):format(key, i, tostring(p), problem), 0) end
      end
    end
  end,
  run = function(ctx, opts)
    local findings = blame.find(ctx.report:data { timeline = false }, opts) -- prose only: no table per event
    if #findings == 0 then
      ctx.report:check("blameless", true, "no blaming wording in the summary, root cause, factors, lessons or action items")
      return
    end
    local quoted = {}
    for i, f in ipairs(findings) do
      quoted[i] = ("%s: %q (%s)"):format(f.where, f.sentence, f.suggestion)
      ctx.log.warn(("blame in the %s: %q: %s"):format(f.where, f.sentence, f.suggestion))
    end
    ctx.report:check("blameless", false, table.concat(quoted, "; "))
  end,
}
