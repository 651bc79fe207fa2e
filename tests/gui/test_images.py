"""Adding images from the window, bad files, and the paged image list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from limner.models.imaging.imageio import ImageProbe
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore
from limner.widgets.panels.image_list import CACHED_PAGES, PAGE_SIZE, ImageListModel
from tests.conftest import write_image


def make_bad_files(folder: Path) -> dict[str, str]:
    """Each kind of bad file, with a word its reason must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    good = folder / "good.jpg"
    Image.fromarray(np.full((40, 50, 3), 128, np.uint8)).save(good, quality=90)
    data = good.read_bytes()
    (folder / "corrupt.jpg").write_bytes(data[: len(data) // 3] + b"\x00" * 200)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "text.jpg").write_text("hello, I am not an image\n")
    # 10000 x 10000 one-bit PNG: tiny on disk, 100 megapixels, above Pillow's bomb limit
    Image.new("1", (10000, 10000)).save(folder / "bomb.png")
    return {
        "corrupt.jpg": "",
        "empty.jpg": "empty",
        "text.jpg": "not an image",
        "bomb.png": "limit",
    }


def test_bad_images_are_listed_with_reasons_and_never_crash(qtbot, window, tmp_path: Path) -> None:
    win = window
    expected = make_bad_files(tmp_path / "bad")
    worker = win.importer.add_paths([tmp_path / "bad"])
    assert worker is not None
    qtbot.waitUntil(lambda: not win.importer.busy, timeout=60000)
    with win.store.read() as conn:
        for name, word in expected.items():
            record = queries.image_by_name(conn, name)
            assert record is not None, name
            assert record.error, name
            assert word in record.error.lower(), (name, record.error)
        good = queries.image_by_name(conn, "good.jpg")
        assert good is not None and good.error is None and (good.width, good.height) == (50, 40)
    # the list can filter them, and opening each one shows its reason instead of failing
    win.images.status_filter.setCurrentIndex(win.images.status_filter.findData("error"))
    assert win.images.model.rowCount() == len(expected)
    for row in range(len(expected)):
        win.images.table.selectRow(row)
        assert win.editor.image.error
        assert win.editor.pixels is None
        assert "cannot be shown" in win.statusBar().currentMessage()
        assert win.images.model.index(row, 1).data() == "unreadable"


def test_drop_folder_imports_it(qtbot, window, tmp_path: Path) -> None:
    win = window
    write_image(tmp_path / "dropped" / "x1.png", 20, 20, seed=50)
    write_image(tmp_path / "dropped" / "sub" / "x2.png", 20, 20, seed=51)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped"))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    win.dropEvent(event)
    qtbot.waitUntil(lambda: not win.importer.busy, timeout=60000)
    assert win.images.model.rowCount() == 7
    with win.store.read() as conn:
        assert queries.image_by_name(conn, "x2.png") is not None


def test_list_pages_instead_of_loading_every_row(qtbot, tmp_path: Path) -> None:
    store = ProjectStore.create(tmp_path / "big")
    probes = [
        ImageProbe(
            path=tmp_path / f"f{i:05d}.png",
            name=f"f{i:05d}.png",
            width=10,
            height=10,
            format="PNG",
            content_hash=f"{i:064x}",
            size_bytes=1,
            orientation=1,
            error=None,
        )
        for i in range(5000)
    ]
    with store.transaction() as (conn, changes):
        tx.insert_images(conn, changes, probes)
    model = ImageListModel(store)
    assert model.rowCount() == 5000
    assert model.pages_fetched == 0
    assert model.index(4999, 0).data() == "f04999.png"
    assert model.index(0, 0).data() == "f00000.png"
    for row in range(0, 5000, 97):
        model.index(row, 0).data()
    assert model.cached_rows <= CACHED_PAGES * PAGE_SIZE
    assert model.pages_fetched <= 5000 // PAGE_SIZE + 2
    store.close()


def test_next_images_are_prefetched(qtbot, window) -> None:
    win = window
    prefetcher = win.editor.prefetcher
    qtbot.waitUntil(prefetcher.idle, timeout=20_000)
    assert prefetcher.warmed >= 3
    ready = set(prefetcher._ready)
    QTest.keyClick(win, Qt.Key.Key_D)
    assert win.editor.image.id in ready  # served from the prefetched source
    assert win.editor.image.id not in prefetcher._ready


def test_very_large_images_open_after_a_remembered_confirmation(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    win = window
    folder = tmp_path / "big"
    folder.mkdir()
    Image.new("RGB", (1500, 1000), (10, 200, 30)).save(folder / "wide.png")
    win.importer.add_paths([folder])
    qtbot.waitUntil(lambda: not win.importer.busy, timeout=60000)
    with win.store.read() as conn:
        record = queries.image_by_name(conn, "wide.png")
    assert record.error and "safety limit" in record.error
    win.editor.open_image(record.id)
    box = win.findChild(QMessageBox, "allowHugeBox")
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Open).click()
    assert win.editor.image.error is None and win.editor.source is not None
    assert win.editor.image_size == (1500, 1000)
    # remembered: the next one imports readable at once
    Image.new("RGB", (1200, 1200), (200, 10, 30)).save(folder / "square.png")
    win.importer.add_paths([folder / "square.png"])
    qtbot.waitUntil(lambda: not win.importer.busy, timeout=60000)
    with win.store.read() as conn:
        assert queries.image_by_name(conn, "square.png").error is None


def test_thumbnails_are_made_in_the_background_and_kept(qtbot, window) -> None:
    from PySide6.QtGui import QIcon

    model = window.images.model
    for row in range(model.rowCount()):
        model.index(row, 0).data(Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: model.thumbnails_made >= 5, timeout=20_000)
    icon = model.index(0, 0).data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(icon, QIcon) and not icon.isNull()
    thumbs = list((window.store.folder / "cache" / "thumbs").glob("*.png"))
    assert len(thumbs) == 5
    with Image.open(thumbs[0]) as im:
        assert max(im.size) <= 64


def test_a_thumbnail_finishing_after_close_is_ignored(qtbot, window) -> None:
    """A thumbnail the worker finishes after the window let go of its project must not
    read the project again (it may be closed, or its folder gone)."""
    model = window.images.model
    model.shutdown()
    window.store.close()
    window.store.db_file.unlink()
    made = model.thumbnails_made
    model._thumb_signals.ready.emit(1)
    qtbot.wait(20)
    assert model.thumbnails_made == made


def test_a_moved_shape_leaves_the_image_list_and_a_new_one_is_counted(qtbot, window) -> None:
    from limner.models.domain.entities import NewAnnotation
    from limner.models.domain.geometry import Box
    from limner.models.editing.commands import AddAnnotations, EditAnnotations

    win = window
    image = win.editor.image
    model = win.images.model
    row = model.row_of(image.id)

    def labels() -> object:
        return model.data(model.index(row, 2))

    new = NewAnnotation(tx.new_uuid(), image.id, 1, Box(10, 10, 40, 40))
    assert win.editor.commit(AddAnnotations((new,)))
    assert labels() == 1
    fetched = model.pages_fetched
    shape = win.editor.shape(new.uuid)
    move = EditAnnotations.from_records("Move", [(shape, {"geometry": Box(20, 20, 50, 50)})])
    assert win.editor.commit(move)
    win.images.table.viewport().repaint()
    assert labels() == 1
    assert model.pages_fetched == fetched  # nothing of the list changed, nothing re-read
    win.editor.undo()
    assert win.editor.shape(new.uuid).geometry == Box(10, 10, 40, 40)
    assert model.pages_fetched == fetched
    win.editor.undo()  # the shape goes: its image's count follows
    assert labels() == 0
    win.editor.redo()
    assert labels() == 1
