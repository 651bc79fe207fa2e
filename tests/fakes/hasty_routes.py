"""The Hasty fake's project-level routes: workspaces, projects, datasets, uploads, label
classes, attributes, keypoint schemas and images.

A mixin of :class:`tests.fakes.hasty_server.HastyFake`, which holds the state these
handlers read and change; each handler takes ``(method, query, body, **path ids)`` and
returns ``(status, payload, headers)``, or None when the method is not allowed there.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from tests.fakes.hasty_rules import (
    API_USER,
    CLASS_FIELDS,
    DATASET_FIELDS,
    IMAGE_FIELDS,
    IMAGE_PATCH_FIELDS,
    PROJECT_FIELDS,
    STATUS_FIELDS,
    WRITABLE_STATUSES,
    ApiError,
    check_fields,
    new_id,
)


class ProjectRoutes:
    """Route handlers for everything but labels (state lives in ``HastyFake``)."""

    projects: dict[str, dict[str, Any]]
    url: str

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def _page(items: list[Any], query: dict[str, str], obj: str) -> dict[str, Any]:
        try:
            offset = int(query.get("offset", "0"))
            limit = int(query.get("limit", "100"))
        except ValueError:
            raise ApiError(400, "offset and limit must be integers") from None
        if offset < 0 or limit < 0:
            raise ApiError(400, "offset and limit must be >= 0")
        return {
            "meta": {
                "object": obj,
                "limit": limit,
                "offset": offset,
                "total": len(items),
                "search_parameters": {},
            },
            "items": items[offset : offset + limit],
        }

    def _project(self, project_id: str) -> dict[str, Any]:
        project = self.projects.get(project_id)
        if project is None:
            raise ApiError(404, "Referred object not found")
        return project

    def _image(self, project_id: str, image_id: str) -> dict[str, Any]:
        self._project(project_id)
        image = self.images.get(image_id)
        if image is None or image["_project_id"] != project_id:
            raise ApiError(404, "Image not found")
        return image

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    def _image_out(self, image: dict[str, Any]) -> dict[str, Any]:
        out = self._public(image)
        for key in ("public_url", "thumbnail_url", "url"):
            out[key] = self.url + image[key]
        return out

    def _touch(self, image_id: str) -> None:
        if self.labels_touch_image and image_id in self.images:
            self.images[image_id]["update_date"] = self.now_iso()

    @staticmethod
    def _multi(query: dict[str, str], key: str) -> set[str] | None:
        if key not in query or query[key] == "":
            return None
        return {v.strip() for v in query[key].split(",") if v.strip()}

    @staticmethod
    def _interval(value: str, what: str) -> float:
        match = re.fullmatch(r"(\d+)([mhd])", value)
        if match is None:
            raise ApiError(400, f"{what} must be an interval such as 30m, 1h or 3d")
        return int(match.group(1)) * {"m": 60, "h": 3600, "d": 86400}[match.group(2)]

    # -- workspaces and projects ----------------------------------------------------------
    def r_workspaces(self, method: str, query: dict, body: Any) -> Any:
        if method == "GET":
            return 200, self._page(list(self.workspaces.values()), query, "workspace"), {}
        return None

    def r_workspace(self, method: str, query: dict, body: Any, workspace_id: str) -> Any:
        if method == "GET":
            if workspace_id not in self.workspaces:
                raise ApiError(404, "Workspace not found")
            return 200, self.workspaces[workspace_id], {}
        return None

    def r_projects(self, method: str, query: dict, body: Any) -> Any:
        if method == "GET":
            name = query.get("name", "").lower()
            items = [self._public(p) for p in self.projects.values() if name in p["name"].lower()]
            return 200, self._page(items, query, "project"), {}
        if method == "POST":
            if not check_fields(body, PROJECT_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            content = body.get("content_type") or "IMAGES"
            if content not in ("IMAGES", "VIDEOS", "URLDATA"):
                raise ApiError(400, f"content_type: unknown value {content!r}")
            pid = self.add_project(str(body["name"]), content, body.get("description") or "")
            return 200, self._public(self.projects[pid]), {}
        return None

    def r_project(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        project = self._project(project_id)
        if method == "GET":
            return 200, self._public(project), {}
        if method == "PUT":
            if not check_fields(body, PROJECT_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            project.update(name=body["name"], description=body.get("description"))
            return 200, self._public(project), {}
        if method == "DELETE":
            del self.projects[project_id]
            return 204, None, {}
        return None

    # -- datasets and uploads -------------------------------------------------------------
    def r_datasets(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        mine = [d for d in self.datasets.values() if d["project_id"] == project_id]
        if method == "GET":
            name = query.get("name", "").lower()
            items = [copy.deepcopy(d) for d in mine if name in d["name"].lower()]
            return 200, self._page(items, query, "dataset"), {}
        if method == "POST":
            if not check_fields(body, DATASET_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            if any(d["name"] == body["name"] for d in mine):
                raise ApiError(400, f"Dataset {body['name']!r} already exists")
            did = self.add_dataset(project_id, str(body["name"]), body.get("norder") or 0)
            return 200, copy.deepcopy(self.datasets[did]), {}
        return None

    def r_dataset(
        self, method: str, query: dict, body: Any, project_id: str, dataset_id: str
    ) -> Any:
        self._project(project_id)
        dataset = self.datasets.get(dataset_id)
        if dataset is None or dataset["project_id"] != project_id:
            raise ApiError(404, "Dataset not found")
        if method == "GET":
            return 200, copy.deepcopy(dataset), {}
        if method == "PUT":
            if not check_fields(body, DATASET_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            dataset.update(name=body["name"], norder=body.get("norder"))
            return 200, copy.deepcopy(dataset), {}
        if method == "DELETE":
            del self.datasets[dataset_id]
            return 204, None, {}
        return None

    def r_uploads(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method != "GET":
            return None
        try:
            count = int(query.get("count", ""))
        except ValueError:
            raise ApiError(400, "count: field required") from None
        if not 1 <= count <= 50:
            raise ApiError(400, "count must be between 1 and 50")
        items = []
        for _ in range(count):
            upload_id = new_id()
            self.uploads[upload_id] = None
            items.append({"id": upload_id, "url": f"{self.url}/upload/{upload_id}"})
        return 200, {"meta": {"object": "upload", "total": count}, "items": items}, {}

    # -- label classes, attributes, keypoint schemas -------------------------------------
    def r_classes(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            items = [
                self._public(c) for c in self.classes.values() if c["project_id"] == project_id
            ]
            return 200, self._page(items, query, "label_class"), {}
        if method == "POST":
            if not check_fields(body, CLASS_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            if body.get("type", "object") not in ("object", "background", None):
                raise ApiError(400, f"type: unknown value {body.get('type')!r}")
            cid = self.add_label_class(
                project_id, str(body["name"]), body.get("color"), body.get("type") or "object"
            )
            self.classes[cid].update(norder=body.get("norder"), external_id=body.get("external_id"))
            return 200, self._public(self.classes[cid]), {}
        return None

    def r_class(self, method: str, query: dict, body: Any, project_id: str, class_id: str) -> Any:
        self._project(project_id)
        cls = self.classes.get(class_id)
        if cls is None or cls["project_id"] != project_id:
            raise ApiError(404, "Label class not found")
        if method == "GET":
            return 200, self._public(cls), {}
        if method == "PUT":
            if not check_fields(body, CLASS_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            for key in ("name", "description", "type", "color", "norder", "external_id"):
                if key in body:
                    cls[key] = body[key]
            return 200, self._public(cls), {}
        if method == "DELETE":
            del self.classes[class_id]
            return 204, None, {}
        return None

    def r_attributes(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            items = [
                self._public(a) for a in self.attributes.values() if a["project_id"] == project_id
            ]
            return 200, self._page(items, query, "attribute"), {}
        return None

    def r_attribute_classes(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            rows = [
                dict(r)
                for r in self.attribute_classes
                if self.attributes.get(r["attribute_id"], {}).get("project_id") == project_id
            ]
            return 200, rows, {}
        return None

    def r_keypoint_schemas(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            items = [
                copy.deepcopy(s)
                for s in self.keypoint_schemas.values()
                if s["project_id"] == project_id
            ]
            return 200, items, {}
        return None

    def r_keypoint_schema_classes(
        self, method: str, query: dict, body: Any, project_id: str
    ) -> Any:
        self._project(project_id)
        if method == "GET":
            rows = [
                dict(r)
                for r in self.keypoint_schema_classes
                if self.keypoint_schemas[r["keypoint_schema_id"]]["project_id"] == project_id
            ]
            return 200, rows, {}
        return None

    # -- images ---------------------------------------------------------------------------
    def r_images(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            for key in ("updated_since", "created_since"):
                if key in query and not re.fullmatch(r"-?\d+", query[key]):
                    raise ApiError(400, f"{key} must be an integer")
            datasets = self._multi(query, "dataset_id")
            statuses = self._multi(query, "image_status")
            status_ids = self._multi(query, "status_id")
            name = query.get("image_name", "").lower()
            items = [
                self._image_out(i)
                for i in self.images.values()
                if i["_project_id"] == project_id
                and (datasets is None or i["dataset_id"] in datasets)
                and (statuses is None or i["status"] in statuses)
                and (status_ids is None or i["status_id"] in status_ids)
                and name in i["name"].lower()
            ]
            return 200, self._page(items, query, "image"), {}
        if method == "POST":
            check_fields(body, IMAGE_FIELDS)
            for key in ("dataset_id", "filename"):
                if not body.get(key):
                    raise ApiError(400, f"{key}: field required")
            dataset = self.datasets.get(body["dataset_id"])
            if dataset is None or dataset["project_id"] != project_id:
                raise ApiError(400, "dataset_id: unknown dataset")
            upload = self.uploads.get(str(body.get("upload_id")))
            if not upload:
                raise ApiError(400, "upload_id: nothing was uploaded under this id")
            clash = [
                i
                for i in self.images.values()
                if i["dataset_id"] == body["dataset_id"] and i["name"] == body["filename"]
            ]
            if clash and query.get("replace") != "true":
                raise ApiError(400, f"Image {body['filename']!r} already exists in this dataset")
            try:
                iid = self.add_image(
                    project_id,
                    body["dataset_id"],
                    body["filename"],
                    upload,
                    external_id=body.get("external_id"),
                )
            except OSError:
                raise ApiError(400, "the uploaded file is not an image") from None
            return 200, self._image_out(self.images[iid]), {}
        return None

    def r_image(self, method: str, query: dict, body: Any, project_id: str, image_id: str) -> Any:
        image = self._image(project_id, image_id)
        if method == "GET":
            return 200, self._image_out(image), {}
        if method == "PATCH":
            check_fields(body, IMAGE_PATCH_FIELDS)
            if body.get("filename"):
                image["name"] = body["filename"]
            if body.get("dataset_id"):
                dataset = self.datasets.get(body["dataset_id"])
                if dataset is None or dataset["project_id"] != project_id:
                    raise ApiError(400, "dataset_id: unknown dataset")
                image.update(dataset_id=dataset["id"], dataset_name=dataset["name"])
            image["update_date"] = self.now_iso()
            return 200, self._image_out(image), {}
        if method == "DELETE":
            del self.images[image_id]
            for label_id in [k for k, v in self.labels.items() if v["image_id"] == image_id]:
                del self.labels[label_id]
            return 204, None, {}
        return None

    def r_image_status(
        self, method: str, query: dict, body: Any, project_id: str, image_id: str
    ) -> Any:
        image = self._image(project_id, image_id)
        if method != "PUT":
            return None
        check_fields(body, STATUS_FIELDS)
        known = self.statuses[project_id]
        if body.get("status_id") is not None:
            if body["status_id"] not in known:
                raise ApiError(400, f"status_id: unknown status {body['status_id']}")
            name = known[body["status_id"]]
            if name == "AUTO-LABELLED":
                raise ApiError(400, "status: AUTO-LABELLED cannot be set")
            image.update(status=name, status_id=body["status_id"])
        elif body.get("status") is not None:
            if body["status"] not in WRITABLE_STATUSES:
                raise ApiError(400, f"status: value is not one of {', '.join(WRITABLE_STATUSES)}")
            image.update(
                status=body["status"], status_id=self.status_id(project_id, body["status"])
            )
        else:
            raise ApiError(400, "status: field required")
        image["update_date"] = self.now_iso()
        image["updated_by"] = API_USER
        return 200, self._image_out(image), {}
