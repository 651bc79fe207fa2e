"""HTTP transport: classification, retries with Retry-After, auth only to the own host,
answer shapes and size caps, downloads, redacted server text, TLS failures."""

from __future__ import annotations

import contextlib
import datetime
import gzip
import ipaddress
import logging
import random
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from limner.sync.errors import (
    AuthError,
    NotFoundError,
    OfflineError,
    ProtocolError,
    TLSError,
    TransientError,
    ValidationError,
)
from limner.sync.retry import Backoff, RetryPolicy
from limner.sync.transport import (
    HeaderAuth,
    Transport,
    error_message,
    parse_retry_after,
    redact_url,
)

TOKEN = "s3cr3t-token-value"


def make(handler, attempts: int = 4) -> tuple[Transport, list[float]]:
    sleeps: list[float] = []
    policy = RetryPolicy(
        attempts=attempts, base=1.0, cap=8.0, sleeper=sleeps.append, rng=random.Random(7)
    )
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return Transport(
        "http://ls.local:8080",
        HeaderAuth("Authorization", f"Token {TOKEN}"),
        policy=policy,
        client=client,
    ), sleeps


def test_429_with_retry_after_is_honoured_then_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "slow down"}),
            httpx.Response(503, text="busy"),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    transport, sleeps = make(lambda request: next(answers))
    assert transport.get_json("/api/x") == {"ok": True}
    assert sleeps[0] == 7.0
    assert 0.0 <= sleeps[1] <= 2.0  # jittered second backoff step, capped


def test_backoff_is_capped_and_gives_up() -> None:
    transport, sleeps = make(lambda request: httpx.Response(502, text="bad gateway"), attempts=6)
    with pytest.raises(TransientError, match="502"):
        transport.get_json("/api/x")
    assert len(sleeps) == 5
    assert all(0.0 <= s <= 8.0 for s in sleeps)


def test_errors_are_classified_with_the_servers_words() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return {
            "/a": httpx.Response(401, json={"detail": "Invalid token."}),
            "/b": httpx.Response(404, json={"detail": "Not found."}),
            "/c": httpx.Response(
                400, json={"detail": "Validation error", "validation_errors": {"result": ["bad"]}}
            ),
        }[request.url.path]

    transport, sleeps = make(handler)
    with pytest.raises(AuthError, match="Invalid token"):
        transport.get_json("/a")
    with pytest.raises(NotFoundError):
        transport.get_json("/b")
    with pytest.raises(ValidationError, match="result"):
        transport.get_json("/c")
    assert sleeps == []  # none of these is retried


def test_unreachable_server_is_offline() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    transport, sleeps = make(handler, attempts=3)
    with pytest.raises(OfflineError):
        transport.get_json("/api/x")
    assert len(sleeps) == 2


def test_token_only_goes_to_the_configured_host() -> None:
    seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.headers.get("authorization")
        if request.url.host == "ls.local":
            return httpx.Response(302, headers={"Location": "https://cdn.example.org/img.jpg"})
        return httpx.Response(200, content=b"jpeg bytes")

    transport, _ = make(handler)
    assert transport.request("GET", "/data/upload/1/a.jpg").content == b"jpeg bytes"
    assert seen["ls.local"] == f"Token {TOKEN}"
    assert seen["cdn.example.org"] is None


def test_logs_carry_request_ids_and_never_the_token(caplog) -> None:
    transport, _ = make(lambda request: httpx.Response(200, json={}))
    with caplog.at_level(logging.DEBUG, logger="limner.sync.http"):
        transport.get_json("/api/x", params={"token": TOKEN, "page": 2})
    text = caplog.text
    assert "req=" in text and "GET" in text and "page=2" in text
    assert TOKEN not in text


def test_helpers() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert redact_url("http://h/x?token=abc&a=1") == "http://h/x?token=%2A%2A%2A&a=1"


# -- shapes of answers --------------------------------------------------------------------
def test_get_object_names_the_route_and_the_wrong_shape() -> None:
    transport, sleeps = make(lambda request: httpx.Response(200, json=[1, 2, 3]))
    with pytest.raises(ProtocolError) as caught:
        transport.get_object("/api/tasks/", params={"token": TOKEN, "page": 1})
    assert str(caught.value) == "GET /api/tasks/: expected an object, got a list"
    assert caught.value.route == "GET /api/tasks/"
    assert sleeps == []  # the same answer would come again: not retried


