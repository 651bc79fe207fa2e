"""Label Studio's label config and ``result`` JSON, to and from limner's classes and shapes.

Everything here is pure data conversion with the image size as the only context, so the
Label Studio adapter can hand any task to it without I/O.

Config. :func:`parse_label_config` reads the XML of a project (one ``<Image>`` tag) and
refuses, with a message naming the tag, what limner cannot label faithfully: no or several
images, video/audio/text objects, controls bound to anything but the image, and geometry
tools other than RectangleLabels, PolygonLabels, BrushLabels and KeyPointLabels (their
regions would be lost on the way back). Controls without geometry that limner has no use
for (whole-image Choices, Rating...) are listed in ``LSConfig.warnings`` instead.

Classes. One limner class per (control, label) pair: ``RectangleLabels`` gives boxes,
``PolygonLabels`` polygons, ``BrushLabels`` masks. A ``KeyPointLabels`` control gives one
keypoints class whose skeleton points are the control's labels, in ``model_index`` order
when the labels carry it. When the same name occurs twice (a "Car" box and a "Car"
polygon) the first, in document order, keeps the plain name and the later ones get the
kind appended, "Car (polygon)"; when that is taken, or when the earlier class has the same
kind (two RectangleLabels with "Car"), the control name too: "Car (box, bbox2)". The
first keeps its name so that adding a control to a project does not rename its classes.
Per-region ``Choices`` (single: ``choice``, multiple: ``multi``),
``TextArea`` (``text``) and ``Number`` (``number``) become attributes of every class they
apply to (``whenTagName`` / ``whenLabelValue`` restrict them, as in Label Studio).

Regions. Result ids are limner annotation uuids. Coordinates are percentages of the image
size, computed as ``px / size * 100`` with no rounding, so reading back gives the same
floats to within a few ulps. Keypoints have no instance in Label Studio: each labeled
point is one ``keypointlabels`` item with id ``"<uuid>:<point index>"`` and ``parentID``
set to the instance uuid; reading groups points by ``parentID``. Label Studio has no
visibility flag, so occluded points (COCO ``v = 1``) carry ``meta.limner.v = 1``; points
without it read back as visible. Skeleton edges are written as unlabeled ``relation``
items between point items and read back from relations between points of one instance.
Per-region attributes are extra items with the region's id (for keypoints, the id of the
instance's first labeled point) whose value repeats the geometry, as Label Studio writes
them.

Anything in a result that cannot become a limner region or attribute is reported in the
warnings returned with the regions, and :func:`unrepresented_results` returns those items
so that an upload can send them back unchanged rather than delete them on the server.
"""

from __future__ import annotations

import math
import numbers
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from limner.models.domain.attributes import AttributeSpec, SchemaError
from limner.models.domain.geometry import Box, Geometry, Keypoints, Mask, Polygon, bounds
from limner.models.errors import GeometryError
from limner.sync.adapters.base import ClassSpec, Region
from limner.sync.adapters.labelstudio_rle import LabelStudioFormatError, decode_mask, encode_mask

__all__ = [
    "KEYPOINT_WIDTH",
    "LSClassSpec",
    "LSConfig",
    "LSControl",
    "LSRegion",
    "LabelStudioFormatError",
    "ResultGroups",
    "group_results",
    "parse_label_config",
    "region_to_results",
    "results_to_regions",
    "unrepresented_results",
]

# Control tag (lower case) -> limner geometry kind. The result ``type`` is the same word.
_GEOMETRY_CONTROLS = {
    "rectanglelabels": "box",
    "polygonlabels": "polygon",
    "brushlabels": "mask",
    "keypointlabels": "keypoints",
}
_KIND_TO_TYPE = {kind: tag for tag, kind in _GEOMETRY_CONTROLS.items()}

# Per-region controls limner keeps as attributes, and the limner type of each.
_ATTRIBUTE_CONTROLS = ("choices", "textarea", "number")
_ATTRIBUTE_TYPE_TO_CONTROL = {
    "choice": "choices",
    "multi": "choices",
    "text": "textarea",
    "number": "number",
}

# Controls that draw shapes limner does not have. A project using them is refused: its
# regions could not be shown, and an upload would have to drop them.
_FOREIGN_GEOMETRY_CONTROLS = frozenset(
    {
        "rectangle",
        "polygon",
        "brush",
        "keypoint",
        "ellipse",
        "ellipselabels",
        "labels",
        "bitmask",
        "bitmasklabels",
        "magicwand",
        "vector",
        "vectorlabels",
        "videorectangle",
        "paragraphlabels",
        "hypertextlabels",
        "timeserieslabels",
    }
)
# Controls without geometry that limner ignores (reported, not refused).
_OTHER_CONTROLS = frozenset({"rating", "datetime", "taxonomy", "ranker", "pairwise"})
# Object tags that only exist to be labeled: a project with one of them is not an image
# project, whatever controls it has.
_MEDIA_OBJECTS = frozenset(
    {
        "video",
        "audio",
        "audioplus",
        "timeseries",
        "multichanneltimeseries",
        "pdf",
        "paragraphs",
        "hypertext",
        "chat",
    }
)
# Object tags that may just display task data next to the image.
_DISPLAY_OBJECTS = frozenset({"text", "table", "list", "markdown"})
# Layout tags and the children of controls, which carry nothing to convert by themselves.
_LAYOUT_TAGS = frozenset(
    {"view", "header", "style", "collapse", "panel", "filter", "label", "choice", "relation"}
)
# Relation labels read as skeleton edges (unlabeled relations between points always are).
_EDGE_LABELS = frozenset({"bone", "bones", "edge", "edges", "limb", "link", "skeleton"})

# Display radius of a written keypoint, in percent of the image width. Label Studio draws
# points with 0.2-0.7; limner keeps no size, so one middle value is written.
KEYPOINT_WIDTH = 0.5

