"""A Hasty project's schema as limner reads it: label classes, keypoint schemas, attributes.

Loaded once per connection and then read without any request: the classes limner shows
(one per name), which class id a class name is, which keypoint schema (as a limner
skeleton) a class uses, which label attributes a class has and how their values convert.
Selection values may come back from Hasty as value ids or as text (the API does not say
which): both are read, and limner writes the id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from limner.sync.adapters.base import ClassSpec
from limner.sync.adapters.hasty_format import KeypointSchema, parse_color

# Hasty attribute types -> limner attribute types (models/attributes.py).
ATTRIBUTE_TYPES = {
    "SELECTION": "choice",
    "MULTIPLE-SELECTION": "multi",
    "TEXT": "text",
    "INT": "number",
    "FLOAT": "number",
    "BOOL": "bool",
}


@dataclass
class HastySchema:
    classes: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # id -> label class
    class_ids: dict[str, str] = field(default_factory=dict)  # name -> first class id
    keypoints: dict[str, KeypointSchema] = field(default_factory=dict)  # class id -> schema
    attributes: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # id -> attribute
    class_attributes: dict[str, list[str]] = field(default_factory=dict)  # class -> ids

    def attributes_of(self, class_id: str) -> list[Mapping[str, Any]]:
        return [self.attributes[a] for a in self.class_attributes.get(class_id, [])]

    def class_specs(self) -> list[ClassSpec]:
        """One class per name (limner matches classes by name: the first one wins)."""
        specs: list[ClassSpec] = []
        for class_id, c in self.classes.items():
            if self.class_ids.get(str(c.get("name"))) != class_id:
                continue
            points = self.keypoints.get(class_id)
            skeleton = (
                {"names": list(points.names), "edges": [list(e) for e in points.edges]}
                if points
                else None
            )
            specs.append(
                ClassSpec(
                    name=str(c.get("name")),
                    kind="keypoints" if points else "any",
                    color=parse_color(c.get("color")),
                    attribute_schema=tuple(self.spec(a) for a in self.attributes_of(class_id)),
                    skeleton=skeleton,
                )
            )
        return specs

    @staticmethod
    def spec(attribute: Mapping[str, Any]) -> dict[str, Any]:
        """limner's attribute schema entry for a Hasty attribute."""
        out: dict[str, Any] = {
            "name": str(attribute.get("name")),
            "type": ATTRIBUTE_TYPES[str(attribute.get("type"))],
        }
        if attribute.get("type") in ("SELECTION", "MULTIPLE-SELECTION"):
            out["options"] = [str(v.get("value")) for v in attribute.get("values") or []]
        return out

    @staticmethod
    def from_hasty(attribute: Mapping[str, Any], value: Any) -> Any:
        names = {str(v.get("id")): str(v.get("value")) for v in attribute.get("values") or []}
        kind = attribute.get("type")
        if kind == "SELECTION":
            return names.get(str(value), str(value))
        if kind == "MULTIPLE-SELECTION":
            items = value if isinstance(value, list) else [value]
            return [names.get(str(v), str(v)) for v in items]
        return value

    @staticmethod
    def to_hasty(attribute: Mapping[str, Any], value: Any) -> Any:
        ids = {str(v.get("value")): str(v.get("id")) for v in attribute.get("values") or []}
        kind = attribute.get("type")
        if value is None:
            return None
        if kind == "SELECTION":
            return ids.get(str(value), str(value))
        if kind == "MULTIPLE-SELECTION":
            return [ids.get(str(v), str(v)) for v in value or []]
        if kind == "INT" and isinstance(value, float) and value.is_integer():
            return int(value)
        return value


def _keypoint_schema(schema: Mapping[str, Any]) -> KeypointSchema:
    points = sorted(
        schema.get("keypoint_classes") or [], key=lambda k: float(k.get("norder") or 0)
    )
    index = {str(p["id"]): i for i, p in enumerate(points)}
    edges = tuple(
        (index[str(e["keypoint_class_id_a"])], index[str(e["keypoint_class_id_b"])])
        for e in schema.get("keypoint_skeleton") or []
        if str(e.get("keypoint_class_id_a")) in index
        and str(e.get("keypoint_class_id_b")) in index
    )
    return KeypointSchema(
        str(schema["id"]),
        tuple(str(p.get("name")) for p in points),
        tuple(str(p["id"]) for p in points),
        edges,
    )


def load_schema(
    paged: Callable[[str], Iterator[Mapping[str, Any]]],
    plain_list: Callable[[str], list[Mapping[str, Any]] | None],
) -> HastySchema:
    """Read the schema through ``paged`` (offset lists) and ``plain_list`` (plain arrays,
    None when the server lacks the route), given operation names of the adapter."""
    out = HastySchema()
    for c in paged("label_classes"):
        out.classes[str(c["id"])] = c
        out.class_ids.setdefault(str(c.get("name")), str(c["id"]))
    by_id = {str(s["id"]): _keypoint_schema(s) for s in plain_list("keypoint_schemas") or []}
    for row in plain_list("keypoint_schema_classes") or []:
        found = by_id.get(str(row.get("keypoint_schema_id")))
        if found is not None and found.names:
            out.keypoints[str(row.get("label_class_id"))] = found
    attributes = [
        a
        for a in paged("attributes")
        if str(a.get("subject_type") or "LABEL") == "LABEL" and a.get("type") in ATTRIBUTE_TYPES
    ]
    if not attributes:
        return out
    out.attributes = {str(a["id"]): a for a in attributes}
    rows = sorted(
        plain_list("attribute_classes") or [],
        key=lambda r: float(r.get("attribute_order") or 0),
    )
    for row in rows:
        attribute_id = str(row.get("attribute_id"))
        if attribute_id in out.attributes:
            out.class_attributes.setdefault(str(row.get("class_id")), []).append(attribute_id)
    return out
