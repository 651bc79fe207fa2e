"""The contract suite's Label Studio driver: the real server, through its own REST API.

Each driver makes a fresh project on the session's server with one labels control per
shape kind. limner is pointed at a relay in front of the server (so a test can count
limner's writes and make the task listing answer garbage); the driver itself talks to
the server directly with the admin's legacy token. Regions live in annotations: by
default in the admin's own one (the same user limner syncs as), with ``author="other"``
in a colleague's. Label Studio CE has no reviews: a status set "on the server" is the
task ``meta`` entry Community keeps for it.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from limner.models.domain.geometry import Box
from tests.contract.codecs import Shape, ls_decode, ls_encode, png
from tests.contract.drivers import Driver, ImageRef, Malformed
from tests.contract.relay import Relay
from tests.integration.labelstudio_server import LabelStudioServer

CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="bbox" toName="image"><Label value="car"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="road"/></PolygonLabels>
  <BrushLabels name="brush" toName="image"><Label value="sky"/></BrushLabels>
  <KeyPointLabels name="pose" toName="image">
    <Label value="nose"/><Label value="tail"/>
  </KeyPointLabels>{extra}
</View>
"""
DATES = """
  <DateTime name="when" toName="image" only="date"/>"""


def _check(response: httpx.Response, *expected: int) -> Any:
    if response.status_code not in expected:
        raise AssertionError(
            f"Label Studio {response.request.method} {response.request.url.path} -> "
            f"{response.status_code}: {response.text[:400]}"
        )
    return response.json() if response.content else None


