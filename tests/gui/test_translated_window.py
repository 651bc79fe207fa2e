"""The window speaks the user's language: under Chinese, no text limner shows is English.

The real start page, main window (on the demo project), Preferences, About, the F1 sheet,
the progress charts and the window's other dialogs are built with the Chinese catalogue
loaded; every text they show (menu titles and entries, action texts and tooltips, labels,
buttons, group boxes, panel titles, tabs, combo box entries, placeholders, list rows and
table headers, window titles, the status bar and tool hints) is read back. Whatever Latin
word is left once the names that are the same in every language are taken out (key names,
format names, "limner", and the project's own data: class, image and point names, file
paths) is a text that did not go through the catalogue, and the test lists it with where
it was found.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from limner.app.actions import TOOL_ROWS
from limner.app.language import install_language
from limner.models.assist import catalog
from limner.models.assist.families import families
from limner.models.demo import create_demo_project
from limner.models.store import queries

SAME_IN_EVERY_LANGUAGE = {
    # the product, formats, standards and the names of keys as Qt writes them
    "limner", "COCO", "YOLO", "Pascal", "VOC", "labelme", "CVAT", "Label", "Studio", "ML",
    "URL", "ONNX", "PNG", "TLS", "UUID", "ID", "RGB", "GrabCut", "Douglas", "Peucker",
    "Ctrl", "Shift", "Alt", "Enter", "Return", "Tab", "Backspace", "Esc", "Del", "Space",
    "Left", "Right", "Up", "Down", "PgUp", "PgDown", "px", "KB", "MB", "GB",
    "LIMNER_USER", "LIMNER", "USER", "Apache", "License", "Deutsch", "English", "JSON", "XML",
    "SHA", "Clarifai", "CloudFactory", "Hasty",
    "bool", "choice", "multi", "text", "number",  # the attribute schema's own words
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z_']+")
PATH = re.compile(r"\S*[/\\]\S*|\b\w+\.(?:yaml|json|xml|jpg|png|limner|conf|qm)\b")
"""Paths and file names: the user's data, never translated."""
TAG = re.compile(r"<[^>]+>")


def english_words(text: str, data: set[str]) -> list[str]:
    """The Latin words of ``text`` that are neither the same in every language nor data."""
    plain = PATH.sub(" ", TAG.sub(" ", text.replace("&&", "&").replace("&", "")))
    return [w for w in WORD.findall(plain) if w not in SAME_IN_EVERY_LANGUAGE and w not in data]


