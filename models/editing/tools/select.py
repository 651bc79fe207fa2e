"""Select tool: click and Shift+click to select, drag to move, handles to resize, band select.

With exactly one shape selected its own handles come first: a box's eight resize handles
and an ellipse's four radius handles, the rotate handle above either (Shift snaps the
angle to 15 degrees), a polygon's or polyline's vertices (drag to move one, Alt+click to
delete it, double-click an edge to insert one) and a skeleton's labeled points (drag to
move one). Editing needs a single
selection so that a click on a vertex shared by two overlapping shapes is never ambiguous.

A move, a resize or a vertex drag previews on every pointer move and commits one
``EditAnnotations`` on release, so a whole drag is one undo step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Geometry,
    Keypoints,
    Polygon,
    Polyline,
    bounds,
    translate,
)
from limner.models.domain.hit import HANDLE_EDGES, topmost_at
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.domain.spatial import BoxIndex
from limner.models.editing import shape_handles as sh
from limner.models.editing.commands import EditAnnotations
from limner.models.editing.groups import expand_groups
from limner.models.editing.polygon_edit import (
    VertexRef,
    delete_vertex,
    insert_vertex,
    keypoint_at,
    move_keypoint,
    move_vertex,
    nearest_edge,
    nearest_vertex,
    ring_at,
)
from limner.models.editing.tools.base import MIN_DRAG_SCREEN_PX, Pointer, Preview, Tool
from limner.models.errors import GeometryError

_HANDLE_CURSORS = ("size_fdiag", "size_ver", "size_bdiag", "size_hor") * 2


@dataclass(slots=True)
class _Move:
    start: tuple[float, float]
    originals: dict[str, Annotation]
    moved: bool = False


@dataclass(slots=True)
class _Resize:
    original: Annotation
    handle: int


@dataclass(slots=True)
class _Rotate:
    original: Annotation
    start_angle: float  # the pointer's angle about the centre at the press


@dataclass(slots=True)
class _Radius:
    original: Annotation
    handle: int


@dataclass(slots=True)
class _VertexDrag:
    """Dragging one polygon vertex (``ref``), keypoint (``point``) or polyline ``vertex``."""

    original: Annotation
    start: tuple[float, float]
    # vertex position minus press position, so the vertex does not jump to the pointer
    offset: tuple[float, float]
    ref: VertexRef | None = None
    point: int | None = None
    vertex: int | None = None
    moved: bool = False


@dataclass(slots=True)
class _Band:
    start: tuple[float, float]
    additive: bool


class SelectTool(Tool):
    name = "select"
    letter = "V"

    def __init__(self, host) -> None:  # type: ignore[no-untyped-def]
        super().__init__(host)
        self._gesture: _Move | _Resize | _Rotate | _Radius | _VertexDrag | _Band | None = None

    @property
    def busy(self) -> bool:
        return self._gesture is not None

    # -- helpers ---------------------------------------------------------------------
    def _index(self) -> BoxIndex | None:
        """The host's spatial index, if it keeps one (hosts in tests may not)."""
        index = getattr(self.host, "spatial_index", None)
        return index() if callable(index) else None

    def _near(self, p: Pointer) -> Sequence[Annotation]:
        """Candidates for a hit at the pointer: from the host's spatial index if it has one."""
        index = self._index()
        if index is not None:
            return index.at(p.x, p.y, p.tolerance)
        return self.host.editable_annotations()

    def _editable(self, uuids: Iterable[str]) -> list[Annotation]:
        """The editable shapes among ``uuids``: looked up in the host's spatial index when
        it has one, so a click on a dense image does not walk every shape."""
        index = self._index()
        if index is not None:
            return [a for u in uuids if (a := index.get(u)) is not None]
        wanted = set(uuids)
        return [a for a in self.host.editable_annotations() if a.uuid in wanted]

    def _single_selected(self) -> Annotation | None:
        selection = self.host.selection()
        if len(selection) != 1:
            return None
        return next(iter(self._editable(selection)), None)

    def _vertex_drag_at(self, ann: Annotation, p: Pointer) -> _VertexDrag | None:
        """A drag of the polygon vertex or keypoint of ``ann`` under the pointer, if any."""
        g = ann.geometry
        if isinstance(g, Polygon):
            ref = nearest_vertex(g, p.x, p.y, p.tolerance)
            if ref is None:
                return None
            vx, vy = ring_at(g, ref.part, ref.ring)[ref.index]
            offset = (vx - p.x, vy - p.y)
            return _VertexDrag(original=ann, start=(p.x, p.y), offset=offset, ref=ref)
        if isinstance(g, Keypoints):
            point = keypoint_at(g, p.x, p.y, p.tolerance)
            if point is None:
                return None
            px, py, _v = g.points[point]
            offset = (px - p.x, py - p.y)
            return _VertexDrag(original=ann, start=(p.x, p.y), offset=offset, point=point)
        if isinstance(g, Polyline):
            vertex = sh.line_vertex_at(g, p.x, p.y, p.tolerance)
            if vertex is None:
                return None
            vx, vy = g.points[vertex]
            offset = (vx - p.x, vy - p.y)
            return _VertexDrag(original=ann, start=(p.x, p.y), offset=offset, vertex=vertex)
        return None

    def _handle_at(self, ann: Annotation, p: Pointer) -> _Resize | _Rotate | _Radius | None:
        """The rotate, resize or radius handle of a box or ellipse under the pointer."""
        g = ann.geometry
        if not isinstance(g, Box | Ellipse):
            return None
        rx, ry = sh.rotate_handle(g, p.scale)
        if max(abs(rx - p.x), abs(ry - p.y)) <= p.tolerance:
            return _Rotate(original=ann, start_angle=sh.pointer_angle(g, p.x, p.y))
        if isinstance(g, Box):
            handle = sh.nearest_handle(sh.turned_box_handles(g), p.x, p.y, p.tolerance)
            return None if handle is None else _Resize(original=ann, handle=handle)
        handle = sh.nearest_handle(sh.ellipse_handles(g), p.x, p.y, p.tolerance)
        return None if handle is None else _Radius(original=ann, handle=handle)

    def cursor(self, p: Pointer) -> str:
        single = self._single_selected()
        if single is not None:
            grabbed = self._handle_at(single, p)
            if isinstance(grabbed, _Resize):
                return _HANDLE_CURSORS[grabbed.handle]
            if isinstance(grabbed, _Rotate):
                return "cross"
            if isinstance(grabbed, _Radius):
                return "move"
            if self._vertex_drag_at(single, p) is not None:
                return "cross"
        hit = topmost_at(self._near(p), p.x, p.y, p.tolerance)
        return "move" if hit is not None else "arrow"

    # -- events ----------------------------------------------------------------------
    def press(self, p: Pointer) -> None:
        if p.button != "left":
            return
        self.preview = Preview()
        single = self._single_selected()
        grabbed = self._handle_at(single, p) if single is not None else None
        # Shift+press on the rotate handle still rotates: Shift is how the angle snaps.
        if isinstance(grabbed, _Rotate) or (grabbed is not None and not p.shift):
            self._gesture = grabbed
            return
        if single is not None and not p.shift:
            drag = self._vertex_drag_at(single, p)
            if drag is not None and p.alt and (drag.ref is not None or drag.vertex is not None):
                self._delete_vertex(single, drag)
                return
            if drag is not None:
                self._gesture = drag
                return
        hit = topmost_at(self._near(p), p.x, p.y, p.tolerance)
        selection = set(self.host.selection())
        if hit is None:
            if not p.shift:
                self.host.set_selection([])
            self._gesture = _Band(start=(p.x, p.y), additive=p.shift)
            return
        if p.shift:
            selection.symmetric_difference_update({hit.uuid})
            self.host.set_selection(selection)
            if hit.uuid not in selection:
                return
        elif hit.uuid not in selection:
            selection = {hit.uuid}
            self.host.set_selection(selection)
        chosen = self._editable(selection)
        # a group moves whole (the other shapes are only walked when one is in a group)
        originals = {a.uuid: a for a in expand_groups(chosen, self.host.editable_annotations())}
        self._gesture = _Move(start=(p.x, p.y), originals=originals)

    def move(self, p: Pointer) -> None:
        gesture = self._gesture
        if isinstance(gesture, _Move):
            dx, dy = p.x - gesture.start[0], p.y - gesture.start[1]
            if not gesture.moved and max(abs(dx), abs(dy)) * p.scale < MIN_DRAG_SCREEN_PX:
                return
            gesture.moved = True
            dx, dy = self._clamp_shift(gesture.originals.values(), dx, dy)
            overrides: dict[str, Geometry] = {}
            for uuid, ann in gesture.originals.items():
                try:
                    overrides[uuid] = translate(ann.geometry, dx, dy)
                except GeometryError:
                    overrides[uuid] = ann.geometry
            self.preview = Preview(overrides=overrides)
        elif isinstance(gesture, _Resize | _Rotate | _Radius):
            shape = self._reshaped(gesture, p)
            if shape is not None:
                self.preview = Preview(overrides={gesture.original.uuid: shape})
        elif isinstance(gesture, _VertexDrag):
            dx, dy = p.x - gesture.start[0], p.y - gesture.start[1]
            if not gesture.moved and max(abs(dx), abs(dy)) * p.scale < MIN_DRAG_SCREEN_PX:
                return
            gesture.moved = True
            dragged = self._dragged(gesture, p)
            if dragged is not None:
                self.preview = Preview(overrides={gesture.original.uuid: dragged})
        elif isinstance(gesture, _Band):
            try:
                band = Box.from_corners(gesture.start[0], gesture.start[1], p.x, p.y)
            except GeometryError:
                band = None
            self.preview = Preview(band=band)

    def release(self, p: Pointer) -> None:
        if p.button != "left":
            return
        gesture, self._gesture = self._gesture, None
        if gesture is None:
            return  # keep a hint left by a click that started no gesture (Alt+click)
        preview, self.preview = self.preview, Preview()
        if isinstance(gesture, _Move) and gesture.moved and preview.overrides:
            changes = [
                (gesture.originals[u], {"geometry": g}) for u, g in preview.overrides.items()
            ]
            command = EditAnnotations.from_records(QT_TRANSLATE_NOOP("Commands", "Move"), changes)
            if command.edits:
                self.host.commit(command)
        elif isinstance(gesture, _Resize | _Rotate | _Radius) and preview.overrides:
            geometry = preview.overrides[gesture.original.uuid]
            text = (
                QT_TRANSLATE_NOOP("Commands", "Resize box")
                if isinstance(geometry, Box)
                else QT_TRANSLATE_NOOP("Commands", "Resize ellipse")
            )
            if isinstance(gesture, _Rotate):
                text = QT_TRANSLATE_NOOP("Commands", "Rotate")
            command = EditAnnotations.from_records(
                text, [(gesture.original, {"geometry": geometry})]
            )
            if command.edits:
                self.host.commit(command)
        elif isinstance(gesture, _VertexDrag) and gesture.moved and preview.overrides:
            geometry = preview.overrides[gesture.original.uuid]
            text = (
                QT_TRANSLATE_NOOP("Commands", "Move keypoint")
                if gesture.point is not None
                else QT_TRANSLATE_NOOP("Commands", "Move vertex")
            )
            command = EditAnnotations.from_records(
                text, [(gesture.original, {"geometry": geometry})]
            )
            if command.edits:
                self.host.commit(command)
        elif isinstance(gesture, _Band) and preview.band is not None:
            band = preview.band
            inside = {
                a.uuid
                for a in self.host.editable_annotations()
                if _contains(band, bounds(a.geometry))
            }
            if gesture.additive:
                inside |= set(self.host.selection())
            self.host.set_selection(inside)

    def double_click(self, p: Pointer) -> None:
        """Double-click on an edge of the selected polygon inserts a vertex there.

        The presses of the double-click may have started a move of the polygon; one that
        has not moved yet is dropped so that its release does nothing.
        """
        if p.button != "left":
            return
        if isinstance(self._gesture, _Move | _VertexDrag) and not self._gesture.moved:
            self._gesture = None
            self.preview = Preview()
        if self._gesture is not None:
            return
        single = self._single_selected()
        if single is not None and isinstance(single.geometry, Polyline):
            self._insert_line_vertex(single, single.geometry, p)
            return
        if single is None or not isinstance(single.geometry, Polygon):
            return
        polygon = single.geometry
        if nearest_vertex(polygon, p.x, p.y, p.tolerance) is not None:
            return  # a vertex is there already
        edge = nearest_edge(polygon, p.x, p.y, p.tolerance)
        if edge is None:
            return
        after, (x, y) = edge
        try:
            grown = insert_vertex(polygon, after, x, y)
        except GeometryError as error:
            self.preview = Preview(hint=_cannot_insert(error))
            return
        command = EditAnnotations.from_records(
            QT_TRANSLATE_NOOP("Commands", "Insert vertex"), [(single, {"geometry": grown})]
        )
        if command.edits:
            self.host.commit(command)

    def cancel(self) -> None:
        self._gesture = None
        super().cancel()

    def _insert_line_vertex(self, ann: Annotation, line: Polyline, p: Pointer) -> None:
        if sh.line_vertex_at(line, p.x, p.y, p.tolerance) is not None:
            return  # a vertex is there already
        edge = sh.line_edge_at(line, p.x, p.y, p.tolerance)
        if edge is None:
            return
        index, (x, y) = edge
        try:
            grown = sh.insert_line_vertex(line, index, x, y)
        except GeometryError as error:
            self.preview = Preview(hint=_cannot_insert(error))
            return
        command = EditAnnotations.from_records(
            QT_TRANSLATE_NOOP("Commands", "Insert vertex"), [(ann, {"geometry": grown})]
        )
        if command.edits:
            self.host.commit(command)

    def _delete_vertex(self, ann: Annotation, drag: _VertexDrag) -> None:
        g = ann.geometry
        try:
            if isinstance(g, Polyline) and drag.vertex is not None:
                smaller: Geometry = sh.delete_line_vertex(g, drag.vertex)
            else:
                assert isinstance(g, Polygon) and drag.ref is not None
                smaller = delete_vertex(g, drag.ref)
        except GeometryError as error:
            self.preview = Preview(hint=str(error))
            return
        command = EditAnnotations.from_records(
            QT_TRANSLATE_NOOP("Commands", "Delete vertex"), [(ann, {"geometry": smaller})]
        )
        if command.edits:
            self.host.commit(command)

    # -- geometry of gestures --------------------------------------------------------
    def _clamp_shift(self, anns: object, dx: float, dy: float) -> tuple[float, float]:
        """Limit a move so the moved shapes stay inside the image."""
        size = self.host.image_size
        if size is None:
            return dx, dy
        w, h = size
        boxes = [bounds(a.geometry) for a in anns]  # type: ignore[attr-defined]
        if not boxes:
            return dx, dy
        x0 = min(b[0] for b in boxes)
        y0 = min(b[1] for b in boxes)
        x1 = max(b[2] for b in boxes)
        y1 = max(b[3] for b in boxes)
        dx = min(max(dx, -x0), w - x1)
        dy = min(max(dy, -y0), h - y1)
        return dx, dy

    def _dragged(self, gesture: _VertexDrag, p: Pointer) -> Geometry | None:
        """The dragged shape with its vertex under the pointer; None if that is invalid.

        Only the dragged ring is rebuilt (and re-validated), which is what keeps dragging a
        vertex of a 10,000-vertex outline fluid.
        """
        x, y = self.clamp(p.x + gesture.offset[0], p.y + gesture.offset[1])
        g = gesture.original.geometry
        try:
            if gesture.ref is not None and isinstance(g, Polygon):
                return move_vertex(g, gesture.ref, x, y)
            if gesture.point is not None and isinstance(g, Keypoints):
                return move_keypoint(g, gesture.point, x, y)
            if gesture.vertex is not None and isinstance(g, Polyline):
                return sh.move_line_vertex(g, gesture.vertex, x, y)
        except GeometryError:
            return None  # e.g. a triangle made flat: keep the last valid preview
        return None

    def _reshaped(self, gesture: _Resize | _Rotate | _Radius, p: Pointer) -> Geometry | None:
        """The shape as the handle being dragged makes it; None while that is invalid."""
        g = gesture.original.geometry
        assert isinstance(g, Box | Ellipse)
        try:
            if isinstance(gesture, _Rotate):
                angle = g.angle + sh.pointer_angle(g, p.x, p.y) - gesture.start_angle
                return sh.turned(g, sh.snapped(angle, p.shift))
            x, y = self.clamp(p.x, p.y)
            if isinstance(gesture, _Radius) and isinstance(g, Ellipse):
                return sh.resize_ellipse(g, gesture.handle, x, y)
            if isinstance(gesture, _Resize) and isinstance(g, Box) and g.rotated:
                return sh.resize_turned_box(g, gesture.handle, x, y)
        except GeometryError:
            return None
        return self._resized(gesture, p) if isinstance(gesture, _Resize) else None

    def _resized(self, gesture: _Resize, p: Pointer) -> Box | None:
        box = gesture.original.geometry
        assert isinstance(box, Box)
        mx0, my0, mx1, my1 = HANDLE_EDGES[gesture.handle]
        x, y = self.clamp(p.x, p.y)
        x0 = x if mx0 else box.x0
        y0 = y if my0 else box.y0
        x1 = x if mx1 else box.x1
        y1 = y if my1 else box.y1
        try:
            return Box.from_corners(x0, y0, x1, y1)
        except GeometryError:
            return None


def _contains(outer: Box, inner: tuple[float, float, float, float]) -> bool:
    return (
        outer.x0 <= inner[0]
        and outer.y0 <= inner[1]
        and inner[2] <= outer.x1
        and inner[3] <= outer.y1
    )


def _cannot_insert(error: Exception) -> str:
    return QT_TRANSLATE_NOOP("Tools", "cannot insert a vertex: {error}").format(error=str(error))
