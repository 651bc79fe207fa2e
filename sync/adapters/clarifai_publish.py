"""Publishing to Clarifai: each local image becomes an input whose id is limner's own.

Clarifai lets the client choose an input's id (unique in the app), so the image's uuid is
the input id and the content hash and file name ride in the input's metadata. That makes
the create idempotent by nature: a second ``POST .../inputs`` with the same id is refused
item by item and never makes a second input, and a run that lost an answer finds the
input by its id in the listing. Creates are still sent once, never retried blindly.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.sync.adapters.clarifai import build_adapter
from limner.sync.adapters.clarifai_http import ClarifaiApi
from limner.sync.publish import Existing, LocalImage, Uploaded, store_remote

PER_PAGE = 1000
#: An input in the answer with one of these was stored: success, or its download done,
#: pending or under way (the API fetches and processes new inputs in the background).
STORED_INPUT_CODES = frozenset({10000, 30000, 30001, 30002, 30003})
HASH_KEY = "limner_hash"
NAME_KEY = "limner_name"


class ClarifaiPublisher:
    kind = "clarifai"

    def __init__(self, api: ClarifaiApi) -> None:
        self.api = api
        self.refusals: dict[str, str] = {}  # image uuid -> why the server refused it

    def existing(self) -> list[Existing]:
        out: list[Existing] = []
        last: str | None = None
        while True:
            params: dict[str, Any] = {"per_page": PER_PAGE}
            if last:
                params["last_id"] = last
            body = self.api.call("StreamInputs", params=params)
            items = self.api.items(body, "StreamInputs", "inputs")
            for item in items:
                out.append(_existing(item))
            if len(items) < PER_PAGE:
                return out
            last = str(items[-1]["id"])

    def upload(self, batch: Sequence[LocalImage]) -> list[Uploaded]:
        inputs = [
            {
                "id": image.uuid,
                "data": {
                    "image": {"base64": base64.b64encode(image.path.read_bytes()).decode()},
                    "metadata": {HASH_KEY: image.content_hash or "", NAME_KEY: image.name},
                },
            }
            for image in batch
        ]
        path = f"/v2/users/{self.api.owner}/apps/{self.api.app}/inputs"
        response = self.api.t.request("POST", path, json={"inputs": inputs}, retry=False)
        answer = self.api.t.decode_json(response, "POST inputs")
        items = [dict(i) for i in (answer.get("inputs") or []) if isinstance(i, Mapping)]
        stored: set[str] = set()
        for item in items:
            state = item.get("status") if isinstance(item.get("status"), Mapping) else {}
            if state.get("code") in STORED_INPUT_CODES:
                stored.add(str(item.get("id")))
            else:
                words = state.get("description") or "refused"
                self.refusals[str(item.get("id"))] = f"Clarifai: {words} (code {state.get('code')})"
        return [Uploaded(image.uuid, image.uuid) for image in batch if image.uuid in stored]

    def close(self) -> None:
        self.api.t.close()


def _existing(item: Mapping[str, Any]) -> Existing:
    data = item.get("data") if isinstance(item.get("data"), Mapping) else {}
    meta = data.get("metadata") if isinstance(data.get("metadata"), Mapping) else {}
    image = data.get("image") if isinstance(data.get("image"), Mapping) else {}
    digest = meta.get(HASH_KEY)
    return Existing(
        key=str(item["id"]),
        name=str(meta.get(NAME_KEY) or ""),
        content_hash=digest if isinstance(digest, str) and digest else None,
        image_uuid=str(item["id"]),  # a published input's id is its image's uuid
        url=str(image.get("url") or ""),
        status=None,
    )


def open_publish(
    store: ProjectStore,
    url: str,
    token: str,
    *,
    project: str,
    remote: sync_store.RemoteRecord | None = None,
    settings: Mapping[str, Any] | None = None,
) -> tuple[sync_store.RemoteRecord, ClarifaiPublisher, list[str]]:
    """The remote (stored now unless a stopped publish stored it) and the publisher."""
    if remote is None:
        remote = store_remote(store, "clarifai", url, project, settings)
    adapter = build_adapter(remote.base_url, remote.project_ref, token, settings=remote.settings)
    return remote, ClarifaiPublisher(adapter.api), []
