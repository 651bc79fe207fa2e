"""The permanent right side of the main window's status bar: the sync indicator, where the
pointer is on the image and the value of the pixel under it, the zoom, which image of how
many is open and, for a read-only project, why edits are refused.

The texts are built here, in the user's language; the window tells the line what changed
(the pointer moved, another image, a new zoom) and never formats a status text itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from limner.models.store.store import ProjectStore
from limner.widgets.i18n import translate
from limner.widgets.panels.sync_widgets import SyncIndicator
from limner.widgets.plain import plain_label, set_plain_tip


class StatusLine:
    def __init__(self, bar: QStatusBar, store: ProjectStore, parent: QWidget) -> None:
        self.position: QLabel = plain_label(name="positionLabel")  # image names are untrusted
        self.cursor: QLabel = plain_label(name="cursorLabel")
        self.cursor.setMinimumWidth(300)
        self.zoom: QLabel = plain_label(name="zoomLabel")
        self.sync_indicator = SyncIndicator(parent)
        bar.addPermanentWidget(self.sync_indicator)
        bar.addPermanentWidget(self.cursor)
        bar.addPermanentWidget(self.zoom)
        bar.addPermanentWidget(self.position)
        self.read_only_banner: QLabel | None = None
        if store.read_only_message:  # edits are refused: say so while the project is open
            self.read_only_banner = plain_label(
                translate("StatusLine", "Read-only: {reason}").format(
                    reason=store.read_only_reason
                ),
                name="readOnlyBanner",
            )
            set_plain_tip(self.read_only_banner, store.read_only_message)
            bar.addPermanentWidget(self.read_only_banner)

    def show_zoom(self, zoom: float) -> None:
        self.zoom.setText(f"{zoom * 100:.0f}%")

    def show_no_image(self) -> None:
        self.position.setText(translate("StatusLine", "no image"))

    def show_position(self, name: str, row: int | None, total: int) -> None:
        """The position ("name  3 / 40"); ``row`` None when the list does not show it."""
        where = f"{row + 1} / {total}" if row is not None else f"– / {total}"
        self.position.setText(f"{name}  {where}")

    def show_cursor(
        self, x: float, y: float, value: Sequence[object] | None = None, mode: str = ""
    ) -> None:
        """The pointer in image coordinates and, when known, the raw pixel under it."""
        text = f"x {x:.1f}  y {y:.1f}"
        if value is not None:
            shown = [f"{v:g}" if isinstance(v, float) else str(v) for v in value]
            if len(shown) == 1:
                text += "   " + translate("StatusLine", "value {value}").format(value=shown[0])
            else:
                text += f"   {mode}({', '.join(shown)})"
        self.cursor.setText(text)


__all__ = ["StatusLine"]
