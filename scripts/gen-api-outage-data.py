#!/usr/bin/env python3
"""Generate the raw data of the api-outage example (examples/api-outage/data/).

The files imitate what the real systems leave behind during the seed's incident
(API service degradation, 2025-02-09, all story times UTC): an nginx access log,
`kubectl logs` output, a Prometheus query_range response, `amtool` output, PagerDuty
log entries and a Slack export. See examples/api-outage/README.md for the storyline
and docs in shared/design/FORMATS.md for the formats.

Python 3 standard library only. Every random choice comes from a fixed seed, so
running the script again writes byte-identical files:

    python3 scripts/gen-api-outage-data.py [--out DIR]
"""

import argparse
import json
import math
import os
import random
import uuid
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
PARIS = timezone(timedelta(hours=1))  # Europe/Paris in February (CET, no DST)
SEED = 20250209


def at(hms):
    """'10:05:23' (UTC, 2025-02-09) -> aware datetime."""
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(2025, 2, 9, h, m, s, tzinfo=UTC)


def epoch(dt):
    return int(dt.timestamp())


def rng_for(name):
    # One generator per file, so changing one file never shifts another's randomness.
    return random.Random(SEED * 1000 + sum(ord(c) * (i + 1) for i, c in enumerate(name)))


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def lerp(t, t0, t1, v0, v1):
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


# ---------------------------------------------------------------------------
# nginx access log (combined, $time_local in +0100, written at request end)

FIRST_5XX = at("10:05:23")
PLATEAU_START = at("10:12:00")
MITIGATION = at("10:22:10")
LAST_5XX_BEFORE = at("10:35:00")  # no 5xx at or after this instant
MOSTLY_503 = at("10:15:30")

# Default nginx error pages with server_tokens on (nginx/1.24.0).
BODY_400, BODY_503, BODY_504 = 157, 197, 167


def error_share(t):
    """Share of non-health-check requests answered with a 5xx at time t."""
    if t < FIRST_5XX or t >= LAST_5XX_BEFORE:
        return 0.0
    if t < PLATEAU_START:
        return lerp(t.timestamp(), FIRST_5XX.timestamp(), PLATEAU_START.timestamp(), 0.05, 0.41)
    if t < MITIGATION:
        return 0.41
    if t < at("10:34:00"):
        return lerp(t.timestamp(), MITIGATION.timestamp(), at("10:34:00").timestamp(), 0.41, 0.09)
    return lerp(t.timestamp(), at("10:34:00").timestamp(), LAST_5XX_BEFORE.timestamp(), 0.09, 0.02)


USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0",
    "AcmeShop/3.14.2 (Android 14; Pixel 7) okhttp/4.12.0",
    "AcmeShop/3.14.1 (iOS 17.3; iPhone15,2) CFNetwork/1490.0.4 Darwin/23.2.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "curl/8.5.0",
]
UA_WEIGHTS = [22, 14, 12, 6, 18, 14, 6, 6, 2]
REFERERS = ["https://shop.example.com/", "https://shop.example.com/orders",
            "https://shop.example.com/checkout", "https://shop.example.com/products?page=2"]
QUOTE_UA = "Mozilla/5.0 (compatible; \\x22AcmeAudit\\x22/2.1; +https://audit.example.net/bot)"
TLS_JUNK = "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03"
MONITOR_IP, MONITOR_UA = "198.51.100.10", "Blackbox-Exporter/0.24.0"


def nginx_time(dt):
    return dt.astimezone(PARIS).strftime("%d/%b/%Y:%H:%M:%S %z")


