"""The CloudFactory fake checked against the API page and the vendor's own client.

The fake's routes must not be a copy of the adapter's: the four the vendor's client sends
are read out of that client's source and compared with the fake's; the inferred ones must
be the ones of the documented table (with the adapter's table checked against the same
document); the fake answers in the shapes of the page's examples, refuses what the page
does not allow, and the vendor's client runs against it end to end.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import re
from pathlib import Path

import httpx
import pytest

from limner.sync.adapters.cloudfactory_format import ROUTES as ADAPTER_ROUTES
from tests.fakes.cloudfactory_server import (
    CONFIRMED_ROUTES,
    INFERRED_ROUTES,
)
from tests.fakes.cloudfactory_world import KEY, SIZES, World

ROOT = Path(__file__).resolve().parents[3]
TABLE_HEADING = "### CloudFactory routes"






# -- the fake against the API page --------------------------------------------------------
SEED_KEYS = {
    "batch": {"id", "projectId", "name", "createdBy", "createdAt", "metadata"},
    "batch_stats": {"totalCount", "completedCount"},
    "meta": {"object", "limit", "page", "cursor_next", "cursor_prev"},
    "project": {"id", "name", "description", "createdAt", "spaceID", "dataType", "companyID"},
    "signal_item": {"id", "projectID", "workItemID", "feedback"},
    "work_item": {
        "id", "status", "assetUrl", "assetId", "batchId", "resultsUrl", "createdAt",
        "updatedAt", "taxonomyVersionId", "metadata", "dueInSeconds", "difficulty",
        "assetType",
    },
    "label": {"metadata", "bbox"},
    "annotation": {
        "id", "projectID", "workItemID", "inference", "groundTruthReviewer", "createdAt",
        "updatedAt", "metadata",
    },
    "signed": {"path", "signedUrl"},
}  # fmt: skip


def test_fake_answers_in_the_shapes_of_the_api_page(world: World) -> None:
    fake = world.fake
    p, s = world.project, world.space
    with httpx.Client(base_url=fake.base_url, headers={"X-API-Key": KEY}) as http:
        created = http.post(f"/projects/{p}/batches", json={"name": "Day"})
        assert created.status_code == 201 and set(created.json()) == SEED_KEYS["batch"]
        dup = http.post(f"/projects/{p}/batches", json={"name": "Day"})
        assert dup.status_code == 409 and "already exists" in dup.json()["message"]
        listed = http.get(f"/projects/{p}/batches", params={"limit": 2}).json()
        assert set(listed["meta"]) == SEED_KEYS["meta"] and listed["meta"]["cursor_next"]
        assert set(listed["items"][0]) == SEED_KEYS["batch"] | SEED_KEYS["batch_stats"]
        patched = http.patch(
            f"/projects/{p}/batches/{created.json()['id']}", json={"metadata": {"a": 1}}
        )
        assert patched.json()["metadata"] == {"a": 1}
        (project,) = http.get(f"/spaces/{s}/projects").json()["items"]
        assert set(project) == SEED_KEYS["project"]
        assert http.get(f"/spaces/{s}/projects/{p}").json() == project
        item = http.post(
            f"/projects/{p}/workItems",
            json={"assetUrl": "uploads/x.png", "assetType": "image", "dueInSeconds": 10},
        )
        assert item.status_code == 201 and set(item.json()) == SEED_KEYS["work_item"]
        assert item.json()["status"] == "NEW"
        assert item.json()["batchId"] == fake.default_batch(p)
        bad = http.post(
            f"/projects/{p}/workItems",
            json={"assetUrl": "x", "assetType": "image", "dueInSeconds": 0},
        )
        assert bad.status_code == 400 and "dueInSeconds" in bad.json()["message"]
        page = http.get(f"/projects/{p}/workItems", params={"limit": 3}).json()
        assert set(page["meta"]) == SEED_KEYS["meta"] and page["meta"]["object"] == "work_item"
        assert set(page["items"][0]) == SEED_KEYS["work_item"] | {"labels"}
        assert set(page["items"][0]["labels"][0]) == SEED_KEYS["label"]
        following = http.get(
            f"/projects/{p}/workItems",
            params={"limit": 3, "cursor": page["meta"]["cursor_next"], "page": "NEXT"},
        ).json()
        back = http.get(
            f"/projects/{p}/workItems",
            params={"limit": 3, "cursor": following["meta"]["cursor_prev"], "page": "PREV"},
        ).json()
        assert [i["id"] for i in back["items"]] == [i["id"] for i in page["items"]]
        for limit in (0, 101):
            assert http.get(f"/projects/{p}/workItems", params={"limit": limit}).status_code == 400
        two = [world.ids["img0.png"], world.ids["img1.png"]]
        comma = http.get(f"/projects/{p}/workItems", params={"workItemIDs": ",".join(two)})
        repeated = http.get(f"/projects/{p}/workItems", params={"workItemIDs": two})
        assert {i["id"] for i in comma.json()["items"]} == set(two)
        assert comma.json()["items"] == repeated.json()["items"]
        night = http.get(f"/projects/{p}/workItems", params={"batchIds": [world.night]}).json()
        assert len(night["items"]) == 2
        done = http.get(f"/projects/{p}/workItems", params={"status": "COMPLETED"}).json()
        assert {i["id"] for i in done["items"]} == {world.ids["img2.png"], world.ids["img6.png"]}
        target = world.ids["img0.png"]
        no_outcome = http.post(
            f"/projects/{p}/workItems/{target}/signals",
            json={"signal": "start", "taskType": "labeling"},
        )
        assert no_outcome.status_code == 400
        wrong = http.post(
            f"/projects/{p}/workItems/{target}/signals",
            json={"signal": "complete", "taskType": "labeling", "signalOutcome": "OK"},
        )
        assert wrong.status_code == 409
        bulk = http.post(
            f"/projects/{p}/workItems/signals",
            json={
                "signal": "start",
                "workItems": [{"workItemID": target, "feedback": {"comments": ["go"]}}],
            },
        )
        assert bulk.status_code == 200
        assert set(bulk.json()["items"][0]) == SEED_KEYS["signal_item"]
        all_or_nothing = http.post(
            f"/projects/{p}/workItems/signals",
            json={
                "signal": "start",
                "workItems": [{"workItemID": world.ids["img5.png"]}, {"workItemID": target}],
            },
        )
        assert all_or_nothing.status_code == 409
        assert fake.items[world.ids["img5.png"]]["status"] == "NEW"
        annotation = http.get(
            f"/projects/{p}/workItems/{world.ids['img2.png']}/annotations",
            params={"format": "coco"},
        ).json()
        assert set(annotation) == SEED_KEYS["annotation"]
        assert annotation["metadata"]["coco_results_url"].startswith(
            f"s3://{fake.bucket}/spaces/{s}/"
        )
        ups = http.get(f"/spaces/{s}/signedurls", params={"count": 2}).json()["items"]
        assert len(ups) == 2 and set(ups[0]) == SEED_KEYS["signed"]
        assert http.get(f"/spaces/{s}/signedurls", params={"count": 11}).status_code == 400
        too_many = http.post(f"/spaces/{s}/signedurls", json={"paths": ["a"] * 1001})
        assert too_many.status_code == 400
        assert (
            http.get(f"/projects/{p}/workItems", headers={"X-API-Key": "nope"}).status_code == 401
        )
    with httpx.Client() as storage:
        url = ups[0]["signedUrl"]
        assert storage.put(url, content=b"abc", headers={"Content-Type": ""}).status_code == 400
        assert (
            storage.put(url, content=b"abc", headers={"Content-Type": "image/png"}).status_code
            == 200
        )
        leaked = storage.put(
            url, content=b"abc", headers={"Content-Type": "image/png", "X-API-Key": KEY}
        )
        assert leaked.status_code == 400
    assert fake.storage[(s, ups[0]["path"])] == (b"abc", "image/png")


# -- fidelity: the vendor's SDK against the fake ------------------------------------------
def test_vendor_sdk_reads_the_fake(world: World, tmp_path: Path) -> None:
    """CloudFactory's own client (``cf-ai-platform-client``) parses every answer it gets."""
    sdk = pytest.importorskip(
        "cf_ai_platform_client",
        reason="cf-ai-platform-client is not installed (pip install -e '.[test]')",
    )
    from cf_ai_platform_client.models import (
        Annotation,
        BatchesResponse,
        SearchResponse,
        SignedURLResponse,
    )

    assert importlib.metadata.version("cf-ai-platform-client") == "0.3.0"
    fake = world.fake
    with httpx.Client(base_url=fake.base_url, headers={"X-API-Key": KEY}) as http:
        page = http.get(f"/projects/{world.project}/workItems", params={"limit": 2}).json()
        parsed = SearchResponse(**page)
        assert parsed.meta is not None and parsed.meta.cursor_next
        assert {i.id for i in parsed.items} <= set(world.ids.values())
        assert BatchesResponse(**http.get(f"/projects/{world.project}/batches").json()).items
        raw = http.get(
            f"/projects/{world.project}/workItems/{world.ids['img2.png']}/annotations",
            params={"format": "coco"},
        ).json()
        assert Annotation(**raw).work_item_id == world.ids["img2.png"]
        signed = http.post(f"/spaces/{world.space}/signedurls", json={"paths": ["a/b.json"]})
        assert SignedURLResponse(**signed.json()).items[0].path == "a/b.json"

    with sdk.SyncCFUserClient.create_with_api_key(KEY, base_url=fake.base_url) as client:
        summary = client.download_project(
            project_id=world.project,
            space_id=world.space,
            destination=str(tmp_path / "sdk"),
            limit=1,  # one item a page: the keyset loop runs to its end
        )
        assert summary.total_items == 2 and summary.failed == 0, summary
        for name in ("img2.png", "img6.png"):
            coco = json.loads(
                (tmp_path / "sdk" / "Default" / f"{world.ids[name]}.json").read_text()
            )
            assert coco["info"]["asset_url"] == world.item(name)["assetUrl"]
            boxes = [a["bbox"] for a in coco["annotations"]]
            assert boxes == [label["bbox"] for label in world.item(name)["labels"]]
            assert coco["images"][0]["width"] == SIZES[name][0]
        only = client.download_project(
            project_id=world.project,
            space_id=world.space,
            destination=str(tmp_path / "one"),
            work_item_ids=[world.ids["img6.png"]],
        )
        assert only.total_items == 1 and only.successful == 1
        none = client.download_project(
            project_id=world.project,
            space_id=world.space,
            destination=str(tmp_path / "none"),
            batch_ids=[world.night],
        )
        assert none.total_items == 0
    storage_requests = [r for r in fake.requests if r[1].startswith("/storage/")]
    assert storage_requests and all(
        "x-api-key" not in {k.lower() for k in r[2]} for r in storage_requests
    )
    with sdk.SyncCFUserClient.create_with_api_key("wrong", base_url=fake.base_url) as client:
        with pytest.raises(httpx.HTTPStatusError) as caught:
            client.download_project(
                project_id=world.project, space_id=world.space, destination=str(tmp_path / "x")
            )
        assert caught.value.response.status_code == 401