_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LSControl:
    """One control tag of the label config, as much of it as limner uses.

    ``labels`` are the Label values (geometry controls, in skeleton order for keypoints)
    or the Relation values (``relations``); ``label_colors`` runs parallel to ``labels``
    with each label's ``background`` or None. ``options`` and ``choice`` describe Choices.
    ``when_tag_name`` / ``when_label_value`` are Label Studio's conditions restricting a
    per-region control to some regions.
    """

    name: str
    type: str
    to_name: str
    labels: tuple[str, ...] = ()
    per_region: bool = False
    options: tuple[str, ...] = ()
    choice: str = "single"
    label_colors: tuple[str | None, ...] = ()
    when_tag_name: str | None = None
    when_label_value: tuple[str, ...] = ()

    @property
    def kind(self) -> str | None:
        """The limner geometry kind of a labels control, None for the others."""
        return _GEOMETRY_CONTROLS.get(self.type)


@dataclass(frozen=True, slots=True)
class LSClassSpec(ClassSpec):
    """A limner class and where it lives in the label config.

    ``label`` is the value written in results (None for keypoints, whose labels are the
    point names), ``control_name`` the control's ``name`` (a result's ``from_name``) and
    ``to_name`` the Image tag's name.
    """

    control_name: str = ""
    label: str | None = None
    to_name: str = ""


@dataclass(frozen=True, slots=True)
class LSRegion(Region):
    """A region read from Label Studio, with what only keypoints need.

    ``parent_id`` is set when the points' ``parentID`` names another region of the same
    result (a person box, as Label Studio's own pose projects do); pass it back to
    :func:`region_to_results` to keep the link. ``skeleton_edges`` are the point index
    pairs joined by relations in this instance, for the class skeleton.
    """

    parent_id: str | None = None
    skeleton_edges: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class LSConfig:
    """A parsed label config: the image it labels, its controls, and what was ignored."""

    image_tag: str
    image_key: str
    controls: tuple[LSControl, ...]
    warnings: tuple[str, ...] = ()

    def control(self, name: str) -> LSControl | None:
        """The control whose ``name`` is ``name`` (a result's ``from_name``)."""
        for control in self.controls:
            if control.name == name:
                return control
        return None

    def classes(self) -> list[LSClassSpec]:
        """One class per (geometry control, label); one per keypoint control.

        Names are made unique as the module docstring describes; the order is document
        order, so the same config always gives the same names.
        """
        taken: set[str] = set()
        kinds_of: dict[str, set[str]] = {}  # base name -> kinds already using it
        out: list[LSClassSpec] = []
        for control in self.controls:
            kind = control.kind
            if kind is None or not control.labels:
                continue
            if kind == "keypoints":
                entries = [(control.name, None, _first_color(control.label_colors))]
            else:
                entries = [
                    (label, label, color)
                    for label, color in zip(control.labels, control.label_colors, strict=True)
                ]
            for base, label, color in entries:
                same_kind = kind in kinds_of.get(base, set())
                name = _unique_name(base, kind, control.name, taken, same_kind)
                taken.add(name)
                kinds_of.setdefault(base, set()).add(kind)
                skeleton = None
                if kind == "keypoints":
                    skeleton = {"names": list(control.labels), "edges": []}
                out.append(
                    LSClassSpec(
                        name=name,
                        kind=kind,
                        color=color,
                        attribute_schema=self._attribute_schema(control, label),
                        skeleton=skeleton,
                        control_name=control.name,
                        label=label,
                        to_name=control.to_name,
                    )
                )
        return out

    def _attribute_schema(self, owner: LSControl, label: str | None) -> tuple[dict, ...]:
        """The per-region controls that apply to regions of ``owner`` labeled ``label``."""
        labels = owner.labels if label is None else (label,)
        schema: list[dict[str, Any]] = []
        for control in self.controls:
            if not control.per_region or control.type not in _ATTRIBUTE_CONTROLS:
                continue
            if control.when_tag_name is not None and control.when_tag_name != owner.name:
                continue
            if control.when_label_value and not set(labels) & set(control.when_label_value):
                continue
            if control.type == "choices":
                kind = "multi" if control.choice == "multiple" else "choice"
                schema.append(
                    {"name": control.name, "type": kind, "options": list(control.options)}
                )
            elif control.type == "textarea":
                schema.append({"name": control.name, "type": "text", "options": []})
            else:
                schema.append({"name": control.name, "type": "number", "options": []})
        return tuple(schema)


def _first_color(colors: Iterable[str | None]) -> str | None:
    return next((color for color in colors if color), None)


def _unique_name(base: str, kind: str, control: str, taken: set[str], same_kind: bool) -> str:
    """``base``, else ``base (kind)``, else ``base (kind, control)``, else numbered.

    ``base (kind)`` is skipped when a class of the same kind already has the name (two
    RectangleLabels controls both with "Car"): it would not say which one is meant.
    """
    candidates = [base, f"{base} ({kind}, {control})"]
    if not same_kind:
        candidates.insert(1, f"{base} ({kind})")
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base} ({kind}, {control}) {number}" in taken:
        number += 1
    return f"{base} ({kind}, {control}) {number}"


def _attr(element: ET.Element, name: str) -> str | None:
    """An attribute looked up case-insensitively, so hand-written ``toname`` still works."""
    if name in element.attrib:
        return element.attrib[name]
    lowered = name.lower()
    for key, value in element.attrib.items():
        if key.lower() == lowered:
            return value
    return None


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1", "yes")


