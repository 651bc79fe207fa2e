"""Builds the adapter of a remote from its stored description and a token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from limner.sync.adapters.base import Adapter, Capabilities
from limner.sync.errors import ConfigError
from limner.sync.retry import RetryPolicy
from limner.sync.transport import HeaderAuth, Transport

KINDS = ("labelstudio", "cloudfactory", "hasty", "clarifai")


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
PROJECT_HINTS = {
    "labelstudio": "project id, e.g. 3",
    "clarifai": "user_id/app_id",
    "hasty": "project id (uuid)",
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


__all__ = ["KINDS", "KIND_NAMES", "PROJECT_HINTS", "HeaderAuth", "capabilities_for", "make_adapter"]
