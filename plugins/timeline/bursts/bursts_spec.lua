local function ev(clock, source, text, group, evidence)
  return { time = "2025-02-09T" .. clock .. "Z", source = source, event = text, group = group,
    kind = "error", evidence = evidence }
end

local NGINX, APP = "nginx access logs", "app logs"
local POOL = "Database connection pool exhausted"

local events = {
  ev("10:05:23", NGINX, "HTTP 504 GET /api/v1/orders", "5xx errors", "access.log:973"),
  ev("10:05:25", NGINX, "HTTP 504 GET /api/v1/orders/97019", "5xx errors", "access.log:989"),
  ev("10:05:30", "edge logs", "HTTP 502 GET /", "5xx errors", "edge.log:7"), -- another source
  ev("10:06:00", NGINX, "HTTP 503 GET /api/v1/products", "5xx errors", "access.log:1100"),
  { time = "2025-02-09T10:08:12Z", source = "PagerDuty", event = "On-call engineer paged", kind = "paged", actor = "System" },
  { time = "2025-02-09T10:08:13Z", source = "PagerDuty", event = "On-call engineer paged", kind = "paged", actor = "System" },
  ev("10:15:30", APP, POOL, POOL, "api.log:414"),
  ev("10:15:33", APP, POOL, POOL, "api.log:417"),
  ev("10:19:00", APP, POOL, POOL, "api.log:600"),
  ev("10:20:00", NGINX, "HTTP 503 GET /api/v1/orders", "5xx errors", "access.log:4000"), -- 14 min after the last 5xx
  ev("10:23:59", APP, POOL, POOL, "api.log:800"), -- 299 s after the previous one
  ev("10:34:39", APP, POOL, POOL, "api.log:1236"), -- 640 s later: a new burst
}

local function rows(r)
  local out = {}
  for i, e in ipairs(r.events) do
    out[i] = ("%s %s x%d"):format(pm.time.format(e.t, "clock"), e.event, e.count)
  end
  return out
end

describe("bursts", function()
  describe("defaults", function()
    local r = plugin.run({}, { events = events })

    it("folds runs of the same source and group, leaving ungrouped events alone", function()
      assert.is_nil(r.error)
      assert.same({
        "10:05:23 First 5xx errors appear x3",
        "10:05:30 HTTP 502 GET / x1",
        "10:08:12 On-call engineer paged x1",
        "10:08:13 On-call engineer paged x1",
        "10:15:30 Database connection pool exhausted x4",
        "10:20:00 HTTP 503 GET /api/v1/orders x1",
        "10:34:39 Database connection pool exhausted x1",
      }, rows(r))
    end)

    it("keeps the first and last time and evidence of a burst", function()
      local first = r.events[1]
      assert.equals("2025-02-09T10:05:23.000Z", first.time)
      assert.equals("2025-02-09T10:06:00.000Z", pm.time.format(first.last))
      assert.equals("access.log:973 .. access.log:1100", first.evidence)
      assert.equals(NGINX, first.source)
      assert.equals("error", first.kind)
      local pool = r.events[5]
      assert.equals("2025-02-09T10:23:59.000Z", pm.time.format(pool.last))
      assert.equals("api.log:414 .. api.log:800", pool.evidence)
      assert.equals("System", r.events[3].actor)
    end)
  end)

  it("only folds runs of at least min_count events", function()
    local r = plugin.run({ min_count = 4 }, { events = events })
    assert.equals(9, #r.events)
    assert.equals("10:05:25 HTTP 504 GET /api/v1/orders/97019 x1", rows(r)[2])
    assert.equals("10:15:30 Database connection pool exhausted x4", rows(r)[7])
  end)

  it("ends a burst after gap seconds of quiet and uses the title", function()
    local r = plugin.run({ gap = 10, title = "%s begin" }, { events = events })
    assert.same({
      "10:05:23 5xx errors begin x2",
      "10:05:30 HTTP 502 GET / x1",
      "10:06:00 HTTP 503 GET /api/v1/products x1",
      "10:08:12 On-call engineer paged x1",
      "10:08:13 On-call engineer paged x1",
      "10:15:30 Database connection pool exhausted x2",
      "10:19:00 Database connection pool exhausted x1",
      "10:20:00 HTTP 503 GET /api/v1/orders x1",
      "10:23:59 Database connection pool exhausted x1",
      "10:34:39 Database connection pool exhausted x1",
    }, rows(r))
  end)

  it("adds up the counts of rows that were already folded", function()
    local folded = ev("10:15:30", APP, POOL, POOL, "api.log:414")
    folded.count, folded.last = 10, pm.time.parse("2025-02-09T10:20:00Z")
    local r = plugin.run({}, { events = { folded, ev("10:24:00", APP, POOL, POOL, "api.log:900") } })
    assert.same({ "10:15:30 Database connection pool exhausted x11" }, rows(r))
    assert.equals("2025-02-09T10:24:00.000Z", pm.time.format(r.events[1].last))
  end)

  it("leaves a report's ungrouped timeline as it was", function()
    local r = plugin.run({}, { report = "fixtures/report.json" })
    assert.is_nil(r.error)
    assert.same({
      "10:05:23 First 5xx errors appear x1521",
      "10:08:12 On-call engineer paged x1",
      "10:08:12 On-call engineer paged x1",
      "10:15:30 Database connection pool exhausted x288",
    }, rows(r))
  end)
end)
