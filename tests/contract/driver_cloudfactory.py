"""The contract suite's CloudFactory driver: the work-item fake, seeded like its workers.

A work item is an image and its ``labels`` array is its regions; a label is only
``{metadata, bbox}`` (``[x, y, w, h]`` pixels), so this server has boxes and nothing else.
Labels carry no id of their own: the driver tags the labels it makes with a ``ref`` key in
their metadata (free-form on this API, as workers' tools fill it) and names limner's by
the uuid limner keeps there; any other label is named by its position. Statuses are
the item's ``NEW/IN_PROGRESS/COMPLETED/FAILED`` plus the review signals sent to it.
"""

from __future__ import annotations

import copy
import uuid as uuidlib
from typing import Any

from tests.contract.codecs import Shape, cloudfactory_decode, cloudfactory_encode, png, readable
from tests.contract.drivers import Driver, ImageRef, Malformed, NotExpressible
from tests.fakes.cloudfactory_server import CloudFactoryFake

KEY = "cf-contract-key"
STATUS_OUT = {
    "new": "NEW",
    "in_progress": "IN_PROGRESS",
    "submitted": "COMPLETED",
    "skipped": "FAILED",
}
STATUS_IN = {v: k for k, v in STATUS_OUT.items()}


class CloudFactoryDriver(Driver):
    kind = "cloudfactory"
    shape_kinds = frozenset({"box"})
    token_env = "LIMNER_CONTRACT_CF_KEY"
    listing_fragment = "/workItems"
    region_ids = False

    def __init__(self, title: str) -> None:
        self.fake = CloudFactoryFake(KEY).start()
        self.space, self.project = self.fake.add_project(title)

    @property
    def token(self) -> str:
        return KEY

    def clone_args(self) -> list[str]:
        return [
            "--kind",
            "cloudfactory",
            "--url",
            self.fake.base_url,
            "--project",
            f"{self.space}/{self.project}",
            "--set",
            'classes=["car", "road", "sky", "pose"]',
        ]

    def add_image(self, name: str, width: int = 64, height: int = 48, seed: int = 0) -> ImageRef:
        key = self.fake.add_work_item(self.project, name, png(width, height, seed))
        return ImageRef(key, name, width, height)

    def delete_image(self, image: ImageRef) -> None:
        with self.fake.lock:
            del self.fake.items[image.key]
            del self.fake.item_project[image.key]

    # -- labels ---------------------------------------------------------------------------
    def _labels(self, image: ImageRef) -> list[Any]:
        return copy.deepcopy(self.fake.items[image.key]["labels"])

    @staticmethod
    def _name(label: Any, index: int) -> str:
        meta = label.get("metadata") if isinstance(label, dict) else None
        if isinstance(meta, dict):
            for key in ("ref", "limner_uuid"):
                if isinstance(meta.get(key), str):
                    return str(meta[key])
        return f"#{index}"

    def _index(self, labels: list[Any], rid: str) -> int:
        for index, label in enumerate(labels):
            if self._name(label, index) == rid:
                return index
        raise AssertionError(f"no label {rid} on work item")

    def add_raw(self, image: ImageRef, raw: Any) -> str:
        labels = [*self._labels(image), raw]
        self.fake.edit_labels(image.key, labels)
        return self._name(raw, len(labels) - 1)

    def add_shape(self, image: ImageRef, shape: Shape, *, author: str = "me") -> str:
        label = cloudfactory_encode(shape)
        label["metadata"]["ref"] = f"w{uuidlib.uuid4().hex[:10]}"
        return self.add_raw(image, label)

    def edit_shape(self, image: ImageRef, rid: str, shape: Shape) -> None:
        labels = self._labels(image)
        index = self._index(labels, rid)
        new = cloudfactory_encode(shape)
        metadata = {**labels[index]["metadata"], **new["metadata"]}
        labels[index] = {"metadata": metadata, "bbox": new["bbox"]}
        self.fake.edit_labels(image.key, labels)

    def delete_region(self, image: ImageRef, rid: str) -> None:
        labels = self._labels(image)
        del labels[self._index(labels, rid)]
        self.fake.edit_labels(image.key, labels)

    def raw(self, image: ImageRef) -> dict[str, Any]:
        return {self._name(label, i): label for i, label in enumerate(self._labels(image))}

    def shapes(self, image: ImageRef) -> dict[str, Shape]:
        out: dict[str, Shape] = {}
        for rid, label in self.raw(image).items():
            shape = readable(cloudfactory_decode, label)
            if shape is not None:
                out[rid] = shape
        return out

    # -- statuses -------------------------------------------------------------------------
    def set_status(self, image: ImageRef, status: str, comment: str = "") -> None:
        if status not in STATUS_OUT:
            raise NotExpressible(f"CloudFactory has no readable {status!r} status")
        self.fake.set_status(image.key, STATUS_OUT[status])

    def status(self, image: ImageRef) -> tuple[str, str | None]:
        item = self.fake.items[image.key]
        mine = [s for s in self.fake.signals if s["workItemID"] == image.key]
        last = mine[-1] if mine else None
        comments = ((last or {}).get("feedback") or {}).get("comments") or []
        comment = str(comments[-1]) if comments else None
        if last and last["taskType"] == "review":
            if last["signalOutcome"] == "OK" and item["status"] == "COMPLETED":
                return "approved", comment
            if last["signalOutcome"] == "NOT_OK":
                return "rejected", comment
        if last and last["taskType"] == "bulk" and last["signal"] == "reopen" and comments:
            return "rejected", comment
        return STATUS_IN[str(item["status"])], None

    # -- what CloudFactory can express ----------------------------------------------------
    def add_tricky(self, image: ImageRef) -> list[str]:
        labels = [
            {
                "metadata": {"category": "car", "worker": "w-17", "confidence": 0.93, "ref": "t1"},
                "bbox": [5.123, 6.5, 20.25, 10.125],
            },
            {
                "metadata": {"category": "car", "ref": "t2", "source": {"tool": "x", "v": [1, 2]}},
                "bbox": [30, 20, 10.5, 7],
            },
        ]
        return [self.add_raw(image, label) for label in labels]

    def add_malformed(self, image: ImageRef, limit: int | None = None) -> list[Malformed]:
        """Labels the server accepts (4 numbers >= 0) that are no box in the image.

        Labels the API itself refuses (a bbox of 3 numbers or of strings, a null or negative
        coordinate, a label that is no object) are left out: the labels array is written as
        a whole, and an array holding one of them could never be written back by anyone.
        """

        def label(ref: str, bbox: Any) -> dict[str, Any]:
            return {"metadata": {"category": "car", "ref": ref}, "bbox": bbox}

        cases = [
            ("a box spanning 0..1e12", label("mhuge", [0, 0, 1e12, 10])),
            ("a zero-size box", label("mzero", [5, 5, 0, 4])),
            ("a box outside the image", label("mfar", [1000, 1000, 10, 10])),
            ("a box wider than the image", label("mwide", [2, 2, 5000, 8])),
        ]
        return [Malformed(self.add_raw(image, raw), what) for what, raw in cases[:limit]]

    # -- faults ---------------------------------------------------------------------------
    def garble(self) -> None:
        self.fake.fault(
            times=10**9, status=200, body=b"[1,2,3]", method="GET", path_contains="/workItems"
        )

    def recover(self) -> None:
        self.fake.clear_faults()

    def stop(self) -> None:
        self.fake.stop()

    def start(self) -> None:
        self.fake.start()

    def writes(self) -> int:
        return sum(
            1
            for method, target, _ in self.fake.requests
            if method != "GET" and not target.split("?")[0].endswith("/signedurls")
        )

    def close(self) -> None:
        self.fake.stop()