def texts_of(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text ``root`` and its children show."""
    for widget in (root, *root.findChildren(QWidget)):
        name = f"{type(widget).__name__} {widget.objectName()}".strip()
        if widget.isWindow():
            yield name + " title", widget.windowTitle()
        if isinstance(widget, QLabel):
            yield name, widget.text()
        if isinstance(widget, QAbstractButton):
            yield name, widget.text()
            yield name + " tooltip", widget.toolTip()
        if isinstance(widget, QGroupBox):
            yield name, widget.title()
        if isinstance(widget, QDockWidget):
            yield name, widget.windowTitle()
        if isinstance(widget, QTabWidget):
            yield from ((name, widget.tabText(i)) for i in range(widget.count()))
        if isinstance(widget, QComboBox):
            yield from ((name, widget.itemText(i)) for i in range(widget.count()))
        if isinstance(widget, QLineEdit):
            yield name + " placeholder", widget.placeholderText()
        if isinstance(widget, QPlainTextEdit):
            yield name + " placeholder", widget.placeholderText()
        if isinstance(widget, QMenu):
            yield name, widget.title()
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            yield from _item_texts(name, widget)
    for action in root.findChildren(QAction):
        if action.isSeparator():
            continue
        where = f"QAction {action.objectName()}".strip()
        for text in (action.text(), action.toolTip(), action.statusTip(), action.iconText()):
            yield where, text


def _item_texts(name: str, view: QAbstractItemView) -> Iterator[tuple[str, str]]:
    model = view.model()
    display = Qt.ItemDataRole.DisplayRole
    columns = 1 if isinstance(view, QListView) else model.columnCount(QModelIndex())
    for column in range(columns):
        header = model.headerData(column, Qt.Orientation.Horizontal, display)
        if isinstance(header, str) and not isinstance(view, QListView):
            yield name + " header", header
    for row in range(min(model.rowCount(QModelIndex()), 50)):
        for column in range(columns):
            for role in (display, Qt.ItemDataRole.ToolTipRole):
                value = model.data(model.index(row, column), role)
                if isinstance(value, str):
                    yield f"{name} row {row}", value


def untranslated(found: Iterable[tuple[str, str]], data: set[str]) -> list[str]:
    return sorted({f"{where}: {text!r}" for where, text in found if english_words(text, data)})


@pytest.fixture
def chinese(qapp) -> Iterator[None]:
    assert install_language(qapp, "zh_CN") == "zh_CN"
    yield
    install_language(qapp, "en")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator:
    store = create_demo_project(tmp_path / "demo")
    yield store
    store.close()


def project_words(store) -> set[str]:
    """The names that come from the project itself: classes, skeleton points, images."""
    with store.read() as conn:
        names = [c.name for c in queries.label_classes(conn)]
        for cls in queries.label_classes(conn):
            names += list(cls.skeleton.names) if cls.skeleton else []
            names += list(cls.tag.options) if cls.tag else []
        count = queries.image_count(conn, queries.ImageFilter())
        names += [i.name for i in queries.image_page(conn, 0, count, queries.ImageFilter())]
    names.append(store.name)
    return {w for name in names for w in WORD.findall(name)}


def _settle(qtbot) -> None:
    qtbot.wait(50)
    QApplication.processEvents()


def test_the_start_page_speaks_chinese(qtbot, chinese, home, demo) -> None:
    home.recent.remember(demo)  # a recent project: its row says how many images are done
    start = home.show_start()
    qtbot.waitExposed(start)
    recent = start.findChild(QMenu, "recentMenu")
    home.fill_recent_menu(recent)
    found = [*texts_of(start), *((f"recent menu {a.text()}", a.text()) for a in recent.actions())]
    assert "新建项目…" in [t for _w, t in found]
    assert untranslated(found, project_words(demo)) == []


def test_the_main_window_and_its_dialogs_speak_chinese(qtbot, chinese, home, demo) -> None:
    window = home.open_project(Path(demo.folder))
    qtbot.waitExposed(window)
    _settle(qtbot)
    data = project_words(demo) | {"zebra"} | set(families(catalog.models_folder()))
    found = list(texts_of(window))
    for name, *_rest in TOOL_ROWS:  # every tool's hint in the status bar
        window.editor.set_tool(name)
        _settle(qtbot)
        found.append((f"status bar, tool {name}", window.statusBar().currentMessage()))
    window.editor.set_tool("select")
    window.editor.add_class("zebra")  # Edit > Undo now names the step, from the core
    window.action_set.refresh()
    undo = window.action_set["undo"]
    found += [("undo", undo.text()), ("undo tooltip", undo.toolTip())]
    assert undo.text().startswith("撤销")
    for open_dialog in (
        home.ask_preferences, home.show_about, window.show_shortcuts,
        window.workflow.show_progress, lambda: window.edit_class(window.editor.classes[0].id),
        window.sync_ui.ask_connect, home.ask_new, window.labels.ask_import,
        window.labels.ask_export, window.assist.ask_models,
    ):  # fmt: skip
        before = set(QApplication.topLevelWidgets())
        open_dialog()
        _settle(qtbot)
        shown = [w for w in set(QApplication.topLevelWidgets()) - before if w.isVisible()]
        assert shown, open_dialog
        for dialog in shown:
            found += texts_of(dialog)
            dialog.close()
    assert untranslated(found, data) == []


def test_the_charts_name_statuses_in_chinese(qtbot, chinese, home, demo) -> None:
    window = home.open_project(Path(demo.folder))
    window.workflow.show_progress()
    status_chart, _people = next(iter(window.workflow.progress_dialog.charts.values()))
    shown = [status_chart._shown(label) for label, _count in status_chart._rows]
    assert "进行中" in shown and untranslated((("chart", s) for s in shown), set()) == []
    window.workflow.progress_dialog.close()


def test_the_walk_finds_english(qtbot, home, demo) -> None:
    """Without the catalogue the same walk finds English everywhere: it can tell."""
    start = home.show_start()
    found = untranslated(texts_of(start), project_words(demo))
    assert any("Open project" in line for line in found)


def _start_in_a_fresh_process(env: dict[str, str], tmp_path: Path) -> str:
    """What a fresh ``limner`` (start page, then a screenshot) says for "Open project…"."""
    script = (
        "import sys; from limner.app.gui import run_gui; from pathlib import Path; "
        "from PySide6.QtCore import QCoreApplication as Q; "
        f"code = run_gui(None, screenshot=Path({str(tmp_path / 's.png')!r})); "
        "print(Q.translate('StartPage', 'Open project…')); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _env(user_folders: Path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(user_folders / "config"))
    env.update(XDG_DATA_HOME=str(user_folders / "data"), XDG_CACHE_HOME=str(user_folders / "cache"))
    return {**env, **extra}


def test_the_language_chosen_in_preferences_is_spoken_from_the_next_start(
    qtbot, home, user_folders, tmp_path
) -> None:
    dialog = home.ask_preferences()
    note = dialog.findChild(QLabel, "prefLanguageNote")
    assert note is not None and "next time" in note.text()  # the dialog says when
    combo = dialog.findChild(QComboBox, "prefLanguage")
    combo.setCurrentIndex(combo.findData("de"))
    dialog.accept()
    assert QCoreApplication.translate("StartPage", "Open project…") == "Open project…"
    assert _start_in_a_fresh_process(_env(user_folders), tmp_path) == "Projekt öffnen…"


def test_following_the_system_speaks_its_language(user_folders, tmp_path) -> None:
    env = _env(user_folders, LANG="zh_CN.UTF-8", LANGUAGE="zh_CN")
    assert _start_in_a_fresh_process(env, tmp_path) == "打开项目…"
    env = _env(user_folders, LANG="fr_FR.UTF-8", LANGUAGE="fr_FR")
    assert _start_in_a_fresh_process(env, tmp_path) == "Open project…"
