-- The fixtures are the file exporter's output (format: json): one ExportTraceServiceRequest
-- per line. traces.json: four services, nested spans, an exception event, enum numbers and
-- names, a snake_case batch, an instrumentationLibrarySpans batch, a metrics line and a
-- failure outside the window. broken.json: every kind of bad input (see its lines below).
-- The large-file and cut-line checks are in Tests/pmhostTests/OTLPTracesTests.swift (they
-- need files too big for the repository).
local INCIDENT = { id = "PM-1", title = "Checkout failures", started_at = "2025-02-09T10:00:00Z",
  ended_at = "2025-02-09T11:00:00Z" }

local function run(opts) return plugin.run(opts, { incident = INCIDENT }) end

local function events_text(r)
  local out = {}
  for i, e in ipairs(r.events) do out[i] = e.event end
  return out
end

local function warnings(r)
  local out = {}
  for i, w in ipairs(r.warnings) do out[i] = w.message or w end
  return table.concat(out, "\n")
end

describe("otlp-traces on the file exporter's output", function()
  it("makes failed spans events with service, operation, ids and the exception's text", function()
    local r = run { path = "fixtures/traces.json" }
    assert.is_nil(r.error)
    assert.same({
      "checkout-api POST /orders failed: io.grpc.StatusRuntimeException: UNAVAILABLE: payments-svc: upstream connect error (1.84 s)",
      "checkout-api payments.v1.Payments/Charge failed: gRPC status 14 (1.83 s)",
      "payments-svc payments.v1.Payments/Charge failed: context deadline exceeded (350 ms)",
      "inventory POST /reserve failed: HTTP 503 (3.2 s)",
      "legacy-cart cart.checkout failed: cart is locked (600 ms)",
    }, events_text(r))
    local e = r.events[1]
    assert.equals("2025-02-09T10:05:23.120Z", e.time)
    assert.equals("error", e.kind)
    assert.equals("checkout-api POST /orders failed", e.group)
    assert.equals("fixtures/traces.json:1", e.evidence)
    -- The nanoseconds as written: the Lua time keeps milliseconds, the report the text.
    assert.equals("1739095523120456789", e.time_text)
    assert.same({
      service = "checkout-api", service_version = "1.4.2", operation = "POST /orders",
      trace_id = "4bf92f3577b34da6a3ce929d0e0e4736", span_id = "00f067aa0ba902b7", duration_ms = 1840,
      span_kind = "server", status = "error", status_message = "UNAVAILABLE: payments-svc: upstream connect error",
      exception_type = "io.grpc.StatusRuntimeException",
      ["http.request.method"] = "POST", ["http.route"] = "/orders", ["http.response.status_code"] = 502,
    }, e.fields) -- never url.full (a token in its query) nor user.id
    assert.equals("00f067aa0ba902b7", r.events[2].fields.parent_span_id)
    assert.equals("Charge", r.events[2].fields["rpc.method"])
    assert.equals(14, r.events[2].fields["rpc.grpc.status_code"])
    assert.equals("", warnings(r))
    assert.same({}, r.gaps)
  end)

  it("reads enum names, proto (snake_case) field names and instrumentationLibrarySpans", function()
    local r = run { path = "fixtures/traces.json" }
    local payments, inventory, legacy = r.events[3], r.events[4], r.events[5]
    assert.equals("server", payments.fields.span_kind) -- "SPAN_KIND_SERVER", "STATUS_CODE_ERROR"
    assert.equals("0af7651916cd43dd8448eb211c80319c", inventory.fields.trace_id) -- trace_id, a JSON number time
    assert.equals("2025-02-09T10:10:00.000Z", inventory.time)
    assert.equals(503, inventory.fields["http.status_code"])
    assert.equals("fixtures/traces.json:3", inventory.evidence)
    assert.equals("internal", legacy.fields.span_kind)
    assert.equals("fixtures/traces.json:4", legacy.evidence)
  end)

  it("makes spans slower than slow_ms events of their own kind and group", function()
    local r = run { path = "fixtures/traces.json", slow_ms = 1500 }
    assert.equals(6, #r.events)
    local slow = r.events[3]
    assert.equals("checkout-api GET /orders/{id} slow: 2.31 s (> 1.5 s)", slow.event)
    assert.equals("slow", slow.kind)
    assert.equals("checkout-api GET /orders/{id} slow", slow.group)
    assert.equals("2025-02-09T10:06:30.500Z", slow.time)
    assert.equals(2310, slow.fields.duration_ms)
    assert.equals("ok", slow.fields.status)
    -- A failed span that is also slow is one event, the failure.
    assert.equals("error", r.events[1].kind)
  end)

  it("keeps the kinds the pipeline names, and slow spans only with errors = false", function()
    local r = run { path = "fixtures/traces.json", errors = false, slow_ms = 300, slow_kind = "latency" }
    assert.same({
      "checkout-api POST /orders slow: 1.84 s (> 300 ms)",
      "checkout-api payments.v1.Payments/Charge slow: 1.83 s (> 300 ms)",
      "checkout-api GET /orders/{id} slow: 2.31 s (> 300 ms)",
      "payments-svc payments.v1.Payments/Charge slow: 350 ms (> 300 ms)",
      "payments-svc SELECT payments slow: 335 ms (> 300 ms)",
      "inventory POST /reserve slow: 3.2 s (> 300 ms)",
      "legacy-cart cart.checkout slow: 600 ms (> 300 ms)",
    }, events_text(r))
    for _, e in ipairs(r.events) do assert.equals("latency", e.kind) end
    local db = r.events[5].fields
    assert.equals("postgresql", db["db.system"])
    assert.equals("payments", db["db.name"])
    assert.equals("SELECT", db["db.operation"])
    assert.is_nil(db["db.statement"]) -- a card number in it
    r = run { path = "fixtures/traces.json", error_kind = "trace_error" }
    assert.equals("trace_error", r.events[1].kind)
  end)

  it("keeps only the services listed", function()
    local r = run { path = "fixtures/traces.json", services = { "payments-svc", "legacy-cart" } }
    assert.same({
      "payments-svc payments.v1.Payments/Charge failed: context deadline exceeded (350 ms)",
      "legacy-cart cart.checkout failed: cart is locked (600 ms)",
    }, events_text(r))
  end)
end)

describe("otlp-traces and the window", function()
  it("leaves out failures outside the incident window with its margin", function()
    -- traces.json line 6 failed at 08:00, two hours before the incident.
    local r = run { path = "fixtures/traces.json" }
    for _, e in ipairs(r.events) do assert.falsy(e.event:find("outside the window", 1, true)) end
    r = run { path = "fixtures/traces.json", margin = "3h" }
    assert.equals(6, #r.events)
    assert.equals("checkout-api POST /orders failed: an earlier failure, outside the window (100 ms)", r.events[1].event)
  end)

  it("takes start and end over the incident, and keeps spans that overlap them", function()
    -- POST /orders ran 10:05:23.120 to 10:05:24.960, the Charge call until 10:05:24.955.
    local r = run { path = "fixtures/traces.json", start = "2025-02-09T10:05:24Z", ["end"] = "2025-02-09T10:05:30Z" }
    assert.equals(2, #r.events)
    assert.equals("2025-02-09T10:05:23.120Z", r.events[1].time)
    r = run { path = "fixtures/traces.json", start = "2025-02-09T10:05:24.960Z", ["end"] = "2025-02-09T10:06:00Z" }
    assert.equals(1, #r.events)
  end)

  it("warns when no span of a file is in the window", function()
    local r = run { path = "fixtures/traces.json", start = "2025-02-10T00:00:00Z", ["end"] = "2025-02-10T01:00:00Z" }
    assert.equals(0, #r.events)
    assert.matches("fixtures/traces.json: no span overlaps the window 2025%-02%-10T00:00:00.000Z to "
      .. "2025%-02%-10T01:00:00.000Z %(the spans start from 2025%-02%-09T08:00:00.000Z to "
      .. "2025%-02%-09T10:15:00.000Z%)", warnings(r))
  end)

  it("refuses options that select nothing", function()
    assert.has_error(function() run { path = "fixtures/traces.json", errors = false } end, "no span would become an event")
    assert.has_error(function() run { path = "fixtures/traces.json", services = {} } end, "selects no span")
    assert.has_error(function()
      run { path = "fixtures/traces.json", start = "2025-02-09T11:00:00Z", ["end"] = "2025-02-09T10:00:00Z" }
    end, "not after start")
  end)
end)

describe("otlp-traces on bad input", function()
  local r = run { path = "fixtures/broken.json" }

  it("keeps what is good and salvages the whole spans of lines cut short", function()
    assert.is_nil(r.error)
    assert.same({
      "orders GET /a failed: first (120 ms)", -- line 1
      "orders GET /b failed: b1 (50 ms)", -- line 3: a batch cut in its third span...
      [[orders GET /b failed: b2 {with [brackets] and \"quotes\"} (50 ms)]],
      "orders GET /c failed: glued (70 ms)", -- ... and the batch written after it on the same line
      "shapes ends before start failed", -- line 7: spans with problems, kept
      "shapes bad trace id failed (10 ms)",
      "shapes no trace id failed (10 ms)",
      "shapes base64 ids failed (10 ms)",
      "shapes zero trace id failed (10 ms)",
      "evil-svc next GET /\u{FFFD}\u{FFFD} FAKE: all good failed: line one line two ]0;title (10 ms)", -- line 8
      "orders GET /d failed: d1 (80 ms)", -- line 9: killed mid-write in its second span
    }, events_text(r))
    assert.equals("fixtures/broken.json:3", r.events[4].evidence)
    assert.equals("fixtures/broken.json:9", r.events[11].evidence)
  end)

  it("reads base64 ids as such, and leaves out ids it cannot read", function()
    assert.equals("55555555555555555555555555555555", r.events[8].fields.trace_id)
    assert.equals("5555555555555555", r.events[8].fields.span_id)
    assert.is_nil(r.events[6].fields.trace_id)
    assert.is_nil(r.events[9].fields.trace_id) -- all zeros: OTLP's "no id"
    assert.is_nil(r.events[5].fields.duration_ms)
  end)

  it("tallies each kind of problem once, naming the first places", function()
    local w = warnings(r)
    for _, expected in ipairs {
      'fixtures/broken.json: 2 lines are not JSON (first at line 2: "panic: runtime error',
      "fixtures/broken.json: 7 batches are not shaped as OTLP traces (first at line 4: resourceSpans is not a list)",
      "fixtures/broken.json: 3 spans have no readable startTimeUnixNano (first at line 7: "
        .. "resourceSpans[3].scopeSpans[1].spans[2]: missing); skipped",
      "fixtures/broken.json:7: a span has no readable endTimeUnixNano, or ends before it starts: "
        .. "resourceSpans[3].scopeSpans[1].spans[5]: ends before it starts",
      "fixtures/broken.json:7: a span has an unknown status code: resourceSpans[3].scopeSpans[1].spans[6]: "
        .. "status.code 7; read as UNSET",
      'fixtures/broken.json:7: a span has an unreadable trace or span id: resourceSpans[3].scopeSpans[1].spans[7]: '
        .. '"xyz" is neither 32 hex digits nor base64 of 16 bytes; kept without it',
      "fixtures/broken.json: 2 spans have no trace id or span id (first at line 7",
      "fixtures/broken.json:8: a line has bytes that are not UTF-8; shown as U+FFFD",
      "fixtures/broken.json:9: the last line ends mid-batch (the exporter stopped while writing?)",
      "1 whole span(s) read before the fault",
    } do
      assert.truthy(w:find(expected, 1, true), "missing: " .. expected .. "\nin:\n" .. w)
    end
    assert.equals(9, #r.warnings)
  end)

  it("writes hostile names on one line without terminal codes", function()
    for _, e in ipairs(r.events) do
      assert.falsy(e.event:find("[%c]"), e.event)
      for _, v in pairs(e.fields) do
        if type(v) == "string" then assert.falsy(v:find("[%c]"), v) end
      end
    end
  end)

  it("says what it cannot read as a gap: empty, blank, pretty-printed, zstd", function()
    for file, reason in pairs {
      ["empty.json"] = "fixtures/empty.json is empty: no spans to read",
      ["blank.json"] = "fixtures/blank.json is empty: no spans to read",
      ["pretty.json"] = "fixtures/pretty.json is pretty-printed JSON, not a request per line: not read "
        .. "(`jq -c . FILE` writes one per line)",
      ["zstd.json"] = "fixtures/zstd.json holds zstd frames (the exporter's `compression: zstd`), not a JSON "
        .. "request per line: not read (decompress it: `zstd -d`, or export without `compression`)",
    } do
      local g = run { path = "fixtures/" .. file }
      assert.is_nil(g.error)
      assert.equals(0, #g.events)
      assert.equals(1, #g.gaps, file)
      assert.equals(reason, g.gaps[1].reason)
    end
  end)
end)

describe("otlp-traces on rotated files", function()
  it("reads the rotated files a glob names and skips the compressed ones with a warning", function()
    local r = run { path = "fixtures/rotated/traces*" }
    assert.equals(5, #r.events)
    assert.equals("fixtures/rotated/traces-2025-02-09T10-07-00.000.json:1", r.events[1].evidence)
    assert.equals("fixtures/rotated/traces.json:2", r.events[5].evidence)
    assert.equals("fixtures/rotated/traces*: 1 compressed file(s) not read: "
      .. "fixtures/rotated/traces-2025-02-09T09-00-00.000.json.zst (decompress them to read them)", warnings(r))
  end)
end)

describe("salvage", function()
  local salvage = require "salvage"
  local function span(i, extra)
    return ('{"traceId":"%032x","spanId":"%016x","name":"op %d","attributes":[{"key":"k","value":{"stringValue":%s}}],'
      .. '"status":{"code":2}}'):format(i, i, i, extra or '"v"')
  end
  local function batch(spans)
    return '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},'
      .. '"scopeSpans":[{"scope":{"name":"x"},"spans":[' .. table.concat(spans, ",") .. ']}]}]}'
  end

  it("closes a batch after its last whole span, whatever the strings hold", function()
    local text = batch { span(1, [["}]}]} \"quoted\" \\"]]), span(2), span(3) }
    local cut = text:find("op 3", 1, true)
    local doc = pm.json.decode(salvage.prefix(text, cut))
    local spans = doc.resourceSpans[1].scopeSpans[1].spans
    assert.equals(2, #spans)
    assert.equals([[}]}]} "quoted" \]], spans[1].attributes[1].value.stringValue)
    assert.equals("s", doc.resourceSpans[1].resource.attributes[1].value.stringValue)
  end)

  it("finds no span in a cut before the first one, or in text that is not the format", function()
    local text = batch { span(1) }
    assert.is_nil(salvage.prefix(text, text:find("op 1", 1, true)))
    assert.is_nil(salvage.prefix("panic: [1] {2}", 14))
    assert.is_nil(salvage.prefix('[{"a":[{"b":[{"c":[{}]}]}]}]', 28)) -- brackets nested alike, not OTLP
  end)

  it("reads the whole spans of a 1 MiB cut in well under a second", function()
    local spans = {}
    for i = 1, 8000 do spans[i] = span(i) end
    local text = batch(spans)
    assert.truthy(#text > 1048576)
    local started = os.clock()
    local doc = pm.json.decode(salvage.prefix(text, 1048576))
    local n = #doc.resourceSpans[1].scopeSpans[1].spans
    local whole = select(2, text:sub(1, 1048576):gsub('"status":{"code":2}}', ""))
    assert.equals(whole, n)
    assert.truthy(os.clock() - started < 1, ("%.2f s"):format(os.clock() - started))
  end)

  it("finds the batch glued after a cut", function()
    local a, b = batch { span(1), span(2) }, batch { span(3) }
    local glued = a:sub(1, a:find("op 2", 1, true)) .. b
    assert.equals(#glued - #b + 1, salvage.next_batch(glued, 1))
  end)
end)
