"""Wires the installed models to the model tools, and says when those tools cannot work.

The model tools are Qt-free and know nothing of where models live; this controller finds
the installed models (:mod:`limner.models.assist.catalog`), gives the first segmenter to
the click-to-segment tool with an embedding cache inside the project folder (an embedding
belongs to one image of one project), and answers the tools' enabled state: a model tool
without onnxruntime or without an installed model is greyed out, its tooltip saying why.

While a segmenter is chosen, its encoder runs ahead of the annotator
(:class:`~limner.models.editing.encode_ahead.EncodeAhead`): this controller follows the
window's read-ahead, so the image on screen and the images read ahead are encoded, in
that order, on a low-priority worker thread. A click that came before its image's
encoding is answered when the encoding is done: the tool says so from the encoder's thread,
and this controller hands it back to the window's thread, which shows the mask.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from limner.app.action_set import Refused
from limner.models.assist import catalog
from limner.models.assist.errors import AssistError
from limner.models.assist.families import families
from limner.models.assist.runtime import missing_reason
from limner.models.assist.sam import EmbeddingCache, Segmenter
from limner.models.domain.entities import ImageRecord
from limner.models.editing.encode_ahead import EncodeAhead
from limner.models.editing.session import PIXEL_TOOL_LIMIT, EditingSession
from limner.models.editing.tools.segment import SegmentTool
from limner.sync.model_download import download
from limner.widgets.dialogs.models_dialog import ModelsDialog
from limner.widgets.i18n import translate

MODEL_TOOLS = {"segment": "segmenter"}
"""Each tool that runs a model, and the kind of model it needs."""


class _Arrivals(QObject):
    """Carries "an awaited encoding is done" from the encoder's thread to the window's."""

    arrived = Signal()


class AssistController:
    def __init__(
        self,
        editor: EditingSession,
        project_folder: Path,
        server_allows: Callable[[str], bool | Refused],
    ) -> None:
        self.editor = editor
        self.cache = EmbeddingCache(project_folder / "cache" / "embeddings")
        self.ahead = EncodeAhead(editor.store, self.cache, pixel_limit=PIXEL_TOOL_LIMIT)
        self._following: tuple[ImageRecord, list[ImageRecord]] | None = None
        followers = getattr(editor.prefetcher, "followers", None)
        if isinstance(followers, list):
            followers.append(self._follow)
        self._server_allows = server_allows
        self.models: list[catalog.InstalledModel] = []
        self.problems: list[str] = []
        self.parent: QWidget | None = None
        self.after_change: Callable[[], None] = lambda: None
        self.preview_changed: Callable[[], None] = lambda: None
        self._arrivals = _Arrivals()
        self._arrivals.arrived.connect(self._answer_waiting, Qt.ConnectionType.QueuedConnection)
        self.reload()

    def ask_models(self) -> None:
        """Preferences → Models, with downloads through sync's checked, resumable fetch."""
        dialog = ModelsDialog(downloader=download, parent=self.parent)
        dialog.page.changed.connect(self._models_changed)
        dialog.open()

    def _models_changed(self) -> None:
        self.reload()
        self.after_change()

    def reload(self) -> None:
        """Read the models folder again (after the user added or removed a model)."""
        self.models, self.problems = catalog.installed()
        tool = self.editor.tools.get("segment")
        if isinstance(tool, SegmentTool):
            chosen = next((m for m in self.models if m.kind == "segmenter"), None)
            tool.use_model(self._segmenter(chosen), chosen.source if chosen else "", self.ahead)
            tool.on_encoded = self._arrivals.arrived.emit
            if self._following is not None:
                self.ahead.follow(*self._following)

    def _follow(self, current: ImageRecord, upcoming: list[ImageRecord]) -> None:
        """The window opened ``current`` and reads ``upcoming`` ahead: encode them too."""
        self._following = (current, upcoming)
        self.ahead.follow(current, upcoming)

    def _answer_waiting(self) -> None:
        tool = self.editor.tools.get("segment")
        if isinstance(tool, SegmentTool) and tool.encoded() and self.editor.tool is tool:
            self.preview_changed()

    def shutdown(self) -> None:
        self.ahead.shutdown()

    def _segmenter(self, model: catalog.InstalledModel | None) -> Segmenter | None:
        if model is None or missing_reason() is not None:
            return None
        try:
            family = families(catalog.models_folder())[model.family]
            return Segmenter(model.id, family, model.file("encoder"), model.file("decoder"))
        except (AssistError, KeyError) as error:
            self.problems.append(f"{model.name}: {error}")
            return None

    def tool_allowed(self, tool: str) -> bool | Refused:
        kind = MODEL_TOOLS.get(tool)
        if kind is not None:
            reason = missing_reason()
            if reason is not None:
                return Refused(translate("Assist", "Models"), reason)
            if not any(m.kind == kind for m in self.models):
                return Refused(
                    translate("Assist", "Models"),
                    translate("Assist", "no {kind} model is installed (Tools → Models…)").format(
                        kind=translate("ModelsDialog", kind)
                    ),
                )
        return self._server_allows(tool)