class LabelStudioDriver(Driver):
    kind = "labelstudio"
    shape_kinds = frozenset({"box", "polygon", "mask", "keypoints"})
    token_env = "LIMNER_CONTRACT_LS_TOKEN"
    keeps_comments = True
    listing_fragment = "/api/tasks"

    def __init__(self, server: LabelStudioServer, title: str) -> None:
        self.server = server
        self.http = server.client()
        self.relay = Relay(server.url).start()
        body = {"title": title[:50], "label_config": CONFIG.format(extra="")}
        self.project = int(_check(self.http.post("/api/projects/", json=body), 201)["id"])
        self.me = int(_check(self.http.get("/api/current-user/whoami"), 200)["id"])
        self._other: tuple[int, str] | None = None

    @property
    def token(self) -> str:
        return self.server.legacy_token

    def clone_args(self) -> list[str]:
        return ["--kind", "labelstudio", "--url", self.relay.url, "--project", str(self.project)]

    # -- images ---------------------------------------------------------------------------
    def add_image(self, name: str, width: int = 64, height: int = 48, seed: int = 0) -> ImageRef:
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            # an upload would have its name cleaned by the server; a URL keeps it as it is
            path = "/files/" + quote(name)
            self.relay.files[path] = png(width, height, seed)
            ids = self.server.import_tasks(self.project, [{"image": self.relay.url + path}])
            return ImageRef(str(ids[0]), name, width, height)
        by_name = self.server.upload_images(self.project, {name: png(width, height, seed)})
        return ImageRef(str(by_name[name]), name, width, height)

    def delete_image(self, image: ImageRef) -> None:
        _check(self.http.delete(f"/api/tasks/{image.key}/"), 204)

    def reuse_key(self, image: ImageRef, name: str, seed: int) -> ImageRef:
        """SQLite hands a deleted newest task's id to the next task."""
        self.delete_image(image)
        fresh = self.add_image(name, image.width, image.height, seed)
        if fresh.key != image.key:
            raise AssertionError(f"task id {image.key} was not reused (got {fresh.key})")
        return fresh

    # -- annotations ----------------------------------------------------------------------
    def annotations(self, image: ImageRef) -> list[dict[str, Any]]:
        return list(_check(self.http.get(f"/api/tasks/{image.key}/annotations/"), 200))

    def annotation_stamps(self, image: ImageRef) -> dict[int, str]:
        return {int(a["id"]): str(a["updated_at"]) for a in self.annotations(image)}

    def _user(self, author: str) -> int:
        return self.me if author == "me" else self._other_user()[0]

    def _own(self, image: ImageRef, user: int) -> dict[str, Any] | None:
        mine = [a for a in self.annotations(image) if int(a["completed_by"]) == user]
        return mine[0] if mine else None

    def _append(self, image: ImageRef, items: list[dict[str, Any]], author: str) -> None:
        user = self._user(author)
        current = self._own(image, user)
        if current is None:
            body: dict[str, Any] = {"result": items, "completed_by": user}
            _check(self.http.post(f"/api/tasks/{image.key}/annotations/", json=body), 201)
            return
        result = list(current["result"]) + items
        _check(self.http.patch(f"/api/annotations/{current['id']}/", json={"result": result}), 200)

    def add_shape(self, image: ImageRef, shape: Shape, *, author: str = "me") -> str:
        rid = f"s{uuidlib.uuid4().hex[:10]}"
        self._append(image, ls_encode(rid, shape, image.width, image.height), author)
        return rid

    def add_raw(self, image: ImageRef, raw: Any) -> str:
        self._append(image, [raw], "me")
        return str(raw.get("id"))

    def _rewrite(self, image: ImageRef, rid: str, new: list[dict[str, Any]]) -> None:
        for annotation in self.annotations(image):
            result = list(annotation["result"])
            hits = [i for i, it in enumerate(result) if rid in (it.get("id"), it.get("parentID"))]
            if not hits:
                continue
            kept = [it for i, it in enumerate(result) if i not in hits]
            result = kept[: hits[0]] + new + kept[hits[0] :]
            body = {"result": result}
            _check(self.http.patch(f"/api/annotations/{annotation['id']}/", json=body), 200)
            return
        raise AssertionError(f"no region {rid} on task {image.key}")

    def edit_shape(self, image: ImageRef, rid: str, shape: Shape) -> None:
        self._rewrite(image, rid, ls_encode(rid, shape, image.width, image.height))

    def delete_region(self, image: ImageRef, rid: str) -> None:
        self._rewrite(image, rid, [])

    def raw(self, image: ImageRef) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for annotation in self.annotations(image):
            for item in annotation["result"]:
                key = str(item.get("id") or f"{item.get('type')}:{item.get('from_id')}")
                if key in out:
                    key = f"{key}|{item.get('type')}|{len(out)}"
                out[key] = item
        return out

    def shapes(self, image: ImageRef) -> dict[str, Shape]:
        out: dict[str, Shape] = {}
        for annotation in self.annotations(image):
            out.update(ls_decode(annotation["result"], image.width, image.height))
        return out

    def authors(self, image: ImageRef) -> Mapping[str, str]:
        emails = {int(u["id"]): str(u["email"]) for u in _check(self.http.get("/api/users/"), 200)}
        out: dict[str, str] = {}
        for annotation in self.annotations(image):
            for item in annotation["result"]:
                key = str(item.get("parentID") or item.get("id"))
                out[key] = emails[int(annotation["completed_by"])]
        return out

    def _other_user(self) -> tuple[int, str]:
        if self._other is None:
            email = f"colleague-{uuidlib.uuid4().hex[:8]}@example.com"
            body = {"email": email, "username": email.split("@")[0], "password": "pw-12345678"}
            made = _check(self.http.post("/api/users/", json=body), 201)
            self._other = (int(made["id"]), email)
        return self._other

    def other_user(self) -> str:
        return self._other_user()[1]

    # -- statuses -------------------------------------------------------------------------
    def _task(self, image: ImageRef) -> dict[str, Any]:
        return dict(_check(self.http.get(f"/api/tasks/{image.key}/"), 200))

    def task_meta(self, image: ImageRef) -> dict[str, Any]:
        return dict(self._task(image).get("meta") or {})

    def set_status(self, image: ImageRef, status: str, comment: str = "") -> None:
        meta = self.task_meta(image)
        entry: dict[str, Any] = {"status": status}
        decision = {"approved": "approve", "rejected": "reject"}.get(status)
        if decision:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            entry["review"] = {
                "decision": decision,
                "comment": comment,
                "reviewer": "reviewer@example.com",
                "time": stamp,
            }
        meta["limner"] = entry
        _check(self.http.patch(f"/api/tasks/{image.key}/", json={"meta": meta}), 200)

    def status(self, image: ImageRef) -> tuple[str, str | None]:
        task = self._task(image)
        entry = (task.get("meta") or {}).get("limner") or {}
        if entry.get("status"):
            comment = (entry.get("review") or {}).get("comment")
            return str(entry["status"]), comment or None
        annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        return ("submitted" if annotations else "new"), None

    # -- what only Label Studio has -------------------------------------------------------
    def add_tricky(self, image: ImageRef) -> list[str]:
        w, h = image.width, image.height

        def item(rid: str, type_: str, from_name: str, value: dict[str, Any]) -> dict[str, Any]:
            return {
                "id": rid,
                "type": type_,
                "from_name": from_name,
                "to_name": "image",
                "original_width": w,
                "original_height": h,
                "image_rotation": 0,
                "value": value,
            }

        box = {"x": 10.5, "y": 12.25, "width": 20, "height": 15, "rotation": 30}
        items = [
            item("rot30", "rectanglelabels", "bbox", {**box, "rectanglelabels": ["car"]}),
            item(
                "k1",
                "keypointlabels",
                "pose",
                {"x": 40.123, "y": 30.5, "width": 0.75, "keypointlabels": ["nose"]},
            ),
            item(
                "k2",
                "keypointlabels",
                "pose",
                {"x": 55.0, "y": 62.125, "width": 0.75, "keypointlabels": ["tail"]},
            ),
            item(
                "poly5",
                "polygonlabels",
                "poly",
                {
                    "points": [[5.123, 6.5], [40.25, 7.125], [22.0, 41.875]],
                    "closed": True,
                    "polygonlabels": ["road"],
                },
            ),
            item(
                "plain",
                "rectanglelabels",
                "bbox",
                {
                    "x": 5.123,
                    "y": 7.0,
                    "width": 11.111,
                    "height": 13.5,
                    "rotation": 0,
                    "rectanglelabels": ["car"],
                },
            ),
        ]
        self._append(image, items, "me")
        return [str(i["id"]) for i in items]

    def add_whole_image_answer(self, image: ImageRef) -> str:
        """A date for the whole image: limner's image tags hold choices, text and numbers
        (whole-image Choices, TextArea and Rating come in as tags), not dates."""
        body = {"label_config": CONFIG.format(extra=DATES)}
        _check(self.http.patch(f"/api/projects/{self.project}/", json=body), 200)
        answer = {
            "id": "when1",
            "type": "datetime",
            "from_name": "when",
            "to_name": "image",
            "origin": "manual",
            "value": {"datetime": "2026-01-01"},
        }
        self._append(image, [answer], "me")
        return "when1"

    def add_unrepresentable(self, image: ImageRef) -> str:
        """A labeled relation between two boxes: an unlabeled one makes them a group, but
        a label says more than "one object", and limner keeps no such relations."""
        a = self.add_shape(image, Shape("car", Box(2, 2, 10, 10)))
        b = self.add_shape(image, Shape("car", Box(30, 20, 40, 30)))
        relation = {
            "from_id": a,
            "to_id": b,
            "type": "relation",
            "direction": "right",
            "labels": ["follows"],
        }
        self._append(image, [relation], "me")
        return f"relation:{a}"

    def add_malformed(self, image: ImageRef, limit: int | None = None) -> list[Malformed]:
        w, h = image.width, image.height

        def rect(rid: str, value: dict[str, Any], **over: Any) -> dict[str, Any]:
            base = {
                "id": rid,
                "type": "rectanglelabels",
                "from_name": "bbox",
                "to_name": "image",
                "original_width": w,
                "original_height": h,
                "value": {"x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, **value},
            }
            return {**base, **over}

        car = {"rectanglelabels": ["car"]}
        cases = [
            (
                "m-huge",
                "a box spanning -1e9..1e12",
                rect("m-huge", {"x": -1e9, "width": 1e12 + 1e9, "rectanglelabels": ["car"]}),
            ),
            ("m-nolabel", "a box with no label", rect("m-nolabel", {"rectanglelabels": []})),
            ("m-unknown", "an unknown class", rect("m-unknown", {"rectanglelabels": ["bus"]})),
            # Label Studio refuses NaN in JSON (HTTP 400): a non-number coordinate stands in
            ("m-nan", "a coordinate that is not a number", rect("m-nan", {"x": "five", **car})),
            ("m-zero", "a zero-size box", rect("m-zero", {"width": 0, "rectanglelabels": ["car"]})),
            (
                "m-type",
                "an unknown type",
                rect("m-type", {"squiggles": ["car"]}, type="squigglelabels"),
            ),
            (
                "m-poly2",
                "a polygon with 2 points",
                {
                    "id": "m-poly2",
                    "type": "polygonlabels",
                    "from_name": "poly",
                    "to_name": "image",
                    "original_width": w,
                    "original_height": h,
                    "value": {"points": [[5, 5], [30, 30]], "polygonlabels": ["road"]},
                },
            ),
        ]
        cases = cases[:limit]
        self._append(image, [raw for _, _, raw in cases], "me")
        return [Malformed(rid, what) for rid, what, _ in cases]

    # -- faults ---------------------------------------------------------------------------
    def garble(self) -> None:
        self.relay.garble(r"^/api/tasks/?$", b"[1,2,3]")

    def recover(self) -> None:
        self.relay.recover()

    def stop(self) -> None:
        self.relay.stop()
        self.server.stop()

    def start(self) -> None:
        if not self.server.running:
            self.server.start()
        self.relay.start()

    def writes(self) -> int:
        return len(self.relay.writes())

    def close(self) -> None:
        self.relay.close()
        self.http.close()
        if not self.server.running:
            self.server.start()  # the session's other tests need it
