"""Suggestions in the window: the panel, the dashed overlay, accepting, and pre-labels.

The controller shows the open image's open suggestions in the panel and on the canvas,
turns the panel's requests into :mod:`~limner.models.editing.suggestion_commands` (one undo
step each) and runs the installed detector over the current image or every image on a
worker thread, with a progress dialog whose Cancel stops between images. Everything it
knows arrives through the store's change sets, so suggestions pulled by sync appear the
same way as those a local model made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QInputDialog, QProgressDialog, QStatusBar, QWidget

from limner.app.action_set import Refused
from limner.models.assist import catalog
from limner.models.assist.detect import Detector, class_map
from limner.models.assist.errors import AssistError
from limner.models.assist.runtime import missing_reason
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.events import ImageChanged
from limner.models.editing.session import EditingSession
from limner.models.editing.suggestion_commands import AcceptSuggestions, RejectSuggestions, above
from limner.models.errors import LimnerError
from limner.models.store import queries, suggestions
from limner.models.store.store import ChangeSet, ProjectStore
from limner.models.store.suggestions import Suggestion
from limner.models.workflow.prelabel import prelabel
from limner.sync.ml_backend import META_KEY, suggest_for_image
from limner.widgets.canvas.suggestion_overlay import SuggestionOverlay
from limner.widgets.i18n import counted, translate
from limner.widgets.panels.suggestion_panel import SuggestionPanel


class SuggestionsController(QObject):
    storeChanged = Signal(object)  # a ChangeSet, re-emitted on the GUI thread
    progressed = Signal(int, int)
    finished = Signal(str)  # a message for the status bar

    def __init__(
        self,
        editor: EditingSession,
        store: ProjectStore,
        panel: SuggestionPanel,
        overlay: SuggestionOverlay,
        status: QStatusBar,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.editor, self.store, self.panel, self.overlay = editor, store, panel, overlay
        self._status, self._parent = status, parent
        self._open: list[Suggestion] = []
        self.worker: threading.Thread | None = None
        self._cancel = threading.Event()
        self._progress: QProgressDialog | None = None
        self.after_change: Callable[[], None] = lambda: None
        self.storeChanged.connect(self._on_store_changed)
        self._unsubscribe = store.subscribe(self.storeChanged.emit)
        panel.acceptRequested.connect(self.accept)
        panel.rejectRequested.connect(self.reject)
        panel.acceptAboveRequested.connect(self.accept_above)
        panel.currentChanged.connect(lambda _uuid: self._draw())
        self.progressed.connect(self._on_progress)
        self.finished.connect(self._on_finished)

    def close(self) -> None:
        self._cancel.set()
        self._unsubscribe()

    # -- showing -----------------------------------------------------------------------
    def session_event(self, event: object) -> None:
        if isinstance(event, ImageChanged):
            self.refresh()

    def _on_store_changed(self, changes: ChangeSet) -> None:
        image = self.editor.image
        if image is not None and image.id in changes.suggestions:
            self.refresh()

    def refresh(self) -> None:
        image = self.editor.image
        if image is None:
            self._open = []
        else:
            with self.store.read() as conn:
                self._open = suggestions.for_image(conn, image.id)
        self._open.sort(key=lambda s: -(s.score if s.score is not None else -1.0))
        self.panel.set_suggestions(self._open)
        self._draw()

    def _draw(self) -> None:
        shapes = [(s.uuid, s.geometry) for s in self._open]
        self.overlay.show(shapes, self.panel.current() or None)

    @property
    def open_suggestions(self) -> Sequence[Suggestion]:
        return tuple(self._open)

    # -- deciding ----------------------------------------------------------------------
    def _pick(self, uuids: Sequence[str]) -> tuple[Suggestion, ...]:
        wanted = set(uuids)
        return tuple(s for s in self._open if s.uuid in wanted)

    def accept(self, uuids: Sequence[str]) -> None:
        items = self._pick(uuids)
        if items:
            text = QT_TRANSLATE_NOOP("Commands", "Accept {label}").format(label=items[0].label)
            self.editor.commit(AcceptSuggestions(items, text=text))

    def reject(self, uuids: Sequence[str]) -> None:
        items = self._pick(uuids)
        if items:
            text = QT_TRANSLATE_NOOP("Commands", "Reject {label}").format(label=items[0].label)
            self.editor.commit(RejectSuggestions(items, text=text))

    def accept_above(self, threshold: float) -> None:
        items = tuple(above(self._open, threshold))
        if items:
            text = QT_TRANSLATE_NOOP("Commands", "Accept {count} suggestions ≥ {threshold}").format(
                count=len(items), threshold=f"{threshold:.2f}"
            )
            self.editor.commit(AcceptSuggestions(items, text=text))

    # -- the team's ML backend ----------------------------------------------------------
    def ask_backend(self) -> None:
        current = self.store.get_meta(META_KEY) or ""
        url, ok = QInputDialog.getText(
            self._parent, translate("Assist", "ML backend"),
            translate("Assist", "Label Studio ML backend URL for this project:"), text=current,
        )  # fmt: skip
        if ok:
            self.store.set_meta(META_KEY, url.strip())
            self.after_change()

    def backend_ready(self) -> bool | Refused:
        if not self.store.get_meta(META_KEY):
            return Refused(
                translate("Assist", "ML backend"),
                translate("Assist", "no backend URL is set for this project"),
            )
        return self.worker is None and self.editor.image is not None

    def suggest(self) -> None:
        """Ask the project's ML backend about the open image, on a worker thread."""
        url, image = self.store.get_meta(META_KEY), self.editor.image
        if not url or image is None or self.worker is not None:
            return

        def run() -> None:
            try:
                count = suggest_for_image(self.store, image.id, url)
                self.finished.emit(
                    counted(
                        count,
                        translate("Assist", "The ML backend suggested {count} shape"),
                        translate("Assist", "The ML backend suggested {count} shapes"),
                    )
                )
            except LimnerError as error:
                self.finished.emit(str(error))

        self.worker = threading.Thread(target=run, daemon=True)
        self.worker.start()

    # -- pre-labels --------------------------------------------------------------------
    def _detector(self) -> tuple[catalog.InstalledModel, Detector] | None:
        model = next((m for m in catalog.installed()[0] if m.kind == "detector"), None)
        if model is None or missing_reason() is not None:
            return None
        return model, Detector(model.file("model"), model.labels)

    def detector_ready(self) -> bool | Refused:
        reason = missing_reason()
        if reason is not None:
            return Refused(translate("Assist", "Models"), reason)
        if not any(m.kind == "detector" for m in catalog.installed()[0]):
            return Refused(
                translate("Assist", "Models"),
                translate("Assist", "no detector model is installed (Tools → Models…)"),
            )
        return self.worker is None

    def prelabel_image(self) -> None:
        if self.editor.image is not None:
            self.start([self.editor.image.id])

    def prelabel_all(self) -> None:
        """Every image the image list shows (the whole project, or the queue or filter in
        force), in its order."""
        flt = self.editor.image_filter
        with self.store.read() as conn:
            rows = queries.image_page(conn, 0, queries.image_count(conn, flt), flt)
        self.start([r.id for r in rows])

    def start(self, image_ids: Sequence[int]) -> None:
        found = self._detector()
        if found is None or self.worker is not None or not image_ids:
            return
        model, detector = found
        try:
            labels = detector.labels
        except (AssistError, LimnerError) as error:
            self._status.showMessage(str(error), 8000)
            return
        mapping = class_map(labels, {c.name: c.id for c in self.editor.classes})
        self._cancel = threading.Event()
        dialog = QProgressDialog(
            translate("Assist", "Pre-labeling…"), translate("ImportImages", "Cancel"), 0,
            len(image_ids), self._parent,
        )  # fmt: skip
        dialog.setWindowTitle(translate("Assist", "Pre-labels"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.canceled.connect(self._cancel.set)
        dialog.show()
        self._progress = dialog
        self.worker = threading.Thread(
            target=self._run, args=(detector, list(image_ids), mapping, model.source), daemon=True
        )
        self.worker.start()

    def _run(self, detector: Detector, ids: list[int], mapping: dict, source: str) -> None:
        try:
            done = prelabel(
                self.store, detector, ids, mapping, source, self.progressed.emit, self._cancel
            )
            self.finished.emit(
                translate("Assist", "Pre-labels: {done} of {total} images done").format(
                    done=done, total=len(ids)
                )
            )
        except LimnerError as error:
            self.finished.emit(
                translate("Assist", "Pre-labels stopped: {error}").format(error=error)
            )

    def _on_progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done)

    def _on_finished(self, message: str) -> None:
        if self.worker is not None:
            self.worker.join()
        self.worker = None
        if self._progress is not None:
            self._progress.close()
            self._progress = None
        self._status.showMessage(message, 8000)
