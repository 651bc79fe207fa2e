"""Rotated boxes, ellipses, polylines, points, image tags and groups through a real Label
Studio server.

Two directions. Made in Label Studio (through its REST API, in its own result format):
limner clones them as its own kinds, an edit of another region is pushed, and every
region limner did not touch is still, item for item, exactly the JSON the server had.
Made in limner: pushed, read back from the server's raw JSON, pulled into a fresh clone,
and synced again without anything moving in either direction.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Ellipse, Point, Polyline, Tag
from limner.models.editing.commands import AddAnnotations, EditAnnotations
from limner.models.editing.groups import group_command
from limner.models.editing.history import History
from limner.models.editing.tags import tag_command
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync.adapters.labelstudio_config import parse_label_config
from limner.sync.adapters.labelstudio_read import results_to_regions
from tests.integration.conftest import TOKEN_ENV
from tests.integration.labelstudio_server import LabelStudioServer, make_png

W, H = 200, 120

CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="bbox" toName="image"><Label value="car"/></RectangleLabels>
  <EllipseLabels name="oval" toName="image"><Label value="cell"/></EllipseLabels>
  <VectorLabels name="lines" toName="image"><Label value="lane"/></VectorLabels>
  <KeyPointLabels name="pose" toName="image">
    <Label value="nose"/><Label value="tail"/>
  </KeyPointLabels>
  <Choices name="weather" toName="image"><Choice value="sunny"/><Choice value="rainy"/></Choices>
  <Choices name="issues" toName="image" choice="multiple">
    <Choice value="blur"/><Choice value="glare"/><Choice value="dark"/>
  </Choices>
  <TextArea name="caption" toName="image"/>
  <Rating name="quality" toName="image"/>
</View>
"""


def _item(rid: str, type_: str, from_name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rid,
        "type": type_,
        "from_name": from_name,
        "to_name": "image",
        "original_width": W,
        "original_height": H,
        "image_rotation": 0,
        "origin": "manual",
        "value": value,
    }


def _answer(rid: str, type_: str, from_name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"id": rid, "type": type_, "from_name": from_name, "to_name": "image", "value": value}


NATIVE = [
    _item(
        "rot30",
        "rectanglelabels",
        "bbox",
        {
            "x": 10.5,
            "y": 12.25,
            "width": 20,
            "height": 15,
            "rotation": 30,
            "rectanglelabels": ["car"],
        },
    ),
    _item(
        "oval1",
        "ellipselabels",
        "oval",
        {
            "x": 50.125,
            "y": 40,
            "radiusX": 8.5,
            "radiusY": 12,
            "rotation": 15,
            "ellipselabels": ["cell"],
        },
    ),
    _item(
        "lane1",
        "vectorlabels",
        "lines",
        {
            "vertices": [
                {"id": "va", "x": 5.5, "y": 90, "isBezier": False},
                {"id": "vb", "prevPointId": "va", "x": 40.25, "y": 60.5, "isBezier": False},
                {"id": "vc", "prevPointId": "vb", "x": 80, "y": 58.125, "isBezier": False},
            ],
            "closed": False,
            "vectorlabels": ["lane"],
        },
    ),
    _item(
        "pt1",
        "keypointlabels",
        "pose",
        {"x": 70.5, "y": 20.25, "width": 0.6, "keypointlabels": ["nose"]},
    ),
    _answer("wx", "choices", "weather", {"choices": ["rainy"]}),
    _answer("iss", "choices", "issues", {"choices": ["dark", "blur"]}),
    _answer("cap", "textarea", "caption", {"text": ["a road at dusk"]}),
    _answer("q", "rating", "quality", {"rating": 4}),
    _item(
        "g1",
        "rectanglelabels",
        "bbox",
        {"x": 60, "y": 60, "width": 10, "height": 10, "rotation": 0, "rectanglelabels": ["car"]},
    ),
    _item(
        "g2",
        "rectanglelabels",
        "bbox",
        {"x": 75, "y": 60, "width": 10, "height": 10, "rotation": 0, "rectanglelabels": ["car"]},
    ),
    {"from_id": "g1", "to_id": "g2", "type": "relation", "direction": "right"},
    _item(
        "edit",
        "rectanglelabels",
        "bbox",
        {"x": 1, "y": 1, "width": 5, "height": 5, "rotation": 0, "rectanglelabels": ["car"]},
    ),
]


