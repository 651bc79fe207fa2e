"""The Clarifai fake's operations: one method per RPC, judging requests as Clarifai does.

Each ``rpc_<Name>`` takes the request as its proto message reads it (a dict, see
``clarifai_protos.parse_request``) and returns the HTTP status and the answer, or raises
:class:`ApiError` with Clarifai's status code. Annotation data is judged item by item as
the API judges it (``ANNOTATION_INVALID_ARGUMENT`` for a box outside [0, 1] or inverted, a
polygon of fewer than 3 points, keypoints outside the image, a mask that is no image, an
unknown concept), batches answer per item with ``MIXED_STATUS``, and task actions move
assignment and annotation statuses at once (Clarifai does part of it asynchronously).

The state (apps, concepts, inputs, annotations, tasks) lives on the fake that mixes
:class:`ClarifaiRpcs` in; every method runs under its lock.
"""

from __future__ import annotations

import base64
import copy
import io
import uuid as uuidlib
from collections.abc import Mapping
from typing import Any

from clarifai_grpc.grpc.api import resources_pb2
from PIL import Image

from tests.fakes.clarifai_protos import normalized

# -- status codes used here (clarifai.api.status.StatusCode) -------------------------------
SUCCESS, MIXED_STATUS, FAILURE, TRY_AGAIN = 10000, 10010, 10020, 10030
NOT_IMPLEMENTED = 10040
CONN_KEY_INVALID, CONN_KEY_NOT_FOUND, CONN_THROTTLED = 11008, 11009, 11005
CONN_INSUFFICIENT_SCOPES = 11007
CONN_BAD_REQUEST_FORMAT, CONN_DOES_NOT_EXIST, CONN_INVALID_REQUEST = 11100, 11101, 11102
ANN_SUCCESS, ANN_PENDING, ANN_INVALID, ANN_DENIED_PERMISSION = 24150, 24151, 24155, 24156
ANN_AWAITING_REVIEW, ANN_REVIEW_DENIED, ANN_AWAITING_CONSENSUS = 24157, 24158, 24159
ANNOTATION_STATUSES = {
    ANN_SUCCESS,
    ANN_PENDING,
    ANN_AWAITING_REVIEW,
    ANN_REVIEW_DENIED,
    ANN_AWAITING_CONSENSUS,
    24152,
    24154,
}
INPUT_DOES_NOT_EXIST, INPUT_DOWNLOAD_SUCCESS = 30102, 30000
DATABASE_DUPLICATE_KEY = 40010
TASK_IN_PROGRESS, TASK_MISSING = 54001, 54102
TA_SUCCESS, TA_PENDING, TA_AWAITING_REVIEW, TA_CONSENSUS, TA_REJECTED = (
    54200,
    54201,
    54202,
    54203,
    54204,
)
INTERNAL = 98004

DESCRIPTIONS = {
    SUCCESS: "Ok",
    MIXED_STATUS: "Mixed Success",
    FAILURE: "Failure",
    TRY_AGAIN: "Try again",
    CONN_THROTTLED: "Making too many requests",
    CONN_KEY_INVALID: "API key is invalid",
    CONN_KEY_NOT_FOUND: "API key not found",
    CONN_INSUFFICIENT_SCOPES: "Insufficient scopes",
    CONN_BAD_REQUEST_FORMAT: "Bad request format",
    CONN_DOES_NOT_EXIST: "Resource does not exist",
    CONN_INVALID_REQUEST: "Invalid request",
    ANN_INVALID: "Annotation invalid argument",
    ANN_DENIED_PERMISSION: "Annotation permission denied",
    INPUT_DOES_NOT_EXIST: "Input does not exist",
    DATABASE_DUPLICATE_KEY: "Object has a duplicate ID; another object with same ID already exist",
    TASK_MISSING: "Task does not exist",
    INTERNAL: "Internal issue",
}
DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_BATCH = 128, 1000, 128


class ApiError(Exception):
    def __init__(self, http: int, code: int, details: str = "", extra: Any = None) -> None:
        super().__init__(details)
        self.http, self.code, self.details, self.extra = http, code, details, extra


def status(code: int, details: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "description": DESCRIPTIONS.get(code, "")}
    if details:
        out["details"] = details
    out["req_id"] = uuidlib.uuid4().hex[:16]
    return out


class ClarifaiRpcs:
    """The RPCs of one account; the fake provides the state and ``now``/``add_concept``."""

    user_id: str
    app_id: str
    apps: dict[str, dict[str, Any]]
    concepts: dict[str, dict[str, Any]]
    inputs: dict[str, dict[str, Any]]
    annotations: dict[str, dict[str, Any]]
    tasks: dict[str, dict[str, Any]]
    assignments: dict[str, dict[str, Any]]
    refused: dict[str, tuple[int, str]]

    def now(self) -> str:
        raise NotImplementedError

    def add_concept(
        self, concept_id: str, name: str | None = None, keypoint_info: dict | None = None
    ) -> dict[str, Any]:
        raise NotImplementedError

    # -- helpers -------------------------------------------------------------------------
    @staticmethod
    def _page(request: Mapping[str, Any], items: list[Any]) -> list[Any]:
        page = int(request.get("page") or 1)
        per_page = int(request.get("per_page") or DEFAULT_PER_PAGE)
        if per_page > MAX_PER_PAGE:
            raise ApiError(400, CONN_INVALID_REQUEST, f"per_page must be at most {MAX_PER_PAGE}")
        return items[(page - 1) * per_page : page * per_page]

    @staticmethod
    def _ok(**payload: Any) -> tuple[int, dict[str, Any]]:
        return 200, {"status": status(SUCCESS), **payload}

    # -- users, apps ---------------------------------------------------------------------
    def rpc_GetUser(self, request: dict) -> tuple[int, dict]:
        return self._ok(user={"id": self.user_id})

    def rpc_ListApps(self, request: dict) -> tuple[int, dict]:
        return self._ok(apps=self._page(request, list(self.apps.values())))

    def rpc_ListCollaborations(self, request: dict) -> tuple[int, dict]:
        return self._ok(collaborations=[])

    def rpc_GetApp(self, request: dict) -> tuple[int, dict]:
        return self._ok(app=self.apps[request["user_app_id"]["app_id"]])

    # -- concepts ------------------------------------------------------------------------
    def rpc_ListConcepts(self, request: dict) -> tuple[int, dict]:
        items = sorted(self.concepts.values(), key=lambda c: c["id"])
        return self._ok(concepts=self._page(request, items))

    def rpc_PostConcepts(self, request: dict) -> tuple[int, dict]:
        new = request.get("concepts") or []
        for concept in new:
            if concept.get("id") in self.concepts:
                raise ApiError(400, DATABASE_DUPLICATE_KEY, f"concept {concept['id']} exists")
        made = [self.add_concept(c["id"], c.get("name"), c.get("keypoint_info")) for c in new]
        return self._ok(concepts=made)

    def rpc_PatchConcepts(self, request: dict) -> tuple[int, dict]:
        if request.get("action") != "overwrite":
            raise ApiError(400, CONN_INVALID_REQUEST, "only action 'overwrite' is supported")
        out = []
        for concept in request.get("concepts") or []:
            current = self.concepts.get(concept.get("id", ""))
            if current is None:
                raise ApiError(404, CONN_DOES_NOT_EXIST, f"concept {concept.get('id')}")
            current = {**current, **{k: v for k, v in concept.items() if k != "id"}}
            self.concepts[concept["id"]] = normalized(resources_pb2.Concept, current)
            out.append(self.concepts[concept["id"]])
        return self._ok(concepts=out)

    # -- inputs --------------------------------------------------------------------------
    def rpc_StreamInputs(self, request: dict) -> tuple[int, dict]:
        items = list(self.inputs.values())
        last = request.get("last_id")
        if last:
            ids = [i["id"] for i in items]
            if last not in ids:
                raise ApiError(400, CONN_INVALID_REQUEST, f"last_id {last} is not an input")
            items = items[ids.index(last) + 1 :]
        per_page = int(request.get("per_page") or 20)
        if per_page > MAX_PER_PAGE:
            raise ApiError(400, CONN_INVALID_REQUEST, f"per_page must be at most {MAX_PER_PAGE}")
        return self._ok(inputs=items[:per_page])

    def rpc_ListInputs(self, request: dict) -> tuple[int, dict]:
        items = list(self.inputs.values())
        if request.get("ids"):
            wanted = set(request["ids"])
            items = [i for i in items if i["id"] in wanted]
        code = (request.get("status") or {}).get("code")
        if code:
            items = [i for i in items if i["status"]["code"] == code]
        return self._ok(inputs=self._page(request, items))

    def rpc_GetInput(self, request: dict) -> tuple[int, dict]:
        item = self.inputs.get(request.get("input_id", ""))
        if item is None:
            raise ApiError(404, INPUT_DOES_NOT_EXIST, f"input {request.get('input_id')}")
        return self._ok(input=item)

    def rpc_PatchInputs(self, request: dict) -> tuple[int, dict]:
        action = request.get("action")
        if action not in ("merge", "overwrite"):
            raise ApiError(400, CONN_INVALID_REQUEST, "action must be merge or overwrite")
        out = []
        for patch in request.get("inputs") or []:
            current = self.inputs.get(patch.get("id", ""))
            if current is None:
                raise ApiError(404, INPUT_DOES_NOT_EXIST, f"input {patch.get('id')}")
            item = copy.deepcopy(current)
            metadata = (patch.get("data") or {}).get("metadata")
            if metadata is not None:
                data = item.setdefault("data", {})
                if action == "merge":
                    data["metadata"] = {**(data.get("metadata") or {}), **metadata}
                else:
                    data["metadata"] = metadata
            item["modified_at"] = self.now()
            self.inputs[item["id"]] = normalized(resources_pb2.Input, item)
            out.append(self.inputs[item["id"]])
        return self._ok(inputs=out)

    # -- annotations ---------------------------------------------------------------------
    def _visible(self, request: Mapping[str, Any]) -> list[dict[str, Any]]:
        items = sorted(self.annotations.values(), key=lambda a: (a["created_at"], a["id"]))
        ids, input_ids = request.get("ids") or [], request.get("input_ids") or []
        if ids and input_ids and len(ids) != len(input_ids):
            raise ApiError(400, CONN_INVALID_REQUEST, "ids and input_ids must match in number")
        if ids:
            items = [a for a in items if a["id"] in set(ids)]
        elif input_ids:
            items = [a for a in items if a["input_id"] in set(input_ids)]
        if request.get("task_id"):
            items = [a for a in items if a.get("task_id") == request["task_id"]]
        user_ids = request.get("user_ids") or []
        if user_ids:
            items = [
                a for a in items if (a.get("worker") or {}).get("user", {}).get("id") in user_ids
            ]
        elif not request.get("list_all_annotations"):
            items = [a for a in items if a.get("trusted")]
        return items

    def rpc_ListAnnotations(self, request: dict) -> tuple[int, dict]:
        return self._ok(annotations=self._page(request, self._visible(request)))

    def rpc_GetAnnotation(self, request: dict) -> tuple[int, dict]:
        item = self.annotations.get(request.get("annotation_id", ""))
        if item is None or item["input_id"] != request.get("input_id"):
            raise ApiError(404, CONN_DOES_NOT_EXIST, "annotation does not exist")
        return self._ok(annotation=item)

    def _check_data(self, data: Mapping[str, Any]) -> str | None:
        """Why Clarifai would refuse this annotation data (None when it is fine)."""
        regions = data.get("regions") or []
        if len(regions) > 1:
            return "each annotation should contain at most one region"
        for region in regions:
            info = region.get("region_info") or {}
            box = info.get("bounding_box")
            if box is not None:
                values = [
                    box.get(k, 0.0) for k in ("top_row", "left_col", "bottom_row", "right_col")
                ]
                if not all(0.0 <= v <= 1.0 for v in values):
                    return "bounding box coordinates must be within [0, 1]"
                if not (values[0] < values[2] and values[1] < values[3]):
                    return "top_row must be less than bottom_row, left_col less than right_col"
            polygon = info.get("polygon")
            if polygon is not None and len(polygon.get("points") or []) < 3:
                return "a polygon needs at least 3 points"
            for point in (polygon or {}).get("points") or []:
                if not (0 <= point.get("row", 0) <= 1 and 0 <= point.get("col", 0) <= 1):
                    return "polygon points must be within [0, 1]"
            for point in info.get("keypoint_locations") or []:
                if not (0 <= point.get("row", 0) <= 1 and 0 <= point.get("col", 0) <= 1):
                    return "keypoint locations must be within [0, 1]"
            mask = info.get("mask")
            if mask is not None:
                raw = (mask.get("image") or {}).get("base64")
                try:
                    Image.open(io.BytesIO(base64.b64decode(raw or ""))).verify()
                except (OSError, ValueError, SyntaxError) as exc:  # what PIL raises on bad data
                    return f"mask image is not a valid image: {exc}"
            for concept in (region.get("data") or {}).get("concepts") or []:
                if concept.get("id") not in self.concepts:
                    return f"concept {concept.get('id')} does not exist"
        for concept in data.get("concepts") or []:
            if concept.get("id") not in self.concepts:
                return f"concept {concept.get('id')} does not exist"
        return None

    def _batch(self, request: Mapping[str, Any]) -> list[dict[str, Any]]:
        items = request.get("annotations") or []
        if not 1 <= len(items) <= MAX_BATCH:
            raise ApiError(
                400, CONN_INVALID_REQUEST, f"send between 1 and {MAX_BATCH} annotations per call"
            )
        return items

    def _answer(self, results: list[tuple[dict[str, Any], bool]]) -> tuple[int, dict]:
        good = sum(1 for _, ok in results if ok)
        items = [item for item, _ in results]
        if good == len(results):
            return self._ok(annotations=items)
        if good:
            return 200, {"status": status(MIXED_STATUS), "annotations": items}
        first = items[0]["status"]["code"]
        same = all(i["status"]["code"] == first for i in items)
        raise ApiError(
            400, first if same else FAILURE, "no annotation was stored", {"annotations": items}
        )

    def _item_failure(self, item: Mapping[str, Any], code: int, details: str) -> dict[str, Any]:
        out = {k: item[k] for k in ("id", "input_id") if k in item}
        out["status"] = status(code, details)
        out["status"].pop("req_id", None)
        return out

    def rpc_PostAnnotations(self, request: dict) -> tuple[int, dict]:
        results = []
        for item in self._batch(request):
            item = dict(item)
            rid = item.get("id") or uuidlib.uuid4().hex
            item["id"] = rid
            why: tuple[int, str] | None = self.refused.get(rid)
            if why is None and item.get("input_id") not in self.inputs:
                why = (INPUT_DOES_NOT_EXIST, f"input {item.get('input_id')} does not exist")
            if why is None and rid in self.annotations:
                why = (DATABASE_DUPLICATE_KEY, f"annotation {rid} already exists")
            if why is None:
                problem = self._check_data(item.get("data") or {})
                if problem:
                    why = (ANN_INVALID, problem)
            code = (item.get("status") or {}).get("code", ANN_SUCCESS)
            if why is None and code not in ANNOTATION_STATUSES:
                why = (ANN_INVALID, f"{code} is not an annotation status")
            if why is not None:
                results.append((self._item_failure(item, *why), False))
                continue
            stamp = self.now()
            item.update(created_at=stamp, modified_at=stamp, status={"code": code})
            item["worker"] = {"user": {"id": self.user_id}}
            self.annotations[rid] = normalized(resources_pb2.Annotation, item)
            results.append((self.annotations[rid], True))
        return self._answer(results)

    def rpc_PatchAnnotations(self, request: dict) -> tuple[int, dict]:
        action = request.get("action")
        if action not in ("merge", "overwrite", "remove"):
            raise ApiError(400, CONN_INVALID_REQUEST, "action must be merge, overwrite or remove")
        results = []
        for patch in self._batch(request):
            rid = patch.get("id", "")
            current = self.annotations.get(rid)
            why = self.refused.get(rid)
            if why is None and (current is None or current["input_id"] != patch.get("input_id")):
                why = (ANN_INVALID, f"annotation {rid} of input {patch.get('input_id')} not found")
            if why is None and "data" in patch:
                problem = self._check_data(patch["data"])
                if problem:
                    why = (ANN_INVALID, problem)
            if why is not None:
                results.append((self._item_failure(patch, *why), False))
                continue
            item = copy.deepcopy(current)
            if action == "overwrite":
                if "data" in patch:
                    item["data"] = patch["data"]
            elif action == "merge":
                data = item.setdefault("data", {})
                for region in (patch.get("data") or {}).get("regions") or []:
                    regions = data.setdefault("regions", [])
                    index = next(
                        (
                            i
                            for i, r in enumerate(regions)
                            if region.get("id") and r.get("id") == region["id"]
                        ),
                        None,
                    )
                    if index is None:
                        regions.append(region)
                    else:
                        regions[index] = region
            else:
                data = item.get("data") or {}
                gone = {r.get("id") for r in (patch.get("data") or {}).get("regions") or []}
                data["regions"] = [r for r in data.get("regions") or [] if r.get("id") not in gone]
                if (
                    request.get("delete_if_empty_data")
                    and not data["regions"]
                    and not item.get("input_level")
                ):
                    del self.annotations[rid]
                    results.append((self._item_failure(patch, ANN_SUCCESS, ""), True))
                    continue
            for key in ("status", "task_id", "annotation_info"):
                if key in patch:
                    item[key] = patch[key]
            item["modified_at"] = self.now()
            self.annotations[rid] = normalized(resources_pb2.Annotation, item)
            results.append((self.annotations[rid], True))
        return self._answer(results)

    def rpc_DeleteAnnotation(self, request: dict) -> tuple[int, dict]:
        item = self.annotations.get(request.get("annotation_id", ""))
        if item is None or item["input_id"] != request.get("input_id"):
            raise ApiError(404, CONN_DOES_NOT_EXIST, "annotation does not exist")
        del self.annotations[item["id"]]
        return self._ok()

    def rpc_DeleteAnnotations(self, request: dict) -> tuple[int, dict]:
        ids, input_ids = request.get("ids") or [], request.get("input_ids") or []
        if not input_ids:
            raise ApiError(400, CONN_INVALID_REQUEST, "at least one input_ids value is required")
        if ids and len(ids) != len(input_ids):
            raise ApiError(400, CONN_INVALID_REQUEST, "ids and input_ids must match in number")
        if ids:
            for rid, input_id in zip(ids, input_ids, strict=True):
                item = self.annotations.get(rid)
                if item is None or item["input_id"] != input_id:
                    raise ApiError(404, CONN_DOES_NOT_EXIST, f"annotation {rid} does not exist")
            for rid in ids:
                del self.annotations[rid]
        else:  # every annotation of those inputs (Clarifai's documented behaviour)
            for item in list(self.annotations.values()):
                if item["input_id"] in input_ids and not item.get("input_level"):
                    del self.annotations[item["id"]]
        return self._ok()

    def rpc_PostAnnotationsSearches(self, request: dict) -> tuple[int, dict]:
        searches = request.get("searches") or []
        if len(searches) != 1:
            raise ApiError(400, CONN_INVALID_REQUEST, "send exactly one search")
        filters = ((searches[0].get("query") or {}).get("filters")) or []
        items = sorted(self.annotations.values(), key=lambda a: (a["modified_at"], a["id"]))
        for flt in filters:
            items = [a for a in items if self._matches(flt, a) != bool(flt.get("negate"))]
        pagination = request.get("pagination") or {}
        page = self._page(pagination, items)
        hits = [
            {"score": 1.0, "input": self.inputs[a["input_id"]], "annotation": a}
            for a in page
            if a["input_id"] in self.inputs
        ]
        return self._ok(hits=hits)

    @staticmethod
    def _matches(flt: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
        window = flt.get("last_updated_time_range")
        if window is not None:
            stamp = item["modified_at"]
            if window.get("start_time") and stamp < window["start_time"]:
                return False
            if window.get("end_time") and stamp > window["end_time"]:
                return False
        wanted = flt.get("annotation") or {}
        for key in ("id", "input_id", "task_id"):
            if key in wanted and item.get(key) != wanted[key]:
                return False
        if "status" in wanted and item.get("status", {}).get("code") != wanted["status"].get(
            "code"
        ):
            return False
        return True

    # -- tasks ---------------------------------------------------------------------------
    def rpc_ListTasks(self, request: dict) -> tuple[int, dict]:
        items = sorted(self.tasks.values(), key=lambda t: t["id"])
        if request.get("ids"):
            items = [t for t in items if t["id"] in request["ids"]]
        if request.get("worker_user_ids"):
            wanted = set(request["worker_user_ids"])
            items = [
                t
                for t in items
                if wanted & {w["user"]["id"] for w in t.get("worker", {}).get("workers", [])}
            ]
        if request.get("review_user_ids"):
            wanted = set(request["review_user_ids"])
            items = [
                t for t in items if wanted & {u["id"] for u in t.get("review", {}).get("users", [])}
            ]
        return self._ok(tasks=self._page(request, items))

    def rpc_GetTask(self, request: dict) -> tuple[int, dict]:
        task = self.tasks.get(request.get("task_id", ""))
        if task is None:
            raise ApiError(404, TASK_MISSING, f"task {request.get('task_id')}")
        return self._ok(task=task)

    def _assignment(self, task_id: str, input_id: str, worker: str) -> dict[str, Any]:
        stamp = self.now()
        data = {
            "id": uuidlib.uuid4().hex,
            "created_at": stamp,
            "modified_at": stamp,
            "worker": {"user": {"id": worker}},
            "input": {"id": input_id},
            "status": {"code": TA_PENDING},
        }
        item = normalized(resources_pb2.TaskAssignment, data)
        item["_task"] = task_id
        self.assignments[item["id"]] = item
        return item

    @staticmethod
    def _public(assignment: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: copy.deepcopy(v) for k, v in assignment.items() if not k.startswith("_")}
        full = inputs.get(out["input"]["id"])
        if full is not None:
            out["input"] = copy.deepcopy(full)
        return out

    def _set_annotations(self, task_id: str, input_id: str, code: int) -> None:
        for item in list(self.annotations.values()):
            if item.get("task_id") == task_id and item["input_id"] == input_id:
                changed = dict(item, status={"code": code}, modified_at=self.now())
                self.annotations[item["id"]] = normalized(resources_pb2.Annotation, changed)

    def rpc_PutTaskAssignments(self, request: dict) -> tuple[int, dict]:
        task_id = request["task_id"]
        task = self.tasks.get(task_id)
        if task is None:
            raise ApiError(404, TASK_MISSING, f"task {task_id}")
        action = request.get("action")
        me = self.user_id
        mine = [a for a in self.assignments.values() if a["_task"] == task_id]
        strategy = task.get("review", {}).get("strategy", 0)
        if action == 1:  # LABEL_START
            pending = [
                a
                for a in mine
                if a["worker"]["user"]["id"] == me and a["status"]["code"] == TA_PENDING
            ]
            if not pending:
                done = {a["input"]["id"] for a in mine if a["worker"]["user"]["id"] == me}
                wanted = task.get("metadata", {}).get("input_ids") or list(self.inputs)
                fresh = [i for i in wanted if i not in done and i in self.inputs][:10]
                pending = [self._assignment(task_id, i, me) for i in fresh]
            return self._ok(task_assignments=[self._public(a, self.inputs) for a in pending])
        if action == 10:  # REVIEW_START
            waiting = [a for a in mine if a["status"]["code"] == TA_AWAITING_REVIEW][:10]
            return self._ok(task_assignments=[self._public(a, self.inputs) for a in waiting])
        configs = {
            2: "label_submit_config",
            11: "review_approve_config",
            12: "review_request_changes_config",
            13: "review_reject_config",
        }
        if action not in configs:
            raise ApiError(400, CONN_INVALID_REQUEST, f"action {action} is not supported here")
        chosen = [
            self.assignments.get(a.get("id", ""))
            for a in (request.get(configs[action]) or {}).get("task_assignments") or []
        ]
        if action == 2 and request.get("input_id"):
            chosen += [a for a in mine if a["input"]["id"] == request["input_id"]]
        if not chosen or any(a is None or a["_task"] != task_id for a in chosen):
            raise ApiError(400, CONN_INVALID_REQUEST, "unknown task assignment")
        out = []
        for assignment in chosen:
            assert assignment is not None
            moved = self._moved(action, strategy, assignment["status"]["code"])
            if moved is None:
                out.append(assignment)  # already submitted: no-op
                continue
            assignment["status"] = {"code": moved[0]}
            assignment["modified_at"] = self.now()
            self._set_annotations(task_id, assignment["input"]["id"], moved[1])
            out.append(assignment)
        return self._ok(task_assignments=[self._public(a, self.inputs) for a in out])

    @staticmethod
    def _moved(action: int, strategy: int, current: int) -> tuple[int, int] | None:
        """(assignment status, annotation status) after ``action``; None: nothing moves."""
        if action == 2:
            if current != TA_PENDING:
                return None
            if strategy == 1:  # NONE: approved at once
                return TA_SUCCESS, ANN_SUCCESS
            if strategy == 3:  # CONSENSUS
                return TA_CONSENSUS, ANN_AWAITING_CONSENSUS
            return TA_AWAITING_REVIEW, ANN_AWAITING_REVIEW  # MANUAL
        if action == 11:
            return TA_SUCCESS, ANN_SUCCESS
        if action == 12:
            return TA_PENDING, ANN_PENDING
        return TA_REJECTED, ANN_REVIEW_DENIED
