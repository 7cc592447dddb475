-- pm.actions: what makes an action item vague, in one place (the act stage's action-items
-- plugin and validate's action_items_specific check both ask it).
--
--   local actions = require "pm.actions"
--   local phrase, suggestion = actions.vague(text [, extra_phrases])  -- nil when specific
--
-- An item is vague when it asks for an attitude or commits to no outcome. Owners and dates
-- written into the item ("(@jonas.k)", "(Owner: Rui Costa, due 2025-03-14)", "- ETA: 15/08")
-- are cut off first: who and when do not say what. The vague wording then counts in the
-- item's head (before the first ": ", " - ", ". ", "(" or ";"), so that an explanation after
-- a specific action does not make it vague ("Implement priority classes: part of our effort
-- to improve scheduling"); what makes an item specific counts anywhere in it. Three families,
-- tried in this order; the first that applies gives the phrase returned:
-- 1. Exhortations, vague on their own: "be (more) careful", "pay (more) attention", "be
--    vigilant", "(raise) awareness", "communicate better", "better communication", "stay in
--    (closer) contact", "work closely with", "follow best practices", "double check", "make
--    sure this doesn't happen again", "prevent recurrence", "keep an eye on", "monitor the
--    situation", "more thoroughly", "properly", "as needed", "where possible", "remember to",
--    "try to", "do better". Not vague when the item starts with a verb that builds something
--    (add, create, automate, implement, enforce, ...) and names a concrete object, because
--    then the exhortation is only the item's reason: "Add a CI step that double-checks
--    `replicas` against the HPA minimum" is specific.
-- 2. Improvement without a measure: improve, enhance, optimise, strengthen, harden, refine,
--    "better", "monitor better", "more monitoring / testing / alerts / logging / ...", "more"
--    and a noun among the item's first three words ("Test on more handsets", not "aligns more
--    with" or "more than one"), "increase coverage / visibility". Not vague when the item
--    names a measure: a number that is not a date ("300ms", "80%", "10k", "502s", "5xx",
--    "p99", "v2.5"), a comparison ("< 100ms"), or a metric or code identifier
--    (`pg_stat_activity`, max_connections, a.b.c, /search). So "Improve p99 latency of
--    /search below 300ms by 2024-03" is specific; "Improve monitoring of the ALB" is vague (a
--    component named, nothing to measure).
-- 3. Exploring without an outcome: look into, investigate, review, revisit, consider,
--    explore, evaluate, assess, discuss, research, analyse, reflect, "figure out", "think
--    about", "follow up", "work on", "dig into", "check whether", as the item's verb (its
--    first word, or after "to", "and", "should", "will", "must", "we"; "Require code review"
--    uses review as a noun). Not vague when the item names a measure (as in 2), a date, a
--    ticket (#123, ABC-12), a URL or a file, or commits to a result joined with "and"
--    ("review and adjust the pool size", "investigate and write up") on an object that is
--    not generic (processes, the root cause, things). A component's name alone does not
--    make an exploration specific: "Investigate why search returned 502s on 2024-01-14 and
--    write up the findings" is specific; "Look into the cache eviction settings", "Discuss
--    ownership of the VPN" and "Investigate image-resizer memory use" are vague.
-- `extra_phrases` (an organisation's own, e.g. "asap") are vague wherever they start a word
-- in the item as written, after the built-in families. Matching is on the lower-cased text
-- with plain patterns and no state: the same text always gives the same answer, after a
-- plain search for each rule's words, in time linear in the first 2,000 characters read.
local M = {}

local logtext = require "pm.logtext"
local set_of, escape = logtext.word_set, logtext.escape

M.SUGGESTIONS = {
  exhortation = "replace the exhortation with a change to the system: a check, an alert, an automation or a runbook step",
  improvement = "name what to measure and the target: a metric, a threshold or a number",
  exploration = "say what the work produces (a fix, a decision, a write-up) and name the ticket, date or measure",
  extra = "name the metric, dashboard or runbook and a date",
}

-- { label, pattern } per family; patterns are matched against the lower-cased text.
M.EXHORTATIONS = {
  { "be more careful", "%f[%w]be more careful%f[%W]" },
  { "be careful", "%f[%w]be careful%f[%W]" },
  { "take more care", "%f[%w]take more care%f[%W]" },
  { "more careful", "%f[%w]more careful%f[%W]" },
  { "pay more attention", "%f[%w]pay more attention%f[%W]" },
  { "pay closer attention", "%f[%w]pay closer attention%f[%W]" },
  { "pay attention", "%f[%w]pay attention%f[%W]" },
  { "be vigilant", "%f[%w]be %a*%s*vigilant%f[%W]" },
  { "be aware", "%f[%w]be %a*%s*aware%f[%W]" },
  { "raise awareness", "%f[%w]raise awareness%f[%W]" },
  { "raise awareness", "%f[%w]increase awareness%f[%W]" },
  { "raise awareness", "%f[%w]awareness%f[%W]" },
  { "communicate better", "%f[%w]communicate better%f[%W]" },
  { "communicate better", "%f[%w]communicate more%f[%W]" },
  { "communicate better", "%f[%w]better communication%f[%W]" },
  { "communicate better", "%f[%w]improve communication%f[%W]" },
  { "follow best practices", "%f[%w]best practices?%f[%W]" },
  { "stay in contact", "%f[%w]stay in %a*%s*contact%f[%W]" },
  { "stay in contact", "%f[%w]stay in %a*%s*touch%f[%W]" },
  { "stay in contact", "%f[%w]keep in %a*%s*touch%f[%W]" },
  { "stay in contact", "%f[%w]closer contact%f[%W]" },
  { "stay in contact", "%f[%w]closer collaboration%f[%W]" },
  { "stay in contact", "%f[%w]work %a*%s*closely with%f[%W]" },
  { "stay in contact", "%f[%w]collaborate %a*%s*closely%f[%W]" },
  { "double check", "%f[%w]double[%- ]check" },
  { "doesn't happen again", "%f[%w]happens? again%f[%W]" },
  { "doesn't happen again", "%f[%w]happening again%f[%W]" },
  { "doesn't happen again", "%f[%w]prevent recurrence%f[%W]" },
  { "doesn't happen again", "%f[%w]prevent similar" },
  { "doesn't happen again", "%f[%w]avoid similar" },
  { "doesn't happen again", "%f[%w]avoid this in the future%f[%W]" },
  { "keep an eye on", "%f[%w]keep an eye on%f[%W]" },
  { "keep an eye on", "%f[%w]monitor the situation%f[%W]" },
  { "keep an eye on", "%f[%w]monitor %a*%s*closely%f[%W]" },
  { "keep an eye on", "%f[%w]keep monitoring%f[%W]" },
  { "more thoroughly", "%f[%w]more thorough" },
  { "properly", "%f[%w]properly%f[%W]" },
  { "as needed", "%f[%w]as needed%f[%W]" },
  { "as needed", "%f[%w]as appropriate%f[%W]" },
  { "as needed", "%f[%w]as required%f[%W]" },
  { "as needed", "%f[%w]where needed%f[%W]" },
  { "as needed", "%f[%w]where possible%f[%W]" },
  { "as needed", "%f[%w]when possible%f[%W]" },
  { "as needed", "%f[%w]if possible%f[%W]" },
  { "remember to", "%f[%w]remember to%f[%W]" },
  { "try to", "%f[%w]try to%f[%W]" },
  { "try to", "%f[%w]try harder%f[%W]" },
  { "do better", "%f[%w]do better%f[%W]" },
  { "make sure all", "%f[%w]make sure all%f[%W]" },
  { "make sure all", "%f[%w]make sure every" },
  { "make sure all", "%f[%w]ensure all%f[%W]" },
  { "make sure all", "%f[%w]ensure every" },
  { "might be an option", "%f[%w]might be an option%f[%W]" },
  { "might be an option", "%f[%w]could be an option%f[%W]" },
  { "might be an option", "%f[%w]may be an option%f[%W]" },
  { "continue to", "%f[%w]continue to %a*%s*attempt" },
  { "continue to", "%f[%w]continue to investigate" },
  { "continue to", "%f[%w]continue to look" },
  { "continue to", "%f[%w]continue to monitor" },
  { "continue to", "%f[%w]continue investigating" },
  { "continue to", "%f[%w]continue monitoring" },
  { "discussion about whether", "%f[%w]discussion about whether%f[%W]" },
  { "discussion about whether", "%f[%w]discuss whether%f[%W]" },
  { "discussion about whether", "%f[%w]discussion on whether%f[%W]" },
}

M.IMPROVEMENTS = {
  { "improve", "%f[%w]improv" },
  { "enhance", "%f[%w]enhanc" },
  { "optimise", "%f[%w]optimi[sz]" },
  { "strengthen", "%f[%w]strengthen" },
  { "harden", "%f[%w]harden" },
  { "refine", "%f[%w]refine%f[%W]" },
  { "monitor better", "%f[%w]monitor%a*%f[%W][%w%s]-%f[%w]better%f[%W]" },
  { "better", "%f[%w]better%f[%W]" },
  { "more monitoring", "%f[%w]more monitoring%f[%W]" },
  { "more testing", "%f[%w]more testing%f[%W]" },
  { "more tests", "%f[%w]more tests%f[%W]" },
  { "more alerts", "%f[%w]more alert" },
  { "more logging", "%f[%w]more log" },
  { "more documentation", "%f[%w]more doc" },
  { "more training", "%f[%w]more training%f[%W]" },
  { "more reviews", "%f[%w]more review" },
  { "more checks", "%f[%w]more checks%f[%W]" },
  { "more visibility", "%f[%w]more visibility%f[%W]" },
  { "more observability", "%f[%w]more observability%f[%W]" },
  { "more robust", "%f[%w]more robust%f[%W]" },
  { "more resilient", "%f[%w]more resilient%f[%W]" },
  { "more reliable", "%f[%w]more reliable%f[%W]" },
  { "more", "%f[%w]more%s+%a+" },
  { "increase coverage", "%f[%w]increase %a*%s*coverage%f[%W]" },
  { "increase visibility", "%f[%w]increase visibility%f[%W]" },
  { "increase visibility", "%f[%w]increase observability%f[%W]" },
}

-- Verbs of exploring: vague in verb position only.
M.EXPLORATIONS = {
  { "look into", "look into" }, { "look into", "looking into" }, { "look into", "look at" },
  { "investigate", "investigate" }, { "investigate", "investigating" },
  { "review", "review" }, { "review", "reviewing" },
  { "revisit", "revisit" }, { "consider", "consider" }, { "explore", "explore" }, { "evaluate", "evaluate" },
  { "assess", "assess" }, { "discuss", "discuss" }, { "research", "research" }, { "analyse", "analyse" },
  { "analyse", "analyze" }, { "reflect", "reflect" }, { "figure out", "figure out" }, { "think about", "think about" },
  { "follow up", "follow up" }, { "follow up", "follow%-up" }, { "work on", "work on" }, { "dig into", "dig into" },
  { "understand", "understand" }, { "sync on", "sync on" }, { "sync on", "sync with" },
  { "talk about", "talk about" }, { "talk about", "talk to" }, { "check on", "check on" },
  { "check whether", "check whether" }, { "check whether", "check if" },
}

-- Each rule's plain text ("be more careful" needs "be more careful", "%f[%w]improv" needs
-- "improv"): a plain search skips the rules whose words are absent. Exploring verbs get their
-- full pattern once, here.
local literal = logtext.leading_literal
for _, rule in ipairs(M.EXPLORATIONS) do rule.pattern = "%f[%w]" .. rule[2] .. "%f[%W]" end
for _, list in ipairs { M.EXHORTATIONS, M.IMPROVEMENTS, M.EXPLORATIONS } do
  for _, rule in ipairs(list) do rule.need = literal(rule[2]) end
end

-- Words after which an exploring verb is the item's verb.
local VERB_LEADS = set_of([[to and should will must we shall please then also or let's can could would need needs
  team owner owners on-call oncall first]])

-- Verbs that build something: an exhortation after one of them, with a concrete object, is only a reason.
local BUILD_VERBS = set_of([[add create implement automate write build enable configure set introduce deploy
  migrate replace remove upgrade alert page block enforce require document schedule run rotate restrict limit move
  split install adopt define publish generate extend instrument wire gate lock pin]])

-- Verbs that commit an exploration to a result ("review and adjust").
local RESULT_VERBS = set_of([[fix adjust add set update change remove increase decrease reduce tune document
  implement resize raise lower patch upgrade migrate replace enforce write publish share report file create
  correct apply disable enable delete rotate rewrite automate alert close deprecate drop]])

-- Objects that name nothing in particular.
local GENERIC = set_of([[process processes procedure procedures practice practices thing things stuff everything
  it this that them issue issues problem problems cause causes accordingly needed necessary as where when
  situation situations item items area areas options option approach approaches way ways root underlying
  whatever necessary]])

-- Capitalised or upper-case words that name no component.
local NOT_COMPONENTS = set_of([[asap tbd todo fyi eta ok nb am pm all any the and not team ai pr prs mr qa sre
  dev devs ops it hr p1 p2 p3 p4 i we our]])

-- Common hyphenated words that are no component names.
local HYPHENATED = set_of([[on-call follow-up re-run post-mortem postmortem up-to-date long-term short-term
  real-time end-to-end e-mail self-service well-known built-in re-evaluate pre-existing in-house sign-off
  double-check fine-tune run-book hand-off handover hand-over check-in set-up roll-out roll-back rollout
  follow-ups best-practice cross-team day-to-day one-off high-level low-level re-review co-ordinate]])

local MONTHS = set_of([[january february march april may june july august september october november december jan
  feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday q1 q2 q3 q4]])

local NOT_AFTER_MORE = set_of([[than of with to and or in on for at by often closely carefully quickly easily
  frequently reliably than about from into like so the a an]])

-- A measure: a number that is not a date, a comparison, a percentile, an identifier.
local function measure(text, lower)
  if lower:find("[<>]=?%s*%d") or lower:find("%d%s*%%") or lower:find("%f[%w]p%d%d") or lower:find("%f[%w]%dxx%f[%W]") then
    return true
  end
  -- `code`, snake_case, a lower-case dotted name (checkout.latency_ms, but not e.g.), a path (/search)
  if text:find("`[^`]+`") or lower:find("%w_%w") then return true end
  for w in text:gmatch("%f[%w][%l_][%w_]*%.[%l_][%w_.]*") do
    if w ~= "e.g." and w ~= "i.e." and w ~= "e.g" and w ~= "i.e" then return true end
  end
  if lower:find("%s/[%w_%-]") or lower:find("^/[%w_%-]") or lower:find("%w/[%w_]+/") then return true end
  for word, num, rest in lower:gmatch("(%a*)%s*%f[%w](%d[%d,%.]*)([%a%%]*)") do
    local dateish = MONTHS[word] or lower:find("%f[%w]" .. escape(num) .. "[%-/]%d")
      or lower:find("%d[%-/]" .. escape(num) .. "%f[%W]") or (#num == 4 and num:find("^20%d%d$") and rest == "")
      or MONTHS[rest]
    if not dateish then return true end
  end
  return false
end

-- A date, a ticket, a URL or a file: the things an exploration can be pinned to.
local function pinned(text, lower)
  if measure(text, lower) then return true end
  if lower:find("%d%d%d%d%-%d%d") or lower:find("%d+/%d+") or lower:find("#%d") or text:find("%u%u+%-%d+")
    or lower:find("https?://") or lower:find("[%w_%-]%.%a%a%a?%a?%f[%W]") then
    return true
  end
  for w in lower:gmatch("%a+") do
    if MONTHS[w] then return true end
  end
  return false
end

-- A named component: an acronym, a CamelCase or capitalised name inside the item, a
-- kebab-case name; or a measure or pin.
local function named(text, lower)
  if pinned(text, lower) then return true end
  local words, capitals = {}, 0
  for w in text:gmatch("[%w%-]+") do
    words[#words + 1] = w
    if w:find("^%u") then capitals = capitals + 1 end
  end
  local title_case = #words >= 3 and capitals / #words >= 0.6
  for i, w in ipairs(words) do
    local l = w:lower()
    if not NOT_COMPONENTS[l] then
      if w:find("^%u%u+s?$") or w:find("%l%u") then return true end
      if i > 1 and not title_case and w:find("^%u%l") then return true end
      if w:find("%a%-%a") and not HYPHENATED[l] then return true end
    end
  end
  return false
end
M.named, M.measure, M.pinned = named, measure, pinned

-- Does the exploring verb at `s` stand in verb position?
local function verb_position(lower, s)
  local before = lower:sub(1, s - 1)
  if not before:find("%w") then return true end
  local w = before:match("([%w'%-]+)[%s:]*$")
  return w ~= nil and VERB_LEADS[w] == true
end

-- Is there a result verb joined with "and" whose object is not generic?
local function committed(lower)
  for verb, rest in lower:gmatch("%f[%w]and%s+(%a+)%s*([^,;]*)") do
    if RESULT_VERBS[verb] or (verb == "write" and rest:find("^up")) then
      for w in rest:gmatch("%a+") do
        if w ~= "the" and w ~= "a" and w ~= "an" and w ~= "our" and w ~= "up" and w ~= "any" and w ~= "all" then
          return not GENERIC[w]
        end
      end
    end
  end
  return false
end

-- Words that start an owner's or a date's annotation written into an item.
local ANNOTATIONS = { "owner", "due", "eta", "deadline", "assignee", "assigned to" }

-- The vague phrase of an action item and a suggestion, or nil when it is specific.
function M.vague(text, extra_phrases)
  if type(text) ~= "string" then return nil end
  local written = text
  -- Who and when are not what: an owner's handle or mail, "(Owner: Rui Costa, due 2025-03-14)",
  -- "- ETA: 15/08" say nothing about the work, so they neither pin nor name it.
  text = text:sub(1, 2000):gsub("[%w._%-]*@[%w._%-]*", " ")
  local lower = text:lower()
  for _, key in ipairs(ANNOTATIONS) do
    local at = lower:find(key, 1, true) and (lower:find("[%(%[%-\226,;|]%s*" .. key .. "%f[%W]") or lower:find("%s" .. key .. "%s*:"))
    if at and at > 1 then text, lower = text:sub(1, at - 1), lower:sub(1, at - 1) end
  end
  -- The vague words count in the item's head, before an explanation ("Implement priority
  -- classes: part of our effort to improve ..."); what makes it specific counts anywhere.
  local cut = #lower
  for _, sep in ipairs { ":%s", "%s[%-\226][%-\128\147\148]*%s", "%.%s", "%(", ";" } do
    local at = lower:find(sep)
    if at and at > 1 and at - 1 < cut then cut = at - 1 end
  end
  local head = lower:sub(1, cut)
  for _, rule in ipairs(M.EXHORTATIONS) do
    if (not rule.need or head:find(rule.need, 1, true)) and head:find(rule[2]) then
      local first = lower:match("^[%s%p]*(%a+)")
      if not (first and BUILD_VERBS[first] and named(text, lower)) then return rule[1], M.SUGGESTIONS.exhortation end
      break
    end
  end
  for _, rule in ipairs(M.IMPROVEMENTS) do
    local s, e
    if not rule.need or head:find(rule.need, 1, true) then s, e = head:find(rule[2]) end
    local phrase = s and head:sub(s, e)
    if phrase and rule[1] == "more" then
      -- "Test on more handsets", "Add more replicas": "more" and a noun among the item's first words,
      -- not "aligns more with", "a more descriptive name", "more than one".
      local _, before = head:sub(1, s - 1):gsub("%a+", "")
      if before > 2 or NOT_AFTER_MORE[phrase:match("(%a+)$")] then s = nil end
    end
    if s then
      if measure(text, lower) then break end
      return rule[1], M.SUGGESTIONS.improvement
    end
  end
  for _, rule in ipairs(M.EXPLORATIONS) do
    local init = (not rule.need or head:find(rule.need, 1, true)) and 1 or #head + 2
    while init <= #head + 1 do
      local s, e = head:find(rule.pattern, init)
      if not s then break end
      if verb_position(head, s) then
        if pinned(text, lower) or committed(lower) then return nil end
        return rule[1], M.SUGGESTIONS.exploration
      end
      init = e + 1
    end
  end
  local whole = written:lower()
  for _, phrase in ipairs(extra_phrases or {}) do
    if type(phrase) == "string" and whole:find("%f[%w]" .. escape(phrase:lower())) then
      return phrase, M.SUGGESTIONS.extra
    end
  end
  return nil
end

return M
