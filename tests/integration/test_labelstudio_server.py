"""Pin down the Label Studio CE behaviour the sync adapter is built on.

Each test states one fact the adapter relies on (auth, idempotent creates, change detection,
paging, image access, surviving a server restart), checked against a real server. When an
upgrade changes one of these, the failure points at the assumption rather than at sync code.
LABELSTUDIO_NOTES.md records the same facts with the exact requests.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.integration.labelstudio_server import LabelStudioServer, SeededProject

# Exactly what `label_studio_sdk.converter.brush.mask2rle` gives for [[0,0,255,255],[0,0,255,255]].
_RLE_4X2 = [0, 0, 0, 32, 57, 27, 252, 224, 19, 255, 206, 1, 63, 248]


def _jwt_payload(token: str) -> dict[str, Any]:
    """Decode a JWT's claims without verifying it, as a client does to pick the auth scheme."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _result(width: int, height: int) -> list[dict[str, Any]]:
    """One region of every kind, with client-chosen ids, in the shape limner will send."""
    common = {"to_name": "image", "original_width": width, "original_height": height}
    rect_value = {"x": 10.0, "y": 20.0, "width": 30.5, "height": 40.0, "rotation": 0}
    return [
        {
            **common,
            "id": "lm-rect-1",
            "from_name": "bbox",
            "type": "rectanglelabels",
            "image_rotation": 0,
            "value": {**rect_value, "rectanglelabels": ["Car"]},
        },
        {
            **common,
            "id": "lm-rect-1",
            "from_name": "occluded",
            "type": "choices",
            "value": {**rect_value, "choices": ["Yes"]},
        },
        {
            **common,
            "id": "lm-poly-1",
            "from_name": "poly",
            "type": "polygonlabels",
            "value": {
                "points": [[5.0, 5.0], [50.0, 5.0], [25.0, 45.5]],
                "closed": True,
                "polygonlabels": ["Person"],
            },
        },
        {
            **common,
            "id": "lm-mask-1",
            "from_name": "mask",
            "type": "brushlabels",
            "value": {"format": "rle", "rle": _RLE_4X2, "brushlabels": ["Car"]},
        },
        {
            **common,
            "id": "lm-kp-1",
            "from_name": "kp",
            "type": "keypointlabels",
            "parentID": "lm-rect-1",
            "value": {"x": 15.0, "y": 25.0, "width": 0.5, "keypointlabels": ["nose"]},
            # Region note as LSF writes it, plus a key the server has never heard of.
            "meta": {"text": ["left eye hidden"]},
            "limner": {"rev": 3},
        },
    ]


@pytest.fixture
def api(labelstudio_running: LabelStudioServer) -> Iterator[httpx.Client]:
    """Client authenticated with the legacy token."""
    with labelstudio_running.client() as client:
        yield client


def _task(api: httpx.Client, task_id: int) -> dict[str, Any]:
    response = api.get(f"/api/tasks/{task_id}/")
    assert response.status_code == 200, response.text
    return response.json()


# -- discovery and auth ---------------------------------------------------------------------


def test_version_endpoint_needs_no_auth_and_reports_community(
    labelstudio_running: LabelStudioServer,
) -> None:
    response = httpx.get(f"{labelstudio_running.url}/api/version/")
    assert response.status_code == 200
    body = response.json()
    assert body["edition"] == "Community"
    assert body["release"].startswith("1.23.")
    assert body["label-studio-os-package"]["version"] == body["release"]


def test_legacy_token_authenticates(labelstudio_running: LabelStudioServer) -> None:
    with labelstudio_running.client("token") as client:
        response = client.get("/api/current-user/whoami")
    assert response.status_code == 200
    me = response.json()
    assert me["email"] == labelstudio_running.username
    assert isinstance(me["id"], int)
    assert isinstance(me["active_organization"], int)


def test_org_has_both_token_kinds_enabled(api: httpx.Client) -> None:
    response = api.get("/api/jwt/settings")
    assert response.status_code == 200
    assert response.json() == {"api_tokens_enabled": True, "legacy_api_tokens_enabled": True}


