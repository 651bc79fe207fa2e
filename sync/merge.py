"""The local side of sync: reading an image's annotations and agreements as reconciler
inputs, and writing what a plan decided into the project.

Every function here runs inside the caller's transaction; the SQL itself lives in the
project store's modules (``models.tx``, ``models.sync_store``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import geometry_from_json, geometry_to_json
from limner.models.store import schema, sync_store, tx
from limner.models.store.store import ChangeSet
from limner.sync.adapters.base import Region, RemoteRegion
from limner.sync.reconcile import Agreed, Base, Clash, LocalRegion, PullPlan

ann = schema.annotation


@dataclass(slots=True)
class MergeStats:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: int = 0
    status_changed: int = 0
    notes: list[str] = field(default_factory=list)


def local_regions(
    conn: Connection, image_id: int, class_names: Mapping[int, str]
) -> dict[str, LocalRegion]:
    """The image's annotations as the reconciler sees them (deleted ones as None)."""
    rows = conn.execute(select(ann).where(ann.c.image_id == image_id))
    out: dict[str, LocalRegion] = {}
    for r in rows:
        region = None
        if not r.deleted:
            region = Region(
                r.uuid,
                class_names.get(r.class_id) if r.class_id is not None else None,
                geometry_from_json(json.loads(r.geometry)),
                json.loads(r.attributes),
                r.group_id,
            )
        out[r.uuid] = LocalRegion(r.uuid, r.rev, region)
    return out


def bases(conn: Connection, remote_id: int, image_id: int) -> dict[str, Base]:
    refs = sync_store.refs_for_image(conn, remote_id, image_id)
    return {uuid: Base(ref.synced_rev, ref.synced_hash) for uuid, ref in refs.items()}


def region_payload(remote: RemoteRegion | None) -> dict[str, Any]:
    """A remote region as a conflict row keeps it: limner's reading and the raw form."""
    if remote is None or remote.region is None:
        return {"deleted": remote is None, "raw": remote.raw if remote else None}
    return {
        "geometry": geometry_to_json(remote.region.geometry),
        "class_name": remote.region.class_name,
        "attributes": dict(remote.region.attributes),
        "group": remote.region.group,
        "raw": remote.raw,
        "key": remote.key,
        "author": remote.author,
    }


def region_from_payload(uuid: str, payload: Mapping[str, Any]) -> Region | None:
    if payload.get("deleted") or "geometry" not in payload:
        return None
    return Region(
        uuid,
        payload.get("class_name"),
        geometry_from_json(payload["geometry"]),
        dict(payload.get("attributes") or {}),
        payload.get("group"),
    )


class LocalWriter:
    """Writes remote regions into the project, recording each new agreement."""

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
        self.source = source
        self.stats = MergeStats()

    def apply_pull(self, image_id: int, plan: PullPlan, version: str | None) -> None:
        for remote in plan.creates:
            self.create(image_id, remote, version)
        for remote in plan.updates:
            assert remote.region is not None
            self.update(remote.uuid, remote.region, remote.digest, version)
        for uuid in plan.deletes:
            self.delete(uuid, version)
        for agreed in plan.agreed:
            self.agree(agreed, version)
        for clash in plan.conflicts:
            self.conflict(image_id, clash, version)

    def create(self, image_id: int, remote: RemoteRegion, version: str | None) -> None:
        region = remote.region
        assert region is not None
        tx.insert_annotation(
            self.conn,
            self.changes,
            NewAnnotation(
                remote.uuid,
                image_id,
                self._class_id(region),
                region.geometry,
                region.attributes,
                source=self.source,
                group_id=region.group,
            ),
            author=remote.author or self.source,
        )
        self._saved(remote.uuid, remote.digest, version, remote.key)
        self.stats.created += 1

    def update(self, uuid: str, region: Region, digest: str | None, version: str | None) -> None:
        row = self.conn.execute(select(ann.c.deleted).where(ann.c.uuid == uuid)).first()
        if row is not None and row.deleted:
            tx.set_annotation_deleted(self.conn, self.changes, uuid, False)
        tx.update_annotation(
            self.conn,
            self.changes,
            uuid,
            {
                "geometry": region.geometry,
                "class_id": self._class_id(region),
                "attributes": dict(region.attributes),
                "group_id": region.group,
            },
        )
        self._saved(uuid, digest, version)
        self.stats.updated += 1

    def delete(self, uuid: str, version: str | None) -> None:
        row = self.conn.execute(select(ann.c.deleted).where(ann.c.uuid == uuid)).first()
        if row is not None and not row.deleted:
            tx.set_annotation_deleted(self.conn, self.changes, uuid, True)
            self.stats.deleted += 1
        self._saved(uuid, None, version)

    def agree(self, agreed: Agreed, version: str | None) -> None:
        sync_store.save_ref(
            self.conn,
            self.remote_id,
            "annotation",
            agreed.uuid,
            synced_rev=agreed.rev,
            synced_hash=agreed.digest,
            remote_key=agreed.uuid,
            remote_version=version,
        )

    def conflict(self, image_id: int, clash: Clash, version: str | None) -> None:
        sync_store.add_conflict(
            self.conn,
            self.remote_id,
            "annotation",
            clash.uuid,
            image_id,
            region_payload(clash.remote),
            version,
            clash.detail,
        )
        self.stats.conflicts += 1

    def _class_id(self, region: Region) -> int | None:
        return self.class_ids.get(region.class_name) if region.class_name else None

    def _saved(
        self, uuid: str, digest: str | None, version: str | None, key: str | None = None
    ) -> None:
        rev = self.conn.execute(select(ann.c.rev).where(ann.c.uuid == uuid)).scalar_one()
        sync_store.save_ref(
            self.conn,
            self.remote_id,
            "annotation",
            uuid,
            synced_rev=rev,
            synced_hash=digest,
            remote_key=key or uuid,
            remote_version=version,
        )