def gen_nginx(root):
    r = rng_for("nginx")
    clients = []
    for i in range(70):
        net = "203.0.113" if i % 3 else "198.51.100"
        ip = "%s.%d" % (net, r.randint(11, 254))
        ua = r.choices(USER_AGENTS, UA_WEIGHTS)[0]
        clients.append((ip, ua))

    start, end = at("10:00:00").timestamp(), at("10:50:00").timestamp()
    times = [start]
    t = start
    while True:
        t += r.expovariate(3.0)
        if t >= end:
            break
        times.append(t)
    times.append(end)
    times.append(FIRST_5XX.timestamp() + 0.41)  # a request ends at 10:05:23 (the first 5xx)
    times.sort()

    lines = []
    first_5xx_done = False
    for ts in times:
        dt = datetime.fromtimestamp(ts, UTC)
        sec = dt.replace(microsecond=0)
        proto = "HTTP/2.0" if r.random() < 0.35 else "HTTP/1.1"
        referer = "-"
        if r.random() < 0.035:  # uptime monitor
            ip, ua = MONITOR_IP, MONITOR_UA
            method, path, status, size = "GET", "/healthz", 200, 2
            proto = "HTTP/1.1"
        else:
            ip, ua = r.choice(clients)
            if ua.startswith("Mozilla") and r.random() < 0.55:
                referer = r.choice(REFERERS)
            k = r.random()
            if k < 0.38:
                method, path, status, size = "GET", "/api/v1/orders?customer=%d" % r.randint(1000, 9999), 200, r.randint(480, 4200)
            elif k < 0.58:
                method, path, status, size = "GET", "/api/v1/orders/%d" % r.randint(90000, 99999), 200, r.randint(600, 1600)
            elif k < 0.86:
                page = r.choice(["", "", "", "?page=2", "?page=3", "?category=garden"])
                method, path, status, size = "GET", "/api/v1/products" + page, 200, r.randint(2100, 9200)
            elif k < 0.94:
                method, path, status, size = "GET", "/api/v1/products/%d" % r.randint(100, 999), 200, r.randint(700, 1900)
            else:
                method, path, status, size = "POST", "/api/v1/orders", 201, r.randint(280, 420)
            q = r.random()
            if q < 0.012:
                status, size = 404, 58
            elif q < 0.030 and method == "GET" and path.startswith("/api/v1/products"):
                status, size = 304, 0
            elif q < 0.034:
                status, size = 499, 0
            if status < 400 or status == 499:
                if r.random() < error_share(dt):
                    if dt < MOSTLY_503 or r.random() < 0.12:
                        status, size = 504, BODY_504
                    else:
                        status, size = 503, BODY_503
        if sec == FIRST_5XX and not first_5xx_done:
            # The storyline's first error: an upstream timeout on an orders lookup.
            method, path, status, size = "GET", "/api/v1/orders?customer=4821", 504, BODY_504
        if status >= 500:
            first_5xx_done = True
        request = "%s %s %s" % (method, path, proto)
        lines.append('%s - - [%s] "%s" %d %d "%s" "%s"' % (ip, nginx_time(sec), request, status, size, referer, ua))

    # The storyline needs a request that ends exactly at 10:05:23.
    assert first_5xx_done and any("[09/Feb/2025:11:05:23 +0100]" in l and '" 504 ' in l for l in lines)

    # Awkward lines real logs contain: TLS handshakes sent to port 80, a user agent
    # with a quote (nginx writes it as \x22).
    def insert(when, line):
        stamp = "[%s]" % nginx_time(at(when))
        idx = next(i for i, l in enumerate(lines) if l.split("[", 1)[1][:26] > stamp[1:27])
        lines.insert(idx, line)

    for when, ip in (("10:02:41", "198.51.100.23"), ("10:27:13", "198.51.100.23"), ("10:44:58", "203.0.113.250")):
        insert(when, '%s - - [%s] "%s" 400 %d "-" "-"' % (ip, nginx_time(at(when)), TLS_JUNK, BODY_400))
    insert("10:03:17", '203.0.113.77 - - [%s] "GET /api/v1/products?page=4 HTTP/1.1" 200 6113 "-" "%s"'
           % (nginx_time(at("10:03:17")), QUOTE_UA))
    write(root, "nginx/access.log", "\n".join(lines) + "\n")


# ---------------------------------------------------------------------------
# kubectl logs --timestamps --prefix deployment/api-service --all-containers

PODS = ["api-service-7d9f8b6c5-x2x4q", "api-service-7d9f8b6c5-k8m2n"]
FIRST_ERROR = (at("10:15:30"), 412873001)  # 2025-02-09T10:15:30.412873001Z, pod x2x4q


def k8s_ts(dt, nanos):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%09dZ" % nanos


