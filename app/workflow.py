"""Annotate and Review modes: the keys, panels and overlays of the review workflow.

In Annotate mode, Ctrl+Enter submits the image and opens the next one that needs work, a
rejected image shows the reviewer's comment and remarks until it is submitted again, and N
/ Shift+N jump to the next unlabeled / rejected image. In Review mode the list shows the
submitted images, A approves and R rejects (with a comment typed in a small dialog), both
moving on; Left goes back. Everything is a command: undoable and in the image's history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit

from limner.models.domain.geometry import bounds
from limner.models.editing.commands import Command
from limner.models.errors import LimnerError
from limner.models.store.queries import ImageFilter
from limner.models.workflow import queues as qs
from limner.models.workflow import review as rv
from limner.models.workflow.review_commands import AddRemark, Review, Skip, Submit
from limner.widgets.panels.review_widgets import (
    ChangesOverlay,
    FeedbackBanner,
    HistoryPanel,
    ProgressDialog,
    RemarkPins,
)

if TYPE_CHECKING:
    from limner.app.main_window import MainWindow


class Workflow(QObject):
    modeChanged = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self.editor = window.editor
        self.mode = "annotate"
        self.history_panel = HistoryPanel(window)
        self.banner = FeedbackBanner(window.canvas.viewport())
        self.pins = RemarkPins(window.canvas.scene())
        self.changes = ChangesOverlay(window.canvas.scene())
        self._dialog: QInputDialog | None = None
        self._build_actions()
        self.editor.imageChanged.connect(lambda _r: self.refresh())
        self.editor.imagesChanged.connect(lambda _c: self.refresh())
        self.editor.annotationsChanged.connect(self._refresh_overlays)

    # -- actions ---------------------------------------------------------------------
    def _build_actions(self) -> None:
        a = self.win._action
        self.act_annotate = a(
            "Annotate", lambda: self.set_mode("annotate"), ["F6"], "Annotate mode", True
        )
        self.act_review = a("Review", lambda: self.set_mode("review"), ["F7"], "Review mode", True)
        group = QActionGroup(self)
        for act in (self.act_annotate, self.act_review):
            group.addAction(act)
        self.act_annotate.setChecked(True)
        self.act_submit = a(
            "Submit", self.submit, ["Ctrl+Return", "Ctrl+Enter"], "Submit and open the next image"
        )
        self.act_skip = a(
            "Skip…", self.ask_skip, ["Ctrl+Shift+K"], "Skip this image, with a reason"
        )
        self.act_next_unlabeled = a(
            "Next unlabeled", lambda: self.jump("unlabeled"), ["N"], "Next image that needs labels"
        )
        self.act_next_rejected = a(
            "Next rejected", lambda: self.jump("rejected"), ["Shift+N"], "Next rejected image"
        )
        self.act_approve = a("Approve", self.approve, ["A"], "Approve and open the next image")
        self.act_reject = a("Reject…", self.ask_reject, ["R"], "Reject with a comment")
        self.act_remark = a(
            "Add remark…",
            self.ask_remark,
            ["Ctrl+M"],
            "Pin a remark to the selection or the cursor",
        )
        self.act_changes = a(
            "Changes since last review",
            self._refresh_overlays,
            ["Ctrl+Shift+R"],
            "Show added, changed and removed shapes",
            True,
        )
        self.act_progress = a("Progress…", self.show_progress, ["Ctrl+P"], "Counts and charts")
        menu = self.win.menuBar().addMenu("&Review")
        menu.addActions([self.act_annotate, self.act_review])
        menu.addSeparator()
        menu.addActions(
            [self.act_submit, self.act_skip, self.act_next_unlabeled, self.act_next_rejected]
        )
        menu.addSeparator()
        menu.addActions([self.act_approve, self.act_reject, self.act_remark, self.act_changes])
        menu.addSeparator()
        menu.addAction(self.act_progress)
        toolbar = self.win.addToolBar("Mode")
        toolbar.setObjectName("modeToolbar")
        toolbar.addActions([self.act_annotate, self.act_review])
        toolbar.addSeparator()
        toolbar.addActions([self.act_submit, self.act_approve, self.act_reject])
        self._apply_mode()

    def set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        self._apply_mode()
        self.modeChanged.emit(mode)

    def _apply_mode(self) -> None:
        review = self.mode == "review"
        (self.act_review if review else self.act_annotate).setChecked(True)
        for act in (self.act_approve, self.act_reject, self.act_changes):
            act.setEnabled(review)
        for act in (
            self.act_submit,
            self.act_skip,
            self.act_next_unlabeled,
            self.act_next_rejected,
        ):
            act.setEnabled(not review)
        # A is "previous image" while annotating and "approve" while reviewing.
        self.win.act_prev.setShortcuts([QKeySequence("Left")] if review else [QKeySequence("A")])
        self.act_changes.setChecked(review)
        status = "submitted" if review else None
        panel = self.win.images
        index = panel.status_filter.findData(status)
        panel.status_filter.setCurrentIndex(max(index, 0))
        self.editor.image_filter = ImageFilter(
            status=status, queue_id=panel.queue_filter.currentData()
        )
        current = self.editor.image
        if current is None or (status is not None and current.status != status):
            self.editor.open_first()
        self.refresh()

    # -- commands --------------------------------------------------------------------
    def _run(self, command: Command, title: str) -> bool:
        try:
            return self.editor.commit(command)
        except LimnerError as exc:
            self.editor.failed.emit(title, str(exc))
            return False

    def _next(self, wanted: str) -> None:
        current = self.editor.image.id if self.editor.image else None
        with self.editor.store.read() as conn:
            target = qs.next_image(conn, current, wanted)
        if target is None:
            self.win.statusBar().showMessage(f"No more {wanted} images", 4000)
            self.refresh()
            return
        self.editor.open_image(target.id)

    def submit(self) -> None:
        image = self.editor.image
        if image is None or self.mode != "annotate":
            return
        if self._run(Submit([image.id]), "Could not submit"):
            self._next("unlabeled")

    def ask_skip(self) -> None:
        image = self.editor.image
        if image is None:
            return
        self._ask("Skip image", "Why skip this image?", lambda text: self._skip(image.id, text))

    def _skip(self, image_id: int, reason: str) -> None:
        if self._run(Skip([image_id], reason), "Could not skip"):
            self._next("unlabeled")

    def approve(self) -> None:
        image = self.editor.image
        if image is None or self.mode != "review":
            return
        if self._run(Review(image.id, "approve"), "Could not approve"):
            self._next("submitted")

    def ask_reject(self) -> None:
        image = self.editor.image
        if image is None or self.mode != "review":
            return
        self._ask("Reject", "What must change?", lambda text: self.reject(image.id, text))

    def reject(self, image_id: int, comment: str) -> None:
        if not comment.strip():
            self.editor.failed.emit("Could not reject", "A rejection needs a comment.")
            return
        if self._run(Review(image_id, "reject", comment.strip()), "Could not reject"):
            self._next("submitted")

    def ask_remark(self) -> None:
        image = self.editor.image
        if image is None:
            return
        selected = self.editor.selected_annotations()
        anchor = selected[0].uuid if len(selected) == 1 else None
        point = self.win.canvas.last_cursor if anchor is None else None

        def add(text: str) -> None:
            if not text.strip():
                return
            x, y = point if point is not None else (None, None)
            self._run(
                AddRemark(image.id, text.strip(), x=x, y=y, annotation_uuid=anchor),
                "Could not add the remark",
            )
            if self.win.sync is not None:
                self.win.statusBar().showMessage(
                    "Remark kept in this project: the server cannot hold pinned remarks", 6000
                )
            self.refresh()

        self._ask("Remark", "Remark for the annotator:", add)

    def jump(self, wanted: str) -> None:
        self._next(wanted)

    @property
    def dialog(self) -> QInputDialog | None:
        """The comment/reason dialog opened last (for keyboard-driven tests)."""
        return self._dialog

    def _ask(self, title: str, label: str, done) -> None:  # type: ignore[no-untyped-def]
        """A small non-blocking text dialog: type, Enter to confirm, Esc to cancel."""
        dialog = QInputDialog(self.win)
        dialog.setObjectName("workflowDialog")
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.textValueSelected.connect(done)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.open()

    # -- views -----------------------------------------------------------------------
    def refresh(self) -> None:
        image = self.editor.image
        if image is None:
            self.history_panel.set_history([])
            self.banner.show_feedback(None)
            self.pins.clear()
            self.changes.clear()
            return
        with self.editor.store.read() as conn:
            history = rv.status_history(conn, image.id)
            feedback = rv.review_feedback(conn, image.id)
        self.history_panel.set_history(history)
        if self.mode == "annotate" and feedback.pending and feedback.review is not None:
            text = f"Rejected by {feedback.review.reviewer}: {feedback.review.comment}"
            if feedback.remarks:
                text += f"  ·  {len(feedback.remarks)} remark(s) pinned on the image"
            self.banner.show_feedback(text)
        else:
            self.banner.show_feedback(None)
        self._refresh_overlays()

    def _refresh_overlays(self) -> None:
        image = self.editor.image
        if image is None:
            return
        with self.editor.store.read() as conn:
            feedback = rv.review_feedback(conn, image.id)
            changes = rv.changes_since_review(conn, image.id) if self.mode == "review" else None
        anchors = {}
        for ann in self.editor.annotations:
            x0, y0, _x1, _y1 = bounds(ann.geometry)
            anchors[ann.uuid] = (x0, y0)
        show_pins = self.mode == "review" or feedback.pending
        self.pins.show(feedback.remarks if show_pins else (), anchors, self.win.canvas.zoom)
        frames = []
        if changes is not None and self.act_changes.isChecked():
            current = {a.uuid: a for a in self.editor.annotations}
            for uuid in changes.added:
                if uuid in current:
                    frames.append(("added", bounds(current[uuid].geometry)))
            for uuid in changes.changed:
                if uuid in current:
                    frames.append(("changed", bounds(current[uuid].geometry)))
            for uuid in changes.removed:
                old = changes.before.get(uuid)
                if old is not None:
                    frames.append(("removed", bounds(old.geometry)))
        self.changes.show(frames)

    def show_progress(self) -> None:
        with self.editor.store.read() as conn:
            overall = qs.progress(conn)
            per_queue = qs.progress_by_queue(conn)
        sections = [("Project", overall.by_status, _totals(overall.by_annotator))]
        sections += [
            (f"Queue {name}", p.by_status, _totals(p.by_annotator)) for name, p in per_queue.items()
        ]
        dialog = ProgressDialog(sections, self.win)
        dialog.open()
        self.progress_dialog = dialog


def _totals(by_annotator: object) -> dict[str, int]:
    return {name: sum(counts.values()) for name, counts in by_annotator.items()}  # type: ignore[attr-defined]


__all__ = ["QAction", "Workflow"]
