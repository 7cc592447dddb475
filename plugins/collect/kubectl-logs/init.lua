-- kubectl-logs: error lines from `kubectl logs --timestamps [--prefix]` output.
--
--   [pod/api-7d9f/api] 2025-02-09T10:15:30.123456789Z level=error msg="Database connection pool exhausted"
--   --> 10:15:30.123Z  "Database connection pool exhausted", kind error, fields.pod = "api-7d9f"
--
-- The message may be logfmt, JSON, klog or free text (message.lua reads each). Files saved
-- from a node (/var/log/pods/.../0.log: `TIME stdout F message`) are read as well.
--
-- Long lines: the container runtime cuts a line into 16 KiB pieces, and each piece gets its
-- own timestamp: on a line of its own, or (older kubelets, `docker logs -t`) in the middle
-- of the line. Pieces that follow each other are joined again, so one long line makes one
-- event. The host drops lines that cannot be selected before Lua sees them (see
-- message.NEEDLES); a piece dropped that way holds nothing the selection needs, and the
-- pieces that reach Lua are read on their own.
local message = require "message"
local logtext = require "pm.logtext"

local MAX_JOIN = 1 << 20 -- bytes of a rejoined line kept; the event shows 200 characters

local PROBLEMS = {
  no_time = { one = "a matching line has no timestamp", many = "matching lines have no timestamp",
    after = "left out of the timeline (take logs with `kubectl logs --timestamps`)" },
  bad_time = { one = "a matching line has an unreadable timestamp", many = "matching lines have unreadable timestamps",
    after = "left out of the timeline" },
  utf8 = { one = "an event's line has bytes that are not UTF-8", many = "events' lines have bytes that are not UTF-8",
    after = "shown as U+FFFD" },
}