def gen_kubectl(root):
    r = rng_for("kubectl")
    entries = []  # (sort key, line)

    def add(pod, container, dt, nanos, msg):
        key = (int(dt.timestamp()), nanos)
        entries.append((key, "[pod/%s/%s] %s %s" % (pod, container, k8s_ts(dt, nanos), msg)))

    def split_secs(t):
        s = math.floor(t)
        return datetime.fromtimestamp(s, UTC), int(round((t - s) * 1e9)) % 1000000000

    start, end = at("10:00:00").timestamp(), at("10:50:00").timestamp()
    incident = (at("10:05:00").timestamp(), at("10:35:00").timestamp())

    # Completed requests, sampled (the app logs one in N), about every 5 s per pod.
    for pod in PODS:
        t = start + r.uniform(0.0, 5.0)
        while t < end:
            dt, ns = split_secs(t)
            k = r.random()
            if k < 0.45:
                method, path, status = "GET", "/api/v1/products", 200
            elif k < 0.80:
                method, path, status = "GET", "/api/v1/orders?customer=%d" % r.randint(1000, 9999), 200
            elif k < 0.93:
                method, path, status = "GET", "/api/v1/orders/%d" % r.randint(90000, 99999), 200
            else:
                method, path, status = "POST", "/api/v1/orders", 201
            if r.random() < 0.03:
                status = 404
            slow = incident[0] <= t < incident[1] and "orders" in path
            dur = r.randint(900, 9500) if slow else r.randint(4, 48)
            qpath = path.split("?")[0]
            add(pod, "api", dt, ns,
                'level=info msg="request completed" method=%s path=%s status=%d duration_ms=%d'
                % (method, qpath, status, dur))
            t += r.uniform(4.0, 6.0)

    # Slow queries on order_items from 10:04:50, durations growing 800 -> 9000 ms.
    t = at("10:04:50").timestamp() + 0.318
    last = at("10:34:40").timestamp()
    peak_at = at("10:22:31").timestamp()
    while t <= last:
        dt, ns = split_secs(t)
        if t < peak_at:
            base = lerp(t, at("10:04:50").timestamp(), peak_at, 800, 9000)
        else:
            base = 9000
        dur = int(base * r.uniform(0.97, 1.0)) if t > at("10:04:51").timestamp() else 812
        add(r.choice(PODS), "api", dt, ns,
            'level=warn msg="slow query" table=order_items duration_ms=%d query=orders_by_customer rows_scanned=%d'
            % (dur, r.randint(3800000, 4200000)))
        t += r.uniform(10.0, 20.0)

    # Pool exhaustion: first at 10:15:30.412873001 on x2x4q, then every 2-6 s, alternating pods.
    dt, ns = FIRST_ERROR
    dt0 = dt
    t = dt.timestamp() + ns / 1e9
    waiting, i = 37, 0
    while True:
        add(PODS[i % 2], "api", dt, ns,
            'level=error msg="Database connection pool exhausted" pool=primary max=20 in_use=20 waiting=%d' % waiting)
        t += r.uniform(2.0, 6.0)
        if t > at("10:34:40").timestamp():
            break
        dt, ns = split_secs(t)
        i += 1
        if t < dt0.timestamp() + 120:
            target = lerp(t, dt0.timestamp(), dt0.timestamp() + 120, 37, 58)
        elif t < peak_at:
            target = 58
        else:
            target = lerp(t, peak_at, at("10:34:40").timestamp(), 52, 3)
        waiting = max(1, int(target + r.randint(-6, 6)))

    # The mitigation as the app saw it.
    add(PODS[0], "api", at("10:22:31"), 118402113, 'level=info msg="cache layer enabled" cache=redis ttl_s=60')
    add(PODS[1], "api", at("10:22:31"), 604977850, 'level=info msg="cache layer enabled" cache=redis ttl_s=60')

    # A klog line from the sidecar (info).
    add(PODS[1], "istio-proxy", at("10:30:00"), 0,
        "I0209 10:30:00.000000       1 envoy.go:88] stats flushed")

    # A line over 16 KiB: the kubelet splits it, each piece gets its own timestamp.
    payload = "".join(r.choice("0123456789abcdef") for _ in range(21000))
    msg = 'level=info msg="order export snapshot" export_id=exp-20250209-1040 payload="%s" bytes=%d' % (payload, len(payload))
    cut = 16 * 1024
    add(PODS[0], "api", at("10:40:02"), 731004518, msg[:cut])
    add(PODS[0], "api", at("10:40:02"), 731019044, msg[cut:])

    entries.sort(key=lambda e: e[0])
    write(root, "kubectl/api-service.log", "".join(line + "\n" for _, line in entries))


# ---------------------------------------------------------------------------
# Prometheus /api/v1/query_range (step 15s, 10:00:00 - 11:30:00)

QUERY = ('sum by (job) (rate(http_requests_total{job="api",code=~"5.."}[1m])) / '
         'sum by (job) (rate(http_requests_total{job="api"}[1m]))')


def fmt_ratio(v):
    s = ("%.7f" % v).rstrip("0")
    return s if not s.endswith(".") else s + "0"


