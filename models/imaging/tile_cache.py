"""Caches for decoded image tiles: a byte-bounded memory LRU and a disk store.

Decoding a tile costs milliseconds, while a repaint asks for dozens of tiles, so decoded
tiles are kept in memory. The budget is set in bytes, not in tiles: a float RGBA tile
takes sixteen times the memory of a grey 8-bit one, and what has to be bounded is the
memory of the whole application.

The overview of a huge image that has no pyramid of its own (a big JPEG or PNG, a
stripped TIFF) can only be made by decoding every pixel of the file, which takes seconds.
:class:`DiskTileCache` keeps such coarse tiles under the project folder
(``<project>/cache/tiles``), so the second time the image is opened its overview shows
at once. Its files are plain ``.npy`` arrays written to a temporary name and renamed into
place, so a crash or two processes writing the same tile never leave a half-written file
under a name a reader trusts.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_DISK_LIMIT_BYTES",
    "DEFAULT_MEMORY_BYTES",
    "DiskTileCache",
    "TileMemoryCache",
    "disk_cache_size",
    "quick_file_key",
    "tile_cache_dir",
    "trim_disk_cache",
]

DEFAULT_DISK_LIMIT_BYTES = 2 * 1024**3
"""Default ceiling of a project's disk tile cache: overviews of a few hundred huge images."""

DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024
"""Default budget of decoded tiles kept in memory: enough for several screens at 4K."""

_FINGERPRINT_CHUNK = 1024 * 1024
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

_log = logging.getLogger(__name__)


def tile_cache_dir(project_folder: Path | str) -> Path:
    """Where a project keeps its disk tile cache: ``<project folder>/cache/tiles``.

    The cache lives with the project, not in a per-user folder, so deleting or moving a
    project takes its cache along; it only ever holds data that can be recomputed.
    """
    return Path(project_folder) / "cache" / "tiles"


def quick_file_key(path: Path | str) -> str:
    """A cheap identity of a file's content for keying cached tiles.

    Hashing every byte of a multi-gigabyte image would take longer than decoding its
    overview, which defeats the purpose of the cache. This key hashes the size, the
    modification time and the first and last megabyte instead. Callers that already know
    the SHA-256 of the content (the project stores it for each image) should use that.
    """
    path = Path(path)
    st = path.stat()
    digest = hashlib.sha256(f"{st.st_size}:{st.st_mtime_ns}".encode())
    with path.open("rb") as fh:
        digest.update(fh.read(_FINGERPRINT_CHUNK))
        if st.st_size > _FINGERPRINT_CHUNK:
            fh.seek(max(_FINGERPRINT_CHUNK, st.st_size - _FINGERPRINT_CHUNK))
            digest.update(fh.read(_FINGERPRINT_CHUNK))
    return digest.hexdigest()


