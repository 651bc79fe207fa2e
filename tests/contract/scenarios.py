"""Which scenario runs against which server, and why the others cannot.

Every scenario is written once and parametrised over the four server kinds. A pair is
left out only when the server's API cannot express the scenario at all; such pairs are
listed in ``NOT_APPLICABLE`` with the reason, and ``test_applicability`` checks that every
(scenario, kind) pair is either generated or listed, never both, never neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pytest

from limner.models.domain.geometry import Box, Keypoints, Mask, Polygon, PolygonPart
from tests.contract.codecs import CLASS_FOR_KIND, Shape
from tests.contract.drivers import KINDS

F = TypeVar("F", bound=Callable[..., Any])

_NO_REVIEW_READ = (
    "CloudFactory's API has no route that reads a review back: an approval shows only as "
    "COMPLETED, the same as a submission"
)
NOT_APPLICABLE: dict[tuple[str, str], str] = {
    ("review_pull", "cloudfactory"): _NO_REVIEW_READ,
    ("status_conflict", "cloudfactory"): _NO_REVIEW_READ,
    ("unrepresentable_kept", "cloudfactory"): (
        "a CloudFactory label is a bbox plus free-form metadata, which limner holds whole; "
        "the API has no other region kind"
    ),
    ("refused_hole", "cloudfactory"): (
        "CloudFactory labels hold boxes only, so there is no polygon on the server to give a hole"
    ),
    ("reused_image_id", "hasty"): "Hasty assigns image ids (uuids) itself and never reuses them",
    ("reused_image_id", "cloudfactory"): (
        "CloudFactory assigns work item ids (uuids) itself and never reuses them"
    ),
    ("two_annotators", "hasty"): (
        "Hasty labels belong to the image, not to an annotator's annotation: there is no "
        "per-annotator container for an edit or a new label to go into"
    ),
    ("two_annotators", "cloudfactory"): (
        "a CloudFactory work item has one labels array and records no author"
    ),
    ("whole_image_answer_kept", "hasty"): (
        "Hasty's only whole-image answers are image tags, which limner reads and writes as "
        "its own image tags: there is no whole-image answer limner could only keep"
    ),
    ("whole_image_answer_kept", "cloudfactory"): (
        "CloudFactory work items have no whole-image answer"
    ),
}

SCENARIOS: dict[str, Callable[..., Any]] = {}


def contract(name: str) -> Callable[[F], F]:
    """Register a scenario and parametrise it over the kinds that can express it."""

    def wrap(fn: F) -> F:
        if name in SCENARIOS:
            raise ValueError(f"scenario {name!r} is defined twice")
        SCENARIOS[name] = fn
        kinds = [k for k in KINDS if (name, k) not in NOT_APPLICABLE]
        marked = pytest.mark.contract(name)(fn)
        return pytest.mark.parametrize("kind", kinds)(marked)

    return wrap


# -- shapes every scenario draws (integer pixels, inside a 64 x 48 image) --------------------
def _mask(rows: slice, cols: slice, hole: tuple[slice, slice] | None = None) -> Mask:
    full = np.zeros((48, 64), bool)
    full[rows, cols] = True
    if hole is not None:
        full[hole] = False
    return Mask.from_array(full)


_GEOMETRY: dict[str, list[Any]] = {
    "box": [Box(4, 6, 30, 28), Box(34, 8, 50, 20), Box(10, 30, 24, 44), Box(40, 30, 60, 46)],
    "polygon": [
        Polygon.from_points([(5, 5), (40, 8), (20, 40)]),
        Polygon.from_points([(45, 10), (60, 12), (52, 30)]),
    ],
    "mask": [
        _mask(slice(20, 32), slice(36, 56), (slice(24, 26), slice(40, 44))),
        _mask(slice(2, 8), slice(2, 20)),
    ],
    "keypoints": [Keypoints(((12, 14, 2), (30, 20, 2))), Keypoints(((40, 30, 2), (50, 40, 2)))],
}


def sample(kind: str, variant: int = 0) -> Shape:
    return Shape(CLASS_FOR_KIND[kind], _GEOMETRY[kind][variant])


def holed(shape: Shape) -> Shape:
    """The same polygon with a hole (which Label Studio, Hasty and Clarifai cannot hold)."""
    assert isinstance(shape.geometry, Polygon)
    outer = shape.geometry.parts[0].outer
    return Shape(shape.cls, Polygon((PolygonPart(outer, (((15, 12), (22, 12), (19, 18)),)),)))


def box(variant: int) -> Shape:
    return sample("box", variant)