def gen_prometheus(root):
    r = rng_for("prometheus")
    values = []
    t = at("10:00:00")
    while t <= at("11:30:00"):
        hms = t.strftime("%H:%M:%S")
        if hms == "11:02:00":
            v = "NaN"  # scrape gap: no requests seen in the window
        elif t < at("10:05:30"):
            v = fmt_ratio(r.uniform(0.0010, 0.0040))
        elif hms == "10:05:30":
            v = "0.0213377"
        elif hms == "10:05:45":
            v = "0.0712466"
        elif t < PLATEAU_START:
            base = lerp(t.timestamp(), at("10:06:00").timestamp(), PLATEAU_START.timestamp(), 0.11, 0.385)
            v = fmt_ratio(base * r.uniform(0.97, 1.03))
        elif hms == "10:18:30":
            v = "0.4012346"  # the peak
        elif t <= at("10:22:10"):
            v = fmt_ratio(r.uniform(0.372, 0.3985))
        elif t <= at("10:34:45"):
            base = lerp(t.timestamp(), at("10:22:15").timestamp(), at("10:34:45").timestamp(), 0.386, 0.058)
            v = fmt_ratio(max(0.0531, base * r.uniform(0.985, 1.015)))
        elif hms == "10:35:00":
            v = "0.0346021"
        elif hms == "10:35:15":
            v = "0.0118574"
        elif hms == "10:35:30":
            v = "0.0051229"
        else:
            v = fmt_ratio(r.uniform(0.0010, 0.0040))
        values.append([epoch(t), v])
        t += timedelta(seconds=15)
    doc = {"status": "success", "data": {"resultType": "matrix",
                                          "result": [{"metric": {"job": "api"}, "values": values}]}}
    write(root, "prometheus/error-rate.json", json.dumps(doc, separators=(",", ":")))


# ---------------------------------------------------------------------------
# amtool alert query --within=2h alertname=HighErrorRate --output json (at 10:30:00)

def go_json(obj):
    """encoding/json.Encoder output: compact, HTML-escaped, newline-terminated."""
    s = json.dumps(obj, separators=(",", ":"))
    return s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e") + "\n"


def gen_alertmanager(root):
    from urllib.parse import quote_plus
    expr = QUERY + " > 0.05"
    alert = {  # field order of the Alertmanager v2 GettableAlert model
        "annotations": {
            "description": "5xx ratio for job api is 38.2% (threshold 5%)",
            "runbook_url": "https://runbooks.example.com/api/high-error-rate",
            "summary": "High error rate",
        },
        "endsAt": "2025-02-09T10:33:45.000Z",
        "fingerprint": "a1b2c3d4e5f60718",
        "receivers": [{"name": "pagerduty-critical"}],
        "startsAt": "2025-02-09T10:06:45.000Z",
        "status": {"inhibitedBy": [], "silencedBy": [], "state": "active"},
        "updatedAt": "2025-02-09T10:29:45.000Z",
        "generatorURL": "http://prometheus.internal:9090/graph?g0.expr=" + quote_plus(expr) + "&g0.tab=1",
        "labels": {"alertname": "HighErrorRate", "job": "api", "service": "api-service", "severity": "critical"},
    }
    write(root, "alertmanager/alerts.json", go_json([alert]))


# ---------------------------------------------------------------------------
# PagerDuty GET /incidents/Q1ABCDEF2GHIJ/log_entries (account time zone Europe/Paris)

PD_API, PD_WEB = "https://api.pagerduty.com", "https://acme.pagerduty.com"
INCIDENT_ID = "Q1ABCDEF2GHIJ"


