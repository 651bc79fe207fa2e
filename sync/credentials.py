"""Where tokens live: the OS keyring, or a private file when no keyring exists.

A token is stored under the remote's kind and URL, never in a project database, a log or
a command line. On a machine without a keyring service (a headless server), the fallback
is a JSON file readable only by its owner (mode 0600) in the user's config folder, and a
warning says so.

That file holds every saved token, so it is rewritten with care: the new content goes to
a freshly created temporary file (``O_CREAT|O_EXCL|O_NOFOLLOW``, mode 0600, a random
name), so a symlink planted in the folder can neither receive the tokens nor make limner
overwrite the file it points to; the file is flushed to the disk and then renamed over
the old one, so a crash leaves the old file or the new one, never half of either. A file
that exists but cannot be parsed is never replaced: that would drop every other token in
it. The error names the file so the user can repair or remove it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
from platformdirs import user_config_path

from limner.sync.errors import SyncError

log = logging.getLogger("limner.credentials")
SERVICE = "limner"
TEMP_ATTEMPTS = 16


class CredentialsFileError(SyncError):
    """The token file cannot be read or written; the message names it."""


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


def _read_file(path: Path) -> dict[str, Any]:
    """The saved tokens; raises :class:`CredentialsFileError` when the file is unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialsFileError(f"cannot read the saved tokens in {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CredentialsFileError(_unparsable(path, str(exc))) from exc
    if not isinstance(data, dict):
        raise CredentialsFileError(_unparsable(path, "not a JSON object"))
    return data


def _unparsable(path: Path, why: str) -> str:
    return (
        f"the saved tokens in {path} cannot be parsed ({why}); the file was left as it is: "
        "repair it or move it away, then save the token again"
    )


def _lenient_read(path: Path) -> dict[str, Any]:
    """For lookups only: an unusable file is warned about and holds no token."""
    try:
        return _read_file(path)
    except CredentialsFileError as exc:
        log.warning("%s", exc)
        return {}


def _temporary_name(path: Path) -> str:
    return f".{path.name}.{secrets.token_hex(8)}"


def _create_private(path: Path) -> tuple[int, Path]:
    """A new, empty file of mode 0600 beside ``path`` that nothing else pointed to."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(TEMP_ATTEMPTS):
        tmp = path.with_name(_temporary_name(path))
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue  # a name already taken (or planted): draw another
    raise CredentialsFileError(f"cannot create a temporary file beside {path}")


def _write_file(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = _create_private(path)
    except OSError as exc:
        raise CredentialsFileError(f"cannot save the tokens in {path}: {exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o600)
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CredentialsFileError(f"cannot save the tokens in {path}: {exc}") from exc
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); where folders cannot be opened, skip it."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    value = _lenient_read(fallback_file()).get(key)
    return value if isinstance(value, str) else None


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
