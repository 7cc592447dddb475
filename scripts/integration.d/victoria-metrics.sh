# Debian's victoria-metrics, holding a month of 15 s samples that end the day after the
# example incident: the prometheus collector reads them through the Prometheus query API in
# consecutive ranges (a month at 15 s is 172,801 points per series; Prometheus' limit is
# 11,000 and this server refuses more than 30,000 in one request, HTTP 422 "too many points").
#
# Series (all from 2025-01-11T18:50:00Z to 2025-02-10T18:50:00Z, every 15 s, unless said):
#   api_error_ratio{job="api",service="api-service"}   0.2-0.4 %, and the incident's spike: above
#     0.05 from 10:05:45Z to 10:34:45Z on 2025-02-09 (back under it at 10:35:00Z, like the
#     Prometheus data of scripts/integration), peaking at 0.41 across 10:20:00Z, which is
#     where the collector's 16th range starts (window start + 15 x 11,000 x 15 s);
#   api_requests_per_second{job="api",instance="a"|"b"}  the whole month;
#   api_requests_per_second{job="api",instance="c"}      from 2025-02-01T00:00:00Z only (a
#     series found in only some of the ranges).
# The samples are kept in DIR/history.prom (Prometheus text format, times in ms), which the
# tests compare the collected series with: PMHOST_IT_VICTORIA_DATA.
it_packages+=(victoria-metrics)

it_start_victoria_metrics() { # DIR
  local dir=$1 port url expected got deadline
  port=$(free_port)
  url="http://127.0.0.1:$port"
  # -retentionPeriod=100y: samples older than the retention are refused, and these are from
  # 2025. -search.disableCache: no range-query answer cached while the backfill is read.
  victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$dir/data" \
    -retentionPeriod=100y -search.maxPointsPerTimeseries=30000 -search.disableCache \
    >"$dir/server.log" 2>&1 &
  server_pid[victoria-metrics]=$!
  wait_ready victoria-metrics "$url/health" "$dir/server.log"

  python3 - "$dir/history.prom" <<'EOF'
import sys
from datetime import datetime, timezone

def at(day, hms):
    h, m, s = (int(x) for x in hms.split(":"))
    y, mo, d = (int(x) for x in day.split("-"))
    return int(datetime(y, mo, d, h, m, s, tzinfo=timezone.utc).timestamp())

START, END, STEP = at("2025-01-11", "18:50:00"), at("2025-02-10", "18:50:00"), 15
C_FROM = at("2025-02-01", "00:00:00")
BAD_FROM, PLATEAU = at("2025-02-09", "10:05:45"), at("2025-02-09", "10:12:00")
MITIGATED, LAST_BAD = at("2025-02-09", "10:22:10"), at("2025-02-09", "10:34:45")
RECOVERED, QUIET = at("2025-02-09", "10:35:00"), at("2025-02-09", "10:40:00")

def error_ratio(t):
    if BAD_FROM <= t < PLATEAU:
        return 0.0647 + (0.41 - 0.0647) * (t - BAD_FROM) / (PLATEAU - BAD_FROM)
    if PLATEAU <= t < MITIGATED:
        return 0.41
    if MITIGATED <= t <= LAST_BAD:
        return 0.41 - (0.41 - 0.0775) * (t - MITIGATED) / (LAST_BAD - MITIGATED)
    if RECOVERED <= t < QUIET:
        return 0.0397 - (0.0397 - 0.003) * (t - RECOVERED) / (QUIET - RECOVERED)
    return 0.002 + 0.001 * ((t // STEP) % 3)  # background noise, 0.2-0.4 %

with open(sys.argv[1], "w") as f:
    for t in range(START, END + 1, STEP):
        ms = t * 1000
        f.write(f'api_error_ratio{{job="api",service="api-service"}} {error_ratio(t):.6f} {ms}\n')
        f.write(f'api_requests_per_second{{job="api",instance="a"}} {100 + (t // STEP) % 60} {ms}\n')
        f.write(f'api_requests_per_second{{job="api",instance="b"}} {80 + (t // STEP) % 37} {ms}\n')
        if t >= C_FROM:
            f.write(f'api_requests_per_second{{job="api",instance="c"}} {50 + (t // STEP) % 11} {ms}\n')
EOF
  expected=$(wc -l <"$dir/history.prom")
  curl -sS --fail-with-body -X POST --data-binary "@$dir/history.prom" "$url/api/v1/import/prometheus" \
    >"$dir/import.out" 2>&1 || { cat "$dir/import.out" >&2; say "victoria-metrics import failed"; exit 1; }
  curl -sS --fail-with-body "$url/internal/force_flush" >/dev/null
  # Searchable when every sample is counted (one instant query over the whole month).
  deadline=$((SECONDS + 60))
  while :; do
    got=$(curl -sS "$url/api/v1/query" --data-urlencode 'query=sum(count_over_time({job="api"}[31d]))' \
      --data-urlencode "time=$(date -u -d 2025-02-10T18:50:00Z +%s)" |
      python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
    [ "$got" = "$expected" ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "victoria-metrics holds $got of the $expected samples after 60 s; its log:"
      tail -n 40 "$dir/server.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  say "victoria-metrics: backfilled $expected samples at $url"
  it_env+=(PMHOST_IT_VICTORIA_URL="$url" PMHOST_IT_VICTORIA_DATA="$dir/history.prom")
  it_urls+=("$url")
}
