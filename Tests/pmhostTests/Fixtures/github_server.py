#!/usr/bin/env python3
"""A loopback stand-in for GitHub's issues REST endpoints, for the github-issues tests.

GET  /repos/OWNER/NAME/issues   lists issues, 3 per page with a Link rel="next" header
POST /repos/OWNER/NAME/issues   creates one (201); a title containing "fail-422" gets 422,
                                one containing "rate-limit" gets 403 with Retry-After
GET  /__stats                   {"created": n, "posts": n}
Every /repos call needs "Authorization: Bearer <token>" (argv[1]) or gets 401. Prints its
port, then serves until killed."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = sys.argv[1]
issues = []
posts = 0


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, value, headers=()):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, val in headers:
            self.send_header(name, val)
        self.end_headers()
        self.wfile.write(data)

    def authorised(self):
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            self.reply(401, {"message": "Bad credentials"})
            return False
        return True

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/__stats":
            return self.reply(200, {"created": len(issues), "posts": posts})
        if not url.path.endswith("/issues") or not self.authorised():
            return None if url.path.endswith("/issues") else self.reply(404, {"message": "Not Found"})
        query = parse_qs(url.query)
        page = int(query.get("page", ["1"])[0])
        label = query.get("labels", [None])[0]
        chosen = [i for i in issues if label is None or label in [l["name"] for l in i["labels"]]]
        chunk = chosen[(page - 1) * 3 : page * 3]
        headers = []
        if page * 3 < len(chosen):
            headers.append(("Link", f'<http://127.0.0.1/{url.path}?page={page + 1}>; rel="next"'))
        self.reply(200, chunk, headers)

    def do_POST(self):
        global posts
        url = urlsplit(self.path)
        if not url.path.endswith("/issues"):
            return self.reply(404, {"message": "Not Found"})
        if not self.authorised():
            return None
        posts += 1
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        if "fail-422" in payload["title"]:
            return self.reply(422, {"message": "Validation Failed"})
        if "rate-limit" in payload["title"]:
            return self.reply(403, {"message": "API rate limit exceeded"}, [("Retry-After", "60"), ("X-RateLimit-Remaining", "0")])
        number = len(issues) + 1
        issue = {
            "number": number,
            "html_url": f"https://github.example/acme/api/issues/{number}",
            "title": payload["title"],
            "body": payload.get("body", ""),
            "labels": [{"name": l} for l in payload.get("labels", [])],
            "assignees": [{"login": a} for a in payload.get("assignees", [])],
        }
        issues.append(issue)
        self.reply(201, issue)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
