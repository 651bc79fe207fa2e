"""What the Label Studio adapter does to keep a push cheap for the server it meets:
one image in flight for Django's development server, and a task PATCH that asks the
server to load only the review columns of the task it writes."""

from __future__ import annotations

import json

import httpx
import pytest

from limner.sync.adapters.base import ImagePush
from limner.sync.adapters.labelstudio import LabelStudioAdapter, LabelStudioAuth
from limner.sync.reconcile import StatusWrite, plan_push
from limner.sync.retry import RetryPolicy
from limner.sync.transport import Transport
from tests.integration.labelstudio_server import DEFAULT_LABEL_CONFIG


class Script:
    """A Community server that names itself with ``server`` in every answer."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        headers = {"Server": self.server}
        path = request.url.path
        if path == "/api/version/":
            body: object = {"release": "1.23.0", "edition": "Community"}
        elif path == "/api/current-user/whoami":
            body = {"id": 1, "email": "a@example.com"}
        elif path == "/api/projects/3/":
            body = {"id": 3, "title": "p", "label_config": DEFAULT_LABEL_CONFIG}
        elif path == "/api/tasks/11/":
            body = {"id": 11, "meta": {"other": 1}, "annotations": []}
        else:
            return httpx.Response(404, json={"detail": "Not found."}, headers=headers)
        return httpx.Response(200, json=body, headers=headers)


def connected(script: Script) -> LabelStudioAdapter:
    transport = Transport(
        "http://ls.example:8080",
        LabelStudioAuth("0123456789abcdef0123456789abcdef01234567"),
        policy=RetryPolicy(attempts=1),
        client=httpx.Client(transport=httpx.MockTransport(script)),
    )
    adapter = LabelStudioAdapter(transport, 3)
    adapter.connect()
    return adapter


@pytest.mark.parametrize(
    ("server", "parallel"),
    [
        ("WSGIServer/0.2 CPython/3.11.7", 1),  # label-studio start
        ("gunicorn", None),
        ("nginx/1.25.3", None),
        ("", None),
    ],
)
def test_the_development_server_gets_one_image_at_a_time(server: str, parallel) -> None:
    assert connected(Script(server)).push_parallelism() == parallel


def test_the_status_patch_asks_for_the_review_columns_only() -> None:
    script = Script("WSGIServer/0.2 CPython/3.11.7")
    ls = connected(script)
    image = ls.fetch_image("11")
    push = ImagePush(
        key="11",
        image_uuid="5f4b3a0e-0000-4000-8000-000000000001",
        width=100,
        height=80,
        status="submitted",
        container_key=None,
        container_version=None,
        review=None,
        remote_status="new",
    )
    plan = plan_push(
        {}, {}, (), lambda region, target: None, status=StatusWrite("submitted", None)
    )
    ls.apply(image, plan, push)
    patches = [r for r in script.requests if r.method == "PATCH"]
    assert [(r.url.path, dict(r.url.params)) for r in patches] == [
        ("/api/tasks/11/", {"review": "true"})
    ]
    assert json.loads(patches[0].content) == {
        "meta": {"other": 1, "limner": {"status": "submitted"}}
    }
