#!/usr/bin/env python3
"""Writes the benchmark's kubectl-style log (`kubectl logs --timestamps` lines) to argv[1].

Deterministic: a fixed-seed 64-bit LCG (no `random` module), so every machine and every
Python version writes the same bytes. 2,000,000 lines (~270 MB) spread over 2 hours from
2025-02-09T10:00:00Z, about 2% of them `level=error`.
"""
import sys

LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
SPAN_NS = 2 * 3600 * 10**9
START = (10, 0, 0)  # 2025-02-09T10:00:00Z

state = 0x5DEECE66D2025  # fixed seed
def rnd(n):
    """A number in [0, n) from a 64-bit LCG (Knuth's MMIX constants), high bits."""
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
    return (state >> 33) % n

PATHS = ["/api/v1/orders", "/api/v1/orders/{id}", "/api/v1/users/{id}", "/api/v1/cart",
         "/api/v1/products?page={id}", "/api/v1/checkout", "/api/v1/inventory/{id}/stock",
         "/healthz", "/api/v1/payments/{id}/capture", "/api/v1/search?q=widgets"]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE"]
INFO = ["request completed", "request completed", "request completed", "cache hit", "cache miss"]
WARN = ["slow query", "retrying upstream call", "connection pool at 80%"]
ERROR = [("upstream timeout", 504), ("database connection refused", 503),
         ("connection pool exhausted", 503), ("internal error", 500)]

out = open(sys.argv[1], "w", encoding="ascii", newline="\n")
write = out.write
step = SPAN_NS // LINES
for i in range(LINES):
    t = i * step + rnd(step)                      # monotonic, jittered inside its slot
    s, ns = divmod(t, 10**9)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    stamp = "2025-02-09T%02d:%02d:%02d.%09dZ" % (START[0] + h, m, sec, ns)
    path = PATHS[rnd(len(PATHS))].replace("{id}", str(1000 + rnd(90000)))
    method = METHODS[rnd(len(METHODS))]
    req = "%06x" % rnd(1 << 24)
    roll = rnd(1000)
    if roll < 20:                                 # 2.0% errors
        msg, status = ERROR[rnd(len(ERROR))]
        level, dur = "error", 1000 + rnd(29000)
    elif roll < 70:                               # 5% warnings
        level, msg, status, dur = "warn", WARN[rnd(len(WARN))], 200, 200 + rnd(2000)
    else:
        level, msg, status, dur = "info", INFO[rnd(len(INFO))], 200 if rnd(50) else 404, 1 + rnd(120)
    write('%s level=%s msg="%s" method=%s path=%s status=%d duration_ms=%d rid=%s\n'
          % (stamp, level, msg, method, path, status, dur, req))
out.close()
