"""How a contract scenario drives limner: the CLI in process, and edits as a user makes them.

``Case`` is one local project cloned from one driver's server. Sync happens only through
``limner clone`` / ``limner sync --once --json`` / ``limner conflicts`` (what a user or a
script runs); local edits only through ``History.execute`` with the same commands the
window uses; local state is read with ``models.queries`` (and the review records). A CLI
run that raises is recorded as a crash with its traceback rather than propagated, so a
scenario can say "no traceback" and every other scenario fails with the crash in view.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from limner.app.cli import main as cli
from limner.models.domain.entities import Annotation, ImageRecord, NewAnnotation
from limner.models.domain.geometry import Box, Geometry, Keypoints, Mask, Polygon
from limner.models.editing.commands import AddAnnotations, DeleteAnnotations, EditAnnotations
from limner.models.editing.history import History
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.review import latest_review, status_history
from limner.models.workflow.review_commands import ChangeStatus, Review, Submit
from tests.contract.codecs import Shape, ring_of
from tests.contract.drivers import Driver, ImageRef

TOLERANCE = 1e-3  # pixels: float32 storage and percentages move the last digits only


@dataclass
class Run:
    code: int | None
    out: str
    err: str
    crash: str | None = None
    report: dict[str, Any] | None = field(default=None)

    def __post_init__(self) -> None:
        text = self.out.strip()
        if text.startswith("{"):
            with contextlib.suppress(ValueError):
                self.report = json.loads(text)

    def ok(self) -> Run:
        """Assert the run finished without a crash and printed a report."""
        assert self.crash is None, f"limner crashed:\n{self.crash}"
        assert self.report is not None, f"no JSON report (exit {self.code}): {self.err[-2000:]}"
        return self

    @property
    def problems(self) -> list[dict[str, Any]]:
        self.ok()
        assert self.report is not None
        assert "problems" in self.report, (
            f"the report has no 'problems' list; it has {sorted(self.report)}: "
            f"{json.dumps(self.report)[:1500]}"
        )
        return list(self.report["problems"])

    def problems_of(self, kind: str, image: str) -> list[dict[str, Any]]:
        return [p for p in self.problems if p.get("kind") == kind and p.get("image") == image]

    def __str__(self) -> str:
        body = json.dumps(self.report)[:2500] if self.report else self.out[-1500:]
        return f"exit {self.code}; report {body}; stderr {self.err[-800:]}; crash {self.crash}"


class Case:
    def __init__(self, driver: Driver, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.driver = driver
        self.path = folder / "clone"
        monkeypatch.setenv(driver.token_env, driver.token)
        monkeypatch.setenv("LIMNER_USER", "tester")

    # -- the command line -----------------------------------------------------------------
    def cli(self, *args: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        crash = None
        code: int | None = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = int(exc.code) if isinstance(exc.code, int) else 2
            except Exception:
                crash = traceback.format_exc()
        return Run(code, out.getvalue(), err.getvalue(), crash)

    def clone(self) -> Run:
        args = self.driver.clone_args()
        env = self.driver.token_env
        return self.cli("clone", *args, "--token-env", env, "--json", str(self.path))

    def sync(self) -> Run:
        return self.cli(
            "sync", str(self.path), "--once", "--json", "--token-env", self.driver.token_env
        )

    def conflict_ids(self) -> list[int]:
        run = self.cli("conflicts", str(self.path))
        assert run.crash is None and run.code == 0, str(run)
        return [int(line.split()[0]) for line in run.out.splitlines() if line.strip()]

    def resolve(self, conflict_id: int, choice: str) -> Run:
        return self.cli(
            "conflicts", str(self.path), "--resolve", str(conflict_id), "--take", choice
        )

    # -- local state ----------------------------------------------------------------------
    @contextlib.contextmanager
    def store(self) -> Iterator[ProjectStore]:
        store = ProjectStore.open(self.path)
        try:
            yield store
        finally:
            store.close()

    def record(self, image: ImageRef | str) -> ImageRecord:
        name = image if isinstance(image, str) else image.name
        with self.store() as store, store.read() as conn:
            found = queries.image_by_name(conn, name)
        assert found is not None, f"no local image {name!r}"
        return found

    def names(self) -> list[str]:
        with self.store() as store, store.read() as conn:
            return [r.name for r in queries.image_page(conn, 0, 10_000)]

    def annotations(self, image: ImageRef | str) -> dict[str, Annotation]:
        record = self.record(image)
        with self.store() as store, store.read() as conn:
            return {a.uuid: a for a in queries.annotations_for_image(conn, record.id)}

    def class_names(self) -> dict[int, str]:
        with self.store() as store, store.read() as conn:
            return {c.id: c.name for c in queries.label_classes(conn)}

    def shapes(self, image: ImageRef | str) -> dict[str, Shape]:
        names = self.class_names()
        return {
            uuid: Shape(names.get(a.class_id) if a.class_id is not None else None, a.geometry)
            for uuid, a in self.annotations(image).items()
        }

    def find(self, image: ImageRef | str, shape: Shape) -> str:
        hits = [u for u, s in self.shapes(image).items() if same(s, shape)]
        assert len(hits) == 1, f"{len(hits)} local {describe(shape)}: {self.dump(image)}"
        return hits[0]

    def dump(self, image: ImageRef | str) -> str:
        return "; ".join(f"{u[:8]} {describe(s)}" for u, s in self.shapes(image).items())

    def review_comment(self, image: ImageRef | str) -> str:
        """The newest reviewer's comment limner holds for the image (review or status change)."""
        record = self.record(image)
        with self.store() as store, store.read() as conn:
            review = latest_review(conn, record.id)
            changes = status_history(conn, record.id)
        texts = [review.comment] if review and review.comment else []
        texts += [c.comment for c in reversed(changes) if c.comment]
        return texts[0] if texts else ""

    def deleted_remotely(self) -> set[str]:
        """Names of the images limner has flagged as deleted on the server."""
        with self.store() as store, store.read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT i.name FROM remote_image r JOIN image i ON i.id = r.image_id "
                "WHERE r.deleted_remotely = 1"
            ).fetchall()
        return {str(r[0]) for r in rows}

    # -- local edits, as the window makes them --------------------------------------------
    def execute(self, command: Any) -> None:
        with self.store() as store:
            History(store).execute(command)

    def class_id(self, name: str | None) -> int | None:
        if name is None:
            return None
        ids = {v: k for k, v in self.class_names().items()}
        assert name in ids, f"no local class {name!r}; classes: {sorted(ids)}"
        return ids[name]

    def add(self, image: ImageRef | str, shape: Shape) -> str:
        record = self.record(image)
        item = NewAnnotation(new_uuid(), record.id, self.class_id(shape.cls), shape.geometry)
        self.execute(AddAnnotations((item,)))
        return item.uuid

    def edit(self, image: ImageRef | str, uuid: str, geometry: Geometry) -> None:
        record = self.annotations(image)[uuid]
        self.execute(EditAnnotations.from_records("Edit", [(record, {"geometry": geometry})]))

    def delete(self, image: ImageRef | str, uuid: str) -> None:
        self.execute(DeleteAnnotations((uuid,), on_image=self.record(image).id))

    def submit(self, image: ImageRef | str) -> None:
        self.execute(Submit([self.record(image).id]))

    def review(self, image: ImageRef | str, decision: str, comment: str) -> None:
        self.execute(Review(self.record(image).id, decision, comment))

    def set_status(self, image: ImageRef | str, status: str) -> None:
        self.execute(ChangeStatus((self.record(image).id,), status))


