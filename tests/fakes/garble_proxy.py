"""A reverse proxy on 127.0.0.1 that answers garbage on chosen routes, then recovers.

Put in front of a real server, it forwards every request unchanged (method, path, query,
headers, body) and relays the answer byte for byte, except for the first N requests to a
route armed with :meth:`GarbleProxy.garble`: those get ``200`` with the valid JSON
``[1, 2, 3]``, the shape no adapter expects. It models a server (or a proxy in front of
it) that misbehaves for a while and comes back, so tests can check that sync reports the
failure and recovers by itself.

Routes are matched on the path alone (no query). Counters say how many requests were
garbled and forwarded per path, so a test can wait for the recovery it caused.
"""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

GARBAGE = b"[1,2,3]"
# Hop-by-hop headers belong to one connection and are not relayed (RFC 9110, 7.6.1).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


class GarbleProxy:
    """``with GarbleProxy(upstream) as proxy: ... proxy.url ...``"""

    def __init__(self, upstream: str, *, timeout: float = 60.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, got {upstream!r}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.upstream_netloc = parts.netloc
        self.timeout = timeout
        self.garbled: Counter[str] = Counter()
        self.forwarded: Counter[str] = Counter()
        self._armed: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="garble-proxy", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def garble(self, path: str, times: int) -> None:
        """Answer ``[1,2,3]`` to the next ``times`` requests whose path is ``path``."""
        with self._lock:
            self._armed[path] += times

    def take(self, path: str) -> bool:
        """Whether this request to ``path`` is to be garbled (and count it either way)."""
        with self._lock:
            if self._armed[path] > 0:
                self._armed[path] -= 1
                self.garbled[path] += 1
                return True
            self.forwarded[path] += 1
            return False

    def start(self) -> GarbleProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> GarbleProxy:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(_Relay):
            owner = proxy

        return Handler


class _Relay(BaseHTTPRequestHandler):
    owner: GarbleProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def _relay(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.owner.take(path):
            self._answer(200, [("Content-Type", "application/json")], GARBAGE)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = self.owner.upstream_netloc
        upstream = http.client.HTTPConnection(
            self.owner.upstream_host, self.owner.upstream_port, timeout=self.owner.timeout
        )
        try:
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
            relayed = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
            self._answer(answer.status, relayed, content)
        finally:
            upstream.close()

    def _answer(self, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
        self.send_response_only(status)  # the upstream's own Date and Server are relayed
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = _relay
    do_POST = _relay
    do_PUT = _relay
    do_PATCH = _relay
    do_DELETE = _relay
    do_HEAD = _relay