-- [pod/NAME/CONTAINER] TIMESTAMP [stdout|stderr P|F] MESSAGE
-- Returns the stream key, pod, container, timestamp, CRI tag and message text.
local function split(line)
  local pod, container, rest
  if line:byte(1) == 91 then -- [
    pod, container, rest = line:match("^%[pod/([^/%]]+)/([^%]]+)%] ?(.*)$")
  end
  rest = rest or line
  local stamp, text = rest:match("^(%d%d%d%d%-%d%d%-%d%d[Tt]%S*) ?(.*)$")
  if not stamp then return pod and pod .. "/" .. container or "", pod, container, nil, nil, rest end
  local tag
  if text:byte(1) == 115 then -- s: a node's CRI log file
    local stream, t, body = text:match("^(std[oe][ur][tr]) ([PF]) ?(.*)$")
    if stream then tag, text = t, body end
    return (pod and pod .. "/" .. container or "") .. (stream or ""), pod, container, stamp, tag, text
  end
  return pod and pod .. "/" .. container or "", pod, container, stamp, nil, text
end

-- Older kubelets (before Kubernetes 1.26) and `docker logs -t` write the timestamp of each
-- piece of a long line where the piece starts, inside the line: take those out. A stamp
-- inside the message is taken for one only past the first piece (4096 bytes, the smallest
-- the kubelet used) and when within a second of the line's own.
local function strip_stamps(text, stamp, t)
  local key = stamp:sub(1, 13) -- "2025-02-09T10"
  local out, i = {}, 1
  local s = text:find(key, 4096, true)
  while s do
    local e = s + #stamp
    local other = text:byte(e) == 32 and pm.time.parse(text:sub(s, e - 1))
    if other and math.abs(other - t) <= 1 then
      out[#out + 1] = text:sub(i, s - 1)
      i = e + 1
    end
    s = text:find(key, e, true)
  end
  if i == 1 then return text end
  out[#out + 1] = text:sub(i)
  return table.concat(out)
end

-- A node's CRI log file (`TIME stdout P|F message`) says which lines are pieces (P):
-- let those reach Lua too, so that a piece is joined with the rest of its line.
local CRI_NEEDLES = { "stdout P ", "stderr P " }

local function collect(ctx, opts, path, filter)
  local _, first = ctx.fs.lines(path)() -- reads one block at most
  if first == nil then
    return ctx.gap(("%s is empty: no log lines to read"):format(path), { source = opts.label })
  end
  if not opts.match and first:find("^%S+ std[oe][ur][tr] [PF] ") then
    local needles = { table.unpack(filter.contains) }
    for _, n in ipairs(CRI_NEEDLES) do needles[#needles + 1] = n end
    filter = { contains = needles }
  end
  local problems = logtext.problems(ctx, path)
  local pending = {} -- stream key -> the pieces of a long line so far

  -- One logical line: select it, and add its event.
  local function take(e)
    local text = e.text
    local t, why
    if e.stamp then t, why = pm.time.parse(e.stamp) end
    if t and #text > 4096 then text = strip_stamps(text, e.stamp, t) end
    local msg, level, detail = message.parse(text)
    if not opts.match and not message.is_error(text, level) then return end
    if not e.stamp then return problems:add("no_time", e.lineno, nil, e.line) end
    if not t then return problems:add("bad_time", e.lineno, why, e.stamp) end
    local status = message.status_5xx(text)
    if status and not message.error_level(level, text) and not msg:find(tostring(status), 1, true) then
      msg = ("%s (HTTP %d)"):format(msg, status) -- "request (HTTP 503)", not just "request"
    end
    local event, bad = logtext.event_text(msg)
    if event == "" then event = logtext.event_text(text) end
    if event == "" then event = "(empty log line)" end
    if bad then problems:add("utf8", e.lineno) end
    ctx.timeline.add {
      time = t, time_text = e.stamp, event = event, kind = "error", group = event, actor = nil,
      source = opts.label,
      evidence = path .. ":" .. e.lineno,
      fields = {
        pod = e.pod, container = e.container, stream = e.stream, service = opts.service,
        level = message.level_name(level), status = status,
        error = detail and (logtext.event_text(detail)) or nil,
      },
    }
  end

  local function finish(key)
    local p = pending[key]
    pending[key] = nil
    p.text = table.concat(p.parts)
    take(p)
  end

  for lineno, line in ctx.fs.lines(path, filter) do
    local key, pod, container, stamp, tag, text = split(line)
    local p = pending[key]
    if p then
      if p.last + 1 == lineno and stamp then -- the next piece
        if p.size < MAX_JOIN then
          p.parts[#p.parts + 1] = text
          p.size = p.size + #text
        end
        p.last = lineno
        if tag == "P" or (not tag and #text == opts.split_at) then goto next end
        finish(key)
        goto next
      end
      finish(key) -- its next piece did not come (or the line was exactly split_at long)
    end
    if stamp and (tag == "P" or (not tag and opts.split_at > 0 and #text == opts.split_at)) then
      pending[key] = { lineno = lineno, last = lineno, line = line, stamp = stamp, pod = pod,
        container = container, stream = tag and key:match("std%a+$"), parts = { text }, size = #text }
      goto next
    end
    take { lineno = lineno, line = line, stamp = stamp, pod = pod, container = container,
      stream = tag and key:match("std%a+$"), text = text }
    ::next::
  end
  local keys = {}
  for key in pairs(pending) do keys[#keys + 1] = key end
  table.sort(keys, function(a, b) return pending[a].lineno < pending[b].lineno end)
  for _, key in ipairs(keys) do finish(key) end
  problems:warn(PROBLEMS)
end

return {
  name = "kubectl-logs",
  stage = "collect",
  version = "1.0.0",
  api = 2,
  description = "Error lines from `kubectl logs --timestamps` output (logfmt, JSON, klog or free text)",
  options = {
    path = { type = "glob", required = true,
      doc = "log saved from `kubectl logs --timestamps [--prefix]`, or a glob (`*`, `?`, `**`) of several" },
    match = { type = "lua_pattern",
      doc = "Lua pattern a line must match to be kept; default: error, critical, fatal and panic levels "
        .. "(logfmt level=, JSON \"level\"/\"severity\", klog E/F, Go panics) and HTTP 5xx status fields" },
    service = { type = "string",
      doc = "service the log is from: in each event's fields, and its Source label unless `source` is given" },
    split_at = { type = "integer", default = 16384, min = 0,
      doc = "length at which the container runtime cut long lines (containerd, Docker: 16384); 0: never join lines" },
  },
  run = function(ctx, opts)
    -- The Source label: `source`, else the service (the host fills in the plugin's name).
    opts.label = (opts.source == nil or opts.source == ctx.plugin) and opts.service or opts.source
    local filter = { contains = message.NEEDLES }
    if opts.match then
      filter = { contains = logtext.literal(opts.match), match = opts.match }
    end
    for _, path in ipairs(logtext.files(ctx, opts.path)) do collect(ctx, opts, path, filter) end
  end,
}