def gen_pagerduty(root):
    r = rng_for("pagerduty")
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    service = {"id": "PSVC4PI", "type": "service_reference", "summary": "api-service",
               "self": PD_API + "/services/PSVC4PI", "html_url": PD_WEB + "/service-directory/PSVC4PI"}
    alice = {"id": "PALICE1", "type": "user_reference", "summary": "Alice Chen",
             "self": PD_API + "/users/PALICE1", "html_url": PD_WEB + "/users/PALICE1"}
    incident = {"id": INCIDENT_ID, "type": "incident_reference",
                "summary": "[#4821] [FIRING:1] HighErrorRate api-service",
                "self": PD_API + "/incidents/" + INCIDENT_ID, "html_url": PD_WEB + "/incidents/" + INCIDENT_ID}

    def entry(kind, when, summary, agent, channel, **extra):
        eid = "R" + "".join(r.choice(alphabet) for _ in range(25))
        e = {"id": eid, "type": kind, "summary": summary,
             "self": PD_API + "/log_entries/" + eid,
             "html_url": PD_WEB + "/incidents/%s/log_entries/%s" % (INCIDENT_ID, eid),
             "created_at": at(when).astimezone(PARIS).isoformat(),
             "agent": agent, "channel": channel, "service": service, "incident": incident,
             "teams": [], "contexts": []}
        e.update(extra)
        return e

    entries = [
        entry("trigger_log_entry", "10:06:46", "Triggered through the API.", service,
              {"type": "events_api_v2", "summary": "[FIRING:1] HighErrorRate api-service",
               "details": {"firing": "Labels:\n - alertname = HighErrorRate\n - job = api\n"
                                     " - service = api-service\n - severity = critical\n"}},
              event_details={"description": "[FIRING:1] HighErrorRate api-service"}),
        entry("notify_log_entry", "10:08:12", "Notified Alice Chen by phone", service,
              {"type": "phone", "summary": "Phone notification"},
              user=alice, notification={"type": "phone_notification", "status": "success",
                                        "address": "+33 6 12 34 56 78"}),
        entry("acknowledge_log_entry", "10:12:00", "Acknowledged by Alice Chen", alice,
              {"type": "mobile"}, acknowledgement_timeout=1800),
        entry("resolve_log_entry", "10:40:00", "Resolved by Alice Chen", alice, {"type": "web_ui"}),
    ]
    doc = {"log_entries": entries, "limit": 25, "offset": 0, "more": False, "total": None}
    write(root, "pagerduty/log-entries.json", json.dumps(doc, indent=2) + "\n")


# ---------------------------------------------------------------------------
# Slack export (channels.json, users.json, <channel>/<day>.json)

TEAM = "T0ACME001"
CHANNEL, CHANNEL_ID = "incident-2025-02-09", "C05INC0209"
PD_BOT_USER, PD_BOT_ID = "U0PDBOT01", "B0PAGERDUTY"
PEOPLE = [  # id, name, real name, display name
    ("U01ALICE", "alice", "Alice Chen", "alice"),
    ("U02BOB", "bob", "Bob Martin", "bob"),
    ("U03CHARLIE", "charlie", "Charlie Diaz", "charlie"),
    ("U04DAN", "dan", "Dan Okafor", "dan"),
]


def slack_json(obj):
    # Slack exports are indented with 4 spaces and escape "/" (PHP json_encode).
    return json.dumps(obj, indent=4).replace("/", "\\/") + "\n"


