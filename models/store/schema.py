"""SQLAlchemy Core description of the project database at the newest migration.

The tables are created and changed only by the Alembic migrations in ``models/migrations``;
this module mirrors the head revision so that queries have typed columns. When a migration
changes a table, change it here too (``tests/unit/test_migrations.py`` compares both).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)

label_class = Table(
    "label_class",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("name", String, nullable=False),
    Column("color", String(9), nullable=False),
    Column("kind", String(16), nullable=False, server_default="any"),
    Column("hotkey", String(8)),
    Column("sort_order", Integer, nullable=False, server_default="0"),
    Column("attribute_schema", Text, nullable=False, server_default="[]"),
    Column("skeleton", Text),
    Column("hidden", Integer, nullable=False, server_default="0"),
    Column("locked", Integer, nullable=False, server_default="0"),
    Column("deleted", Integer, nullable=False, server_default="0"),
    Column("rev", Integer, nullable=False, server_default="1"),
    Column("tag_spec", Text),
    Index("ix_label_class_name_live", "name", unique=True, sqlite_where=text("deleted = 0")),
)

image = Table(
    "image",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("name", String, nullable=False),
    Column("path", Text, nullable=False),
    Column("content_hash", String(64)),
    Column("width", Integer),
    Column("height", Integer),
    Column("format", String(16)),
    Column("size_bytes", Integer),
    Column("status", String(16), nullable=False, server_default="new"),
    Column("error", Text),
    Column("position", Integer, nullable=False),
    Column("added_at", String(32), nullable=False),
    Column("rev", Integer, nullable=False, server_default="1"),
    Column("annotation_count", Integer, nullable=False, server_default="0"),
    Index("ix_image_position", "position"),
    Index("ix_image_status_position", "status", "position"),
    Index("ix_image_hash", "content_hash"),
    Index("ix_image_name", "name"),
)

annotation = Table(
    "annotation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE"), nullable=False),
    Column("class_id", Integer, ForeignKey("label_class.id")),
    Column("kind", String(16), nullable=False),
    Column("geometry", Text, nullable=False),
    # The bounds of the shape (NULL for an image tag, which has none).
    Column("x0", Float),
    Column("y0", Float),
    Column("x1", Float),
    Column("y1", Float),
    Column("attributes", Text, nullable=False, server_default="{}"),
    Column("z", Integer, nullable=False, server_default="0"),
    Column("hidden", Integer, nullable=False, server_default="0"),
    Column("locked", Integer, nullable=False, server_default="0"),
    Column("author", String, nullable=False, server_default=""),
    Column("source", String, nullable=False, server_default="manual"),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("deleted", Integer, nullable=False, server_default="0"),
    Column("rev", Integer, nullable=False, server_default="1"),
    Column("group_id", String(36)),
    Index("ix_annotation_image_live", "image_id", "deleted"),
    Index("ix_annotation_class", "class_id"),
)

event = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("time", String(32), nullable=False),
    Column("actor", String, nullable=False),
    Column("action", String, nullable=False),
    Column("detail", Text, nullable=False, server_default="{}"),
    Index("ix_event_time", "time"),
)

remote = Table(
    "remote",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("base_url", Text, nullable=False),
    Column("project_ref", String, nullable=False),
    Column("name", String, nullable=False, server_default=""),
    Column("settings", Text, nullable=False, server_default="{}"),
    Column("created_at", String(32), nullable=False),
)

remote_image = Table(
    "remote_image",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("remote_id", Integer, ForeignKey("remote.id", ondelete="CASCADE"), nullable=False),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE"), nullable=False),
    Column("remote_key", String, nullable=False),
    Column("remote_version", String, nullable=False, server_default=""),
    Column("container_key", String),
    Column("container_version", String),
    Column("source_url", Text),
    Column("synced_rev", Integer, nullable=False, server_default="0"),
    Column("remote_status", String(16)),
    Column("deleted_remotely", Integer, nullable=False, server_default="0"),
    Column("identity", String),
    Column("remote_state", Text),
    Column("base_review", Text),
    UniqueConstraint("remote_id", "remote_key", name="uq_remote_image_key"),
    UniqueConstraint("remote_id", "image_id", name="uq_remote_image_image"),
)

remote_ref = Table(
    "remote_ref",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("remote_id", Integer, ForeignKey("remote.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(16), nullable=False),
    Column("local_key", String, nullable=False),
    Column("remote_key", String),
    Column("remote_version", String),
    Column("synced_rev", Integer, nullable=False, server_default="0"),
    Column("synced_hash", String(64)),
    UniqueConstraint("remote_id", "entity", "local_key", name="uq_remote_ref_local"),
    Index("ix_remote_ref_remote_key", "remote_id", "entity", "remote_key"),
)

sync_cursor = Table(
    "sync_cursor",
    metadata,
    Column("remote_id", Integer, ForeignKey("remote.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String, primary_key=True),
    Column("value", Text, nullable=False),
)

conflict = Table(
    "conflict",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("remote_id", Integer, ForeignKey("remote.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(16), nullable=False),
    Column("local_key", String, nullable=False),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE")),
    Column("remote_payload", Text, nullable=False),
    Column("remote_version", String),
    Column("detail", Text, nullable=False, server_default=""),
    Column("created_at", String(32), nullable=False),
    Column("resolved_at", String(32)),
    Column("resolution", String(16)),
    Index("ix_conflict_open", "remote_id", "resolved_at"),
)

sync_problem = Table(
    "sync_problem",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("remote_id", Integer, ForeignKey("remote.id", ondelete="CASCADE"), nullable=False),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE")),
    Column("scope", String(8), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("local_key", String),
    Column("remote_key", String),
    Column("message", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("ix_sync_problem_image", "remote_id", "image_id", "scope"),
)

# -- review workflow (migration 0004) ------------------------------------------------------
status_change = Table(
    "status_change",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE"), nullable=False),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("actor", String, nullable=False),
    Column("time", String(32), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("kind", String(16), nullable=False),
    Index("ix_status_change_image", "image_id", "id"),
    Index("ix_status_change_to", "to_status", "image_id"),
)

queue = Table(
    "queue",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("assignee", String),
    Column("source", String(16), nullable=False, server_default="local"),
    Column("remote_id", Integer, ForeignKey("remote.id", ondelete="CASCADE")),
    Column("remote_key", String),
    Column("created_at", String(32), nullable=False),
)

queue_item = Table(
    "queue_item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("queue_id", Integer, ForeignKey("queue.id", ondelete="CASCADE"), nullable=False),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("queue_id", "image_id", name="uq_queue_item_image"),
    Index("ix_queue_item_position", "queue_id", "position"),
    Index("ix_queue_item_image", "image_id"),
)

remark = Table(
    "remark",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE"), nullable=False),
    Column("annotation_uuid", String(36)),
    Column("x", Float),
    Column("y", Float),
    Column("text", Text, nullable=False),
    Column("author", String, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("resolved", Integer, nullable=False, server_default="0"),
    Column("resolved_by", String),
    Column("resolved_at", String(32)),
    Column("rev", Integer, nullable=False, server_default="1"),
    Column("deleted", Integer, nullable=False, server_default="0"),
    Index("ix_remark_image_live", "image_id", "deleted"),
)

review_snapshot = Table(
    "review_snapshot",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE"), nullable=False),
    Column("status_change_id", Integer, ForeignKey("status_change.id", ondelete="SET NULL")),
    Column("reviewed_at", String(32), nullable=False),
    Column("reviewer", String, nullable=False),
    Column("decision", String(16), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("annotations", Text, nullable=False, server_default="{}"),
    Index("ix_review_snapshot_image", "image_id", "id"),
)

# Kept exact by triggers (migration 0007), read by ``limner info`` instead of counting rows.
annotation_tally = Table(
    "annotation_tally",
    metadata,
    Column("class_id", Integer, primary_key=True),  # 0: annotations without a class
    Column("kind", String(16), primary_key=True),
    Column("n", Integer, nullable=False),
)

image_tally = Table(
    "image_tally",
    metadata,
    Column("status", String(16), primary_key=True),
    Column("unreadable", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)

# What a model proposed and nobody has kept yet: never an annotation, so never synced as one.
suggestion = Table(
    "suggestion",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("image_id", Integer, ForeignKey("image.id", ondelete="CASCADE"), nullable=False),
    Column("class_id", Integer, ForeignKey("label_class.id", ondelete="SET NULL")),
    Column("label", String, nullable=False, server_default=""),
    Column("kind", String(16), nullable=False),
    Column("geometry", Text, nullable=False),
    Column("score", Float),
    Column("source", String, nullable=False),
    Column("remote_key", String),
    Column("state", String(16), nullable=False, server_default="open"),
    Column("annotation_uuid", String(36)),
    Column("created_at", String(32), nullable=False),
    Column("raw", Text),
    Index("ix_suggestion_image_state", "image_id", "state"),
    UniqueConstraint("image_id", "remote_key", name="uq_suggestion_remote"),
)
