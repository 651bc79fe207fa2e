"""The Hasty adapter's decode, encode and apply, straight against the Hasty fake.

No engine here: each test reads an image from the fake, decodes it, builds a push plan with
the one reconciler by hand, applies it, and then looks at the JSON the fake holds. What
must hold for every push: labels the plan keeps come out byte for byte as they were, a
local edit the server cannot hold leaves the server's copy alone, and broken server labels
are reported one by one under their own id and never written.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Mask,
    Point,
    Polygon,
    PolygonPart,
    Polyline,
    Tag,
)
from limner.sync.adapters.base import ImagePush, Refused, Region, RemoteImage, RemoteRegion
from limner.sync.adapters.hasty import HastyAdapter
from limner.sync.adapters.hasty_format import rle_encode
from limner.sync.errors import RemoteConflictError
from limner.sync.factory import make_adapter
from limner.sync.reconcile import Base, LocalRegion, PushPlan, plan_push
from limner.sync.retry import RetryPolicy
from tests.fakes.hasty_server import HastyFake

W, H = 64, 48


@dataclass
class Setup:
    fake: HastyFake
    pid: str
    image: str
    classes: dict[str, str]
    adapter: HastyAdapter


@pytest.fixture
def setup() -> Iterator[Setup]:
    fake = HastyFake().start()
    pid = fake.add_project("codec")
    dataset = fake.add_dataset(pid)
    classes = {name: fake.add_label_class(pid, name) for name in ("car", "blob")}
    image = fake.add_image(pid, dataset, "a.png", size=(W, H))
    adapter = make_adapter(
        "hasty",
        fake.url,
        pid,
        fake.api_key,
        policy=RetryPolicy(attempts=3, sleeper=lambda s: None, rng=random.Random(1)),
    )
    assert isinstance(adapter, HastyAdapter)
    adapter.connect()
    try:
        yield Setup(fake, pid, image, classes, adapter)
    finally:
        adapter.close()
        fake.stop()


def read(s: Setup) -> RemoteImage:
    return s.adapter.fetch_image(s.image)


def stored(s: Setup) -> dict[str, str]:
    """Every label the fake holds for the image, as JSON text."""
    return {x["id"]: json.dumps(x, sort_keys=True) for x in s.fake.image_labels(s.image)}


def plan(
    s: Setup, image: RemoteImage, edits: dict[str, Region | None], new: tuple[Region, ...] = ()
) -> PushPlan:
    """The plan that pushes ``edits`` (uuid -> region, None = deleted) and ``new`` regions,
    every other region being clean: what the engine computes for one image."""
    regions = s.adapter.decode(image, W, H).regions
    base = {r.uuid: Base(1, r.digest) for r in regions}
    local = {r.uuid: LocalRegion(r.uuid, 1, r.region) for r in regions}
    local.update({uuid: LocalRegion(uuid, 2, region) for uuid, region in edits.items()})
    local.update({r.uuid: LocalRegion(r.uuid, 1, r) for r in new})

    def encode(region: Region, target: RemoteRegion | None) -> object:
        return s.adapter.encode(region, W, H, target=target)

    return plan_push(local, base, regions, encode)


def push(s: Setup) -> ImagePush:
    return ImagePush(s.image, "img-uuid", W, H, "new", None, None)


def by_key(s: Setup, image: RemoteImage) -> dict[str, RemoteRegion]:
    return {r.key: r for r in s.adapter.decode(image, W, H).regions}


def seed_three(s: Setup) -> tuple[dict, dict, dict]:
    car = s.fake.add_label(s.pid, s.image, {"class_id": s.classes["car"], "bbox": [4, 5, 20, 30]})
    ring = s.fake.add_label(
        s.pid,
        s.image,
        {
            "class_id": s.classes["blob"],
            "bbox": [2, 2, 9, 9],
            "polygon": [[2, 2], [9, 2], [5, 9], [2, 2]],
            "z_index": 4,
            "external_id": "their-pipeline-17",
            "tool_used": "contour",
        },
    )
    crop = np.array([[0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 1, 0]], bool)
    mask = s.fake.add_label(
        s.pid,
        s.image,
        {"class_id": s.classes["blob"], "bbox": [10, 20, 14, 23], "mask": rle_encode(crop)},
    )
    return car, ring, mask


# -- keeps stay byte for byte ----------------------------------------------------------------
def test_untouched_labels_stay_byte_identical_after_a_push_that_edits_one(setup) -> None:
    s = setup
    car, ring, mask = seed_three(s)
    before = stored(s)
    image = read(s)
    target = by_key(s, image)[car["id"]]
    moved = Region(target.uuid, "car", Box(1, 1, 10, 10))
    the_plan = plan(s, image, {target.uuid: moved})
    assert [w.target.key for w in the_plan.updates] == [car["id"]]
    assert {r.key for r in the_plan.keeps} == {ring["id"], mask["id"]}
    s.fake.requests.clear()
    result = s.adapter.apply(image, the_plan, push(s))
    after = stored(s)
    assert after[ring["id"]] == before[ring["id"]]
    assert after[mask["id"]] == before[mask["id"]]
    assert json.loads(after[car["id"]])["bbox"] == [1, 1, 10, 10]
    # one look at the labels (no conditional write exists), one edit: nothing else
    assert [m for m, _, _ in s.fake.requests] == ["GET", "PUT"]
    # the new state is what the server holds now, and it decodes to the same regions
    assert json.loads(json.dumps(result.state)) == result.state
    fresh = s.adapter.decode(read(s), W, H).regions
    again = s.adapter.decode(RemoteImage(s.image, "a.png", "", "", state=result.state), W, H)
    assert [r.digest for r in again.regions] == [r.digest for r in fresh]


def test_a_class_change_keeps_the_servers_geometry_fields_and_their_own_ids(setup) -> None:
    s = setup
    _, ring, _ = seed_three(s)
    image = read(s)
    target = by_key(s, image)[ring["id"]]
    assert target.region is not None
    renamed = Region(target.uuid, "car", target.region.geometry)
    s.adapter.apply(image, plan(s, image, {target.uuid: renamed}), push(s))
    now = s.fake.labels[ring["id"]]
    assert now["class_id"] == s.classes["car"]
    for key in ("bbox", "polygon", "tool_used", "z_index", "external_id"):
        assert now[key] == ring[key], key


def test_an_empty_plan_sends_nothing(setup) -> None:
    s = setup
    seed_three(s)
    image = read(s)
    the_plan = plan(s, image, {})
    assert the_plan.empty and len(the_plan.keeps) == 3
    s.fake.requests.clear()
    s.adapter.apply(image, the_plan, push(s))
    assert s.fake.requests == []


# -- refusals ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        (
            Polygon((PolygonPart(((2, 2), (9, 2), (5, 9)), (((4, 4), (6, 4), (5, 6)),)),)),
            "cannot have holes",
        ),
        (
            Polygon(
                (PolygonPart(((1, 1), (5, 1), (5, 5))), PolygonPart(((10, 10), (15, 10), (15, 15))))
            ),
            "one polygon ring",
        ),
        (Polygon.from_points([(1, 1), (1.2, 1.1), (1.4, 1.3)]), "collapses"),
    ],
)
def test_a_refused_edit_leaves_the_servers_copy(setup, geometry, reason) -> None:
    s = setup
    _, ring, _ = seed_three(s)
    before = stored(s)
    image = read(s)
    target = by_key(s, image)[ring["id"]]
    the_plan = plan(s, image, {target.uuid: Region(target.uuid, "blob", geometry)})
    (refusal,) = the_plan.refusals
    assert reason in refusal.reason and refusal.target is not None
    assert not the_plan.writes_regions
    s.fake.requests.clear()
    s.adapter.apply(image, the_plan, push(s))
    assert s.fake.requests == [] and stored(s) == before


def test_a_class_the_server_lacks_is_refused(setup) -> None:
    s = setup
    with pytest.raises(Exception, match="not in the Hasty project"):
        s.adapter.encode(Region("u", "tree", Box(1, 1, 4, 4)), W, H, target=None)


# -- the document's forms ----------------------------------------------------------------------
def test_polygons_are_written_as_closed_rings_of_whole_pixels(setup) -> None:
    s = setup
    region = Region("u1", "blob", Polygon.from_points([(3.4, 3.6), (40.5, 5), (20, 40)]))
    raw = s.adapter.encode(region, W, H, target=None)
    label = raw["label"]
    assert label["polygon"] == [[3, 4], [41, 5], [20, 40], [3, 4]]
    assert label["bbox"] == [3, 4, 41, 40]
    assert label["external_id"] == "limner:u1" and "id" not in label
    image = read(s)
    the_plan = plan(s, image, {}, (region,))
    result = s.adapter.apply(image, the_plan, push(s))
    (created,) = s.fake.image_labels(s.image)
    assert created["polygon"] == [[3, 4], [41, 5], [20, 40], [3, 4]]
    assert result.keys == {"u1": created["id"]}


def test_open_rings_from_the_server_are_read_too(setup) -> None:
    s = setup
    legacy = s.fake.add_raw_label(
        s.image, {"class_id": s.classes["blob"], "polygon": [[2, 2], [9, 2], [5, 9]]}
    )
    (region,) = s.adapter.decode(read(s), W, H).regions
    assert region.key == legacy["id"]
    assert region.region is not None
    assert region.region.geometry == Polygon.from_points([(2, 2), (9, 2), (5, 9)])


# -- broken and foreign server labels ----------------------------------------------------------
BROKEN = {
    "inverted bbox": {"bbox": [30, 30, 10, 10]},
    "fractional bbox": {"bbox": [1.5, 1, 4, 4]},
    "bbox far outside": {"bbox": [0, 0, 10_000, 10]},
    "polygon far outside": {"polygon": [[1, 1], [9, 1], [5, -900], [1, 1]]},
    "polygon of NaN": {"polygon": [[1, 1], [float("nan"), 1], [5, 9], [1, 1]]},
    "zero-area polygon": {"polygon": [[1, 1], [2, 2], [3, 3], [1, 1]]},
    "mask without bbox": {"mask": [1, 3]},
    "mask past its crop": {"bbox": [0, 0, 2, 2], "mask": [3, 5]},
    "no geometry": {},
}


def test_malformed_labels_are_each_a_problem_with_the_servers_id(setup) -> None:
    s = setup
    car, _, _ = seed_three(s)
    broken = {
        what: s.fake.add_raw_label(s.image, {"class_id": s.classes["blob"], **fields})["id"]
        for what, fields in BROKEN.items()
    }
    before = stored(s)
    image = read(s)
    regions = by_key(s, image)
    for what, key in broken.items():
        region = regions[key]
        assert region.region is None, what
        assert region.problem_kind == "malformed", what
        assert region.problem is not None and key in region.problem, what
    readable = [r for r in regions.values() if r.region is not None]
    assert len(readable) == 3  # the sound labels beside them are read as usual
    # a push that edits a sound label leaves every broken one exactly as it was
    target = regions[car["id"]]
    the_plan = plan(s, image, {target.uuid: Region(target.uuid, "car", Box(2, 2, 8, 8))})
    assert {r.key for r in the_plan.keeps} >= set(broken.values())
    s.adapter.apply(image, the_plan, push(s))
    after = stored(s)
    for key in broken.values():
        assert after[key] == before[key]


def test_a_label_of_no_class_or_of_an_unknown_class_is_malformed(setup) -> None:
    """The project lists every label class it has: a label naming none of them is broken
    data (kept as it is, reported), not a sound label of a kind limner lacks."""
    s = setup
    unknown = s.fake.add_raw_label(s.image, {"class_id": "no-such-class", "bbox": [1, 1, 4, 4]})
    classless = s.fake.add_raw_label(s.image, {"class_id": None, "bbox": [1, 1, 4, 4]})
    regions = by_key(s, read(s))
    for label, words in ((unknown, "not one of the project's classes"), (classless, "no class")):
        region = regions[label["id"]]
        assert region.region is None and region.problem_kind == "malformed"
        assert label["id"] in (region.problem or "") and words in (region.problem or "")


def test_a_label_holding_a_polygon_and_a_mask_is_kept_whole(setup) -> None:
    """Reading one of the two shapes would hide the other, and an edit of the one read
    would clear the other on the server: the label stays as it is, reported as kept."""
    s = setup
    car, ring, _ = seed_three(s)
    both = s.fake.add_label(
        s.pid,
        s.image,
        {
            "class_id": s.classes["blob"],
            "bbox": [2, 2, 6, 5],
            "polygon": [[2, 2], [6, 2], [4, 5], [2, 2]],
            "mask": [2, 2, 5, 4, 11, 1],
        },
    )
    before = stored(s)
    image = read(s)
    regions = by_key(s, image)
    kept = regions[both["id"]]
    assert kept.region is None and kept.problem_kind == "kept"
    assert both["id"] in (kept.problem or "") and "a mask and a polygon" in (kept.problem or "")
    # a polygon or a box beside its enclosing bbox is still one shape, read as usual
    assert isinstance(regions[ring["id"]].region.geometry, Polygon)
    target = regions[car["id"]]
    the_plan = plan(s, image, {target.uuid: Region(target.uuid, "car", Box(1, 1, 9, 9))})
    assert both["id"] in {r.key for r in the_plan.keeps}
    s.adapter.apply(image, the_plan, push(s))
    assert stored(s)[both["id"]] == before[both["id"]]


def test_a_state_without_a_label_list_is_one_problem(setup) -> None:
    s = setup
    image = RemoteImage(s.image, "a.png", "", "", state={"image": {}, "labels": "oops"})
    decoded = s.adapter.decode(image, W, H)
    assert decoded.regions == ()
    (problem,) = decoded.problems
    assert problem.kind == "malformed" and problem.remote_key == s.image
    odd = RemoteImage(s.image, "a.png", "", "", state={"labels": [7, {"no": "id"}]})
    assert [p.kind for p in s.adapter.decode(odd, W, H).problems] == ["malformed", "malformed"]


# -- the server changed under the plan ---------------------------------------------------------
def test_a_target_changed_since_the_pull_stops_the_push_unwritten(setup) -> None:
    s = setup
    car, ring, _ = seed_three(s)
    image = read(s)
    regions = by_key(s, image)
    edits = {
        regions[car["id"]].uuid: Region(regions[car["id"]].uuid, "car", Box(1, 1, 5, 5)),
        regions[ring["id"]].uuid: None,
    }
    the_plan = plan(s, image, edits)
    s.fake.edit_label(s.pid, car["id"], bbox=[0, 0, 12, 12])  # a colleague, meanwhile
    before = stored(s)
    with pytest.raises(RemoteConflictError, match=car["id"]):
        s.adapter.apply(image, the_plan, push(s))
    assert stored(s) == before  # neither the edit nor the delete was sent


def test_a_delete_of_a_label_already_gone_needs_nothing(setup) -> None:
    s = setup
    _, ring, mask = seed_three(s)
    image = read(s)
    regions = by_key(s, image)
    the_plan = plan(s, image, {regions[ring["id"]].uuid: None, regions[mask["id"]].uuid: None})
    s.fake.remove_label(ring["id"])
    result = s.adapter.apply(image, the_plan, push(s))
    assert set(stored(s)) == {x["id"] for x in s.fake.image_labels(s.image)}
    assert mask["id"] not in stored(s)
    assert {x["id"] for x in result.state["labels"]} == set(stored(s))


def test_a_mask_round_trips_pixel_for_pixel(setup) -> None:
    s = setup
    full = np.zeros((H, W), bool)
    full[10:30, 20:40] = True
    full[15:18, 25:28] = False
    region = Region("m1", "blob", Mask.from_array(full))
    image = read(s)
    s.adapter.apply(image, plan(s, image, {}, (region,)), push(s))
    (back,) = s.adapter.decode(read(s), W, H).regions
    assert back.uuid == "m1" and back.region is not None
    assert np.array_equal(back.region.geometry.to_array(), full)


@pytest.mark.parametrize(
    ("region", "reason"),
    [
        (Region("u", "blob", Box(1, 1, 9, 5, 30)), "not rotated"),
        (Region("u", "blob", Box(1, 1, 9, 5), group="u"), "no groups"),
        (Region("u", "blob", Polyline(((1, 1), (5, 5)))), "cannot hold Polyline"),
        (Region("u", "blob", Point(3, 3)), "cannot hold Point"),
        (Region("u", "blob", Ellipse(5, 5, 3, 2)), "cannot hold Ellipse"),
        (Region("u", "weather", Tag("sunny")), "not a tag group of the Hasty project"),
    ],
)
def test_kinds_hasty_labels_cannot_hold_are_refused_not_approximated(
    setup, region: Region, reason: str
) -> None:
    with pytest.raises(Refused, match=reason):
        setup.adapter.encode(region, W, H, target=None)
