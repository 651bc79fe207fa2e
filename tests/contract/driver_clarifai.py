"""The contract suite's Clarifai driver: the protocol-checked Clarifai v2 fake.

An image is an input, a region is an annotation with one region (Clarifai's own shape of
a labeled object), made by the token's user ("me", status pending: work in progress)
or by a colleague (status success). The image status is what the annotation statuses
say. Inputs added by URL are served by a small file host without credentials, which is
how an image name can carry characters an input id never could. Garbage answers come
from wrapping the fake's handler for the input listing routes.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import quote, urlsplit

import numpy as np

from tests.contract.codecs import (
    Shape,
    clarifai_decode,
    clarifai_encode,
    clarifai_region_info,
    mask_png_b64,
    png,
    readable,
)
from tests.contract.drivers import Driver, ImageRef, Malformed, NotExpressible
from tests.contract.relay import Relay
from tests.fakes.clarifai_server import ClarifaiFake

PENDING, AWAITING_REVIEW, SUCCESS, DENIED = 24151, 24157, 24150, 24158
STATUS_CODE = {
    "in_progress": PENDING,
    "submitted": AWAITING_REVIEW,
    "approved": SUCCESS,
    "rejected": DENIED,
}
COLLEAGUE = "colleague"


class ClarifaiDriver(Driver):
    kind = "clarifai"
    shape_kinds = frozenset({"box", "polygon", "mask", "keypoints"})
    token_env = "LIMNER_CONTRACT_CLARIFAI_PAT"
    listing_fragment = "/inputs"

    def __init__(self, title: str) -> None:
        self.fake = ClarifaiFake().start()
        self.fake.add_app(self.fake.app_id, title)
        for name in ("car", "road", "sky"):
            self.fake.add_concept(name, name)
        pose = {"keypoint_names": ["nose", "tail"], "skeleton": [{"k1": 0, "k2": 1}]}
        self.fake.add_concept("pose", "pose", pose)
        self.files = Relay().start()
        self.garbled = False
        original = self.fake.handle

        def handle(method: str, raw_path: str, headers: Any, raw_body: bytes) -> Any:
            path = urlsplit(raw_path).path
            if self.garbled and method == "GET" and "/inputs" in path:
                return 200, {"Content-Type": "application/json"}, b"[1,2,3]", None
            return original(method, raw_path, headers, raw_body)

        self.fake.handle = handle  # type: ignore[method-assign]

    @property
    def token(self) -> str:
        return self.fake.token

    def clone_args(self) -> list[str]:
        # deletions are only seen by a full pass; the suite wants one every run
        return [
            "--kind",
            "clarifai",
            "--url",
            self.fake.url,
            "--project",
            f"{self.fake.user_id}/{self.fake.app_id}",
            "--set",
            "full_pass_hours=0",
            "--set",
            "requests_per_second=1000",
        ]

    def add_image(self, name: str, width: int = 64, height: int = 48, seed: int = 0) -> ImageRef:
        stem = re.sub(r"[^a-z0-9-]+", "-", name.rsplit(".", 1)[0].lower()).strip("-") or "img"
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            path = "/files/" + quote(name)
            self.files.files[path] = png(width, height, seed)
            self.fake.add_input(stem, width, height, url=self.files.url + path)
            return ImageRef(stem, name, width, height)
        self.fake.add_input(stem, width, height, seed=seed)
        return ImageRef(stem, f"{stem}.png", width, height)

    def delete_image(self, image: ImageRef) -> None:
        with self.fake.lock:
            del self.fake.inputs[image.key]
            for rid in [k for k, a in self.fake.annotations.items() if a["input_id"] == image.key]:
                del self.fake.annotations[rid]

    def reuse_key(self, image: ImageRef, name: str, seed: int) -> ImageRef:
        """Input ids are the client's: a new input may take a deleted one's id."""
        self.delete_image(image)
        path = "/files/" + quote(name)
        self.files.files[path] = png(image.width, image.height, seed)
        self.fake.add_input(image.key, image.width, image.height, url=self.files.url + path)
        return ImageRef(image.key, name, image.width, image.height)

    def add_raw(self, image: ImageRef, raw: Any, *, by: str | None = None) -> str:
        body = {"input_id": image.key, **raw}
        status = {"code": PENDING} if by in (None, self.fake.user_id) else {"code": SUCCESS}
        body.setdefault("status", status)
        return str(self.fake.add_annotation(body, by=by or self.fake.user_id)["id"])

    def add_shape(self, image: ImageRef, shape: Shape, *, author: str = "me") -> str:
        by = COLLEAGUE if author == "other" else self.fake.user_id
        body = clarifai_encode(image.key, shape, image.width, image.height)
        return self.add_raw(image, body, by=by)

    def edit_shape(self, image: ImageRef, rid: str, shape: Shape) -> None:
        info = clarifai_region_info(shape.geometry, image.width, image.height)

        def change(item: dict[str, Any]) -> None:
            region = item["data"]["regions"][0]
            region["region_info"] = info
            region["data"] = {"concepts": [{"id": shape.cls, "value": 1}]}

        self.fake.edit_annotation(rid, change)

    def delete_region(self, image: ImageRef, rid: str) -> None:
        self.fake.delete_annotation(rid)

    def raw(self, image: ImageRef) -> dict[str, Any]:
        return dict(self.fake.regions_of(image.key))

    def shapes(self, image: ImageRef) -> dict[str, Shape]:
        out: dict[str, Shape] = {}
        for rid, annotation in self.raw(image).items():
            shape = readable(clarifai_decode, annotation, image.width, image.height)
            if shape is not None:
                out[rid] = shape
        return out

    def authors(self, image: ImageRef) -> dict[str, str]:
        return {
            rid: str(((a.get("worker") or {}).get("user") or {}).get("id"))
            for rid, a in self.raw(image).items()
        }

    def other_user(self) -> str:
        return COLLEAGUE

    def set_status(self, image: ImageRef, status: str, comment: str = "") -> None:
        if status not in STATUS_CODE:
            raise NotExpressible(f"Clarifai annotation statuses cannot say {status!r}")
        code = STATUS_CODE[status]

        def change(item: dict[str, Any]) -> None:
            item["status"] = {"code": code}

        for rid, annotation in self.raw(image).items():
            if (annotation.get("data") or {}).get("regions"):
                self.fake.edit_annotation(rid, change)

    def status(self, image: ImageRef) -> tuple[str, str | None]:
        codes = [
            int((a.get("status") or {}).get("code") or 0)
            for a in self.raw(image).values()
            if (a.get("data") or {}).get("regions")
        ]
        if not codes:
            return "new", None
        for code, name in ((DENIED, "rejected"), (PENDING, "in_progress")):
            if code in codes:
                return name, None
        if AWAITING_REVIEW in codes:
            return "submitted", None
        return ("approved" if all(c == SUCCESS for c in codes) else "in_progress"), None

    # -- what Clarifai can express --------------------------------------------------------
    def add_tricky(self, image: ImageRef) -> list[str]:
        w, h = image.width, image.height
        box = {"top_row": 0.05123, "left_col": 0.1, "bottom_row": 0.4, "right_col": 0.333}
        ring = [{"row": 0.1, "col": 0.1}, {"row": 0.2, "col": 0.8123}, {"row": 0.9, "col": 0.5}]
        points = [
            {"row": 0.2, "col": 0.3, "visibility": "VISIBLE"},
            {"row": 0.25, "col": 0.2, "visibility": "NOT_VISIBLE"},
        ]
        mask = np.zeros((h, w), bool)
        mask[10:20, 30:50] = True
        around = {"top_row": 0.1, "left_col": 0.1, "bottom_row": 0.5, "right_col": 0.5}
        bodies = [
            {"bounding_box": box},
            {"polygon": {"points": ring}},
            {"bounding_box": around, "keypoint_locations": points},
            {"mask": {"image": {"base64": mask_png_b64(mask)}}},
        ]
        concepts = ("car", "road", "pose", "sky")
        out = []
        for info, concept in zip(bodies, concepts, strict=True):
            region = {"region_info": info, "data": {"concepts": [{"id": concept, "value": 1}]}}
            raw = {"data": {"regions": [region]}, "annotation_info": {"tool": "model-7"}}
            out.append(self.add_raw(image, raw, by=COLLEAGUE))
        return out

    def add_whole_image_answer(self, image: ImageRef) -> str:
        """A classification saying "no car here": limner's image tags name concepts that
        are there (a classification of present concepts comes in as a tag)."""
        raw = {"data": {"concepts": [{"id": "car", "value": 0}]}}
        return self.add_raw(image, raw, by=COLLEAGUE)

    def add_unrepresentable(self, image: ImageRef) -> str:
        """One annotation holding two regions: each limner annotation is one shape."""
        regions = [
            {
                "region_info": {"point": {"row": 0.5, "col": 0.25}},
                "data": {"concepts": [{"id": "car", "value": 1}]},
            },
            {
                "region_info": {"point": {"row": 0.25, "col": 0.5}},
                "data": {"concepts": [{"id": "car", "value": 1}]},
            },
        ]
        return self.add_raw(image, {"data": {"regions": regions}}, by=COLLEAGUE)

    def add_malformed(self, image: ImageRef, limit: int | None = None) -> list[Malformed]:
        def box(top: Any, left: float, bottom: float, right: float) -> dict[str, Any]:
            return {
                "bounding_box": {
                    "top_row": top,
                    "left_col": left,
                    "bottom_row": bottom,
                    "right_col": right,
                }
            }

        two = {"polygon": {"points": [{"row": 0.1, "col": 0.1}, {"row": 0.5, "col": 0.5}]}}
        bad_png = {"mask": {"image": {"base64": "bm90IGEgcG5n"}}}
        cases: list[tuple[str, dict[str, Any], str | None]] = [
            ("a box spanning -1e9..1e12", box(0.1, -1e9, 0.3, 1e12), "car"),
            ("a region without a concept", box(0.1, 0.1, 0.3, 0.3), None),
            ("an unknown concept", box(0.1, 0.1, 0.3, 0.3), "bus"),
            ("a NaN coordinate", box("NaN", 0.1, 0.3, 0.3), "car"),  # proto JSON's NaN
            ("a zero-size box", box(0.2, 0.2, 0.2, 0.2), "car"),
            ("a polygon with 2 points", two, "road"),
            ("a mask that is not an image", bad_png, "sky"),
        ]
        out = []
        for what, info, concept in cases[:limit]:
            region: dict[str, Any] = {"region_info": copy.deepcopy(info)}
            if concept:
                region["data"] = {"concepts": [{"id": concept, "value": 1}]}
            rid = self.add_raw(image, {"data": {"regions": [region]}}, by=COLLEAGUE)
            out.append(Malformed(rid, what))
        return out

    # -- faults ---------------------------------------------------------------------------
    def garble(self) -> None:
        self.garbled = True

    def recover(self) -> None:
        self.garbled = False

    def stop(self) -> None:
        self.fake.stop()

    def start(self) -> None:
        self.fake.start()

    def writes(self) -> int:
        return sum(
            1
            for call in self.fake.calls
            if call.method != "GET" and not str(call.rpc or "").endswith("Searches")
        )

    def close(self) -> None:
        self.fake.stop()
        self.files.close()
