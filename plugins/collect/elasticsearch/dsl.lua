-- The request bodies: the search of the incident window (the time range and the user's
-- query as filters, sorted by time), as deterministic JSON text so that a replay matches.
--
-- The user's query goes into the body as JSON the collector writes itself, never spliced
-- from text it did not check: a Lua table is written by `M.json` (an empty table is the
-- empty object `{}`, as in `match_all = {}`: pm.json.encode would write `[]`, which the
-- query DSL refuses), a text starting with `{` must decode to a JSON object and is then
-- re-written the same way, and any other text is a `query_string` query.
local M = {}

-- `v` as JSON: keys sorted, a table with only 1..n keys an array, an empty table `{}`.
function M.json(v)
  if type(v) ~= "table" then return pm.json.encode(v) end
  if v == pm.json.null then return "null" end
  local n, keys = 0, {}
  for k in pairs(v) do
    n = n + 1
    keys[#keys + 1] = k
  end
  if n > 0 and #v == n then
    local items = {}
    for i = 1, n do items[i] = M.json(v[i]) end
    return "[" .. table.concat(items, ",") .. "]"
  end
  for _, k in ipairs(keys) do
    if type(k) ~= "string" then error(("a query key is a %s (%s), not a name"):format(type(k), tostring(k)), 0) end
  end
  table.sort(keys)
  local items = {}
  for i, k in ipairs(keys) do items[i] = pm.json.encode(k) .. ":" .. M.json(v[k]) end
  return "{" .. table.concat(items, ",") .. "}"
end

-- The user's query as a Lua value for the filter list, or nil and what is wrong with it.
-- nil query: none (every document of the index in the window).
function M.user_query(q)
  if q == nil then return nil end
  if type(q) == "table" then return q end
  local text = tostring(q)
  if text:match("^%s*{") then
    local ok, v = pcall(pm.json.decode, text)
    if not ok then return nil, "query: the text starts with { but is not JSON: " .. tostring(v) end
    if type(v) ~= "table" or v[1] ~= nil then return nil, "query: JSON text must be a query object" end
    return v
  end
  if text:match("^%s*$") then return nil, "query: empty text" end
  return { query_string = { query = text } }
end

-- The query as gaps and logs name it: "logs-* level:ERROR".
function M.shown(opts)
  local q = opts.query
  if type(q) == "table" then q = M.json(q) end
  return opts.index .. (q and (" " .. tostring(q)) or "")
end

-- The sort: the time field, then a tie-breaker (Elasticsearch's `_shard_doc` within a
-- point in time; `_id` on OpenSearch before 3.3, which lacks it; none for a scroll,
-- which needs no search_after).
local function sort(opts, tiebreaker)
  local s = { { [opts.time_field] = { order = "asc" } } }
  if tiebreaker then s[2] = { [tiebreaker] = "asc" } end
  return s
end

-- The query part: the window's range on the time field and the user's query, both filters
-- (no scoring: the order is by time).
local function query(opts, w, user)
  local filter = { { range = { [opts.time_field] = {
    gte = math.floor(w.start * 1000), lt = math.ceil(w.finish * 1000), format = "epoch_millis" } } } }
  if user then filter[2] = user end
  return { bool = { filter = filter } }
end

-- The fields read from _source: the time, the message and `fields`, each once, in order.
local function source(opts)
  local list, seen = {}, {}
  for _, f in ipairs { opts.time_field, opts.message_field, table.unpack(opts.fields or {}) } do
    if not seen[f] then
      seen[f] = true
      list[#list + 1] = f
    end
  end
  return list
end

-- A page of a point-in-time search (POST /_search: the index comes with the PIT).
--   pit = { id, keep_alive }, after = the last hit's sort values (nil: the first page)
function M.pit_page(opts, w, user, pit, after, tiebreaker)
  return M.json {
    pit = { id = pit.id, keep_alive = pit.keep_alive },
    size = opts.size,
    sort = sort(opts, tiebreaker),
    search_after = after,
    query = query(opts, w, user),
    _source = source(opts),
    track_total_hits = false, -- counting every match costs the cluster and tells us nothing
  }
end

-- The first request of a scroll (POST /INDEX/_search?scroll=1m).
function M.scroll_first(opts, w, user)
  return M.json {
    size = opts.size,
    sort = sort(opts, nil),
    query = query(opts, w, user),
    _source = source(opts),
  }
end

return M
