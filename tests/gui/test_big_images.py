"""What the canvas shows for a 40,000² image, a 16-bit TIFF and a rotated photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image
from PySide6.QtCore import QPoint

from limner.models.imaging.tiles import open_tile_source
from limner.widgets.canvas.view import CanvasView

SIDE = 40_000
TILE = 512
MARK = (40 * TILE, 20 * TILE)  # top-left of a red tile at level 0
GREY = (96, 96, 96)


def _tiles(width: int, height: int, mark: tuple[int, int, int, int]):
    """Tiles of a grey image with one red rectangle (x0, y0, x1, y1), row-major."""
    grey = np.empty((TILE, TILE, 3), np.uint8)
    grey[:] = GREY
    x0, y0, x1, y1 = mark
    for top in range(0, height, TILE):
        for left in range(0, width, TILE):
            if left >= x1 or left + TILE <= x0 or top >= y1 or top + TILE <= y0:
                yield grey
                continue
            tile = grey.copy()
            tile[
                max(y0 - top, 0) : max(min(y1 - top, TILE), 0),
                max(x0 - left, 0) : max(min(x1 - left, TILE), 0),
            ] = (255, 0, 0)
            yield tile


def write_big_marked_tiff(path: Path) -> None:
    """A tiled, pyramidal 40,000² BigTIFF, written tile by tile in a few seconds."""
    sizes = [(SIDE, SIDE)]
    while max(sizes[-1]) > TILE:
        w, h = sizes[-1]
        sizes.append(((w + 1) // 2, (h + 1) // 2))
    options = {
        "tile": (TILE, TILE),
        "photometric": "rgb",
        "compression": "zlib",
        "compressionargs": {"level": 1},
        "dtype": np.uint8,
    }
    with tifffile.TiffWriter(path, bigtiff=True) as writer:
        for index, (w, h) in enumerate(sizes):
            f = 2**index
            mark = (MARK[0] // f, MARK[1] // f, (MARK[0] + TILE) // f, (MARK[1] + TILE) // f)
            extra = {"subifds": len(sizes) - 1} if index == 0 else {"subfiletype": 1}
            writer.write(_tiles(w, h, mark), shape=(h, w, 3), **options, **extra)


def shown(canvas: CanvasView, x: float, y: float) -> tuple[int, int, int]:
    """The color the viewport shows at image point (x, y)."""
    canvas.tile_layer.wait_idle()
    canvas.viewport().repaint()
    canvas.tile_layer.wait_idle()
    canvas.viewport().repaint()
    image = canvas.viewport().grab().toImage()
    point: QPoint = canvas.mapFromScene(x, y)
    color = image.pixelColor(point)
    return color.red(), color.green(), color.blue()


@pytest.fixture
def canvas(qtbot) -> CanvasView:
    view = CanvasView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.mark.slow
def test_40k_image_shows_the_right_pixels(canvas, tmp_path: Path) -> None:
    path = tmp_path / "huge.tif"
    write_big_marked_tiff(path)
    from limner.models.imaging.imageio import probe_image

    probe = probe_image(path)  # tiled: sized from the header, no whole decode, no limit
    assert probe.error is None and (probe.width, probe.height) == (SIDE, SIDE)
    source = open_tile_source(path)
    assert (source.width, source.height) == (SIDE, SIDE)
    canvas.set_source(source)
    cx, cy = MARK[0] + TILE / 2, MARK[1] + TILE / 2
    # fit: the whole image on screen, the marker visible from a coarse level
    assert shown(canvas, cx, cy)[0] > 200
    canvas.set_zoom(1.0)
    canvas.centerOn(cx, cy)
    assert shown(canvas, cx, cy) == (255, 0, 0)
    assert shown(canvas, MARK[0] - 40, cy) == GREY
    assert shown(canvas, cx, MARK[1] + TILE + 40) == GREY
    # a region never seen before arrives as tiles
    canvas.centerOn(3000, 37000)
    assert shown(canvas, 3000, 37000) == GREY
    source.close()


def test_16bit_tiff_window_level(canvas, tmp_path: Path) -> None:
    from tests.perf.synth_images import make_16bit_tiff

    path, known = make_16bit_tiff(tmp_path / "deep.tif", width=300, height=200)
    source = open_tile_source(path)
    assert source.pixel_value(7, 5) == (known[(7, 5)],)
    source.set_window(1000.0, 5000.0)
    canvas.set_source(source)
    canvas.set_zoom(2.0)
    canvas.centerOn(150, 100)
    for x, y in [(100, 100), (200, 50), (60, 150)]:
        raw = 1000 + x * 7 + y * 11
        expected = round((raw - 1000) / 4000 * 255)
        got = shown(canvas, x + 0.5, y + 0.5)
        assert got[0] == got[1] == got[2]
        assert abs(got[0] - expected) <= 2, (x, y, got, expected)
    # a narrower window brightens the same pixel
    source.set_window(1000.0, 3000.0)
    canvas.tile_layer.refresh()
    raw = 1000 + 100 * 7 + 100 * 11
    assert abs(shown(canvas, 100.5, 100.5)[0] - round((raw - 1000) / 2000 * 255)) <= 2
    source.close()


def test_exif_rotated_photo_is_shown_as_a_browser_shows_it(canvas, tmp_path: Path) -> None:
    stored = np.zeros((60, 90, 3), np.uint8)
    stored[:10, :10] = (255, 0, 0)  # red in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    path = tmp_path / "rotated.jpg"
    Image.fromarray(stored).save(path, exif=exif, quality=95)
    source = open_tile_source(path)
    assert (source.width, source.height) == (60, 90)
    canvas.set_source(source)
    red = shown(canvas, 55, 5)  # stored top-left lands top-right
    assert red[0] > 200 and red[1] < 60
    assert shown(canvas, 5, 5)[0] < 60
    source.close()


def test_minimap_shows_when_zoomed_in_and_navigates(canvas, qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import QPoint as Point
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.perf.synth_images import make_16bit_tiff

    path, _known = make_16bit_tiff(tmp_path / "deep.tif", width=300, height=200)
    source = open_tile_source(path)
    canvas.set_source(source)
    assert canvas.tile_layer.wait_idle()  # the coarsest level is decoded off the GUI thread
    assert not canvas.minimap.isVisible()  # the whole image fits
    canvas.set_zoom(8.0)
    canvas.centerOn(20, 20)
    assert canvas.minimap.isVisible()
    mm = canvas.minimap
    QTest.mouseClick(
        mm, Qt.MouseButton.LeftButton, pos=Point(mm.width() * 3 // 4, mm.height() // 2)
    )
    centre = canvas.mapToScene(canvas.viewport().rect().center())
    assert abs(centre.x() - 225) < 10 and abs(centre.y() - 100) < 10
    canvas.fit()
    assert not canvas.minimap.isVisible()
    source.close()


def test_window_level_dialog_changes_the_display(qtbot, window, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from limner.models.store import queries
    from limner.models.workflow.project import import_images
    from limner.widgets.dialogs.window_level import WindowLevelDialog
    from tests.perf.synth_images import make_16bit_tiff

    path, _known = make_16bit_tiff(tmp_path / "deep.tif", width=300, height=200)
    import_images(window.store, [path])
    with window.store.read() as conn:
        record = queries.image_by_name(conn, "deep.tif")
    window.editor.open_image(record.id)
    canvas = window.canvas
    QTest.keyClick(
        window,
        Qt.Key.Key_W,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.findChild(WindowLevelDialog, "windowLevelDialog")
    assert dialog is not None and dialog.isVisible()
    dialog.low.setValue(1000.0)
    dialog.high.setValue(3000.0)
    raw = 1000 + 100 * 7 + 100 * 11
    assert abs(shown(canvas, 100.5, 100.5)[0] - round((raw - 1000) / 2000 * 255)) <= 2
    dialog.high.setValue(9000.0)
    assert abs(shown(canvas, 100.5, 100.5)[0] - round((raw - 1000) / 8000 * 255)) <= 2
    dialog.close()
    QTest.mouseMove(canvas.viewport(), canvas.mapFromScene(7.5, 5.5))
    assert f"value {1000 + 7 * 7 + 5 * 11}" in window.cursor_label.text()
