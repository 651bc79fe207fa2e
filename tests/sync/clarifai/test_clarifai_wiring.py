"""Clarifai wiring: the fake's own fidelity checks, request pacing, which hosts get the key,
the factory and route overrides, listings and paging, and what the encoder refuses.
"""

from __future__ import annotations

import json

import httpx
import pytest

from limner.models.domain.geometry import Box, Keypoints, Polygon, PolygonPart
from limner.sync.adapters.base import Refused, Region
from limner.sync.adapters.clarifai import ClarifaiAdapter, build_adapter
from limner.sync.adapters.clarifai_http import Pacer, is_clarifai_host
from limner.sync.errors import ConfigError, TransientError
from limner.sync.factory import KINDS, make_adapter
from limner.sync.retry import RetryPolicy
from tests.fakes.clarifai_server import (
    ROUTES,
    FidelityError,
    check_response,
    match_route,
)
from tests.sync.clarifai_world import adapter_for


# -- fidelity, pacing, hosts, wiring -------------------------------------------------------
def test_fidelity_check_catches_a_wrong_field(fake) -> None:
    with httpx.Client(base_url=fake.url, headers={"Authorization": f"Key {fake.token}"}) as http:
        bad = http.post(
            "/v2/users/tester/apps/limner-app/annotations",
            json={"annotations": [{"id": "x", "input_id": "img0", "regoin_info": {}}]},
        )
        assert bad.status_code == 400 and bad.json()["status"]["code"] == 11102
        wrong_query = http.get(
            "/v2/users/tester/apps/limner-app/annotations", params={"list_all": "true"}
        )
        assert wrong_query.status_code == 400
        no_route = http.get("/v2/users/tester/apps/limner-app/annotationz")
        assert no_route.status_code == 404 and no_route.json()["status"]["code"] == 11101
    assert len(fake.violations) == 2
    assert "regoin_info" in fake.violations[0] and "list_all" in fake.violations[1]
    fake.violations.clear()
    route, _ = match_route("GET", "/v2/users/u/apps/a/annotations")
    check_response(route, {"status": {"code": 10000}, "annotations": []})
    with pytest.raises(FidelityError, match="annotationz"):
        check_response(route, {"status": {"code": 10000}, "annotationz": []})
    # the routes are Clarifai's own: e.g. the assignments route exists only scoped, as PUT
    puts = [r for r in ROUTES if r.rpc == "PutTaskAssignments"]
    assert [(r.method, r.template) for r in puts] == [
        (
            "PUT",
            "/v2/users/{user_app_id.user_id}/apps/{user_app_id.app_id}/tasks/{task_id}/assignments",
        )
    ]


def test_pacing_spaces_request_starts() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(15.0, clock=lambda: now[0], sleeper=sleep)
    for _ in range(31):
        pacer.wait()
    assert len(slept) == 30
    assert sum(slept) == pytest.approx(30 / 15.0)


def test_real_pacing_stays_under_the_servers_limit(fake) -> None:
    fake.limit_rate(15.0)
    unpaced = adapter_for(fake, attempts=1)  # the same calls without pacing get throttled
    with pytest.raises(TransientError, match="throttled"):
        for _ in range(8):
            unpaced.connect()
    unpaced.close()
    fake.limit_rate(15.0)
    fake.throttled = 0
    adapter = build_adapter(
        fake.url, "tester/limner-app", fake.token, policy=RetryPolicy(attempts=1)
    )
    for _ in range(8):
        adapter.connect()  # three requests each: 24 in all, paced at 15 a second
    adapter.close()
    assert fake.throttled == 0


def test_credentials_go_only_to_clarifai_hosts() -> None:
    assert is_clarifai_host("https://data.clarifai.com/orig/users/u/apps/a/inputs/image/x")
    assert is_clarifai_host("https://api.clarifai.com/v2/users/me")
    assert not is_clarifai_host("http://data.clarifai.com/orig/x")  # not over plain http
    assert not is_clarifai_host("https://clarifai.com.example.org/x")
    assert not is_clarifai_host("https://images.example.org/cat.jpg")
    adapter = build_adapter("https://api.clarifai.com/v2", "owner/app", "k")
    assert adapter.t.base_url == "https://api.clarifai.com/"
    assert adapter.t.same_origin("https://data.clarifai.com/orig/x")
    assert not adapter.t.same_origin("https://images.example.org/cat.jpg")
    adapter.close()


def test_factory_builds_it_and_routes_can_be_overridden(fake) -> None:
    assert "clarifai" in KINDS
    adapter = make_adapter(
        "clarifai",
        fake.url,
        "tester/limner-app",
        fake.token,
        settings={"routes": {"ListConcepts": "/v2/concepts"}, "requests_per_second": 50},
    )
    assert isinstance(adapter, ClarifaiAdapter)
    assert adapter.t.pacer.interval == pytest.approx(1 / 50)
    assert adapter.connect().project_title == "limner test app"
    assert [c.rpc for c in fake.calls if c.path == "/v2/concepts"] == ["ListConcepts"]
    adapter.close()
    # the connect dialog lists apps before a project is chosen
    unchosen = make_adapter("clarifai", fake.url, "0", fake.token)
    assert unchosen.projects() == [("tester/limner-app", "limner test app")]
    with pytest.raises(ConfigError, match="user_id/app_id"):
        unchosen.connect()
    unchosen.close()


def test_apps_and_tasks_are_listed(fake) -> None:
    adapter = adapter_for(fake)
    adapter.connect()
    assert adapter.apps() == [("tester/limner-app", "limner test app")]
    assert [t["id"] for t in adapter.tasks()] == ["cars-task"]
    assert [t["id"] for t in adapter.tasks(worker_user_ids=["someone-else"])] == []
    adapter.close()


def test_paging_follows_short_pages(fake) -> None:
    for index in range(7):
        fake.add_input(f"more{index}", 20, 20, seed=20 + index)
    adapter = adapter_for(fake)
    adapter.page_size = 3
    adapter.connect()
    pages = list(adapter.changed_images(None))
    keys = [i.key for p in pages for i in p.images]
    assert len(keys) == len(set(keys)) == 12
    assert all(len(p.images) <= 3 for p in pages)
    cursors = [json.loads(p.cursor) for p in pages]
    assert all("resume" in c for c in cursors[:-1]) and "resume" not in cursors[-1]
    assert adapter.image_keys() == set(fake.inputs)
    adapter.close()


def test_encode_refuses_what_clarifai_cannot_hold(fake) -> None:
    adapter = adapter_for(fake)
    adapter.connect()
    ring = Polygon(
        (
            PolygonPart(
                ((1.0, 1.0), (9.0, 1.0), (9.0, 9.0)), (((2.0, 2.0), (3.0, 2.0), (3.0, 3.0)),)
            ),
        )
    )

    def refusal(region: Region) -> str:
        with pytest.raises(Refused) as caught:
            adapter.encode(region, 64, 48, target=None)
        return str(caught.value)

    assert "holes" in refusal(Region("u1", "Person", ring))
    assert "outside the image" in refusal(Region("u2", "Car", Box(60, 1, 70, 5)))
    assert "3 keypoints" in refusal(Region("u3", "Pose", Keypoints(((1, 1, 2), (2, 2, 2)))))
    assert "need a concept" in refusal(Region("u5", None, Box(1, 1, 5, 5)))
    raw = adapter.encode(Region("u4", "Car", Box(1, 1, 5, 5)), 64, 48, target=None)
    assert raw["data"]["regions"][0]["data"]["concepts"] == [{"id": "car", "value": 1}]
    adapter.close()
