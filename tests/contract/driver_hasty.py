"""The contract suite's Hasty driver: the in-memory Hasty v1 fake, seeded like Hasty's UI.

The fake validates every label like an API create, so only what Hasty itself would
store can be seeded. The driver wraps the fake's request handler to keep the body of
every write limner sends (to tell "rewritten" from "left alone" even when a rewrite
changes no byte, since the fake's timestamps have whole seconds) and to make the image
listing answer ``[1,2,3]`` while a test wants garbage.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from tests.contract.codecs import Shape, hasty_decode, hasty_encode, png, readable
from tests.contract.drivers import Driver, ImageRef, Malformed
from tests.fakes.hasty_server import OTHER_USER, HastyFake

STATUS_OUT = {
    "new": "NEW",
    "in_progress": "IN PROGRESS",
    "submitted": "TO REVIEW",
    "approved": "DONE",
    "skipped": "SKIPPED",
    "rejected": "Rejected",
}
STATUS_IN = {v: k for k, v in STATUS_OUT.items()} | {"COMPLETED": "approved"}
UNKNOWN_CLASS = "0e2c7a52-5d3b-4f7e-9d8a-1b2c3d4e5f60"
LISTING = re.compile(r"^/v1/projects/[^/]+/images$")


class HastyDriver(Driver):
    kind = "hasty"
    shape_kinds = frozenset({"box", "polygon", "mask", "keypoints"})
    token_env = "LIMNER_CONTRACT_HASTY_KEY"
    listing_fragment = "/images"
    # The fake puts the name into the file URL as it is, NUL included (odd_names_download
    # keeps its default): limner must fetch it the way a browser does, percent-encoded.

    def __init__(self, title: str) -> None:
        self.fake = HastyFake().start()
        self.pid = self.fake.add_project(title)
        self.dataset = self.fake.add_dataset(self.pid, "default")
        self.class_ids = {
            name: self.fake.add_label_class(self.pid, name, color)
            for name, color in (
                ("car", "#ff0000"),
                ("road", "#00ff00"),
                ("sky", "#0000ff"),
                ("pose", "#ffff00"),
            )
        }
        schema = self.fake.add_keypoint_schema(
            self.pid, "pose", ["nose", "tail"], [(0, 1)], [self.class_ids["pose"]]
        )
        self.point_ids = [k["id"] for k in schema["keypoint_classes"]]
        self.fake.add_custom_status(self.pid, "Rejected")
        self.bodies: list[tuple[str, str, Any]] = []
        self.garbled = False
        original = self.fake.handle

        def handle(method: str, path: str, query: Any, body: Any, headers: Any) -> Any:
            if method != "GET":
                self.bodies.append((method, path, copy.deepcopy(body)))
            elif self.garbled and LISTING.match(path):
                return 200, [1, 2, 3], {}
            return original(method, path, query, body, headers)

        self.fake.handle = handle  # type: ignore[method-assign]

    @property
    def token(self) -> str:
        return self.fake.api_key

    def clone_args(self) -> list[str]:
        return ["--kind", "hasty", "--url", self.fake.url, "--project", self.pid]

    def add_image(self, name: str, width: int = 64, height: int = 48, seed: int = 0) -> ImageRef:
        key = self.fake.add_image(self.pid, self.dataset, name, png(width, height, seed))
        return ImageRef(key, name, width, height)

    def delete_image(self, image: ImageRef) -> None:
        with self.fake.lock:
            del self.fake.images[image.key]

    def _body(self, shape: Shape) -> dict[str, Any]:
        return hasty_encode(shape, self.class_ids[str(shape.cls)], self.point_ids)

    def add_shape(self, image: ImageRef, shape: Shape, *, author: str = "me") -> str:
        return str(self.fake.add_label(self.pid, image.key, self._body(shape))["id"])

    def add_raw(self, image: ImageRef, raw: Any) -> str:
        return str(self.fake.add_label(self.pid, image.key, raw)["id"])

    def edit_shape(self, image: ImageRef, rid: str, shape: Shape) -> None:
        body = self._body(shape)
        changes = {"polygon": None, "mask": None, "keypoints": [], **body}
        self.fake.edit_label(self.pid, rid, **changes)

    def delete_region(self, image: ImageRef, rid: str) -> None:
        self.fake.remove_label(rid)

    def raw(self, image: ImageRef) -> dict[str, Any]:
        return {str(label["id"]): label for label in self.fake.image_labels(image.key)}

    def shapes(self, image: ImageRef) -> dict[str, Shape]:
        names = {v: k for k, v in self.class_ids.items()}
        out: dict[str, Shape] = {}
        for rid, label in self.raw(image).items():
            shape = readable(hasty_decode, label, image.width, image.height, names, self.point_ids)
            if shape is not None:
                out[rid] = shape
        return out

    def sent_ids(self) -> set[str]:
        """Ids of labels that limner's writes named (edits, deletions)."""
        found: set[str] = set()
        for _method, _path, body in self.bodies:
            for item in body if isinstance(body, list) else []:
                if isinstance(item, dict):
                    found.update(str(item[k]) for k in ("id", "label_id") if item.get(k))
        return found

    def set_status(self, image: ImageRef, status: str, comment: str = "") -> None:
        self.fake.set_status(self.pid, image.key, STATUS_OUT[status])

    def status(self, image: ImageRef) -> tuple[str, str | None]:
        return STATUS_IN[str(self.fake.images[image.key]["status"])], None

    # -- what Hasty can express -----------------------------------------------------------
    def add_tricky(self, image: ImageRef) -> list[str]:
        road, sky, pose, car = (self.class_ids[n] for n in ("road", "sky", "pose", "car"))
        crop = [2, 3, 9, 5, 17, 2]
        labels = [
            {
                "class_id": road,
                "bbox": [5, 5, 41, 41],
                "polygon": [[5, 5], [40, 8], [20, 40], [5, 5]],
                "z_index": 3,
                "tool_used": "polygon",
                "external_event_id": "ev-1",
            },
            {"class_id": sky, "bbox": [30, 20, 36, 24], "mask": crop, "tool_used": "brush"},
            {
                "class_id": pose,
                "bbox": [9, 9, 31, 31],
                "keypoints": [
                    {"keypoint_class_id": self.point_ids[0], "x": 10, "y": 10, "visible": False},
                    {"keypoint_class_id": self.point_ids[1], "x": 30, "y": 30, "norder": 0.5},
                ],
            },
            {"class_id": car, "bbox": [1, 2, 12, 9], "z_index": 7, "external_id": "theirs:42"},
        ]
        return [self.add_raw(image, label) for label in labels]

    def add_unrepresentable(self, image: ImageRef) -> str:
        """One label holding a polygon and a mask at once (limner keeps one shape each)."""
        body = {
            "class_id": self.class_ids["sky"],
            "bbox": [2, 2, 6, 5],
            "polygon": [[2, 2], [6, 2], [4, 5], [2, 2]],
            "mask": [2, 2, 5, 4, 11, 1],
        }
        return self.add_raw(image, body)

    def add_malformed(self, image: ImageRef, limit: int | None = None) -> list[Malformed]:
        """Broken labels the server holds from elsewhere (stored without Hasty's checks)."""
        road, car, pose = self.class_ids["road"], self.class_ids["car"], self.class_ids["pose"]
        far = {"keypoint_class_id": self.point_ids[0], "x": 5000, "y": 5000, "visible": True}
        cases = [
            (
                "a box spanning -1e9..1e12",
                {"class_id": car, "bbox": [-1_000_000_000, 0, 1_000_000_000_000, 10]},
            ),
            ("a label without a class", {"class_id": None, "bbox": [5, 5, 20, 20]}),
            ("an unknown class", {"class_id": UNKNOWN_CLASS, "bbox": [5, 5, 20, 20]}),
            ("a NaN coordinate", {"class_id": car, "bbox": [float("nan"), 5, 20, 20]}),
            ("a zero-size box", {"class_id": car, "bbox": [5, 5, 5, 9]}),
            ("an unknown geometry", {"class_id": car, "polyline": [[1, 2], [30, 40]]}),
            ("a polygon with 2 points", {"class_id": road, "polygon": [[5, 5], [30, 30], [5, 5]]}),
            ("a keypoint far outside the image", {"class_id": pose, "keypoints": [far]}),
        ]
        made = []
        for what, fields in cases[:limit]:
            label = self.fake.add_raw_label(image.key, fields)
            made.append(Malformed(str(label["id"]), what))
        return made

    def other_user(self) -> str:
        return OTHER_USER

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
        return sum(1 for method, _path, _query in self.fake.requests if method != "GET")

    def close(self) -> None:
        self.fake.stop()