def test_get_list_reads_a_list_or_the_list_under_a_key() -> None:
    answers = {
        "/plain": httpx.Response(200, json=[{"id": 1}, {"id": 2}]),
        "/keyed": httpx.Response(200, json={"tasks": [{"id": 3}], "total": 1}),
        "/numbers": httpx.Response(200, json={"tasks": [{"id": 3}, 7]}),
        "/object": httpx.Response(200, json={"id": 1}),
    }
    transport, _ = make(lambda request: answers[request.url.path])
    assert [t["id"] for t in transport.get_list("/plain")] == [1, 2]
    assert [t["id"] for t in transport.get_list("/keyed", key="tasks")] == [3]
    with pytest.raises(ProtocolError, match=r"GET /numbers: tasks\[1\] should be an object"):
        transport.get_list("/numbers", key="tasks")
    with pytest.raises(ProtocolError, match="GET /object: expected a list, got an object"):
        transport.get_list("/object")
    with pytest.raises(ProtocolError, match="has no 'tasks'"):
        transport.get_list("/object", key="tasks")


def test_an_answer_that_is_not_json_is_a_protocol_error() -> None:
    page = "<html><body>Sign in to the hotel wifi</body></html>"
    transport, _ = make(
        lambda request: httpx.Response(200, text=page, headers={"Content-Type": "text/html"})
    )
    with pytest.raises(ProtocolError, match=r"GET /api/x: expected JSON.*text/html"):
        transport.get_json("/api/x")
    empty, _ = make(lambda request: httpx.Response(204))
    with pytest.raises(ProtocolError, match="empty answer"):
        empty.get_json("/api/x")


# -- size caps ----------------------------------------------------------------------------
class CountingStream(httpx.SyncByteStream):
    """A body of ``chunks`` pieces that counts how many were actually read."""

    def __init__(self, chunks: int, size: int = 1024) -> None:
        self.chunks, self.size, self.read = chunks, size, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.read += 1
            yield b"x" * self.size


def capped(handler, **limits: int) -> Transport:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    policy = RetryPolicy(attempts=3, sleeper=lambda s: None)
    return Transport("http://ls.local:8080", policy=policy, client=client, **limits)


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    body = CountingStream(100)
    headers = {"Content-Type": "application/json", "Content-Length": str(100 * 1024)}
    transport = capped(
        lambda request: httpx.Response(200, headers=headers, stream=body), max_json_bytes=4096
    )
    with pytest.raises(ProtocolError, match=r"GET /api/big: answer too large \(102400 bytes"):
        transport.get_json("/api/big")
    assert body.read == 0


def test_an_undeclared_length_is_cut_off_at_the_cap() -> None:
    body = CountingStream(10_000)
    transport = capped(
        lambda request: httpx.Response(
            200, headers={"Content-Type": "application/json"}, stream=body
        ),
        max_json_bytes=64 * 1024,
    )
    with pytest.raises(ProtocolError, match="answer too large"):
        transport.get_json("/api/big")
    assert 64 <= body.read <= 65  # one chunk past the cap, never the whole body


