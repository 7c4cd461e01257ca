"""A real HTTP server on 127.0.0.1 for the client tests (the only address tests may reach).

Each route exercises one behaviour of the client: JSON, charsets, redirects, huge or slow
bodies, file names. ``LoopbackServer.seen`` records every request that arrived.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class LoopbackServer:
    port: int
    seen: list[str] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        self.server.record(f"{self.command} {self.path} host={self.headers['Host']}")
        route = urlsplit(self.path).path.strip("/").split("/")[0]
        getattr(self, f"_route_{route.replace('-', '_')}", self._route_missing)()

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _query(self, name: str) -> str:
        return parse_qs(urlsplit(self.path).query)[name][0]

    def _route_missing(self) -> None:
        self._send(404, b"no such page", "text/plain")

    def _route_json(self) -> None:
        body = b'{"n": 1, "f": 1.0, "s": "ol\\u00e1", "l": [true, null]}'
        self._send(200, body, "application/problem+json; charset=utf-8")

    def _route_empty_json(self) -> None:
        self._send(200, b"", "application/json")

    def _route_bad_json(self) -> None:
        self._send(200, b"{nope", "application/json")

    def _route_text(self) -> None:
        self._send(200, "olá".encode("latin-1"), "text/plain; charset=iso-8859-1")

    def _route_echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        echoed = {
            "method": self.command,
            "type": self.headers.get("Content-Type"),
            "body": self.rfile.read(length).decode(),
            "custom": self.headers.get("X-Custom"),
            "cookie": self.headers.get("Cookie"),
        }
        self._send(200, json.dumps(echoed).encode(), "application/json")

    def _route_redirect(self) -> None:
        status = int(self._query("status")) if "status=" in self.path else 302
        self._send(status, b"", "text/plain", Location=self._query("to"))

    def _route_set_cookie(self) -> None:
        self._send(200, b"ok", "text/plain", Set_Cookie="session=user-a; Path=/")

    def _route_loop(self) -> None:
        self._send(302, b"", "text/plain", Location="/loop")

    def _route_big(self) -> None:
        self._send(200, b"x" * 5000, "text/plain")

    def _route_big_chunked(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(10):
            self.wfile.write(b"y" * 1000)

    def _route_gzip_bomb(self) -> None:
        body = gzip.compress(b"\0" * 1_000_000)
        self._send(200, body, "text/plain", Content_Encoding="gzip")

    def _route_slow(self) -> None:
        time.sleep(1.5)
        self._send(200, b"late", "text/plain")

    def _route_drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "20")
        self.end_headers()
        for _ in range(20):
            self.wfile.write(b"d")
            self.wfile.flush()
            time.sleep(0.1)

    def _route_download(self) -> None:
        disposition = self.headers.get("X-Disposition")
        headers = {"Content_Disposition": disposition} if disposition else {}
        self._send(200, b"%PDF-1.4 file", "application/pdf", **headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = LoopbackServer(self.server_address[1])
        self._lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients of the timeout and size tests hang up on purpose

    def record(self, line: str) -> None:
        with self._lock:
            self.state.seen.append(line)


@contextmanager
def serving() -> Iterator[LoopbackServer]:
    """Run the server in a thread for the duration of the block."""
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd.state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
