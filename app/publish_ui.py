"""Publishing from the window: the upload runs on its own thread behind a progress dialog
whose Cancel stops it between batches. What was sent stays linked, so publishing again
(File -> Connect to server… on the same server) continues; the labels then go through the
ordinary sync the window starts afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from limner.models.errors import LimnerError
from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.sync.publish import (
    Publisher,
    PublishError,
    PublishReport,
    create_refusal,
    publish_refusal,
)
from limner.widgets.i18n import translate
from limner.widgets.plain import plain_message_box, plain_progress_dialog


class _Worker(QObject):
    progressed = Signal(int, int)
    done = Signal(object)  # PublishReport, or the LimnerError that stopped it

    def __init__(
        self, store: ProjectStore, kind: str, url: str, token: str, project: str, title: str
    ) -> None:
        super().__init__()
        self.args = (store, kind, url, token, project, title)
        self.cancel = threading.Event()

    def run(self) -> None:
        store, kind, url, token, project, title = self.args
        try:
            refusal = publish_refusal(kind)
            if refusal:
                raise PublishError(refusal)
            remote, target, notes = _open(store, kind, url, token, project, title)
            try:
                report = Publisher(store, remote.id, target).run(
                    progress=lambda _s, d, t: self.progressed.emit(d, t or 0),
                    cancelled=self.cancel.is_set,
                )
            finally:
                target.close()
            report.notes[:0] = notes
            self.done.emit(report)
        except LimnerError as exc:
            self.done.emit(exc)


def _open(
    store: ProjectStore, kind: str, url: str, token: str, project: str, title: str
) -> tuple[sync_store.RemoteRecord, Any, list[str]]:
    with store.read() as conn:
        found = sync_store.remotes(conn)
    remote = found[0] if found else None
    if kind in ("hasty", "clarifai"):
        if title or not project:
            raise PublishError(
                create_refusal(kind) or translate("Publish", "pick the server project")
            )
        if kind == "hasty":
            from limner.sync.adapters.hasty_publish import open_publish as open_by_project
        else:
            from limner.sync.adapters.clarifai_publish import open_publish as open_by_project
        return open_by_project(store, url, token, project=project, remote=remote)
    from limner.sync.adapters.labelstudio_publish import open_publish

    return open_publish(
        store, url, token, project=project or None, title=title or None, remote=remote
    )


def summary(report: PublishReport) -> str:
    counts = translate(
        "Publish", "{sent} images sent, {already} already there, {refused} refused"
    ).format(sent=len(report.sent), already=len(report.already), refused=len(report.refused))
    if report.cancelled:
        counts += " " + translate("Publish", "(cancelled: publish again to continue)")
    else:
        counts += "."
    lines = [counts, *report.notes]
    there = translate("Publish", "Already there: {name} (matched by {rule})")
    lines += [there.format(name=name, rule=rule) for name, rule in report.already[:20]]
    refused = translate("Publish", "Refused: {name}: {reason}")
    lines += [refused.format(name=name, reason=why) for name, why in report.refused[:20]]
    return "\n".join(lines)


class PublishRun(QObject):
    """One publish with its dialog; ``then`` gets the report (None when it failed)."""

    def __init__(
        self,
        parent: QWidget | None,
        store: ProjectStore,
        values: tuple[str, str, str, str, str],
        then: Callable[[PublishReport | None], None],
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._then = then
        self.worker = _Worker(store, *values)
        self.thread = QThread()
        self.thread.setObjectName("limner-publish")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.progress: QProgressDialog = plain_progress_dialog(
            translate("Publish", "Publishing the project…"),
            translate("ImportImages", "Cancel"), 0, 0, parent,
        )  # fmt: skip
        self.progress.setObjectName("publishProgress")
        self.progress.setWindowTitle(translate("Publish", "Publish"))
        self.progress.canceled.connect(self.worker.cancel.set)
        self.worker.progressed.connect(self._progressed)
        self.worker.done.connect(self._done)

    def start(self) -> None:
        self.progress.show()
        self.thread.start()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.progress.setLabelText(
            translate("Publish", "Publishing: {done} of {total} images").format(
                done=done, total=total
            )
        )

    def _done(self, outcome: object) -> None:
        self.thread.quit()
        self.thread.wait()
        self.progress.reset()
        if isinstance(outcome, PublishReport):
            box = plain_message_box(
                self._parent, translate("Publish", "Published"), summary(outcome), name="published"
            )
            box.open()
            self._then(outcome)
        else:
            box = plain_message_box(
                self._parent,
                translate("Publish", "Publish failed"),
                str(outcome),
                name="publishFailed",
            )
            box.open()
            self._then(None)
