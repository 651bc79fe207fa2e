"""Connections that acknowledge every answer segment at once (Linux ``TCP_QUICKACK``).

Some servers write an answer in two pieces: the status line and headers, then the body.
Django's development server (what a local Label Studio runs) does, with Nagle's algorithm
on, so the second piece waits until the client has acknowledged the first. A Linux client
delays that acknowledgement by up to 40 ms while it waits for more data, and the two wait
for each other: every request with a small answer took about 40 ms longer than the server
needed (measured against Label Studio 1.23 on the same machine: 74 ms per annotation POST,
of which 26 ms were the server's own CPU; 31 ms with quick acknowledgements).

The kernel leaves quick-ACK mode by itself after a while, so the option is set again
before every read, which costs one system call. Only the acknowledgement timing changes:
the bytes sent and received, the requests and the connections are the same. Where the
option does not exist (macOS, Windows) the streams are the plain ones.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

#: ``None`` where the platform has no such option.
QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


class QuickAckStream(httpcore.NetworkStream):
    """A TCP stream that asks for an immediate acknowledgement before each read."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream
        sock = stream.get_extra_info("socket")
        self._sock = sock if isinstance(sock, socket.socket) else None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._sock is not None and QUICKACK is not None:
            try:
                self._sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
            except OSError:
                self._sock = None  # not TCP after all (a socket pair, a closed socket)
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return QuickAckStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class QuickAckBackend(httpcore.NetworkBackend):
    """Opens connections through another backend and wraps each in a QuickAckStream."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return QuickAckStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def quick_ack_transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's own transport (so proxies from the environment, TLS settings and request
    counting stay httpx's), its direct connections opened through a QuickAckBackend.

    httpx does not take a network backend, so the pool's is wrapped in place; an httpx
    whose pool has no such attribute gets the plain transport
    (``tests/sync/test_quickack.py`` fails then, not the sync).
    """
    transport = httpx.HTTPTransport(limits=limits)
    pool = getattr(transport, "_pool", None)
    if QUICKACK is not None and isinstance(pool, httpcore.ConnectionPool):
        inner = getattr(pool, "_network_backend", None)
        if isinstance(inner, httpcore.NetworkBackend):
            pool._network_backend = QuickAckBackend(inner)
    return transport


def uses_quick_ack(transport: httpx.BaseTransport) -> bool:
    """True when ``transport`` opens its connections through a QuickAckBackend."""
    pool = getattr(transport, "_pool", None)
    return isinstance(getattr(pool, "_network_backend", None), QuickAckBackend)
