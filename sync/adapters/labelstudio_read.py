"""Label Studio ``result`` items read back as limner regions, and what could not be.

Pure data conversion with the image size as the only context. Each item is read on its
own (:mod:`limner.sync.adapters.labelstudio_read_shapes`): geometry items first, so that
relations and per-region attributes (Choices, TextArea, Number items with the id of the
region they describe) find the region they refer to. Keypoint points sharing a
``parentID`` are grouped into instances, and skeleton edges come back from relations
between points of one instance; a point without ``parentID`` is a point of its own.
Whole-image answers are image tags (:mod:`~limner.sync.adapters.labelstudio_read_tags`)
and unlabeled relations between regions are groups
(:mod:`~limner.sync.adapters.labelstudio_groups`).

Anything in a result that cannot become a limner region or attribute is reported in the
warnings returned with the regions, and :func:`unrepresented_results` returns those items
so that an upload can send them back unchanged rather than delete them on the server;
:func:`group_results` says which items make up each region, so that a push can replace
exactly the items of the regions it changes and leave every other item as it came.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from limner.models.domain.geometry import Geometry, Keypoints, Tag
from limner.models.errors import GeometryError
from limner.sync.adapters.base import Region
from limner.sync.adapters.labelstudio_config import (
    ATTRIBUTE_CONTROLS,
    GEOMETRY_CONTROLS,
    LabelStudioFormatError,
    LSClassSpec,
    LSConfig,
    LSControl,
    check_image_size,
)
from limner.sync.adapters.labelstudio_groups import Link, resolve_groups
from limner.sync.adapters.labelstudio_read_shapes import (
    PointInstance,
    SkipItem,
    add_point,
    check_extent,
    describe_item,
    item_control,
    item_labels,
    read_geometry,
    read_relation,
)
from limner.sync.adapters.labelstudio_read_tags import read_tag

__all__ = [
    "LSRegion",
    "ResultGroups",
    "group_results",
    "results_to_regions",
    "unrepresented_results",
]


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
    returns it. A rotated rectangle is left out too (limner boxes are not rotated).
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
    return ResultGroups(tuple(reading.regions), reading.owners, opaque, tuple(reading.warnings))


def unrepresented_results(
    result: Sequence[Mapping[str, Any]], config: LSConfig, width: int, height: int
) -> list[Mapping[str, Any]]:
    """The items of ``result`` that :func:`results_to_regions` did not turn into anything.

    An upload that rebuilds the result from limner's regions can append these so that
    whole-image choices and other foreign items survive on the server.
    """
    reading = _read(result, config, width, height)
    return [item for index, item in enumerate(result) if index not in reading.consumed]


@dataclass
class _Found:
    """What one walk over a result has gathered so far."""

    warnings: list[str] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    owners: dict[int, str] = field(default_factory=dict)  # item index -> region uuid
    # uuid -> (class, geometry) of boxes, polygons and masks.
    shapes: dict[str, tuple[LSClassSpec, Geometry]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # region uuids, in result order
    instances: dict[tuple[str, str | None, str | None], PointInstance] = field(default_factory=dict)
    # uuid -> attributes; also the set of uuids already in ``order``.
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    point_owner: dict[str, tuple[PointInstance, int]] = field(default_factory=dict)
    used_uuids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)  # relations that may make groups
    groups: dict[str, str] = field(default_factory=dict)  # region uuid -> group anchor


@dataclass(frozen=True)
class _Context:
    """What every item of one result is read against."""

    config: LSConfig
    width: int
    height: int
    by_label: Mapping[tuple[str, str | None], LSClassSpec]
    by_keypoint_control: Mapping[str, LSClassSpec]
    by_tag_control: Mapping[str, LSClassSpec]
    geometry_ids: set[Any]  # ids of the items that are regions of their own (not points)


def _read(
    result: Sequence[Mapping[str, Any]], config: LSConfig, width: int, height: int
) -> _Reading:
    """Read the geometry items first, then the items that refer to them, then assemble."""
    width, height = check_image_size(width, height)
    if isinstance(result, str | bytes | Mapping) or not isinstance(result, Sequence):
        raise LabelStudioFormatError(
            f"an annotation result must be a list of items, got {type(result).__name__}"
        )
    context = _context(result, config, width, height)
    found = _Found()
    for index, item in enumerate(result):
        _read_geometry_item(index, item, context, found)
    class_of: dict[str, LSClassSpec] = {uuid: found.shapes[uuid][0] for uuid in found.shapes}
    for instance in found.instances.values():
        class_of[instance.uuid] = instance.cls
    for index, item in enumerate(result):
        _read_other_item(index, item, context, class_of, found)
    _read_groups(found)
    regions = _regions(found)
    kept = {region.uuid for region in regions}
    owners = {index: uuid for index, uuid in found.owners.items() if uuid in kept}
    return _Reading(regions, found.warnings, found.consumed, owners)


def _context(
    result: Sequence[Mapping[str, Any]], config: LSConfig, width: int, height: int
) -> _Context:
    classes = config.classes()
    geometry_ids = {
        item.get("id")
        for item in result
        if isinstance(item, Mapping)
        and str(item.get("type", "")).lower() in GEOMETRY_CONTROLS
        and str(item.get("type", "")).lower() != "keypointlabels"
    }
    return _Context(
        config,
        width,
        height,
        by_label={
            (c.control_name, c.label): c for c in classes if c.kind not in ("keypoints", "tag")
        },
        by_keypoint_control={c.control_name: c for c in classes if c.kind == "keypoints"},
        by_tag_control={c.control_name: c for c in classes if c.kind == "tag"},
        geometry_ids=geometry_ids,
    )


def _read_geometry_item(index: int, item: object, context: _Context, found: _Found) -> None:
    """Read one box, polygon, brush or keypoint item into ``found``, or say why not."""
    if not isinstance(item, Mapping):
        found.warnings.append(
            f"result item {index} is {type(item).__name__}, not an object; ignored"
        )
        return
    type_ = str(item.get("type", "")).lower()
    if type_ not in GEOMETRY_CONTROLS:
        return
    try:
        control, value = item_control(item, type_, context.config)
        labels = item_labels(value, type_)
        if not labels:
            raise SkipItem("it has no label")
        parent = item.get("parentID")
        if type_ == "keypointlabels" and isinstance(parent, str) and parent:
            owner = _read_point(item, value, labels, control, context, found)
        else:
            owner = _read_shape(item, value, labels, type_, control, context, found)
    except (SkipItem, GeometryError, LabelStudioFormatError) as error:
        found.warnings.append(f"{describe_item(item)} was not imported: {error}")
        return
    found.consumed.add(index)
    found.owners[index] = owner


def _read_point(
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    labels: list[str],
    control: LSControl,
    context: _Context,
    found: _Found,
) -> str:
    """Put one keypoint item into its instance; the instance's uuid."""
    cls = context.by_keypoint_control.get(control.name)
    if cls is None:
        raise SkipItem(f"{control.name!r} has no labels in the config")
    instance = add_point(
        item,
        value,
        labels,
        cls,
        context.width,
        context.height,
        context.geometry_ids,
        found.instances,
        found.point_owner,
        found.used_uuids,
        found.warnings,
    )
    if instance.uuid not in found.attributes:
        found.order.append(instance.uuid)
        found.attributes[instance.uuid] = {}
    return instance.uuid


