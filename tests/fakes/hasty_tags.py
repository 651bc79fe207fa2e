"""The Hasty fake's tag routes: tag groups, tag classes and the tags of each image.

As the v1 API and its official client describe them: tag classes and tag groups are
paged lists (``offset``/``limit``, ``meta.total``); a tag class names its group (id and
name); an image's tags are a paged list of ``{id, tag_class_id, tag_class_name}``;
``POST`` takes a bare array of ``{"tag_class_id"}`` (at most 100) and answers with a bare
array of the tags made; ``DELETE`` takes a bare array of ``{"tag_id", "tag_class_id"}``,
one of the two set in each, and answers 204. A tag class an image has already is not
added twice, and a tag of a single-selection group replaces the group's other tag (the
editor lets an image hold one choice of such a group).

A mixin of :class:`tests.fakes.hasty_server.HastyFake`, which holds the state.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.hasty_rules import ApiError, check_fields, new_id

_TAG_LIMIT = 100


class TagRoutes:
    """Route handlers and fixture helpers for tags (state lives in ``HastyFake``)."""

    tag_groups: dict[str, dict[str, Any]]
    tag_classes: dict[str, dict[str, Any]]
    image_tags: dict[str, dict[str, Any]]  # tag id -> tag (with image_id)

    # -- fixtures -------------------------------------------------------------------------
    def add_tag_group(self, project_id: str, name: str, type_: str = "SELECTION") -> str:
        gid = new_id()
        norder = float(len(self.tag_groups))
        self.tag_groups[gid] = {
            "id": gid,
            "name": name,
            "type": type_,
            "is_required": False,
            "norder": norder,
            "_project_id": project_id,
        }
        return gid

    def add_tag_class(self, project_id: str, name: str, group_id: str | None = None) -> str:
        cid = new_id()
        group = self.tag_groups.get(group_id or "")
        self.tag_classes[cid] = {
            "id": cid,
            "name": name,
            "norder": float(len(self.tag_classes)),
            "tag_group_id": group["id"] if group else None,
            "tag_group_name": group["name"] if group else None,
            "_project_id": project_id,
        }
        return cid

    def add_image_tag(self, image_id: str, tag_class_id: str) -> dict[str, Any]:
        """A tag put on an image by someone else (the editor's rules apply)."""
        (made,) = self._add_tags(image_id, [tag_class_id])
        return made

    def tags_of(self, image_id: str) -> list[dict[str, Any]]:
        return [dict(t) for t in self.image_tags.values() if t["image_id"] == image_id]

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def _listed(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def _tag_out(self, tag: dict[str, Any]) -> dict[str, Any]:
        return {k: tag[k] for k in ("id", "tag_class_id", "tag_class_name")}

    def _add_tags(self, image_id: str, class_ids: list[str]) -> list[dict[str, Any]]:
        made: list[dict[str, Any]] = []
        for cid in class_ids:
            cls = self.tag_classes[cid]
            have = [t for t in self.image_tags.values() if t["image_id"] == image_id]
            if any(t["tag_class_id"] == cid for t in have):
                continue
            group = self.tag_groups.get(cls["tag_group_id"] or "")
            if group is not None and group["type"] == "SELECTION":
                for tag in have:
                    if self.tag_classes[tag["tag_class_id"]]["tag_group_id"] == group["id"]:
                        del self.image_tags[tag["id"]]
            tid = new_id()
            self.image_tags[tid] = {
                "id": tid,
                "tag_class_id": cid,
                "tag_class_name": cls["name"],
                "image_id": image_id,
            }
            made.append(self._tag_out(self.image_tags[tid]))
        return made

    # -- routes ---------------------------------------------------------------------------
    def r_tag_classes(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)  # type: ignore[attr-defined]
        if method != "GET":
            return None
        items = [
            self._listed(c) for c in self.tag_classes.values() if c["_project_id"] == project_id
        ]
        return 200, self._page(items, query, "tag_class"), {}  # type: ignore[attr-defined]

    def r_tag_groups(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)  # type: ignore[attr-defined]
        if method != "GET":
            return None
        items = [
            self._listed(g) for g in self.tag_groups.values() if g["_project_id"] == project_id
        ]
        return 200, self._page(items, query, "tag_group"), {}  # type: ignore[attr-defined]

    def r_image_tags(
        self, method: str, query: dict, body: Any, project_id: str, image_id: str
    ) -> Any:
        self._image(project_id, image_id)  # type: ignore[attr-defined]
        if method == "GET":
            items = [self._tag_out(t) for t in self.tags_of(image_id)]
            return 200, self._page(items, query, "tag"), {}  # type: ignore[attr-defined]
        if not isinstance(body, list):
            raise ApiError(400, "body: must be an array")
        if len(body) > _TAG_LIMIT:
            raise ApiError(400, f"Max number of tags per batch is {_TAG_LIMIT}")
        if method == "POST":
            wanted = []
            for entry in body:
                check_fields(entry, frozenset({"tag_class_id"}), "tag")
                cid = entry.get("tag_class_id")
                cls = self.tag_classes.get(str(cid))
                if cls is None or cls["_project_id"] != project_id:
                    raise ApiError(400, f"tag_class_id: unknown tag class {cid}")
                wanted.append(str(cid))
            return 200, self._add_tags(image_id, wanted), {}
        if method == "DELETE":
            for entry in body:
                check_fields(entry, frozenset({"tag_id", "tag_class_id"}), "tag")
                if not entry.get("tag_id") and not entry.get("tag_class_id"):
                    raise ApiError(400, "tag_id or tag_class_id: one is required")
            for entry in body:
                for tag in self.tags_of(image_id):
                    if tag["id"] == entry.get("tag_id") or tag["tag_class_id"] == entry.get(
                        "tag_class_id"
                    ):
                        self.image_tags.pop(tag["id"], None)
            return 204, None, {}
        return None
