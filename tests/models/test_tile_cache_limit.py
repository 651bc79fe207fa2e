"""The disk tile cache stays under its limit, dropping the images used longest ago."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from limner.models.imaging.tile_cache import DiskTileCache, disk_cache_size, trim_disk_cache


def _fill(root: Path, key: str, tiles: int, when: float) -> DiskTileCache:
    cache = DiskTileCache(root, key, 256)
    for i in range(tiles):
        assert cache.store(0, i, 0, np.zeros((64, 64, 3), np.uint8))
    for dirpath, _dirs, files in os.walk(cache.folder.parent):
        for name in [*files, "."]:
            os.utime(os.path.join(dirpath, name), (when, when))
    return cache


def test_trimming_drops_whole_images_least_recently_used_first(tmp_path: Path) -> None:
    old = _fill(tmp_path, "old", 4, 1_000_000)
    mid = _fill(tmp_path, "mid", 4, 2_000_000)
    new = _fill(tmp_path, "new", 4, 3_000_000)
    one_image = disk_cache_size(tmp_path) // 3
    assert one_image > 4 * 64 * 64 * 3
    freed = trim_disk_cache(tmp_path, 2 * one_image)
    assert freed == one_image
    assert not old.folder.exists() and mid.folder.exists() and new.folder.exists()
    assert disk_cache_size(tmp_path) <= 2 * one_image


def test_reading_a_tile_makes_its_image_recent(tmp_path: Path) -> None:
    old = _fill(tmp_path, "old", 2, 1_000_000)
    _fill(tmp_path, "new", 2, 3_000_000)
    again = DiskTileCache(tmp_path, "old", 256)
    assert again.load(0, 0, 0, shape=(64, 64), dtype=np.dtype(np.uint8)) is not None
    trim_disk_cache(tmp_path, disk_cache_size(tmp_path) // 2)
    assert old.folder.exists() and not (tmp_path / "new").exists()


def test_under_the_limit_nothing_goes(tmp_path: Path) -> None:
    _fill(tmp_path, "a", 2, 1_000_000)
    size = disk_cache_size(tmp_path)
    assert trim_disk_cache(tmp_path, size) == 0 and disk_cache_size(tmp_path) == size
    assert trim_disk_cache(tmp_path / "absent", 0) == 0
