"""Downloading a model file from a URL the user gave: resumable, with progress, checked.

Model files are hundreds of megabytes and links break, so the bytes go to ``<name>.part``
next to the destination and a later attempt asks the server for the rest (an HTTP
``Range`` request); a server that ignores the range sends the whole file again and the
part is started over. The file is renamed into place only once its SHA-256 matches the
one the user gave; a mismatch deletes the part, since resuming bad bytes can never give
good ones. Nothing here runs unless the user asked for this URL.

This lives in ``sync`` because ``models`` never touches the network; the result is an
ordinary file that :func:`limner.models.assist.catalog.install` then installs.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from limner.sync.errors import SyncError

CHUNK = 1 << 20
Progress = Callable[[int, int | None], None]
"""Called with the bytes on disk so far and the total size when the server said it."""


class DownloadError(SyncError):
    """The file could not be fetched; what is on disk so far is kept for a retry."""


class ChecksumError(DownloadError):
    """The file arrived whole but is not the one expected; it was deleted."""


class DownloadCancelled(DownloadError):
    """The user cancelled; the part stays for a later resume."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _total(response: httpx.Response, have: int) -> int | None:
    if response.status_code == 206:
        rng = response.headers.get("content-range", "")
        size = rng.rpartition("/")[2]
        return int(size) if size.isdigit() else None
    length = response.headers.get("content-length")
    return int(length) if length and length.isdigit() else None


def _fetch(
    client: httpx.Client,
    url: str,
    part: Path,
    progress: Progress,
    cancel: threading.Event,
) -> None:
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and have:
            return  # the part is already whole
        if response.status_code not in (200, 206):
            raise DownloadError(f"the server answered {response.status_code} for {url}")
        if response.status_code == 200:
            have = 0  # the range was ignored: start over
        total = _total(response, have)
        with part.open("ab" if have else "wb") as out:
            for chunk in response.iter_bytes():  # as it arrives, so a cut keeps it all
                if cancel.is_set():
                    raise DownloadCancelled("the download was cancelled; it can be resumed")
                out.write(chunk)
                have += len(chunk)
                progress(have, total)


def download(
    url: str,
    destination: Path,
    sha256: str,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    client: httpx.Client | None = None,
) -> Path:
    """Fetch ``url`` into ``destination`` (resuming a previous part) and check it."""
    if not url.startswith(("https://", "http://")):
        raise DownloadError(f"not a web address: {url}")
    expected = sha256.strip().lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise DownloadError("the SHA-256 must be 64 hexadecimal digits")
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(destination.name + ".part")
    own = client is None
    http = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0))
    try:
        _fetch(http, url, part, progress or (lambda _n, _t: None), cancel or threading.Event())
    except httpx.HTTPError as error:
        raise DownloadError(f"the download stopped ({error}); try again to resume") from error
    finally:
        if own:
            http.close()
    actual = _sha256(part)
    if actual != expected:
        part.unlink()
        raise ChecksumError(f"the file's SHA-256 is {actual}, not the {expected} expected")
    part.replace(destination)
    return destination
