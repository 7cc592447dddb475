#!/usr/bin/env python3
"""scripts/bench-scale's look into what a run wrote. Each command prints one line of
`key=value` pairs (values without spaces, or a last `sample=` that runs to the end of the
line) for the script to read, and exits 0; 1 when the file cannot be read as expected.

  inspect.py labels REPORT.html      the SVG <text> labels: how many, how many carry a date
                                     (2025-02-10 or Feb 10), a few of the dated ones
  inspect.py chart REPORT.html       the most points drawn by one polyline or path of an SVG
                                     (a chart's line), and how many such lines there are
  inspect.py points REPORT.json      the points of each series in report.json
  inspect.py write FILE DIR          the time to write FILE's bytes to a new file in DIR
                                     (open, write, close; median of 5, the bytes already in
                                     memory): the baseline of the series target
"""
import html
import json
import re
import statistics
import sys
import time

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
TAG = re.compile(r"<[^>]+>")
DATED = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}\b")
POINTS = re.compile(r"<polyline\b[^>]*?\bpoints=\"([^\"]*)\"", re.S)
PATH = re.compile(r"<path\b[^>]*?\bd=\"([^\"]*)\"", re.S)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def svgs(name):
    with open(name, encoding="utf-8", errors="replace") as f:
        return SVG.findall(f.read())


def labels(name):
    texts = []
    for svg in svgs(name):
        for raw in TEXT.findall(svg):
            texts.append(" ".join(html.unescape(TAG.sub("", raw)).split()))
    dated = [t for t in texts if DATED.search(t)]
    sample = " | ".join(dict.fromkeys(dated))  # distinct, in page order
    print(f"labels={len(texts)} dated={len(dated)} sample={sample[:160]}")


def chart(name):
    lines = []
    for svg in svgs(name):
        for points in POINTS.findall(svg):
            lines.append(len(NUMBER.findall(points)) // 2)
        for d in PATH.findall(svg):
            lines.append(len(NUMBER.findall(d)) // 2)
    print(f"lines={len(lines)} most={max(lines) if lines else 0}")


def points(name):
    with open(name, encoding="utf-8") as f:
        report = json.load(f)
    counts = [len(s.get("points") or []) for s in report.get("series") or []]
    print(f"series={len(counts)} points={','.join(map(str, counts)) or 0}")


def write(name, folder):
    with open(name, "rb") as f:
        data = f.read()
    times = []
    for i in range(5):
        t0 = time.perf_counter()
        with open(f"{folder}/write-baseline-{i}.json", "wb") as out:
            out.write(data)
        times.append(time.perf_counter() - t0)
    print(f"bytes={len(data)} seconds={statistics.median(times):.6f}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    try:
        {"labels": labels, "chart": chart, "points": points, "write": write}[command](*args)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        print(f"inspect.py {command}: {e}", file=sys.stderr)
        sys.exit(1)
