"""HTTP transport: classification, retries with Retry-After, auth only to the own host."""

from __future__ import annotations

import logging
import random

import httpx
import pytest

from sync.errors import AuthError, NotFoundError, OfflineError, TransientError, ValidationError
from sync.retry import RetryPolicy
from sync.transport import HeaderAuth, Transport, parse_retry_after, redact_url

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
