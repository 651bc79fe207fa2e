"""The model-assisted tools driven with real mouse and key events in the real window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from limner.models.domain.geometry import Polygon
from limner.models.store.store import ProjectStore
from tests.gui.conftest import image_to_view
from tests.models.test_scissors_tool import SQUARE, area_overlap, square_image

NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def square_project(tmp_path: Path) -> Iterator[ProjectStore]:
    from limner.models.workflow.project import create_project

    folder = tmp_path / "images"
    folder.mkdir()
    Image.fromarray(square_image()).save(folder / "square.png")
    store, report = create_project(tmp_path / "proj", images=[folder], classes=["box"])
    assert report.added == 1
    yield store
    store.close()


@pytest.fixture
def square_window(qtbot, square_project: ProjectStore) -> Iterator:
    from limner.app.main_window import MainWindow

    win = MainWindow(square_project)
    qtbot.addWidget(win)
    win.resize(1000, 800)
    win.show()
    qtbot.waitExposed(win)
    win.editor.open_first()
    yield win
    win.close()


def click(win, x: float, y: float) -> None:
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, NONE, image_to_view(win, x, y)
    )


def test_scissors_follow_the_square_and_enter_stores_a_polygon(qtbot, square_window) -> None:
    win = square_window
    QTest.keyClick(win, Qt.Key.Key_S)
    tool = win.editor.tool
    assert tool.name == "scissors"
    x0, y0, x1, y1 = SQUARE
    midpoints = [((x0 + x1) / 2, y0), (x1, (y0 + y1) / 2), ((x0 + x1) / 2, y1), (x0, (y0 + y1) / 2)]
    for x, y in midpoints:
        click(win, x, y)
        qtbot.waitUntil(lambda: tool.tracer().ready)
    QTest.mouseMove(win.canvas.viewport(), image_to_view(win, *midpoints[0]))
    assert len(tool.preview.polyline) > len(midpoints) + 1  # the live path bends at corners
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    (ann,) = win.editor.annotations
    assert isinstance(ann.geometry, Polygon)
    assert area_overlap(ann.geometry, (200, 160)) > 0.9
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.editor.annotations == []


@pytest.fixture
def tiny_sam(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A test SAM model installed in a models folder of its own, as a user would."""
    pytest.importorskip("onnxruntime", reason="onnxruntime runs the models (limner[assist])")
    from limner.models.assist import catalog
    from limner.models.assist.families import families
    from tests.models.assist.tiny_onnx import build_decoder, build_encoder

    folder = tmp_path / "models"
    monkeypatch.setenv(catalog.ENV_FOLDER, str(folder))
    family = families()["sam"]
    files = {
        "encoder": build_encoder(family, tmp_path / "enc.onnx"),
        "decoder": build_decoder(family, tmp_path / "dec.onnx"),
    }
    return catalog.install("segmenter", "sam", files, name="tiny-sam", version="1")


def test_two_clicks_preview_a_mask_and_enter_stores_it_with_its_source(
    qtbot, tiny_sam, square_window
) -> None:
    from limner.models.domain.geometry import Mask
    from tests.models.assist.tiny_onnx import expected_disc

    win = square_window
    action = win.tool_actions["segment"]
    assert action.isEnabled()
    QTest.keyClick(win, Qt.Key.Key_C)
    tool = win.editor.tool
    assert tool.name == "segment"
    # The image's encoding first, as the annotator would see the mask only after it.
    qtbot.waitUntil(lambda: (f := tool.embedding()) is not None and f.done(), timeout=60_000)
    click(win, 100.5, 80.5)
    click(win, 110.5, 85.5)
    assert isinstance(tool.preview.drawing, Mask)
    assert win.editor.annotations == []
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    (ann,) = win.editor.annotations
    assert isinstance(ann.geometry, Mask)
    assert ann.source == "model:tiny-sam@1"
    full = np.zeros((160, 200), bool)
    g = ann.geometry
    full[g.top : g.top + g.height, g.left : g.left + g.width] = g.crop_array()
    # The tiny decoder's disc is around the first click, in image pixels.
    center = image_to_view(win, 100.5, 80.5)
    point = win.canvas.mapToScene(center)
    assert np.array_equal(full, expected_disc((200, 160), point.x(), point.y()))
    assert "Segment with tiny-sam@1" in win.editor.history.undo_text


