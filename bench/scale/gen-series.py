#!/usr/bin/env python3
"""Writes scripts/bench-scale's metric to argv[1]: a saved Prometheus /api/v1/query_range
response (resultType matrix) with one series of argv[2] points (default 172,801: a month at
15 s steps, both ends included) from 2025-01-26T00:00:00Z, so that the incident of
bench/scale/incident.yaml (2025-02-10 10:00 to 13:00 UTC) lies inside it.

The values are an error ratio: a daily wave with noise, and ten times higher during the
incident. Each sample is [time, "value"] as Prometheus writes it (time a JSON number, value
a string). Deterministic: a fixed-seed 64-bit LCG, so every machine writes the same bytes.
"""
import math
import sys

POINTS = int(sys.argv[2]) if len(sys.argv) > 2 else 172_801
START = 1737849600  # 2025-01-26T00:00:00Z
STEP = 15
INCIDENT = (1739181600, 1739192400)  # 2025-02-10T10:00Z .. 13:00Z

state = 0x5DEECE66D2026
def rnd(n):
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
    return (state >> 33) % n

out = open(sys.argv[1], "w", encoding="ascii", newline="\n")
out.write('{"status":"success","data":{"resultType":"matrix","result":[{"metric":'
          '{"__name__":"http_error_ratio","job":"api-service"},"values":[')
parts = []
for i in range(POINTS):
    t = START + i * STEP
    v = 0.01 + 0.005 * math.sin(2 * math.pi * (t % 86400) / 86400) + rnd(1000) / 200000
    if INCIDENT[0] <= t < INCIDENT[1]:
        v *= 10
    parts.append('[%d,"%.6f"]' % (t, v))
out.write(",".join(parts))
out.write("]}]}}\n")
out.close()
