"""The review loop's statuses and decisions on a real Label Studio server, both ways."""

from __future__ import annotations

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow import review as rv
from limner.models.workflow.review_commands import Review, Submit
from tests.integration.test_labelstudio_sync import TOKEN_ENV, clone, sync_json


def test_statuses_and_reviews_reach_the_server_and_come_back(
    project50, token_env, tmp_path, capsys, monkeypatch
) -> None:
    server, project_id, by_name = project50
    path = tmp_path / "clone"
    clone(server, project_id, path, capsys)
    names = sorted(by_name)[:20]
    with ProjectStore.open(path) as store:
        history = History(store)
        with store.read() as conn:
            car = next(c.id for c in queries.label_classes(conn) if c.name == "Car")
            ids = {n: queries.image_by_name(conn, n).id for n in names}
        monkeypatch.setenv("LIMNER_USER", "annie")
        for name in names:
            history.execute(
                AddAnnotations((NewAnnotation(new_uuid(), ids[name], car, Box(1, 1, 9, 9)),))
            )
            history.execute(Submit([ids[name]]))
        monkeypatch.setenv("LIMNER_USER", "rita")
        for i, name in enumerate(names):
            if i % 4 == 3:
                history.execute(Review(ids[name], "reject", f"fix {name}"))
            elif i < 18:
                history.execute(Review(ids[name], "approve"))
    code, report = sync_json(path, capsys)
    assert code == 0, report
    with server.client() as http:
        for i, name in enumerate(names):
            task = http.get(f"/api/tasks/{by_name[name]}/").json()
            meta = task["meta"]["limner"]
            if i % 4 == 3:
                assert meta["status"] == "rejected"
                assert meta["review"]["decision"] == "reject"
                assert meta["review"]["comment"] == f"fix {name}"
                assert meta["review"]["reviewer"] == "rita"
            elif i < 18:
                assert meta["status"] == "approved" and meta["review"]["decision"] == "approve"
            else:
                assert meta["status"] == "submitted"
            assert len(task["annotations"]) == 1
        # a reviewer decides on the server: limner pulls the decision back
        last = names[18]  # submitted, not reviewed yet
        task = http.get(f"/api/tasks/{by_name[last]}/").json()
        meta = dict(task["meta"])
        meta["limner"] = {
            **meta["limner"],
            "status": "approved",
            "review": {"decision": "approve", "comment": "fine", "reviewer": "web"},
        }
        http.patch(f"/api/tasks/{by_name[last]}/", json={"meta": meta})
    monkeypatch.setenv(TOKEN_ENV, server.legacy_token)
    code, report = sync_json(path, capsys)
    assert code == 0, report
    with ProjectStore.open(path) as store, store.read() as conn:
        record = queries.image_by_name(conn, last)
        assert record.status == "approved"
        steps = rv.status_history(conn, record.id)
        assert (steps[-1].from_status, steps[-1].to_status) == ("submitted", "approved")
        assert steps[-1].actor == "remote:labelstudio" and steps[-1].comment == "fine"


def test_data_manager_tabs_become_queues(project50, token_env, tmp_path, capsys) -> None:
    server, project_id, by_name = project50
    ids = sorted(by_name.values())
    with server.client() as http:
        view = {
            "project": project_id,
            "data": {
                "title": "first ten",
                "filters": {
                    "conjunction": "and",
                    "items": [
                        {
                            "filter": "filter:tasks:id",
                            "operator": "in",
                            "type": "Number",
                            "value": {"min": ids[0], "max": ids[9]},
                        }
                    ],
                },
            },
        }
        response = http.post("/api/dm/views/", json=view)
        assert response.status_code == 201, response.text
    path = tmp_path / "clone"
    clone(server, project_id, path, capsys)
    with ProjectStore.open(path) as store, store.read() as conn:
        from limner.models.workflow import queues as qs

        (queue,) = [q for q in qs.queues(conn) if q.name == "first ten"]
        assert queue.source == "remote" and queue.size == 10
        members = {r.name for r in qs.queue_page(conn, queue.id, 0, 100)}
    wanted = {name for name, task in by_name.items() if ids[0] <= task <= ids[9]}
    assert members == wanted
