-- clickhouse: log rows from ClickHouse's HTTP interface, with the window and the filter
-- applied by the server, read in pages of a set size (keyset paging, never OFFSET).
--
--   { "clickhouse", url = "http://127.0.0.1:8123", user = "pmhost", password_env = "CH_PASSWORD",
--     database = "logs", table = "app", time_column = "time", message_column = "message",
--     where = "level = 'ERROR' AND service = 'api-service'", columns = { "level", "host" },
--     tie_breaker = "id", count_by = "1m" }
--   --> one event per row (as log-pattern makes for the same line), and a series of the
--       rows per minute over the window.
--
-- Or `query`, a SELECT of one's own returning `time` (Unix seconds) and `message` (every
-- other column becomes a field), with {start} and {end} where the window goes:
--   query = "SELECT toUInt32(ts) AS time, msg AS message, host FROM app
--            WHERE ts >= toDateTime({start}) AND ts <= toDateTime({end}) AND level = 'ERROR'"
--
-- Times are always numbers: the window is compared as toDateTime(Unix seconds) and rows are
-- read as toUInt32(column), because a DateTime written as text is in the server's time
-- zone with no offset. Every value in the SQL is escaped (sql.lua). docs/collectors/clickhouse.md
-- has the whole story.
local store = require "pm.store"
local logtext = require "pm.logtext"
local sql = require "sql"
local page = require "page"

local T, M, TB = "__pm_time", "__pm_message", "__pm_tb" -- the aliases of the columns we need

local TABLE_ONLY = { "table", "time_column", "message_column", "where", "columns" }

