#!/usr/bin/env python3
"""A loopback HTTP server for the ctx.http tests: binds 127.0.0.1 on a free port, prints
the port on stdout, and answers a few fixed routes until it is killed."""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        if url.path == "/api/json":
            self.send(200, json.dumps({"ok": True, "query": query, "auth": self.headers.get("Authorization")}))
        elif url.path == "/api/bad-json":
            self.send(200, '{"status": "success", "data": [1, 2')
        elif url.path == "/api/missing":
            self.send(404, json.dumps({"status": "error", "error": "no such thing"}))
        elif url.path == "/api/redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/api/slow":
            time.sleep(5)
            self.send(200, "{}")
        elif url.path == "/api/unauthorized":
            self.send(401, json.dumps({"message": "Bad credentials"}))
        elif url.path == "/secret":
            self.send(200, "top secret", "text/plain")
        elif url.path == "/api/text":
            self.send(200, b"plain\x00bytes\xff", "text/plain")
        else:
            self.send(404, "not found", "text/plain")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        self.send(201, json.dumps({"received": body, "content_type": self.headers.get("Content-Type")}))

    def do_DELETE(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        self.send(200, json.dumps({"method": "DELETE", "path": urlsplit(self.path).path, "received": body}))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