# -- shapes --------------------------------------------------------------------------------
def describe(shape: Shape) -> str:
    g = shape.geometry
    if isinstance(g, Box):
        return f"{shape.cls} box({g.x0:g},{g.y0:g},{g.x1:g},{g.y1:g})"
    if isinstance(g, Polygon):
        holes = sum(len(p.holes) for p in g.parts)
        ring = [(round(x, 3), round(y, 3)) for x, y in ring_of(g)]
        return f"{shape.cls} polygon{ring} holes={holes}"
    if isinstance(g, Mask):
        return f"{shape.cls} mask(area={int(g.to_array().sum())})"
    assert isinstance(g, Keypoints)
    return f"{shape.cls} keypoints{[(round(x, 3), round(y, 3), v) for x, y, v in g.points]}"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


def same_geometry(a: Geometry, b: Geometry) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, Box) and isinstance(b, Box):
        mine, theirs = (a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1)
        return all(_close(p, q) for p, q in zip(mine, theirs, strict=True))
    if isinstance(a, Polygon) and isinstance(b, Polygon):
        if len(a.parts) != len(b.parts) or any(p.holes for p in a.parts + b.parts):
            return len(a.parts) == len(b.parts) and a == b
        ra, rb = ring_of(a), ring_of(b)
        return len(ra) == len(rb) and all(
            _close(p[0], q[0]) and _close(p[1], q[1]) for p, q in zip(ra, rb, strict=True)
        )
    if isinstance(a, Mask) and isinstance(b, Mask):
        return bool(np.array_equal(a.to_array(), b.to_array()))
    assert isinstance(a, Keypoints) and isinstance(b, Keypoints)
    return len(a.points) == len(b.points) and all(
        pv == qv and (pv == 0 or (_close(px, qx) and _close(py, qy)))
        for (px, py, pv), (qx, qy, qv) in zip(a.points, b.points, strict=True)
    )


def same(a: Shape, b: Shape) -> bool:
    return a.cls == b.cls and same_geometry(a.geometry, b.geometry)


def match(found: Mapping[str, Shape], wanted: list[Shape]) -> bool:
    """``found`` holds exactly the shapes ``wanted`` (in any order)."""
    left = list(found.values())
    for shape in wanted:
        hit = next((i for i, s in enumerate(left) if same(s, shape)), None)
        if hit is None:
            return False
        left.pop(hit)
    return not left


def in_image(geometry: Geometry, width: int, height: int) -> bool:
    """Every coordinate is a finite number inside the image (a pixel of slack)."""
    if isinstance(geometry, Box):
        xs, ys = [geometry.x0, geometry.x1], [geometry.y0, geometry.y1]
    elif isinstance(geometry, Polygon):
        xs = [p[0] for part in geometry.parts for p in part.outer]
        ys = [p[1] for part in geometry.parts for p in part.outer]
    elif isinstance(geometry, Keypoints):
        xs = [p[0] for p in geometry.points if p[2]]
        ys = [p[1] for p in geometry.points if p[2]]
    else:
        return geometry.to_array().shape == (height, width)
    return all(math.isfinite(v) and -1 <= v <= width + 1 for v in xs) and all(
        math.isfinite(v) and -1 <= v <= height + 1 for v in ys
    )


def canonical(raw: Mapping[str, Any]) -> dict[str, str]:
    """Each raw region as ``json.dumps(sort_keys=True)``: what "byte-identical" compares."""
    return {key: json.dumps(value, sort_keys=True) for key, value in raw.items()}
