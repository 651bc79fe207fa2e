"""Attribute schemas and skeletons in their dialog text form."""

from __future__ import annotations

import pytest

from limner.models.domain.attributes import (
    AttributeSpec,
    SchemaError,
    coerce_attributes,
    parse_schema,
    schema_from_text,
    schema_to_text,
    skeleton_from_text,
    skeleton_to_text,
)

TEXT = """occluded: bool
color: choice = red | green | blue
# a comment
tags: multi = small | blurry
note: text
count: number"""


def test_schema_text_round_trip() -> None:
    specs = schema_from_text(TEXT)
    assert [s.type for s in specs] == ["bool", "choice", "multi", "text", "number"]
    assert specs[1].options == ("red", "green", "blue")
    assert schema_from_text(schema_to_text(specs)) == specs
    assert parse_schema([s.to_json() for s in specs]) == specs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("occluded", "line 1: write 'name: type'"),
        ("a: colour", "unknown type 'colour'"),
        ("a: choice", "needs options"),
        ("a: bool = x | y", "takes no options"),
        ("a: bool\na: text", "defined twice"),
        ("a: choice = x | x", "options repeat"),
        (": bool", "needs a name"),
    ],
)
def test_bad_schema_lines_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        schema_from_text(text)


def test_values_are_coerced_and_checked() -> None:
    specs = schema_from_text(TEXT)
    clean = coerce_attributes(
        specs, {"occluded": True, "tags": ["blurry", "small"], "count": 3, "extra": 1}
    )
    assert clean == {"occluded": True, "tags": ["small", "blurry"], "count": 3, "extra": 1}
    with pytest.raises(SchemaError, match="not one of"):
        coerce_attributes(specs, {"color": "pink"})
    with pytest.raises(SchemaError, match="expected a number"):
        coerce_attributes(specs, {"count": "3"})
    with pytest.raises(SchemaError, match="true or false"):
        AttributeSpec("b", "bool").coerce(1)


def test_skeleton_text() -> None:
    sk = skeleton_from_text("head, neck\nl_hand, r_hand", "head-neck, neck-l_hand", "l_hand/r_hand")
    assert sk.names == ("head", "neck", "l_hand", "r_hand")
    assert sk.edges == ((0, 1), (1, 2))
    assert sk.flip_pairs == ((2, 3),)
    assert skeleton_from_text(*skeleton_to_text(sk)) == sk
    with pytest.raises(SchemaError, match="no point named 'tail'"):
        skeleton_from_text("head, neck", "head-tail")
    with pytest.raises(SchemaError, match="at least one point"):
        skeleton_from_text(" , ")
    with pytest.raises(SchemaError):
        skeleton_from_text("a, a")
