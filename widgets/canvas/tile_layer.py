"""The image on the canvas, drawn from a tile pyramid decoded off the GUI thread.

Never one pixmap for the whole image: each paint asks the source which tiles of the best
level cover the exposed area, draws those already decoded, and queues the others on a
small thread pool; until a tile arrives, the coarsest level (one small tile, the first one
asked of the pool when the image opens) stands in for it, scaled up, and until that one
arrives a placeholder says the image is being decoded, with how far it got and the rows
read so far when the source can tell (a big PNG read in strips). The GUI thread never
decodes.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from limner.models.errors import ImageClosedError, LimnerError
from limner.models.imaging.tiles import TileSource
from limner.widgets.i18n import translate
from limner.widgets.qt_convert import qimage_from_array

log = logging.getLogger("limner.tiles")

TileKey = tuple[int, int, int, int]  # generation, level, col, row
MAX_TILES = 400
"""Decoded tiles kept as QImages (about 300 MB at 512x512 RGBA at most)."""


class _Loader(QObject):
    ready = Signal(object, object)  # key, QImage
    overview_ready = Signal()


PLACEHOLDER_TEXT = QT_TRANSLATE_NOOP("TileLayer", "decoding the image…")
"""Shown over an empty canvas until the coarsest level is decoded (seconds for a JPEG or
PNG of a billion pixels without a pyramid), so the window says it is working."""

PROGRESS_INTERVAL_MS = 150
"""How often the placeholder's progress and the rows read so far are redrawn."""


