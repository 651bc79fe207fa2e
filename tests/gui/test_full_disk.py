"""A full disk in the window: the edit is visibly not done, and nothing false is shown.

A box drawn (and a box moved) with real mouse events while the disk cannot take the
change must leave exactly what the project file holds on the canvas and in the list, and
the window must say once, in words, that the project could not be saved, how much room
is left, and that the last edit was not made. Once there is room again, drawing works.

Two ways to fill the disk: a real tmpfs of 8 MiB filled to the last byte (mounting needs
root), and, everywhere, a commit that fails the way SQLite or the file system says so
(``database or disk is full``, ``ENOSPC``), injected at the database driver's commit.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from limner.models.domain.geometry import Box
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import create_project
from limner.widgets.canvas.annotation_item import AnnotationItem
from tests.gui.conftest import drag, image_to_view

MESSAGE = re.compile(
    r"^The project could not be saved: the disk is full \((\d+ bytes?|\d+\.\d [KMGT]B) free\)\. "
    r"Your last edit was not made\.$"
)


def open_window(qtbot, store: ProjectStore):  # type: ignore[no-untyped-def]
    from limner.app.main_window import MainWindow

    win = MainWindow(store)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    win.editor.open_first()
    return win


def stored_boxes(win) -> dict[str, Box]:  # type: ignore[no-untyped-def]
    with win.store.read() as conn:
        shapes = queries.annotations_for_image(conn, win.editor.image.id)
    return {a.uuid: a.geometry for a in shapes}


def drawn_boxes(win) -> list[tuple[str, Box]]:  # type: ignore[no-untyped-def]
    """Every annotation item the canvas shows, the tool's preview included (uuid "")."""
    items = win.canvas.scene().items()
    return [(i.uuid, i.geometry) for i in items if isinstance(i, AnnotationItem) and i.isVisible()]


def error_boxes(win) -> list[QMessageBox]:  # type: ignore[no-untyped-def]
    return [b for b in win.findChildren(QMessageBox, "errorBox") if b.isVisible()]


def assert_screen_is_the_store(win) -> None:  # type: ignore[no-untyped-def]
    stored = stored_boxes(win)
    assert sorted(drawn_boxes(win), key=lambda kv: kv[0]) == sorted(stored.items())
    assert {a.uuid for a in win.editor.annotations} == set(stored)
    assert win.annotation_list.count() == len(stored)
    assert not win.editor.tool.busy


def draw_box(win, x0: float, y0: float, x1: float, y1: float) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(win, Qt.Key.Key_B)
    assert win.editor.tool.name == "box"
    drag(win.canvas.viewport(), image_to_view(win, x0, y0), image_to_view(win, x1, y1))


def move_box(win, x: float, y: float, dx: float, dy: float) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(win, Qt.Key.Key_V)
    viewport = win.canvas.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=image_to_view(win, x, y))
    assert len(win.editor.selection()) == 1
    drag(viewport, image_to_view(win, x, y), image_to_view(win, x + dx, y + dy), steps=6)


def one_disk_full_message(win) -> str:  # type: ignore[no-untyped-def]
    """The single error box on screen says the disk is full; it is closed afterwards."""
    (box,) = error_boxes(win)
    text = box.text()
    assert MESSAGE.match(text), text
    assert box.textFormat() == Qt.TextFormat.PlainText
    box.close()
    return text


def check_edits_on_a_full_disk(win, fill: Callable[[], None], empty: Callable[[], None]) -> None:  # type: ignore[no-untyped-def]
    draw_box(win, 10, 10, 30, 30)  # room enough: saved
    (first,) = stored_boxes(win)
    assert error_boxes(win) == []
    undo_text = win.editor.history.undo_text

    fill()
    draw_box(win, 40, 10, 70, 40)
    one_disk_full_message(win)
    assert list(stored_boxes(win)) == [first]
    assert_screen_is_the_store(win)
    assert win.editor.history.undo_text == undo_text  # the failed edit is no undo step

    before = stored_boxes(win)[first]
    move_box(win, 20, 20, 15, 10)
    one_disk_full_message(win)
    assert stored_boxes(win) == {first: before}  # not moved on disk, nor on screen
    assert_screen_is_the_store(win)

    empty()
    draw_box(win, 40, 10, 70, 40)
    assert error_boxes(win) == []
    assert len(stored_boxes(win)) == 2
    assert_screen_is_the_store(win)


# -- a real, full tmpfs --------------------------------------------------------------------
def _fill(filler: Path) -> None:
    """Write zeros until not one more byte fits."""
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A fresh 8 MiB tmpfs, unmounted afterwards."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(
            f"mounting a tmpfs was refused ({done.stderr.strip()}); the injected full disk "
            "below drives the same window path"
        )
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_drawing_on_a_really_full_disk(qtbot, small_disk: Path, image_dir: Path) -> None:
    store, report = create_project(small_disk / "proj", images=[image_dir], classes=["cat"])
    assert report.added == 5
    filler = small_disk / "filler"
    try:
        win = open_window(qtbot, store)
        check_edits_on_a_full_disk(win, lambda: _fill(filler), filler.unlink)
        win.close()
    finally:
        filler.unlink(missing_ok=True)
        store.close()
    db = sqlite3.connect(small_disk / "proj" / "project.limner")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM annotation").fetchone() == (2,)
    finally:
        db.close()


# -- a commit that fails as a full disk does ---------------------------------------------
FAILURES: dict[str, Callable[[], BaseException]] = {
    "sqlite": lambda: sqlite3.OperationalError("database or disk is full"),
    "enospc": lambda: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_drawing_when_the_commit_finds_the_disk_full(
    qtbot, project: ProjectStore, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    dialect = project.engine.dialect
    real_commit = dialect.do_commit
    full = {"now": False}

    def commit(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        if full["now"]:
            raise FAILURES[failure]()
        real_commit(dbapi_connection)

    monkeypatch.setattr(dialect, "do_commit", commit)

    def fill() -> None:
        full["now"] = True

    def empty() -> None:
        full["now"] = False

    win = open_window(qtbot, project)
    check_edits_on_a_full_disk(win, fill, empty)
    win.close()