def gen_slack(root):
    r = rng_for("slack")

    def avatar_hash():
        return "".join(r.choice("0123456789abcdef") for _ in range(12))

    users = []
    profiles = {}
    for uid, name, real, display in PEOPLE:
        h = avatar_hash()
        first, last = real.split(" ")
        profile = {"title": "", "phone": "", "skype": "", "real_name": real, "real_name_normalized": real,
                   "display_name": display, "display_name_normalized": display, "fields": {},
                   "status_text": "", "status_emoji": "", "status_expiration": 0, "avatar_hash": h,
                   "email": "%s@example.com" % name, "first_name": first, "last_name": last,
                   "image_72": "https://avatars.slack-edge.com/2023-04-11/%s_72.jpg" % h, "team": TEAM}
        users.append({"id": uid, "team_id": TEAM, "name": name, "deleted": False, "color": "9f69e7",
                      "real_name": real, "tz": "Europe/Paris", "tz_label": "Central European Time",
                      "tz_offset": 3600, "profile": profile, "is_admin": False, "is_owner": False,
                      "is_primary_owner": False, "is_restricted": False, "is_ultra_restricted": False,
                      "is_bot": False, "is_app_user": False, "updated": 1706000000 + r.randint(0, 2000000)})
        profiles[uid] = {"avatar_hash": h, "image_72": profile["image_72"], "first_name": first,
                         "real_name": real, "display_name": display, "team": TEAM, "name": name,
                         "is_restricted": False, "is_ultra_restricted": False}
    users.append({"id": PD_BOT_USER, "team_id": TEAM, "name": "pagerduty", "deleted": False, "color": "e96699",
                  "real_name": "PagerDuty", "tz": "America/Los_Angeles", "tz_label": "Pacific Standard Time",
                  "tz_offset": -28800,
                  "profile": {"title": "", "phone": "", "skype": "", "real_name": "PagerDuty",
                              "real_name_normalized": "PagerDuty", "display_name": "", "display_name_normalized": "",
                              "fields": {}, "status_text": "", "status_emoji": "", "status_expiration": 0,
                              "avatar_hash": avatar_hash(), "api_app_id": "A0PAGERDUTY", "always_active": True,
                              "bot_id": PD_BOT_ID, "first_name": "PagerDuty", "last_name": "", "team": TEAM},
                  "is_admin": False, "is_owner": False, "is_primary_owner": False, "is_restricted": False,
                  "is_ultra_restricted": False, "is_bot": True, "is_app_user": False, "updated": 1690000000})

    channels = [{"id": CHANNEL_ID, "name": CHANNEL, "created": epoch(at("10:06:48")), "creator": PD_BOT_USER,
                 "is_archived": False, "is_general": False,
                 "members": [PD_BOT_USER, "U01ALICE", "U02BOB", "U03CHARLIE"], "pins": [],
                 "topic": {"value": "HighErrorRate on api-service", "creator": PD_BOT_USER,
                           "last_set": epoch(at("10:06:48"))},
                 "purpose": {"value": "Incident channel for PagerDuty incident #4821", "creator": PD_BOT_USER,
                             "last_set": epoch(at("10:06:48"))}}]

    def ts(when):
        return "%d.%06d" % (epoch(at(when)), r.randint(1, 99) * 100)

    messages = []

    def msg(when, user, text, **extra):
        m = {"client_msg_id": str(uuid.UUID(int=r.getrandbits(128), version=4)), "type": "message",
             "text": text, "user": user, "ts": ts(when), "team": TEAM,
             "user_team": TEAM, "source_team": TEAM, "user_profile": profiles[user]}
        m.update(extra)
        messages.append(m)
        return m

    def join(when, user):
        messages.append({"type": "message", "subtype": "channel_join", "ts": ts(when), "user": user,
                         "text": "<@%s> has joined the channel" % user})

    messages.append({"type": "message", "subtype": "bot_message",
                     "text": "Triggered #4821: [FIRING:1] HighErrorRate api-service", "ts": ts("10:06:50"),
                     "username": "PagerDuty", "bot_id": PD_BOT_ID,
                     "icons": {"image_48": "https://slack-files2.s3-us-west-2.amazonaws.com/avatars/pagerduty_48.png"}})
    join("10:09:02", "U01ALICE")
    join("10:09:14", "U02BOB")
    ask = msg("10:09:30", "U02BOB", "<@U01ALICE> are you looking at the API errors?")
    reply = msg("10:10:05", "U01ALICE", "yes, on it", thread_ts=ask["ts"], parent_user_id="U02BOB")
    ask.update({"thread_ts": ask["ts"], "reply_count": 1, "reply_users_count": 1,
                "latest_reply": reply["ts"], "reply_users": ["U01ALICE"], "is_locked": False, "subscribed": False})
    msg("10:13:20", "U01ALICE", "nginx shows 504s from the api upstream, checking the app logs")
    msg("10:18:45", "U01ALICE", "Database queries identified as slow. pganalyze shows the orders lookup "
                                "from v2.3.0 doing a full table scan on order_items.")
    msg("10:19:30", "U02BOB", "that query is new in v2.3.0, no index on customer_id",
        edited={"user": "U02BOB", "ts": "%d.000000" % epoch(at("10:20:00"))})
    msg("10:22:10", "U01ALICE", "Cache layer deployed as mitigation. kubectl rollout status deploy/api-cache "
                                "finished, watching the error rate.")
    join("10:24:41", "U03CHARLIE")
    msg("10:25:00", "U03CHARLIE", "error rate is dropping on the dashboard")
    msg("10:36:00", "U01ALICE", "error rate back to normal since 10:35")
    msg("10:40:30", "U01ALICE", "resolved in PagerDuty, post-mortem tomorrow")
    messages.sort(key=lambda m: m["ts"])

    write(root, "slack/channels.json", slack_json(channels))
    write(root, "slack/users.json", slack_json(users))
    write(root, "slack/%s/2025-02-09.json" % CHANNEL, slack_json(messages))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "examples", "api-outage", "data")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=default_out, help="data folder (default: %(default)s)")
    out = os.path.normpath(ap.parse_args().out)
    gen_nginx(out)
    gen_kubectl(out)
    gen_prometheus(out)
    gen_alertmanager(out)
    gen_pagerduty(out)
    gen_slack(out)


if __name__ == "__main__":
    main()
