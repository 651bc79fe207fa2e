"""How the image is looked at: zoom steps and the window/level of 16-bit and float images.

It edits nothing: zoom belongs to the canvas, window/level to the image's tile source, which
is asked for each time (``source``), since the current image changes under the controller.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QStatusBar, QWidget

from limner.models.imaging.tiles import TileSource
from limner.widgets.canvas.view import CanvasView
from limner.widgets.dialogs.window_level import WindowLevelDialog
from limner.widgets.i18n import translate

ZOOM_STEP = 1.25


class ViewController:
    def __init__(
        self,
        canvas: CanvasView,
        source: Callable[[], TileSource | None],
        status: QStatusBar,
        parent: QWidget,
    ) -> None:
        self._canvas = canvas
        self._source = source
        self._status = status
        self._parent = parent
        self.window_dialog: WindowLevelDialog | None = None

    def zoom_in(self) -> None:
        self._canvas.set_zoom(self._canvas.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._canvas.set_zoom(self._canvas.zoom / ZOOM_STEP)

    def ask_window_level(self) -> None:
        """A non-blocking dialog whose values apply as they change; Auto resets them."""
        source = self._source()
        if source is None or not source.needs_window:
            self._status.showMessage(
                translate("WindowLevel", "Window/level applies to 16-bit and float images"), 4000
            )
            return
        window = source.window
        low, high = (window.low, window.high) if window is not None else (0.0, 255.0)
        dialog = WindowLevelDialog(low, high, self._parent)
        tiles = self._canvas.tile_layer

        def apply(lo: float, hi: float) -> None:
            source.set_window(lo, hi)
            tiles.refresh()

        def auto() -> None:
            source.reset_window()
            tiles.refresh()
            current = source.window
            if current is not None:
                for box, value in ((dialog.low, current.low), (dialog.high, current.high)):
                    box.blockSignals(True)
                    box.setValue(value)
                    box.blockSignals(False)

        dialog.windowChanged.connect(apply)
        dialog.autoRequested.connect(auto)
        dialog.open()
        self.window_dialog = dialog
