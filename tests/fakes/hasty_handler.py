"""The HTTP side of the Hasty fake: one request in, the fake's answer (or fault) out.

Requests are parsed (path, last value of each query key, a JSON body), logged in the
fake's ``requests``, matched against its fault hooks, then answered from
``HastyFake.handle``; an :class:`ApiError` becomes its status with a ``{"code",
"message"}`` body. Every answer carries an ``X-Request-ID`` and a ``Date`` from the fake's
clock, as a real server's answers do.
"""

from __future__ import annotations

import json
import time
import uuid as uuidlib
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.hasty_rules import ApiError

if TYPE_CHECKING:
    from tests.fakes.hasty_server import HastyFake


class Handler(BaseHTTPRequestHandler):
    server_fake: HastyFake
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs hold every keep-alive answer back by tens of milliseconds
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        with self.server_fake.lock:
            self.server_fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server_fake.lock:
            self.server_fake._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            return  # the connection was cut by stop()

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header follows the fake's clock, like a real server's own clock."""
        return formatdate(self.server_fake.clock() if timestamp is None else timestamp, usegmt=True)

    def _dispatch(self) -> None:
        fake = self.server_fake
        with fake.idle:
            fake.in_flight += 1
        try:
            self._answer()
        finally:
            with fake.idle:
                fake.in_flight -= 1
                fake.idle.notify_all()

    def _answer(self) -> None:
        fake = self.server_fake
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with fake.lock:
            fake.requests.append((self.command, parts.path, query))
        fault = fake.take_fault(self.command, parts.path)
        if fault is not None and fault.kind == "status":
            self._send_json(
                fault.status, {"code": "injected", "message": fault.message}, fault.headers
            )
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay)
        body: Any = raw
        content_type = self.headers.get("Content-Type") or ""
        if raw and ("json" in content_type or not parts.path.startswith("/upload/")):
            try:
                body = json.loads(raw)
            except ValueError:
                self._send_json(
                    400, {"code": "validation_error", "message": "Body is not valid JSON"}
                )
                return
        if fault is not None and fault.kind == "malformed" and not fault.apply:
            self._send_raw(200, b'{"meta": {"total": 3}, "items": [{"id": ', "application/json")
            return
        try:
            with fake.lock:
                status, payload, headers = fake.handle(
                    self.command, parts.path, query, body, self.headers
                )
        except ApiError as exc:
            self._send_json(exc.status, {"code": exc.code, "message": exc.message})
            return
        if fault is not None and fault.kind == "after":
            self._send_json(fault.status, {"code": "injected", "message": fault.message})
            return
        if fault is not None and fault.kind == "malformed":
            self._send_raw(200, b'{"meta": {"total": 3}, "items": [{"id": ', "application/json")
            return
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass  # already gone
            return
        if isinstance(payload, bytes):
            self._send_raw(status, payload, headers.get("Content-Type", "application/octet-stream"))
        elif payload is None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.send_header("X-Request-ID", uuidlib.uuid4().hex)
            self.end_headers()
        else:
            self._send_json(status, payload, headers)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self._send_raw(status, data, "application/json", headers)

    def _send_raw(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-ID", uuidlib.uuid4().hex)
            for key, value in (headers or {}).items():
                if key.lower() != "content-type":
                    self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a delay fault)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch
