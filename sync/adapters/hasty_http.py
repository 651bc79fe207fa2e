"""Hasty's transport and routes: one project's requests, paging and label batches.

:class:`HastyApi` names every call in one route table (each path can be overridden by the
remote's ``routes`` setting), walks ``offset``/``limit`` lists up to ``meta.total``, checks
the shape of what it reads, and remembers the server's clock from the answers' ``Date``
headers. It also sends the label batches, at most 100 labels a request, so that none of
them can happen twice:

- a create whose answer is lost (5xx, cut connection, a mangled body) is looked up by
  its ``external_id`` before anything is sent again, and only what is missing is sent;
  after a timeout nothing is sent again in the same run, since the server may still be
  saving it (the next sync finds it);
- a delete whose answer is lost is followed by a look at which labels are still there;
- full-label edits and attribute values set the same thing when sent twice, so they are
  simply retried.

402 (the workspace is out of credits) is not about one image: it stops the run with the
server's message, like a configuration problem.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from limner.sync import shapes
from limner.sync.adapters.base import chunked
from limner.sync.adapters.hasty_format import BATCH_LIMIT
from limner.sync.errors import ConfigError, NotFoundError, ProtocolError, TransientError
from limner.sync.rest import Routes, ServerClock, cursor_pages, write_then_verify
from limner.sync.transport import Transport, error_message

log = logging.getLogger("limner.sync.hasty")

PAGE_SIZE = 100
_P = "/v1/projects/{project_id}"
# Operation -> (method, path). The keypoint schema paths are inferred: no vendor client
# calls them.
ROUTES: dict[str, tuple[str, str]] = {
    "projects": ("GET", "/v1/projects"),
    "project": ("GET", _P),
    "datasets": ("GET", _P + "/datasets"),
    "label_classes": ("GET", _P + "/label_classes"),
    "attributes": ("GET", _P + "/attributes"),
    "attribute_classes": ("GET", _P + "/attributes_classes"),
    "keypoint_schemas": ("GET", _P + "/keypoint_schemas"),
    "keypoint_schema_classes": ("GET", _P + "/keypoint_schemas_classes"),
    "images": ("GET", _P + "/images"),
    "image": ("GET", _P + "/images/{image_id}"),
    "image_status": ("PUT", _P + "/images/{image_id}/status"),
    "image_labels": ("GET", _P + "/images/{image_id}/labels"),
    "create_labels": ("POST", _P + "/images/{image_id}/labels"),
    "edit_labels": ("PUT", _P + "/images/{image_id}/labels"),
    "delete_labels": ("DELETE", _P + "/images/{image_id}/labels"),
    "project_labels": ("GET", _P + "/labels"),
    "label_attributes": ("GET", _P + "/labels/{label_id}/attributes"),
    "label_attribute": ("POST", _P + "/labels/{label_id}/attributes/{attribute_id}"),
    "tag_classes": ("GET", _P + "/tag_classes"),
    "tag_groups": ("GET", _P + "/tag_groups"),
    "image_tags": ("GET", _P + "/images/{image_id}/tags"),
    "add_image_tags": ("POST", _P + "/images/{image_id}/tags"),
    "delete_image_tags": ("DELETE", _P + "/images/{image_id}/tags"),
}

Label = Mapping[str, Any]


class HastyTransport(Transport):
    """Transport that also knows Hasty's 402 (the workspace is out of credits)."""

    def _raise_for(self, response: httpx.Response) -> None:
        if response.status_code == 402:
            raise ConfigError(
                f"{urlsplit(self.base_url).netloc} answered 402: {error_message(response)} "
                "(the Hasty workspace is out of credits)"
            )
        super()._raise_for(response)


def _log_retry(attempt: int, wait: float, exc: TransientError) -> None:
    log.warning("retry %d in %.1f s after: %s", attempt + 1, wait, exc)


