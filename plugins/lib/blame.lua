-- pm.blame: wording that points at people instead of systems, in a post-mortem's prose.
--
--   local blame = require "pm.blame"
--   for _, f in ipairs(blame.find(data [, { words = {...}, phrases = {...}, allow = {...} }])) do
--     -- f.where ("summary", "contributing factor", ...), f.sentence, f.rule, f.suggestion
--   end
--
-- Two kinds of rule, both lower-case Lua patterns:
-- * `words` blame on their own: "human error", "careless", "blame", "caused by @bob".
-- * `phrases` blame only after a person (an @handle, he/she/someone, or a name or handle
--   from incident.people): "failed to", "should have <participle>ed", "forgot to". So "traffic
--   failed to reach the cluster" and "each repository should have clear rules", which are
--   about systems, are not findings; "@bob forgot to drain the node" is.
-- `allow` holds patterns of sentences that are never findings (an organisation's idioms).
local M = {}

M.WORDS = {
  { "caused by @", "say what in the system let the change through (a missing review, check or test)" },
  { "@[%w_%-]+ caused", "say what in the system let the change through (a missing review, check or test)" },
  { "@[%w_%-]+ broke", "say what broke and which safeguard was missing" },
  { "human error", "name the condition that made the error possible: an unclear runbook, a missing guard rail, a confusing tool" },
  { "careless", "describe the conditions instead: time pressure, missing safeguards, no review" },
  { "%f[%w]fault of", "describe the chain of events, not whose fault it was" },
  { "%f[%w]blame%f[%W]", "leave blame out: describe the system that allowed it" },
  { "%f[%w]blamed%f[%W]", "leave blame out: describe the system that allowed it" },
  { "%f[%w]blaming%f[%W]", "leave blame out: describe the system that allowed it" },
}

M.PHRASES = {
  { "failed to", "describe the gap in process or tooling that let the step be missed" },
  { "should have %a+ed%f[%W]", "say what would have caught it: a check, an alert, a review step" },
  { "should have known", "say what information was missing and where it should have been visible" },
  { "forgot to", "say which checklist, automation or reminder was missing" },
  { "neglected to", "say which checklist, automation or reminder was missing" },
  { "caused", "say what in the system let the change through (a missing review, check or test)" },
  { "broke", "say what broke and which safeguard was missing" },
  { "made a mistake", "ask what allowed the mistake to have this effect" },
}

local PEOPLE = { "@[%w_%-]+", "%f[%w]he", "%f[%w]she", "%f[%w]someone", "%f[%w]somebody", "%f[%w]the engineer",
  "%f[%w]the operator", "%f[%w]the on%-call engineer", "%f[%w]the on%-call" }

local function escape(s) return (s:gsub("%p", "%%%0")) end

-- Patterns of the people a sentence may name: pronouns, @handles, incident.people.
local function people(data)
  local list = {}
  for _, p in ipairs(PEOPLE) do list[#list + 1] = p end
  for handle, names in pairs((data.incident or {}).people or {}) do
    list[#list + 1] = "%f[%w@]" .. escape(handle:lower()) .. "%f[%W]"
    for _, name in ipairs(names) do
      if #name >= 3 then list[#list + 1] = "%f[%w]" .. escape(name:lower()) .. "%f[%W]" end
    end
  end
  return list
end

-- Sentences of a text: split after . ! ? followed by space, so "v2.3.0" stays whole.
local function sentences(text)
  local out = {}
  for s in text:gsub("([%.!?])%s+", "%1\n"):gmatch("[^\n]+") do out[#out + 1] = s:match("^%s*(.-)%s*$") end
  return out
end

-- The prose fields of a report, with where each is.
function M.texts(data)
  local inc, f = data.incident or {}, data.factors or {}
  local texts = { { "summary", inc.summary }, { "root cause", inc.root_cause } }
  local function add(where, list, field)
    for _, v in ipairs(list or {}) do texts[#texts + 1] = { where, field and type(v) == "table" and v[field] or v } end
  end
  add("immediate cause", f.immediate)
  add("contributing factor", f.contributing, "text")
  add("systemic issue", f.systemic)
  add("lesson", data.lessons_learned)
  add("action item", data.action_items, "action")
  for _, c in ipairs(f.contributing or {}) do add("why chain", c.why_chain) end
  return texts
end

-- Every blaming sentence: { where, sentence, rule, suggestion }.
function M.find(data, opts)
  opts = opts or {}
  local words, phrases = {}, {}
  for _, w in ipairs(M.WORDS) do words[#words + 1] = w end
  for _, w in ipairs(opts.words or {}) do words[#words + 1] = { w:lower(), "describe the system, not the person" } end
  for _, p in ipairs(M.PHRASES) do phrases[#phrases + 1] = p end
  for _, p in ipairs(opts.phrases or {}) do phrases[#phrases + 1] = { p:lower(), "describe the system, not the person" } end
  local who, allow = people(data), opts.allow or {}
  local found, seen = {}, {}
  for _, entry in ipairs(M.texts(data)) do
    if type(entry[2]) == "string" then
      for _, sentence in ipairs(sentences(entry[2])) do
        local lower = sentence:lower()
        local allowed = false
        for _, a in ipairs(allow) do allowed = allowed or lower:find(a:lower()) ~= nil end
        local rule, suggestion
        if not allowed then
          for _, w in ipairs(words) do
            if lower:find(w[1]) then rule, suggestion = w[1], w[2]; break end
          end
          for _, person in ipairs(rule and {} or who) do
            for _, p in ipairs(phrases) do
              if lower:find(person .. "%s+" .. p[1]) then rule, suggestion = p[1], p[2]; break end
            end
            if rule then break end
          end
        end
        local key = entry[1] .. "\0" .. sentence
        if rule and not seen[key] then
          seen[key] = true
          found[#found + 1] = { where = entry[1], sentence = sentence, rule = rule, suggestion = suggestion }
        end
      end
    end
  end
  return found
end

return M
