"""A real HTTP server on 127.0.0.1 standing in for an external LRS.

It stores statements by id like a conformant LRS (same id + same content: no
new copy; other content: 409) and can misbehave on demand: `mode` is "ok",
"500", "timeout" (answers after a delay) or "close" (drops the connection).
Statements whose id is in `refuse` are answered 400, and so is any batch that
holds one (as real LRSs refuse a whole batch for one bad statement).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from learning.xapi.lrs.multipart import parse_multipart


class FakeLRS:
    def __init__(self):
        self.mode = "ok"
        self.delay = 2.0
        self.stored: dict[str, dict] = {}
        self.deliveries: list[str] = []  # every id received, duplicates included
        self.requests = 0
        self.auth: list[str | None] = []
        self.attachments: dict[str, bytes] = {}
        self.refuse: set[str] = set()
        self._lock = threading.Lock()
        self.server = None
        self.port = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi/"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self, status, body=b""):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.end_headers()
                self.wfile.write(body)

            def _store(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                ctype = self.headers.get("Content-Type", "")
                if ctype.startswith("multipart/mixed"):
                    parts = parse_multipart(body, ctype)
                    fake.attachments.update(
                        {h["x-experience-api-hash"]: c for h, c in parts[1:]}
                    )
                    body = parts[0][1]
                data = json.loads(body)
                fake.requests += 1
                fake.auth.append(self.headers.get("Authorization"))
                if fake.mode == "500":
                    return self._answer(500, b'{"error": "boom"}')
                if fake.mode == "timeout":
                    time.sleep(fake.delay)
                if fake.mode == "close":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                statements = data if isinstance(data, list) else [data]
                query = parse_qs(urlparse(self.path).query)
                if "statementId" in query:
                    statements[0] = {**statements[0], "id": query["statementId"][0]}
                if any(s["id"] in fake.refuse for s in statements):
                    return self._answer(400, b'{"error": "invalid statement"}')
                with fake._lock:
                    if any(
                        s["id"] in fake.stored and fake.stored[s["id"]] != s
                        for s in statements
                    ):
                        return self._answer(409, b'{"error": "conflict"}')
                    for s in statements:
                        fake.deliveries.append(s["id"])
                        fake.stored.setdefault(s["id"], s)
                if self.command == "PUT":
                    return self._answer(204)
                return self._answer(
                    200, json.dumps([s["id"] for s in statements]).encode()
                )

            do_POST = _store
            do_PUT = _store

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port or 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        """Down: nothing listens on the port any more (connections are refused)."""
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
