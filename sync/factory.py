"""Builds the adapter of a remote from its stored description and a token.

Server addresses are checked here, in one place, before anything is stored, created or
requested: :func:`check_base_url` says in one line what is wrong with an address (no
scheme, a scheme other than HTTP, no host, a bad port, brackets that do not close...)
instead of letting a URL parser fail somewhere deep in a request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.sync.adapters.base import Adapter, Capabilities
from limner.sync.errors import ConfigError
from limner.sync.retry import RetryPolicy
from limner.sync.transport import HeaderAuth, Transport

KINDS = ("labelstudio", "cloudfactory", "hasty", "clarifai")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def check_base_url(url: str) -> str:
    """``url`` without surrounding blanks when it is a usable server address.

    Raises :class:`ConfigError` naming the address and what is wrong with it.
    """
    given = url
    url = url.strip()

    def refuse(why: str) -> ConfigError:
        return ConfigError(f"invalid server address {given!r}: {why}")

    if not url:
        raise refuse("it is empty")
    if _SPACE_OR_CONTROL.search(url):
        raise refuse("it holds spaces or control characters")
    if "://" not in url:
        raise refuse("no scheme; write it as http://host:port or https://host")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise refuse(f"not a valid address ({exc}); check the port and any [brackets]") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise refuse(f"limner talks to servers over http:// or https:// only, not {parts.scheme}://")
    if not parts.hostname:
        raise refuse("no host name")
    if port == 0:
        raise refuse("port 0 is not a port")
    if parts.username is not None or parts.password is not None:
        raise refuse(
            "it must not hold a user name or password; limner reads tokens from the "
            "keyring or from --token-env"
        )
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise refuse("a server address has no query (?...) or fragment (#...)")
    return url


def make_adapter(
    kind: str,
    base_url: str,
    project_ref: str,
    token: str,
    *,
    policy: RetryPolicy | None = None,
    timeout: float = 30.0,
    settings: Mapping[str, Any] | None = None,
) -> Adapter:
    base_url = check_base_url(base_url)
    if not token:
        raise ConfigError(f"no token for {base_url}")
    if kind == "labelstudio":
        from limner.sync.adapters.labelstudio import LabelStudioAdapter, LabelStudioAuth

        transport = Transport(
            base_url, LabelStudioAuth(token), policy=policy, timeout=timeout, max_connections=8
        )
        return LabelStudioAdapter(transport, project_ref)
    if kind == "cloudfactory":
        from limner.sync.adapters.cloudfactory import CloudFactoryAdapter

        transport = Transport(
            base_url,
            HeaderAuth("X-API-Key", token),
            policy=policy,
            timeout=timeout,
            max_connections=8,
        )
        return CloudFactoryAdapter(
            transport, project_ref, routes=(settings or {}).get("routes"), settings=settings
        )
    if kind == "hasty":
        from limner.sync.adapters.hasty import make_hasty_adapter

        return make_hasty_adapter(
            base_url, project_ref, token, policy=policy, timeout=timeout, settings=settings
        )
    if kind == "clarifai":
        from limner.sync.adapters.clarifai import build_adapter

        return build_adapter(
            base_url, project_ref, token, policy=policy, timeout=timeout, settings=settings
        )
    raise ConfigError(f"unknown remote kind {kind!r}; use one of {', '.join(KINDS)}")


KIND_NAMES = {
    "labelstudio": "Label Studio",
    "clarifai": "Clarifai",
    "hasty": "Hasty",
    "cloudfactory": "CloudFactory",
}
PROJECT_HINTS = {  # placeholders of the Connect dialog, said in the user's language there
    "labelstudio": QT_TRANSLATE_NOOP("Connect", "project id, e.g. 3"),
    "clarifai": "user_id/app_id",
    "hasty": QT_TRANSLATE_NOOP("Connect", "project id (uuid)"),
    "cloudfactory": "space_id/project_id",
}


def capabilities_for(kind: str) -> Capabilities:
    """What a kind of remote can hold, without connecting (to grey out tools)."""
    if kind == "labelstudio":
        from limner.sync.adapters.labelstudio import LabelStudioAdapter as cls
    elif kind == "cloudfactory":
        from limner.sync.adapters.cloudfactory import CloudFactoryAdapter as cls
    elif kind == "hasty":
        from limner.sync.adapters.hasty import HastyAdapter as cls
    elif kind == "clarifai":
        from limner.sync.adapters.clarifai import ClarifaiAdapter as cls
    else:
        raise ConfigError(f"unknown remote kind {kind!r}; use one of {', '.join(KINDS)}")
    return cls.capabilities


__all__ = [
    "KINDS",
    "KIND_NAMES",
    "PROJECT_HINTS",
    "HeaderAuth",
    "capabilities_for",
    "check_base_url",
    "make_adapter",
]
