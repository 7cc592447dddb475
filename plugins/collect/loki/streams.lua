-- A log query: its entries read page by page forward in time, each one an event.
--
-- Paging: Loki answers at most `limit` entries per request, the earliest first
-- (direction=forward), from `start` (inclusive) to `end` (exclusive). The next request
-- starts at the last entry's nanosecond, so that entries sharing it are not lost, and the
-- entries at that nanosecond already read are skipped (Loki keeps one entry per stream,
-- time and line, so the tuple names an entry). When a whole page shares one nanosecond the
-- reading cannot get past it by time: the entries beyond the page at that nanosecond are
-- a gap, and the reading goes on from the next nanosecond (never the same request twice).
local logql = require "logql"
local logtext = require "pm.logtext"
local jsoninput = require "pm.jsoninput"

local M = {}

-- The labels as one stable text, for the identity of an entry.
local function labels_key(labels)
  local keys = {}
  for k in pairs(labels) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = k .. "\0" .. tostring(labels[k]) end
  return table.concat(parts, "\1")
end

-- Scalar values of a map of labels (or of structured metadata) as event fields, each
-- value's text made one line of valid UTF-8.
local function add_fields(fields, map)
  if type(map) ~= "table" then return end
  for k, v in pairs(map) do
    if type(k) == "string" and fields[k] == nil and (type(v) == "string" or type(v) == "number"
        or type(v) == "boolean") then
      fields[k] = type(v) == "string" and (logtext.event_text(v)) or v
    end
  end
end

-- The third item of an entry: structured metadata. Loki 3 writes
-- {"structured_metadata": {...}, "parsed": {...}} when asked to categorize labels, and a
-- plain map otherwise.
local function metadata_fields(fields, extra)
  if type(extra) ~= "table" then return end
  if type(extra.structured_metadata) == "table" or type(extra.parsed) == "table" then
    add_fields(fields, extra.structured_metadata)
    add_fields(fields, extra.parsed)
  else
    add_fields(fields, extra)
  end
end

-- The entries of one page's streams, merged by time (ties in the order of the answer:
-- stream, then entry): { ns, line, stream (the labels), key, where, extra }.
-- Unreadable entries go to `problems` and are left out.
function M.entries(result, origin, problems)
  local out = {}
  for i, s in ipairs(result) do
    local where = ("%s: data.result[%d]"):format(origin, i)
    local labels = type(s) == "table" and type(s.stream) == "table" and s.stream or nil
    local values = type(s) == "table" and s.values
    if not labels or type(values) ~= "table" then
      problems:add("bad stream", where, "is not a stream (expected stream and values); skipped")
    else
      local key = labels_key(labels)
      for j, v in ipairs(values) do
        local at = ("%s.values[%d]"):format(where, j)
        local ns = type(v) == "table" and logql.parse_ns(v[1])
        if not ns then
          problems:add("bad time", at, "has no timestamp in Unix nanoseconds (a string of digits); entry skipped")
        elseif type(v[2]) ~= "string" then
          problems:add("bad line", at, "has no log line (a string); entry skipped")
        elseif not pm.time.check(logql.seconds(ns)) then
          problems:add("bad time", at, "is outside the years 0001 to 9999; entry skipped")
        else
          out[#out + 1] = { ns = ns, text = v[1], line = v[2], stream = labels, extra = v[3], where = at,
            key = key .. "\2" .. v[1] .. "\2" .. v[2], order = #out }
        end
      end
    end
  end
  table.sort(out, function(a, b)
    if a.ns ~= b.ns then return a.ns < b.ns end
    return a.order < b.order
  end)
  return out
end

-- One entry as a timeline event, shaped as log-pattern shapes a line's.
function M.event(ctx, opts, e, problems)
  local event, bad = logtext.event_text(e.line)
  if bad then problems:add("utf8", e.where, "the line has bytes that are not UTF-8; shown as U+FFFD") end
  local fields = {}
  add_fields(fields, e.stream)
  metadata_fields(fields, e.extra)
  ctx.timeline.add {
    time = logql.seconds(e.ns), time_text = e.text,
    event = event ~= "" and event or "(empty log line)", kind = opts.kind,
    group = event ~= "" and event or "(empty log line)",
    evidence = e.where, fields = fields,
  }
end

-- The data of a Loki answer, or nil and why: Loki's own error, a body that is not JSON (a
-- page cut short), or an answer that is not a query_range one.
function M.data(body, origin, problems)
  local doc, reason = jsoninput.decode(body or "", origin, problems)
  if not doc then return nil, reason end
  if type(doc) ~= "table" or doc[1] ~= nil then
    return nil, origin .. " is not a Loki API answer (expected an object with status and data)"
  end
  if doc.status ~= "success" then
    return nil, ("Loki answered status %s: %s"):format(tostring(doc.status), tostring(doc.error or doc.message))
  end
  local data = doc.data
  if type(data) ~= "table" or type(data.result) ~= "table" then
    return nil, origin .. " has no data.result: is it a query_range answer?"
  end
  return data
end

-- Reads the log query over the window, page by page. `req` = { url, query, headers,
-- window (seconds), limit }; `reader` is the query's pm.store reader.
function M.read(ctx, opts, req, reader, problems)
  local start_ns, end_ns = logql.ns(req.window.start), logql.ns(req.window.finish)
  local cur, seen, page, events = start_ns, {}, 0, 0
  while cur < end_ns do
    page = page + 1
    local note = ("page %d, from %s"):format(page, logql.rfc3339(cur))
    local res = reader:request("get", req.url, {
      query = { query = req.query, start = logql.param(cur), ["end"] = logql.param(end_ns),
        limit = tostring(req.limit), direction = "forward" },
      headers = req.headers,
    }, note)
    if not res then return events end -- the reader has recorded the gap from here on
    local data, reason = M.data(res.body, res.url, problems)
    if not data then
      reader:gap(reason .. " (" .. note .. ")", logql.seconds(cur))
      return events
    end
    if data.resultType ~= "streams" then
      reader:gap(("Loki answered a %s for a log query, expected streams (%s)"):format(tostring(data.resultType), note),
        logql.seconds(cur))
      return events
    end
    local entries = M.entries(data.result, res.url, problems)
    local fresh = 0
    for _, e in ipairs(entries) do
      if not (e.ns == cur and seen[e.key]) then
        M.event(ctx, opts, e, problems)
        fresh = fresh + 1
      end
    end
    events = events + fresh
    local last = entries[#entries]
    if not reader:rows(fresh, last and logql.seconds(last.ns)) then return events end
    if #entries < req.limit then return events end -- the rest of the window had no more
    if last.ns == cur then
      -- A whole page at one nanosecond: what lies beyond it there cannot be asked for.
      local t = math.floor(last.ns // 1000000) / 1000
      ctx.log.warn(("Loki: %d or more entries share the nanosecond %s, as many as limit (%d): "
        .. "those beyond them are not read; raise limit (Loki's max_entries_limit_per_query too)")
        :format(req.limit, logql.rfc3339(cur), req.limit))
      ctx.gap(("Loki query `%s`, at %s: entries beyond the first %d sharing this nanosecond not read (limit %d)")
        :format(req.query, logql.rfc3339(cur), req.limit, req.limit), { window = { start = t, ["end"] = t + 0.001 } })
      cur, seen = cur + 1, {}
    else
      cur, seen = last.ns, {}
      for _, e in ipairs(entries) do
        if e.ns == cur then seen[e.key] = true end
      end
    end
  end
  return events
end

return M
