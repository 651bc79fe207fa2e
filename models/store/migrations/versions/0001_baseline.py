"""Baseline schema: classes, images, annotations, provenance events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "label_class",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("color", sa.String(9), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="any"),
        sa.Column("hotkey", sa.String(8)),
        sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
        sa.Column("attribute_schema", sa.Text, nullable=False, server_default="[]"),
        sa.Column("skeleton", sa.Text),
        sa.Column("hidden", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked", sa.Integer, nullable=False, server_default="0"),
        sa.Column("deleted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rev", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index(
        "ix_label_class_name_live",
        "label_class",
        ["name"],
        unique=True,
        sqlite_where=sa.text("deleted = 0"),
    )
    op.create_table(
        "image",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("format", sa.String(16)),
        sa.Column("size_bytes", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("error", sa.Text),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.Column("rev", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_image_position", "image", ["position"])
    op.create_index("ix_image_status_position", "image", ["status", "position"])
    op.create_index("ix_image_hash", "image", ["content_hash"])
    op.create_index("ix_image_name", "image", ["name"])
    op.create_table(
        "annotation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "image_id",
            sa.Integer,
            sa.ForeignKey("image.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("label_class.id")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("geometry", sa.Text, nullable=False),
        sa.Column("x0", sa.Float, nullable=False),
        sa.Column("y0", sa.Float, nullable=False),
        sa.Column("x1", sa.Float, nullable=False),
        sa.Column("y1", sa.Float, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False, server_default="{}"),
        sa.Column("z", sa.Integer, nullable=False, server_default="0"),
        sa.Column("hidden", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked", sa.Integer, nullable=False, server_default="0"),
        sa.Column("author", sa.String, nullable=False, server_default=""),
        sa.Column("source", sa.String, nullable=False, server_default="manual"),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("deleted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rev", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_annotation_image_live", "annotation", ["image_id", "deleted"])
    op.create_index("ix_annotation_class", "annotation", ["class_id"])
    op.create_table(
        "event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_event_time", "event", ["time"])
