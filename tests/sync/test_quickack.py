"""Connections that acknowledge answers at once, so a server writing headers and body
apart never waits for the client's delayed acknowledgement."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import httpcore
import httpx
import pytest

from limner.sync.quickack import QUICKACK, QuickAckStream, quick_ack_transport, uses_quick_ack
from limner.sync.retry import RetryPolicy
from limner.sync.transport import Transport

linux_only = pytest.mark.skipif(QUICKACK is None, reason="TCP_QUICKACK is a Linux option")


class RecordingSocket(socket.socket):
    """A real TCP socket that remembers the options set on it."""

    def __init__(self) -> None:
        super().__init__(socket.AF_INET, socket.SOCK_STREAM)
        self.options: list[tuple[int, int, int]] = []

    def setsockopt(self, level, option, value, *rest):  # type: ignore[override]
        self.options.append((level, option, value))
        return super().setsockopt(level, option, value, *rest)


class SocketStream(httpcore.NetworkStream):
    """The least stream over one socket, to be wrapped."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.sock.recv(max_bytes)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.sock.sendall(buffer)

    def close(self) -> None:
        self.sock.close()

    def get_extra_info(self, info: str):
        return self.sock if info == "socket" else None


@pytest.fixture
def connected() -> Iterator[tuple[RecordingSocket, socket.socket]]:
    listener = socket.create_server(("127.0.0.1", 0))
    client = RecordingSocket()
    client.connect(listener.getsockname())
    peer, _ = listener.accept()
    yield client, peer
    client.close()
    peer.close()
    listener.close()


@linux_only
def test_every_read_asks_for_an_immediate_acknowledgement(connected) -> None:
    client, peer = connected
    stream = QuickAckStream(SocketStream(client))
    for piece in (b"HTTP/1.1 200 OK\r\n\r\n", b"{}"):
        peer.sendall(piece)
        assert stream.read(1024) == piece
    asked = [o for o in client.options if o[:2] == (socket.IPPROTO_TCP, QUICKACK)]
    assert asked == [(socket.IPPROTO_TCP, QUICKACK, 1)] * 2


def test_a_stream_without_a_tcp_socket_reads_as_it_is() -> None:
    left, right = socket.socketpair()  # not TCP: the option cannot be set
    try:
        stream = QuickAckStream(SocketStream(left))
        right.sendall(b"abc")
        assert stream.read(10) == b"abc"
        right.sendall(b"def")
        assert stream.read(10) == b"def"
    finally:
        left.close()
        right.close()


@linux_only
def test_the_default_transport_opens_quick_ack_connections() -> None:
    assert uses_quick_ack(quick_ack_transport(httpx.Limits(max_connections=2)))
    assert not uses_quick_ack(httpx.HTTPTransport())
    transport = Transport("http://127.0.0.1:9")
    try:
        assert uses_quick_ack(transport._client._transport)
    finally:
        transport.close()


class _Answer(http.server.BaseHTTPRequestHandler):
    """Headers and body in two writes, as Django's development server sends them."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def test_requests_over_quick_ack_connections_read_whole_answers() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    transport = Transport(
        f"http://127.0.0.1:{server.server_address[1]}", policy=RetryPolicy(attempts=1)
    )
    try:
        assert [transport.get_json("/a") for _ in range(3)] == [{"ok": True}] * 3
    finally:
        transport.close()
        server.shutdown()
        server.server_close()