def _read_shape(
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    labels: list[str],
    type_: str,
    control: LSControl,
    context: _Context,
    found: _Found,
) -> str:
    """Read a box, polygon or brush item as a region of its own; the region's uuid."""
    region_id = item.get("id")
    if not isinstance(region_id, str) or not region_id:
        raise SkipItem("it has no id")
    if region_id in found.shapes:
        raise SkipItem(f"another region already has id {region_id!r}")
    cls = context.by_label.get((control.name, labels[0]))
    if cls is None:
        raise SkipItem(f"its label {labels[0]!r} is not in {control.name!r}")
    if len(labels) > 1:
        found.warnings.append(
            f"{describe_item(item)} has labels {labels}; limner keeps only {labels[0]!r}"
        )
    geometry = read_geometry(item, value, type_, context.width, context.height, found.warnings)
    check_extent(geometry, context.width, context.height)
    found.shapes[region_id] = (cls, geometry)
    found.order.append(region_id)
    found.attributes[region_id] = {}
    found.used_uuids.add(region_id)
    return region_id


def _read_other_item(
    index: int,
    item: object,
    context: _Context,
    class_of: Mapping[str, LSClassSpec],
    found: _Found,
) -> None:
    """Read one relation, whole-image answer or per-region attribute item, or say why it
    was left out."""
    if not isinstance(item, Mapping):
        return
    type_ = str(item.get("type", "")).lower()
    if type_ in GEOMETRY_CONTROLS:
        return
    config = context.config
    if type_ == "relation":
        _read_relation_item(index, item, found)
        return
    from_name = item.get("from_name")
    control = config.control(from_name) if isinstance(from_name, str) else None
    if control is not None and control.tags_image and control.type == type_:
        _read_tag_item(index, item, control, context, found)
        return
    if type_ in ATTRIBUTE_CONTROLS:
        point_owner = found.point_owner
        if _read_attribute(
            item,
            type_,
            config,
            found.shapes,
            point_owner,
            class_of,
            found.attributes,
            found.warnings,
        ):
            found.consumed.add(index)
            item_id = item.get("id")
            in_shapes = item_id in found.shapes
            found.owners[index] = item_id if in_shapes else point_owner[item_id][0].uuid
        return
    found.warnings.append(_left_out(item, type_, config))