def _split_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _tag(element: ET.Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def parse_label_config(xml: str) -> LSConfig:
    """Parse a project's ``label_config`` XML; refuse what limner cannot represent.

    Raises :class:`LabelStudioFormatError` whose message names the offending tag. DOCTYPE
    and ENTITY declarations are refused outright: a label config never needs them, and
    refusing them rules out entity-expansion attacks from a hostile server.
    """
    if not isinstance(xml, str) or not xml.strip():
        raise LabelStudioFormatError("the Label Studio label config is empty")
    if _DECLARATION.search(xml):
        raise LabelStudioFormatError(
            "the Label Studio label config contains a <!DOCTYPE> or <!ENTITY> declaration, "
            "which limner refuses to read"
        )
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise LabelStudioFormatError(
            f"the Label Studio label config is not valid XML: {error}"
        ) from None

    warnings: list[str] = []
    images: list[ET.Element] = []
    objects: list[tuple[str, ET.Element]] = []
    control_elements: list[tuple[str, ET.Element]] = []
    for element in root.iter():
        tag = _tag(element)
        original = element.tag if isinstance(element.tag, str) else tag
        if tag == "image":
            images.append(element)
        elif tag in _MEDIA_OBJECTS or tag in _DISPLAY_OBJECTS:
            objects.append((original, element))
        elif (
            tag in _GEOMETRY_CONTROLS
            or tag in _ATTRIBUTE_CONTROLS
            or tag in _OTHER_CONTROLS
            or tag == "relations"
        ):
            control_elements.append((original, element))
        elif tag in _FOREIGN_GEOMETRY_CONTROLS or tag.endswith("labels"):
            raise LabelStudioFormatError(
                f"the label config uses <{original}>, a tool limner does not have; limner "
                "syncs RectangleLabels, PolygonLabels, BrushLabels and KeyPointLabels"
            )
        elif tag not in _LAYOUT_TAGS:
            warnings.append(f"<{original}> in the label config is not known to limner; ignored")

    if not images:
        raise LabelStudioFormatError(
            "the label config has no <Image> tag; limner only labels images"
        )
    if len(images) > 1:
        names = ", ".join(repr(_attr(image, "name")) for image in images)
        raise LabelStudioFormatError(
            f"the label config has {len(images)} <Image> tags ({names}); limner labels "
            "one image per task"
        )
    image = images[0]
    image_tag = _attr(image, "name")
    if not image_tag:
        raise LabelStudioFormatError("the <Image> tag of the label config has no name")
    if _attr(image, "valueList") is not None:
        raise LabelStudioFormatError(
            f"<Image name={image_tag!r}> uses valueList (several images per task); "
            "limner labels one image per task"
        )
    value = _attr(image, "value") or ""
    if not value.startswith("$") or len(value) < 2:
        raise LabelStudioFormatError(
            f"<Image name={image_tag!r}> has value={value!r}; limner needs it to name a "
            'task field, such as value="$image"'
        )
    image_key = value[1:]

    controls: list[LSControl] = []
    seen_names: set[str] = set()
    for original, element in control_elements:
        control = _parse_control(original, element, image_tag, warnings)
        if control is None:
            continue
        if control.type != "relations" and control.name in seen_names:
            raise LabelStudioFormatError(
                f"the label config has two controls named {control.name!r}; Label Studio "
                "needs control names to be unique"
            )
        seen_names.add(control.name)
        controls.append(control)

    for original, element in objects:
        name = _attr(element, "name")
        if _tag(element) in _MEDIA_OBJECTS:
            raise LabelStudioFormatError(
                f"the label config has a <{original}> object (name {name!r}); limner only "
                "labels images"
            )
        warnings.append(
            f"<{original} name={name!r}> only displays task data in Label Studio; "
            "limner does not show it"
        )
    return LSConfig(image_tag, image_key, tuple(controls), tuple(warnings))


def _children(element: ET.Element, tag: str) -> list[ET.Element]:
    return [child for child in element.iter() if child is not element and _tag(child) == tag]


def _parse_control(
    original: str, element: ET.Element, image_tag: str, warnings: list[str]
) -> LSControl | None:
    """One control tag, or None (with a warning) when limner ignores it."""
    tag = _tag(element)
    if tag == "relations":
        values = tuple(
            v for v in (_attr(child, "value") for child in _children(element, "relation")) if v
        )
        name = _attr(element, "name") or "relations"
        return LSControl(name=name, type="relations", to_name=image_tag, labels=values)

    name = _attr(element, "name")
    if not name:
        raise LabelStudioFormatError(f"a <{original}> tag in the label config has no name")
    to_names = _split_list(_attr(element, "toName"))
    if not to_names:
        raise LabelStudioFormatError(f"<{original} name={name!r}> has no toName")
    foreign = [target for target in to_names if target != image_tag]
    if foreign:
        raise LabelStudioFormatError(
            f"<{original} name={name!r}> labels {', '.join(map(repr, foreign))}, not the "
            f"image {image_tag!r}; limner only labels the image"
        )
    per_region = _truthy(_attr(element, "perRegion"))

    if tag in _GEOMETRY_CONTROLS:
        return _parse_labels_control(original, element, name, tag, image_tag, warnings)
    if tag in _OTHER_CONTROLS:
        scope = "per-region" if per_region else "whole-image"
        warnings.append(f"{scope} <{original} name={name!r}> is ignored: limner has no such data")
        return None
    if not per_region:
        # Kept in ``controls`` so that its answers in results are recognised (and
        # reported as whole-image answers), but it gives no attribute.
        warnings.append(
            f"whole-image <{original} name={name!r}> is ignored: limner keeps no whole-image labels"
        )
    options: tuple[str, ...] = ()
    choice = "single"
    if tag == "choices":
        options = _option_values(element, "choice")
        if not options and per_region:
            warnings.append(f"per-region <{original} name={name!r}> has no <Choice>; ignored")
            return None
        if (_attr(element, "choice") or "").lower() == "multiple":
            choice = "multiple"
    return LSControl(
        name=name,
        type=tag,
        to_name=image_tag,
        per_region=per_region,
        options=options,
        choice=choice,
        when_tag_name=_attr(element, "whenTagName"),
        when_label_value=_split_list(_attr(element, "whenLabelValue")),
    )


def _option_values(element: ET.Element, child_tag: str) -> tuple[str, ...]:
    """Values of ``<Choice>``/``<Label>`` children; ``alias`` wins, as in results."""
    values: list[str] = []
    for child in _children(element, child_tag):
        value = _attr(child, "alias") or _attr(child, "value")
        if value and value not in values:
            values.append(value)
    return tuple(values)


def _parse_labels_control(
    original: str,
    element: ET.Element,
    name: str,
    tag: str,
    image_tag: str,
    warnings: list[str],
) -> LSControl:
    """A geometry control with its labels, colors and (keypoints) ``model_index`` order."""
    entries: list[tuple[str, str | None, int | None, int]] = []
    seen: set[str] = set()
    for position, child in enumerate(_children(element, "label")):
        value = _attr(child, "alias") or _attr(child, "value")
        if not value:
            raise LabelStudioFormatError(f"a <Label> of <{original} name={name!r}> has no value")
        if value in seen:
            warnings.append(f"<{original} name={name!r}> lists label {value!r} twice")
            continue
        seen.add(value)
        index: int | None = None
        raw_index = _attr(child, "model_index")
        if raw_index is not None:
            try:
                index = int(raw_index)
            except ValueError:
                warnings.append(
                    f"<Label value={value!r}> of <{original} name={name!r}> has "
                    f"model_index={raw_index!r}, not a whole number; ignored"
                )
        entries.append((value, _attr(child, "background"), index, position))
    if not entries:
        source = _attr(element, "value")
        why = f"its labels come from task data ({source})" if source else "it has no <Label>"
        warnings.append(f"<{original} name={name!r}> gives limner no class: {why}")
    if tag == "keypointlabels" and any(entry[2] is not None for entry in entries):
        # Skeleton order follows model_index (the order COCO/YOLO exports use); labels
        # without one keep their document order after the indexed ones.
        entries.sort(key=lambda e: (e[2] is None, e[2] if e[2] is not None else 0, e[3]))
    return LSControl(
        name=name,
        type=tag,
        to_name=image_tag,
        labels=tuple(entry[0] for entry in entries),
        label_colors=tuple(entry[1] for entry in entries),
    )


# ---------------------------------------------------------------------------------------
# limner -> Label Studio
# ---------------------------------------------------------------------------------------


def _check_size(width: object, height: object) -> tuple[int, int]:
    for what, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise LabelStudioFormatError(f"image {what} must be a positive integer, got {value!r}")
    return int(width), int(height)  # type: ignore[call-overload]


def _envelope(
    item_id: str, cls: LSClassSpec, type_: str, from_name: str, width: int, height: int
) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": type_,
        "from_name": from_name,
        "to_name": cls.to_name,
        "original_width": width,
        "original_height": height,
        "image_rotation": 0,
    }


