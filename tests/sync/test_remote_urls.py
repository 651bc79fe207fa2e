"""Server addresses are checked in one place, with one line saying what is wrong."""

from __future__ import annotations

import pytest

from limner.sync.errors import ConfigError
from limner.sync.factory import check_base_url, make_adapter

BAD = {
    "http://[::1": "not a valid address",
    "ftp://host": "http:// or https://",
    "localhost:8080": "no scheme",
    "http://": "no host",
    "https://host:99999": "port",
    "https://host:abc": "port",
    "http://user:secret@host": "user name or password",
    "http://host/ls?x=1": "query",
    "http://host/#top": "query",
    "http://ho st": "spaces or control characters",
    "": "empty",
}


@pytest.mark.parametrize(("url", "why"), sorted(BAD.items()))
def test_malformed_addresses_are_refused_in_one_line(url: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_base_url(url)
    message = str(caught.value)
    assert why in message
    assert "\n" not in message
    if url:
        assert repr(url) in message


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("http://localhost:8080", "http://localhost:8080"),
        ("  https://app.example.org/label-studio/ ", "https://app.example.org/label-studio/"),
        ("HTTP://[::1]:8080", "HTTP://[::1]:8080"),
        ("https://api.clarifai.com", "https://api.clarifai.com"),
    ],
)
def test_good_addresses_pass_trimmed(url: str, kept: str) -> None:
    assert check_base_url(url) == kept


@pytest.mark.parametrize("url", sorted(BAD))
def test_the_adapter_factory_refuses_them_too(url: str) -> None:
    with pytest.raises(ConfigError):
        make_adapter("labelstudio", url, "1", "token")
