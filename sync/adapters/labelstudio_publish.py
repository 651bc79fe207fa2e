"""Publishing to Label Studio: make the project, list what it holds, upload images.

An upload is two requests. The files go first, to the import API without making tasks
(``commit_to_project=false``): a retried or repeated file upload only leaves an unused
file on the server, never a task. The tasks are then made in one JSON import whose data
carry limner's image id and content hash next to the image's address, so every task
says which local image it is the moment it exists. That second request is never retried
blindly: when its answer is lost the caller lists the project again and finds the tasks
that were made by the id in their data.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.sync import shapes
from limner.sync.adapters.labelstudio import META_KEY, LabelStudioAuth
from limner.sync.adapters.labelstudio_config import parse_label_config
from limner.sync.adapters.labelstudio_config_gen import generate_label_config
from limner.sync.errors import ProtocolError
from limner.sync.publish import Existing, LocalImage, Uploaded, class_kind_counts, store_remote
from limner.sync.transport import Transport

#: Keys of a task's data that say which limner image it is.
IMAGE_ID_KEY = "limner_image"
HASH_KEY = "limner_hash"
PAGE_SIZE = 100


def task_name(url: str) -> str:
    """The file name of an image as Label Studio shows it (without its upload prefix)."""
    name = unquote(Path(urlsplit(url).path).name)
    if "-" in name and url.startswith("/data/upload/"):
        name = name.split("-", 1)[1]
    return name


class LabelStudioPublisher:
    """The server side of a publish to one Label Studio project."""

    kind = "labelstudio"

    def __init__(self, transport: Transport, project_id: int | None = None) -> None:
        self.t = transport
        self.project_id = project_id
        self.image_key = "image"

    def create_project(self, title: str, label_config: str) -> int:
        body = self.t.request(
            "POST", "/api/projects/", json={"title": title, "label_config": label_config}
        )
        project = shapes.obj(Transport.decode_json(body, "POST /api/projects/"), "project")
        self.project_id = shapes.integer(project, "id", "POST /api/projects/")
        return self.project_id

    def label_config(self) -> str:
        project = self.t.get_object(f"/api/projects/{self.project_id}/")
        xml = str(project.get("label_config") or "")
        self.image_key = parse_label_config(xml).image_key
        return xml

    def existing(self) -> list[Existing]:
        """Every task of the project, with what it says about its image."""
        out: list[Existing] = []
        page = 1
        while True:
            body = self.t.get_json(
                "/api/tasks/",
                params={"project": self.project_id, "page": page, "page_size": PAGE_SIZE},
            )
            tasks = body.get("tasks") if isinstance(body, dict) else body
            for task in tasks or []:
                out.append(self._existing(task))
            total = body.get("total") if isinstance(body, dict) else None
            if not tasks or len(tasks) < PAGE_SIZE or (total is not None and len(out) >= total):
                return out
            page += 1

    def _existing(self, task: Any) -> Existing:
        task = shapes.obj(task, "GET /api/tasks/")
        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        url = str(data.get(self.image_key) or "")
        return Existing(
            key=str(shapes.integer(task, "id", "GET /api/tasks/")),
            name=task_name(url),
            content_hash=_text(data.get(HASH_KEY)),
            image_uuid=_text(data.get(IMAGE_ID_KEY)),
            url=url,
            status=_status(task),
        )

    def upload(self, batch: Sequence[LocalImage]) -> list[Uploaded]:
        return self.create_tasks(batch, self.upload_files(batch))

    def upload_files(self, batch: Sequence[LocalImage]) -> dict[str, str]:
        """Send the files of ``batch`` (names unique within it); image uuid -> file url."""
        files = []  # a field name per file: the importer keeps one file per field
        for number, image in enumerate(batch):
            mime = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
            files.append((f"file{number}", (image.name, image.path.read_bytes(), mime)))
        route = f"/api/projects/{self.project_id}/import"
        answer = self.t.request("POST", route, params={"commit_to_project": "false"}, files=files)
        ids = shapes.obj(Transport.decode_json(answer, route), route).get("file_upload_ids")
        if not isinstance(ids, list) or len(ids) != len(batch):
            raise ProtocolError(f"POST {route}: no file upload ids for {len(batch)} files")
        listed = self.t.get_json(
            f"/api/projects/{self.project_id}/file-uploads", params={"ids": json.dumps(ids)}
        )
        by_name: dict[str, str] = {}
        for item in listed if isinstance(listed, list) else []:
            stored = str(item.get("file") or "") if isinstance(item, dict) else ""
            url = "/data/" + stored.lstrip("/")
            by_name[task_name(url)] = url
        out: dict[str, str] = {}
        for image in batch:
            url = by_name.get(image.name)
            if url is None:
                raise ProtocolError(f"the server did not list the uploaded file {image.name!r}")
            out[image.uuid] = url
        return out

    def create_tasks(self, batch: Sequence[LocalImage], urls: dict[str, str]) -> list[Uploaded]:
        """One task per image, its data naming the image: sent once, never retried here."""
        tasks = [
            {
                "data": {
                    self.image_key: urls[image.uuid],
                    IMAGE_ID_KEY: image.uuid,
                    HASH_KEY: image.content_hash or "",
                }
            }
            for image in batch
        ]
        route = f"/api/projects/{self.project_id}/import"
        answer = self.t.request(
            "POST", route, params={"return_task_ids": "true"}, json=tasks, retry=False
        )
        ids = shapes.obj(Transport.decode_json(answer, route), route).get("task_ids")
        if not isinstance(ids, list) or len(ids) != len(batch):
            raise ProtocolError(f"POST {route}: {len(batch)} tasks sent, no ids for them back")
        return [
            Uploaded(image.uuid, str(task_id), urls[image.uuid])
            for image, task_id in zip(batch, ids, strict=True)
        ]

    def close(self) -> None:
        self.t.close()


def _status(task: Mapping[str, Any]) -> str:
    """The status the adapter reads for a task, as far as the task list tells it: the one
    limner wrote in its meta, else new while nobody answered, else submitted."""
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    saved = (meta.get(META_KEY) or {}).get("status") if isinstance(meta, dict) else None
    if isinstance(saved, str):
        return saved
    done = task.get("total_annotations") or task.get("is_labeled")
    return "submitted" if done else "new"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def make_publisher(base_url: str, token: str, project_id: int | None) -> LabelStudioPublisher:
    transport = Transport(base_url, LabelStudioAuth(token), max_connections=8)
    return LabelStudioPublisher(transport, project_id)


def open_publish(
    store: ProjectStore,
    url: str,
    token: str,
    *,
    project: str | None,
    title: str | None,
    remote: sync_store.RemoteRecord | None = None,
    settings: Mapping[str, Any] | None = None,
) -> tuple[sync_store.RemoteRecord, LabelStudioPublisher, list[str]]:
    """The remote and the publisher of a publish: the server project is made (``title``)
    or taken (``project``) and stored as the project's remote, unless ``remote`` is the
    one a stopped publish stored already (then it simply continues)."""
    notes: list[str] = []
    target = make_publisher(url, token, int(remote.project_ref) if remote else None)
    if remote is None:
        if title:
            with store.read() as conn:
                classes = queries.label_classes(conn)
            generated = generate_label_config(classes, class_kind_counts(store))
            notes += [f"class {name!r} not on the server: {why}" for name, why in generated.skipped]
            project_id = target.create_project(title, generated.xml)
            notes.append(f"created Label Studio project {project_id} {title!r}")
        else:
            project_id = int(str(project))
            target.project_id = project_id
        remote = store_remote(store, "labelstudio", url, str(project_id), settings)
    target.label_config()  # the image key of an existing project's config
    return remote, target, notes
