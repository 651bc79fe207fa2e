"""Annotate and Review modes: the commands, panels and overlays of the review workflow.

In Annotate mode, submitting an image opens the next one that needs work, a rejected image
shows the reviewer's comment and remarks until it is submitted again, and the next unlabeled
or rejected image is one key away. In Review mode the image list shows the submitted images;
approving or rejecting (with a comment typed in a small dialog) moves on. Every verdict is a
command: undoable and recorded in the image's history. The keys are in the action table.

The controller is given what it works on (the editing session, the canvas, the image list,
the status bar, a parent for its dialogs); the window tells it when the image or its shapes
change by calling :meth:`ReviewController.refresh` and :meth:`refresh_overlays`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QStatusBar, QWidget

from limner.app.errors import show_error
from limner.models.domain.entities import Annotation, ImageRecord
from limner.models.domain.geometry import bounds, has_extent
from limner.models.editing.commands import Command
from limner.models.errors import LimnerError
from limner.models.store.queries import ImageFilter
from limner.models.store.store import ProjectStore
from limner.models.workflow import progress_charts as charts
from limner.models.workflow import queues as qs
from limner.models.workflow import review as rv
from limner.models.workflow.review_commands import AddRemark, Review, Skip, Submit
from limner.widgets.canvas.view import CanvasView
from limner.widgets.i18n import counted, translate
from limner.widgets.panels.image_list import ImageListPanel
from limner.widgets.panels.progress_view import ProgressDialog
from limner.widgets.panels.review_widgets import (
    ChangesOverlay,
    FeedbackBanner,
    HistoryPanel,
    RemarkPins,
)
from limner.widgets.plain import plain_input_dialog

C = "Review"
NO_MORE = {
    "unlabeled": QT_TRANSLATE_NOOP("Review", "No more unlabeled images"),
    "rejected": QT_TRANSLATE_NOOP("Review", "No more rejected images"),
    "submitted": QT_TRANSLATE_NOOP("Review", "No more submitted images"),
}
"""What the status bar says when a jump finds nothing, by what it looked for."""


class ReviewSession(Protocol):
    """What the workflow needs of the editing session."""

    store: ProjectStore
    image: ImageRecord | None
    image_filter: ImageFilter

    @property
    def annotations(self) -> list[Annotation]: ...
    def commit(self, command: Command) -> bool: ...
    def open_image(self, image_id: int | None) -> None: ...
    def open_first(self) -> None: ...
    def selected_annotations(self) -> list[Annotation]: ...


class ReviewController(QObject):
    modeChanged = Signal(str)

    def __init__(
        self,
        session: ReviewSession,
        canvas: CanvasView,
        images: ImageListPanel,
        status: QStatusBar,
        parent: QWidget,
        has_remote: Callable[[], bool],
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._canvas = canvas
        self._images = images
        self._status = status
        self._parent = parent
        self._has_remote = has_remote
        self.mode = "annotate"
        self.show_changes = False
        self.history_panel = HistoryPanel(parent)
        self.banner = FeedbackBanner(canvas)
        self.pins = RemarkPins(canvas.overlays)
        self.changes = ChangesOverlay(canvas.overlays)
        self.progress_dialog: ProgressDialog | None = None
        self._dialog: QInputDialog | None = None
        self._apply_mode()

    # -- modes -----------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        self._apply_mode()
        self.modeChanged.emit(mode)

    def mode_is(self, mode: str) -> bool:
        return self.mode == mode

    def annotating(self) -> bool:
        return self.mode == "annotate"

    def reviewing(self) -> bool:
        return self.mode == "review"

    def _apply_mode(self) -> None:
        """The list follows the mode (submitted images while reviewing), and so does Next."""
        review = self.reviewing()
        self.show_changes = review
        status = "submitted" if review else None
        index = self._images.status_filter.findData(status)
        self._images.status_filter.setCurrentIndex(max(index, 0))
        self._session.image_filter = ImageFilter(
            status=status, queue_id=self._images.queue_filter.currentData()
        )
        current = self._session.image
        if current is None or (status is not None and current.status != status):
            self._session.open_first()
        self.refresh()

    # -- commands --------------------------------------------------------------------
    def _run(self, command: Command, title: str) -> bool:
        try:
            return self._session.commit(command)
        except LimnerError as exc:
            show_error(self._parent, title, str(exc))
            return False

    def _next(self, wanted: str) -> None:
        current = self._session.image.id if self._session.image else None
        with self._session.store.read() as conn:
            target = qs.next_image(conn, current, wanted)
        if target is None:
            self._status.showMessage(translate(C, NO_MORE.get(wanted, NO_MORE["submitted"])), 4000)
            self.refresh()
            return
        self._session.open_image(target.id)

    def submit(self) -> None:
        image = self._session.image
        if image is None or self.mode != "annotate":
            return
        if self._run(Submit([image.id]), translate("Review", "Could not submit")):
            self._next("unlabeled")

    def ask_skip(self) -> None:
        image = self._session.image
        if image is None:
            return
        self._ask(
            translate("Review", "Skip image"),
            translate("Review", "Why skip this image?"),
            lambda text: self._skip(image.id, text),
        )

    def _skip(self, image_id: int, reason: str) -> None:
        if self._run(Skip([image_id], reason), translate("Review", "Could not skip")):
            self._next("unlabeled")

    def approve(self) -> None:
        image = self._session.image
        if image is None or self.mode != "review":
            return
        if self._run(Review(image.id, "approve"), translate("Review", "Could not approve")):
            self._next("submitted")

    def ask_reject(self) -> None:
        image = self._session.image
        if image is None or self.mode != "review":
            return
        self._ask(
            translate("Review", "Reject"),
            translate("Review", "What must change?"),
            lambda text: self.reject(image.id, text),
        )

    def reject(self, image_id: int, comment: str) -> None:
        if not comment.strip():  # ask again at once: no warning to dismiss, no second R
            self._ask(
                translate("Review", "Reject"),
                translate("Review", "A rejection needs a comment. What must change?"),
                lambda text: self.reject(image_id, text),
            )
            return
        if self._run(
            Review(image_id, "reject", comment.strip()), translate("Review", "Could not reject")
        ):
            self._next("submitted")

    def ask_remark(self) -> None:
        image = self._session.image
        if image is None:
            return
        selected = self._session.selected_annotations()
        anchor = selected[0].uuid if len(selected) == 1 else None
        point = self._canvas.last_cursor if anchor is None else None

        def add(text: str) -> None:
            if not text.strip():
                return
            x, y = point if point is not None else (None, None)
            self._run(
                AddRemark(image.id, text.strip(), x=x, y=y, annotation_uuid=anchor),
                translate("Review", "Could not add the remark"),
            )
            if self._has_remote():
                self._status.showMessage(
                    translate(
                        "Review",
                        "Remark kept in this project: the server cannot hold pinned remarks",
                    ),
                    6000,
                )
            self.refresh()

        self._ask(
            translate("Review", "Remark"), translate("Review", "Remark for the annotator:"), add
        )

    def jump(self, wanted: str) -> None:
        self._next(wanted)

    def toggle_changes(self) -> None:
        """Show or hide the frames of what changed since the last review."""
        self.show_changes = not self.show_changes
        self.refresh_overlays()

    def showing_changes(self) -> bool:
        return self.show_changes

    @property
    def dialog(self) -> QInputDialog | None:
        """The comment/reason dialog opened last (for keyboard-driven tests)."""
        return self._dialog

    def _ask(self, title: str, label: str, done: Callable[[str], None]) -> None:
        """A small non-blocking text dialog: type, Enter to confirm, Esc to cancel."""
        dialog = plain_input_dialog(self._parent, title, label)
        dialog.setObjectName("workflowDialog")
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.textValueSelected.connect(done)
        dialog.finished.connect(lambda _result: self._canvas.setFocus())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.open()

    # -- views -----------------------------------------------------------------------
    def refresh(self) -> None:
        """History, feedback banner and overlays of the current image."""
        image = self._session.image
        if image is None:
            self.history_panel.set_history([])
            self.banner.show_feedback(None)
            self.pins.clear()
            self.changes.clear()
            return
        with self._session.store.read() as conn:
            history = rv.status_history(conn, image.id)
            feedback = rv.review_feedback(conn, image.id)
        self.history_panel.set_history(history)
        if self.mode == "annotate" and feedback.pending and feedback.review is not None:
            review = feedback.review
            text = translate("Review", "Rejected by {reviewer}: {comment}").format(
                reviewer=review.reviewer, comment=review.comment
            )
            if feedback.remarks:
                count = len(feedback.remarks)
                text += "  ·  " + counted(
                    count,
                    translate("Review", "{count} remark pinned on the image"),
                    translate("Review", "{count} remarks pinned on the image"),
                )
            self.banner.show_feedback(text)
        else:
            self.banner.show_feedback(None)
        self.refresh_overlays()

    def refresh_overlays(self) -> None:
        """Remark pins and, while reviewing, the frames of what changed since the review."""
        image = self._session.image
        if image is None:
            return
        with self._session.store.read() as conn:
            feedback = rv.review_feedback(conn, image.id)
            changes = rv.changes_since_review(conn, image.id) if self.mode == "review" else None
        show_pins = self.mode == "review" or feedback.pending
        remarks = feedback.remarks if show_pins else ()
        anchored = {r.annotation_uuid for r in remarks if r.annotation_uuid}
        anchors = {}
        for ann in self._session.annotations if anchored else ():
            if ann.uuid in anchored:
                x0, y0, _x1, _y1 = bounds(ann.geometry)
                anchors[ann.uuid] = (x0, y0)
        self.pins.show(remarks, anchors, self._canvas.zoom)
        frames = []
        if changes is not None and self.show_changes:
            current = {a.uuid: a for a in self._session.annotations}
            for uuid in changes.added:
                if uuid in current:
                    frames.append(("added", bounds(current[uuid].geometry)))
            for uuid in changes.changed:
                if uuid in current:
                    frames.append(("changed", bounds(current[uuid].geometry)))
            for uuid in changes.removed:
                old = changes.before.get(uuid)
                if old is not None and has_extent(old.geometry):  # a tag has no frame
                    frames.append(("removed", bounds(old.geometry)))
        self.changes.show(frames)

    def show_progress(self) -> None:
        with self._session.store.read() as conn:
            overall = qs.progress(conn)
            per_queue = qs.progress_by_queue(conn)
            classes = charts.class_distribution(conn)
            days = charts.statuses_per_day(conn)
            pace = charts.throughput(conn)
        sections = [
            (translate("Review", "Project"), overall.by_status, _totals(overall.by_annotator))
        ]
        sections += [
            (
                translate("Review", "Queue {name}").format(name=name),
                p.by_status,
                _totals(p.by_annotator),
            )
            for name, p in per_queue.items()
        ]
        dialog = ProgressDialog(sections, self._parent, classes=classes, days=days, pace=pace)
        dialog.open()
        self.progress_dialog = dialog


def _totals(by_annotator: object) -> dict[str, int]:
    return {name: sum(counts.values()) for name, counts in by_annotator.items()}  # type: ignore[attr-defined]


__all__ = ["ReviewController", "ReviewSession"]
