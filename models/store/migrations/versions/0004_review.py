"""Review workflow: status history, queues, pinned remarks and review snapshots.

``status_change`` keeps every status move of an image (who, when, from, to, why) so the
history can be shown and progress attributed to people. ``queue``/``queue_item`` hold
work lists, local ones made in limner and ones pulled from a remote. ``remark`` is a
reviewer's note pinned to a point or an annotation; it carries ``rev``/``deleted`` like
annotations so a remote that can hold it can be synced later. ``review_snapshot`` keeps,
per review, the state of the image's annotations (hash, geometry, class) at that moment:
that is what "changes since the last review" is measured against.

No existing table changes: the image's status and ``rev`` already say what sync pushes.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "image_id", sa.Integer, sa.ForeignKey("image.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_status_change_image", "status_change", ["image_id", "id"])
    op.create_index("ix_status_change_to", "status_change", ["to_status", "image_id"])
    op.create_table(
        "queue",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String),
        sa.Column("source", sa.String(16), nullable=False, server_default="local"),
        sa.Column("remote_id", sa.Integer, sa.ForeignKey("remote.id", ondelete="CASCADE")),
        sa.Column("remote_key", sa.String),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "queue_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "queue_id", sa.Integer, sa.ForeignKey("queue.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "image_id", sa.Integer, sa.ForeignKey("image.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("queue_id", "image_id", name="uq_queue_item_image"),
    )
    op.create_index("ix_queue_item_position", "queue_item", ["queue_id", "position"])
    op.create_index("ix_queue_item_image", "queue_item", ["image_id"])
    op.create_table(
        "remark",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "image_id", sa.Integer, sa.ForeignKey("image.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("annotation_uuid", sa.String(36)),
        sa.Column("x", sa.Float),
        sa.Column("y", sa.Float),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("resolved", sa.Integer, nullable=False, server_default="0"),
        sa.Column("resolved_by", sa.String),
        sa.Column("resolved_at", sa.String(32)),
        sa.Column("rev", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_remark_image_live", "remark", ["image_id", "deleted"])
    op.create_table(
        "review_snapshot",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "image_id", sa.Integer, sa.ForeignKey("image.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "status_change_id",
            sa.Integer,
            sa.ForeignKey("status_change.id", ondelete="SET NULL"),
        ),
        sa.Column("reviewed_at", sa.String(32), nullable=False),
        sa.Column("reviewer", sa.String, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("annotations", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_review_snapshot_image", "review_snapshot", ["image_id", "id"])


def downgrade() -> None:
    op.drop_table("review_snapshot")
    op.drop_table("remark")
    op.drop_table("queue_item")
    op.drop_table("queue")
    op.drop_table("status_change")
