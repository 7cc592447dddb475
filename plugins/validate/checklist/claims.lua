-- claims: what a post-mortem says about its own timing, checked against its timeline.
--
-- claims.check(data, tl) -> ok, detail, findings
--   data: report.json's shape (ctx.report.get{ timeline = false }), or an imported
--         Markdown document (data.imported: rows, prose, facts; see BRIEF/plugin docs).
--   tl:   optional summary of the timeline ({ n, first, last, row(i) }, checks.lua).
--   ok:   nil when there is nothing to compare (no claim, or no moment to compare it with),
--         true when every claim agrees, false when one disagrees.
--   findings: { { line = n | nil, text = "... says X; the timeline has Y" } }, one per
--         disagreement, each naming both values.
--
-- What is a claim:
--   * the incident's stated window: incident.started_at / ended_at of a report, a
--     document's Duration / Start / End lines ("1h 35min (10:05 - 11:40 UTC)");
--   * durations in prose and facts whose two ends can be named: "within 90 seconds of first
--     errors" (impact start -> detection), "10 minutes from page to fix" (page ->
--     mitigation), "detected after 20 minutes", "resolved in under an hour", "TTD: 5m",
--     "MTTR 45m", "the outage lasted 35 minutes", "a 40-minute outage";
--   * clock times that name a moment: "resolved at 10:40", "the fix was deployed at 10:22".
-- A duration whose ends cannot be named ("the query took 30 seconds", "a 5 minute TTL") is
-- not a claim: precision first. Sentences that state intentions (should, must, will,
-- target, SLO) are not read.
--
-- Evidence: the key moments of a report (impact_start, detected, paged, acknowledged,
-- mitigated, resolved) and, when its rows are at hand, the timeline rows whose text names a
-- moment; for a document, its timeline rows (the first impact row, the first row, rows
-- that say alert fired / paged / acknowledged / mitigated / fix deployed / rolled back /
-- resolved / back to normal, the last row). A claim agrees when it agrees with any of the
-- candidates for its moments (an author may measure "the outage" from the alert, or to the
-- mitigation); a finding names the main candidate.
--
-- Tolerance:
--   * a duration agrees within max(1 min, 10% of the timeline's value); a duration stated
--     in seconds within max(10 s, 10%); a hedged one ("about", "around", "~", "roughly",
--     "nearly", "some", "just over") within max(2 min, 20%);
--   * an upper bound ("within", "under", "less than", "at most") agrees when the timeline's
--     value is at most the bound plus that tolerance; a lower bound ("over", "more than",
--     "at least", "longer than") when it is at least the bound minus it; a range ("10-15
--     minutes") when it lies between its ends, with that tolerance at each;
--   * a clock time agrees within 2 min of the moment (5 min when hedged: "around 10:20");
--     a clock time without a date is read on the day that puts it nearest the moment;
--   * the incident's start and end agree within max(2 min, 10% of the timeline's duration).

local M = {}

local function t(text) return type(text) == "string" and pm.time.parse(text) or nil end

local HOUR, MIN = 3600, 60

-- ---------------------------------------------------------------------------------------
-- Text: sentences with their line offsets.

-- Typographic characters as ASCII: dashes, no-break spaces, the apostrophe, "approximately".
-- Claims are quoted from this text; its lower-case copy has the same byte positions.
local function ascii(s)
  if not s:find("[\194\226]") then return s end -- no typographic character: nothing to replace
  s = s:gsub("\u{2013}", "-"):gsub("\u{2014}", "-"):gsub("\u{2212}", "-")
  s = s:gsub("\u{00a0}", " "):gsub("\u{202f}", " "):gsub("\u{2019}", "'"):gsub("\u{2248}", "~")
  return s
end

local ABBREVIATIONS = { approx = true, ca = true, ["e.g"] = true, ["i.e"] = true, vs = true, est = true }

-- The sentences of a text: { { text, nl } } where nl is the number of line breaks before it.
local function sentences(text)
  local out, from, pos = {}, 1, 1
  local function push(to)
    local piece = text:sub(from, to)
    if piece:find("%S") then
      local _, nl = text:sub(1, from - 1):gsub("\n", "")
      out[#out + 1] = { text = piece, nl = nl }
    end
  end
  while true do
    local s, e = text:find("[%.!?]%s+[%u%d%(\"'*]", pos)
    local p1, p2 = text:find("\n%s*\n", pos)
    if s then
      local word = text:sub(1, s - 1):match("([%a%.]+)$")
      if word and ABBREVIATIONS[word:lower()] then
        pos = e
        goto continue
      end
    end
    if p1 and (not s or p1 < s) then
      push(p1 - 1)
      from, pos = p2 + 1, p2 + 1
    elseif s then
      push(s)
      from, pos = e, e
    else
      push(#text)
      break
    end
    ::continue::
  end
  return out
end

-- ---------------------------------------------------------------------------------------
-- Tokens: words, numbers, clock times, dates, punctuation, with byte positions.

local function tokenize(low)
  local toks, i, n = {}, 1, #low
  local function add(k, s, e, extra)
    extra = extra or {}
    extra.k, extra.s, extra.e = k, s, e
    toks[#toks + 1] = extra
    return extra
  end
  while i <= n do
    local c = low:sub(i, i)
    if c:find("%s") then
      i = i + 1
    else
      local s, e = low:find("^%d%d%d%d%-%d%d%-%d%d", i)
      if not s then s, e = low:find("^%d+/%d+/%d+", i) end
      if s then
        add("date", s, e)
        i = e + 1
        if low:find("^t%d", i) then i = i + 1 end -- 2025-02-09T10:05
      else
        local h, m, sec, e2
        s, e, h, m = low:find("^(%d%d?):(%d%d)", i)
        if s then
          local s3, e3, ss = low:find("^:(%d%d)", e + 1)
          if s3 then sec, e = ss, e3 end
          local _, e4, ap = low:find("^%s?([ap])%.?m%.?%f[%A]", e + 1)
          e2 = e4 or e
          h, m = tonumber(h), tonumber(m)
          if ap then
            if h == 12 then h = 0 end
            if ap == "p" then h = h + 12 end
          end
          if h < 24 and m < 60 then
            add("clock", s, e2, { h = h, m = m, sec = tonumber(sec) or 0, seconds = sec ~= nil })
          else
            add("num", s, e, { v = tonumber(low:sub(s, s + #tostring(h) - 1)) })
          end
          i = e2 + 1
        else
          local ap
          s, e, h, ap = low:find("^(%d%d?)%s?([ap])%.?m%.?%f[%A]", i)
          if s and tonumber(h) >= 1 and tonumber(h) <= 12 then
            h = tonumber(h) % 12 + (ap == "p" and 12 or 0)
            add("clock", s, e, { h = h, m = 0, sec = 0 })
            i = e + 1
          elseif c:find("%d") then
            s, e = low:find("^%d+", i)
            while true do
              local s2, e2b = low:find("^,%d%d%d%f[%D]", e + 1)
              if not s2 then break end
              e = e2b
            end
            local s2, e2b = low:find("^%.%d+", e + 1)
            if s2 then e = e2b end
            local v = tonumber((low:sub(s, e):gsub(",", "")))
            local prev = low:sub(s - 1, s - 1)
            local tok = add("num", s, e, { v = v, money = prev == "$" or prev == "#" or prev == "v" })
            i = e + 1
            -- "5m", "90s", "1h35m": the unit is attached.
            local ws, we = low:find("^%a+", i)
            if ws then
              add("word", ws, we, { v = low:sub(ws, we), attached = true })
              tok.unit_attached = true
              i = we + 1
            end
          elseif c:find("%a") then
            s, e = low:find("^%a[%a']*", i)
            add("word", s, e, { v = low:sub(s, e):gsub("'s$", "") })
            i = e + 1
          else
            add("punct", i, i, { v = c })
            i = i + 1
          end
        end
      end
    end
  end
  return toks
end

-- ---------------------------------------------------------------------------------------
-- Durations as people write them.

local NUMBER_WORDS = {
  one = 1, two = 2, three = 3, four = 4, five = 5, six = 6, seven = 7, eight = 8, nine = 9, ten = 10,
  eleven = 11, twelve = 12, thirteen = 13, fourteen = 14, fifteen = 15, sixteen = 16, seventeen = 17,
  eighteen = 18, nineteen = 19, twenty = 20, thirty = 30, forty = 40, fifty = 50, sixty = 60, ninety = 90,
}

local UNITS = {
  s = 1, sec = 1, secs = 1, second = 1, seconds = 1,
  m = MIN, min = MIN, mins = MIN, minute = MIN, minutes = MIN,
  h = HOUR, hr = HOUR, hrs = HOUR, hour = HOUR, hours = HOUR,
  d = 86400, day = 86400, days = 86400,
}
-- Single letters count only attached to the number ("5m"), and "h" also spaced ("1 h 35 min").
local SPACED_OK = { h = true }

local function unit_at(toks, j)
  local u = toks[j]
  if not u or u.k ~= "word" then return nil end
  local secs = UNITS[u.v]
  if not secs then return nil end
  if #u.v == 1 and not u.attached and not SPACED_OK[u.v] then return nil end
  return secs
end

-- Words after "a second" that keep it a duration ("a second later", "a second or two").
local AFTER_SECOND = {}
for w in ("of after before later or and to for into from in the at than"):gmatch("%a+") do AFTER_SECOND[w] = true end

-- An amount at token j: value, next index, hedged. "90", "1.5", "an", "two", "twenty-five",
-- "half an", "a couple of", "one and a half".
local function amount_at(toks, j)
  local a = toks[j]
  if not a then return nil end
  if a.k == "num" and not a.money then
    local k = j + 1
    if toks[k] and toks[k].v == "-" and not a.unit_attached then k = k + 1 end -- "40-minute"
    if toks[k] and toks[k].v == "and" and toks[k + 1] and toks[k + 1].v == "a" and toks[k + 2] and toks[k + 2].v == "half" then
      return a.v + 0.5, k + 3
    end
    return a.v, k
  end
  if a.k ~= "word" then return nil end
  local w = a.v
  if w == "half" and toks[j + 1] and (toks[j + 1].v == "an" or toks[j + 1].v == "a") then return 0.5, j + 2 end
  if (w == "a" or w == "an") and toks[j + 1] and toks[j + 1].v == "half" then -- "a half hour", "a half-hour outage"
    return 0.5, (toks[j + 2] and toks[j + 2].v == "-") and j + 3 or j + 2
  end
  if (w == "a" or w == "an") and toks[j + 1] and toks[j + 1].v == "couple" then
    local k = j + 2
    if toks[k] and toks[k].v == "of" then k = k + 1 end
    return 2, k, true
  end
  if (w == "a" or w == "an") and toks[j + 1] and toks[j + 1].v == "quarter" then
    local k = j + 2
    if toks[k] and toks[k].v == "of" then k = k + 1 end
    if toks[k] and (toks[k].v == "an" or toks[k].v == "a") then k = k + 1 end
    return 0.25, k
  end
  if w == "a" or w == "an" then
    -- "a second provider", "a second attempt": an ordinal, not one second.
    local unit, after = toks[j + 1], toks[j + 2]
    if unit and unit.v == "second" and after and after.k == "word" and not AFTER_SECOND[after.v] then return nil end
    return 1, j + 1
  end
  local v = NUMBER_WORDS[w]
  if not v then return nil end
  local k = j + 1
  if v >= 20 and toks[k] and toks[k].v == "-" and toks[k + 1] and NUMBER_WORDS[toks[k + 1].v] and NUMBER_WORDS[toks[k + 1].v] < 10 then
    v, k = v + NUMBER_WORDS[toks[k + 1].v], k + 2
  end
  if toks[k] and toks[k].v == "-" then k = k + 1 end -- "forty-minute"
  if toks[k] and toks[k].v == "and" and toks[k + 1] and toks[k + 1].v == "a" and toks[k + 2] and toks[k + 2].v == "half" then
    return v + 0.5, k + 3
  end
  return v, k
end

local UPPER = { within = true, under = true, inside = true, ["less than"] = true, ["fewer than"] = true,
  ["no more than"] = true, ["at most"] = true, ["up to"] = true, ["not more than"] = true, ["no longer than"] = true }
local LOWER = { over = true, ["more than"] = true, ["longer than"] = true, ["at least"] = true, ["in excess of"] = true,
  ["upwards of"] = true, ["no less than"] = true }
local HEDGE = { about = true, around = true, roughly = true, approximately = true, approx = true, some = true,
  nearly = true, almost = true, circa = true, ca = true, ["~"] = true, ["close to"] = true, ["just over"] = true,
  ["just under"] = true, ["a little over"] = true, ["a little under"] = true, ["slightly over"] = true,
  ["slightly under"] = true, ["an estimated"] = true, est = true }

-- The qualifier before token j: "upper" | "lower" | nil, hedged, the index it starts at.
local function qualifier(toks, j)
  local function words(a, b)
    local w = {}
    for k = a, b do
      if not toks[k] or (toks[k].k ~= "word" and toks[k].v ~= "~") then return nil end
      w[#w + 1] = toks[k].v
    end
    return table.concat(w, " ")
  end
  for len = 3, 1, -1 do
    local phrase = j - len >= 1 and words(j - len, j - 1)
    if phrase then
      if HEDGE[phrase] then return nil, true, j - len end
      if UPPER[phrase] then return "upper", false, j - len end
      if LOWER[phrase] then return "lower", false, j - len end
    end
  end
  return nil, false, j
end

-- Every duration in the tokens: { value (s), unit (smallest unit, s), bound, hedged, a, b
-- (token range including the qualifier), ta (first token of the amount) }.
local function durations(toks)
  local out, j = {}, 1
  while j <= #toks do
    local v, k, hedged = amount_at(toks, j)
    local secs = v and unit_at(toks, k)
    if secs then
      local value, unit, last = v * secs, secs, k
      -- "1h 35min", "1 hour and 35 minutes", "2 hours, 10 minutes"
      while true do
        local m = last + 1
        if toks[m] and (toks[m].v == "and" or toks[m].v == ",") then m = m + 1 end
        local v2, k2 = amount_at(toks, m)
        local s2 = v2 and toks[m].k == "num" and unit_at(toks, k2)
        -- "1h35": minutes written straight after the hours, without their unit
        if v2 and not s2 and unit == HOUR and toks[last].attached and toks[m].s == toks[last].e + 1 and v2 < 60 then
          value, unit, last = value + v2 * MIN, MIN, m
          break
        end
        if not (s2 and s2 < unit) then break end
        value, unit, last = value + v2 * s2, s2, k2
      end
      -- "an hour and a half"
      if toks[last + 1] and toks[last + 1].v == "and" and toks[last + 2] and toks[last + 2].v == "a"
        and toks[last + 3] and toks[last + 3].v == "half" then
        value, last = value + secs / 2, last + 3
      end
      local bound, hedge2, a = qualifier(toks, j)
      -- "just over an hour", "in under an hour": a hedge or "in" before the bound
      if a > 1 and toks[a - 1].v == "in" then a = a - 1 end
      if bound then
        local _, h3, a3 = qualifier(toks, a)
        if h3 then hedge2, a = true, a3 end
      end
      -- "an hour or so"
      if toks[last + 1] and toks[last + 1].v == "or" and toks[last + 2] and toks[last + 2].v == "so" then
        hedge2, last = true, last + 2
      end
      -- "10-15 minutes", "between 10 and 15 minutes": a range
      local lo
      local sep, first = toks[j - 1], toks[j - 2]
      if toks[j].k == "num" and sep and (sep.v == "-" or sep.v == "to" or sep.v == "and") and first and first.k == "num"
        and not first.money and first.v < v then
        lo, bound, a = first.v * secs, "range", j - 2
        if toks[a - 1] and toks[a - 1].v == "between" then a = a - 1 end
      end
      -- "the first 20 minutes", "the next hour": part of the incident, not a span of it
      local partial = toks[a - 1] and (toks[a - 1].v == "first" or toks[a - 1].v == "next" or toks[a - 1].v == "last"
        or toks[a - 1].v == "past" or toks[a - 1].v == "initial" or toks[a - 1].v == "following" or toks[a - 1].v == "final")
      out[#out + 1] = { value = value, lo = lo, unit = unit, bound = bound, hedged = hedged or hedge2, a = a, b = last, ta = j,
        partial = partial }
      j = last + 1
    else
      j = j + 1
    end
  end
  return out
end

-- ---------------------------------------------------------------------------------------
-- Moments named in text. Each role has strong wording and weak wording ("the alert" as an
-- object, "fix", "back to normal"); a clause with one strong role is about that role.

local ROLE_PATTERNS = {
  start = {
    strong = { "first errors?", "first %w+ errors?", "first %w+ %w+ errors?", "first failures?", "first %w+ failures?",
      "first 5xxs?", "first 500s?", "errors? began", "errors? started", "errors? start%f[%A]", "errors? appear%a*",
      "errors? spiked", "errors? first", "began failing", "started failing", "began to fail", "started to fail",
      "began returning", "started returning",
      "incident began", "incident started", "incident start%f[%A]", "outage began", "outage started", "outage start%f[%A]",
      "impact began", "impact started", "impact start%f[%A]", "degradation began", "degradation started",
      "disruption began", "disruption started", "downtime began", "downtime started", "problems began",
      "problems started", "issues began", "issues started", "start of the incident", "start of the outage",
      "start of the impact", "start of impact", "onset", "customer impact began", "the start%f[%A]", "it began",
      "it started", "they began", "they started", "the problem began", "the problem started", "the issue began", "the issue started" },
    weak = {},
  },
  detected = {
    strong = { "alerts? fired", "alerts? fires", "alerts? fire%f[%A]", "alerts? triggered", "alerts? went off",
      "alerts? was raised", "alerted", "detected", "detection", "detect%f[%A]", "noticed", "first alert", "%f[%a]fired%f[%A]",
      "alarms? fired", "alarms? triggered", "alarms? went off", "alarms? received" },
    weak = { "alerts?%f[%A]", "alarms?%f[%A]", "reported", "reports%f[%A]", "report of", "observed", "witnessed", "spotted",
      "discovered", "became aware", "informed", "flagged", "investigations? started", "investigations? began",
      "investigations? commenced", "started investigating", "began investigating" },
  },
  paged = {
    strong = { "paged", "paging" },
    weak = { "page%f[%A]", "pages%f[%A]" },
  },
  acknowledged = {
    strong = { "acknowledg%a*", "acked", "ack'?d", "ack%f[%A]" },
    weak = { "responded", "respond%f[%A]", "response" },
  },
  mitigated = {
    strong = { "mitigat%a*", "rolled back", "roll back", "rollback", "rolling back", "revert%a*", "hotfix%a*",
      "workaround", "failed over", "fail over", "failover", "fix was deployed", "fix deployed", "fix went out",
      "fix was rolled out", "fix rolled out", "deployed the fix", "deployed a fix", "shipped a fix", "shipped the fix" },
    weak = { "fix%f[%A]", "fixed" },
  },
  resolved = {
    strong = { "resolved", "resolution", "resolve%f[%A]", "all clear", "all%-clear", "incident closed",
      "closed the incident", "incident was closed", "marked resolved", "incident ended", "outage ended", "impact ended",
      "errors stopped", "errors ceased", "recovered", "recovery", "restored", "restoration", "fully recovered" },
    weak = { "recover%a*", "restor%a*", "back to normal", "returns? to normal", "returned to normal",
      "normal operation", "operational", "back up%f[%A]", "stabili[sz]ed", "subsided", "solved", "working again",
      "working as intended", "working as expected", "working normally", "healthy again", "up and running" },
  },
}
local ROLE_ORDER = { "start", "detected", "paged", "acknowledged", "mitigated", "resolved" }

-- Words that make a "page" something other than paging, and "detected" the finding of a
-- cause rather than of the incident.
local NOT_PAGING = { status = true, web = true, error = true, landing = true, home = true, login = true, wiki = true,
  confluence = true, runbook = true, checkout = true, settings = true, front = true, next = true, this = true,
  tracking = true, product = true, search = true, account = true, results = true, help = true, profile = true,
  payment = true, signup = true, ["sign-in"] = true, admin = true, dashboard = true }

local function negated(low, s)
  local before = low:sub(math.max(1, s - 12), s - 1)
  return before:find("not %a*%s?$") or before:find("n't %a*%s?$") or before:find("never %a*%s?$")
    or before:find("%f[%a]to $") or before:find("%f[%a]to be $") or before:find("without $")
end

-- A prefilter for roles_in: the first letters (up to eight) of the longest word of every
-- role pattern. A text none of whose words starts so names no role, and most rows of a
-- long timeline are such texts: one pass over its words instead of a search per pattern.
local STEMS, UNFILTERED, NEED, FRAMED = {}, false, {}, {}
for _, role in ipairs(ROLE_ORDER) do
  for _, strength in ipairs { "strong", "weak" } do
    for _, p in ipairs(ROLE_PATTERNS[role][strength]) do
      -- Frontiers, classes and sets out; a letter made optional ("alerts?") out with them.
      local plain = p:gsub("%%f%[[^%]]*%]", " "):gsub("%%%a", " "):gsub("%[[^%]]*%]", " "):gsub("%a[%?%*%-]", " ")
      local best = ""
      for w in plain:gmatch("%a+") do
        if #w > #best then best = w end
      end
      if #best >= 3 then STEMS[best:sub(1, 8)] = true else UNFILTERED = true end
      -- The pattern's longest word as plain text: a pattern whose word is absent is not tried.
      NEED[p] = #best >= 3 and best or nil
      FRAMED[p] = "%f[%w]" .. p
    end
  end
end

local function may_name_role(text)
  if UNFILTERED then return true end
  for w in text:gmatch("%a+") do
    for n = 3, math.min(8, #w) do
      if STEMS[w:sub(1, n)] then return true end
    end
  end
  return false
end

-- Roles named in low[a..b]: { { role, s, e, strong } } in text order.
local function roles_in(low, a, b)
  a, b = a or 1, b or #low
  local sub = low:sub(a, b)
  local found = {}
  if not may_name_role(sub) then return found end
  for _, role in ipairs(ROLE_ORDER) do
    for _, strength in ipairs { "strong", "weak" } do
      for _, p in ipairs(ROLE_PATTERNS[role][strength]) do
        local pos = (NEED[p] and not sub:find(NEED[p], 1, true)) and #sub + 1 or 1
        while pos <= #sub do
          local s, e = sub:find(FRAMED[p], pos)
          if not s then break end
          pos = e + 1
          local ok = not negated(sub, s)
          if ok and role == "paged" then
            local prev = sub:sub(1, s - 1):match("(%a+)%s*$")
            ok = not (prev and NOT_PAGING[prev]) and not sub:find("^%s*load", e + 1) and not sub:find("^%s*views?", e + 1)
          end
          if ok and role == "detected" and (strength == "weak" or p == "detected") then
            ok = not sub:find("%f[%a]cause") and not sub:find("%f[%a]culprit") and not sub:find("%f[%a]bug%f[%A]")
          end
          if ok then
            local dup = false
            for _, f in ipairs(found) do
              if f.role == role and f.s <= a + s - 1 and f.e >= a + e - 1 then dup = true end
            end
            if not dup then found[#found + 1] = { role = role, s = a + s - 1, e = a + e - 1, strong = strength == "strong" } end
          end
        end
      end
    end
  end
  table.sort(found, function(x, y) return x.s < y.s end)
  return found
end

-- The one role a piece of text is about: the only strong role, else the only weak one;
-- and whether it was named in strong wording.
local function sole_role(found)
  local strong, weak = {}, {}
  for _, f in ipairs(found) do
    if f.strong then strong[f.role] = true else weak[f.role] = true end
  end
  local function only(set)
    local one
    for r in pairs(set) do
      if one then return nil, true end
      one = r
    end
    return one
  end
  local r, many = only(strong)
  if r or many then return r, r ~= nil end
  return (only(weak)), false
end

-- Words that make a duration or a clock time about the incident as a whole.
local INCIDENT_WORDS = { "incident", "outage", "degradation", "degraded", "disruption", "downtime", "down%f[%A]",
  "impact", "affected", "unavailable", "unavailability", "errors?", "failed", "failures?", "failing", "5xxs?",
  "500s", "broken", "interruption", "elevated", "duration", "lasted", "lasting", "unreachable", "offline",
  "slowdown", "latency", "unable", "could not", "couldn't", "impacted", "inaccessible", "not available" }

local function about_incident(low, a, b)
  local sub = low:sub(a or 1, b or #low)
  for _, w in ipairs(INCIDENT_WORDS) do
    if sub:find("%f[%a]" .. w) then return true end
  end
  return false
end

-- Response metrics by name: the label, the start roles, the end roles.
local INCIDENT_SPAN = { starts = { "start", "detected" }, ends = { "resolved", "mitigated" } }
local METRICS = {
  { "%f[%a]m?ttd%f[%A]", { "start" }, { "detected" } },
  { "time to detect%a*", { "start" }, { "detected" } },
  { "time to detection", { "start" }, { "detected" } },
  { "%f[%a]m?tta%f[%A]", { "detected", "paged" }, { "acknowledged" } },
  { "time to ack%a*", { "detected", "paged" }, { "acknowledged" } },
  { "%f[%a]m?ttm%f[%A]", { "start", "detected" }, { "mitigated" } },
  { "time to mitigat%a*", { "start", "detected" }, { "mitigated" } },
  { "%f[%a]m?ttr%f[%A]", { "start", "detected" }, { "resolved", "mitigated" } },
  { "time to recover%a*", { "start", "detected" }, { "resolved", "mitigated" } },
  { "time to resol%a*", { "start", "detected" }, { "resolved" } },
  { "time to restor%a*", { "start", "detected" }, { "resolved", "mitigated" } },
  { "time to repair", { "start", "detected" }, { "resolved", "mitigated" } },
  { "%f[%a]duration%f[%A]", INCIDENT_SPAN.starts, INCIDENT_SPAN.ends },
  { "%f[%a]downtime%f[%A]", INCIDENT_SPAN.starts, INCIDENT_SPAN.ends },
}

-- The metric named last in low[a..b], or nil.
local function metric_in(low, a, b)
  local sub, best, at = low:sub(a, b), nil, 0
  for _, m in ipairs(METRICS) do
    local pos = 1
    while true do
      local s, e = sub:find(m[1], pos)
      if not s then break end
      if s > at then best, at = m, s end
      pos = e + 1
    end
  end
  return best
end

-- Where a moment's duration is measured from when the text names only its end.
local DEFAULT_STARTS = {
  detected = { "start" },
  paged = { "detected", "start" },
  acknowledged = { "paged", "detected" },
  mitigated = { "start", "detected", "paged", "acknowledged" },
  resolved = { "start", "detected", "paged", "acknowledged" },
}
local END_ALTERNATES = { mitigated = { "mitigated", "resolved" } }
local function ends_for(role) return END_ALTERNATES[role] or { role } end

-- Sentences that state intentions or rules, not what happened.
local INTENT = { "should", "must", "need to", "needs to", "will", "would", "could", "shall", "goals?",
  "slos?", "slas?", "objective", "expected to", "plan to", "going forward", "in future", "in the future",
  "next time", "want to", "ensure", "if", "whenever", "every", "aims?", "targets?" }
-- Durations that are settings or measures of something else.
local NOT_A_SPAN = { "ttl", "timeout", "time%-out", "interval", "retention", "latency", "p9%d", "cache", "per%f[%A]",
  "every", "each", "ago", "sustained", "consecutive", "continuous", "window", "old%f[%A]", "backoff", "delay",
  "cooldown", "grace", "expiry", "expire", "later", "earlier", "before the", "response time", "query", "queries",
  "request took", "took up to", "polic%a+", "escalat%a*", "threshold", "configured", "rule" }

local function has_any(sub, list, whole)
  for _, w in ipairs(list) do
    if sub:find("%f[%w~]" .. w .. (whole and "%f[%W]" or "")) then return true end
  end
  return false
end

-- ---------------------------------------------------------------------------------------
-- Clauses: stretches of a sentence between commas, semicolons, brackets and joining words.

local JOINS = { ["and"] = true, but = true, ["while"] = true, which = true, whereas = true, ["then"] = true, so = true,
  when = true, ["until"] = true, once = true, although = true }

-- Token indices of the clause around token j (not crossing the protected ranges).
local function clause_of(toks, j, protected)
  local function boundary(k)
    local tk = toks[k]
    if protected[k] then return false end
    if tk.k == "punct" and (tk.v == "," or tk.v == ";" or tk.v == "(" or tk.v == ")" or tk.v == "." or tk.v == "[" or tk.v == "]") then
      return true
    end
    return tk.k == "word" and JOINS[tk.v] or false
  end
  local a, b = j, j
  while a > 1 and not boundary(a - 1) do a = a - 1 end
  while b < #toks and not boundary(b + 1) do b = b + 1 end
  return a, b
end

-- "The failover took 90 seconds", "the rollback took 5 minutes": how long an action itself
-- took, not when it happened. "Detection took 2 minutes", "recovery took an hour" are
-- measures from the start (the moment's name ends in -ion, -ery, -ment, or is "response").
local function action_took(low, a, b, lead)
  if not (lead:find("%f[%a]took%f[%A]") or lead:find("%f[%a]takes?%f[%A]") or lead:find("%f[%a]taking%f[%A]")) then
    return false
  end
  local found = roles_in(low, a, b)
  local last = found[#found]
  if not last then return false end
  local word = low:sub(last.s, last.e):match("(%a+)$") or ""
  return not (word:find("ion$") or word:find("ery$") or word:find("ment$") or word == "response")
end

-- ---------------------------------------------------------------------------------------
-- Reading one sentence into claims.

-- A zone label after a clock time: "utc" (offset 0), the document's label, another zone
-- (the claim is not checked), or nothing.
local ZONE_WORDS = { utc = 0, gmt = 0, z = 0 }
local KNOWN_ZONES = { pt = true, pst = true, pdt = true, et = true, est = true, edt = true, ct = true, cst = true, cdt = true,
  mt = true, mst = true, mdt = true, cet = true, cest = true, bst = true, ist = true, jst = true, aest = true, aedt = true,
  eet = true, eest = true, wet = true, west = true, sgt = true, hkt = true, kst = true, msk = true, brt = true, nzst = true,
  nzdt = true, akst = true, akdt = true, hst = true }

-- Labels of one zone that a document may mix: its timeline "PT", a sentence "PDT". The
-- document's offset (read from its rows) applies to all of them.
local ZONE_FAMILY = { pt = "pt", pst = "pt", pdt = "pt", et = "et", est = "et", edt = "et", ct = "ct", cst = "ct",
  cdt = "ct", mt = "mt", mst = "mt", mdt = "mt", cet = "cet", cest = "cet", eet = "eet", eest = "eet", wet = "wet",
  west = "wet", aest = "aet", aedt = "aet", nzst = "nzt", nzdt = "nzt", akst = "akt", akdt = "akt" }

local function zone_after(toks, k, doczone)
  local w = toks[k + 1]
  if not w or w.k ~= "word" then
    if w and w.v == "(" and toks[k + 2] and toks[k + 2].k == "word" then w = toks[k + 2] else return nil end
  end
  if ZONE_WORDS[w.v] then return "utc" end
  local doc = doczone and doczone:lower()
  if doc and (w.v == doc or (ZONE_FAMILY[w.v] and ZONE_FAMILY[w.v] == ZONE_FAMILY[doc])) then return "doc" end
  if KNOWN_ZONES[w.v] then return "other" end
  return nil
end

-- The clock times of a range in a sentence: "10:05 - 11:40", "from 10:05 to 11:40",
-- "between 10:05 and 11:40", "10:05 until 11:40". Returns { i, j } token indices of the
-- two clocks, or nil.
local function ranges(toks)
  local out = {}
  for i, tk in ipairs(toks) do
    if tk.k == "clock" then
      local n = toks[i + 1]
      local k = i + 2
      if n and n.k == "word" and ZONE_WORDS[n.v] and toks[i + 2] and toks[i + 2].v == "-" then n, k = toks[i + 2], i + 3 end
      if n and (n.v == "-" or n.v == "to" or n.v == "until" or n.v == "till" or n.v == "and" or n.v == "through") then
        if toks[k] and toks[k].k == "date" then k = k + 1 end
        if toks[k] and toks[k].k == "clock" then
          local prev = toks[i - 1]
          local opened = n.v == "-" or n.v == "until" or n.v == "till" or n.v == "through"
            or (n.v == "to" and prev and (prev.v == "from" or prev.k == "date"))
            or (n.v == "and" and prev and prev.v == "between")
          if opened then out[#out + 1] = { i, k } end
        end
      end
    end
  end
  return out
end

-- The text of tokens a..b of a sentence, as written.
local function quote(text, toks, a, b)
  return (text:sub(toks[a].s, toks[b].e):gsub("%s+", " "))
end

-- Claims in one sentence. `ctx` = { where, line, zone (document zone label or nil) }.
-- Returns the claims and how many durations could not be mapped.
local function read_sentence(text, ctx)
  local claims, unmapped = {}, 0
  text = text:gsub("%s", " ") -- a sentence wrapped over lines reads as one line (same length)
  local low = text:lower()
  if has_any(low, INTENT, true) then return claims, 0 end
  local toks = tokenize(low)
  if #toks == 0 then return claims, 0 end
  local protected = {}
  -- "between A and B", "1 hour and 35 minutes": their "and" joins no clauses.
  for k, tk in ipairs(toks) do
    if tk.v == "between" then
      for m = k + 1, math.min(#toks, k + 8) do
        if toks[m].v == "and" then protected[m] = true; break end
      end
    end
  end
  local spans = durations(toks)
  for _, d in ipairs(spans) do
    for k = d.a, d.b do protected[k] = true end
  end
  local whole = text:gsub("%s+", " "):gsub("%s$", ""):gsub("^%s", "")
  local shown = #whole <= 160 and whole or nil
  local function said(a, b) return ctx.fact_text or shown or quote(text, toks, a, b) end

  -- Ranges of clock times about the incident: the incident's window, with the duration
  -- stated beside it if there is one.
  local window_spans = {}
  for _, r in ipairs(ranges(toks)) do
    local ca, cb = toks[r[1]], toks[r[2]]
    if about_incident(low) or (ctx.fact_key and ctx.fact_key:find("duration")) then
      local zone = zone_after(toks, r[2], ctx.zone) or zone_after(toks, r[1], ctx.zone)
      if zone ~= "other" then
        local stated
        for _, d in ipairs(spans) do
          if not d.bound then stated = d end
        end
        if stated then window_spans[stated] = true end
        claims[#claims + 1] = { kind = "window", from = ca, to = cb, utc = zone == "utc", duration = stated,
          quote = said(r[1], r[2]), where = ctx.where, line = ctx.line }
      end
    end
  end

  for _, d in ipairs(spans) do
    if window_spans[d] then goto next_span end
    do
      local ca, cb = clause_of(toks, d.ta, protected)
      local sa, sb = toks[ca].s, toks[cb].e
      local claim = { kind = "duration", value = d.value, lo = d.lo, unit = d.unit, bound = d.bound, hedged = d.hedged,
        quote = said(d.a, d.b), where = ctx.where, line = ctx.line }
      local before_b = toks[d.a].s - 1
      local after_a = toks[d.b].e + 1
      local before, after = low:sub(sa, before_b), low:sub(after_a, sb)
      local lead = low:sub(sa, toks[d.ta].s - 1) -- with the qualifier: "for about", "over"
      if d.partial or has_any(low:sub(sa, sb), NOT_A_SPAN) then
        unmapped = unmapped + 1
        goto next_span
      end
      -- A metric named before it: "TTD: 5m", "MTTR was 45 minutes", "Duration: 1h 35min".
      local metric = metric_in(low, sa, before_b) or (ctx.fact_key and metric_in(ctx.fact_key, 1, #ctx.fact_key))
      if metric then
        claim.starts, claim.ends = metric[2], metric[3]
      else
        local from_s, to_s = after:match("^%s*from%s+(.-)%s+to%s+(.+)$")
        if not from_s then from_s, to_s = after:match("^%s*between%s+(.-)%s+and%s+(.+)$") end
        local subject, subject_strong = sole_role(roles_in(low, sa, before_b))
        -- "Within 10 minutes of the alert, the on-call had rolled back": a leading clause
        -- takes its subject from the clause after it.
        local lead_clause = ca == 1 and toks[cb + 1] and toks[cb + 1].v == "," and toks[cb + 2]
        if not subject and lead_clause then
          local na, nb = clause_of(toks, cb + 2, protected)
          subject, subject_strong = sole_role(roles_in(low, toks[na].s, toks[nb].e))
        end
        if from_s then
          local r1, r2 = sole_role(roles_in(from_s)), sole_role(roles_in(to_s))
          if r1 and r2 then claim.starts, claim.ends = { r1 }, ends_for(r2) end
        else
          local rel, rest = after:match("^%s*(%a+)%s+(.+)$")
          if rel == "of" or rel == "after" or rel == "since" or rel == "following" or rel == "from" then
            local r1 = sole_role(roles_in(rest))
            local end_role = subject
            if r1 and end_role and r1 ~= end_role then claim.starts, claim.ends = { r1 }, ends_for(end_role) end
            if r1 and not end_role and about_incident(low, sa, sb) and r1 == "start" then
              claim.starts, claim.ends = { "start" }, INCIDENT_SPAN.ends
            end
          elseif rel == "to" then
            -- "it took 14 minutes to roll back", "took 6 minutes to detect"
            local r2 = sole_role(roles_in(rest))
            if r2 and r2 ~= "start" then claim.starts, claim.ends = DEFAULT_STARTS[r2], ends_for(r2) end
          elseif subject and subject ~= "start" and subject_strong and not action_took(low, sa, before_b, lead) then
            -- "detected after 20 minutes", "resolved in under an hour"; measured from a
            -- moment named earlier in the clause when there is one ("from the page, ...").
            local since = before:match("from%s+(.-)$") or before:match("after%s+(.-)$") or before:match("since%s+(.-)$")
            local r1 = since and sole_role(roles_in(since))
            claim.starts = (r1 and r1 ~= subject) and { r1 } or DEFAULT_STARTS[subject]
            claim.ends = ends_for(subject)
          elseif (about_incident(low, sa, sb) or (lead_clause and about_incident(low)))
              and (lead:find("%f[%a]lasted") or lead:find("%f[%a]lasting")
              or lead:find("%f[%a]for%s*[%a~]*%s*[%a]*%s*$") or lead:find("%f[%a]over%s*$") or lead:find("%f[%a]during%s*$")
              or lead:find("%f[%a]persisted")
              or after:find("^%s*%-?%s*long") or after:find("^%s*%-?%s*outage") or after:find("^%s*%-?%s*incident")
              or after:find("^%s*%-?%s*disruption") or after:find("^%s*%-?%s*degradation")
              or after:find("^%s*of%s+%a*%s*downtime") or after:find("^%s*of%s+%a*%s*impact")
              or after:find("^%s*of%s+%a*%s*errors") or after:find("^%s*of%s+%a*%s*degradation")) then
            if not subject then claim.starts, claim.ends = INCIDENT_SPAN.starts, INCIDENT_SPAN.ends end
          end
        end
      end
      if claim.starts then claims[#claims + 1] = claim else unmapped = unmapped + 1 end
    end
    ::next_span::
  end

  -- Clock times that name a moment: "resolved at 10:40", "at 10:22 the fix was deployed".
  local in_range = {}
  for _, r in ipairs(ranges(toks)) do in_range[r[1]], in_range[r[2]] = true, true end
  for k, tk in ipairs(toks) do
    if tk.k == "clock" and not in_range[k] then
      local ca, cb = clause_of(toks, k, protected)
      local role = sole_role(roles_in(low, toks[ca].s, toks[cb].e))
      -- "At 10:22, the fix was deployed": a clause that is only the time takes the next one's.
      if not role and cb - ca <= 3 and toks[cb + 1] and toks[cb + 1].v == "," and toks[cb + 2] then
        local na, nb = clause_of(toks, cb + 2, protected)
        role = sole_role(roles_in(low, toks[na].s, toks[nb].e))
        if role then cb = nb end
      end
      if role == nil and ctx.fact_role then role = ctx.fact_role end
      local zone = zone_after(toks, k, ctx.zone)
      if role and zone ~= "other" then
        local hedged = false
        for m = math.max(ca, k - 3), k - 1 do
          local w = toks[m].v
          if HEDGE[w] or w == "shortly" or w == "approximately" then hedged = true end
        end
        claims[#claims + 1] = { kind = "time", role = role, clock = tk, utc = zone == "utc", hedged = hedged,
          quote = said(ca, cb), where = ctx.where, line = ctx.line }
      end
    end
  end
  return claims, unmapped
end

-- ---------------------------------------------------------------------------------------
-- Evidence: candidate times for each moment.

local LABEL = { start = "impact start", detected = "detection", paged = "the page", acknowledged = "the acknowledgement",
  mitigated = "mitigation", resolved = "resolution" }
local KEY_MOMENT = { start = "impact_start", detected = "detected", paged = "paged", acknowledged = "acknowledged",
  mitigated = "mitigated", resolved = "resolved" }

-- Rows that show impact has begun (for a document's impact start).
local IMPACT_ROW = { "errors?", "5xxs?", "5%d%d%f[%D]", "404s?%f[%W]", "fail%a*", "outage", "down%f[%A]", "degrad%a*", "unavailable",
  "timeouts?", "timing out", "latency", "incident", "impact", "alerts?", "spike%a*", "elevated", "crash%a*", "broken",
  "unreachable", "reports? of" }

local MAX_CANDIDATES = 40

local function evidence(data, tl)
  local ev = { offset = 0 }
  for _, r in ipairs(ROLE_ORDER) do ev[r] = {} end
  -- Candidates per moment, each time once; at most MAX_CANDIDATES (a 12,000-row timeline
  -- names "error" thousands of times: comparing every pair would be quadratic, and a claim
  -- that agrees with one of thousands of moments says nothing).
  local seen = {}
  local function add(role, at, line, text, primary)
    if not at then return end
    local list = ev[role]
    seen[role] = seen[role] or {}
    if seen[role][at] then return end
    if #list >= MAX_CANDIDATES and not primary then return end
    seen[role][at] = true
    local c = { t = at, line = line, text = text }
    if primary then table.insert(list, 1, c) else list[#list + 1] = c end
  end
  local km = data.key_moments or {}
  for _, role in ipairs(ROLE_ORDER) do add(role, t(km[KEY_MOMENT[role]])) end

  -- The rows: a document's (with lines), a report's data.timeline, or tl's when few.
  local rows = {}
  local imp = data.imported
  if imp and imp.rows then
    for _, r in ipairs(imp.rows) do
      local at = t(r.time)
      if at then rows[#rows + 1] = { t = at, text = r.text or r.event or "", line = r.line, written = r.written } end
    end
  end
  if #rows == 0 and type(data.timeline) == "table" then
    for _, r in ipairs(data.timeline) do
      local at = t(r.time)
      if at then rows[#rows + 1] = { t = at, text = r.event or r.text or "" } end
    end
  end
  if #rows == 0 and tl and tl.n and tl.n > 0 and tl.n <= 5000 and tl.row then
    for i = 1, tl.n do
      local r = tl.row(i)
      local at = r and t(r.time)
      if at then rows[#rows + 1] = { t = at, text = r.event or "" } end
    end
  end
  table.sort(rows, function(a, b) return a.t < b.t end)

  -- A document's zone: the offset between the clock as written and the UTC time read.
  if imp and imp.zone and imp.zone:upper() ~= "UTC" then
    ev.zone = imp.zone
    for _, r in ipairs(rows) do
      local toks = r.written and tokenize(r.written:lower()) or {}
      for _, tk in ipairs(toks) do
        if tk.k == "clock" then
          local written = tk.h * HOUR + tk.m * MIN + tk.sec
          local utc = r.t % 86400
          local off = (written - utc) % 86400
          if off > 43200 then off = off - 86400 end
          ev.offset = off
          goto zoned
        end
      end
    end
    ::zoned::
  end

  local strong, weak = {}, {}
  for _, r in ipairs(ROLE_ORDER) do strong[r], weak[r] = {}, {} end
  local first_impact, before_impact = nil, {}
  for _, r in ipairs(rows) do
    local low = ascii(r.text):lower()
    r.low = low
    for _, f in ipairs(roles_in(low)) do
      local list = f.strong and strong[f.role] or weak[f.role]
      list[#list + 1] = r
    end
    if not first_impact then
      for _, w in ipairs(IMPACT_ROW) do
        if low:find("%f[%w]" .. w) then first_impact = r; break end
      end
      before_impact[#before_impact + 1] = r
    end
  end
  for _, role in ipairs(ROLE_ORDER) do
    for _, r in ipairs(strong[role]) do add(role, r.t, r.line, r.text) end
    for _, r in ipairs(weak[role]) do add(role, r.t, r.line, r.text) end
  end
  if imp and #rows > 0 then
    -- A document's impact starts at its first impact row, or its first row; it ends at its
    -- resolution rows, or its last row.
    if first_impact then add("start", first_impact.t, first_impact.line, first_impact.text, not km.impact_start) end
    -- The impact may have begun with any row before the first that shows it (the change
    -- that caused it): "time to detection" is often measured from there.
    if first_impact then
      for _, r in ipairs(before_impact) do add("start", r.t, r.line, r.text) end
      -- Later rows that show impact before anyone noticed may be where the author counts
      -- from ("errors for 1h 10min" from the first failing writes, not the job that filled
      -- the disk): each is a candidate too.
      local noticed = math.huge
      for _, role in ipairs { "detected", "paged", "acknowledged" } do
        for _, c in ipairs(ev[role]) do noticed = math.min(noticed, c.t) end
      end
      for _, r in ipairs(rows) do
        if r.t > first_impact.t and r.t < noticed and #ev.start < MAX_CANDIDATES then
          for _, w in ipairs(IMPACT_ROW) do
            if r.low:find("%f[%w]" .. w) then add("start", r.t, r.line, r.text); break end
          end
        end
      end
    else
      add("start", rows[1].t, rows[1].line, rows[1].text)
    end
    add("resolved", rows[#rows].t, rows[#rows].line, rows[#rows].text)
  end
  ev.n_rows = #rows
  local lo, hi
  for _, r in ipairs(ROLE_ORDER) do
    for _, c in ipairs(ev[r]) do
      lo, hi = math.min(lo or c.t, c.t), math.max(hi or c.t, c.t)
    end
  end
  ev.multi_day = lo and (lo // 86400 ~= hi // 86400) or false
  ev.any = lo ~= nil
  return ev
end

-- ---------------------------------------------------------------------------------------
-- Comparing.

local function dur(s)
  s = math.floor(s + 0.5)
  return pm.time.duration(s)
end

local function clock_text(ev, at)
  local local_t = at + ev.offset
  local style = (math.floor(local_t) % 60 == 0) and "hm" or "clock"
  local text = pm.time.format(math.floor(local_t), style)
  if ev.multi_day then text = pm.time.format(math.floor(local_t), "date") .. " " .. text end
  if ev.zone then text = text .. " " .. ev.zone end
  return text
end

local function moment_text(ev, role, c)
  local s = ("%s at %s"):format(LABEL[role], clock_text(ev, c.t))
  if c.line then s = s .. (" (line %d)"):format(c.line) end
  return s
end

local function tolerance(claim, truth)
  if claim.hedged then return math.max(2 * MIN, 0.2 * truth) end
  if claim.unit == 1 then return math.max(10, 0.1 * truth) end
  return math.max(MIN, 0.1 * truth)
end

local function agrees(claim, d)
  local tol = tolerance(claim, d)
  if claim.bound == "upper" then return d <= claim.value + tol end
  if claim.bound == "range" then return d >= claim.lo - tol and d <= claim.value + tol end
  if claim.bound == "lower" then return d >= claim.value - tol end
  return math.abs(d - claim.value) <= tol
end

-- The instant a written clock time stands for, on the day that puts it nearest `near`.
local function instant(clock, utc, ev, near)
  local sod = clock.h * HOUR + clock.m * MIN + clock.sec - (utc and 0 or ev.offset)
  local day = (near - sod) / 86400
  return math.floor(day + 0.5) * 86400 + sod
end

local function stated(claim)
  if claim.bound == "range" then return dur(claim.lo) .. " to " .. dur(claim.value) end
  local words = { upper = "at most ", lower = "at least " }
  return (words[claim.bound] or (claim.hedged and "about " or "")) .. dur(claim.value)
end

local function earliest(list)
  local lo = math.huge
  for _, c in ipairs(list) do lo = math.min(lo, c.t) end
  return lo
end

local function check_duration(claim, ev)
  local first
  for _, sr in ipairs(claim.starts) do
    for _, er in ipairs(claim.ends) do
      for _, a in ipairs(ev[sr]) do
        for _, b in ipairs(ev[er]) do
          -- A start no earlier than the end's first candidate is not where this span began.
          if (b.t > a.t or (b.t == a.t and claim.value < MIN)) and sr ~= er and a.t < earliest(ev[er]) then
            local d = b.t - a.t
            if agrees(claim, d) then return true end
            first = first or { sr = sr, er = er, a = a, b = b, d = d }
          end
        end
      end
    end
  end
  if not first then return nil end
  return false, ("%s says %q (%s); the timeline has %s and %s: %s"):format(claim.where, claim.quote, stated(claim),
    moment_text(ev, first.sr, first.a), moment_text(ev, first.er, first.b), dur(first.d))
end

local function check_time(claim, ev)
  local cands = ev[claim.role]
  if #cands == 0 then return nil end
  local tol = claim.hedged and 5 * MIN or 2 * MIN
  for _, c in ipairs(cands) do
    if math.abs(instant(claim.clock, claim.utc, ev, c.t) - c.t) <= tol then return true end
  end
  local c = cands[1]
  local at = instant(claim.clock, claim.utc, ev, c.t)
  return false, ("%s says %q; the timeline has %s (%s %s)"):format(claim.where, claim.quote, moment_text(ev, claim.role, c),
    dur(math.abs(at - c.t)), at < c.t and "later" or "earlier")
end

-- The incident's window: from, to (instants), the stated duration if any.
local function check_window(claim, ev)
  local starts, ends = {}, {}
  for _, r in ipairs(INCIDENT_SPAN.starts) do
    for _, c in ipairs(ev[r]) do starts[#starts + 1] = { role = r, c = c } end
  end
  for _, r in ipairs(INCIDENT_SPAN.ends) do
    for _, c in ipairs(ev[r]) do ends[#ends + 1] = { role = r, c = c } end
  end
  if #starts == 0 or #ends == 0 then return nil end
  local s0, e0 = starts[1], nil
  for _, e in ipairs(ends) do
    if e.c.t >= s0.c.t then e0 = e; break end
  end
  e0 = e0 or ends[1]
  local from = claim.from_t or instant(claim.from, claim.utc, ev, s0.c.t)
  local to = claim.to_t
  if not to then
    to = instant(claim.to, claim.utc, ev, from)
    if to < from then to = to + 86400 end
  end
  local truth = math.max(0, e0.c.t - s0.c.t)
  local tol = math.max(2 * MIN, 0.1 * truth)
  local function near(list, at)
    for _, x in ipairs(list) do
      if math.abs(x.c.t - at) <= tol then return true end
    end
    return false
  end
  local problems = {}
  local start_ok, end_ok = near(starts, from), near(ends, to)
  if not end_ok then
    local where = e0.c.line and ("line %d, "):format(e0.c.line) or ""
    local after = e0.c.t >= s0.c.t and ("%s after the start"):format(dur(truth))
      or ("before the impact start at %s"):format(clock_text(ev, s0.c.t))
    if e0.role == "resolved" then
      problems[#problems + 1] = ("the timeline resolves at %s (%s%s)"):format(clock_text(ev, e0.c.t), where, after)
    else
      problems[#problems + 1] = ("the timeline marks no resolution, and mitigation at %s (%s%s)"):format(clock_text(ev, e0.c.t),
        where, after)
    end
  end
  if not start_ok then
    problems[#problems + 1] = ("the timeline's impact starts at %s"):format(clock_text(ev, s0.c.t)
      .. (s0.c.line and (" (line %d)"):format(s0.c.line) or ""))
  end
  -- A stated duration that the stated times do not add up to.
  local d = claim.duration
  if d and not agrees(d, to - from) then
    problems[#problems + 1] = ("%s to %s is %s, not %s"):format(clock_text(ev, from), clock_text(ev, to), dur(to - from), dur(d.value))
  end
  if #problems == 0 then return true end
  local span = ("%s (%s-%s)"):format(d and dur(d.value) or dur(to - from), clock_text(ev, from), clock_text(ev, to))
  local says = claim.quote and ("%s says %q: the incident lasted %s"):format(claim.where, claim.quote, span)
    or ("%s say it lasted %s"):format(claim.where, span)
  return false, says .. "; " .. table.concat(problems, "; ")
end

-- ---------------------------------------------------------------------------------------
-- Where the claims are.

local SECTION_NAMES = { went_well = "what went well", lessons = "lessons learned", summary = "the summary",
  impact = "the impact", happened = "what happened", root_cause = "the root cause", factors = "the factors",
  immediate = "the immediate cause", systemic = "the systemic issues", actions = "the action items",
  document = "the document" }

-- Fact keys that name one moment ("Start: 10:05 UTC").
local FACT_ROLES = { start = "start", started = "start", begin = "start", began = "start", impact_start = "start",
  ["start time"] = "start", ["impact start"] = "start", ["incident start"] = "start", ["started at"] = "start",
  ["end"] = "resolved", ended = "resolved", ["end time"] = "resolved", resolved = "resolved", ["resolved at"] = "resolved",
  ["incident end"] = "resolved", detected = "detected", ["detected at"] = "detected", detection = "detected",
  mitigated = "mitigated", ["mitigated at"] = "mitigated", paged = "paged", acknowledged = "acknowledged" }

local function collect(data, ev)
  local claims, unmapped = {}, 0
  local function read(text, where, line, extra)
    if type(text) ~= "string" then return end
    for _, s in ipairs(sentences(ascii(text))) do
      local ctx = { where = where, line = line and (line + s.nl) or nil, zone = ev.zone }
      for k, v in pairs(extra or {}) do ctx[k] = v end
      local found, n = read_sentence(s.text, ctx)
      unmapped = unmapped + n
      for _, c in ipairs(found) do claims[#claims + 1] = c end
    end
  end
  local imp = data.imported
  if imp then
    local row_lines, fact_lines = {}, {}
    for _, r in ipairs(imp.rows or {}) do
      if type(r.line) == "number" then row_lines[r.line] = true end
    end
    for _, f in ipairs(imp.facts or {}) do
      if type(f.line) == "number" then fact_lines[f.line] = true end
    end
    for _, f in ipairs(imp.facts or {}) do
      if type(f.text) ~= "string" then goto next_fact end
      local key = tostring(f.key or ""):lower():gsub("_", " ")
      local role = FACT_ROLES[key]
      local where = ("the %s line"):format(key:sub(1, 1):upper() .. key:sub(2))
      read(key .. ": " .. f.text, where, tonumber(f.line), { fact_key = key, fact_role = role, fact_text = f.text })
      ::next_fact::
    end
    for _, p in ipairs(imp.prose or {}) do
      local section = tostring(p.section or "")
      if section ~= "timeline" and section ~= "actions" and not row_lines[p.line] and type(p.text) == "string" then
        -- A paragraph of "Key: value" lines is read as facts above: its other lines stay.
        local text, line = p.text, tonumber(p.line)
        if line and (fact_lines[line] or text:find("\n")) then
          local kept, i = {}, 0
          for piece in (text .. "\n"):gmatch("(.-)\n") do
            kept[#kept + 1] = fact_lines[line + i] and "" or piece
            i = i + 1
          end
          text = table.concat(kept, "\n")
        end
        read(text, SECTION_NAMES[section] or ("the %s section"):format(section), line)
      end
    end
  else
    local inc = data.incident or {}
    local from, to = t(inc.started_at), t(inc.ended_at)
    if from and to then
      claims[#claims + 1] = { kind = "window", from_t = from, to_t = to, where = "the incident's start and end" }
    end
    read(inc.summary, "the summary")
    read(inc.impact_text, "the impact")
    read(inc.root_cause, "the root cause")
    local well = data.what_went_well or inc.what_went_well or {}
    for _, w in ipairs(type(well) == "table" and well or {}) do read(w, "what went well") end
    local lessons = data.lessons_learned or inc.lessons_learned or {}
    for _, w in ipairs(type(lessons) == "table" and lessons or {}) do read(w, "lessons learned") end
  end
  return claims, unmapped
end

-- ---------------------------------------------------------------------------------------

function M.check(data, tl)
  local ev = evidence(data or {}, tl)
  local claims, unmapped = collect(data or {}, ev)
  if not ev.any then
    local n = #claims + unmapped
    return nil, n > 0 and ("no timeline moments to compare %d %s with"):format(n, n == 1 and "claim" or "claims")
      or "no timeline moments to compare claims with", {}
  end
  local findings, checked = {}, 0
  for _, c in ipairs(claims) do
    local ok, text
    if c.kind == "duration" then
      ok, text = check_duration(c, ev)
    elseif c.kind == "time" then
      ok, text = check_time(c, ev)
    else
      ok, text = check_window(c, ev)
    end
    if ok ~= nil then checked = checked + 1 end
    if ok == false then findings[#findings + 1] = { line = c.line, text = text } end
  end
  local unchecked = unmapped + (#claims - checked)
  local tail = unchecked > 0 and ("; %d %s not checked (their endpoints are not named or not in the timeline)")
    :format(unchecked, unchecked == 1 and "duration or time" or "durations or times") or ""
  if checked == 0 then return nil, "no stated times or durations to compare with the timeline" .. tail, findings end
  if #findings == 0 then
    return true, ("%d %s with the timeline"):format(checked, checked == 1 and "claim agrees" or "claims agree") .. tail, findings
  end
  local texts = {}
  for i, f in ipairs(findings) do texts[i] = f.text end
  return false, ("%d of %d claims disagree with the timeline: %s"):format(#findings, checked, table.concat(texts, "; ")) .. tail,
    findings
end

M._evidence = evidence
-- For specs: the sentence reader and the duration parser.
M._durations = function(text)
  local out = {}
  local low = ascii(text):lower()
  local toks = tokenize(low)
  for _, d in ipairs(durations(toks)) do
    out[#out + 1] = { value = d.value, lo = d.lo, bound = d.bound, hedged = d.hedged or false }
  end
  return out
end

return M
