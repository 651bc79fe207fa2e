"""Names from people and servers are shown as text, never read as markup.

A project whose image names, class names, attribute names and values, author, reviewer,
review comment, remark, sync message, conflict and remote project titles are
``<b>bold</b>``, ``<img src=x>`` and ``<a href=y>z</a>`` is opened in the real window,
its dialogs are opened too, and every label, tooltip, list row tooltip, canvas item
tooltip and message box on screen is walked. Qt draws a label as rich text unless it is
told its text is plain, and guesses for tooltips, so a string that still holds one of
those tags must sit in a plain-text label; a tooltip must hold them escaped. The walk
also checks that the names did reach the screen, so it cannot pass by showing nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox, QWidget

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.store import queries, schema, tx
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import create_project
from limner.models.workflow.review_commands import AddRemark, Review, Submit
from limner.sync.engine import SyncReport
from limner.widgets.panels.sync_widgets import ConflictRow

BOLD, IMG, LINK = "<b>bold</b>", "<img src=x>", "<a href=y>z</a>"
HOSTILE = (BOLD, IMG, LINK)
TAGS = ("<b>", "<img", "<a ")


def holds_tag(text: str) -> bool:
    return any(tag in text for tag in TAGS)


@pytest.fixture
def hostile_project(tmp_path: Path, image_dir: Path) -> Iterator[ProjectStore]:
    """Images, classes, an attribute schema and a shape named as a hostile server would."""
    store, report = create_project(tmp_path / "proj", images=[image_dir], classes=list(HOSTILE))
    assert report.added == 5
    with store.transaction(origin="sync") as (conn, changes):
        images = queries.image_page(conn, 0, 10)
        for record, name in zip(images, HOSTILE, strict=False):
            conn.execute(
                schema.image.update().where(schema.image.c.id == record.id).values(name=name)
            )
        first_class = queries.label_classes(conn)[0]
        attributes = [
            {"name": BOLD, "type": "text"},
            {"name": LINK, "type": "choice", "options": [IMG, "plain"]},
        ]
        tx.update_class(conn, changes, first_class.id, {"attribute_schema": attributes})
        shape = NewAnnotation(
            tx.new_uuid(),
            images[0].id,
            first_class.id,
            Box(10, 10, 40, 30),
            attributes={BOLD: IMG, LINK: IMG},
        )
        tx.insert_annotation(conn, changes, shape, author=LINK)
    yield store
    store.close()


@pytest.fixture
def win(qtbot, hostile_project: ProjectStore, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    from limner.app.main_window import MainWindow

    window = MainWindow(hostile_project)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.editor.open_first()
    monkeypatch.setenv("LIMNER_USER", IMG)  # the reviewer's name is untrusted too
    image = window.editor.image.id
    assert window.editor.commit(Submit([image]))
    assert window.editor.commit(Review(image, "reject", f"{BOLD} and {LINK}"))
    assert window.editor.commit(AddRemark(image, f"look {IMG}", x=20.0, y=20.0))
    monkeypatch.setenv("LIMNER_USER", "tester")
    window.editor.open_image(image)
    window.editor.set_selection([a.uuid for a in window.editor.annotations])
    yield window
    window.close()


# -- the walk ------------------------------------------------------------------------------
def model_tooltips(view: QAbstractItemView) -> Iterator[str]:
    model = view.model()
    if model is None:
        return
    for row in range(min(model.rowCount(QModelIndex()), 200)):
        col = 0
        while (index := model.index(row, col)).isValid():  # lists have one column
            tip = index.data(Qt.ItemDataRole.ToolTipRole)
            if isinstance(tip, str):
                yield tip
            col += 1


def markup_on_screen(win) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """(what would be drawn as markup, every text that holds a hostile string)."""
    bad: list[str] = []
    seen: list[str] = []

    def shown(where: str, text: str, plain: bool) -> None:
        if any(h in text for h in HOSTILE) or "&lt;" in text:
            seen.append(text)
        if holds_tag(text) and not plain:
            bad.append(f"{where}: {text!r}")

    for widget in [win, *win.findChildren(QWidget)]:  # its docks, panels and dialogs
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        if isinstance(widget, QLabel):
            shown(name, widget.text(), widget.textFormat() == Qt.TextFormat.PlainText)
        shown(f"tooltip of {name}", widget.toolTip(), False)
        if isinstance(widget, QAbstractItemView):
            for tip in model_tooltips(widget):
                shown(f"row tooltip in {name}", tip, False)
    for action in win.findChildren(type(win.action_set["undo"])):
        shown(f"tooltip of action {action.objectName()!r}", action.toolTip(), False)
    for item in win.canvas.scene().items():
        shown(f"tooltip of canvas item {type(item).__name__}", item.toolTip(), False)
    return bad, seen


def assert_no_markup(win) -> list[str]:  # type: ignore[no-untyped-def]
    bad, seen = markup_on_screen(win)
    assert bad == [], "\n".join(bad)
    return seen


def visible_boxes(win, name: str) -> list[QMessageBox]:  # type: ignore[no-untyped-def]
    return [b for b in win.findChildren(QMessageBox, name) if b.isVisible()]


# -- the tests -----------------------------------------------------------------------------
def test_the_window_shows_every_hostile_name_as_text(qtbot, win) -> None:
    seen = assert_no_markup(win)
    position = win.position_label
    assert position.text().startswith(BOLD)
    assert win.windowTitle().startswith(BOLD)
    # laid out as the literal characters: as wide as "<b>bold</b>" in plain letters
    metrics = QFontMetrics(position.font())
    assert position.sizeHint().width() >= metrics.horizontalAdvance(position.text())
    banner = win.workflow.banner
    assert banner.isVisible() and f"{BOLD} and {LINK}" in banner.text()
    assert IMG in banner.text()  # the reviewer
    form_labels = {w.text() for w in win.attribute_editor.findChildren(QLabel)}
    assert {BOLD, LINK} <= form_labels
    assert any(f"look {IMG}" in t for t in seen) or any("look &lt;img" in t for t in seen)
    shown_everywhere = " ".join(seen)
    for hostile in HOSTILE:
        assert hostile in shown_everywhere


def test_server_messages_and_conflicts_are_text(qtbot, win) -> None:
    message = f"server said {LINK} {IMG}"
    report = SyncReport(
        state="error",
        message=message,
        problems=[{"kind": "refused", "image": BOLD, "local_key": IMG, "message": LINK}],
    )
    win.sync_ui.show_report(report)
    win.conflicts.set_rows([ConflictRow(1, win.editor.image.id, BOLD, IMG, f"both {LINK}")])
    assert message in win.conflicts.problem.text()
    assert LINK in win.statusBar().currentMessage()  # the status bar draws plain text
    assert_no_markup(win)


def test_dialogs_show_names_as_text(qtbot, win) -> None:
    from limner.app.errors import show_error

    show_error(win, "Could not add images", f"{BOLD}: {IMG} cannot be read")
    win._ask_allow_huge(LINK, f"{IMG} is larger than the safety limit")
    win.workflow.ask_remark()
    qtbot.waitUntil(lambda: win.workflow.dialog is not None and win.workflow.dialog.isVisible())
    (error,) = visible_boxes(win, "errorBox")
    assert BOLD in error.text()
    (huge,) = visible_boxes(win, "allowHugeBox")
    assert huge.text().startswith(LINK)
    assert_no_markup(win)
    for box in (error, huge):
        box.close()
    win.workflow.dialog.close()


def test_the_delete_class_question_shows_the_name_as_text(qtbot, win) -> None:
    asked: list[str] = []

    def answer() -> None:  # runs inside the question's own event loop
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            asked.append(f"no question on screen but {box!r}")
            return
        try:
            asked.append(box.text())
            asked.extend(markup_on_screen(win)[0])
        finally:
            box.button(QMessageBox.StandardButton.No).click()

    win.classes.list.setCurrentRow(0)
    QTimer.singleShot(0, answer)
    win.classes.delete_button.click()
    assert len(asked) == 1, asked  # the question, and nothing drawn as markup
    assert BOLD in asked[0]
    assert len(win.editor.classes) == 3  # "No" deletes nothing


def test_remote_project_titles_and_connection_errors_are_text(qtbot, monkeypatch) -> None:
    import limner.app.connect_dialog as connect_dialog
    from limner.sync.errors import SyncError

    class Server:
        def __init__(self, *_args: object, **_kwargs: object) -> None:
            pass

        def projects(self) -> list[tuple[str, str]]:
            return [("1", BOLD), ("2", LINK)]

        def close(self) -> None:
            pass

    class Refusing(Server):
        def projects(self) -> list[tuple[str, str]]:
            raise SyncError(f"401 {IMG}")

    dialog = connect_dialog.ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    monkeypatch.setattr(connect_dialog, "make_adapter", Refusing)
    assert not dialog.test_connection()
    assert IMG in dialog.status.text()
    assert dialog.status.textFormat() == Qt.TextFormat.PlainText
    monkeypatch.setattr(connect_dialog, "make_adapter", Server)
    assert dialog.test_connection()
    titles = [dialog.project.itemText(i) for i in range(dialog.project.count())]
    assert titles == [f"{BOLD} (#1)", f"{LINK} (#2)"]  # a combo box draws plain text
    labels = dialog.findChildren(QLabel)
    plain = Qt.TextFormat.PlainText
    assert not [w.text() for w in labels if holds_tag(w.text()) and w.textFormat() != plain]
