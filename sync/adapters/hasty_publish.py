"""Publishing to Hasty: the upload flow its API documents, into one dataset.

Each image takes three steps: an upload slot (``GET .../uploads?count=N`` gives an id and
a signed URL per file), the bytes ``PUT`` to that URL, and the image made from the slot
(``POST .../images`` with the dataset, the upload id, the file name and an
``external_id`` that names limner's image, ``limner:<uuid>`` as for labels). Slots and
uploaded bytes that never became an image cost nothing, so only the last step is sent
without retries: when its answer is lost, publishing lists the images again and finds the
one made by its ``external_id``. The dataset is the one the user names (``--set
dataset=NAME``), made when the project has none of that name.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.sync import shapes
from limner.sync.adapters.hasty import make_hasty_adapter
from limner.sync.adapters.hasty_format import READ_STATUSES, external_id_for, uuid_from_external
from limner.sync.adapters.hasty_http import HastyApi
from limner.sync.errors import ProtocolError
from limner.sync.publish import Existing, LocalImage, Uploaded, store_remote
from limner.sync.transport import RawBody

DEFAULT_DATASET = "limner"
SLOTS_PER_REQUEST = 50  # the most upload slots one request may ask for


class HastyPublisher:
    kind = "hasty"

    def __init__(self, api: HastyApi, dataset: str = DEFAULT_DATASET) -> None:
        self.api = api
        self.dataset_name = dataset or DEFAULT_DATASET
        self._dataset_id: str | None = None
        self._dataset_lock = threading.Lock()  # batches upload in parallel: make it once
        self._base = f"/v1/projects/{api.project_id}"

    def dataset_id(self) -> str:
        """The id of the dataset named ``dataset_name``, made when there is none."""
        with self._dataset_lock:
            return self._find_or_make_dataset()

    def _find_or_make_dataset(self) -> str:
        if self._dataset_id is None:
            for item in self.api.paged("datasets"):
                if str(item.get("name")) == self.dataset_name:
                    self._dataset_id = str(item["id"])
                    break
            else:
                made = self._post(f"{self._base}/datasets", {"name": self.dataset_name})
                self._dataset_id = str(shapes.obj(made, "POST datasets")["id"])
        return self._dataset_id

    def existing(self) -> list[Existing]:
        out = []
        for item in self.api.paged("images"):
            status = READ_STATUSES.get(str(item.get("status") or ""), None)
            out.append(
                Existing(
                    key=str(item["id"]),
                    name=str(item.get("name") or ""),
                    content_hash=None,  # Hasty keeps no hash of its own
                    image_uuid=uuid_from_external(item.get("external_id")),
                    url=str(item.get("public_url") or ""),
                    status=status,
                )
            )
        return out

    def upload(self, batch: Sequence[LocalImage]) -> list[Uploaded]:
        dataset = self.dataset_id()
        slots = self._slots(len(batch))
        made: list[Uploaded] = []
        for image, slot in zip(batch, slots, strict=True):
            self._put(str(slot["url"]), image)
            body = {
                "dataset_id": dataset,
                "upload_id": str(slot["id"]),
                "filename": image.name,
                "external_id": external_id_for(image.uuid),
            }
            answer = self.api.t.request("POST", f"{self._base}/images", json=body, retry=False)
            item = shapes.obj(self.api.t.decode_json(answer, "POST images"), "POST images")
            made.append(Uploaded(image.uuid, str(item["id"]), str(item.get("public_url") or "")))
        return made

    def _slots(self, count: int) -> list[Mapping[str, Any]]:
        slots: list[Mapping[str, Any]] = []
        while len(slots) < count:
            want = min(SLOTS_PER_REQUEST, count - len(slots))
            body = self.api.t.get_json(f"{self._base}/uploads", params={"count": want})
            items = shapes.items(body, "GET uploads", key="items")
            if len(items) != want:
                raise ProtocolError(f"GET uploads: asked for {want} upload slots, got {len(items)}")
            slots.extend(items)
        return slots

    def _put(self, url: str, image: LocalImage) -> None:
        """The bytes to a signed URL: it carries its own permission, never our key."""
        kind = mimetypes.guess_type(image.path.name)[0] or ""
        if not kind.startswith("image/"):  # the document asks for an image/* type
            kind = "image/" + (image.path.suffix.lstrip(".").lower() or "jpeg")
        body = RawBody(image.path.read_bytes(), kind)
        self.api.t.request("PUT", url, data=body, auth=False)

    def _post(self, path: str, body: Any) -> Any:
        answer = self.api.t.request("POST", path, json=body, retry=False)
        return self.api.t.decode_json(answer, f"POST {path}")

    def close(self) -> None:
        self.api.t.close()


def open_publish(
    store: ProjectStore,
    url: str,
    token: str,
    *,
    project: str,
    remote: sync_store.RemoteRecord | None = None,
    settings: Mapping[str, Any] | None = None,
) -> tuple[sync_store.RemoteRecord, HastyPublisher, list[str]]:
    """The remote (stored now unless a stopped publish stored it) and the publisher."""
    if remote is None:
        remote = store_remote(store, "hasty", url, str(project), settings)
    adapter = make_hasty_adapter(
        remote.base_url, remote.project_ref, token, settings=remote.settings
    )
    dataset = str(remote.settings.get("dataset") or DEFAULT_DATASET)
    return remote, HastyPublisher(adapter.api, dataset), [f"Hasty dataset {dataset!r}"]