class HastyApi:
    """The requests of one Hasty project."""

    def __init__(
        self,
        transport: Transport,
        project_id: str,
        routes: Mapping[str, str] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        unknown = set(routes or {}) - set(ROUTES)
        if unknown:
            raise ConfigError(f"unknown Hasty routes in the settings: {', '.join(sorted(unknown))}")
        paths = dict(routes or {})
        self.routes = Routes({n: (m, paths.get(n, p)) for n, (m, p) in ROUTES.items()})
        self.t = transport
        self.project_id = str(project_id)
        self.page_size = max(1, min(int(page_size), PAGE_SIZE))
        self.clock = ServerClock()

    # -- requests -------------------------------------------------------------------------
    def where(self, name: str) -> str:
        """How messages name an operation: ``"GET /v1/projects/{project_id}/images"``."""
        route = self.routes[name]
        return f"{route.method} {route.template}"

    def call(self, name: str, *, params: Any = None, body: Any = None, **ids: Any) -> Any:
        """One request without retries: the decoded answer, None for an empty one (204)."""
        route = self.routes[name]
        path = route.path(project_id=self.project_id, **ids)
        response = self.t.request(route.method, path, params=params, json=body, retry=False)
        self.clock.observe(response.headers)
        if response.status_code == 204 or not response.content:
            return None
        return self.t.decode_json(response, self.t.route(route.method, path))

    def retried(self, name: str, *, params: Any = None, body: Any = None, **ids: Any) -> Any:
        """``call`` retried per the policy: for reads and writes that are safe to repeat."""
        return self.t.policy.run(
            lambda: self.call(name, params=params, body=body, **ids), _log_retry
        )

    def object(self, name: str, **ids: Any) -> Mapping[str, Any]:
        return shapes.obj(self.retried(name, **ids), self.where(name))

    def paged(self, name: str, params: Mapping[str, Any] | None = None, **ids: Any) -> Iterator:
        """Items of a paged list: ``offset`` advances by what came back, up to meta.total."""
        where = self.where(name)

        def page(cursor: str | None) -> tuple[list[Mapping[str, Any]], str | None]:
            offset = int(cursor or 0)
            query = {**dict(params or {}), "offset": offset, "limit": self.page_size}
            body = self.retried(name, params=query, **ids)
            items = shapes.items(body, where, key="items")
            total = shapes.integer(shapes.member(body, "meta", where, {}), "total", where, 0)
            following = offset + len(items)
            return items, str(following) if items and following < total else None

        for items in cursor_pages(page):
            yield from items

    def plain_list(self, name: str, **ids: Any) -> list[Mapping[str, Any]] | None:
        """A list that may come bare or under ``items``; None when the route is missing."""
        try:
            body = self.retried(name, **ids)
        except NotFoundError:
            log.info("no %s on this server (%s)", name, self.routes[name].template)
            return None
        key = "items" if isinstance(body, Mapping) else None
        return list(shapes.items(body, self.where(name), key=key))

    def labels(self, image_id: str) -> list[Label]:
        return list(self.paged("image_labels", image_id=image_id))

    def _verified(self, write: Callable[[], bool], applied: Callable[[], bool | None]) -> None:
        policy = self.t.policy
        write_then_verify(
            write,
            applied,
            attempts=policy.attempts,
            sleep=policy.sleeper,
            wait=lambda attempt: policy.delay(attempt, None),
            on_retry=lambda attempt, exc: log.warning("write %d failed: %s", attempt + 1, exc),
        )

    # -- label batches --------------------------------------------------------------------
    def delete_labels(self, image_id: str, label_ids: list[str]) -> None:
        """DELETE (204) in batches; after a lost answer, look at what is still there."""
        for chunk in chunked(label_ids, BATCH_LIMIT):
            self._delete_chunk(image_id, set(chunk))

    def _delete_chunk(self, image_id: str, ids: set[str]) -> None:
        def write() -> bool:
            body = [{"id": i} for i in sorted(ids)]
            self.call("delete_labels", body=body, image_id=image_id)
            return True

        def applied() -> bool | None:
            still = {str(x.get("id")) for x in self.labels(image_id)}
            return True if not ids & still else None

        self._verified(write, applied)

    def edit_labels(self, image_id: str, items: list[Label]) -> list[Label]:
        """Full-label edits (``PUT``, each naming its label by ``id``), answered in order."""
        out: list[Label] = []
        where = self.where("edit_labels")
        for chunk in chunked(items, BATCH_LIMIT):
            body = self.retried("edit_labels", body=list(chunk), image_id=image_id)
            answered = {str(x.get("id")): x for x in shapes.items(body, where, key="items")}
            missing = [str(x["id"]) for x in chunk if str(x["id"]) not in answered]
            if missing:
                raise ProtocolError(f"{where}: no answer for label(s) {', '.join(missing)}", where)
            out.extend(answered[str(x["id"])] for x in chunk)
        return out

    def create_labels(self, image_id: str, items: list[Label]) -> dict[str, Label]:
        """POST in batches; the created labels by ``external_id``, never made twice."""
        created: dict[str, Label] = {}
        for chunk in chunked(items, BATCH_LIMIT):
            wanted = [str(x["external_id"]) for x in chunk]
            self._create_chunk(image_id, list(chunk), wanted, created)
        return created

    def _create_chunk(
        self, image_id: str, chunk: list[Label], wanted: list[str], created: dict[str, Label]
    ) -> None:
        where = self.where("create_labels")
        timed_out = False

        def write() -> bool:
            nonlocal timed_out
            if timed_out:
                raise TransientError(
                    f"Hasty did not answer in time while saving labels of image {image_id}; "
                    "they are looked up again at the next sync"
                )
            pending = [x for x in chunk if str(x["external_id"]) not in created]
            try:
                body = self.call("create_labels", body=pending, image_id=image_id)
                answer = shapes.items(body, where, key="items")
            except TransientError as exc:
                timed_out = isinstance(exc.__cause__, httpx.TimeoutException)
                raise
            except ProtocolError as exc:  # an answer mangled on the way: it may have landed
                raise TransientError(str(exc)) from exc
            for item in answer:
                if item.get("external_id"):
                    created[str(item["external_id"])] = item
            if any(x not in created for x in wanted):
                raise TransientError(f"{where}: the answer lacks some of the created labels")
            return True

        def applied() -> bool | None:
            for label in self.labels(image_id):
                if str(label.get("external_id")) in wanted:
                    created.setdefault(str(label["external_id"]), label)
            return True if all(x in created for x in wanted) else None

        self._verified(write, applied)

    # -- image tags -----------------------------------------------------------------------
    def tags(self, image_id: str) -> list[Label]:
        return list(self.paged("image_tags", image_id=image_id))

    def change_tags(self, image_id: str, add: list[str], drop: list[str]) -> list[Label]:
        """Take the tags ``drop`` (tag ids) off an image and put the tag classes ``add`` on
        it; after a lost answer, the image's tags say whether it landed (adding a tag class
        the image has already adds nothing). The image's tags afterwards."""
        if drop:
            self._drop_tags(image_id, drop)
        for chunk in chunked(add, BATCH_LIMIT):
            self._add_tags(image_id, list(chunk))
        return self.tags(image_id)

    def _drop_tags(self, image_id: str, drop: list[str]) -> None:
        gone = set(drop)
        body = [{"tag_id": tag_id} for tag_id in drop]

        def write() -> bool:
            self.call("delete_image_tags", body=body, image_id=image_id)
            return True

        def applied() -> bool | None:
            return True if not gone & {str(t.get("id")) for t in self.tags(image_id)} else None

        self._verified(write, applied)

    def _add_tags(self, image_id: str, class_ids: list[str]) -> None:
        wanted = set(class_ids)

        def write() -> bool:
            body = [{"tag_class_id": cid} for cid in class_ids]
            self.call("add_image_tags", body=body, image_id=image_id)
            return True

        def applied() -> bool | None:
            have = {str(t.get("tag_class_id")) for t in self.tags(image_id)}
            return True if wanted <= have else None

        self._verified(write, applied)

    def set_values(self, label_id: str, wanted: Mapping[str, Any], have: list[Any]) -> list[Any]:
        """POST each attribute value that differs from the server's; the new value list."""
        items = {str(v.get("id")): v for v in have if isinstance(v, Mapping)}
        for attribute_id, value in wanted.items():
            if items.get(attribute_id, {}).get("value") == value:
                continue
            body = self.retried(
                "label_attribute",
                body={"value": value},
                label_id=label_id,
                attribute_id=attribute_id,
            )
            items[attribute_id] = shapes.obj(body, self.where("label_attribute"))
        return list(items.values())