-- Configuration errors (check runs them before any stage; run again, for plugin.run).
local function problems_of(opts)
  local problems = store.check(opts)
  local function add(p) problems[#problems + 1] = p end
  if opts.query and opts.table then
    add("give `table` (with time_column and message_column) or `query`, not both")
  elseif opts.query then
    for _, o in ipairs(TABLE_ONLY) do
      if opts[o] ~= nil then add(("option %s: only with `table`; write it into `query` instead"):format(o)) end
    end
    if not opts.query:find("{start}", 1, true) or not opts.query:find("{end}", 1, true) then
      add("option query: needs {start} and {end} where the window goes (Unix seconds: "
        .. "ts >= toDateTime({start}) AND ts <= toDateTime({end}))")
    end
    if opts.query:match("[Ff][Oo][Rr][Mm][Aa][Tt]%s+%w+%s*;?%s*$") then
      add("option query: leave FORMAT out: the collector adds it (option format)")
    end
  elseif opts.table then
    for _, o in ipairs { "time_column", "message_column" } do
      if not opts[o] then add(("option %s: needed with `table`"):format(o)) end
    end
  else
    add("set table = (with time_column and message_column) or query = (a SELECT with {start} and {end})")
  end
  if opts.count_by ~= nil then
    local s, p = store.seconds(opts.count_by, "count_by")
    if not s then add("option " .. p)
    elseif s < 1 or s ~= math.floor(s) then add("option count_by: a whole number of seconds, at least 1s") end
  end
  return problems
end

local function check(opts)
  local problems = problems_of(opts)
  if #problems > 0 then error(table.concat(problems, "; "), 0) end
end

-- The request's headers: the user and the password (from the environment) go in
-- X-ClickHouse-User / X-ClickHouse-Key, never in the URL (headers are not saved).
local function headers(ctx, opts)
  local h = {}
  if opts.user then h["X-ClickHouse-User"] = opts.user end
  if opts.password_env then
    -- An empty password is one ClickHouse users may have.
    h["X-ClickHouse-Key"] = store.secret(ctx, opts, "password_env", { empty = true })
    h["X-ClickHouse-User"] = opts.user or "default"
  end
  return h
end

-- One request of SQL text through `reader`: the body is the SQL, the database a URL
-- parameter. Returns the response body, or nil (the reader has recorded the gap).
local function post(reader, opts, hdrs, text, note)
  local res, failed = reader:request("post", opts.url, {
    query = opts.database and { database = opts.database } or nil, headers = hdrs, body = text,
  }, note)
  if not res then return nil, failed end
  return res.body or "", res
end

-- Table mode: the types of the table's columns, and the server's version, in one request.
local function describe(ctx, opts, hdrs, w)
  local q = ("SELECT version(), name, type FROM system.columns WHERE database = %s AND table = %s FORMAT TabSeparated")
    :format(opts.database and sql.literal(opts.database) or "currentDatabase()", sql.literal(opts.table))
  local reader = store.reader(ctx, opts, { what = "ClickHouse", query = q, window = w })
  local body = post(reader, opts, hdrs, q, "the table's columns")
  if not body then return nil end
  local rows, problem = page.read(body, "TabSeparated", { "version", "name", "type" })
  if problem then reader:gap(problem) return nil end
  if #rows == 0 then
    reader:gap(("no table %s in database %s"):format(opts.table, opts.database or "(the user's default)"))
    return nil
  end
  local types = {}
  for _, r in ipairs(rows) do types[r.name] = r.type end
  local missing = {}
  for _, c in ipairs { opts.time_column, opts.message_column, opts.tie_breaker, table.unpack(opts.columns or {}) } do
    if c and not types[c] then missing[#missing + 1] = c end
  end
  if #missing > 0 then
    reader:gap(("table %s has no column %s"):format(opts.table, table.concat(missing, ", ")))
    return nil
  end
  ctx.log.info(("ClickHouse %s, table %s"):format(rows[1].version, opts.table))
  return types
end

-- The parts of the SQL that every query of a run shares.
local function plan(opts, types, w)
  local p = { format = opts.format, with_names = false }
  if opts.query then
    p.time = assert(sql.time_access("time", nil))
    p.order_time = sql.ident("time")
    p.tb = opts.tie_breaker and sql.ident(opts.tie_breaker)
    p.from = "(\n" .. sql.placeholders(opts.query:gsub("%s*;%s*$", ""), w) .. "\n)"
    p.select = "*"
    p.where = {}
    p.names = nil -- from the answer: TabSeparatedWithNames, or JSON's keys
    p.with_names = opts.format == "TabSeparated"
    p.tm, p.msg, p.tbname = "time", "message", opts.tie_breaker
  else
    local access, problem = sql.time_access(opts.time_column, types[opts.time_column])
    if not access then return nil, problem end
    p.time = access
    p.order_time = sql.ident(opts.time_column)
    p.tb = opts.tie_breaker and sql.ident(opts.tie_breaker)
    p.from = sql.ident(opts.table)
    local sel = { access.select .. " AS " .. T, sql.ident(opts.message_column) .. " AS " .. M }
    p.names = { T, M }
    if p.tb then
      sel[#sel + 1] = p.tb .. " AS " .. TB
      p.names[#p.names + 1] = TB
    end
    for _, c in ipairs(opts.columns or {}) do
      sel[#sel + 1] = sql.ident(c)
      p.names[#p.names + 1] = c
    end
    p.select = table.concat(sel, ", ")
    -- The window in the column's own type, whole seconds outward; the author's filter
    -- on lines of its own (a -- comment in it cannot swallow what follows).
    p.where = {
      ("%s >= %s"):format(p.order_time, access.bound(math.floor(w.start))),
      ("%s <= %s"):format(p.order_time, access.bound(math.ceil(w.finish))),
    }
    if opts.where then p.where[#p.where + 1] = "(\n" .. opts.where .. "\n)" end
    p.tm, p.msg, p.tbname = T, M, TB
    p.tb_type = opts.tie_breaker and types[opts.tie_breaker]
  end
  return p
end

-- The SQL of one page after `cursor` (nil for the first): keyset on (time, tie-breaker):
--   t > last OR (t = last AND tb > last_tb); without a tie-breaker, on whole instants:
--   t >= last (the rows of the last instant of a full page are read again with the next
--   page, see run), or t = last alone when one instant fills a page.
local function page_sql(p, cursor, limit)
  local where = { table.unpack(p.where) }
  if cursor then
    local t = p.time.raw(cursor.t)
    if cursor.only then
      where[#where + 1] = ("%s = %s"):format(p.order_time, t)
    elseif cursor.tb ~= nil then
      where[#where + 1] = ("(%s > %s OR (%s = %s AND %s > %s))"):format(p.order_time, t, p.order_time, t, p.tb,
        sql.value(cursor.tb, p.tb_type))
    else
      where[#where + 1] = ("%s %s %s"):format(p.order_time, cursor.op or ">", t)
    end
  end
  local order = p.order_time .. (p.tb and (", " .. p.tb) or "")
  local format = p.with_names and "TabSeparatedWithNames" or p.format
  return ("SELECT %s FROM %s%s ORDER BY %s LIMIT %d FORMAT %s"):format(p.select, p.from,
    #where > 0 and ("\nWHERE " .. table.concat(where, "\n  AND ")) or "", order, limit, format)
end

-- count_by: rows per interval over the window, counted by the server (intDiv works on
-- every version; toStartOfInterval is missing from 18.16), kept as a series with the
-- intervals without rows as zeros.
local function counts(ctx, opts, hdrs, p, w)
  local step = math.floor(assert(store.seconds(opts.count_by, "count_by")))
  local bucket = ("intDiv(%s, %d) * %d"):format(opts.query and "toInt64(`time`)" or p.time.select,
    step * p.time.scale, step)
  local where = p.where
  local q = ("SELECT %s AS b, count() AS c FROM %s%s GROUP BY b ORDER BY b FORMAT TabSeparated"):format(bucket, p.from,
    #where > 0 and ("\nWHERE " .. table.concat(where, "\n  AND ")) or "")
  local reader = store.reader(ctx, opts, { what = "ClickHouse", query = q, window = w })
  local body = post(reader, opts, hdrs, q, "count_by " .. opts.count_by)
  if not body then return end
  local rows, problem = page.read(body, "TabSeparated", { "b", "c" })
  if problem then return reader:gap(problem) end
  local by = {}
  for _, r in ipairs(rows) do by[tonumber(r.b)] = tonumber(r.c) end
  local points = {}
  local first = math.floor(w.start / step) * step
  for t = first, w.finish, step do points[#points + 1] = { t, by[t] or 0 } end
  ctx.series.add {
    name = opts.name or ("%s rows per %s"):format(opts.table or "query", opts.count_by),
    query = q, unit = "rows", points = points,
  }
end

local function text_value(x)
  if type(x) == "string" then return (logtext.event_text(x)) end
  if type(x) == "number" or type(x) == "boolean" then return x end
  return pm.json.encode(x)
end

-- Seconds from the selected time value (a number, or the text of one).
local function seconds(v, scale)
  local n = tonumber(v)
  if not n then return nil end
  return n / scale
end

local function run(ctx, opts)
  check(opts)
  local w = store.window(ctx, opts)
  local hdrs = headers(ctx, opts)
  local types = {}
  if opts.table then
    types = describe(ctx, opts, hdrs, w)
    if not types then return end
  end
  local p, problem = plan(opts, types, w)
  if not p then
    local reader = store.reader(ctx, opts, { what = "ClickHouse", window = w })
    return reader:gap(problem)
  end
  if opts.count_by then counts(ctx, opts, hdrs, p, w) end

  local reader = store.reader(ctx, opts, { what = "ClickHouse", query = page_sql(p, nil, opts.page_size), window = w })
  local problems = logtext.problems(ctx)
  local cursor, n = nil, 0
  while true do
    n = n + 1
    local limit = opts.page_size
    if cursor and cursor.only then limit = math.max(1, reader.max_rows - reader.count + 1) end
    local text = page_sql(p, cursor, limit)
    local body, res = post(reader, opts, hdrs, text, ("page %d"):format(n))
    if not body then break end
    local rows, why, names = page.read(body, p.format, p.names, p.with_names)
    if names and p.with_names then
      local have = {}
      for _, x in ipairs(names) do have[x] = true end
      if not (have.time and have.message) then
        reader:gap("the query's answer has no column time or message (select them AS time, AS message)")
        break
      end
    end
    local full = #rows >= limit and not why
    -- Without a tie-breaker a full page may end inside an instant: its rows there are
    -- left for the next page (t >= that instant), unless the instant fills the page.
    local keep = #rows
    local next_cursor
    if full and not p.tb and not (cursor and cursor.only) then
      local last = rows[#rows][p.tm]
      while keep > 0 and rows[keep][p.tm] == last do keep = keep - 1 end
      if keep == 0 then
        next_cursor = { t = last, only = true }
      else
        next_cursor = { t = last, op = ">=" }
      end
    end
    local stop = false
    local last_t
    for i = 1, keep do
      local r = rows[i]
      local t = seconds(r[p.tm], p.time.scale)
      if not t then
        problems:add("bad_time", ("page %d row %d"):format(n, i), ("%q is not Unix seconds"):format(tostring(r[p.tm])))
      else
        local msg = r[p.msg]
        local event, bad = logtext.event_text(msg == nil and "" or tostring(msg))
        if bad then problems:add("utf8", ("page %d row %d"):format(n, i)) end
        if event == "" then event = "(empty log line)" end
        local fields = {}
        for k, x in pairs(r) do
          if k ~= p.tm and k ~= p.msg and k ~= TB then fields[k] = text_value(x) end
        end
        ctx.timeline.add {
          time = t, time_text = tostring(r[p.tm]), event = event, kind = opts.kind, group = event, fields = fields,
          evidence = ("%s page %d row %d"):format(res.url or opts.url, n, i),
        }
        last_t = t
        if reader.count + i >= reader.max_rows and i < keep then
          reader:rows(i, t)
          stop = true
          break
        end
      end
    end
    if stop then break end
    if not reader:rows(keep, last_t) then break end
    if why then
      reader:gap(("page %d: %s"):format(n, why), last_t)
      break
    end
    if cursor and cursor.only then
      -- The instant was read whole (up to max_rows, which stopped above): go on after it.
      next_cursor = { t = cursor.t, op = ">" }
    elseif not full then
      break
    elseif p.tb then
      local r = rows[#rows]
      next_cursor = { t = r[p.tm], tb = r[p.tbname] }
      if next_cursor.tb == nil then
        reader:gap(("page %d: the tie-breaker %s is NULL in the last row; it must be unique and not NULL")
          :format(n, opts.tie_breaker))
        break
      end
    end
    cursor = next_cursor
  end
  problems:warn {
    bad_time = { one = "a row has a time that is not Unix seconds", many = "rows have times that are not Unix seconds",
      after = "left out of the timeline" },
    utf8 = { one = "a row's message has bytes that are not UTF-8", many = "rows' messages have bytes that are not UTF-8",
      after = "shown as U+FFFD" },
  }
  reader:finish()
end

return {
  name = "clickhouse",
  stage = "collect",
  version = "1.0.0",
  api = 2,
  description = "Log rows from ClickHouse (HTTP interface): the window and filter applied by the server, keyset pages",
  options = store.options {
    url = { type = "url", required = true, doc = "ClickHouse's HTTP interface: http://127.0.0.1:8123" },
    user = { type = "string", doc = "user name (sent as the X-ClickHouse-User header)" },
    password_env = { type = "env", doc = "environment variable holding the password (sent as X-ClickHouse-Key)" },
    database = { type = "string", doc = "database (default: the user's default database)" },
    table = { type = "string", doc = "the table to read; with time_column and message_column" },
    time_column = { type = "string", doc = "the rows' time: DateTime, DateTime64 or Unix seconds" },
    message_column = { type = "string", doc = "the column that is the event's text" },
    where = { type = "string", doc = "SQL filter on the table's rows (written by the pipeline's author): level = 'ERROR'" },
    columns = { type = "list", of = "string", doc = "more columns, kept as the events' fields" },
    tie_breaker = { type = "string",
      doc = "a column unique within an instant (an id), for paging; without one, pages end on whole instants" },
    query = { type = "string",
      doc = "instead of table: a SELECT returning time (Unix seconds) and message, with {start} and {end}" },
    page_size = { type = "integer", min = 1, default = 10000, doc = "rows per request" },
    format = { type = "string", values = { "JSONEachRow", "TabSeparated" }, default = "TabSeparated",
      doc = "the answer's row format (both stream row by row)" },
    kind = { type = "string", default = "error", doc = "the events' kind" },
    count_by = { type = { "string", "number" },
      doc = "also count the rows per interval (1m, 5m) on the server, kept as a series for the charts" },
    name = { type = "string", doc = "the count_by series' name (default: TABLE rows per INTERVAL)" },
  },
  check = check,
  run = run,
}