def _region_of(item_id: Any, found: _Found) -> str | None:
    """The uuid of the region an item id names: a shape, a keypoint or a whole instance."""
    if not isinstance(item_id, str):
        return None
    if item_id in found.shapes:  # an image tag joins no group
        return None if isinstance(found.shapes[item_id][1], Tag) else item_id
    if item_id in found.point_owner:
        return found.point_owner[item_id][0].uuid
    if any(instance.uuid == item_id for instance in found.instances.values()):
        return item_id
    return None


def _read_relation_item(index: int, item: Mapping[str, Any], found: _Found) -> None:
    """A skeleton edge or a point's link to its parent; else a link between two regions,
    which makes them a group when it has no labels."""
    used = read_relation(item, found.point_owner, found.warnings)
    if used is not None:
        if used:
            found.consumed.add(index)
            ends = (
                found.point_owner.get(item.get("from_id")),
                found.point_owner.get(item.get("to_id")),
            )
            found.owners[index] = next(end for end in ends if end is not None)[0].uuid
        return
    source, target = item.get("from_id"), item.get("to_id")
    a, b = _region_of(source, found), _region_of(target, found)
    labels = item.get("labels")
    if a is None or b is None or a == b:
        found.warnings.append(
            f"relation from {source!r} to {target!r} was not imported: it does not join two "
            "regions limner read (limner keeps relations between regions as groups)"
        )
    elif labels:
        found.warnings.append(
            f"relation {labels} from {source!r} to {target!r} is kept as it is: limner keeps "
            "relations between regions as groups, and a labeled relation says more"
        )
    else:
        found.links.append(Link(index, a, b))


def _read_groups(found: _Found) -> None:
    """Join the regions linked by relations into groups; each relation is consumed by the
    member it belongs to."""
    if not found.links:
        return
    instances = {instance.uuid for instance in found.instances.values()}
    reading = resolve_groups(found.links, found.order, instances)
    found.groups.update(reading.groups)
    for index, owner in reading.owners.items():
        found.consumed.add(index)
        found.owners[index] = owner


def _read_tag_item(
    index: int, item: Mapping[str, Any], control: LSControl, context: _Context, found: _Found
) -> None:
    """One whole-image answer as a tag region of the control's tag class."""
    cls = context.by_tag_control.get(control.name)
    item_id = item.get("id")
    value = item.get("value")
    try:
        if cls is None:
            raise SkipItem(f"{control.name!r} gives limner no tag class")
        if not isinstance(item_id, str) or not item_id:
            raise SkipItem("it has no id")
        if item_id in found.shapes or item_id in found.used_uuids:
            raise SkipItem(f"another region already has id {item_id!r}")
        if not isinstance(value, Mapping):
            raise SkipItem("it has no value object")
        tag = read_tag(control.type, value, cls.tag)
    except SkipItem as error:
        found.warnings.append(f"{describe_item(item)} was not imported: {error}")
        return
    found.shapes[item_id] = (cls, tag)
    found.order.append(item_id)
    found.attributes[item_id] = {}
    found.used_uuids.add(item_id)
    found.consumed.add(index)
    found.owners[index] = item_id


