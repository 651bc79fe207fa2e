"""Opening a big PNG in the real window: a placeholder with progress first, then the rows
read so far, then the image, and the GUI thread keeps running all along.

The strip reader is held at a gate between strips, so each stage of the decode can be
looked at for as long as the test needs, without timing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QTimer

from limner.models.imaging.tiles import opening
from limner.models.imaging.tiles.streamed import StreamedTileSource
from tests.perf.synth_images import pattern

WIDTH, HEIGHT = 1500, 1200


class GatedStrips:
    """A strip reader that hands over one strip per release of its gate."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.gate = threading.Semaphore(0)
        self.width, self.height = reader.width, reader.height
        self.mode, self.dtype = reader.mode, reader.dtype

    def strips(self, rows: int) -> Iterator[np.ndarray]:
        for strip in self.reader.strips(rows):
            self.gate.acquire()
            yield strip


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[GatedStrips]]:
    """Every strip reader opened (the canvas's, the thumbnail's), each with its own gate."""
    made: list[GatedStrips] = []
    real = opening.open_strips

    def gated(*args, **kwargs) -> GatedStrips:
        made.append(GatedStrips(real(*args, **kwargs)))
        return made[-1]

    monkeypatch.setattr(opening, "STREAM_MIN_PIXELS", 1000)
    monkeypatch.setattr(opening, "open_strips", gated)
    yield made
    for reader in made:
        reader.gate.release(100)  # never leave a decoder waiting


@pytest.fixture
def big_window(qtbot, tmp_path: Path, readers):
    from limner.app.main_window import MainWindow
    from limner.models.workflow.project import create_project

    image = tmp_path / "images" / "big.png"
    image.parent.mkdir()
    Image.fromarray(pattern(0, 0, WIDTH, HEIGHT)).save(image, compress_level=1)
    store, _report = create_project(tmp_path / "proj", images=[image])
    win = MainWindow(store)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    store.close()


def _viewport_color(win, x: float, y: float) -> tuple[int, int, int]:
    win.canvas.viewport().repaint()
    image = win.canvas.viewport().grab().toImage()
    color = image.pixelColor(win.canvas.mapFromScene(x, y))
    return color.red(), color.green(), color.blue()


def test_big_png_shows_progress_then_rows_then_the_image(big_window, readers, qtbot) -> None:
    win = big_window
    beats: list[int] = []
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: beats.append(1))
    heartbeat.start()

    win.editor.open_first()
    layer = win.canvas.tile_layer
    source = layer.source
    assert isinstance(source, StreamedTileSource)
    gate = source.reader.gate
    for other in readers:
        if other is not source.reader:
            other.gate.release(100)  # thumbnails and the like run freely
    assert layer.overview is None
    assert layer.placeholder_text() == "decoding the image… 0%"

    # The decode waits at the gate; the window goes on handling events meanwhile.
    qtbot.waitUntil(lambda: len(beats) > 20)
    assert layer.overview is None

    gate.release(2)  # two strips of 256 rows: the top 512 rows of 1200
    qtbot.waitUntil(lambda: layer.placeholder_text() == "decoding the image… 43%")
    qtbot.waitUntil(lambda: source.preview()[1] > 0)
    expected = pattern(0, 0, WIDTH, 100)[50, 750]
    top = _viewport_color(win, 750, 50)
    assert np.abs(np.subtract(top, expected, dtype=int)).max() < 40  # rows read show
    bottom = _viewport_color(win, 750, 1100)
    assert np.abs(np.subtract(bottom, pattern(0, 1100, WIDTH, 1)[0, 750], dtype=int)).max() > 40

    beats.clear()
    qtbot.waitUntil(lambda: len(beats) > 20)  # still responsive half-way

    gate.release(100)
    qtbot.waitUntil(lambda: layer.overview is not None)
    assert layer.placeholder_text() is None
    assert layer.wait_idle(30)
    assert source.decode_progress == 1.0
    win.canvas.viewport().repaint()
    layer.wait_idle(30)
    shown = _viewport_color(win, 750, 1100)
    assert np.abs(np.subtract(shown, pattern(0, 1100, WIDTH, 1)[0, 750], dtype=int)).max() < 40