def region_to_results(
    uuid: str,
    geometry: Geometry,
    cls: LSClassSpec,
    attributes: Mapping[str, Any],
    width: int,
    height: int,
    *,
    skeleton_edges: Iterable[Sequence[int]] = (),
    parent_id: str | None = None,
) -> list[dict[str, Any]]:
    """The ``result`` items of one limner annotation on a ``width`` x ``height`` image.

    Raises :class:`LabelStudioFormatError` for an annotation Label Studio cannot hold (a
    polygon with holes or several parts, keypoints without a labeled point, an attribute
    with no per-region control), so the caller can report it for this annotation alone.
    ``skeleton_edges`` (point index pairs) are written as relations between labeled
    points; ``parent_id`` replaces the instance uuid as the points' ``parentID`` (see
    :class:`LSRegion`).
    """
    width, height = _check_size(width, height)
    if not isinstance(cls, LSClassSpec):
        raise LabelStudioFormatError(
            f"class {getattr(cls, 'name', cls)!r} does not come from a Label Studio config"
        )
    kind = getattr(geometry, "kind", None)
    if kind != cls.kind:
        raise LabelStudioFormatError(
            f"annotation {uuid} is a {kind} but class {cls.name!r} holds {cls.kind} annotations"
        )
    type_ = _KIND_TO_TYPE[cls.kind]

    if isinstance(geometry, Keypoints):
        items, attribute_target = _keypoint_items(
            uuid, geometry, cls, width, height, parent_id, skeleton_edges
        )
    else:
        value = _geometry_value(uuid, geometry, width, height)
        item = _envelope(uuid, cls, type_, cls.control_name, width, height)
        item["value"] = {**value, type_: [cls.label]}
        items = [item]
        attribute_target = (uuid, value)

    target_id, target_value = attribute_target
    schema = {spec["name"]: spec for spec in cls.attribute_schema}
    for name, raw in attributes.items():
        spec = schema.get(name)
        if spec is None:
            raise LabelStudioFormatError(
                f"attribute {name!r} of annotation {uuid} has no per-region control in the "
                f"Label Studio config for class {cls.name!r}"
            )
        entry = _attribute_value(uuid, spec, raw)
        if entry is None:
            continue
        control_type = _ATTRIBUTE_TYPE_TO_CONTROL[spec["type"]]
        item = _envelope(target_id, cls, control_type, name, width, height)
        item["value"] = {**target_value, **entry}
        items.append(item)
    return items


def _percent_x(value: float, width: int) -> float:
    return value / width * 100


def _percent_y(value: float, height: int) -> float:
    return value / height * 100


def _geometry_value(uuid: str, geometry: Geometry, width: int, height: int) -> dict[str, Any]:
    """The ``value`` of a box, polygon or mask, without its label list."""
    if isinstance(geometry, Box):
        return {
            "x": _percent_x(geometry.x0, width),
            "y": _percent_y(geometry.y0, height),
            "width": _percent_x(geometry.width, width),
            "height": _percent_y(geometry.height, height),
            "rotation": 0,
        }
    if isinstance(geometry, Polygon):
        if len(geometry.parts) > 1:
            raise LabelStudioFormatError(
                f"polygon {uuid} has {len(geometry.parts)} separate parts, which Label Studio "
                "polygons cannot hold; split it or draw it as a mask"
            )
        part = geometry.parts[0]
        if part.holes:
            raise LabelStudioFormatError(
                f"polygon {uuid} has holes, which Label Studio polygons cannot hold; "
                "draw it as a mask instead"
            )
        return {
            "points": [[_percent_x(x, width), _percent_y(y, height)] for x, y in part.outer],
            "closed": True,
        }
    if isinstance(geometry, Mask):
        if (geometry.image_width, geometry.image_height) != (width, height):
            raise LabelStudioFormatError(
                f"mask {uuid} belongs to a {geometry.image_width}x{geometry.image_height} image, "
                f"not to this {width}x{height} one"
            )
        return {"format": "rle", "rle": encode_mask(geometry.to_array())}
    raise LabelStudioFormatError(f"annotation {uuid} has no geometry limner can upload")


