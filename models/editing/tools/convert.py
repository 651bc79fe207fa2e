"""Convert menu actions: selected polygons to masks and selected masks to polygons.

Each action is one :class:`~models.editing.mask_commands.ReplaceAnnotations`: the originals are
deleted and the converted shapes added (same class, attributes and stacking order) in a
single undo step, and the converted shapes become the selection.
"""

from __future__ import annotations

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import Mask, Polygon
from limner.models.editing.commands import Command
from limner.models.editing.mask_commands import ReplaceAnnotations
from limner.models.editing.tools.base import ToolHost
from limner.models.imaging.mask_ops import (
    mask_to_polygons,
    polygon_to_mask_geometry,
    simplify_polygon,
)
from limner.models.store.tx import new_uuid

__all__ = ["convert_selected_masks_to_polygons", "fill_selected_polygons_into_mask"]


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


def _converted(old: Annotation, geometry: Mask | Polygon) -> NewAnnotation:
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
    return _replace(host, pairs, "Convert to mask")


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
    return _replace(host, pairs, "Convert to polygon")