def _project(server: LabelStudioServer, title: str) -> tuple[int, int]:
    project_id = server.create_project(title[:50], CONFIG)
    by_name = server.upload_images(project_id, {"scene.png": make_png(W, H, (90, 120, 160))})
    return project_id, by_name["scene.png"]


def _cli(args: list[str], capsys: Any) -> tuple[int, dict[str, Any]]:
    from limner.app.cli import main as cli

    code = cli([*args, "--json", "--token-env", TOKEN_ENV])
    return code, json.loads(capsys.readouterr().out)


def _clone(server: LabelStudioServer, project_id: int, path: Path, capsys: Any) -> dict[str, Any]:
    args = ["clone", "--kind", "labelstudio", "--url", server.url, "--project", str(project_id)]
    code, report = _cli([*args, str(path)], capsys)
    assert code in (0, 3), report
    return report


def _sync(path: Path, capsys: Any) -> tuple[int, dict[str, Any]]:
    return _cli(["sync", str(path), "--once"], capsys)


def _annotations(server: LabelStudioServer, task_id: int) -> list[dict[str, Any]]:
    with server.client() as http:
        response = http.get(f"/api/tasks/{task_id}/annotations/")
        assert response.status_code == 200, response.text
        return response.json()


def _local(path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[int, str]]:
    with ProjectStore.open(path) as store, store.read() as conn:
        (image,) = queries.image_page(conn, 0, 10)
        shapes = {a.uuid: a for a in queries.annotations_for_image(conn, image.id)}
        tags = {a.uuid: a for a in queries.image_tags(conn, image.id)}
        names = {c.id: c.name for c in queries.label_classes(conn)}
    return shapes, tags, names


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in zip(a, b, strict=True))


def test_kinds_made_in_label_studio_come_in_and_stay_exactly_as_they_were(
    labelstudio_running: LabelStudioServer, token_env: str, tmp_path: Path, capsys: Any
) -> None:
    server = labelstudio_running
    project_id, task_id = _project(server, "limner kinds from label studio")
    with server.client() as http:
        body = {"result": NATIVE, "task": task_id}
        response = http.post(f"/api/tasks/{task_id}/annotations/", json=body)
        assert response.status_code == 201, response.text
    (before,) = _annotations(server, task_id)
    assert before["result"] == NATIVE, "the server changed what it was given"

    path = tmp_path / "clone"
    report = _clone(server, project_id, path, capsys)
    assert report["problems"] == [], "every native region has a limner kind now"
    shapes, tags, names = _local(path)
    kinds = {uuid: a.kind for uuid, a in shapes.items()}
    assert kinds == {
        "rot30": "box",
        "oval1": "ellipse",
        "lane1": "polyline",
        "pt1": "point",
        "g1": "box",
        "g2": "box",
        "edit": "box",
    }
    rotated = shapes["rot30"].geometry
    assert isinstance(rotated, Box) and math.isclose(rotated.angle, 30.0)
    assert _close(rotated.corners()[0], (10.5 / 100 * W, 12.25 / 100 * H))
    assert isinstance(shapes["oval1"].geometry, Ellipse) and shapes["oval1"].geometry.angle == 15
    assert len(shapes["lane1"].geometry.points) == 3  # type: ignore[union-attr]
    assert names[shapes["pt1"].class_id] == "nose"  # type: ignore[index]
    assert {names[t.class_id]: t.geometry for t in tags.values()} == {  # type: ignore[index]
        "weather": Tag("rainy"),
        "issues": Tag(("blur", "dark")),
        "caption": Tag("a road at dusk"),
        "quality": Tag(4),
    }
    assert shapes["g1"].group_id == shapes["g2"].group_id == "g1"
    assert shapes["edit"].group_id is None

    with ProjectStore.open(path) as store:
        History(store).execute(
            EditAnnotations.from_records(
                "Move", [(shapes["edit"], {"geometry": Box(10, 10, 30, 25)})]
            )
        )
    code, pushed = _sync(path, capsys)
    assert code in (0, 3) and pushed["pending"] == 0, pushed
    (after,) = _annotations(server, task_id)
    untouched = [i for i in NATIVE if i.get("id") != "edit"]
    kept = [i for i in after["result"] if i.get("id") != "edit"]
    assert [json.dumps(i, sort_keys=True) for i in kept] == [
        json.dumps(i, sort_keys=True) for i in untouched
    ], "an untouched region was rewritten"
    (edited,) = [i for i in after["result"] if i.get("id") == "edit"]
    assert _close((edited["value"]["x"], edited["value"]["width"]), (10 / W * 100, 20 / W * 100))


