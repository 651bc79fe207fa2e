"""An HTTP relay in front of a real server: it counts requests and can answer garbage.

Label Studio cannot be told to answer a well-formed but wrongly shaped body, so the
contract suite puts this relay between limner and the server: every request is
forwarded as it came (method, path, query, headers, body) and the answer goes back as
the server gave it, except for the paths a test has "garbled", which get a fixed body
with status 200 until the test recovers them. The relay can also serve a few files of
its own (images whose URL names carry odd characters). Stopping it closes the port, so
a client sees a server that is gone, not a gateway error.
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx

_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "host",
    "upgrade",
    "proxy-connection",
}


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    status: int


class Relay:
    def __init__(self, target: str | None = None) -> None:
        self.target = target.rstrip("/") if target else None
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.files: dict[str, bytes] = {}
        self._garbled: list[tuple[re.Pattern[str], bytes]] = []
        self._client = httpx.Client(timeout=120.0) if target else None
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self._port = 0

    @property
    def url(self) -> str:
        assert self._port, "start() first"
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> Relay:
        relay = self

        class Handler(_Handler):
            owner = relay

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = int(self._server.server_address[1])
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self.lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue  # the client closed it first

    def close(self) -> None:
        self.stop()
        if self._client is not None:
            self._client.close()

    def garble(self, path_pattern: str, body: bytes) -> None:
        """GET requests whose path matches ``path_pattern`` get 200 ``body`` from now on."""
        with self.lock:
            self._garbled.append((re.compile(path_pattern), body))

    def recover(self) -> None:
        with self.lock:
            self._garbled.clear()

    def writes(self) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method not in ("GET", "HEAD")]

    def answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        path = urlsplit(target).path
        with self.lock:
            hits = [b for p, b in self._garbled if method == "GET" and p.search(path)]
        garbled = hits[0] if hits else None
        if garbled is not None:
            return self._log(method, path, 200, {"Content-Type": "application/json"}, garbled)
        if method == "GET" and path in self.files:
            return self._log(method, path, 200, {"Content-Type": "image/png"}, self.files[path])
        if self._client is None or self.target is None:
            return self._log(method, path, 404, {"Content-Type": "text/plain"}, b"not found")
        forward = {k: v for k, v in headers.items() if k.lower() not in _HOP}
        try:
            response = self._client.request(
                method, self.target + target, headers=forward, content=body or None
            )
        except httpx.TransportError as exc:
            return self._log(method, path, 502, {"Content-Type": "text/plain"}, str(exc).encode())
        out = {k: v for k, v in response.headers.items() if k.lower() not in _HOP}
        return self._log(method, path, response.status_code, out, response.content)

    def _log(
        self, method: str, path: str, status: int, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.seen.append(Seen(method, path, status))
        return status, headers, body


class _Handler(BaseHTTPRequestHandler):
    owner: Relay
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def setup(self) -> None:
        super().setup()
        with self.owner.lock:
            self.owner._connections.add(self.connection)

    def finish(self) -> None:
        with self.owner.lock:
            self.owner._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            return  # cut by stop()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items()}
        status, extra, payload = self.owner.answer(self.command, self.path, headers, body)
        try:
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve
