"""Label Studio's label config, read into the controls and classes limner syncs.

:func:`parse_label_config` reads the XML of a project (one ``<Image>`` tag) and refuses,
with a message naming the tag, what limner cannot label faithfully: no or several images,
video/audio/text objects, controls bound to anything but the image, and geometry tools
other than RectangleLabels, PolygonLabels, BrushLabels, KeyPointLabels, EllipseLabels and
VectorLabels (their regions would be lost on the way back). Controls without geometry
that limner has no use for (DateTime, Taxonomy, a per-region Rating...) are listed in
``LSConfig.warnings`` instead.

What each control becomes (classes, attributes, image tags) is told in
:mod:`~limner.sync.adapters.labelstudio_controls`, and the classes are built, with their
names made unique, in :mod:`~limner.sync.adapters.labelstudio_classes`. The tables of
control tags and :func:`check_image_size` are shared with the result codec
(``labelstudio_write`` and ``labelstudio_read``), and re-exported here for it.
"""

from __future__ import annotations

import numbers
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from limner.sync.adapters.labelstudio_classes import classes_of
from limner.sync.adapters.labelstudio_controls import (
    ATTRIBUTE_CONTROLS,
    ATTRIBUTE_TYPE_TO_CONTROL,
    GEOMETRY_CONTROLS,
    KIND_TO_TYPE,
    TAG_CONTROLS,
    LabelStudioFormatError,
    LSClassSpec,
    LSControl,
)

__all__ = [
    "ATTRIBUTE_CONTROLS",
    "ATTRIBUTE_TYPE_TO_CONTROL",
    "GEOMETRY_CONTROLS",
    "KIND_TO_TYPE",
    "TAG_CONTROLS",
    "LSClassSpec",
    "LSConfig",
    "LSControl",
    "LabelStudioFormatError",
    "check_image_size",
    "parse_label_config",
]

# Controls that draw shapes limner does not have (or unlabeled tools, whose regions have
# no class). A project using them is refused: its regions could not be shown, and an
# upload would have to drop them.
_FOREIGN_GEOMETRY_CONTROLS = frozenset(
    {
        "rectangle",
        "polygon",
        "brush",
        "keypoint",
        "ellipse",
        "labels",
        "bitmask",
        "bitmasklabels",
        "magicwand",
        "vector",
        "videorectangle",
        "paragraphlabels",
        "hypertextlabels",
        "timeserieslabels",
    }
)
# Controls without geometry that limner ignores (reported, not refused).
_OTHER_CONTROLS = frozenset({"datetime", "taxonomy", "ranker", "pairwise"})
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

_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_image_size(width: object, height: object) -> tuple[int, int]:
    for what, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise LabelStudioFormatError(f"image {what} must be a positive integer, got {value!r}")
    return int(width), int(height)  # type: ignore[call-overload]


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
        """The classes the controls give, named as ``labelstudio_classes`` says."""
        return classes_of(self.controls)


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
    root = _parse_xml(xml)
    warnings: list[str] = []
    images, objects, control_elements = _sort_tags(root, warnings)
    image_tag, image_key = _the_image(images)
    controls = _parse_controls(control_elements, image_tag, warnings)
    _check_objects(objects, warnings)
    return LSConfig(image_tag, image_key, tuple(controls), tuple(warnings))


def _parse_xml(xml: str) -> ET.Element:
    """The root element of the config; no declarations, nothing that is not XML."""
    if not isinstance(xml, str) or not xml.strip():
        raise LabelStudioFormatError("the Label Studio label config is empty")
    if _DECLARATION.search(xml):
        raise LabelStudioFormatError(
            "the Label Studio label config contains a <!DOCTYPE> or <!ENTITY> declaration, "
            "which limner refuses to read"
        )
    try:
        return ET.fromstring(xml)
    except ET.ParseError as error:
        raise LabelStudioFormatError(
            f"the Label Studio label config is not valid XML: {error}"
        ) from None


_Tagged = list[tuple[str, ET.Element]]  # (tag as written, element), in document order


def _sort_tags(root: ET.Element, warnings: list[str]) -> tuple[list[ET.Element], _Tagged, _Tagged]:
    """Every tag of the config sorted into images, other objects and controls.

    A geometry tool limner does not have is refused here; a tag limner does not know is
    reported and left out.
    """
    images: list[ET.Element] = []
    objects: _Tagged = []
    control_elements: _Tagged = []
    for element in root.iter():
        tag = _tag(element)
        original = element.tag if isinstance(element.tag, str) else tag
        if tag == "image":
            images.append(element)
        elif tag in _MEDIA_OBJECTS or tag in _DISPLAY_OBJECTS:
            objects.append((original, element))
        elif (
            tag in GEOMETRY_CONTROLS
            or tag in ATTRIBUTE_CONTROLS
            or tag in TAG_CONTROLS
            or tag in _OTHER_CONTROLS
            or tag == "relations"
        ):
            control_elements.append((original, element))
        elif tag in _FOREIGN_GEOMETRY_CONTROLS or tag.endswith("labels"):
            raise LabelStudioFormatError(
                f"the label config uses <{original}>, a tool limner does not have; limner "
                "syncs RectangleLabels, PolygonLabels, BrushLabels, KeyPointLabels, "
                "EllipseLabels and VectorLabels"
            )
        elif tag not in _LAYOUT_TAGS:
            warnings.append(f"<{original}> in the label config is not known to limner; ignored")
    return images, objects, control_elements


def _the_image(images: list[ET.Element]) -> tuple[str, str]:
    """The name of the one ``<Image>`` tag and the task field it shows."""
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
    return image_tag, value[1:]


def _parse_controls(
    control_elements: _Tagged, image_tag: str, warnings: list[str]
) -> list[LSControl]:
    """The controls limner uses, in document order; their names must be unique."""
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
    return controls


def _check_objects(objects: _Tagged, warnings: list[str]) -> None:
    """Refuse objects that make it no image project; report those that only show data."""
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

    if tag in GEOMETRY_CONTROLS:
        return _parse_labels_control(original, element, name, tag, image_tag, warnings)
    if tag in _OTHER_CONTROLS or (tag == "rating" and per_region):
        scope = "per-region" if per_region else "whole-image"
        warnings.append(f"{scope} <{original} name={name!r}> is ignored: limner has no such data")
        return None
    options: tuple[str, ...] = ()
    choice = "single"
    if tag == "choices":
        options = _option_values(element, "choice")
        if not options:
            scope = "per-region" if per_region else "whole-image"
            warnings.append(f"{scope} <{original} name={name!r}> has no <Choice>; ignored")
            return None
        if (_attr(element, "choice") or "").lower() == "multiple":
            choice = "multiple"
    minimum, maximum = _bounds(original, element, name, tag, warnings)
    return LSControl(
        name=name,
        type=tag,
        to_name=image_tag,
        per_region=per_region,
        options=options,
        choice=choice,
        when_tag_name=_attr(element, "whenTagName"),
        when_label_value=_split_list(_attr(element, "whenLabelValue")),
        minimum=minimum,
        maximum=maximum,
    )


def _number_attr(
    original: str, element: ET.Element, name: str, key: str, warnings: list[str]
) -> float | None:
    raw = _attr(element, key)
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        warnings.append(f"<{original} name={name!r}> has {key}={raw!r}, not a number; ignored")
        return None
    return int(value) if value.is_integer() else value


def _bounds(
    original: str, element: ET.Element, name: str, tag: str, warnings: list[str]
) -> tuple[float | None, float | None]:
    """The least and greatest answer: 1 to ``maxRating`` (5 unless set) for a Rating,
    ``min`` and ``max`` for a Number; none for the others."""
    if tag == "rating":
        top = _number_attr(original, element, name, "maxRating", warnings)
        return 1, top if top is not None else 5
    if tag == "number":
        return (
            _number_attr(original, element, name, "min", warnings),
            _number_attr(original, element, name, "max", warnings),
        )
    return None, None


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
