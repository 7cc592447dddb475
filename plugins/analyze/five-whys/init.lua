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

-- Contributing factors are listed in the fishbone's category order (stable within one).
local CATEGORY_ORDER = { "Monitoring", "Testing", "Runbook", "Capacity",
                         "Process", "Dependencies", "Tooling", "Communication" }
local LAYERS = { immediate = true, contributing = true, systemic = true }

-- Answers that stop at a person instead of at what let the person fail (lowercase patterns).
local BLAME = { "made a mistake", "human error", "@%w+ forgot", "forgot to", "careless", "should have" }

local MAX_DEPTH = 20 -- when asking interactively: a safety stop, not a target

local function blames(text)
  local lower = text:lower()
  for _, pattern in ipairs(BLAME) do
    if lower:find(pattern) then return true end
  end
  return false
end

-- Reads the answers file into { {problem, cites, whys = { {answer, layer, category} } } }.
local function read_answers(ctx, path)
  local doc = pm.yaml.decode(ctx.fs.read(path), path)
  if type(doc) ~= "table" or type(doc.chains) ~= "table" then
    error(path .. ": expected a map with `chains`, a list of { problem, cites, whys }", 0)
  end
  local chains = {}
  for n, c in ipairs(doc.chains) do
    local where = ("%s: chain %d"):format(path, n)
    if type(c) ~= "table" or type(c.problem) ~= "string" then
      error(where .. ": `problem` (the question the chain answers) is missing", 0)
    end
    local whys = {}
    for k, w in ipairs(c.whys or {}) do
      if type(w) == "string" then w = { answer = w } end
      if type(w) ~= "table" or type(w.answer) ~= "string" then
        error(("%s, why %d: expected text or { answer, layer, category }"):format(where, k), 0)
      end
      if w.layer ~= nil and not LAYERS[w.layer] then
        error(("%s, why %d: layer %q is not immediate, contributing or systemic"):format(where, k, tostring(w.layer)), 0)
      end
      whys[k] = { answer = w.answer, layer = w.layer, category = w.category }
    end
    local cites = {}
    for i, t in ipairs(c.cites or {}) do cites[i] = tostring(t) end
    chains[n] = { problem = c.problem, cites = cites, whys = whys }
  end
  return chains, doc.root_cause
end

local function row(e)
  return pm.time.format(e.t, "clock") .. " " .. e.event
end

-- Timeline rows to show beside a question: those within 5 minutes of a clock time the
-- text mentions ("10:15" or "10:15:30"), else the first ten.
local function nearby(events, text)
  local h, m = (text or ""):match("(%d%d?):(%d%d)")
  local rows = {}
  for _, e in ipairs(events) do
    if h then
      local secs = e.t % 86400 - (tonumber(h) * 3600 + tonumber(m) * 60)
      if math.abs(secs) <= 300 then rows[#rows + 1] = row(e) end
    elseif #rows < 10 then
      rows[#rows + 1] = row(e)
    end
  end
  return rows
end

-- Asks for chains until the user gives an empty problem.
local function ask_chains(ctx, opts, events)
  local chains = {}
  for n = 1, math.huge do
    local problem = ctx.prompt(("chain%d.problem"):format(n),
      n == 1 and "What went wrong? (the problem to ask why about; empty to skip)"
             or "Another problem to ask why about? (empty to finish)",
      { context = nearby(events), default = "" })
    if problem == nil or problem == "" then break end
    local chain = { problem = problem, cites = {}, whys = {} }
    local last = problem
    for k = 1, MAX_DEPTH do
      local id = ("chain%d.why%d"):format(n, k)
      local answer = ctx.prompt(id, ("Why? %q%s"):format(last,
        k > opts.min_depth and " (empty to end the chain)" or ""), { context = nearby(events, last) })
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

-- The cited rows ("10:05:23", or "10:05" for every row of that minute) as evidence strings.
local function evidence_for(ctx, n, chain, events)
  local found = {}
  for _, cite in ipairs(chain.cites) do
    local hit = false
    for _, e in ipairs(events) do
      local clock = pm.time.format(e.t, "clock")
      if cite == clock or cite == clock:sub(1, 5) then
        found[#found + 1] = row(e)
        hit = true
      end
    end
    if not hit then
      ctx.log.warn(("chain %d cites %s but the timeline has no row at that time"):format(n, cite))
    end
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
  api = 1,
  description = "Five Whys: chains of answers become immediate, contributing and systemic factors",
  options = {
    answers = { type = "string", doc = "YAML file of why chains, relative to the pipeline; without it the questions are asked" },
    min_depth = { type = "integer", default = 5, doc = "warn about a chain with fewer answers than this" },
  },

  run = function(ctx, opts)
    local events = ctx.timeline:events()
    local chains, root_cause
    if opts.answers then
      chains, root_cause = read_answers(ctx, opts.answers)
    else
      chains = ask_chains(ctx, opts, events)
    end

    local seen = {}
    local layers = { immediate = {}, contributing = {}, systemic = {} }
    for n, chain in ipairs(chains) do
      local depth = #chain.whys
      if depth < opts.min_depth then
        ctx.log.warn(("chain %d stops at depth %d (min_depth %d): ask why again"):format(n, depth, opts.min_depth))
      end
      local evidence = evidence_for(ctx, n, chain, events)
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

    for _, text in ipairs(layers.immediate) do ctx.factors:add_immediate(text) end
    for _, f in ipairs(layers.contributing) do
      f.pos = nil
      ctx.factors:add(f)
    end
    for _, text in ipairs(layers.systemic) do ctx.factors:add_systemic(text) end
    if root_cause then ctx.factors:set_root_cause(root_cause) end
  end,
}
