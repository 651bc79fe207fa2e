"""A big image file is identified by its size and sampled bytes, never read whole, and
that identity still finds a file added twice."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import tifffile

from limner.models.imaging.imageio import identity
from limner.models.imaging.imageio.probe import probe_image
from limner.models.workflow.project import create_project, import_images

BIG = identity.FULL_HASH_LIMIT + 7 * identity.WINDOW + 12_345


class _Counting(io.FileIO):
    read_total = 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        _Counting.read_total += len(data)
        return data


class CountedPath(type(Path())):  # type: ignore[misc]
    def open(self, mode: str = "r", *args, **kwargs):  # type: ignore[no-untyped-def]
        assert mode == "rb"
        return _Counting(str(self), "rb")


def sparse_file(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def poke(path: Path, offset: int) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(b"\x01")


def test_a_small_file_keeps_its_full_sha256(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(b"x" * 1000)
    assert identity.content_hash(path) == hashlib.sha256(b"x" * 1000).hexdigest()


def test_a_big_file_is_read_only_where_it_is_sampled(tmp_path: Path) -> None:
    path = sparse_file(tmp_path / "big.tif", BIG)
    _Counting.read_total = 0
    digest = identity.content_hash(CountedPath(path))
    sampled = sum(length for _, length in identity.sampled_ranges(BIG))
    assert _Counting.read_total == sampled < BIG // 10
    assert digest != hashlib.sha256(path.read_bytes()).hexdigest()
    assert identity.content_hash(path) == digest  # the same file, the same identity


def test_what_the_partial_hash_sees_and_what_it_misses(tmp_path: Path) -> None:
    path = sparse_file(tmp_path / "big.tif", BIG)
    before = identity.content_hash(path)
    ranges = identity.sampled_ranges(BIG)
    gap = ranges[1][0] + ranges[1][1] + 10  # between two windows: not read
    poke(path, gap)
    assert identity.content_hash(path) == before  # the documented blind spot
    for offset, length in (ranges[0], ranges[5], ranges[-1]):
        poke(path, offset + length // 2)
        changed = identity.content_hash(path)
        assert changed != before
        before = changed
    with path.open("ab") as fh:
        fh.write(b"\x00")
    assert identity.content_hash(path) != before  # the size is part of it


def test_a_big_tiff_added_twice_is_a_duplicate(tmp_path: Path) -> None:
    tiff = tmp_path / "huge.tif"
    with tifffile.TiffWriter(tiff, bigtiff=True) as tif:
        tif.write(shape=(9000, 9000, 3), dtype="uint8", photometric="rgb", rowsperstrip=64)
    assert tiff.stat().st_size > identity.FULL_HASH_LIMIT
    probe = probe_image(tiff)
    assert probe.error is None and probe.content_hash == identity.content_hash(tiff)
    copy = tmp_path / "other" / "renamed.tif"
    copy.parent.mkdir()
    copy.hardlink_to(tiff)
    store, report = create_project(tmp_path / "p", images=[tiff])
    with store:
        assert report.added == 1
        again = import_images(store, [copy])
        assert again.added == 0 and again.duplicates == ["renamed.tif"]
