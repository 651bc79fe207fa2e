"""Showing an image decodes nothing on the GUI thread, not even its coarsest level: a
placeholder says the image is being decoded until that level arrives from the pool."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from limner.models.imaging.tiles.source import TileSource
from limner.widgets.canvas.view import CanvasView


class RecordingSource(TileSource):
    def __init__(self, gate: threading.Event) -> None:
        super().__init__(
            path=Path("rec.png"), format="PNG", width=3000, height=2000,
            dtype=np.dtype(np.uint8), mode="RGB", tile_size=256,
        )  # fmt: skip
        self.gate = gate
        self.threads: set[str] = set()

    def _make_raw_tile(self, level: int, col: int, row: int) -> np.ndarray:
        self.threads.add(threading.current_thread().name)
        self.gate.wait(5)
        x0, y0, x1, y1 = self.tile_bounds(level, col, row)
        return np.full((y1 - y0, x1 - x0, 3), 200, np.uint8)

    def _close(self) -> None:
        pass


@pytest.fixture
def canvas(qtbot) -> CanvasView:
    view = CanvasView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_coarsest_level_is_decoded_off_the_gui_thread(canvas, qtbot) -> None:
    gate = threading.Event()
    source = RecordingSource(gate)
    canvas.set_source(source)  # returns while the decode is held at the gate
    layer = canvas.tile_layer
    assert layer.overview is None
    canvas.viewport().repaint()  # paints the placeholder, without waiting for pixels
    gate.set()
    assert layer.wait_idle(10)
    assert layer.overview is not None
    assert source.threads and threading.main_thread().name not in source.threads
    source.close()

