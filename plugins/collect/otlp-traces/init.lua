-- otlp-traces: failed and slow spans from the OpenTelemetry Collector's file exporter.
--
--   {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout-api"}}]},
--     "scopeSpans":[{"scope":{"name":"io.opentelemetry.http"},"spans":[{"traceId":"4bf9...","spanId":"00f0...",
--     "name":"POST /orders","kind":2,"startTimeUnixNano":"1739095523120000000","endTimeUnixNano":"1739095524960000000",
--     "status":{"code":2,"message":"upstream timed out"}}]}]}]}
--   --> 10:05:23.120Z  "checkout-api POST /orders failed: upstream timed out (1.84 s)", kind error,
--       group "checkout-api POST /orders failed", fields service, operation, trace_id, span_id, ...
--
-- The file exporter (format: json, no compression) writes one ExportTraceServiceRequest per
-- line; otlp.lua reads its values (camelCase or proto names, enums as numbers or names,
-- nanoseconds as decimal text), salvage.lua the whole spans of a line cut short. A span
-- becomes an event when its status is ERROR (`errors`) or it lasted longer than `slow_ms`,
-- and it overlaps the query window (the incident's with a margin, pm.store).
local logtext = require "pm.logtext"
local store = require "pm.store"
local otlp = require "otlp"
local salvage = require "salvage"

local field = otlp.field

-- ctx.fs.lines gives the first 1 MiB of a longer line: a line of exactly that length was cut.
local MAX_LINE = 1 << 20

-- Span attributes kept as event fields (OpenTelemetry semantic conventions, old and new
-- names): what says which request, call or query failed. Never every attribute: they may
-- hold personal data (url.full, db.statement, user ids) and are unbounded.
local KEPT = {}
for _, k in ipairs {
  "http.request.method", "http.method", "http.route", "http.response.status_code", "http.status_code",
  "rpc.system", "rpc.service", "rpc.method", "rpc.grpc.status_code",
  "db.system", "db.name", "db.namespace", "db.operation", "db.operation.name", "db.sql.table",
  "messaging.system", "messaging.destination.name", "peer.service", "server.address", "error.type",
} do KEPT[k] = true end

local EXCEPTION = { ["exception.type"] = true, ["exception.message"] = true }

local PROBLEMS = {
  not_json = { one = "a line is not JSON", many = "lines are not JSON",
    after = "the whole spans before the fault were read, the rest of those lines skipped" },
  truncated = { one = "the last line ends mid-batch (the exporter stopped while writing?)",
    many = "lines end mid-batch", after = "the whole spans before the cut were read" },
  shape = { one = "a batch is not shaped as OTLP traces", many = "batches are not shaped as OTLP traces",
    after = "the parts that are not were skipped" },
  no_start = { one = "a span has no readable startTimeUnixNano", many = "spans have no readable startTimeUnixNano",
    after = "skipped" },
  bad_end = { one = "a span has no readable endTimeUnixNano, or ends before it starts",
    many = "spans have no readable endTimeUnixNano, or end before they start",
    after = "kept without a duration (and not judged slow)" },
  bad_id = { one = "a span has an unreadable trace or span id", many = "spans have unreadable trace or span ids",
    after = "kept without it" },
  no_id = { one = "a span has no trace id or span id", many = "spans have no trace id or span id",
    after = "kept without it" },
  bad_status = { one = "a span has an unknown status code", many = "spans have unknown status codes",
    after = "read as UNSET" },
  utf8 = { one = "a line has bytes that are not UTF-8", many = "lines have bytes that are not UTF-8",
    after = "shown as U+FFFD" },
}

-- A JSON array (decoded): a table with no other keys than 1..n. An object, `{}` aside, is not.
local function is_list(t)
  return type(t) == "table" and (t[1] ~= nil or next(t) == nil)
end

-- "184 ms", "1.84 s", then pm.time.duration ("2min") from a minute on
local function duration_text(ms)
  if ms < 1000 then return ("%s ms"):format(store.param(math.floor(ms * 10 + 0.5) / 10)) end
  local s = ms / 1000
  if s < 60 then return ("%s s"):format(store.param(math.floor(s * 100 + 0.5) / 100)) end
  return pm.time.duration(s)
end

-- The reading of one file: counts, the tally of problems and the spans kept.
local File = {}
File.__index = File

local function new_file(ctx, opts, path, window)
  local services
  if opts.services then
    services = {}
    for _, s in ipairs(opts.services) do services[s] = true end
  end
  return setmetatable({
    ctx = ctx, opts = opts, path = path, window = window, services = services,
    problems = logtext.problems(ctx, path),
    w_start = window.start, w_finish = window.finish,
    slow_ns = opts.slow_ms and math.floor(opts.slow_ms * 1e6) or nil,
    spans = 0, events = 0, outside = 0, other_services = 0, salvaged = 0, base64 = 0, not_traces = 0,
    first_t = nil, last_t = nil, cut = {}, cut_spans = 0,
  }, File)
end

-- The text of a failure: the exception event's type and message, else the status message,
-- else the HTTP or gRPC status.
local function failure_text(span, status, attrs)
  local events = span.events
  if type(events) == "table" then
    for _, e in ipairs(events) do
      if type(e) == "table" and e.name == "exception" then
        local a = otlp.attributes(e.attributes, EXCEPTION, 2)
        local t, m = a["exception.type"], a["exception.message"]
        if t or m then
          return (t and m) and (tostring(t) .. ": " .. tostring(m)) or tostring(t or m), a["exception.type"]
        end
      end
    end
  end
  local message = type(status) == "table" and status.message
  if type(message) == "string" and message ~= "" then return message end
  local code = attrs["http.response.status_code"] or attrs["http.status_code"]
  if code then return "HTTP " .. tostring(code) end
  code = attrs["rpc.grpc.status_code"]
  if code then return "gRPC status " .. tostring(code) end
  return nil
end

-- One span of `service` at `where` (line number, and the span's place in the batch).
function File:span(span, service, version, lineno, place)
  self.spans = self.spans + 1
  local problems = self.problems
  if type(span) ~= "table" then
    return problems:add("shape", lineno, place .. " is not an object")
  end
  local start, why = otlp.nanos(field(span, "startTimeUnixNano", "start_time_unix_nano"))
  if not start then return problems:add("no_start", lineno, place .. ": " .. why) end
  local t = otlp.seconds(start)
  if not self.first_t or t < self.first_t then self.first_t = t end
  if not self.last_t or t > self.last_t then self.last_t = t end

  local status = span.status
  local code = type(status) == "table" and status.code or nil
  local state = code == nil and "unset" or otlp.enum(code, otlp.STATUS)
  if not state then
    problems:add("bad_status", lineno, ("%s: status.code %s"):format(place, pm.json.encode(code)))
    state = "unset"
  end
  local failed = self.opts.errors and state == "error"
  local finish, end_why = otlp.nanos(field(span, "endTimeUnixNano", "end_time_unix_nano"))
  local dur_ns
  if finish and finish >= start then dur_ns = finish - start end
  local slow = self.slow_ns and dur_ns and dur_ns > self.slow_ns
  if not (failed or slow) then return end
  if not dur_ns then
    problems:add("bad_end", lineno, place .. ": " .. (finish and "ends before it starts" or end_why))
  end

  -- Only spans overlapping the window: a span that started before it and ran into it counts.
  local t_end = dur_ns and otlp.seconds(finish) or t
  if t > self.w_finish or t_end < self.w_start then
    self.outside = self.outside + 1
    return
  end

  local trace_id, tbad, t64 = otlp.id(field(span, "traceId", "trace_id"), 16)
  local span_id, sbad, s64 = otlp.id(field(span, "spanId", "span_id"), 8)
  local parent_id, pbad, p64 = otlp.id(field(span, "parentSpanId", "parent_span_id"), 8)
  if trace_id == false or span_id == false or parent_id == false then
    problems:add("bad_id", lineno, place .. ": " .. (tbad or sbad or pbad))
  end
  if trace_id == nil or span_id == nil then
    problems:add("no_id", lineno, place .. ": " .. (trace_id == nil and "traceId" or "spanId") .. " missing")
  end
  if t64 or s64 or p64 then self.base64 = self.base64 + 1 end

  local name = span.name
  local operation = type(name) == "string" and name ~= "" and logtext.event_text(name, 100) or "(unnamed span)"
  local attrs = otlp.attributes(span.attributes, KEPT)
  local duration_ms = dur_ns and dur_ns / 1e6
  local event
  local exception_type
  if failed then
    local reason
    reason, exception_type = failure_text(span, status, attrs)
    event = ("%s %s failed%s%s"):format(service, operation,
      reason and (": " .. reason) or "", duration_ms and (" (" .. duration_text(duration_ms) .. ")") or "")
  else
    event = ("%s %s slow: %s (> %s)"):format(service, operation, duration_text(duration_ms),
      duration_text(self.opts.slow_ms))
  end
  local text, bad = logtext.event_text(event)
  if bad then problems:add("utf8", lineno) end

  local fields = {
    service = service, operation = operation, trace_id = trace_id or nil, span_id = span_id or nil,
    parent_span_id = parent_id or nil, service_version = version,
    duration_ms = duration_ms and math.floor(duration_ms * 1000 + 0.5) / 1000,
    span_kind = otlp.enum(span.kind, otlp.KIND), status = state,
    status_message = type(status) == "table" and type(status.message) == "string" and status.message ~= ""
      and (logtext.event_text(status.message)) or nil,
    exception_type = exception_type and (logtext.event_text(tostring(exception_type), 100)) or nil,
  }
  for k, v in pairs(attrs) do fields[k] = type(v) == "string" and (logtext.event_text(v, 100)) or v end

  local outcome = failed and "failed" or "slow"
  self.ctx.timeline.add {
    time = t, time_text = tostring(field(span, "startTimeUnixNano", "start_time_unix_nano")),
    event = text, kind = failed and self.opts.error_kind or self.opts.slow_kind,
    group = service .. " " .. operation .. " " .. outcome,
    evidence = self.path .. ":" .. lineno, fields = fields,
  }
  self.events = self.events + 1
end

-- One ExportTraceServiceRequest (a decoded line).
function File:batch(doc, lineno)
  local problems = self.problems
  if type(doc) ~= "table" then
    return problems:add("shape", lineno, "the line is a JSON " .. type(doc) .. ", not an object")
  end
  local list = field(doc, "resourceSpans", "resource_spans")
  if list == nil then
    -- The exporter writes metrics and logs the same way: a shared file holds them too.
    if field(doc, "resourceMetrics", "resource_metrics") or field(doc, "resourceLogs", "resource_logs") then
      self.not_traces = self.not_traces + 1
      return
    end
    return problems:add("shape", lineno, "no resourceSpans")
  end
  if not is_list(list) then return problems:add("shape", lineno, "resourceSpans is not a list") end
  for r, rs in ipairs(list) do
    if type(rs) ~= "table" then
      problems:add("shape", lineno, ("resourceSpans[%d] is not an object"):format(r))
    else
      local resource = rs.resource
      local attrs = type(resource) == "table" and otlp.attributes(resource.attributes,
        { ["service.name"] = true, ["service.version"] = true }, 2) or {}
      local service = attrs["service.name"]
      service = service ~= nil and logtext.event_text(tostring(service), 60) or "unknown_service"
      if service == "" then service = "unknown_service" end
      local version = attrs["service.version"]
      version = version ~= nil and logtext.event_text(tostring(version), 60) or nil
      local scopes = field(rs, "scopeSpans", "scope_spans")
      local scope_key = "scopeSpans"
      if scopes == nil then -- OTLP before 0.15 (2021)
        scopes, scope_key = field(rs, "instrumentationLibrarySpans", "instrumentation_library_spans"),
          "instrumentationLibrarySpans"
      end
      if self.services and not self.services[service] then
        if type(scopes) == "table" then
          for _, ss in ipairs(scopes) do
            if type(ss) == "table" and type(ss.spans) == "table" then
              self.other_services = self.other_services + #ss.spans
            end
          end
        end
      elseif not is_list(scopes) then
        if scopes ~= nil then
          problems:add("shape", lineno, ("resourceSpans[%d].%s is not a list"):format(r, scope_key))
        end
      else
        for s, ss in ipairs(scopes) do
          local spans = type(ss) == "table" and ss.spans
          if not is_list(spans) then
            if spans ~= nil or type(ss) ~= "table" then
              problems:add("shape", lineno, ("resourceSpans[%d].%s[%d] has no list of spans"):format(r, scope_key, s))
            end
          else
            for k, span in ipairs(spans) do
              self:span(span, service, version, lineno,
                ("resourceSpans[%d].%s[%d].spans[%d]"):format(r, scope_key, s, k))
            end
          end
        end
      end
    end
  end
end

-- The spans of a line that is not JSON: the whole spans before the fault, and the batches
-- glued after it. `kind` is the tally's word for the fault. Returns the spans read.
function File:broken(text, lineno, err)
  local before = self.spans
  local guard = 0
  while text and guard < 100 do
    guard = guard + 1
    local column = tonumber(tostring(err):match("column (%d+)")) or #text
    local prefix = salvage.prefix(text, math.min(column, #text))
    if prefix then
      local ok, doc = pcall(pm.json.decode, prefix)
      if ok then self:batch(doc, lineno) end
    end
    local next_start = salvage.next_batch(text, 1)
    if not next_start then break end
    text = text:sub(next_start)
    local ok, doc = pcall(pm.json.decode, text)
    if ok then
      self:batch(doc, lineno)
      break
    end
    err = doc
  end
  local n = self.spans - before
  self.salvaged = self.salvaged + n
  return n
end

-- Why a file whose first line is `line` cannot be read a request per line, or nil.
local function not_json_lines(line)
  local head = line:sub(1, 64)
  if head:find("\40\181\47\253", 1, true) then
    return "holds zstd frames (the exporter's `compression: zstd`), not a JSON request per line: "
      .. "not read (decompress it: `zstd -d`, or export without `compression`)"
  end
  if head:find("^%s*[{%[]%s*$") then
    return "is pretty-printed JSON, not a request per line: not read (`jq -c . FILE` writes one per line)"
  end
  if head:find("^%s*{") then return nil end
  if head:find("^[%z\1-\8\14-\31]") or head:find("%z") then
    return "holds binary frames (the exporter's `format: proto`), not a JSON request per line: not read "
      .. "(export with `format: json`)"
  end
  return nil
end

local thousands = require("pm.postmortem").thousands

local function read_file(ctx, opts, path, window)
  local _, first = ctx.fs.lines(path, { match = "%S" })()
  if first == nil then
    return ctx.gap(("%s is empty: no spans to read"):format(path))
  end
  local binary = not_json_lines(first)
  if binary then
    return ctx.gap(path .. " " .. binary)
  end
  local f = new_file(ctx, opts, path, window)
  local problems = f.problems
  local pending -- a line that was not JSON: "truncated" if it is the last one, else "not_json"
  local function settle(last)
    if not pending then return end
    local kind = (last and not pending.cut) and "truncated" or "not_json"
    if not pending.cut then
      problems:add(kind, pending.lineno, ("%d whole span(s) read before the fault; %s"):format(
        pending.spans, (tostring(pending.err):gsub("^pm%.json%.decode: line 1, ", ""))), pending.sample)
    end
    pending = nil
  end
  local lines = 0
  for lineno, line in ctx.fs.lines(path, { match = "%S" }) do
    settle(false)
    lines = lineno
    local _, bad = utf8.len(line)
    if bad then problems:add("utf8", lineno) end
    local ok, doc = pcall(pm.json.decode, line)
    if ok then
      f:batch(doc, lineno)
    else
      local cut = #line == MAX_LINE
      local n = f:broken(line, lineno, doc)
      if cut then
        f.cut[#f.cut + 1] = lineno
        f.cut_spans = f.cut_spans + n
      end
      pending = { lineno = lineno, err = doc, spans = n, cut = cut, sample = line:sub(1, 80) }
    end
    if lineno % 200 == 0 then
      ctx.progress(("%s: line %s, %s spans, %s events"):format(path, thousands(lineno), thousands(f.spans),
        thousands(f.events)))
    end
  end
  settle(true)
  problems:warn(PROBLEMS)

  if #f.cut > 0 then
    local shown = {}
    for i = 1, math.min(#f.cut, 5) do shown[i] = tostring(f.cut[i]) end
    ctx.gap(("%s: %d batch(es) longer than 1 MiB (line %s%s) cut by the reader: the %s whole span(s) before "
      .. "the cut read, the rest not (keep batches smaller: the batch processor's send_batch_max_size)")
      :format(path, #f.cut, table.concat(shown, ", "), #f.cut > 5 and ", ..." or "", thousands(f.cut_spans)))
  end
  if f.base64 > 0 then
    ctx.log.info(("%s: %s span(s) had base64 ids (protobuf's JSON mapping, not OTLP's hex): read as base64")
      :format(path, thousands(f.base64)))
  end
  if f.not_traces > 0 then
    ctx.log.info(("%s: %s line(s) of metrics or logs skipped"):format(path, thousands(f.not_traces)))
  end
  local summary = ("%s: %s lines, %s spans, %s events"):format(path, thousands(lines), thousands(f.spans),
    thousands(f.events))
  if f.outside > 0 then
    summary = summary .. ("; %s failed or slow span(s) outside %s skipped"):format(thousands(f.outside),
      store.range_text(window))
  end
  if f.other_services > 0 then
    summary = summary .. ("; %s span(s) of other services skipped"):format(thousands(f.other_services))
  end
  ctx.log.info(summary)
  if f.events == 0 and f.first_t and (f.last_t < window.start or f.first_t > window.finish) then
    ctx.log.warn(("%s: no span overlaps the window %s (the spans start from %s to %s)"):format(path,
      store.range_text(window), pm.time.format(f.first_t), pm.time.format(f.last_t)))
  end
  return f
end

local options = store.options {
  path = { type = "glob", required = true,
    doc = "the file exporter's file, relative to the pipeline, or a glob (`traces*.json`: the rotated ones too)" },
  errors = { type = "boolean", default = true, doc = "spans whose status is ERROR become events" },
  slow_ms = { type = "number", min = 0,
    doc = "spans that lasted longer than this (milliseconds) become events; default: none (only errors)" },
  services = { type = "list", of = "string", doc = "only spans of these service.name values (default: all)" },
  error_kind = { type = "string", default = "error", doc = "the kind of the events of failed spans" },
  slow_kind = { type = "string", default = "slow", doc = "the kind of the events of slow spans" },
}
-- Files are read whole: no requests to time out, no pages to count (the host's limits
-- bound time and memory), so the store options for those are left out.
options.timeout_s, options.max_rows, options.max_mb = nil, nil, nil

return {
  name = "otlp-traces",
  stage = "collect",
  version = "1.0.0",
  api = 2,
  description = "Failed and slow spans from OTLP-JSON trace files (the OpenTelemetry Collector's file exporter)",
  options = options,
  check = function(opts)
    local problems = store.check(opts)
    if not opts.errors and not opts.slow_ms then
      problems[#problems + 1] = "option errors: false and no slow_ms: no span would become an event"
    end
    if opts.services and #opts.services == 0 then
      problems[#problems + 1] = "option services: an empty list selects no span; leave it out for all"
    end
    return problems
  end,
  run = function(ctx, opts)
    local window = store.window(ctx, opts)
    for _, path in ipairs(logtext.files(ctx, opts.path)) do
      read_file(ctx, opts, path, window)
    end
  end,
}