def _keypoint_items(
    uuid: str,
    geometry: Keypoints,
    cls: LSClassSpec,
    width: int,
    height: int,
    parent_id: str | None,
    skeleton_edges: Iterable[Sequence[int]],
) -> tuple[list[dict[str, Any]], tuple[str, dict[str, Any]]]:
    """Point items (and edge relations) of one instance, and where attributes attach."""
    names = list((cls.skeleton or {}).get("names", ()))
    if len(geometry.points) != len(names):
        raise LabelStudioFormatError(
            f"keypoints {uuid} have {len(geometry.points)} points but class {cls.name!r} has "
            f"{len(names)} ({', '.join(names)})"
        )
    items: list[dict[str, Any]] = []
    first: tuple[str, dict[str, Any]] | None = None
    for index, (x, y, v) in enumerate(geometry.points):
        if v == 0:
            continue  # not labeled: Label Studio has no item for a missing point
        point_id = f"{uuid}:{index}"
        value = {"x": _percent_x(x, width), "y": _percent_y(y, height), "width": KEYPOINT_WIDTH}
        item = _envelope(point_id, cls, "keypointlabels", cls.control_name, width, height)
        item["parentID"] = parent_id or uuid
        item["value"] = {**value, "keypointlabels": [names[index]]}
        if v == 1:
            item["meta"] = {"limner": {"v": 1}}
        items.append(item)
        if first is None:
            first = (point_id, value)
    if first is None:
        raise LabelStudioFormatError(
            f"keypoints {uuid} have no labeled point; Label Studio cannot hold an empty instance"
        )
    labeled = {i for i, point in enumerate(geometry.points) if point[2] > 0}
    for edge in skeleton_edges:
        a, b = (int(i) for i in edge)
        if not (0 <= a < len(names) and 0 <= b < len(names)):
            raise LabelStudioFormatError(
                f"skeleton edge {a}-{b} of keypoints {uuid} refers to a point the class "
                f"{cls.name!r} does not have"
            )
        if a in labeled and b in labeled:  # an edge to a missing point has nothing to join
            items.append(
                {
                    "type": "relation",
                    "from_id": f"{uuid}:{a}",
                    "to_id": f"{uuid}:{b}",
                    "direction": "right",
                }
            )
    return items, first


def _attribute_value(uuid: str, spec: Mapping[str, Any], raw: Any) -> dict[str, Any] | None:
    """The value key of one attribute item, or None when the attribute is unset."""
    kind = spec["type"]
    if kind not in _ATTRIBUTE_TYPE_TO_CONTROL:
        raise LabelStudioFormatError(
            f"attribute {spec['name']!r} of annotation {uuid} is a {kind}, which no Label "
            "Studio per-region control holds"
        )
    try:
        value = AttributeSpec(spec["name"], kind, tuple(spec.get("options", ()))).coerce(raw)
    except SchemaError as error:
        raise LabelStudioFormatError(f"annotation {uuid}: {error}") from None
    if value is None or value == "" or value == []:
        return None
    if kind == "choice":
        return {"choices": [value]}
    if kind == "multi":
        return {"choices": list(value)}
    if kind == "text":
        return {"text": [value]}
    return {"number": value}


# ---------------------------------------------------------------------------------------
# Label Studio -> limner
# ---------------------------------------------------------------------------------------


class _Skip(Exception):
    """An item that cannot become (part of) a region; the message becomes a warning."""


#: How far outside the image a shape may reach (in image sizes) before it is refused as
#: broken: a slightly overhanging box is normal, one spanning a billion pixels is not.
EXTENT_LIMIT = 1.0


def _check_extent(geometry: Geometry, width: int, height: int) -> None:
    x0, y0, x1, y1 = bounds(geometry)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise _Skip("its coordinates are not finite numbers")
    mx, my = EXTENT_LIMIT * width, EXTENT_LIMIT * height
    if x0 < -mx or y0 < -my or x1 > width + mx or y1 > height + my:
        raise _Skip(
            f"it spans {x0:.6g}..{x1:.6g} x {y0:.6g}..{y1:.6g} px, far outside the "
            f"{width}x{height} image"
        )


def _number(value: Mapping[str, Any], key: str) -> float:
    raw = value.get(key)
    if isinstance(raw, bool) or not isinstance(raw, numbers.Real) or not math.isfinite(raw):
        raise _Skip(f"its {key!r} is {raw!r}, not a finite number")
    return float(raw)


def _labels(value: Mapping[str, Any], type_: str) -> list[str]:
    """The label list of a value, also where the API spec's examples nest it.

    Label Studio writes ``value.<type>``; the OpenAPI document's examples show
    ``value.values.<type>``. Both are read; only the first is written.
    """
    labels = value.get(type_)
    if labels is None and isinstance(value.get("values"), Mapping):
        labels = value["values"].get(type_)
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise _Skip(f"its {type_!r} is {labels!r}, not a list of labels")
    return labels


@dataclass
class _Instance:
    """Keypoints of one instance being gathered from point items."""

    uuid: str
    cls: LSClassSpec
    parent_id: str | None
    points: list[tuple[float, float, int]]
    edges: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Reading:
    regions: list[LSRegion]
    warnings: list[str]
    consumed: set[int]
    owners: dict[int, str] = field(default_factory=dict)  # item index -> region uuid


def results_to_regions(
    result: Sequence[Mapping[str, Any]], config: LSConfig, width: int, height: int
) -> tuple[list[LSRegion], list[str]]:
    """The limner regions of an annotation's ``result``, and warnings for what was left out.

    Never raises for one bad item: anything that cannot be represented (unknown control
    or label, whole-image choices, a brush drawn on an image of another size, relations
    between regions...) is described in a warning, and :func:`unrepresented_results`
    returns it. A rotated rectangle becomes its axis-aligned bounding box, with a warning.
    """
    reading = _read(result, config, width, height)
    return reading.regions, reading.warnings


@dataclass(frozen=True, slots=True)
class ResultGroups:
    """One annotation's ``result`` split by region, each with its items' positions.

    ``owners`` maps an item's index to the uuid of the region it belongs to; items with no
    owner are ones limner cannot represent (``opaque``, with ``warnings`` saying why).
    """

    regions: tuple[LSRegion, ...]
    owners: Mapping[int, str]
    opaque: tuple[int, ...]
    warnings: tuple[str, ...]


def group_results(
    result: Sequence[Mapping[str, Any]], config: LSConfig, width: int, height: int
) -> ResultGroups:
    """The regions of ``result`` and which items make up each (pure, deterministic)."""
    reading = _read(result, config, width, height)
    opaque = tuple(i for i in range(len(result)) if i not in reading.owners)
    return ResultGroups(
        tuple(reading.regions), reading.owners, opaque, tuple(reading.warnings)
    )


def unrepresented_results(
    result: Sequence[Mapping[str, Any]], config: LSConfig, width: int, height: int
) -> list[Mapping[str, Any]]:
    """The items of ``result`` that :func:`results_to_regions` did not turn into anything.

    An upload that rebuilds the result from limner's regions can append these so that
    whole-image choices and other foreign items survive on the server.
    """
    reading = _read(result, config, width, height)
    return [item for index, item in enumerate(result) if index not in reading.consumed]


def _describe(item: Mapping[str, Any]) -> str:
    item_id = item.get("id")
    type_ = item.get("type")
    from_name = item.get("from_name")
    where = f" from {from_name!r}" if from_name else ""
    return f"result item {item_id!r} ({type_}{where})" if item_id else f"a {type_} item{where}"


def _read(
    result: Sequence[Mapping[str, Any]], config: LSConfig, width: int, height: int
) -> _Reading:
    width, height = _check_size(width, height)
    if isinstance(result, str | bytes | Mapping) or not isinstance(result, Sequence):
        raise LabelStudioFormatError(
            f"an annotation result must be a list of items, got {type(result).__name__}"
        )
    warnings: list[str] = []
    consumed: set[int] = set()
    classes = config.classes()
    by_label = {(c.control_name, c.label): c for c in classes if c.kind != "keypoints"}
    by_keypoint_control = {c.control_name: c for c in classes if c.kind == "keypoints"}

    # uuid -> (class, geometry) of boxes, polygons and masks; ``order`` keeps result order.
    shapes: dict[str, tuple[LSClassSpec, Geometry]] = {}
    order: list[str] = []
    geometry_ids = {
        item.get("id")
        for item in result
        if isinstance(item, Mapping)
        and str(item.get("type", "")).lower() in _GEOMETRY_CONTROLS
        and str(item.get("type", "")).lower() != "keypointlabels"
    }
    instances: dict[tuple[str, str | None, str | None], _Instance] = {}
    attributes: dict[str, dict[str, Any]] = {}  # also the set of uuids already in order
    point_owner: dict[str, tuple[_Instance, int]] = {}
    used_uuids: set[str] = set()
    owners: dict[int, str] = {}

    for index, item in enumerate(result):
        if not isinstance(item, Mapping):
            warnings.append(f"result item {index} is {type(item).__name__}, not an object; ignored")
            continue
        type_ = str(item.get("type", "")).lower()
        if type_ not in _GEOMETRY_CONTROLS:
            continue
        try:
            control, value = _item_control(item, type_, config)
            labels = _labels(value, type_)
            if not labels:
                raise _Skip("it has no label")
            if type_ == "keypointlabels":
                cls = by_keypoint_control.get(control.name)
                if cls is None:
                    raise _Skip(f"{control.name!r} has no labels in the config")
                instance = _add_point(
                    item,
                    value,
                    labels,
                    cls,
                    width,
                    height,
                    geometry_ids,
                    instances,
                    point_owner,
                    used_uuids,
                    warnings,
                )
                if instance.uuid not in attributes:
                    order.append(instance.uuid)
                    attributes[instance.uuid] = {}
                consumed.add(index)
                owners[index] = instance.uuid
                continue
            region_id = item.get("id")
            if not isinstance(region_id, str) or not region_id:
                raise _Skip("it has no id")
            if region_id in shapes:
                raise _Skip(f"another region already has id {region_id!r}")
            cls = by_label.get((control.name, labels[0]))
            if cls is None:
                raise _Skip(f"its label {labels[0]!r} is not in {control.name!r}")
            if len(labels) > 1:
                warnings.append(
                    f"{_describe(item)} has labels {labels}; limner keeps only {labels[0]!r}"
                )
            geometry = _read_geometry(item, value, type_, width, height, warnings)
            _check_extent(geometry, width, height)
        except (_Skip, GeometryError, LabelStudioFormatError) as error:
            warnings.append(f"{_describe(item)} was not imported: {error}")
            continue
        shapes[region_id] = (cls, geometry)
        order.append(region_id)
        attributes[region_id] = {}
        used_uuids.add(region_id)
        consumed.add(index)
        owners[index] = region_id

    class_of: dict[str, LSClassSpec] = {uuid: shapes[uuid][0] for uuid in shapes}
    for instance in instances.values():
        class_of[instance.uuid] = instance.cls

    for index, item in enumerate(result):
        if not isinstance(item, Mapping):
            continue
        type_ = str(item.get("type", "")).lower()
        if type_ in _GEOMETRY_CONTROLS:
            continue
        if type_ == "relation":
            if _read_relation(item, point_owner, warnings):
                consumed.add(index)
                ends = (point_owner.get(item.get("from_id")), point_owner.get(item.get("to_id")))
                owners[index] = next(end for end in ends if end is not None)[0].uuid
            continue
        if type_ in _ATTRIBUTE_CONTROLS:
            if _read_attribute(
                item, type_, config, shapes, point_owner, class_of, attributes, warnings
            ):
                consumed.add(index)
                item_id = item.get("id")
                owners[index] = item_id if item_id in shapes else point_owner[item_id][0].uuid
            continue
        warnings.append(_left_out(item, type_, config))

    regions: list[LSRegion] = []
    instance_by_uuid = {instance.uuid: instance for instance in instances.values()}
    for uuid in order:
        if uuid in shapes:
            cls, geometry = shapes[uuid]
            regions.append(LSRegion(uuid, cls.name, geometry, attributes[uuid]))
            continue
        instance = instance_by_uuid[uuid]
        try:
            geometry = Keypoints(tuple(instance.points))
        except GeometryError as error:
            warnings.append(f"keypoints {uuid} were not imported: {error}")
            continue
        regions.append(
            LSRegion(
                uuid,
                instance.cls.name,
                geometry,
                attributes[uuid],
                parent_id=instance.parent_id,
                skeleton_edges=tuple(instance.edges),
            )
        )
    kept = {region.uuid for region in regions}
    owners = {index: uuid for index, uuid in owners.items() if uuid in kept}
    return _Reading(regions, warnings, consumed, owners)


def _left_out(item: Mapping[str, Any], type_: str, config: LSConfig) -> str:
    """Why an item of a type limner does not read was left out.

    Label Studio gives every item the type of the control that made it (the control's tag,
    lower case), so an item whose type is not that of the control it names was not made by
    Label Studio: it is broken. One that agrees with its control, or names a control the
    config no longer has, is a valid answer limner has no form for.
    """
    from_name = item.get("from_name")
    control = config.control(from_name) if isinstance(from_name, str) else None
    if control is not None and control.type != type_:
        shown = type_ or "no type"
        return (
            f"{_describe(item)} was not imported: {from_name!r} is a {control.type} "
            f"control, not {shown}"
        )
    return f"{_describe(item)} is not something limner keeps; ignored"


def _item_control(
    item: Mapping[str, Any], type_: str, config: LSConfig
) -> tuple[LSControl, Mapping[str, Any]]:
    """The control an item belongs to, checked against the item's type, and its value."""
    from_name = item.get("from_name")
    control = config.control(from_name) if isinstance(from_name, str) else None
    if control is None:
        raise _Skip(f"the config has no control named {from_name!r}")
    if control.type != type_:
        raise _Skip(f"{from_name!r} is a {control.type} control, not {type_}")
    to_name = item.get("to_name")
    if to_name is not None and to_name != config.image_tag:
        raise _Skip(f"it is drawn on {to_name!r}, not on the image {config.image_tag!r}")
    value = item.get("value")
    if not isinstance(value, Mapping):
        raise _Skip("it has no value object")
    return control, value


def _read_geometry(
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    type_: str,
    width: int,
    height: int,
    warnings: list[str],
) -> Geometry:
    rotation_view = item.get("image_rotation")
    if isinstance(rotation_view, numbers.Real) and rotation_view % 360 != 0:
        warnings.append(
            f"{_describe(item)} was drawn with the image turned by {rotation_view} degrees; "
            "its coordinates were read as if it was not turned"
        )
    if type_ == "rectanglelabels":
        return _read_box(item, value, width, height, warnings)
    if type_ == "polygonlabels":
        points = value.get("points")
        if not isinstance(points, list):
            raise _Skip(f"its points are {points!r}, not a list")
        ring: list[tuple[float, float]] = []
        for point in points:
            if not isinstance(point, list | tuple) or len(point) != 2:
                raise _Skip(f"it has a point {point!r} that is not an [x, y] pair")
            pair = {"x": point[0], "y": point[1]}
            ring.append((_number(pair, "x") / 100 * width, _number(pair, "y") / 100 * height))
        if value.get("closed") is False:
            warnings.append(f"{_describe(item)} was an open polygon in Label Studio; closed it")
        return Polygon.from_points(ring)
    # brushlabels
    if value.get("format", "rle") != "rle":
        raise _Skip(f"its brush format is {value.get('format')!r}; only 'rle' exists")
    drawn = (item.get("original_width"), item.get("original_height"))
    if drawn != (None, None) and drawn != (width, height):
        raise _Skip(
            f"it was drawn on a {drawn[0]}x{drawn[1]} image, but the image is {width}x{height}"
        )
    return Mask.from_array(decode_mask(value.get("rle"), width, height))


def _read_box(
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    width: int,
    height: int,
    warnings: list[str],
) -> Box:
    x0 = _number(value, "x") / 100 * width
    y0 = _number(value, "y") / 100 * height
    w = _number(value, "width") / 100 * width
    h = _number(value, "height") / 100 * height
    rotation = value.get("rotation", 0) or 0
    if isinstance(rotation, bool) or not isinstance(rotation, numbers.Real):
        raise _Skip(f"its rotation is {rotation!r}, not a number")
    if not math.isfinite(rotation):
        raise _Skip(f"its rotation is {rotation!r}, not a finite number")
    if rotation % 360 != 0:
        # An axis-aligned box would be a different (larger) shape: keep the server's.
        raise _Skip(
            f"it is rotated by {rotation} degrees and limner boxes are not rotated; "
            "it is kept as it is on the server"
        )
    return Box(x0, y0, x0 + w, y0 + h)