class TileMemoryCache:
    """A thread-safe least-recently-used map from keys to arrays, bounded in bytes.

    One instance may be shared by several tile sources (the image on screen and the next
    one being prefetched), so that the budget holds for the whole application. Arrays are
    stored as given; callers make them read-only, since every reader shares them.
    """

    def __init__(self, max_bytes: int = DEFAULT_MEMORY_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must not be negative, got {max_bytes}")
        self._max_bytes = int(max_bytes)
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._nbytes = 0
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    @property
    def nbytes(self) -> int:
        """Bytes of array data currently held."""
        with self._lock:
            return self._nbytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: Hashable) -> np.ndarray | None:
        """The array stored under ``key``, marking it most recently used; ``None`` if absent."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: np.ndarray) -> None:
        """Store ``value``, evicting the least recently used entries to stay in budget.

        An array larger than the whole budget is not stored at all: keeping it would mean
        evicting everything else for one entry that itself breaks the bound.
        """
        size = int(value.nbytes)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._nbytes -= int(old.nbytes)
            if size > self._max_bytes:
                return
            self._items[key] = value
            self._nbytes += size
            while self._nbytes > self._max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._nbytes -= int(evicted.nbytes)

    def discard_where(self, predicate: Callable[[Hashable], bool]) -> int:
        """Drop every entry whose key satisfies ``predicate``; return how many went."""
        with self._lock:
            doomed = [key for key in self._items if predicate(key)]
            for key in doomed:
                self._nbytes -= int(self._items.pop(key).nbytes)
            return len(doomed)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._nbytes = 0


class DiskTileCache:
    """Tiles of one image stored as ``.npy`` files under ``root/<key>/t<tile size>/``.

    ``image_key`` identifies the image's content (its SHA-256, or
    :func:`quick_file_key`), so a file edited in place gets a fresh cache rather than
    stale tiles. Failures to write are logged and otherwise ignored, because the cache
    only saves time: a full disk or a read-only project must not stop anyone from seeing
    their image. A file that cannot be read back (damaged, wrong shape) is deleted and
    the tile is computed again.
    """

    def __init__(self, root: Path | str, image_key: str, tile_size: int) -> None:
        safe = image_key if _SAFE_KEY.match(image_key) else _hash_text(image_key)
        self.folder = Path(root) / safe / f"t{int(tile_size)}"
        self._made_folder = False
        self._touched = False
        self._lock = threading.Lock()

    def path(self, level: int, col: int, row: int) -> Path:
        return self.folder / f"{level}_{col}_{row}.npy"

    def load(
        self, level: int, col: int, row: int, *, shape: tuple[int, int], dtype: np.dtype
    ) -> np.ndarray | None:
        """The stored tile, or ``None`` if there is none or it does not look right.

        ``shape`` is the expected (height, width) and ``dtype`` the expected element type;
        a file that disagrees was written by another version or is damaged.
        """
        path = self.path(level, col, row)
        try:
            array = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError) as exc:
            _log.warning("discarding unreadable cached tile %s: %s", path, exc)
            self._remove(path)
            return None
        if array.ndim != 3 or array.shape[:2] != tuple(shape) or array.dtype != dtype:
            _log.warning("discarding cached tile %s of unexpected shape or type", path)
            self._remove(path)
            return None
        self._touch()
        return array

    def _touch(self) -> None:
        """Mark the image as used now (once per opening), so trimming keeps it longest."""
        if not self._touched:
            self._touched = True
            try:
                os.utime(self.folder.parent)
            except OSError as exc:
                _log.info("cannot mark %s as used: %s", self.folder.parent, exc)

    def store(self, level: int, col: int, row: int, array: np.ndarray) -> bool:
        """Write the tile atomically; return whether it was written."""
        path = self.path(level, col, row)
        tmp_name: str | None = None
        try:
            self._ensure_folder()
            fd, tmp_name = tempfile.mkstemp(dir=self.folder, prefix=".tile-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
            os.replace(tmp_name, path)
            tmp_name = None
            return True
        except OSError as exc:
            _log.warning("cannot write cached tile %s: %s", path, exc)
            return False
        finally:
            if tmp_name is not None:
                self._remove(Path(tmp_name))

    def clear(self) -> None:
        """Delete every stored tile of this image (all tile sizes)."""
        shutil.rmtree(self.folder.parent, ignore_errors=True)
        with self._lock:
            self._made_folder = False

    def _ensure_folder(self) -> None:
        with self._lock:
            if not self._made_folder:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made_folder = True

    @staticmethod
    def _remove(path: Path) -> None:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            _log.warning("cannot delete %s: %s", path, exc)


def _image_folders(root: Path) -> list[tuple[float, int, Path]]:
    """(last use, bytes, folder) of every image's tiles under ``root``."""
    found = []
    try:
        folders = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return []
    for folder in folders:
        size, used = 0, 0.0
        try:
            used = folder.stat().st_mtime
            for dirpath, _dirs, files in os.walk(folder):
                for name in files:
                    st = os.stat(os.path.join(dirpath, name))
                    size += st.st_size
                    used = max(used, st.st_mtime)
        except OSError as exc:
            _log.info("cannot measure %s: %s", folder, exc)
        found.append((used, size, folder))
    return found


def disk_cache_size(root: Path | str) -> int:
    """Bytes of tiles stored under ``root`` (a project's ``cache/tiles``)."""
    return sum(size for _used, size, _folder in _image_folders(Path(root)))


def trim_disk_cache(root: Path | str, limit_bytes: int) -> int:
    """Delete the tiles of the images used longest ago until at most ``limit_bytes`` stay.

    A whole image at a time: half an overview saves nothing, since the missing tiles
    would need the full decode again. Returns the bytes freed.
    """
    folders = sorted(_image_folders(Path(root)))
    total = sum(size for _used, size, _folder in folders)
    freed = 0
    for _used, size, folder in folders:
        if total - freed <= limit_bytes:
            break
        shutil.rmtree(folder, ignore_errors=True)
        freed += size
    return freed


def _hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
