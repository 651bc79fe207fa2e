"""The Hasty fake's label routes: per-image label batches, the project-wide label list and
label attribute values.

A mixin of :class:`tests.fakes.hasty_server.HastyFake`. Batches are validated whole before
anything is applied (all or nothing); an edit replaces a label in full, fields left out
becoming null; deleting an id that is not there is ignored.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from tests.fakes.hasty_rules import (
    API_USER,
    DELETE_FIELDS,
    LABEL_EDIT_FIELDS,
    LABEL_FIELDS,
    MAX_BATCH,
    TOOLS,
    VALUE_FIELDS,
    ApiError,
    _is_int,
    _is_number,
    check_bbox,
    check_fields,
    check_keypoints,
    check_mask,
    check_polygon,
    new_id,
)


class LabelRoutes:
    """Route handlers for labels and their attribute values (state lives in ``HastyFake``)."""

    labels: dict[str, dict[str, Any]]
    url: str

    # -- labels ---------------------------------------------------------------------------
    def _validate_label(
        self, project_id: str, item: Any, index: int = 0, *, edit: bool = False
    ) -> None:
        """One item of a label batch, checked like the server checks it (400 + message)."""
        where = f"item {index}"
        if not isinstance(item, dict):
            raise ApiError(400, f"{where}: must be an object")
        check_fields(item, LABEL_EDIT_FIELDS if edit else LABEL_FIELDS, where)
        if edit and not item.get("id"):
            raise ApiError(400, f"{where}: id: field required")
        if not item.get("class_id"):
            raise ApiError(400, f"{where}: class_id: field required")
        cls = self.classes.get(str(item.get("class_id")))
        if cls is None or cls["project_id"] != project_id:
            raise ApiError(
                400, f"{where}: class_id: label class {item.get('class_id')} does not exist"
            )
        bbox = check_bbox(item.get("bbox"), where)
        check_polygon(item.get("polygon"), where)
        check_mask(item.get("mask"), bbox, where)
        keypoints = item.get("keypoints")
        if keypoints is not None:
            allowed = {
                kp["id"]
                for row in self.keypoint_schema_classes
                if row["label_class_id"] == cls["id"]
                for kp in self.keypoint_schemas[row["keypoint_schema_id"]]["keypoint_classes"]
            }
            check_keypoints(keypoints, allowed, where)
        if bbox is None and item.get("polygon") is None and not keypoints:
            raise ApiError(400, f"{where}: Polygon or bounding box must be provided")
        z_index = item.get("z_index")
        if z_index is not None and not _is_int(z_index):
            raise ApiError(400, f"{where}: z_index must be an integer or null")
        tool = item.get("tool_used")
        if tool is not None and tool not in TOOLS:
            raise ApiError(400, f"{where}: tool_used: unknown value {tool!r}")
        for key in ("external_id", "external_event_id", "border_mask"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ApiError(400, f"{where}: {key} must be a string or null")

    def _keypoints_out(self, raw: list[dict[str, Any]] | None, user: str) -> list[dict[str, Any]]:
        now = self.now_iso()
        return [
            {
                "id": new_id(),
                "keypoint_class_id": p["keypoint_class_id"],
                "x": p["x"],
                "y": p["y"],
                "visible": p.get("visible", True),
                "created_by": user,
                "create_date": now,
                "updated_by": user,
                "update_date": now,
                "norder": p.get("norder", 0),
            }
            for p in raw or []
        ]

    def _store_label(self, project_id: str, image_id: str, item: dict[str, Any], user: str) -> dict:
        now = self.now_iso()
        self.created_labels += 1
        label = {
            "bbox": item.get("bbox"),
            "class_id": item["class_id"],
            "created_on": now,
            "external_event_id": item.get("external_event_id"),
            "image_id": image_id,
            "id": new_id(),
            "mask": item.get("mask"),
            "polygon": item.get("polygon"),
            "tool_used": item.get("tool_used"),
            "updated_on": now,
            "labeled_by": user,
            "z_index": item.get("z_index"),
            "border_mask": None,
            "external_id": item.get("external_id"),
            "keypoints": self._keypoints_out(item.get("keypoints"), user),
            "error": None,
            "_n": self.created_labels,
        }
        self.labels[label["id"]] = label
        self._touch(image_id)
        return self._public(label)

    def _label_out(self, label: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        out = self._public(label)
        if query.get("include_border_mask") == "true" and label.get("mask"):
            out["border_mask"] = "computed"
        return out

    def r_image_labels(
        self, method: str, query: dict, body: Any, project_id: str, image_id: str
    ) -> Any:
        self._image(project_id, image_id)
        if method == "GET":
            items = [self._label_out(label, query) for label in self.image_labels(image_id)]
            return 200, self._page(items, query, "label"), {}
        if method in ("POST", "PUT"):
            if not isinstance(body, list):
                raise ApiError(400, "the body must be a JSON array of labels")
            if len(body) > MAX_BATCH:
                raise ApiError(
                    400, f"Max number of labels per batch is {MAX_BATCH}, got {len(body)}"
                )
            for index, item in enumerate(body):
                self._validate_label(project_id, item, index, edit=method == "PUT")
            if method == "POST":
                items = [self._store_label(project_id, image_id, item, API_USER) for item in body]
                return 200, {"meta": {"object": "label", "total": len(items)}, "items": items}, {}
            return 200, self._edit_labels(image_id, body), {}
        if method == "DELETE":
            if not isinstance(body, list):
                raise ApiError(400, 'the body must be a JSON array of {"id": ...}')
            for index, item in enumerate(body):
                check_fields(item, DELETE_FIELDS, f"item {index}")
                if not item.get("id"):
                    raise ApiError(400, f"item {index}: id: field required")
            for item in body:
                label = self.labels.get(str(item["id"]))
                if label is not None and label["image_id"] == image_id:
                    self.remove_label(label["id"])
            return 204, None, {}
        return None

    def _edit_labels(self, image_id: str, body: list[dict[str, Any]]) -> dict[str, Any]:
        """A full replacement of each named label (fields left out become null)."""
        targets = []
        for item in body:
            label = self.labels.get(str(item["id"]))
            if label is None or label["image_id"] != image_id:
                raise ApiError(404, f"Label {item['id']} not found")
            targets.append((label, item))
        now = self.now_iso()
        for label, item in targets:
            for key in (
                "class_id",
                "bbox",
                "polygon",
                "mask",
                "z_index",
                "tool_used",
                "external_id",
                "external_event_id",
            ):
                label[key] = item.get(key)
            label["keypoints"] = self._keypoints_out(item.get("keypoints"), API_USER)
            label["updated_on"] = now
            label["labeled_by"] = API_USER
            self._touch(image_id)
        items = [self._public(label) for label, _ in targets]
        return {"meta": {"object": "label", "total": len(items)}, "items": items}

    def r_project_labels(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method != "GET":
            return None
        now = self.clock()
        updated = (
            self._interval(query["updated_since"], "updated_since")
            if "updated_since" in query
            else None
        )
        created = (
            self._interval(query["created_since"], "created_since")
            if "created_since" in query
            else None
        )
        statuses = self._multi(query, "image_status")
        datasets = self._multi(query, "dataset_id")
        items = []
        for label in sorted(self.labels.values(), key=lambda x: (x["created_on"], x["_n"])):
            image = self.images.get(label["image_id"])
            if image is None or image["_project_id"] != project_id:
                continue
            stamp = datetime.fromisoformat(label["updated_on"].replace("Z", "+00:00")).timestamp()
            born = datetime.fromisoformat(label["created_on"].replace("Z", "+00:00")).timestamp()
            if updated is not None and stamp < now - updated:
                continue
            if created is not None and born < now - created:
                continue
            if statuses is not None and image["status"] not in statuses:
                continue
            if datasets is not None and image["dataset_id"] not in datasets:
                continue
            if query.get("label_class_id") and label["class_id"] != query["label_class_id"]:
                continue
            items.append(
                {
                    "id": label["id"],
                    "url": self.url + image["url"],
                    "class_id": label["class_id"],
                    "class_name": self.classes.get(label["class_id"], {}).get("name"),
                    "created_by": label["labeled_by"],
                    "dataset_id": image["dataset_id"],
                    "dataset_name": image["dataset_name"],
                    "image_id": image["id"],
                    "image_name": image["name"],
                    "image_status": image["status"],
                    "status_id": image["status_id"],
                    "labeled_by": label["labeled_by"],
                    "bbox": label["bbox"],
                    "polygon": label["polygon"],
                    "mask": label["mask"],
                    "keypoint_schema_id": None,
                    "keypoint_schema_name": None,
                    "keypoint_classes": [],
                    "keypoint_labels": copy.deepcopy(label["keypoints"]),
                    "thumb_bbox": label["bbox"],
                    "thumb_polygon": label["polygon"],
                    "thumb_mask": label["mask"],
                    "thumb_keypoints": [[p["x"], p["y"]] for p in label["keypoints"]],
                }
            )
        return 200, self._page(items, query, "label"), {}

    def r_label_attributes(
        self, method: str, query: dict, body: Any, project_id: str, label_id: str
    ) -> Any:
        self._project(project_id)
        label = self.labels.get(label_id)
        if label is None:
            raise ApiError(404, "Label not found")
        if method != "GET":
            return None
        values = self.label_values.get(label_id, {})
        items = [
            {
                "id": aid,
                "label_id": label_id,
                "name": self.attributes[aid]["name"],
                "type": self.attributes[aid]["type"],
                "description": self.attributes[aid]["description"],
                "value": copy.deepcopy(value),
            }
            for aid, value in values.items()
        ]
        return 200, {"meta": {"object": "label_attribute", "total": len(items)}, "items": items}, {}

    def r_label_attribute(
        self, method: str, query: dict, body: Any, project_id: str, label_id: str, attribute_id: str
    ) -> Any:
        self._project(project_id)
        label = self.labels.get(label_id)
        attribute = self.attributes.get(attribute_id)
        if label is None or attribute is None:
            raise ApiError(404, "Label or attribute not found")
        if method != "POST":
            return None
        check_fields(body, VALUE_FIELDS)
        if "value" not in body:
            raise ApiError(400, "value: field required")
        value = body["value"]
        kind = attribute["type"]
        lov = {v["id"] for v in attribute["values"]} | {v["value"] for v in attribute["values"]}
        ok = (
            value is None
            or (kind == "BOOL" and isinstance(value, bool))
            or (kind == "INT" and _is_int(value))
            or (kind == "FLOAT" and _is_number(value))
            or (kind == "TEXT" and isinstance(value, str))
            or (kind == "SELECTION" and isinstance(value, str) and value in lov)
            or (
                kind == "MULTIPLE-SELECTION"
                and isinstance(value, list)
                and all(isinstance(v, str) and v in lov for v in value)
            )
        )
        if not ok:
            raise ApiError(
                400, f"value {value!r} is not valid for {kind} attribute {attribute['name']!r}"
            )
        self.label_values.setdefault(label_id, {})[attribute_id] = copy.deepcopy(value)
        item = {
            "id": attribute_id,
            "label_id": label_id,
            "name": attribute["name"],
            "type": kind,
            "description": attribute["description"],
            "value": value,
        }
        return 200, item, {}
