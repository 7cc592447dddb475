-- five-whys: turn chains of "why?" answers into the seed's three layers of causes.
--
-- A chain starts from a problem and asks "why?" until it reaches something systemic.
-- By position, the first answer of a chain is the immediate cause, the last one is
-- systemic and the answers between are contributing factors; an answer may say
-- otherwise with `layer`. A factor reached by two chains is listed once, with the
-- chain where it first appeared.
--
-- The answers come from a YAML file (see examples/api-outage/whys.yaml) or, without
-- one, from questions asked with ctx.prompt (ids chain1.problem, chain1.why1, ...).
--
-- A chain's `cites` name the timeline rows it rests on; they become the evidence of its
-- contributing factors. A cite is (quote it in YAML):
--   a full date-time, UTC unless it says otherwise: "2025-02-10 12:58:40",
--     "2025-02-10T12:58:40Z", RFC 3339 with an offset ("2025-02-10T13:58:40+01:00"), with
--     or without seconds: a minute ("2025-02-10 12:58") cites every row of that minute;
--   or a clock time, "10:05:23" or "10:05" (every row of that minute), when that is
--     unambiguous: a clock time whose rows lie on more than one UTC day (an incident past
--     midnight) cites none of them, with a warning naming the chain, the cite and the days
--     it could mean, asking for a full date-time.
-- A cite that matches no row is warned about too. Evidence rows and the rows shown beside
-- a question carry their date when the incident or the timeline spans more than one UTC
-- day (pm.postmortem's rule).

local LAYERS = { immediate = true, contributing = true, systemic = true }

local blame = require "pm.blame"
local pmx = require "pm.postmortem"
local logtext = require "pm.logtext"

-- Contributing factors are listed in the fishbone's category order (stable within one).
local CATEGORY_ORDER = pmx.CATEGORIES

local MAX_DEPTH = 20 -- when asking interactively: a safety stop, not a target

-- An answer that stops at a person instead of at what let the person fail: pm.blame's rules,
-- the same the blameless check applies to the report ("An engineer made a mistake").
local function blames(text)
  return blame.judge(text) ~= nil
end

-- The keys of each level of an answers file (docs/formats.md, "Whys file").
local KEYS = {
  file = { chains = true, root_cause = true },
  chain = { problem = true, cites = true, whys = true },
  why = { answer = true, layer = true, category = true },
}

-- Reads the text of an answers file into { {problem, cites, whys = { {answer, layer,
-- category} } } } and the root cause, with every problem of it (a list of messages).
local function parse_answers(text, path)
  local ok, doc = pcall(pm.yaml.decode, text, path)
  if not ok then return {}, nil, { tostring(doc) } end
  local problems = {}
  local function problem(fmt, ...) problems[#problems + 1] = (fmt):format(...) end
  if type(doc) ~= "table" or type(doc.chains) ~= "table" then
    problem("%s: expected a map with `chains`, a list of { problem, cites, whys }", path)
    return {}, nil, problems
  end
  local extra = logtext.unknown_keys(doc, KEYS.file)
  if #extra > 0 then problem("%s: unknown key %s (known: chains, root_cause)", path, table.concat(extra, ", ")) end
  if doc.root_cause ~= nil and type(doc.root_cause) ~= "string" then problem("%s: root_cause must be text", path) end
  local chains = {}
  -- `whys.yaml:4: chain 1`: the chain's line when each chain starts a line of its own.
  local lines = logtext.item_lines(text)
  for n, c in ipairs(doc.chains) do
    local where = lines[n] and ("%s:%d: chain %d"):format(path, lines[n], n) or ("%s: chain %d"):format(path, n)
    if type(c) ~= "table" or type(c.problem) ~= "string" then
      problem("%s: `problem` (the question the chain answers) is missing", where)
      c = type(c) == "table" and c or {}
    end
    extra = logtext.unknown_keys(c, KEYS.chain)
    if #extra > 0 then problem("%s: unknown key %s (known: problem, cites, whys)", where, table.concat(extra, ", ")) end
    local whys = {}
    for k, w in ipairs(type(c.whys) == "table" and c.whys or {}) do
      if type(w) == "string" then w = { answer = w } end
      if type(w) == "table" then
        extra = logtext.unknown_keys(w, KEYS.why)
        if #extra > 0 then
          problem("%s, why %d: unknown key %s (known: answer, layer, category)", where, k, table.concat(extra, ", "))
        end
      end
      if type(w) ~= "table" or type(w.answer) ~= "string" then
        problem("%s, why %d: expected text or { answer, layer, category }", where, k)
      else
        if w.layer ~= nil and not LAYERS[w.layer] then
          problem("%s, why %d: layer %q is not immediate, contributing or systemic", where, k, tostring(w.layer))
        end
        whys[#whys + 1] = { answer = w.answer, layer = w.layer, category = w.category }
      end
    end
    local cites = {}
    for i, t in ipairs(type(c.cites) == "table" and c.cites or {}) do cites[i] = tostring(t) end
    chains[n] = { problem = c.problem, cites = cites, whys = whys }
  end
  return chains, doc.root_cause, problems
end

-- The answers file's chains and root cause; an error naming every problem of it.
local function read_answers(ctx, path)
  local chains, root_cause, problems = parse_answers(ctx.fs.read(path), path)
  if #problems > 0 then error(table.concat(problems, "\n"), 0) end
  return chains, root_cause
end

-- The timeline as two flat columns (times and texts), read in one lazy pass: never a
-- table per row. rows.line(i) is "10:05:23 First 5xx errors appear", dated by
-- pm.postmortem's rule.
local function read_rows(ctx)
  local ts, texts = {}, {}
  for i, t, event in ctx.timeline.each("t", "event") do ts[i], texts[i] = t, event end
  local clock = pmx.clock_for(ctx.incident, ts[1], ts[#ts])
  return { t = ts, event = texts, clock = clock,
    line = function(i) return clock(ts[i]) .. " " .. texts[i] end }
end

local MAX_CONTEXT = 20 -- rows shown beside a question

-- Timeline rows to show beside a question: those within 5 minutes of a time the text
-- mentions (a date-time "2025-02-10 10:15", else a clock time "10:15" or "10:15:30", on
-- any day), else the first ten; at most MAX_CONTEXT, then how many more there are.
local function nearby(rows, text)
  text = text or ""
  local at = text:match("%d%d%d%d%-%d%d%-%d%d[Tt ]%d%d:%d%d")
  at = at and pm.time.parse(at:sub(1, 10) .. "T" .. at:sub(12) .. ":00Z")
  local h, m = text:match("(%d%d?):(%d%d)")
  local out, more = {}, 0
  for i, t in ipairs(rows.t) do
    if not (at or h) and i > 10 then break end
    local near
    if at then near = math.abs(t - at) <= 300
    elseif h then near = math.abs(t % 86400 - (tonumber(h) * 3600 + tonumber(m) * 60)) <= 300
    else near = i <= 10 end
    if near then
      if #out < MAX_CONTEXT then out[#out + 1] = rows.line(i) else more = more + 1 end
    end
  end
  if more > 0 then out[#out + 1] = ("(%d more rows)"):format(more) end
  return out
end

-- Asks for chains until the user gives an empty problem.
local function ask_chains(ctx, opts, rows)
  local chains = {}
  for n = 1, math.huge do
    local problem = ctx.prompt(("chain%d.problem"):format(n),
      n == 1 and "What went wrong? (the problem to ask why about; empty to skip)"
             or "Another problem to ask why about? (empty to finish)",
      { context = nearby(rows), default = "" })
    if problem == nil or problem == "" then break end
    local chain = { problem = problem, cites = {}, whys = {} }
    local last = problem
    for k = 1, MAX_DEPTH do
      local id = ("chain%d.why%d"):format(n, k)
      local answer = ctx.prompt(id, ("Why? %q%s"):format(last,
        k > opts.min_depth and " (empty to end the chain)" or ""), { context = nearby(rows, last) })
      -- "An engineer made a mistake" is where a blameless analysis starts digging, not where it stops.
      if answer and blames(answer) then
        answer = ctx.prompt(id .. ".followup", "What allowed that to happen?", { context = { answer } })
        if answer and blames(answer) then ctx.log.warn(id .. ": the answer still blames a person: " .. answer) end
      end
      if answer == nil or answer == "" then break end
      chain.whys[k] = { answer = answer }
      last = answer
    end
    chains[n] = chain
  end
  if #chains > 0 then
    ctx.log.info("to reuse these answers, save them as whys.yaml and set answers = \"whys.yaml\":\n"
      .. pm.yaml.encode({ chains = chains }))
  end
  return chains
end

-- A cite as a time range: "abs", from, to (Unix seconds, to excluded) for a date-time;
-- "clock", from, to (seconds of the UTC day) for a clock time; nil when it is neither.
local function parse_cite(cite)
  local y, mo, d, h, mi, rest = cite:match("^%s*(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt ](%d%d):(%d%d)(.-)%s*$")
  if y then
    local sec, frac, zone = rest:match("^:(%d%d)(%.?%d*)(.*)$")
    if frac and frac ~= "" and not frac:match("^%.%d+$") then return nil end
    zone = sec and zone or rest
    if zone == "" or zone == "Z" or zone == "z" or zone == " UTC" then zone = "Z"
    else
      local sign, zh, zm = zone:match("^([+-])(%d%d):?(%d%d)$")
      if not sign then return nil end
      zone = sign .. zh .. ":" .. zm
    end
    local ok, from = pcall(pm.time.parse, ("%s-%s-%sT%s:%s:%s%s"):format(y, mo, d, h, mi, sec or "00", zone))
    if not ok or not from then return nil end
    return "abs", from, from + (sec and 1 or 60)
  end
  h, mi, rest = cite:match("^%s*(%d%d?):(%d%d)(.-)%s*$")
  if not h or tonumber(h) > 23 or tonumber(mi) > 59 then return nil end
  local sec = rest:match("^:(%d%d)$")
  if rest ~= "" and not (sec and tonumber(sec) < 60) then return nil end
  local from = tonumber(h) * 3600 + tonumber(mi) * 60 + (tonumber(sec) or 0)
  return "clock", from, from + (sec and 1 or 60)
end

-- The first row at or after time s (binary search: rows are sorted by time).
local function first_at(ts, s)
  local lo, hi = 1, #ts + 1
  while lo < hi do
    local mid = (lo + hi) // 2
    if ts[mid] < s then lo = mid + 1 else hi = mid end
  end
  return lo
end

-- The cited rows as evidence strings. A cite that matches no row, that is neither a
-- date-time nor a clock time, or that is a clock time of rows on several UTC days, is
-- warned about and cites nothing.
local function evidence_for(ctx, n, chain, rows)
  local found, ts = {}, rows.t
  for _, cite in ipairs(chain.cites) do
    local kind, from, to = parse_cite(cite)
    local hits = {}
    if kind == "abs" then
      for i = first_at(ts, from), #ts do
        if ts[i] >= to then break end
        hits[#hits + 1] = i
      end
    elseif kind == "clock" then
      local days, order = {}, {}
      for i, t in ipairs(ts) do
        local s = t % 86400
        if s >= from and s < to then
          hits[#hits + 1] = i
          local day = t // 86400
          if not days[day] then
            days[day] = true
            order[#order + 1] = pm.time.format(day * 86400, "date")
          end
        end
      end
      if #order > 1 then
        ctx.log.warn(("chain %d cites %s, a clock time of rows on %d UTC days (%s): cite a full date-time "
          .. "such as \"%s %s\"; none of its rows is cited"):format(n, cite, #order, table.concat(order, ", "),
          order[1], cite))
        hits = {}
        kind = "ambiguous"
      end
    end
    if not kind then
      ctx.log.warn(("chain %d cites %q, which is neither a date-time (\"2025-02-10 12:58:40\", RFC 3339) nor a "
        .. "clock time (\"10:05:23\", \"10:05\")"):format(n, cite))
    elseif kind ~= "ambiguous" and #hits == 0 then
      ctx.log.warn(("chain %d cites %s but the timeline has no row at that time"):format(n, cite))
    end
    for _, i in ipairs(hits) do found[#found + 1] = rows.line(i) end
  end
  return found
end

local function default_layer(k, depth)
  if k == 1 then return "immediate" end
  if k == depth then return "systemic" end
  return "contributing"
end

local function rank(category)
  for i, c in ipairs(CATEGORY_ORDER) do
    if c == category then return i end
  end
  return #CATEGORY_ORDER + 1 -- unknown or missing: after the known ones (fishbone sorts again)
end

return {
  name = "five-whys",
  stage = "analyze",
  version = "0.1.0",
  api = 2,
  description = "Five Whys: chains of answers become immediate, contributing and systemic factors",
  options = {
    answers = { type = "file", doc = "YAML file of why chains, relative to the pipeline; without it the questions are asked" },
    min_depth = { type = "integer", default = 5, min = 1, doc = "warn about a chain with fewer answers than this" },
  },

  -- `pmhost check` gives ctx.fs: the answers file is read and every problem of it named.
  check = function(opts, ctx)
    if opts.answers and ctx.fs then
      local _, _, problems = parse_answers(ctx.fs.read(opts.answers), opts.answers)
      return problems
    end
  end,

  run = function(ctx, opts)
    local rows = read_rows(ctx)
    local chains, root_cause
    if opts.answers then
      chains, root_cause = read_answers(ctx, opts.answers)
    else
      chains = ask_chains(ctx, opts, rows)
    end

    local seen = {}
    local layers = { immediate = {}, contributing = {}, systemic = {} }
    for n, chain in ipairs(chains) do
      local depth = #chain.whys
      if depth < opts.min_depth then
        ctx.log.warn(("chain %d stops at depth %d (min_depth %d): ask why again"):format(n, depth, opts.min_depth))
      end
      local evidence = evidence_for(ctx, n, chain, rows)
      local why_chain = { chain.problem }
      for k, w in ipairs(chain.whys) do
        why_chain[#why_chain + 1] = w.answer
        if not seen[w.answer] then
          seen[w.answer] = true
          local layer = w.layer or default_layer(k, depth)
          if layer == "contributing" then
            table.insert(layers.contributing, {
              text = w.answer, category = w.category,
              why_chain = pm.json.array(table.move(why_chain, 1, #why_chain, 1, {})),
              evidence = pm.json.array(evidence),
            })
          else
            table.insert(layers[layer], w.answer)
          end
        end
      end
    end

    -- table.sort is not stable: break ties by the order of first appearance.
    for i, f in ipairs(layers.contributing) do f.pos = i end
    table.sort(layers.contributing, function(a, b)
      local ra, rb = rank(a.category), rank(b.category)
      if ra ~= rb then return ra < rb end
      return a.pos < b.pos
    end)

    for _, text in ipairs(layers.immediate) do ctx.factors.add_immediate(text) end
    for _, f in ipairs(layers.contributing) do
      f.pos = nil
      ctx.factors.add(f)
    end
    for _, text in ipairs(layers.systemic) do ctx.factors.add_systemic(text) end
    if root_cause then ctx.report.set { root_cause = root_cause } end
  end,
}
