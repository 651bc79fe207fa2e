"""Enterprise behaviour of the Label Studio adapter, on a scripted server (no ENT peer here).

Community is tested against the real server; Enterprise adds annotation reviews, which
limner posts when a decision is synced and reads back from ``last_action``.
"""

from __future__ import annotations

import json

import httpx

from limner.models.domain.geometry import Box
from limner.sync.adapters.base import ImagePush, Region
from limner.sync.adapters.labelstudio import LabelStudioAdapter, LabelStudioAuth
from limner.sync.reconcile import LocalRegion, StatusWrite, plan_push
from limner.sync.retry import RetryPolicy
from limner.sync.transport import Transport
from tests.integration.labelstudio_server import DEFAULT_LABEL_CONFIG


class EnterpriseScript:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        path = request.url.path
        if path == "/api/version/":
            return httpx.Response(200, json={"release": "2.30", "edition": "Enterprise"})
        if path == "/api/current-user/whoami":
            return httpx.Response(200, json={"id": 7, "email": "r@example.com"})
        if path == "/api/projects/3/":
            return httpx.Response(
                200, json={"id": 3, "title": "p", "label_config": DEFAULT_LABEL_CONFIG}
            )
        if path == "/api/tasks/11/annotations/" and request.method == "POST":
            return httpx.Response(201, json={"id": 99, "updated_at": "2026-01-01T00:00:00Z"})
        if path == "/api/tasks/11/" and request.method == "GET":
            return httpx.Response(200, json={"id": 11, "meta": {}, "annotations": []})
        if path == "/api/tasks/11/" and request.method == "PATCH":
            return httpx.Response(200, json={"id": 11})
        if path == "/api/annotation-reviews/":
            return httpx.Response(201, json={"id": 5, "annotation": 99, "accepted": False})
        return httpx.Response(404, json={"detail": "Not found."})


def adapter(script: EnterpriseScript) -> LabelStudioAdapter:
    transport = Transport(
        "http://ls.example:8080",
        LabelStudioAuth("0123456789abcdef0123456789abcdef01234567"),
        policy=RetryPolicy(attempts=1),
        client=httpx.Client(transport=httpx.MockTransport(script)),
    )
    a = LabelStudioAdapter(transport, 3)
    a.connect()
    return a


def test_enterprise_rejection_is_posted_as_an_annotation_review() -> None:
    script = EnterpriseScript()
    ls = adapter(script)
    assert ls.enterprise
    review = {"decision": "reject", "comment": "tail missing", "reviewer": "rita"}
    push = ImagePush(
        key="11",
        image_uuid="5f4b3a0e-0000-4000-8000-000000000001",
        width=100,
        height=80,
        status="rejected",
        container_key=None,
        container_version=None,
        review=review,
        remote_status="submitted",
    )
    image = ls.fetch_image("11")
    box = Region("r1", "Car", Box(1, 2, 30, 40))
    plan = plan_push(
        {"r1": LocalRegion("r1", 1, box)},
        {},
        ls.decode(image, 100, 80).regions,
        lambda region, target: ls.encode(region, 100, 80, target=target),
        status=StatusWrite("rejected", review),
    )
    result = ls.apply(image, plan, push)
    assert result.container_key == "99"
    creates = [b for m, p, b in script.requests if p == "/api/tasks/11/annotations/"]
    assert [item["id"] for item in creates[0]["result"]] == ["r1"]
    reviews = [b for m, p, b in script.requests if p == "/api/annotation-reviews/"]
    assert reviews == [{"annotation": 99, "accepted": False, "comment": "tail missing"}]


def test_enterprise_last_action_gives_the_status() -> None:
    ls = adapter(EnterpriseScript())
    task = {
        "id": 12,
        "data": {"image": "/data/upload/3/abcd1234-x.png"},
        "meta": {},
        "updated_at": "2026-01-02T00:00:00.000000Z",
        "annotations": [{"id": 4, "result": [], "last_action": "accepted", "updated_at": "t"}],
    }
    assert ls._remote_image(task).status == "approved"
    task["annotations"][0]["last_action"] = "rejected"
    assert ls._remote_image(task).status == "rejected"