def test_the_cap_counts_decoded_bytes() -> None:
    bomb = gzip.compress(b"0" * (2 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    transport = capped(
        lambda request: httpx.Response(200, headers=headers, content=bomb),
        max_json_bytes=1024 * 1024,
    )
    with pytest.raises(ProtocolError, match="answer too large"):
        transport.get_json("/api/x")


def test_answers_within_the_caps_still_work_as_before() -> None:
    image = b"\x89PNG" + b"p" * 5000

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/img.png":
            return httpx.Response(200, content=image, headers={"Content-Type": "image/png"})
        return httpx.Response(200, json={"exactly": "x" * 4000})

    transport = capped(handler, max_json_bytes=4096)
    # image bytes read with request() are capped by the download cap, not the JSON one
    assert transport.request("GET", "/img.png").content == image
    assert len(transport.get_json("/api/x")["exactly"]) == 4000
    with pytest.raises(ProtocolError):
        transport.request("GET", "/img.png", max_bytes=1000)


def test_a_huge_error_answer_keeps_its_status_and_a_short_message() -> None:
    transport = capped(
        lambda request: httpx.Response(500, text="boom " * 1_000_000), max_json_bytes=4096
    )
    with pytest.raises(TransientError) as caught:
        transport.get_json("/api/x")
    assert "500" in str(caught.value)
    assert len(str(caught.value)) < 400


# -- downloads ----------------------------------------------------------------------------
def test_download_streams_to_the_target_with_credentials_for_the_own_host_only(
    tmp_path: Path,
) -> None:
    seen: dict[str, str | None] = {}
    payload = bytes(range(256)) * 4096

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.headers.get("authorization")
        if request.url.host == "ls.local":
            return httpx.Response(302, headers={"Location": "https://cdn.example.org/a.jpg"})
        return httpx.Response(200, content=payload, headers={"Content-Type": "image/jpeg"})

    transport, _ = make(handler)
    target = tmp_path / "a.jpg"
    assert transport.download("/data/upload/1/a.jpg", target) == len(payload)
    assert target.read_bytes() == payload
    assert seen == {"ls.local": f"Token {TOKEN}", "cdn.example.org": None}


def test_download_has_its_own_cap(tmp_path: Path) -> None:
    declared = CountingStream(64)
    headers = {"Content-Length": str(64 * 1024)}
    transport = capped(lambda request: httpx.Response(200, headers=headers, stream=declared))
    with pytest.raises(ProtocolError, match="answer too large"):
        transport.download("/big.bin", tmp_path / "big.bin", max_bytes=10_000)
    assert declared.read == 0
    streamed = CountingStream(1000)
    transport = capped(
        lambda request: httpx.Response(200, stream=streamed), max_download_bytes=20_000
    )
    with pytest.raises(ProtocolError, match="answer too large"):
        transport.download("/big.bin", tmp_path / "big.bin")
    assert streamed.read <= 21
    assert (tmp_path / "big.bin").stat().st_size <= 20_000


def test_download_retries_a_body_cut_in_the_middle(tmp_path: Path) -> None:
    payload = b"abcdefgh" * 10_000
    attempts: list[int] = []

    class CutStream(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield payload[:1000]
            raise httpx.ReadError("connection reset by peer")

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            return httpx.Response(200, stream=CutStream())
        return httpx.Response(200, content=payload)

    transport, sleeps = make(handler)
    target = tmp_path / "x.bin"
    assert transport.download("/x.bin", target) == len(payload)
    assert target.read_bytes() == payload
    assert len(attempts) == 2 and len(sleeps) == 1


def test_download_of_a_missing_file_writes_nothing(tmp_path: Path) -> None:
    transport, _ = make(lambda request: httpx.Response(404, json={"detail": "Not found."}))
    with pytest.raises(NotFoundError, match="Not found"):
        transport.download("/gone.jpg", tmp_path / "gone.jpg")
    assert not (tmp_path / "gone.jpg").exists()


# -- what servers say, shortened and redacted ---------------------------------------------
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoxMjN9.c2lnbmF0dXJlLXZhbHVl"


@pytest.mark.parametrize(
    "body",
    [
        f"Invalid header: Authorization: Token {TOKEN}",
        f"bad credentials Bearer {JWT}",
        f"refused Key {TOKEN}",
        f"upstream fetch of https://x.example/a.jpg?api_key={TOKEN}&size=2 failed",
        f"expired access {JWT}",
        f'{{"detail": "bad", "validation_errors": {{"refresh": "{TOKEN}"}}}}',
        f"{{'token': '{TOKEN}'}}",
    ],
)
def test_server_text_is_redacted(body: str) -> None:
    shown = error_message(httpx.Response(400, text=body))
    assert TOKEN not in shown and JWT not in shown and "eyJ" not in shown
    assert "***" in shown


def test_server_text_is_one_short_line_without_control_characters() -> None:
    body = "Line one\r\nline\ttwo\x00\x1b[2J\u202eexe.gnp" + " and more" * 200
    shown = error_message(httpx.Response(500, text=body))
    assert len(shown) <= 300
    assert "\n" not in shown and "\x00" not in shown and "\x1b" not in shown
    assert "\u202e" not in shown
    assert shown.startswith("Line one line two")
    json_body = error_message(httpx.Response(400, json={"detail": "x" * 1000}))
    assert len(json_body) <= 300
    assert error_message(httpx.Response(400, text="Token expired")) == "Token expired"


def test_redacted_server_text_reaches_neither_the_error_nor_the_log(caplog) -> None:
    transport, _ = make(
        lambda request: httpx.Response(403, json={"detail": f"token {TOKEN} has no access"})
    )
    with caplog.at_level(logging.DEBUG, logger="limner"):
        with pytest.raises(AuthError) as caught:
            transport.get_json("/api/x")
        logging.getLogger("limner.test").error("sync failed: %s", caught.value)
    assert TOKEN not in str(caught.value)
    assert TOKEN not in caplog.text


# -- TLS ----------------------------------------------------------------------------------
class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the IP address 127.0.0.1 only (not for "localhost")."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
             "-subj", "/CN=limner test", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True,
        )  # fmt: skip
        return cert, key
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "limner test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key


@contextlib.contextmanager
def _serving(tls: tuple[Path, Path] | None) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _certificate(tmp_path_factory.mktemp("tls"))


def _tls_transport(url: str, verify: ssl.SSLContext | bool = True) -> tuple[Transport, list]:
    sleeps: list[float] = []
    policy = RetryPolicy(attempts=4, sleeper=sleeps.append)
    client = httpx.Client(verify=verify, timeout=10.0)
    return Transport(url, HeaderAuth("Authorization", f"Token {TOKEN}"), policy=policy,
                     client=client), sleeps  # fmt: skip


def test_tls_with_a_trusted_certificate_works(tls_files) -> None:
    trust = ssl.create_default_context(cafile=str(tls_files[0]))
    with _serving(tls_files) as port:
        transport, _ = _tls_transport(f"https://127.0.0.1:{port}", trust)
        assert transport.get_object("/api/version/") == {"ok": True}
        transport.close()


def test_an_untrusted_certificate_is_a_tls_error_not_offline(tls_files) -> None:
    with _serving(tls_files) as port:
        transport, sleeps = _tls_transport(f"https://127.0.0.1:{port}")
        with pytest.raises(TLSError) as caught:
            transport.get_json("/api/version/")
        transport.close()
    message = str(caught.value)
    assert message.startswith(f"the TLS certificate of host 127.0.0.1:{port} could not be verified")
    assert "self" in message  # "self-signed certificate", as the TLS library words it
    assert not isinstance(caught.value, TransientError)
    assert sleeps == []


def test_a_certificate_for_another_host_is_a_tls_error(tls_files) -> None:
    trust = ssl.create_default_context(cafile=str(tls_files[0]))
    with _serving(tls_files) as port:
        transport, sleeps = _tls_transport(f"https://localhost:{port}", trust)
        with pytest.raises(TLSError, match=f"certificate of host localhost:{port}.*mismatch"):
            transport.get_json("/api/version/")
        transport.close()
    assert sleeps == []


def test_a_failed_handshake_is_a_tls_error(tls_files) -> None:
    with _serving(None) as port:  # plain HTTP where TLS is expected
        transport, sleeps = _tls_transport(f"https://127.0.0.1:{port}")
        with pytest.raises(TLSError, match=f"TLS handshake with host 127.0.0.1:{port} failed"):
            transport.get_json("/api/version/")
        transport.close()
    assert sleeps == []


# -- what is retried ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "calls"),
    [
        (TransientError("503"), 4),
        (OfflineError("unreachable"), 4),
        (ProtocolError("GET /x: expected an object, got a list"), 1),
        (TLSError("the TLS certificate of host h could not be verified"), 1),
    ],
)
def test_only_transient_errors_are_retried(error: Exception, calls: int) -> None:
    made: list[int] = []
    sleeps: list[float] = []

    def call() -> None:
        made.append(1)
        raise error

    with pytest.raises(type(error)):
        RetryPolicy(attempts=4, sleeper=sleeps.append, rng=random.Random(1)).run(call)
    assert len(made) == calls and len(sleeps) == calls - 1


def test_backoff_between_runs_doubles_up_to_its_cap_and_resets() -> None:
    backoff = Backoff()
    assert [backoff.next_delay() for _ in range(9)] == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    backoff.reset()
    assert backoff.next_delay() == 5
    quick = Backoff(first=0.1, cap=0.4)
    assert [quick.next_delay() for _ in range(4)] == [0.1, 0.2, 0.4, 0.4]
    for _ in range(2000):
        quick.next_delay()
    assert quick.next_delay() == 0.4
