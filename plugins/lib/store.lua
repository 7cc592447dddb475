-- pm.store: what the collectors that query a store share (prometheus, clickhouse, loki,
-- elasticsearch): durations and times in options, the query window (the incident's with a
-- margin), one request whose failure becomes a gap naming the query and the range, and
-- the limits on rows and bytes, with the progress line.
--
--   local store = require "pm.store"
--   options = store.options { url = {...}, query = {...} }   -- + start, end, margin, limits
--   check = function(opts) return store.check(opts) end
--   run = function(ctx, opts)
--     local w = store.window(ctx, opts)                      -- { start, finish }
--     local reader = store.reader(ctx, opts, { what = "ClickHouse", query = sql, window = w })
--     local res = reader:request("post", url, { body = sql })  -- nil: a gap is recorded
--     if reader:rows(#page, last_t) then ... end             -- false: a limit was reached
--     reader:finish()
--
-- A store's own error text in gaps: `spec.explain(res)` (Elasticsearch's error JSON, a
-- ClickHouse exception). A probe of an endpoint an older server lacks: `ropts.accept =
-- { [404] = true }` returns nil, res for those statuses without a gap; the collector then
-- falls back, or records `reader:gap(reader:failure(res))`.
--
-- The series a metric query gives (prometheus, loki; clickhouse's count_by):
--   store.label(metric)                       --> `name{code="503", job="api"}`, names sorted
--   store.points(samples)                     --> { {t, v} ... } for ctx.series.add
--   store.crossings(ctx, opts, samples, info) --> metric_crossed / metric_recovered events
--
-- A query split into ranges (store.split) reads each range with
--   reader:part("range 3/16")                                  -- on the progress line
--   reader:request("get", url, { query = q, range = r, accept = refused })
-- so that a failed range is a gap naming that range only (the others are kept), and an
-- answer `accept` takes (a range refused as too large) is no gap: the collector asks again
-- in smaller ranges.
local M = {}

-- One home for the defaults of every store collector.
M.DEFAULTS = {
  margin = "15m", -- each side of the incident window
  max_rows = 1000000, -- rows (or points) read before stopping
  max_mb = 256, -- MB of responses received before stopping
}

local UNIT = { ms = 0.001, s = 1, m = 60, h = 3600, d = 86400, w = 604800, y = 31536000 }

-- Seconds from a number or a Prometheus-style duration ("15s", "1m30s", "500ms"); nil and
-- a message naming `option` for anything else.
function M.seconds(v, option)
  if type(v) == "number" then return v end
  local text = tostring(v)
  if tonumber(text) then return tonumber(text) end
  if text == "" then return nil, option .. ": empty duration" end
  local total, rest = 0, text
  while rest ~= "" do
    local n, unit, tail = rest:match("^(%d+%.?%d*)(ms)(.*)$")
    if not n then n, unit, tail = rest:match("^(%d+%.?%d*)([smhdwy])(.*)$") end
    if not n then
      return nil, ("%s: %q is not a duration such as 15s, 5m or 1h30m"):format(option, text)
    end
    total, rest = total + tonumber(n) * UNIT[unit], tail
  end
  return total
end

-- The credential in the environment variable that option `option` (`token_env`,
-- `password_env`) names: unset (or empty, unless `how.empty`) is a configuration error
-- naming both. Under --replay nothing is sent, so none is needed: "" then.
function M.secret(ctx, opts, option, how)
  local name = opts[option]
  if name == nil then return nil end
  local value = ctx.env(name)
  if value ~= nil and (value ~= "" or (how and how.empty)) then return value end
  if ctx.replay then return "" end
  error(("option %s: the environment variable %s is %s: export it before the run (a replay needs none)")
    :format(option, name, value == nil and "not set" or "empty"), 0)
end

-- Unix seconds from a number, a decimal string or RFC 3339 text; nil when v is nil. Raises
-- an error naming `option` for anything else.
function M.time(v, option)
  if v == nil or type(v) == "number" then return v end
  local t = tonumber(v) or pm.time.parse(tostring(v))
  if not t then error(("%s: %q is neither RFC 3339 nor Unix seconds"):format(option, tostring(v)), 0) end
  return t
end

-- A time or a step as a query parameter: "1739095200" or "1739095200.5".
function M.param(t)
  if t == math.floor(t) then return ("%d"):format(t) end
  return (("%.3f"):format(t):gsub("0+$", ""))
end

-- The option schemas every store collector takes, merged with the collector's own `own`
-- (which may override one).
function M.options(own)
  local all = {
    start = { type = { "number", "string" },
      doc = "query from this time (RFC 3339 or Unix seconds); default: the incident's start minus `margin`" },
    ["end"] = { type = { "number", "string" },
      doc = "query up to this time; default: the incident's end (or now) plus `margin`" },
    margin = { type = { "number", "string" }, default = M.DEFAULTS.margin,
      doc = "how much to widen the incident window on each side (seconds or a duration: `15m`)" },
    timeout_s = { type = "number", min = 0, doc = "seconds to wait for each answer (default: the host's 30)" },
    max_rows = { type = "integer", min = 1, default = M.DEFAULTS.max_rows,
      doc = "stop after reading this many rows (or points); a warning and a gap say what was left unread" },
    max_mb = { type = "number", min = 0, default = M.DEFAULTS.max_mb,
      doc = "stop after receiving this many MB of answers; a warning and a gap say what was left unread" },
  }
  for k, v in pairs(own or {}) do all[k] = v end
  return all
end

-- The problems with the shared options (for a plugin's `check`), as a list of text.
function M.check(opts, problems)
  problems = problems or {}
  local _, problem = M.seconds(opts.margin or M.DEFAULTS.margin, "margin")
  if problem then problems[#problems + 1] = "option " .. problem end
  local times = {}
  for _, o in ipairs { "start", "end" } do
    local ok, t = pcall(M.time, opts[o], o)
    if ok then times[o] = t else problems[#problems + 1] = "option " .. tostring(t) end
  end
  if times.start and times["end"] and times["end"] <= times.start then
    problems[#problems + 1] = "option end: not after start"
  end
  return problems
end

-- The query window { start, finish } (seconds): start/end when given, else the incident
-- window widened by `margin` on each side (an incident without an end runs until now).
-- Raises an error that says what to set when there is no window.
function M.window(ctx, opts)
  local margin = assert(M.seconds(opts.margin or M.DEFAULTS.margin, "margin"))
  local start = M.time(opts.start, "start")
  local finish = M.time(opts["end"], "end")
  if not start then
    if not ctx.incident.start then error("start = is needed: the incident has no started_at", 0) end
    start = ctx.incident.start - margin
  end
  if not finish then finish = (ctx.incident["end"] or os.time()) + margin end
  if finish <= start then
    error(("the query window is empty: end (%s) is not after start (%s)")
      :format(pm.time.format(finish), pm.time.format(start)), 0)
  end
  return { start = start, finish = finish }
end

-- Prometheus (and Loki's metric queries) refuse a range query giving more than 11,000
-- points per series.
M.MAX_POINTS = 11000

-- The consecutive ranges that cover window `w` at `step` with at most `max_points` points
-- each, on the window's own grid (start + k * step): every point of the whole query is in
-- exactly one range, so joined they have no duplicate and no missing point. A list of
-- { start, finish }; one range when the window fits.
function M.split(w, step, max_points)
  max_points = max_points or M.MAX_POINTS
  assert(step > 0 and max_points >= 1, "store.split: step and max_points must be positive")
  local ranges, start = {}, w.start
  while start <= w.finish do
    local finish = math.min(start + (max_points - 1) * step, w.finish)
    ranges[#ranges + 1] = { start = start, finish = finish }
    start = start + max_points * step
  end
  return ranges
end

-- "2025-02-09T09:45:00.000Z to 2025-02-09T11:00:00.000Z"
function M.range_text(w)
  return pm.time.format(w.start) .. " to " .. pm.time.format(w.finish)
end

-- "1,234,567": the one rule, pm.postmortem's.
local thousands = require("pm.postmortem").thousands

-- One query's reading: every request through it counts bytes, every page its rows; a
-- failure becomes a gap naming the store, the query and the range not read, and the
-- progress line says where the reading is.
--   spec = { what = "ClickHouse", query = "text shown in gaps", window = { start, finish },
--            explain = function(res) return "the store's own error text, or nil" end }
local Reader = {}
Reader.__index = Reader

function M.reader(ctx, opts, spec)
  assert(spec and spec.what and spec.window, "store.reader: spec needs what and window")
  return setmetatable({
    ctx = ctx, what = spec.what, query = spec.query, window = spec.window, explain = spec.explain,
    max_rows = opts.max_rows or M.DEFAULTS.max_rows,
    max_bytes = (opts.max_mb or M.DEFAULTS.max_mb) * 1048576,
    timeout_s = opts.timeout_s,
    requests = 0, bytes = 0, count = 0, reached = nil, failed = false,
    upto = spec.window.start, -- the time read up to
  }, Reader)
end

-- The query as gaps name it: one line, at most 300 characters.
local function shown(query)
  if not query then return "" end
  local text = tostring(query):gsub("%s+", " ")
  if #text > 300 then text = text:sub(1, 297) .. "..." end
  return text
end

-- Records a gap for the part of the window not read (from `from`, default where the reading
-- stands, to the window's end; or `from` = { start, finish }, one range of a split query),
-- naming the store, the query and the reason.
function Reader:gap(reason, from)
  local range
  if type(from) == "table" then
    range = from
  else
    local lo = math.max(from or self.upto, self.window.start)
    range = { start = lo, finish = self.window.finish }
    if range.finish <= range.start then range = self.window end
  end
  local query = shown(self.query)
  self.ctx.gap(("%s%s, %s: %s"):format(self.what, query ~= "" and (" query `" .. query .. "`") or "",
    M.range_text(range), reason), { window = { start = range.start, ["end"] = range.finish } })
  self.failed = true
end

-- What a gap says of an answer that is not 2xx: the status, and the store's own error
-- (spec.explain) or else the start of the body; `note` says which request it was.
function Reader:failure(res, note)
  local said = self.explain and self.explain(res)
  if not said then
    said = (res.body or ""):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
    if #said > 300 then said = said:sub(1, 297) .. "..." end
  end
  return ("HTTP %d%s%s"):format(res.status, said ~= "" and (": " .. said) or "", note and (" (" .. note .. ")") or "")
end

-- One request (`method` "get", "post" or "delete"; `ropts` as ctx.http takes them, with
-- the reader's timeout). Returns the response for a 2xx answer. For no answer, or another
-- status, records a gap (the reason, the status and the store's error or the start of the
-- body) and returns nil and the response when there was one, so that a collector can read
-- a store's own error from it. `note` (optional) says which part of the window the request
-- is for. Two options are the reader's, not ctx.http's: `range` ({ start, finish }: the
-- request reads only that range of the window, and its gap names only that range) and
-- `accept` (a set of statuses, `{ [404] = true }` for an endpoint older servers lack, or
-- a function(res) that is true for an answer the collector will deal with itself, e.g. a
-- range refused as too large): such an answer is no gap, and request returns nil, res.
function Reader:request(method, url, ropts, note)
  ropts = ropts or {}
  local range, accept = ropts.range, ropts.accept
  ropts.range, ropts.accept = nil, nil
  ropts.gap = false
  ropts.timeout_s = ropts.timeout_s or self.timeout_s
  self.requests = self.requests + 1
  local res, reason = self.ctx.http[method](url, ropts)
  if not res then
    self:gap("no answer: " .. tostring(reason) .. (note and (" (" .. note .. ")") or ""), range)
    return nil
  end
  self.bytes = self.bytes + #(res.body or "")
  if res.status < 200 or res.status > 299 then
    local taken
    if type(accept) == "function" then taken = accept(res) elseif accept then taken = accept[res.status] end
    if not taken then self:gap(self:failure(res, note), range) end
    return nil, res
  end
  if self.bytes > self.max_bytes and not self.reached then
    self:limit(("max_mb (%s MB received)"):format(M.param(self.max_bytes / 1048576)))
  end
  return res
end

-- Counts `n` rows read up to time `t` (seconds; the last row's). True while the reading
-- may go on; false once max_rows or max_mb is reached (a warning and a gap have said so).
function Reader:rows(n, t)
  self.count = self.count + n
  if t and t > self.upto then self.upto = t end
  self:progress()
  if self.reached then return false end
  if self.count >= self.max_rows then
    self:limit(("max_rows (%s rows)"):format(thousands(self.max_rows)))
    return false
  end
  return true
end

-- True once a limit stopped the reading.
function Reader:stopped() return self.reached ~= nil end

-- Stops the reading at a limit: a warning and a gap for the rest of the window.
function Reader:limit(which)
  if self.reached then return end
  self.reached = which
  local rest = self.upto < self.window.finish
  self.ctx.log.warn(("%s: stopped at %s after %s rows, %.1f MB%s; raise the limit or narrow the query")
    :format(self.what, which, thousands(self.count), self.bytes / 1048576,
      rest and (": read up to " .. pm.time.format(self.upto)) or ""))
  if rest then self:gap("not read: the reading stopped at " .. which) end
end

-- "1 request", "12 requests"
local function requests(n) return ("%d %s"):format(n, n == 1 and "request" or "requests") end

-- Names the part of the query being read ("range 3/16"), for the progress line.
function Reader:part(text)
  self.doing = text
  self:progress()
end

-- Puts "range 3/16, 12 requests, 120,000 rows, 14.2 MB, up to 2025-02-09T10:32:00.000Z" on
-- the progress line (the part being read first, when one was named).
function Reader:progress()
  self.ctx.progress(("%s: %s%s, %s rows, %.1f MB, up to %s"):format(self.what,
    self.doing and (self.doing .. ", ") or "", requests(self.requests),
    thousands(self.count), self.bytes / 1048576, pm.time.format(self.upto)))
end

-- The summary at the end, as an info line.
function Reader:finish()
  self.ctx.log.info(("%s: %s, %s rows, %.1f MB received for %s"):format(self.what, requests(self.requests),
    thousands(self.count), self.bytes / 1048576, M.range_text(self.window)))
end

-- The series of a metric query, as every store collector keeps them. `samples` are sorted
-- by time: { t = seconds, v = number or nil (NaN), text = "NaN" / "+Inf" / "-Inf" or nil }.

-- `{code="503", job="api"}`, names sorted so the text is stable; rate() drops __name__.
function M.label(metric)
  local keys = {}
  for k in pairs(metric) do if k ~= "__name__" then keys[#keys + 1] = k end end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = ('%s="%s"'):format(k, tostring(metric[k])) end
  return (metric.__name__ or "") .. "{" .. table.concat(parts, ", ") .. "}"
end

-- The points for ctx.series.add: {t, v}, v a number or "NaN", "+Inf", "-Inf" (JSON has no
-- infinities).
function M.points(samples)
  local points = {}
  for i, s in ipairs(samples) do points[i] = { s.t, s.text or s.v } end
  return points
end

-- metric_crossed when the series starts breaching opts.threshold (above it, or below it
-- when opts.above is false), metric_recovered when it stops; NaN neither breaches nor
-- recovers, and a first sample that breaches is a crossing. `info`: { label (the series'
-- labels, for fields), evidence (a sample's own `evidence` wins: the answer it came in),
-- suffix (tells series apart when a query gives several) }.
function M.crossings(ctx, opts, samples, info)
  local breaching = false
  for _, s in ipairs(samples) do
    if s.v then
      local now
      if opts.above then now = s.v > opts.threshold else now = s.v < opts.threshold end
      if now ~= breaching then
        ctx.timeline.add {
          time = s.t,
          kind = now and "metric_crossed" or "metric_recovered",
          event = now
            and ("%s %s %g%s"):format(opts.name, opts.above and "above" or "below", opts.threshold, info.suffix or "")
            or ("%s returns to normal%s"):format(opts.name, info.suffix or ""),
          evidence = s.evidence or info.evidence,
          fields = { series = info.label, value = s.text or s.v, threshold = opts.threshold, query = opts.query },
        }
        breaching = now
      end
    end
  end
end

return M
