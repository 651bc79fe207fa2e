"""Where tokens live: the OS keyring, or a private file when no keyring exists.

A token is stored under the remote's kind and URL, never in a project database, a log or
a command line. On a machine without a keyring service (a headless server), the fallback
is a JSON file readable only by its owner (mode 0600) in the user's config folder, and a
warning says so.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import keyring
import keyring.errors
from platformdirs import user_config_path

log = logging.getLogger("limner.credentials")
SERVICE = "limner"


def account(kind: str, base_url: str) -> str:
    return f"{kind}:{base_url.rstrip('/')}"


def fallback_file() -> Path:
    override = os.environ.get("LIMNER_CREDENTIALS_FILE")
    if override:
        return Path(override)
    return user_config_path("limner", appauthor=False) / "credentials.json"


def _keyring_usable() -> bool:
    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if "fail" in name or "null" in name.lower():
        return False
    try:
        priority = backend.priority  # type: ignore[attr-defined]
    except (RuntimeError, AttributeError, ImportError):
        return False
    return bool(priority and priority > 0)


def _read_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_file(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def store_token(kind: str, base_url: str, token: str) -> str:
    """Save a token; returns where it went ("keyring" or the fallback file's path)."""
    key = account(kind, base_url)
    if _keyring_usable():
        try:
            keyring.set_password(SERVICE, key, token)
            return "keyring"
        except keyring.errors.KeyringError as exc:
            log.warning("the keyring refused the token (%s); using a private file", exc)
    path = fallback_file()
    data = _read_file(path)
    data[key] = token
    _write_file(path, data)
    log.warning("no OS keyring available: the token is kept in %s (readable by you only)", path)
    return str(path)


def load_token(kind: str, base_url: str) -> str | None:
    key = account(kind, base_url)
    if _keyring_usable():
        try:
            value = keyring.get_password(SERVICE, key)
        except keyring.errors.KeyringError as exc:
            log.warning("cannot read the keyring: %s", exc)
            value = None
        if value:
            return value
    return _read_file(fallback_file()).get(key)


def forget_token(kind: str, base_url: str) -> None:
    key = account(kind, base_url)
    if _keyring_usable():
        try:
            keyring.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            log.info("no keyring entry for %s", key)
        except keyring.errors.KeyringError as exc:
            log.warning("cannot update the keyring: %s", exc)
    path = fallback_file()
    data = _read_file(path)
    if data.pop(key, None) is not None:
        _write_file(path, data)