# -- where the routes come from ---------------------------------------------------------
def _shape(path: str) -> str:
    """A path template with its placeholders unnamed: ``/projects/{}/workItems``."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _client_routes() -> set[tuple[str, str]]:
    """(method, path) of every request in the vendor client's source: each function that
    sets ``endpoint = f"..."`` and calls ``client.<method>(endpoint, ...)``."""
    spec = importlib.util.find_spec("cf_ai_platform_client.client")
    assert spec is not None and spec.origin, "cf-ai-platform-client is a test dependency"
    tree = ast.parse(Path(spec.origin).read_text())
    found: set[tuple[str, str]] = set()
    for func in ast.walk(tree):
        if not isinstance(func, ast.AsyncFunctionDef | ast.FunctionDef):
            continue
        endpoint = None
        for node in ast.walk(func):
            if (
                isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == ["endpoint"]
                and isinstance(node.value, ast.JoinedStr)
            ):
                endpoint = "".join(
                    v.value if isinstance(v, ast.Constant) else "{}" for v in node.value.values
                )
        for node in ast.walk(func):
            if (
                endpoint is not None
                and isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"get", "post", "put", "patch", "delete"}
                and node.args
                and getattr(node.args[0], "id", None) == "endpoint"
            ):
                found.add((node.func.attr.upper(), endpoint))
    return found


def _documented_table() -> list[dict[str, str]]:
    """The rows of the one route table (its own page, or the README it was merged into)."""
    for name in ("docs/cloudfactory_routes.md", "README.md"):
        path = ROOT / name
        if path.exists() and TABLE_HEADING in path.read_text():
            text = path.read_text().split(TABLE_HEADING, 1)[1]
            break
    else:
        raise AssertionError(f"no {TABLE_HEADING!r} table in docs/ or the README")
    rows = []
    for line in text.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("operation", "---"):
            method, _, route = cells[1].partition(" ")
            rows.append({"op": cells[0], "method": method, "path": route, "source": cells[2],
                         "used": cells[3], "why": cells[4]})  # fmt: skip
        elif rows and not line.startswith("|"):
            break
    return rows


def test_the_confirmed_routes_are_the_ones_the_vendors_client_sends() -> None:
    sent = _client_routes()
    assert ("GET", "/projects/{}/workItems") in sent  # the reader found the client's calls
    ours = {(m, _shape(p)) for m, p in CONFIRMED_ROUTES.values()}
    # every route the client sends, except the space exports limner has no use for
    assert ours == {r for r in sent if "/exports" not in r[1]}


def test_the_inferred_routes_are_the_documented_table() -> None:
    rows = _documented_table()
    table = {r["op"]: (r["method"], r["path"]) for r in rows}
    assert {r["op"] for r in rows if r["source"] == "inferred"} == set(INFERRED_ROUTES)
    assert {r["op"] for r in rows if r["source"] == "official client"} == set(CONFIRMED_ROUTES)
    assert table == {**CONFIRMED_ROUTES, **INFERRED_ROUTES}
    assert all(r["why"] for r in rows)
    # the adapter uses exactly the operations the table marks as used, with those paths
    used = {r["op"] for r in rows if r["used"] == "yes"}
    assert {op: table[op] for op in used} == ADAPTER_ROUTES


def test_the_fake_refuses_what_the_api_page_does_not_allow(world: World) -> None:
    p, item = world.project, world.ids["img0.png"]
    labels = f"/projects/{p}/workItems/{item}/labels"
    box = {"bbox": [1, 2, 3, 4], "metadata": {"k": [1, {"z": 0, "a": 1}]}}
    with httpx.Client(base_url=world.fake.base_url, headers={"X-API-Key": KEY}) as http:

        def refused(response: httpx.Response, status: int, words: str) -> bool:
            return response.status_code == status and words in response.json()["message"]

        extra = http.put(labels, json={"labels": [box], "force": True})
        assert refused(extra, 400, "property force should not exist")
        odd = http.put(labels, json={"labels": [{**box, "score": 0.9}]})
        assert refused(odd, 400, "property score should not exist")
        negative = http.put(labels, json={"labels": [{"metadata": {}, "bbox": [-1, 2, 3, 4]}]})
        assert refused(negative, 400, "must not be negative")
        nan = http.put(labels, content=b'{"labels": [{"bbox": [NaN, 1, 2, 3]}]}')
        assert refused(nan, 400, "not valid JSON")
        wrong = http.delete(labels)
        assert wrong.status_code == 405 and wrong.headers["Allow"] == "PUT"
        query = http.get(f"/projects/{p}/workItems", params={"sort": "name"})
        assert refused(query, 400, "query property sort should not exist")
        bulk = http.post(
            f"/projects/{p}/workItems/signals",
            json={"signal": "start", "workItems": [{"workItemID": item, "note": "x"}]},
        )
        assert refused(bulk, 400, "property note should not exist")
        signal = http.post(
            f"/projects/{p}/workItems/{item}/signals",
            json={"signal": "start", "taskType": "labeling", "signalOutcome": "OK", "by": "x"},
        )
        assert refused(signal, 400, "property by should not exist")
        assert world.fake.label_writes == 0 and world.fake.signals == []
        # what the page allows goes through, and a label is kept exactly as it was sent
        assert http.put(labels, json={"labels": [box]}).status_code == 200
    assert json.dumps(world.item("img0.png")["labels"]) == json.dumps([box])
