"""The Clarifai fake's PostInputs: images sent as bytes, each under the id the client gives.

As the API does, an input id may be chosen by the client and is unique in the app: a
second input with a taken id is refused item by item (``MIXED_STATUS`` when others of the
batch were stored), and nothing of a refused item is kept. Images must decode.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

from PIL import Image

from tests.fakes.clarifai_rpcs import CONN_INVALID_REQUEST, ApiError, status

SUCCESS, MIXED_STATUS, FAILURE = 10000, 10010, 10020
INPUT_DUPLICATE = 40010  # an input with this id exists already
INPUT_INVALID = 40013  # the bytes are not an image


class InputUploads:
    inputs: dict[str, dict[str, Any]]

    if TYPE_CHECKING:  # the fake's own, which this mixin is part of

        def add_input(self, input_id: str, width: int, height: int, **kw: Any) -> dict: ...

    def rpc_PostInputs(self, request: dict) -> tuple[int, dict]:
        sent = request.get("inputs") or []
        if not sent:
            raise ApiError(400, CONN_INVALID_REQUEST, "inputs: at least one input is needed")
        out: list[dict[str, Any]] = []
        for item in sent:
            out.append(self._post_one(item))
        refused = [o for o in out if o["status"]["code"] in (INPUT_DUPLICATE, INPUT_INVALID)]
        code = SUCCESS if not refused else FAILURE if len(refused) == len(out) else MIXED_STATUS
        return (200 if code != FAILURE else 400), {"status": status(code), "inputs": out}

    def _post_one(self, item: dict[str, Any]) -> dict[str, Any]:
        input_id = str(item.get("id") or "")
        if not input_id or input_id in self.inputs:
            return {"id": input_id, "status": status(INPUT_DUPLICATE)}
        raw = ((item.get("data") or {}).get("image") or {}).get("base64") or ""
        try:
            content = base64.b64decode(raw)
            with Image.open(io.BytesIO(content)) as picture:
                width, height = picture.size
        except (ValueError, OSError):
            return {"id": input_id, "status": status(INPUT_INVALID)}
        stored = self.add_input(input_id, width, height, content=content)
        metadata = (item.get("data") or {}).get("metadata")
        if metadata:
            stored.setdefault("data", {})["metadata"] = metadata
        return stored
