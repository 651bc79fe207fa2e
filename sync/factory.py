"""Builds the adapter of a remote from its stored description and a token."""

from __future__ import annotations

from sync.adapters.base import Adapter
from sync.errors import ConfigError
from sync.retry import RetryPolicy
from sync.transport import HeaderAuth, Transport

KINDS = ("labelstudio",)


def make_adapter(
    kind: str,
    base_url: str,
    project_ref: str,
    token: str,
    *,
    policy: RetryPolicy | None = None,
    timeout: float = 30.0,
) -> Adapter:
    if not token:
        raise ConfigError(f"no token for {base_url}")
    if kind == "labelstudio":
        from sync.adapters.labelstudio import LabelStudioAdapter, LabelStudioAuth

        transport = Transport(
            base_url, LabelStudioAuth(token), policy=policy, timeout=timeout, max_connections=8
        )
        return LabelStudioAdapter(transport, project_ref)
    raise ConfigError(f"unknown remote kind {kind!r}; use one of {', '.join(KINDS)}")


__all__ = ["KINDS", "HeaderAuth", "make_adapter"]
