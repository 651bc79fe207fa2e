"""Stepping on to the next image closes the previous source while its tiles are still
queued for decoding; those decodes end quietly instead of logging a failure each."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytest

from limner.models.imaging.tiles.source import TileSource
from limner.widgets.canvas.tile_layer import TileLayerItem


class SlowSource(TileSource):
    def __init__(self) -> None:
        super().__init__(
            path=Path("slow.png"), format="PNG", width=8192, height=8192,
            dtype=np.dtype(np.uint8), mode="RGB", tile_size=256,
        )  # fmt: skip

    def _make_raw_tile(self, level: int, col: int, row: int) -> np.ndarray:
        if level < self.levels - 1:
            time.sleep(0.01)
            self._check_open()  # as a real reader does before it touches the file
        x0, y0, x1, y1 = self.tile_bounds(level, col, row)
        return np.zeros((y1 - y0, x1 - x0, 3), np.uint8)

    def _close(self) -> None:
        pass


def test_closing_with_decodes_queued_logs_nothing(qapp, caplog: pytest.LogCaptureFixture) -> None:
    layer = TileLayerItem(workers=3)
    try:
        for _ in range(3):  # three quick steps through images
            source = SlowSource()
            layer.set_source(source)
            for col in range(8):
                for row in range(5):
                    layer._request((layer._generation, 0, col, row))
            with caplog.at_level(logging.WARNING, logger="limner.tiles"):
                source.close()  # what the session does before the canvas hears of it
                assert layer.wait_idle(10)
                layer.set_source(None)
        assert [r.getMessage() for r in caplog.records] == []
        assert source.closed
    finally:
        layer.shutdown()
