#!/usr/bin/env python3
"""Writes scripts/bench-scale's log to argv[1]: argv[2] lines (default 1,000,000) over three
days from 2025-02-09T00:00:00Z, in the shape `kubectl logs --timestamps` gives a service
that logs key=value pairs.

About 10% of the lines are warnings and errors. Most of their messages name a request, a
pod or an upstream, so they differ (one timeline row each); some repeat word for word
(health checks, pool warnings) and fold into bursts. The incident, on the second day from
10:00 to 13:00 UTC, has ten times the error rate.

Deterministic: a fixed-seed 64-bit LCG, so every machine writes the same bytes.
"""
import sys

LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
DAY = 86400
SPAN_NS = 3 * DAY * 10**9
INCIDENT = ((DAY + 10 * 3600) * 10**9, (DAY + 13 * 3600) * 10**9)

state = 0x5DEECE66D2026
def rnd(n):
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
    return (state >> 33) % n

PATHS = ["/api/v1/orders", "/api/v1/orders/{id}", "/api/v1/users/{id}", "/api/v1/cart",
         "/api/v1/checkout", "/api/v1/inventory/{id}/stock", "/api/v1/payments/{id}/capture"]
UPSTREAMS = ["payments", "inventory", "pricing", "search", "users"]
WARN_SAME = ["connection pool at 80%", "GC pause over 200ms", "health check slow"]
ERROR_SAME = ["database connection refused", "connection pool exhausted"]

out = open(sys.argv[1], "w", encoding="ascii", newline="\n")
write = out.write
step = SPAN_NS // LINES
for i in range(LINES):
    t = i * step + rnd(step)
    s, ns = divmod(t, 10**9)
    d, rest = divmod(s, DAY)
    h, rest = divmod(rest, 3600)
    m, sec = divmod(rest, 60)
    stamp = "2025-02-%02dT%02d:%02d:%02d.%06dZ" % (9 + d, h, m, sec, ns // 1000)
    path = PATHS[rnd(len(PATHS))].replace("{id}", str(1000 + rnd(90000)))
    rid = "%08x" % rnd(1 << 32)
    roll = rnd(1000)
    hot = INCIDENT[0] <= t < INCIDENT[1]
    if hot and roll < 600 or roll < 30:
        if rnd(4) == 0:
            msg = ERROR_SAME[rnd(len(ERROR_SAME))]
        else:
            up = UPSTREAMS[rnd(len(UPSTREAMS))]
            msg = "upstream %s timed out after %dms on %s" % (up, 1000 + rnd(29000), path)
        level = "error"
    elif roll < 80:
        if rnd(3) == 0:
            msg = WARN_SAME[rnd(len(WARN_SAME))]
        else:
            msg = "slow query on %s took %dms (pod api-%05x)" % (path, 200 + rnd(5000), rnd(1 << 20))
        level = "warn"
    else:
        level, msg = "info", "request completed %s in %dms" % (path, 1 + rnd(120))
    write('%s level=%s msg="%s" rid=%s\n' % (stamp, level, msg, rid))
out.close()
