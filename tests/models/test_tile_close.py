"""Closing a tile source while other threads decode from it: every decode still to come
or still going is refused with ImageClosedError alone, and the file is released once, by
the last reader to leave, never under one."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from limner.models.errors import ImageClosedError
from limner.models.imaging.tiles.source import TileSource


class SlowSource(TileSource):
    """Tiles that take a while to make, with a record of who was reading when released."""

    def __init__(self, entered: threading.Event, go: threading.Event) -> None:
        super().__init__(
            path=Path("slow.png"), format="PNG", width=4096, height=4096,
            dtype=np.dtype(np.uint8), mode="RGB", tile_size=256,
        )  # fmt: skip
        self.entered, self.go = entered, go
        self.inside = 0
        self.lock = threading.Lock()
        self.released: list[int] = []

    def _make_raw_tile(self, level: int, col: int, row: int) -> np.ndarray:
        with self.lock:
            self.inside += 1
        try:
            self.entered.set()
            self.go.wait(5)
            self._check_open()  # what a reader of a real file does before touching it
        finally:
            with self.lock:
                self.inside -= 1
        x0, y0, x1, y1 = self.tile_bounds(level, col, row)
        return np.zeros((y1 - y0, x1 - x0, 3), np.uint8)

    def _close(self) -> None:
        with self.lock:
            self.released.append(self.inside)


def test_close_during_decodes_refuses_the_rest_and_releases_once_after_the_readers() -> None:
    entered, go = threading.Event(), threading.Event()
    source = SlowSource(entered, go)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(source.read_tile, 0, c, r) for c in range(8) for r in range(4)]
        assert entered.wait(5)
        source.close()  # returns at once: the readers inside still hold the file
        assert source.released == []
        go.set()
        outcomes = []
        for future in futures:
            try:
                outcomes.append(future.result().shape)
            except ImageClosedError:
                outcomes.append("closed")
    assert source.released == [0]  # once, with nobody inside
    assert outcomes == ["closed"] * len(futures)  # refused, and never by another error
    with pytest.raises(ImageClosedError):
        source.read_tile(0, 0, 0)


def test_a_source_nobody_reads_is_released_at_close() -> None:
    source = SlowSource(threading.Event(), threading.Event())
    source.close()
    source.close()
    assert source.released == [0]
    assert source.closed
