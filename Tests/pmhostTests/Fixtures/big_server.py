#!/usr/bin/env python3
"""A loopback HTTP server that answers every GET with a body of MEGABYTES (argument 1,
default 200) MB of 'x', streamed in 1 MB writes: for the memory-limit tests. A GET of a
path ending in /zeros gets a JSON array of zeros of 4 MB instead, and one ending in
/empties a JSON array of 8 million empty arrays (24 MB). Prints its port on stdout,
serves until killed."""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIZE = int(sys.argv[1] if len(sys.argv) > 1 else 200) << 20
BLOCK = b"x" * (1 << 20)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.endswith("/zeros") or self.path.endswith("/empties"):
            if self.path.endswith("/zeros"):
                body = b"[" + b"0," * ((2 << 20) - 1) + b"0]"
            else:
                body = b"[" + b"[]," * (8_000_000 - 1) + b"[]]"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(SIZE))
        self.end_headers()
        try:
            for _ in range(SIZE >> 20):
                self.wfile.write(BLOCK)
        except (BrokenPipeError, ConnectionResetError):
            pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
