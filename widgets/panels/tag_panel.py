"""The image tags panel: the open image's answers to every tag class, as toggles.

A choice class shows one checkable button per option, a text or number class a line
edit. Each option gets a hotkey, Alt+1 to Alt+9 then Alt+0 in panel order, written on its
button: digits alone pick the drawing class, and Alt+letters open the menus, so Alt+digit
is the one family of keys free for this. The panel only asks: a press emits ``toggled``
(class id, option), a finished text ``answered`` (class id, value), and the window turns
each into one undoable edit; the buttons show the image's tags only as the session reports
them back (:meth:`show_tags`), never their own guess.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from limner.models.domain.entities import Annotation, LabelClass
from limner.models.domain.geometry import Tag, TagSpec
from limner.models.editing.class_fit import is_tag_class
from limner.widgets.i18n import translate
from limner.widgets.plain import menu_text, plain_label, set_plain_tip
from limner.widgets.words import tag_mode_name

__all__ = ["TAG_KEYS", "TagPanel"]

TAG_KEYS: tuple[str, ...] = tuple(f"Alt+{n}" for n in (*range(1, 10), 0))
"""The hotkeys of the options, in panel order."""

_COLUMNS = 2
_CHECKED_STYLE = (
    "QPushButton:checked { background: palette(highlight); color: palette(highlighted-text); }"
)


def _answer_text(tag: Annotation | None) -> str:
    if tag is None or not isinstance(tag.geometry, Tag):
        return ""
    value = tag.geometry.value
    if isinstance(value, tuple):
        return ", ".join(value)
    return value if isinstance(value, str) else f"{value:g}"


class TagPanel(QWidget):
    toggled = Signal(int, str)  # class id, option
    answered = Signal(int, object)  # class id, text or number (None: no answer)
    addRequested = Signal()
    editRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tagPanel")
        self._body = QWidget()
        self._rows = QVBoxLayout(self._body)
        self._rows.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._body)
        scroll.setMinimumHeight(180)  # the right column is crowded; keep a few rows in sight
        self.add_button = QToolButton()
        self.add_button.setText(translate("TagPanel", "+ Tag class…"))
        self.add_button.setToolTip(translate("TagPanel", "Add a class that tags the whole image"))
        self.add_button.clicked.connect(self.addRequested.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scroll)
        layout.addWidget(self.add_button)
        self.buttons: dict[tuple[int, str], QPushButton] = {}
        self.edits: dict[int, QLineEdit] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        self._classes: list[LabelClass] = []
        self._shown: dict[int, Annotation] = {}
        self.set_classes(())

    # -- contents ------------------------------------------------------------------------
    def set_classes(self, classes: Iterable[LabelClass]) -> None:
        """Show a group for every tag class among ``classes``, in their order."""
        self._classes = [c for c in classes if is_tag_class(c)]
        for shortcut in self.shortcuts.values():
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self.buttons, self.edits, self.shortcuts = {}, {}, {}
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # gone now, not at the next turn of the event loop
                widget.deleteLater()
        keys = iter(TAG_KEYS)
        for cls in self._classes:
            self._rows.addWidget(self._group(cls, keys))
        if not self._classes:
            hint = plain_label(
                translate("TagPanel", "No tag classes yet: add one to tag whole images.")
            )
            hint.setWordWrap(True)
            self._rows.addWidget(hint)
        self._rows.addStretch(1)
        self.show_tags(self._shown.values())

    def _group(self, cls: LabelClass, keys: Iterable[str]) -> QGroupBox:
        spec = cls.tag or TagSpec("text")
        box = QGroupBox(menu_text(f"{cls.name}  ({tag_mode_name(spec.mode)})"))
        box.setObjectName(f"tagClass{cls.id}")
        grid = QGridLayout(box)
        edit_button = QToolButton()
        edit_button.setText(translate("TagPanel", "Edit…"))
        edit_button.setObjectName(f"editTagClass{cls.id}")
        edit_button.setToolTip(translate("TagPanel", "Name, question and options of the tag class"))
        edit_button.clicked.connect(lambda _=False, cid=cls.id: self.editRequested.emit(cid))
        cells = 1
        if spec.mode in ("single", "multiple"):
            key_iter = iter(keys)
            for n, option in enumerate(spec.options):
                key = next(key_iter, None)
                grid.addWidget(self._option_button(cls, option, key), n // _COLUMNS, n % _COLUMNS)
            cells = len(spec.options)
        else:
            line = QLineEdit()
            line.setObjectName(f"tagText{cls.id}")
            line.setPlaceholderText(tag_mode_name(spec.mode))
            line.editingFinished.connect(lambda cid=cls.id: self._finished(cid))
            self.edits[cls.id] = line
            grid.addWidget(line, 0, 0)
        grid.addWidget(edit_button, cells // _COLUMNS, cells % _COLUMNS, Qt.AlignmentFlag.AlignLeft)
        return box

    def _option_button(self, cls: LabelClass, option: str, key: str | None) -> QPushButton:
        button = QPushButton(menu_text(f"{key}  {option}" if key else option))
        button.setCheckable(True)
        button.setStyleSheet(_CHECKED_STYLE)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the canvas
        set_plain_tip(button, f"{cls.name}: {option}" + (f" ({key})" if key else ""))
        button.clicked.connect(lambda _=False, cid=cls.id, o=option: self._pressed(cid, o))
        self.buttons[(cls.id, option)] = button
        if key is not None:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda cid=cls.id, o=option: self._pressed(cid, o))
            self.shortcuts[key] = shortcut
        return button

    # -- the image's answers -------------------------------------------------------------
    def show_tags(self, tags: Iterable[Annotation]) -> None:
        """Show these tags as the open image's answers (no signal is emitted)."""
        self._shown = {t.class_id: t for t in tags if t.class_id is not None}
        for (class_id, option), button in self.buttons.items():
            tag = self._shown.get(class_id)
            value = tag.geometry.value if tag is not None and isinstance(tag.geometry, Tag) else ()
            chosen = value if isinstance(value, tuple) else (value,)
            button.setChecked(option in chosen)
        for class_id, line in self.edits.items():
            line.setText(_answer_text(self._shown.get(class_id)))

    def answer(self, class_id: int) -> str:
        """The shown answer of a tag class, as text (for tests and tooltips)."""
        return _answer_text(self._shown.get(class_id))

    def _pressed(self, class_id: int, option: str) -> None:
        self.show_tags(list(self._shown.values()))  # the session's word, not the click's
        if self.isEnabled():
            self.toggled.emit(class_id, option)

    def _finished(self, class_id: int) -> None:
        line = self.edits[class_id]
        text = line.text().strip()
        if text == self.answer(class_id):
            return
        spec = next((c.tag for c in self._classes if c.id == class_id), None)
        value: object = text or None
        if spec is not None and spec.mode == "number" and text:
            try:
                value = float(text) if any(ch in text for ch in ".eE") else int(text)
            except ValueError:
                line.setText(self.answer(class_id))
                return
        self.answered.emit(class_id, value)
