"""Hasty image tags through the engine, against the Hasty fake.

A tag group is a limner tag class (one choice for SELECTION, several for
MULTIPLE-SELECTION); an image's tags of one group are one limner tag. Tags made on the
server come in, tags set, changed and cleared in limner go back as the tag list Hasty
keeps, labels are never touched by a tag edit, and a project without tag classes costs no
tag request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from limner.models.domain.geometry import Tag, TagSpec
from limner.models.editing.history import History
from limner.models.editing.tags import tag_command
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from tests.sync.hasty_world import Linked, World, image_named, link, seeded_world


@pytest.fixture
def world() -> Iterator[World]:
    made = seeded_world()
    world = next(made)
    fake, pid = world.fake, world.pid
    weather = fake.add_tag_group(pid, "weather", "SELECTION")
    issues = fake.add_tag_group(pid, "issues", "MULTIPLE-SELECTION")
    world.tags = {  # type: ignore[attr-defined]
        "sunny": fake.add_tag_class(pid, "sunny", weather),
        "rainy": fake.add_tag_class(pid, "rainy", weather),
        "blur": fake.add_tag_class(pid, "blur", issues),
        "glare": fake.add_tag_class(pid, "glare", issues),
        "keep": fake.add_tag_class(pid, "keep"),
    }
    fake.add_image_tag(world.images["img0.png"], world.tags["rainy"])  # type: ignore[attr-defined]
    fake.add_image_tag(world.images["img0.png"], world.tags["glare"])  # type: ignore[attr-defined]
    yield world
    next(made, None)


@pytest.fixture
def linked(tmp_path: Path, world: World) -> Iterator[Linked]:
    made = link(tmp_path, world)
    yield made
    made.store.close()


def _tags(store: ProjectStore, name: str) -> dict[str, Tag]:
    image = image_named(store, name)
    with store.read() as conn:
        names = {c.id: c.name for c in queries.label_classes(conn)}
        return {names[t.class_id]: t.geometry for t in queries.image_tags(conn, image.id)}  # type: ignore[index,misc]


def _server_tags(world: World, name: str) -> set[str]:
    with world.fake.lock:
        return {t["tag_class_name"] for t in world.fake.tags_of(world.images[name])}


def test_tag_groups_become_tag_classes_and_the_images_tags_come_in(world, linked) -> None:
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    with linked.store.read() as conn:
        classes = {c.name: c for c in queries.label_classes(conn)}
    assert classes["weather"].kind == "tag"
    assert classes["weather"].tag == TagSpec("single", ("sunny", "rainy"))
    assert classes["issues"].tag == TagSpec("multiple", ("blur", "glare"))
    assert classes["Tags"].tag == TagSpec("multiple", ("keep",))
    assert _tags(linked.store, "img0.png") == {"weather": Tag("rainy"), "issues": Tag(("glare",))}
    assert _tags(linked.store, "img1.png") == {}
    assert not [p for p in report.problems if p["kind"] != "kept"], report.problems


def test_tags_set_changed_and_cleared_in_limner_reach_the_server(world, linked) -> None:
    assert linked.engine.run_once().state == "up_to_date"
    labels_before = {k: dict(v) for k, v in world.fake.labels.items()}
    store = linked.store
    history = History(store)
    with store.read() as conn:
        classes = {c.name: c for c in queries.label_classes(conn)}
        img0 = queries.image_by_name(conn, "img0.png")
        img1 = queries.image_by_name(conn, "img1.png")
        tags0 = {t.class_id: t for t in queries.image_tags(conn, img0.id)}
    weather, issues, keep = classes["weather"], classes["issues"], classes["Tags"]
    history.execute(tag_command(img0.id, weather, tags0[weather.id], "sunny"))  # type: ignore[arg-type]
    history.execute(tag_command(img0.id, issues, tags0[issues.id], None))  # type: ignore[arg-type]
    history.execute(tag_command(img1.id, issues, None, ["blur", "glare"]))  # type: ignore[arg-type]
    history.execute(tag_command(img1.id, keep, None, ["keep"]))  # type: ignore[arg-type]

    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.message
    assert _server_tags(world, "img0.png") == {"sunny"}
    assert _server_tags(world, "img1.png") == {"blur", "glare", "keep"}
    assert world.fake.labels == labels_before, "a tag edit touched a label"

    # The next runs read them back and settle: nothing more is sent, nothing changes here.
    sent = world.fake.count("POST", "/tags") + world.fake.count("DELETE", "/tags")
    for _ in range(2):
        again = linked.engine.run_once()
        assert again.state == "up_to_date" and again.pending == 0, again.message
    assert world.fake.count("POST", "/tags") + world.fake.count("DELETE", "/tags") == sent
    assert _tags(store, "img0.png") == {"weather": Tag("sunny")}
    assert _tags(store, "img1.png") == {"issues": Tag(("blur", "glare")), "Tags": Tag(("keep",))}
    assert _server_tags(world, "img1.png") == {"blur", "glare", "keep"}


def test_a_tag_changed_on_hasty_is_pulled(world, linked) -> None:
    assert linked.engine.run_once().state == "up_to_date"
    image = world.images["img0.png"]
    world.fake.add_image_tag(image, world.tags["sunny"])  # replaces "rainy": one choice
    with world.fake.lock:
        world.fake.images[image]["update_date"] = world.fake.now_iso()
    assert linked.engine.run_once().state == "up_to_date"
    assert _tags(linked.store, "img0.png")["weather"] == Tag("sunny")


def test_a_project_without_tag_classes_asks_for_no_tags(tmp_path: Path) -> None:
    made = seeded_world()
    world = next(made)
    try:
        linked = link(tmp_path, world)
        try:
            assert linked.engine.run_once().state == "up_to_date"
            asked = [path for _method, path, _ in world.fake.requests if "/tag" in path]
            assert asked == [f"/v1/projects/{world.pid}/tag_classes"]
        finally:
            linked.store.close()
    finally:
        next(made, None)
