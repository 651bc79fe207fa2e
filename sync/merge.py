"""Applying what the remote says to the local project, without overwriting local edits.

For each annotation the engine knows the revision and the content hash last synced
(``remote_ref``). A remote change is applied when the local annotation is clean; when
both sides changed it, the local version stays and the remote one is recorded as a
conflict for the user. Everything here runs inside one transaction per pulled batch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from models import schema, sync_store, tx
from models.entities import NewAnnotation
from models.geometry import Geometry, geometry_from_json, geometry_to_json
from models.store import ChangeSet
from sync.adapters.base import Region

ann = schema.annotation


@dataclass(slots=True)
class MergeStats:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: int = 0
    status_changed: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LocalState:
    uuid: str
    rev: int
    deleted: bool
    geometry: Geometry
    class_id: int | None
    attributes: Mapping[str, Any]


def local_states(conn: Connection, image_id: int) -> dict[str, LocalState]:
    rows = conn.execute(select(ann).where(ann.c.image_id == image_id))
    return {
        r.uuid: LocalState(
            r.uuid,
            r.rev,
            bool(r.deleted),
            geometry_from_json(json.loads(r.geometry)),
            r.class_id,
            json.loads(r.attributes),
        )
        for r in rows
    }


def region_payload(region: Region | None) -> dict[str, Any]:
    if region is None:
        return {"deleted": True}
    return {
        "geometry": geometry_to_json(region.geometry),
        "class_name": region.class_name,
        "attributes": dict(region.attributes),
    }


def region_from_payload(uuid: str, payload: Mapping[str, Any]) -> Region | None:
    if payload.get("deleted"):
        return None
    return Region(
        uuid,
        payload.get("class_name"),
        geometry_from_json(payload["geometry"]),
        dict(payload.get("attributes") or {}),
    )


def region_hash(region: Region | None) -> str | None:
    if region is None:
        return None
    return sync_store.content_hash(region.geometry, region.class_name, region.attributes)


class Merger:
    """Writes remote regions into one image, honouring local edits (see module doc)."""

    def __init__(
        self,
        conn: Connection,
        changes: ChangeSet,
        remote_id: int,
        class_ids: Mapping[str, int],
        source: str,
    ) -> None:
        self.conn = conn
        self.changes = changes
        self.remote_id = remote_id
        self.class_ids = class_ids
        self.class_names = {v: k for k, v in class_ids.items()}
        self.source = source
        self.stats = MergeStats()

    def local_hash(self, state: LocalState) -> str | None:
        if state.deleted:
            return None
        return sync_store.content_hash(
            state.geometry,
            self.class_names.get(state.class_id) if state.class_id else None,
            state.attributes,
        )

    def merge_regions(self, image_id: int, regions: Sequence[Region], version: str | None) -> None:
        locals_ = local_states(self.conn, image_id)
        refs = sync_store.refs_for_image(self.conn, self.remote_id, image_id)
        seen: set[str] = set()
        for region in regions:
            seen.add(region.uuid)
            self._merge_one(
                image_id, region, locals_.get(region.uuid), refs.get(region.uuid), version
            )
        for uuid, ref in refs.items():
            if uuid in seen or ref.synced_hash is None:
                continue
            self._merge_one(image_id, None, locals_.get(uuid), ref, version)

    def _merge_one(
        self,
        image_id: int,
        region: Region | None,
        local: LocalState | None,
        ref: sync_store.RefRecord | None,
        version: str | None,
    ) -> None:
        remote_hash = region_hash(region)
        uuid = region.uuid if region is not None else (local.uuid if local else "")
        if local is None:
            if region is None:
                return
            self._create(image_id, region, version)
            return
        if ref is not None and ref.synced_hash == remote_hash:
            return  # the remote did not change this one since the last sync
        local_dirty = ref is None or local.rev > ref.synced_rev
        if local_dirty:
            if self.local_hash(local) == remote_hash:
                self._saved(uuid, local.rev, remote_hash, version)
                return
            sync_store.add_conflict(
                self.conn,
                self.remote_id,
                "annotation",
                uuid,
                image_id,
                region_payload(region),
                version,
                "deleted on the server, changed here"
                if region is None
                else "changed here and on the server",
            )
            self.stats.conflicts += 1
            return
        self.apply(image_id, uuid, region, local, version)

    def _create(self, image_id: int, region: Region, version: str | None) -> None:
        class_id = self.class_ids.get(region.class_name) if region.class_name else None
        tx.insert_annotation(
            self.conn,
            self.changes,
            NewAnnotation(
                region.uuid,
                image_id,
                class_id,
                region.geometry,
                region.attributes,
                source=self.source,
            ),
            author=self.source,
        )
        self._saved(region.uuid, 1, region_hash(region), version)
        self.stats.created += 1

    def apply(
        self,
        image_id: int,
        uuid: str,
        region: Region | None,
        local: LocalState | None,
        version: str | None,
    ) -> None:
        """Make the local annotation equal the remote region (None = deleted remotely)."""
        if region is None:
            if local is not None and not local.deleted:
                tx.set_annotation_deleted(self.conn, self.changes, uuid, True)
                self.stats.deleted += 1
        elif local is None:
            self._create(image_id, region, version)
            return
        else:
            if local.deleted:
                tx.set_annotation_deleted(self.conn, self.changes, uuid, False)
            tx.update_annotation(
                self.conn,
                self.changes,
                uuid,
                {
                    "geometry": region.geometry,
                    "class_id": self.class_ids.get(region.class_name)
                    if region.class_name
                    else None,
                    "attributes": dict(region.attributes),
                },
            )
            self.stats.updated += 1
        rev = self.conn.execute(select(ann.c.rev).where(ann.c.uuid == uuid)).scalar_one()
        self._saved(uuid, rev, region_hash(region), version)

    def _saved(self, uuid: str, rev: int, digest: str | None, version: str | None) -> None:
        sync_store.save_ref(
            self.conn,
            self.remote_id,
            "annotation",
            uuid,
            synced_rev=rev,
            synced_hash=digest,
            remote_key=uuid,
            remote_version=version,
        )
