"""Convert menu actions: polygons to masks and back, boxes to polygons and back (a polygon
becomes its smallest rotated box), ellipses to polygons with a vertex count, and
polylines closed into polygons.

Each action is one :class:`~models.editing.mask_commands.ReplaceAnnotations`: the originals are
deleted and the converted shapes added (same class, attributes and stacking order) in a
single undo step, and the converted shapes become the selection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Mask,
    Polygon,
    Polyline,
    box_to_polygon,
    ellipse_to_polygon,
    polygon_to_box,
    polyline_to_polygon,
)
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import Command
from limner.models.editing.mask_commands import ReplaceAnnotations
from limner.models.editing.tools.base import ToolHost
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops import (
    mask_to_polygons,
    polygon_to_mask_geometry,
    simplify_polygon,
)
from limner.models.store.tx import new_uuid

__all__ = [
    "ELLIPSE_VERTICES",
    "convert_selected_boxes_to_polygons",
    "convert_selected_ellipses_to_polygons",
    "convert_selected_masks_to_polygons",
    "convert_selected_polygons_to_boxes",
    "convert_selected_polylines_to_polygons",
    "fill_selected_polygons_into_mask",
]


def _selected(host: ToolHost, kind: type) -> list[Annotation]:
    selection = host.selection()
    return [
        a
        for a in host.editable_annotations()
        if a.uuid in selection and isinstance(a.geometry, kind)
    ]


def _replace(
    host: ToolHost, pairs: list[tuple[Annotation, NewAnnotation]], text: str
) -> Command | None:
    if not pairs:
        return None
    command = ReplaceAnnotations(
        removed=tuple(old.uuid for old, _ in pairs),
        added=tuple(new for _, new in pairs),
        on_image=pairs[0][0].image_id,
        text=text,
    )
    return command if host.commit(command) else None


def _converted(old: Annotation, geometry: Mask | Polygon | Box) -> NewAnnotation:
    return NewAnnotation(
        uuid=new_uuid(),
        image_id=old.image_id,
        class_id=old.class_id,
        geometry=geometry,
        attributes=old.attributes,
        z=old.z,
        source=old.source,
    )


def fill_selected_polygons_into_mask(host: ToolHost) -> Command | None:
    """Replace each selected polygon by the mask of the pixels whose centres it covers.

    Commits through ``host.commit`` and returns the applied command, or None when nothing
    was converted. A polygon too thin to cover any pixel centre has no mask and is left
    as it is rather than deleted.
    """
    size = host.image_size
    if size is None:
        return None
    width, height = size
    pairs: list[tuple[Annotation, NewAnnotation]] = []
    for annotation in _selected(host, Polygon):
        assert isinstance(annotation.geometry, Polygon)
        mask = polygon_to_mask_geometry(annotation.geometry, width, height)
        if mask is not None:
            pairs.append((annotation, _converted(annotation, mask)))
    return _replace(host, pairs, QT_TRANSLATE_NOOP("Commands", "Convert to mask"))


def convert_selected_masks_to_polygons(host: ToolHost, tolerance: float = 0.0) -> Command | None:
    """Replace each selected mask by its outline polygon (holes and separate parts kept).

    With ``tolerance`` 0 the outline follows pixel edges exactly, so converting back gives
    the same pixels; a tolerance (in pixels, e.g. 0.7) simplifies it to far fewer
    vertices. Commits through ``host.commit``; returns the command or None.
    """
    pairs: list[tuple[Annotation, NewAnnotation]] = []
    for annotation in _selected(host, Mask):
        polygon = mask_to_polygons(annotation.geometry)  # type: ignore[arg-type]
        if polygon is None:
            continue
        if tolerance > 0:
            polygon = simplify_polygon(polygon, tolerance)
        pairs.append((annotation, _converted(annotation, polygon)))
    return _replace(host, pairs, QT_TRANSLATE_NOOP("Commands", "Convert to polygon"))


ELLIPSE_VERTICES = 32
"""How many vertices an ellipse's polygon gets unless the user asks for another count."""


def _convert_each(
    host: ToolHost, kind: type, convert: Callable[[Any], Polygon | Box], text: str
) -> Command | None:
    """Replace each selected shape of ``kind`` by ``convert(geometry)``, as one command.

    A shape that cannot be converted (a polyline along one straight line has no area) is
    left as it is; when none of the selection could be, the first reason is raised so the
    user hears why nothing happened.
    """
    pairs: list[tuple[Annotation, NewAnnotation]] = []
    refused: GeometryError | None = None
    for annotation in _selected(host, kind):
        try:
            geometry = convert(annotation.geometry)
        except GeometryError as error:
            refused = refused or error
            continue
        pairs.append((annotation, _converted(annotation, geometry)))
    if not pairs and refused is not None:
        raise refused
    return _replace(host, pairs, text)


def convert_selected_boxes_to_polygons(host: ToolHost) -> Command | None:
    """Each selected box, rotated or not, becomes the polygon of its four corners."""
    return _convert_each(
        host, Box, box_to_polygon, QT_TRANSLATE_NOOP("Commands", "Convert box to polygon")
    )


def convert_selected_polygons_to_boxes(host: ToolHost) -> Command | None:
    """Each selected polygon becomes the smallest rotated box around it."""
    return _convert_each(
        host,
        Polygon,
        polygon_to_box,
        QT_TRANSLATE_NOOP("Commands", "Convert polygon to rotated box"),
    )


def convert_selected_ellipses_to_polygons(
    host: ToolHost, vertices: int = ELLIPSE_VERTICES
) -> Command | None:
    """Each selected ellipse becomes a polygon of ``vertices`` points on its outline."""
    return _convert_each(
        host,
        Ellipse,
        lambda e: ellipse_to_polygon(e, vertices),
        QT_TRANSLATE_NOOP("Commands", "Convert ellipse to polygon"),
    )


def convert_selected_polylines_to_polygons(host: ToolHost) -> Command | None:
    """Each selected polyline is closed into a polygon (its last point joined to its first)."""
    return _convert_each(
        host,
        Polyline,
        polyline_to_polygon,
        QT_TRANSLATE_NOOP("Commands", "Close polyline into polygon"),
    )