def _regions(found: _Found) -> list[LSRegion]:
    """The regions gathered, in result order; keypoints that make no instance are reported."""
    regions: list[LSRegion] = []
    instance_by_uuid = {instance.uuid: instance for instance in found.instances.values()}
    for uuid in found.order:
        group = found.groups.get(uuid)
        if uuid in found.shapes:
            cls, geometry = found.shapes[uuid]
            regions.append(LSRegion(uuid, cls.name, geometry, found.attributes[uuid], group))
            continue
        instance = instance_by_uuid[uuid]
        try:
            keypoints = Keypoints(tuple(instance.points))
        except GeometryError as error:
            found.warnings.append(f"keypoints {uuid} were not imported: {error}")
            continue
        regions.append(
            LSRegion(
                uuid,
                instance.cls.name,
                keypoints,
                found.attributes[uuid],
                group,
                parent_id=instance.parent_id,
                skeleton_edges=tuple(instance.edges),
            )
        )
    return regions


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
            f"{describe_item(item)} was not imported: {from_name!r} is a {control.type} "
            f"control, not {shown}"
        )
    return f"{describe_item(item)} is not something limner keeps; ignored"


def _read_attribute(
    item: Mapping[str, Any],
    type_: str,
    config: LSConfig,
    shapes: Mapping[str, tuple[LSClassSpec, Geometry]],
    point_owner: Mapping[str, tuple[PointInstance, int]],
    class_of: Mapping[str, LSClassSpec],
    attributes: dict[str, dict[str, Any]],
    warnings: list[str],
) -> bool:
    """Attach one per-region choices/textarea/number item; True when it was used."""
    from_name = item.get("from_name")
    control = config.control(from_name) if isinstance(from_name, str) else None
    if control is None:
        warnings.append(
            f"{describe_item(item)}: the config has no control named {from_name!r}; ignored"
        )
        return False
    if not control.per_region:
        warnings.append(
            f"{describe_item(item)} was not imported: {from_name!r} is a {control.type} "
            f"control, not {type_}"
        )
        return False
    item_id = item.get("id")
    if isinstance(item_id, str) and item_id in shapes and item_id in class_of:
        uuid = item_id
    elif isinstance(item_id, str) and item_id in point_owner:
        uuid = point_owner[item_id][0].uuid
    else:
        warnings.append(f"{describe_item(item)} belongs to no region limner imported; ignored")
        return False
    schema = {spec["name"]: spec for spec in class_of[uuid].attribute_schema}
    spec = schema.get(control.name)
    if spec is None:
        warnings.append(
            f"{describe_item(item)} does not apply to class {class_of[uuid].name!r}; ignored"
        )
        return False
    value = item.get("value")
    try:
        if not isinstance(value, Mapping):
            raise SkipItem("it has no value object")
        parsed = _parse_attribute(spec, type_, value)
    except SkipItem as error:
        warnings.append(f"{describe_item(item)} was not imported: {error}")
        return False
    previous = attributes[uuid].get(control.name)
    if previous is not None and previous != parsed:
        warnings.append(
            f"{describe_item(item)} sets {control.name!r} of {uuid} to {parsed!r} after "
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
            raise SkipItem(f"its choices are {choices!r}, not a list of strings")
        options = list(spec.get("options", ()))
        unknown = [choice for choice in choices if choice not in options]
        if unknown:
            raise SkipItem(f"{unknown} are not options of {spec['name']!r} ({', '.join(options)})")
        if kind == "multi":
            return [option for option in options if option in choices]
        if len(choices) > 1:
            raise SkipItem(f"{spec['name']!r} takes one choice, but it has {choices}")
        return choices[0] if choices else None
    if type_ == "textarea":
        text = value.get("text")
        if isinstance(text, str):
            return text
        if not isinstance(text, list) or not all(isinstance(t, str) for t in text):
            raise SkipItem(f"its text is {text!r}, not a list of strings")
        # Label Studio keeps one entry per submission; limner holds one text.
        return "\n".join(text)
    number = value.get("number")
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise SkipItem(f"its number is {number!r}, not a number")
    if not math.isfinite(number):
        raise SkipItem(f"its number is {number!r}, not a finite number")
    return number
