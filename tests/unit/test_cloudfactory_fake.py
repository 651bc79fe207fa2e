"""The CloudFactory fake checked against the API page's examples and, through the
vendor's own client, against what CloudFactory ships.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.cloudfactory_server import CloudFactoryFake
from tests.fakes.cloudfactory_world import (
    KEY,
    SIZES,
    Linker,
    World,
    seed,
)


@pytest.fixture
def fake() -> Iterator[CloudFactoryFake]:
    with CloudFactoryFake(KEY) as server:
        yield server


@pytest.fixture
def world(fake: CloudFactoryFake) -> World:
    return seed(fake)


@pytest.fixture
def link(tmp_path: Path, world: World) -> Iterator[Linker]:
    linker = Linker(tmp_path, world)
    yield linker
    linker.close()


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
