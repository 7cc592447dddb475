-- fishbone: sort contributing factors into the bones of an Ishikawa diagram.
--
-- Runs after five-whys. A contributing factor without a category gets the first
-- category (in `categories` order) whose keywords occur in its text, else "Process".
-- The factors are then listed in category order (stable within one category) and each
-- carries the category's label ("Monitoring Gap"), which the report shows.

-- The categories and their labels: pm.postmortem's, which the reports and five-whys share.
local pmx = require "pm.postmortem"
local CATEGORIES, LABELS = pmx.CATEGORIES, pmx.LABELS

-- Lowercase words or word starts, found anywhere in the factor's text ("scal" finds "scaling").
local KEYWORDS = {
  Monitoring = { "monitor", "metric", "alert", "dashboard", "observab", "visibility", "logging" },
  Testing = { "test", "staging", "canary", "coverage" },
  Runbook = { "runbook", "procedure", "playbook", "documented", "documentation" },
  Capacity = { "capacity", "pool size", "traffic", "scal", "quota", "headroom" },
  Process = { "review", "process", "approval", "sign-off", "checklist" },
  Dependencies = { "dependenc", "upstream", "vendor", "third-party", "library", "provider" },
  Tooling = { "tool", "script", "ci/cd", "automation", "rollback" },
  Communication = { "communicat", "status page", "escalat", "handoff", "hand-off", "notif" },
}

local FALLBACK = "Process"

-- The user's table completes the defaults instead of replacing all of them.
local function merged(defaults, given)
  local t = {}
  for k, v in pairs(defaults) do t[k] = v end
  for k, v in pairs(given or {}) do t[k] = v end
  return t
end

local function categorize(text, categories, keywords)
  local lower = text:lower()
  for _, category in ipairs(categories) do
    for _, word in ipairs(keywords[category] or {}) do
      if lower:find(word:lower(), 1, true) then return category end
    end
  end
  return FALLBACK
end

return {
  name = "fishbone",
  stage = "analyze",
  version = "0.1.0",
  api = 2,
  description = "Fishbone: give contributing factors a category and list them in category order",
  options = {
    categories = { type = "list", of = "string", default = CATEGORIES, doc = "categories in the order the report lists them" },
    labels = { type = "map", of = "string", default = LABELS, doc = "category -> label shown in the report (adds to or overrides the defaults)" },
    keywords = { type = "map", of = { type = "list", of = "string" },
      default = KEYWORDS, doc = "category -> list of lowercase words that put a factor in it (adds to or overrides the defaults)" },
  },

  run = function(ctx, opts)
    local labels = merged(LABELS, opts.labels)
    local keywords = merged(KEYWORDS, opts.keywords)
    local rank = {}
    for i, category in ipairs(opts.categories) do rank[category] = rank[category] or i end

    local factors = ctx.factors.get()
    local contributing = factors.contributing or {}
    for i, f in ipairs(contributing) do
      if f.category == nil or f.category == "" then
        f.category = categorize(f.text, opts.categories, keywords)
        ctx.log.info(("%q -> %s"):format(f.text, f.category))
      end
      f.label = labels[f.category] or f.category
      f.pos = i
    end

    -- Categories not in the list go last. table.sort is not stable: ties keep their order.
    local last = #opts.categories + 1
    table.sort(contributing, function(a, b)
      local ra, rb = rank[a.category] or last, rank[b.category] or last
      if ra ~= rb then return ra < rb end
      return a.pos < b.pos
    end)
    for _, f in ipairs(contributing) do f.pos = nil end

    factors.contributing = contributing
    ctx.factors.set(factors)
  end,
}
