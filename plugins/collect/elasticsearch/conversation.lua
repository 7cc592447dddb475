-- The conversation with the cluster: which server it is, then the pages of the window's
-- hits, by point in time with search_after (Elasticsearch 7.10+, OpenSearch 2.4+) or, where
-- the server has no point in time, by scroll; the search context closed at the end.
--
-- Every answer goes through one pm.store reader: an error status, no answer, a body that
-- is not JSON (truncated), a timed-out search and failed shards are gaps naming the query
-- and the range not read (or read only in part).
local dsl = require "dsl"
local hits = require "hits"

local M = {}

M.KEEP_ALIVE = "1m" -- how long the server keeps the search context between two pages

-- Index names and patterns in a path: letters, digits and `-_.*,:+` as they are (patterns,
-- lists, remote clusters), anything else %-escaped, so that a name never adds a path part
-- or a query.
function M.escape_index(index)
  return (index:gsub("[^%w%-_%.%*,:+]", function(c) return ("%%%02X"):format(c:byte()) end))
end

-- Elasticsearch's error JSON in words: "type: reason (root cause: type: reason)", or nil
-- when the body is not such JSON.
function M.explain(res)
  local ok, doc = pcall(pm.json.decode, res.body or "")
  if not ok or type(doc) ~= "table" then return nil end
  local e = doc.error
  if type(e) == "string" then return e end
  if type(e) ~= "table" then return nil end
  local function said(x)
    if type(x) ~= "table" then return nil end
    local text = tostring(x.type or "error") .. ": " .. tostring(x.reason or "")
    return text:gsub("%s+", " ")
  end
  local text = said(e)
  local root = type(e.root_cause) == "table" and said(e.root_cause[1]) or nil
  if root and root ~= text then text = text .. " (root cause: " .. root .. ")" end
  local cause = said(e.caused_by)
  if cause and cause ~= text and cause ~= root then text = text .. " (caused by: " .. cause .. ")" end
  if #text > 400 then text = text:sub(1, 397) .. "..." end
  return text
end

-- "7.9.3" -> { 7, 9 }
local function version(text)
  local a, b = tostring(text or ""):match("^(%d+)%.(%d+)")
  return { tonumber(a) or 0, tonumber(b) or 0 }
end
local function at_least(v, a, b) return v[1] > a or (v[1] == a and v[2] >= b) end

-- What server this is: { flavor = "elasticsearch" | "opensearch", pit = true/false/nil
-- (nil: unknown, try it), tiebreaker }. With flavor = "auto", GET / tells (its
-- version.distribution is "opensearch" on OpenSearch); nil after a gap when it cannot.
function M.server(ctx, opts, reader, base, headers)
  local flavor, v = opts.flavor, nil
  if flavor == "auto" then
    local res = reader:request("get", base .. "/", { headers = headers }, "GET / (which server)")
    if not res then return nil end
    local ok, doc = pcall(pm.json.decode, res.body or "")
    if not ok or type(doc) ~= "table" or type(doc.version) ~= "table" then
      reader:gap("GET / is not the answer of Elasticsearch or OpenSearch (no version): set flavor =")
      return nil
    end
    flavor = doc.version.distribution == "opensearch" and "opensearch" or "elasticsearch"
    v = version(doc.version.number)
    ctx.log.info(("%s %s at %s"):format(flavor == "opensearch" and "OpenSearch" or "Elasticsearch",
      tostring(doc.version.number), base))
  end
  local s = { flavor = flavor }
  local opensearch = flavor == "opensearch"
  if v then s.pit = at_least(v, opensearch and 2 or 7, opensearch and 4 or 10) end -- else unknown (nil): try it
  s.tiebreaker = (opensearch and not (v and at_least(v, 3, 3))) and "_id" or "_shard_doc"
  if opts.tiebreaker then s.tiebreaker = opts.tiebreaker end
  return s
end

