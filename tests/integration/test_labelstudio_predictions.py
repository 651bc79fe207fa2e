"""The team's model on a real Label Studio: predictions come down as suggestions; what the
annotator accepts goes up as annotations, and the predictions stay predictions."""

from __future__ import annotations

from pathlib import Path

from limner.models.editing.history import History
from limner.models.editing.suggestion_commands import AcceptSuggestions, RejectSuggestions
from limner.models.store import queries, suggestions
from limner.models.store.store import ProjectStore
from tests.integration.test_labelstudio_sync import clone, sync_json


def _box(item_id: str, label: str, x: float, score: float, size: tuple[int, int]) -> dict:
    w, h = size
    return {
        "id": item_id, "from_name": "bbox", "to_name": "image", "type": "rectanglelabels",
        "original_width": w, "original_height": h, "image_rotation": 0, "score": score,
        "value": {"x": x, "y": 10, "width": 30, "height": 40, "rotation": 0,
                  "rectanglelabels": [label]},
    }  # fmt: skip


def _predictions(server, task_id: int) -> list[dict]:
    with server.client() as http:
        found = http.get("/api/predictions/", params={"task": task_id}).json()
    return sorted(found, key=lambda p: p["id"])


def test_predictions_are_pulled_as_suggestions_and_accepted_ones_pushed(
    ls_project, token_env, tmp_path: Path, capsys
) -> None:
    server = ls_project.server
    for task_id in ls_project.task_ids:
        size = ls_project.sizes[task_id]
        body = {
            "task": task_id, "model_version": "team-yolo-2", "score": 0.7,
            "result": [_box("p1", "Car", 10, 0.9, size), _box("p2", "Person", 50, 0.4, size)],
        }  # fmt: skip
        with server.client() as http:
            assert http.post("/api/predictions/", json=body).status_code == 201
    before = {t: _predictions(server, t) for t in ls_project.task_ids}
    path = tmp_path / "clone"
    clone(server, ls_project.id, path, capsys)

    with ProjectStore.open(path) as store:
        with store.read() as conn:
            images = queries.image_page(conn, 0, 10)
            classes = {c.id: c.name for c in queries.label_classes(conn)}
            found = {i.id: suggestions.for_image(conn, i.id) for i in images}
            assert all(queries.annotations_for_image(conn, i.id) == [] for i in images)
        assert len(found) == 3 and all(len(items) == 2 for items in found.values())
        first = images[0]
        car = next(s for s in found[first.id] if s.label == "Car")
        person = next(s for s in found[first.id] if s.label == "Person")
        assert car.source == "model:team-yolo-2" and car.score == 0.9
        assert classes[car.class_id] == "Car"
        history = History(store)
        history.execute(AcceptSuggestions((car,)))
        history.execute(RejectSuggestions((person,)))

    code, report = sync_json(path, capsys)
    assert code == 0, report
    task_of_first = next(
        t for t in ls_project.task_ids if ls_project.sizes[t] == (first.width, first.height)
    )
    with server.client() as http:
        annotations = http.get(f"/api/tasks/{task_of_first}/annotations/").json()
    results = [r for a in annotations for r in a["result"]]
    assert [r["value"]["rectanglelabels"] for r in results] == [["Car"]]
    assert results[0]["value"]["x"] == 10
    # Nothing but the accepted one became an annotation; the predictions are untouched.
    others = [t for t in ls_project.task_ids if t != task_of_first]
    with server.client() as http:
        for task_id in others:
            assert http.get(f"/api/tasks/{task_id}/annotations/").json() == []
    assert {t: _predictions(server, t) for t in ls_project.task_ids} == before

    # A second sync pulls the same predictions again and stores nothing twice.
    code, report = sync_json(path, capsys)
    assert code == 0, report
    with ProjectStore.open(path) as store, store.read() as conn:
        assert suggestions.counts(conn) == {"open": 4, "accepted": 1, "rejected": 1}
