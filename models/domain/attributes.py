"""Per-class attribute schemas and skeleton definitions, with their short text form.

A class may carry attributes that each of its annotations fills in (bool, choice,
multi-choice, text, number). The class dialog edits the schema and the skeleton as a few
lines of text, so the parsing and its error messages live here, testable without Qt:

    occluded: bool
    color: choice = red | green | blue
    tags: multi = small | blurry
    note: text
    count: number
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from limner.models.domain.geometry import Skeleton
from limner.models.errors import LimnerError

ATTRIBUTE_TYPES = ("bool", "choice", "multi", "text", "number")


class SchemaError(LimnerError, ValueError):
    """A class's attribute schema, skeleton, or an attribute value is invalid."""


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    name: str
    type: str
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.options:
            data["options"] = list(self.options)
        return data

    @property
    def default(self) -> Any:
        return {"bool": False, "choice": None, "multi": [], "text": "", "number": None}[self.type]

    def coerce(self, value: Any) -> Any:
        """``value`` in this attribute's type, or SchemaError saying what is wrong."""
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            raise SchemaError(f"{self.name}: expected true or false, got {value!r}")
        if self.type == "choice":
            if value is None or value in self.options:
                return value
            raise SchemaError(f"{self.name}: {value!r} is not one of {', '.join(self.options)}")
        if self.type == "multi":
            values = list(value or [])
            unknown = [v for v in values if v not in self.options]
            if unknown:
                raise SchemaError(f"{self.name}: {unknown} not among {', '.join(self.options)}")
            return [o for o in self.options if o in values]
        if self.type == "text":
            return "" if value is None else str(value)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SchemaError(f"{self.name}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise SchemaError(f"{self.name}: expected a finite number, got {value!r}")
        return value


def parse_schema(raw: Iterable[Mapping[str, Any]]) -> tuple[AttributeSpec, ...]:
    specs: list[AttributeSpec] = []
    for item in raw:
        name = str(item.get("name", "")).strip()
        kind = item.get("type")
        options = tuple(str(o) for o in item.get("options", ()))
        specs.append(_spec(name, kind, options))
    _check_unique(specs)
    return tuple(specs)


def _spec(name: str, kind: object, options: tuple[str, ...]) -> AttributeSpec:
    if not name:
        raise SchemaError("an attribute needs a name")
    if kind not in ATTRIBUTE_TYPES:
        raise SchemaError(
            f"attribute {name!r}: unknown type {kind!r} (use {', '.join(ATTRIBUTE_TYPES)})"
        )
    if kind in ("choice", "multi") and not options:
        raise SchemaError(
            f"attribute {name!r}: a {kind} needs options, e.g. {name}: {kind} = a | b"
        )
    if kind not in ("choice", "multi") and options:
        raise SchemaError(f"attribute {name!r}: a {kind} takes no options")
    if len(set(options)) != len(options):
        raise SchemaError(f"attribute {name!r}: options repeat")
    return AttributeSpec(name, str(kind), options)


def _check_unique(specs: list[AttributeSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise SchemaError(f"attribute {spec.name!r} is defined twice")
        seen.add(spec.name)


def schema_from_text(text: str) -> tuple[AttributeSpec, ...]:
    """Parse the dialog's lines; the error names the line that is wrong."""
    specs: list[AttributeSpec] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if ":" not in line:
            raise SchemaError(f"line {number}: write 'name: type', e.g. 'occluded: bool'")
        name, rest = (part.strip() for part in line.split(":", 1))
        kind, _, opts = rest.partition("=")
        options = tuple(o.strip() for o in opts.split("|") if o.strip()) if opts else ()
        try:
            specs.append(_spec(name, kind.strip(), options))
        except SchemaError as exc:
            raise SchemaError(f"line {number}: {exc}") from exc
    _check_unique(specs)
    return tuple(specs)


def schema_to_text(specs: Iterable[AttributeSpec]) -> str:
    lines = []
    for spec in specs:
        line = f"{spec.name}: {spec.type}"
        if spec.options:
            line += " = " + " | ".join(spec.options)
        lines.append(line)
    return "\n".join(lines)


def coerce_attributes(specs: Iterable[AttributeSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    """Values checked against the schema; unknown keys are kept (they may come from a remote)."""
    out = dict(values)
    for spec in specs:
        if spec.name in values:
            out[spec.name] = spec.coerce(values[spec.name])
    return out


# -- skeletons -----------------------------------------------------------------------------
def skeleton_from_text(points: str, edges: str = "", flips: str = "") -> Skeleton:
    """Points as comma- or line-separated names; edges "a-b, b-c"; flip pairs "l/r, ..."."""
    names = tuple(n.strip() for n in points.replace("\n", ",").split(",") if n.strip())
    if not names:
        raise SchemaError("a skeleton needs at least one point name")
    index = {n: i for i, n in enumerate(names)}

    def pairs(text: str, sep: str, what: str) -> tuple[tuple[int, int], ...]:
        out: list[tuple[int, int]] = []
        for chunk in text.replace("\n", ",").split(","):
            chunk = chunk.strip()
            if not chunk:
                continue
            if sep not in chunk:
                raise SchemaError(f"{what} {chunk!r}: write two point names joined by '{sep}'")
            a, b = (s.strip() for s in chunk.split(sep, 1))
            for n in (a, b):
                if n not in index:
                    raise SchemaError(f"{what} {chunk!r}: no point named {n!r}")
            out.append((index[a], index[b]))
        return tuple(out)

    try:
        return Skeleton(names, pairs(edges, "-", "edge"), pairs(flips, "/", "flip pair"))
    except ValueError as exc:  # GeometryError: duplicate names, self-edges
        raise SchemaError(str(exc)) from exc


def skeleton_to_text(skeleton: Skeleton) -> tuple[str, str, str]:
    names = skeleton.names
    return (
        ", ".join(names),
        ", ".join(f"{names[a]}-{names[b]}" for a, b in skeleton.edges),
        ", ".join(f"{names[a]}/{names[b]}" for a, b in skeleton.flip_pairs),
    )