def _add_point(
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    labels: list[str],
    cls: LSClassSpec,
    width: int,
    height: int,
    geometry_ids: set[Any],
    instances: dict[tuple[str, str | None, str | None], _Instance],
    point_owner: dict[str, tuple[_Instance, int]],
    used_uuids: set[str],
    warnings: list[str],
) -> _Instance:
    """Put one keypoint item into its instance (grouped by ``parentID``) and return it."""
    names = list((cls.skeleton or {}).get("names", ()))
    label = labels[0]
    if label not in names:
        raise _Skip(f"its label {label!r} is not a point of {cls.control_name!r}")
    if len(labels) > 1:
        warnings.append(f"{_describe(item)} has labels {labels}; limner keeps only {label!r}")
    x = _number(value, "x") / 100 * width
    y = _number(value, "y") / 100 * height
    meta = item.get("meta")
    limner_meta = meta.get("limner") if isinstance(meta, Mapping) else None
    occluded = isinstance(limner_meta, Mapping) and limner_meta.get("v") == 1
    point_id = item.get("id")

    parent = item.get("parentID")
    if isinstance(parent, str) and parent:
        key: tuple[str, str | None, str | None] = (cls.control_name, parent, None)
        instance = instances.get(key)
        if instance is None:
            linked = parent in geometry_ids
            uuid = f"{parent}:{cls.control_name}" if linked else parent
            if uuid in used_uuids:
                uuid = f"{parent}:{cls.control_name}"
            instance = _Instance(
                uuid, cls, parent if linked else None, [(0.0, 0.0, 0)] * len(names)
            )
            instances[key] = instance
            used_uuids.add(uuid)
    else:
        if not isinstance(point_id, str) or not point_id:
            raise _Skip("it has neither an id nor a parentID")
        warnings.append(
            f"{_describe(item)} has no parentID, so nothing says which instance it belongs "
            "to; it became an instance of its own"
        )
        instance = _Instance(point_id, cls, None, [(0.0, 0.0, 0)] * len(names))
        instances[(cls.control_name, None, point_id)] = instance
        used_uuids.add(point_id)

    index = names.index(label)
    if instance.points[index][2] != 0:
        raise _Skip(f"instance {instance.uuid} already has a {label!r} point")
    instance.points[index] = (x, y, 1 if occluded else 2)
    if isinstance(point_id, str) and point_id:
        point_owner[point_id] = (instance, index)
    return instance


def _read_relation(
    item: Mapping[str, Any],
    point_owner: dict[str, tuple[_Instance, int]],
    warnings: list[str],
) -> bool:
    """Record a skeleton edge; True when the relation was used (edge or point-to-parent)."""
    source, target = item.get("from_id"), item.get("to_id")
    a = point_owner.get(source) if isinstance(source, str) else None
    b = point_owner.get(target) if isinstance(target, str) else None
    raw_labels = item.get("labels") or []
    labels = [str(label).lower() for label in raw_labels] if isinstance(raw_labels, list) else []
    if a is not None and b is not None and a[0] is b[0]:
        if labels and not set(labels) & _EDGE_LABELS:
            warnings.append(
                f"relation {raw_labels} between points {source!r} and {target!r} is not a "
                "skeleton edge; ignored"
            )
            return False
        instance, i, j = a[0], a[1], b[1]
        if i != j and not any({i, j} == set(edge) for edge in instance.edges):
            instance.edges.append((i, j))
        return True
    # A point related to its own parent region repeats what parentID already says.
    for point, other in ((a, target), (b, source)):
        if point is not None and other == point[0].parent_id:
            return True
    warnings.append(
        f"relation from {source!r} to {target!r} was not imported: limner keeps no relations "
        "between regions"
    )
    return False


def _read_attribute(
    item: Mapping[str, Any],
    type_: str,
    config: LSConfig,
    shapes: Mapping[str, tuple[LSClassSpec, Geometry]],
    point_owner: Mapping[str, tuple[_Instance, int]],
    class_of: Mapping[str, LSClassSpec],
    attributes: dict[str, dict[str, Any]],
    warnings: list[str],
) -> bool:
    """Attach one per-region choices/textarea/number item; True when it was used."""
    from_name = item.get("from_name")
    control = config.control(from_name) if isinstance(from_name, str) else None
    if control is None:
        warnings.append(
            f"{_describe(item)}: the config has no control named {from_name!r}; ignored"
        )
        return False
    if not control.per_region:
        warnings.append(
            f"{_describe(item)} is a whole-image answer; limner keeps no whole-image labels"
        )
        return False
    item_id = item.get("id")
    if isinstance(item_id, str) and item_id in shapes:
        uuid = item_id
    elif isinstance(item_id, str) and item_id in point_owner:
        uuid = point_owner[item_id][0].uuid
    else:
        warnings.append(f"{_describe(item)} belongs to no region limner imported; ignored")
        return False
    schema = {spec["name"]: spec for spec in class_of[uuid].attribute_schema}
    spec = schema.get(control.name)
    if spec is None:
        warnings.append(
            f"{_describe(item)} does not apply to class {class_of[uuid].name!r}; ignored"
        )
        return False
    value = item.get("value")
    try:
        if not isinstance(value, Mapping):
            raise _Skip("it has no value object")
        parsed = _parse_attribute(spec, type_, value)
    except _Skip as error:
        warnings.append(f"{_describe(item)} was not imported: {error}")
        return False
    previous = attributes[uuid].get(control.name)
    if previous is not None and previous != parsed:
        warnings.append(
            f"{_describe(item)} sets {control.name!r} of {uuid} to {parsed!r} after "
            f"{previous!r}; kept {previous!r}"
        )
        return True
    attributes[uuid][control.name] = parsed
    return True


def _parse_attribute(spec: Mapping[str, Any], type_: str, value: Mapping[str, Any]) -> Any:
    kind = spec["type"]
    if type_ == "choices":
        choices = value.get("choices")
        if isinstance(choices, str):
            choices = [choices]
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise _Skip(f"its choices are {choices!r}, not a list of strings")
        options = list(spec.get("options", ()))
        unknown = [choice for choice in choices if choice not in options]
        if unknown:
            raise _Skip(f"{unknown} are not options of {spec['name']!r} ({', '.join(options)})")
        if kind == "multi":
            return [option for option in options if option in choices]
        if len(choices) > 1:
            raise _Skip(f"{spec['name']!r} takes one choice, but it has {choices}")
        return choices[0] if choices else None
    if type_ == "textarea":
        text = value.get("text")
        if isinstance(text, str):
            return text
        if not isinstance(text, list) or not all(isinstance(t, str) for t in text):
            raise _Skip(f"its text is {text!r}, not a list of strings")
        # Label Studio keeps one entry per submission; limner holds one text.
        return "\n".join(text)
    number = value.get("number")
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise _Skip(f"its number is {number!r}, not a number")
    if not math.isfinite(number):
        raise _Skip(f"its number is {number!r}, not a finite number")
    return number