def _draw_everything(path: Path) -> dict[str, str]:
    """One of each kind drawn in limner, two of them grouped, and four tags. name -> uuid."""
    with ProjectStore.open(path) as store:
        history = History(store)
        with store.read() as conn:
            (image,) = queries.image_page(conn, 0, 10)
            classes = {c.name: c for c in queries.label_classes(conn)}
        made = {
            "rotated": (classes["car"], Box.from_centre(60, 40, 30, 14, 22.5)),
            "ellipse": (classes["cell"], Ellipse(120.25, 70.5, 20, 9, 140)),
            "line": (classes["lane"], Polyline(((10, 100), (55.5, 80.25), (150, 90)))),
            "point": (classes["tail"], Point(33.5, 12.75)),
            "box": (classes["car"], Box(150, 10, 190, 40)),
        }
        uuids = {name: new_uuid() for name in made}
        news = tuple(
            NewAnnotation(uuids[name], image.id, cls.id, geometry)
            for name, (cls, geometry) in made.items()
        )
        history.execute(AddAnnotations(news))
        with store.read() as conn:
            shapes = queries.annotations_for_image(conn, image.id)
        pair = [s for s in shapes if s.uuid in (uuids["box"], uuids["point"])]
        history.execute(group_command(pair, shapes))  # type: ignore[arg-type]
        answers = {
            "weather": "sunny",
            "issues": ["glare", "blur"],
            "caption": "two cars",
            "quality": 5,
        }
        for name, answer in answers.items():
            history.execute(tag_command(image.id, classes[name], None, answer))  # type: ignore[arg-type]
    return uuids


def test_kinds_made_in_limner_round_trip_exactly(
    labelstudio_running: LabelStudioServer, token_env: str, tmp_path: Path, capsys: Any
) -> None:
    server = labelstudio_running
    project_id, task_id = _project(server, "limner kinds from limner")
    path = tmp_path / "clone"
    _clone(server, project_id, path, capsys)
    uuids = _draw_everything(path)
    shapes, tags, names = _local(path)
    code, report = _sync(path, capsys)
    assert code == 0 and report["pending"] == 0 and report["problems"] == [], report

    (annotation,) = _annotations(server, task_id)
    config = parse_label_config(CONFIG)
    regions, warnings = results_to_regions(annotation["result"], config, W, H)
    assert warnings == []
    remote = {r.uuid: r for r in regions}
    assert set(remote) == set(shapes) | set(tags)
    for uuid, local in {**shapes, **tags}.items():
        assert remote[uuid].class_name == names[local.class_id]
        assert remote[uuid].group == local.group_id
        theirs, mine = remote[uuid].geometry, local.geometry
        assert type(theirs) is type(mine)
        if isinstance(mine, Tag):
            assert theirs == mine
        else:
            assert _close(_numbers(theirs), _numbers(mine)), (theirs, mine)
    # The anchor is the group's lowest member: the point, drawn before the box.
    assert shapes[uuids["box"]].group_id == shapes[uuids["point"]].group_id == uuids["point"]

    # Nothing moves afterwards: a second sync sends nothing and changes nothing here.
    code, again = _sync(path, capsys)
    assert code == 0 and again["pushed_images"] == 0 and again["pending"] == 0, again
    assert _local(path) == (shapes, tags, names)
    (unchanged,) = _annotations(server, task_id)
    assert unchanged["result"] == annotation["result"]

    # A fresh clone holds the same things.
    other = tmp_path / "second"
    _clone(server, project_id, other, capsys)
    theirs_shapes, theirs_tags, theirs_names = _local(other)
    assert set(theirs_shapes) == set(shapes) and set(theirs_tags) == set(tags)
    for uuid, local in tags.items():
        assert theirs_tags[uuid].geometry == local.geometry
    for uuid, local in shapes.items():
        assert theirs_shapes[uuid].group_id == local.group_id
        assert theirs_names[theirs_shapes[uuid].class_id] == names[local.class_id]  # type: ignore[index]
        assert _close(_numbers(theirs_shapes[uuid].geometry), _numbers(local.geometry))


def _numbers(geometry: Any) -> tuple[float, ...]:
    if isinstance(geometry, Box):
        return (geometry.x0, geometry.y0, geometry.x1, geometry.y1, geometry.angle)
    if isinstance(geometry, Ellipse):
        return (geometry.cx, geometry.cy, geometry.rx, geometry.ry, geometry.angle)
    if isinstance(geometry, Point):
        return (geometry.x, geometry.y)
    return tuple(c for point in geometry.points for c in point)