class TileLayerItem(QGraphicsItem):
    def __init__(self, workers: int = 3) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self._source: TileSource | None = None
        self._generation = 0
        self._tiles: OrderedDict[TileKey, QImage] = OrderedDict()
        self._pending: set[TileKey] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="limner-tiles")
        self._loader = _Loader()
        self._loader.ready.connect(self._arrived)
        self._overview: QImage | None = None
        self._shown: TileSource | None = None
        self.decoded = 0
        self._progress_timer = QTimer(self._loader)
        self._progress_timer.setInterval(PROGRESS_INTERVAL_MS)
        self._progress_timer.timeout.connect(self._show_progress)

    # -- source ----------------------------------------------------------------------
    @property
    def source(self) -> TileSource | None:
        return self._source

    @property
    def overview_ready(self) -> Signal:
        """Emitted when the coarsest level arrives (the minimap can draw then)."""
        return self._loader.overview_ready  # type: ignore[return-value]

    @property
    def overview(self) -> QImage | None:
        """The coarsest level as one small image (for the minimap)."""
        return self._overview

    def set_source(self, source: TileSource | None) -> None:
        self.prepareGeometryChange()
        self._source = source
        self._generation += 1
        self._tiles.clear()
        with self._lock:
            self._pending.clear()
        if source is not self._shown:
            self._overview = None  # a window/level change keeps the old one until then
        self._shown = source
        if source is not None:
            # Even the coarsest level can take seconds (a whole JPEG decoded at 1/8, a PNG
            # read to its end), so it is decoded on the pool like any tile.
            self._request((self._generation, source.levels - 1, 0, 0))
        if source is not None and self._overview is None:
            self._progress_timer.start()
        else:
            self._progress_timer.stop()
        self.update()

    def placeholder_text(self) -> str | None:
        """What the placeholder says now, or None once the image shows."""
        if self._source is None or self._overview is not None:
            return None
        progress = self._source.decode_progress
        text = translate("TileLayer", PLACEHOLDER_TEXT)
        if progress is None:
            return text
        return f"{text} {progress * 100:.0f}%"

    def _show_progress(self) -> None:
        if self.placeholder_text() is None:
            self._progress_timer.stop()
        self.update()

    def refresh(self) -> None:
        """The window/level changed: decoded tiles are stale."""
        self.set_source(self._source)

    def boundingRect(self) -> QRectF:
        if self._source is None:
            return QRectF()
        return QRectF(0, 0, self._source.width, self._source.height)

    # -- painting ----------------------------------------------------------------------
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        source = self._source
        if source is None:
            return
        if self._overview is None:
            self._draw_preview(painter, source)
            self._draw_placeholder(painter, widget)
        scale = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale < 1.0)
        exposed = option.exposedRect.intersected(self.boundingRect())  # type: ignore[attr-defined]
        if exposed.isEmpty():
            return
        level = source.best_level(scale)
        wanted = source.tiles_for_view(
            level, exposed.left(), exposed.top(), exposed.right(), exposed.bottom()
        )
        for col, row in wanted:
            key = (self._generation, level, col, row)
            x0, y0, x1, y1 = source.tile_rect(level, col, row)
            # Overlap the next tile by one screen pixel: scaled tiles that only touch
            # leave a hairline seam where both edges are blended with nothing.
            pad = 1.0 / max(scale, 1e-6)
            target = QRectF(
                x0,
                y0,
                x1 - x0 + (pad if x1 < source.width else 0.0),
                y1 - y0 + (pad if y1 < source.height else 0.0),
            )
            image = self._tiles.get(key)
            if image is not None:
                self._tiles.move_to_end(key)
                painter.drawImage(target, image)
                continue
            self._draw_overview(painter, target)
            self._request(key)

    def _draw_placeholder(self, painter: QPainter, widget: QWidget | None) -> None:
        text = self.placeholder_text()
        if widget is None or text is None:
            return
        painter.save()
        painter.resetTransform()  # in screen pixels, whatever the zoom
        painter.setPen(QColor(200, 200, 200))
        painter.drawText(QRectF(widget.rect()), Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _draw_preview(self, painter: QPainter, source: TileSource) -> None:
        """The rows read so far, at the coarsest level's size, stretched over the image."""
        preview = source.preview()
        if preview is None or preview[1] == 0:
            return
        pixels, rows = preview
        image = qimage_from_array(np.ascontiguousarray(pixels[:rows]))
        bottom = source.height * rows / pixels.shape[0]
        painter.drawImage(QRectF(0, 0, source.width, bottom), image)

    def _draw_overview(self, painter: QPainter, target: QRectF) -> None:
        if self._overview is None or self._source is None:
            return
        sx = self._overview.width() / self._source.width
        sy = self._overview.height() / self._source.height
        part = QRectF(target.x() * sx, target.y() * sy, target.width() * sx, target.height() * sy)
        painter.drawImage(target, self._overview, part)

    # -- decoding ----------------------------------------------------------------------
    def _request(self, key: TileKey) -> None:
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
        source = self._source
        assert source is not None
        self._pool.submit(self._decode, source, key)

    def _decode(self, source: TileSource, key: TileKey) -> None:
        generation, level, col, row = key
        image = None
        try:
            # Another image is shown now, or its source was closed before it was shown:
            # nobody wants this tile any more, which is not a failure.
            if generation == self._generation and not source.closed:
                image = qimage_from_array(np.asarray(source.read_tile(level, col, row)))
        except ImageClosedError:
            image = None
        except (OSError, ValueError, LimnerError) as exc:
            if generation == self._generation:
                log.warning("tile %s failed: %s", key, exc)
        if image is None:
            with self._lock:
                self._pending.discard(key)
            return
        self._loader.ready.emit(key, image)

    def _arrived(self, key: TileKey, image: QImage) -> None:
        with self._lock:
            self._pending.discard(key)
        if key[0] != self._generation or self._source is None:
            return
        if key[1] == self._source.levels - 1 and self._overview is not image:
            self._overview = image
            self._progress_timer.stop()
            self.update()
            self._loader.overview_ready.emit()
        self._tiles[key] = image
        self.decoded += 1
        while len(self._tiles) > MAX_TILES:
            self._tiles.popitem(last=False)
        x0, y0, x1, y1 = self._source.tile_rect(key[1], key[2], key[3])
        self.update(QRectF(x0, y0, x1 - x0, y1 - y0))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """For tests and benchmarks: until no tile is being decoded (or the timeout)."""
        import time

        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            QApplication.processEvents()
            with self._lock:
                if not self._pending:
                    return True
            time.sleep(0.002)
        return False

    def shutdown(self) -> None:
        self._progress_timer.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
