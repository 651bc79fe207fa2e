"""The tallies ``limner info`` reads stay equal to COUNT(*) through every kind of write.

A seeded random walk of edits (add, delete, change class or kind, delete a class, set a
status), undos and redos, imports, and raw deletions of images (the cascade) is checked
after every step against the counts computed from the rows themselves.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Point, Tag, TagSpec
from limner.models.editing.commands import (
    AddAnnotations,
    AddClass,
    DeleteAnnotations,
    DeleteClass,
    EditAnnotations,
    FieldEdit,
    SetImageStatus,
)
from limner.models.editing.history import History
from limner.models.formats.coco import FORMAT as COCO
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.label_import import import_labels
from limner.models.workflow.stats import project_stats

STATUSES = ("new", "in_progress", "submitted", "approved", "rejected", "skipped")


def counted(store: ProjectStore) -> dict[str, object]:
    """The numbers computed from the rows, the slow way."""
    with store.read() as conn:
        raw = conn.connection.driver_connection
        by_status = dict(raw.execute("SELECT status, COUNT(*) FROM image GROUP BY status"))
        unreadable = raw.execute("SELECT COUNT(*) FROM image WHERE error IS NOT NULL")
        by_kind = dict(
            raw.execute("SELECT kind, COUNT(*) FROM annotation WHERE deleted = 0 GROUP BY kind")
        )
        by_class = dict(
            raw.execute(
                "SELECT COALESCE(c.name, '(no class)'), COUNT(*) FROM annotation a"
                " LEFT JOIN label_class c ON c.id = a.class_id WHERE a.deleted = 0"
                " GROUP BY 1"
            )
        )
        live = [c.name for c in queries.label_classes(conn)]
        return {
            "images": sum(by_status.values()),
            "by_status": by_status,
            "unreadable_images": unreadable.fetchone()[0],
            "annotations": sum(by_kind.values()),
            "by_kind": by_kind,
            "by_class": {**dict.fromkeys(live, 0), **by_class},
        }


def tallied(store: ProjectStore) -> dict[str, object]:
    with store.read() as conn:
        stats = project_stats(conn)
    return {k: stats[k] for k in counted(store)}


class Walk:
    def __init__(self, store: ProjectStore, seed: int) -> None:
        self.store, self.rng, self.history = store, random.Random(seed), History(store)
        with store.read() as conn:
            self.images = [r.id for r in queries.image_page(conn, 0, 100)]

    def classes(self) -> list[int]:
        with self.store.read() as conn:
            return [c.id for c in queries.label_classes(conn) if c.tag is None]

    def live(self) -> list[tuple[str, int]]:
        with self.store.read() as conn:
            raw = conn.connection.driver_connection
            return list(raw.execute("SELECT uuid, image_id FROM annotation WHERE deleted = 0"))

    def add(self) -> None:
        image, classes = self.rng.choice(self.images), [*self.classes(), None]
        shapes = (Box(1, 1, 9, 9), Point(3, 4))
        items = tuple(
            NewAnnotation(new_uuid(), image, self.rng.choice(classes), self.rng.choice(shapes))
            for _ in range(self.rng.randint(1, 4))
        )
        self.history.execute(AddAnnotations(items))

    def delete(self) -> None:
        live = self.live()
        if live:
            picked = self.rng.sample(live, min(len(live), self.rng.randint(1, 3)))
            self.history.execute(DeleteAnnotations(tuple(u for u, _ in picked), picked[0][1]))

    def reclass(self) -> None:
        live, classes = self.live(), self.classes()
        if live and classes:
            uuid, image = self.rng.choice(live)
            with self.store.read() as conn:
                raw = conn.connection.driver_connection
                (before,) = raw.execute("SELECT class_id FROM annotation WHERE uuid = ?", (uuid,))
            edit = FieldEdit(uuid, {"class_id": before[0]}, {"class_id": self.rng.choice(classes)})
            self.history.execute(EditAnnotations((edit,), on_image=image))

    def drop_class(self) -> None:
        classes = self.classes()
        if len(classes) > 1:
            self.history.execute(DeleteClass(self.rng.choice(classes)))

    def new_class(self) -> None:
        name = f"c{self.rng.randrange(10**6)}"
        self.history.execute(AddClass({"name": name, "color": "#00ff00"}))

    def status(self) -> None:
        with self.store.read() as conn:
            picked = self.rng.sample(self.images, 2)
            before = {i: queries.image_by_id(conn, i).status for i in picked}
        self.history.execute(SetImageStatus(before, self.rng.choice(STATUSES)))

    def undo(self) -> None:
        self.history.undo()

    def redo(self) -> None:
        self.history.redo()

    def step(self) -> str:
        moves = [self.add] * 4 + [self.delete] * 2 + [self.reclass, self.drop_class]
        moves += [self.new_class, self.status] + [self.undo] * 3 + [self.redo] * 2
        move = self.rng.choice(moves)
        move()
        return move.__name__


def test_tallies_equal_counts_through_a_random_walk_of_edits(project: ProjectStore) -> None:
    walk = Walk(project, seed=7)
    for n in range(150):
        name = walk.step()
        assert tallied(project) == counted(project), f"after step {n} ({name})"
    assert counted(project)["annotations"] > 0  # the walk did write something


def test_tallies_follow_an_import_its_undo_and_a_tag(project: ProjectStore, tmp_path: Path) -> None:
    images = [{"id": i, "file_name": f"img{i}.png", "width": 79 + i, "height": 60} for i in (1, 2)]
    anns = [
        {"id": k, "image_id": 1 + k % 2, "category_id": 1 + k % 3, "bbox": [1, 1, 5, 5],
         "area": 25, "iscrowd": 0, "segmentation": []}
        for k in range(1, 30)
    ]  # fmt: skip
    cats = [{"id": 1, "name": "cat"}, {"id": 2, "name": "zebra"}, {"id": 3, "name": "owl"}]
    source = tmp_path / "instances.json"
    source.write_text(json.dumps({"images": images, "annotations": anns, "categories": cats}))
    history = History(project)
    import_labels(project, COCO.read(source), "coco", execute=history.execute)
    assert tallied(project) == counted(project)
    assert counted(project)["annotations"] == 29
    history.execute(AddClass({"name": "weather", "color": "#0000ff", "kind": "tag",
                              "tag": TagSpec("text")}))  # fmt: skip
    with project.read() as conn:
        weather = next(c for c in queries.label_classes(conn) if c.name == "weather")
    history.execute(AddAnnotations((NewAnnotation(new_uuid(), 1, weather.id, Tag("grey")),)))
    assert tallied(project)["by_kind"] == counted(project)["by_kind"]
    while history.undo() is not None:
        assert tallied(project) == counted(project)
    assert counted(project)["annotations"] == 0


def test_tallies_follow_a_deleted_image_and_an_unreadable_one(project: ProjectStore) -> None:
    walk = Walk(project, seed=3)
    for _ in range(20):
        walk.add()
    with project.transaction() as (conn, _changes):
        raw = conn.connection.driver_connection
        raw.execute("DELETE FROM image WHERE id = ?", (walk.images[0],))  # cascades
        raw.execute("UPDATE image SET error = 'truncated' WHERE id = ?", (walk.images[1],))
    assert tallied(project) == counted(project)
    assert counted(project)["unreadable_images"] == 1


def test_an_older_project_is_back_filled_when_it_opens(tmp_path: Path) -> None:
    folder = tmp_path / "baseline"
    folder.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "baseline_0001.limner",
                folder / "project.limner")  # fmt: skip
    with ProjectStore.open(folder) as store:
        assert counted(store)["annotations"] > 0
        assert tallied(store) == counted(store)