def test_without_onnxruntime_the_model_tool_is_greyed_out_with_why(
    qtbot, square_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from limner.app import assist_ui
    from limner.app.main_window import MainWindow

    monkeypatch.setattr(assist_ui, "missing_reason", lambda: "onnxruntime is not installed")
    win = MainWindow(square_project)
    qtbot.addWidget(win)
    action = win.tool_actions["segment"]
    assert not action.isEnabled()
    assert "onnxruntime is not installed" in action.toolTip()
    win.close()


@pytest.fixture
def five_images_window(qtbot, tmp_path: Path) -> Iterator:
    from limner.app.main_window import MainWindow
    from limner.models.workflow.project import create_project
    from tests.conftest import write_image

    folder = tmp_path / "shots"
    for i in range(5):
        write_image(folder / f"shot{i + 1}.png", 200, 160, seed=i)
    store, report = create_project(tmp_path / "five", images=[folder], classes=["box"])
    assert report.added == 5
    win = MainWindow(store)
    qtbot.addWidget(win)
    win.resize(1000, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    store.close()


def test_the_next_images_are_encoded_before_the_annotator_steps_to_them(
    qtbot, tiny_sam, five_images_window
) -> None:
    from limner.models.domain.geometry import Mask
    from limner.models.editing.encode_ahead import embedding_key
    from limner.models.store import queries

    win = five_images_window
    ahead = win.assist.ahead
    assert win.editor.prefetcher.ahead == 3
    win.editor.open_first()
    qtbot.waitUntil(ahead.idle, timeout=60_000)
    with win.store.read() as conn:
        records = queries.image_page(conn, 0, 10)
    keys = [embedding_key(r) for r in records]
    # The image on screen, then the three read ahead; the fifth is beyond the read-ahead.
    assert ahead.encoded == keys[:4]
    assert [ahead.cache.has(tiny_sam.id, k) for k in keys] == [True] * 4 + [False]

    QTest.keyClick(win, Qt.Key.Key_D)  # the next image
    assert win.editor.image is not None and win.editor.image.id == records[1].id
    QTest.keyClick(win, Qt.Key.Key_C)
    click(win, 100.5, 80.5)
    # The stored encoding is read back from disk on the encoder's thread; on a loaded
    # machine that can outlast the click's short grace, and the mask then follows it
    # without the pointer moving.
    qtbot.waitUntil(lambda: isinstance(win.editor.tool.preview.drawing, Mask), timeout=60_000)
    qtbot.waitUntil(ahead.idle, timeout=60_000)
    # Stepping moved the read-ahead one image on; the image clicked was not encoded again.
    assert ahead.encoded == keys


def test_a_click_before_the_encoding_shows_the_mask_without_a_pointer_move(
    qtbot, tiny_sam, square_window
) -> None:
    """The click comes while the encoder still works (held back here); the hint says the
    mask follows, and it does: on the canvas, with the pointer left where it clicked."""
    import threading
    from concurrent.futures import Future

    from limner.models.domain.geometry import Mask

    win = square_window
    QTest.keyClick(win, Qt.Key.Key_C)
    tool = win.editor.tool
    qtbot.waitUntil(lambda: (f := tool.embedding()) is not None and f.done(), timeout=60_000)
    real = tool.embedding().result()
    held: Future = Future()
    tool._embedding = (win.editor.image_id, held)  # as if the encoder were still busy
    hints: list[str] = []
    win.canvas.hintChanged.connect(hints.append)
    click(win, 100.5, 80.5)
    assert tool.preview.drawing is None
    assert "still reading this image" in hints[-1]
    assert win.canvas._preview._drawing is None
    threading.Timer(0.2, held.set_result, args=(real,)).start()  # the encoder's thread
    qtbot.waitUntil(lambda: win.canvas._preview._drawing is not None, timeout=60_000)
    assert isinstance(tool.preview.drawing, Mask)
    assert "still reading" not in hints[-1]