-- The decoded JSON of a 2xx answer, or nil after a gap (a truncated or garbled body).
local function decode(reader, res, note)
  local ok, doc = pcall(pm.json.decode, res.body or "")
  if ok and type(doc) == "table" then return doc end
  reader:gap(("the answer to %s is not JSON%s; truncated?"):format(note,
    ok and "" or (" (" .. tostring(doc):gsub("^pm%.json%.decode: ", "") .. ")")))
  return nil
end

-- Partial answers: timed_out, or _shards.failed > 0. The first time each reason is seen,
-- a gap from where this page started: its hits are kept, but hits from the shards that
-- failed may be missing from there on.
local function partial(reader, doc, state, from, note)
  local reasons = {}
  if doc.timed_out == true then reasons[#reasons + 1] = "the search timed out (partial results)" end
  local shards = type(doc._shards) == "table" and doc._shards or {}
  if type(shards.failed) == "number" and shards.failed > 0 then
    local why, seen = {}, {}
    for _, f in ipairs(type(shards.failures) == "table" and shards.failures or {}) do
      local r = type(f) == "table" and f.reason
      local text = type(r) == "table" and (tostring(r.type) .. ": " .. tostring(r.reason)) or tostring(r or "?")
      if type(f) == "table" and f.index then text = tostring(f.index) .. " shard " .. tostring(f.shard) .. ": " .. text end
      if not seen[text] and #why < 3 then
        seen[text] = true
        why[#why + 1] = text
      end
    end
    reasons[#reasons + 1] = ("%s of %s shards failed (partial results)%s"):format(tostring(shards.failed),
      tostring(shards.total or "?"), #why > 0 and (": " .. table.concat(why, "; ")) or "")
  end
  for _, r in ipairs(reasons) do
    local key = r:gsub("^%d+ of ", "")
    if not state.partial[key] then
      state.partial[key] = true
      reader:gap(("%s (%s); hits may be missing from here on"):format(r, note), from)
    end
  end
end

-- The hits of one page into the timeline. True while the reading may go on.
local function page(ctx, opts, reader, doc, state, label)
  local list = type(doc.hits) == "table" and type(doc.hits.hits) == "table" and doc.hits.hits or {}
  local from = reader.upto
  partial(reader, doc, state, from, label)
  local last_t
  for i, hit in ipairs(list) do
    local e = hits.event(hit, opts, ("%s, hits.hits[%d]"):format(label, i), state.problems, true)
    if e then
      ctx.timeline.add(e)
      last_t = e.time
    end
  end
  state.pages = state.pages + 1
  state.last = list[#list]
  return #list, reader:rows(#list, last_t)
end

-- Closes a search context; a failure is a warning (the hits are read; the server drops
-- the context after keep_alive anyway).
local function close(ctx, url, body, headers, what)
  local res, reason = ctx.http.delete(url, { body = body, headers = headers, gap = false })
  if not res then
    ctx.log.warn(("closing the %s: no answer (%s); the server drops it after %s"):format(what, tostring(reason),
      M.KEEP_ALIVE))
  elseif res.status < 200 or res.status > 299 then
    local said = M.explain(res)
    ctx.log.warn(("closing the %s: HTTP %d%s; the server drops it after %s"):format(what, res.status,
      said and (": " .. said) or "", M.KEEP_ALIVE))
  end
end

-- Point in time + search_after. Returns "unsupported" when the server has no point in
-- time (the open request answered 400, 404 or 405 with no index error), so that the
-- caller falls back to scroll.
function M.pit(ctx, opts, reader, base, headers, server, user, w, state)
  local index = M.escape_index(opts.index)
  local opensearch = server.flavor == "opensearch"
  local open_url = base .. "/" .. index .. (opensearch and "/_search/point_in_time" or "/_pit")
  local res, failed = reader:request("post", open_url, { query = { keep_alive = M.KEEP_ALIVE }, headers = headers,
    accept = server.pit == nil and { [400] = true, [404] = true, [405] = true } or nil }, "opening the point in time")
  if not res then
    if not failed then return end
    local said = M.explain(failed) or ""
    if failed.status ~= 405 and said:find("index_not_found_exception", 1, true) then
      reader:gap(reader:failure(failed, "opening the point in time"))
      return
    end
    ctx.log.info(("%s answered HTTP %d to opening a point in time%s: reading with scroll instead"):format(
      base, failed.status, said ~= "" and (" (" .. said .. ")") or ""))
    return "unsupported"
  end
  local doc = decode(reader, res, "opening the point in time")
  if not doc then return end
  local id = opensearch and doc.pit_id or doc.id
  if type(id) ~= "string" then
    reader:gap(("the answer to opening the point in time has no %s"):format(opensearch and "pit_id" or "id"))
    return
  end

  local after
  while true do
    local n = state.pages + 1
    local label = ("POST %s/_search page %d"):format(base, n)
    local body = dsl.pit_page(opts, w, user, { id = id, keep_alive = M.KEEP_ALIVE }, after, server.tiebreaker)
    res = reader:request("post", base .. "/_search", { body = body, headers = headers }, ("page %d"):format(n))
    if not res then break end
    doc = decode(reader, res, ("page %d"):format(n))
    if not doc then break end
    if type(doc.pit_id) == "string" then id = doc.pit_id end -- the latest id is the one to use
    local count, go_on = page(ctx, opts, reader, doc, state, label)
    if count < opts.size or not go_on then break end
    local last = state.last
    if type(last) ~= "table" or type(last.sort) ~= "table" then
      reader:gap(("page %d: the last hit has no sort values to go on from"):format(n))
      break
    end
    after = last.sort
  end
  if opensearch then
    close(ctx, base .. "/_search/point_in_time", dsl.json { pit_id = { id } }, headers, "point in time")
  else
    close(ctx, base .. "/_pit", dsl.json { id = id }, headers, "point in time")
  end
  return "done"
end

-- Scroll, for servers without a point in time: the first page sorted by time, then
-- /_search/scroll until a page is empty (or the exact total is read).
function M.scroll(ctx, opts, reader, base, headers, user, w, state)
  local index = M.escape_index(opts.index)
  local label = ("POST %s/%s/_search?scroll=%s"):format(base, index, M.KEEP_ALIVE)
  local res = reader:request("post", base .. "/" .. index .. "/_search", { query = { scroll = M.KEEP_ALIVE },
    body = dsl.scroll_first(opts, w, user), headers = headers }, "page 1")
  if not res then return end
  local doc = decode(reader, res, "page 1")
  if not doc then return end
  local id = doc._scroll_id
  local read = 0
  while true do
    local count, go_on = page(ctx, opts, reader, doc, state, label .. " page " .. state.pages + 1)
    read = read + count
    local total = type(doc.hits) == "table" and doc.hits.total
    if type(total) == "table" then total = total.relation == "eq" and total.value or nil end
    if count == 0 or not go_on or (type(total) == "number" and read >= total) then break end
    if type(id) ~= "string" then
      reader:gap(("page %d: the answer has no _scroll_id to go on with"):format(state.pages))
      break
    end
    local n = state.pages + 1
    label = ("POST %s/_search/scroll"):format(base)
    res = reader:request("post", base .. "/_search/scroll", {
      body = dsl.json { scroll = M.KEEP_ALIVE, scroll_id = id }, headers = headers }, ("page %d"):format(n))
    if not res then break end
    doc = decode(reader, res, ("page %d"):format(n))
    if not doc then break end
    if type(doc._scroll_id) == "string" then id = doc._scroll_id end
  end
  if type(id) == "string" then
    close(ctx, base .. "/_search/scroll", dsl.json { scroll_id = { id } }, headers, "scroll")
  end
end

return M