def test_personal_access_token_refresh_then_bearer(labelstudio_running: LabelStudioServer) -> None:
    pat = labelstudio_running.personal_access_token()
    claims = _jwt_payload(pat)
    assert claims["token_type"] == "refresh"

    response = httpx.post(f"{labelstudio_running.url}/api/token/refresh/", json={"refresh": pat})
    assert response.status_code == 200
    assert set(response.json()) == {"access"}
    access = response.json()["access"]
    access_claims = _jwt_payload(access)
    assert access_claims["token_type"] == "access"
    assert access_claims["exp"] - access_claims["iat"] == 300  # simplejwt default, 5 minutes

    with labelstudio_running.client("bearer", token=access) as client:
        response = client.get("/api/current-user/whoami")
    assert response.status_code == 200
    assert response.json()["email"] == labelstudio_running.username


def test_second_personal_access_token_is_refused(api: httpx.Client) -> None:
    response = api.post("/api/token/")
    if response.status_code == 201:
        # No PAT existed yet in this session; the next one must be refused.
        response = api.post("/api/token/")
    assert response.status_code == 409
    assert "already have a valid token" in response.json()["detail"]
    listed = api.get("/api/token/")
    assert listed.status_code == 200
    tokens = listed.json()
    assert len(tokens) == 1
    # Listed tokens lack the signature: they cannot be used, only shown.
    assert tokens[0]["token"].count(".") == 1


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token 0000000000000000000000000000000000000000", "Invalid token."),
        ("Bearer not-a-jwt", "Authentication credentials were not provided."),
        (None, "Authentication credentials were not provided."),
    ],
    ids=["wrong-legacy-token", "garbage-bearer", "no-auth"],
)
def test_bad_credentials_get_401(
    labelstudio_running: LabelStudioServer, header: str | None, detail: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = httpx.get(f"{labelstudio_running.url}/api/projects/", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == detail


def test_token_kinds_are_not_interchangeable(labelstudio_running: LabelStudioServer) -> None:
    pat = labelstudio_running.personal_access_token()
    access = labelstudio_running.access_token(pat)
    url = f"{labelstudio_running.url}/api/projects/"
    assert httpx.get(url, headers={"Authorization": f"Bearer {pat}"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Token {access}"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Token {pat}"}).status_code == 401


def test_refresh_with_invalid_token_is_401(labelstudio_running: LabelStudioServer) -> None:
    response = httpx.post(
        f"{labelstudio_running.url}/api/token/refresh/", json={"refresh": "not-a-token"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Token is invalid"


def test_rotate_blacklists_the_old_personal_access_token(
    labelstudio_running: LabelStudioServer,
) -> None:
    server = labelstudio_running
    old = server.personal_access_token()
    with server.client() as client:
        rotated = client.post("/api/token/rotate/", json={"refresh": old})
        assert rotated.status_code == 200
        assert set(rotated.json()) == {"refresh"}
        new = rotated.json()["refresh"]
        try:
            refused = httpx.post(f"{server.url}/api/token/refresh/", json={"refresh": old})
            assert refused.status_code == 401
            assert refused.json()["detail"] == "Token is blacklisted"
            assert server.access_token(new)
        finally:
            # Leave exactly one usable PAT behind for the tests that follow.
            assert client.post("/api/token/blacklist/", json={"refresh": new}).status_code == 204
            server.new_personal_access_token()
    assert server.access_token()


# -- annotations ------------------------------------------------------------------------------


def test_annotation_unique_id_makes_create_idempotent(
    api: httpx.Client, ls_project: SeededProject
) -> None:
    task_id = ls_project.task_ids[0]
    width, height = ls_project.sizes[task_id]
    key = str(uuid.uuid4())
    body = {
        "result": _result(width, height),
        "unique_id": key,
        "import_id": 9_000_000_001,
        "lead_time": 2.5,
    }
    created = api.post(f"/api/tasks/{task_id}/annotations/", json=body)
    assert created.status_code == 201, created.text
    annotation = created.json()
    assert "unique_id" not in annotation  # write-only: a client must remember its own key
    assert annotation["import_id"] == 9_000_000_001
    assert annotation["task"] == task_id
    assert annotation["project"] == ls_project.id
    assert annotation["was_cancelled"] is False

    retry = api.post(f"/api/tasks/{task_id}/annotations/", json=body)
    assert retry.status_code == 409
    assert retry.json()["detail"] == "Annotation with this unique id already exists"

    listed = api.get(f"/api/tasks/{task_id}/annotations/")
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [annotation["id"]]
    assert listed.json()[0]["import_id"] == 9_000_000_001


def test_malformed_unique_id_is_a_server_error(
    api: httpx.Client, ls_project: SeededProject
) -> None:
    task_id = ls_project.task_ids[0]
    response = api.post(
        f"/api/tasks/{task_id}/annotations/", json={"result": [], "unique_id": "not-a-uuid"}
    )
    # Not validated by the serializer: the model field raises, and CE maps that to 500.
    assert response.status_code == 500
    assert "is not a valid UUID" in response.json()["detail"]


def test_annotation_result_round_trips_with_client_region_ids(
    api: httpx.Client, ls_project: SeededProject
) -> None:
    task_id = ls_project.task_ids[1]
    width, height = ls_project.sizes[task_id]
    result = _result(width, height)
    created = api.post(
        f"/api/tasks/{task_id}/annotations/",
        json={"result": result, "unique_id": str(uuid.uuid4())},
    )
    assert created.status_code == 201, created.text
    assert created.json()["result"] == result

    fetched = api.get(f"/api/annotations/{created.json()['id']}/")
    assert fetched.status_code == 200
    assert fetched.json()["result"] == result
    assert {r["id"] for r in fetched.json()["result"]} == {
        "lm-rect-1",
        "lm-poly-1",
        "lm-mask-1",
        "lm-kp-1",
    }

    task = _task(api, task_id)
    assert [a["id"] for a in task["annotations"]] == [created.json()["id"]]
    assert task["annotations"][0]["result"] == result


def test_annotation_changes_bump_task_updated_at(
    api: httpx.Client, ls_project: SeededProject
) -> None:
    task_id = ls_project.task_ids[2]
    seen = [_ts(_task(api, task_id)["updated_at"])]

    created = api.post(f"/api/tasks/{task_id}/annotations/", json={"result": []})
    assert created.status_code == 201
    seen.append(_ts(_task(api, task_id)["updated_at"]))

    annotation_id = created.json()["id"]
    patched = api.patch(f"/api/annotations/{annotation_id}/", json={"result": _result(32, 32)})
    assert patched.status_code == 200
    assert _ts(patched.json()["updated_at"]) > _ts(created.json()["updated_at"])
    seen.append(_ts(_task(api, task_id)["updated_at"]))

    assert api.delete(f"/api/annotations/{annotation_id}/").status_code == 204
    seen.append(_ts(_task(api, task_id)["updated_at"]))

    assert seen == sorted(seen) and len(set(seen)) == len(seen), seen


# -- tasks: paging, change detection, meta ----------------------------------------------------


def test_task_list_paging(api: httpx.Client, ls_project: SeededProject) -> None:
    params: dict[str, Any] = {"project": ls_project.id, "page_size": 2}
    query = json.dumps({"ordering": ["tasks:id"]})
    first = api.get("/api/tasks/", params={**params, "page": 1, "query": query})
    assert first.status_code == 200
    body = first.json()
    assert body["total"] == 3
    assert {"tasks", "total", "total_annotations", "total_predictions"} <= set(body)
    second = api.get("/api/tasks/", params={**params, "page": 2, "query": query})
    assert second.status_code == 200
    ids = [t["id"] for t in body["tasks"]] + [t["id"] for t in second.json()["tasks"]]
    assert ids == sorted(ls_project.task_ids)

    past_end = api.get("/api/tasks/", params={**params, "page": 3, "query": query})
    assert past_end.status_code == 404
    assert past_end.json()["detail"] == "Invalid page."


def test_task_list_needs_project_or_view(api: httpx.Client) -> None:
    response = api.get("/api/tasks/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Neither project nor view id specified"


def test_task_list_fields_all_embeds_annotations(
    api: httpx.Client, ls_project: SeededProject
) -> None:
    task_id = ls_project.task_ids[0]
    assert api.post(f"/api/tasks/{task_id}/annotations/", json={"result": []}).status_code == 201
    slim = api.get("/api/tasks/", params={"project": ls_project.id}).json()["tasks"]
    full = api.get("/api/tasks/", params={"project": ls_project.id, "fields": "all"}).json()
    assert all("annotations" not in t for t in slim)
    by_id = {t["id"]: t for t in full["tasks"]}
    assert len(by_id[task_id]["annotations"]) == 1
    assert all("updated_at" in t for t in full["tasks"])


def _updated_since(
    api: httpx.Client, project_id: int, operator: str, watermark: str
) -> httpx.Response:
    query = {
        "filters": {
            "conjunction": "and",
            "items": [
                {
                    "filter": "filter:tasks:updated_at",
                    "operator": operator,
                    "type": "Datetime",
                    "value": watermark,
                }
            ],
        },
        "ordering": ["tasks:updated_at"],
    }
    return api.get(
        "/api/tasks/",
        params={"project": project_id, "fields": "all", "query": json.dumps(query)},
    )


def test_updated_at_filter_finds_changed_tasks(
    api: httpx.Client, ls_project: SeededProject
) -> None:
    tasks = api.get("/api/tasks/", params={"project": ls_project.id}).json()["tasks"]
    watermark = max(t["updated_at"] for t in tasks)
    newest = max(tasks, key=lambda t: t["updated_at"])["id"]

    unchanged = _updated_since(api, ls_project.id, "greater", watermark)
    assert unchanged.status_code == 200, unchanged.text
    assert unchanged.json()["tasks"] == []
    inclusive = _updated_since(api, ls_project.id, "greater_or_equal", watermark)
    assert [t["id"] for t in inclusive.json()["tasks"]] == [newest]

    changed_id = ls_project.task_ids[0]
    assert api.post(f"/api/tasks/{changed_id}/annotations/", json={"result": []}).status_code == 201
    changed = _updated_since(api, ls_project.id, "greater", watermark)
    assert changed.status_code == 200
    assert [t["id"] for t in changed.json()["tasks"]] == [changed_id]
    assert changed.json()["total"] == 1


def test_updated_at_filter_rejects_timestamps_without_z(
    api: httpx.Client, ls_project: SeededProject
) -> None:
    response = _updated_since(api, ls_project.id, "greater", "2024-01-01T00:00:00.000000")
    # The value is parsed with '%Y-%m-%dT%H:%M:%S.%fZ' only; anything else is a 500.
    assert response.status_code == 500
    assert "does not match format" in response.json()["detail"]


def test_task_meta_is_writable(api: httpx.Client, ls_project: SeededProject) -> None:
    task_id = ls_project.task_ids[1]
    before = _task(api, task_id)
    assert before["meta"] == {}
    meta = {"limner": {"local_id": "abc", "rev": 3}}
    response = api.patch(f"/api/tasks/{task_id}/", json={"meta": meta})
    assert response.status_code == 200
    after = _task(api, task_id)
    assert after["meta"] == meta
    assert after["data"] == before["data"]
    assert _ts(after["updated_at"]) > _ts(before["updated_at"])


def test_missing_trailing_slash_is_tolerated_but_extra_one_is_not(
    api: httpx.Client, ls_project: SeededProject
) -> None:
    # A missing slash is re-dispatched internally (no redirect); an extra one is a Django HTML 404.
    assert api.get(f"/api/projects/{ls_project.id}").status_code == 200
    extra = api.get("/api/current-user/whoami/")
    assert extra.status_code == 404
    assert extra.headers["content-type"].startswith("text/html")


# -- images -----------------------------------------------------------------------------------


def test_uploaded_image_downloads_with_either_auth(
    labelstudio_running: LabelStudioServer, api: httpx.Client, ls_project: SeededProject
) -> None:
    task_id = ls_project.task_ids[0]
    url = _task(api, task_id)["data"]["image"]
    assert url.startswith(f"/data/upload/{ls_project.id}/")

    with_token = api.get(url)
    assert with_token.status_code == 200
    assert with_token.headers["content-type"] == "image/png"
    assert with_token.content == ls_project.images[task_id]

    access = labelstudio_running.access_token()
    with labelstudio_running.client("bearer", token=access) as bearer:
        assert bearer.get(url).content == ls_project.images[task_id]

    partial = api.get(url, headers={"Range": "bytes=0-7"})
    assert partial.status_code == 206
    assert partial.content == b"\x89PNG\r\n\x1a\n"

    anonymous = httpx.get(labelstudio_running.url + url)
    assert anonymous.status_code == 401


# -- going offline ----------------------------------------------------------------------------


def test_restart_keeps_port_data_and_tokens(
    labelstudio_running: LabelStudioServer, ls_project: SeededProject
) -> None:
    server = labelstudio_running
    url_before = server.url
    pat = server.personal_access_token()
    access = server.access_token(pat)

    server.stop()
    try:
        assert not server.running
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/api/version/", timeout=5)
    finally:
        server.start()

    assert server.url == url_before
    with server.client("bearer", token=access) as client:
        # The signing key lives in the data dir, so tokens issued before the restart still work.
        response = client.get(f"/api/projects/{ls_project.id}/")
    assert response.status_code == 200
    assert response.json()["title"].startswith("limner ")
    with server.client() as client:
        assert client.get(f"/api/tasks/{ls_project.task_ids[0]}/").status_code == 200
    assert server.access_token(pat)
