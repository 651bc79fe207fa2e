"""Tables of the sync engine: remotes, links to remote objects, cursors, conflicts, issues.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("base_url", sa.Text, nullable=False),
        sa.Column("project_ref", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False, server_default=""),
        sa.Column("settings", sa.Text, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "remote_image",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "remote_id", sa.Integer, sa.ForeignKey("remote.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "image_id", sa.Integer, sa.ForeignKey("image.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("remote_key", sa.String, nullable=False),
        sa.Column("remote_version", sa.String, nullable=False, server_default=""),
        sa.Column("container_key", sa.String),
        sa.Column("container_version", sa.String),
        sa.Column("source_url", sa.Text),
        sa.Column("synced_rev", sa.Integer, nullable=False, server_default="0"),
        sa.Column("remote_status", sa.String(16)),
        sa.Column("deleted_remotely", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("remote_id", "remote_key", name="uq_remote_image_key"),
        sa.UniqueConstraint("remote_id", "image_id", name="uq_remote_image_image"),
    )
    op.create_table(
        "remote_ref",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "remote_id", sa.Integer, sa.ForeignKey("remote.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("local_key", sa.String, nullable=False),
        sa.Column("remote_key", sa.String),
        sa.Column("remote_version", sa.String),
        sa.Column("synced_rev", sa.Integer, nullable=False, server_default="0"),
        sa.Column("synced_hash", sa.String(64)),
        sa.UniqueConstraint("remote_id", "entity", "local_key", name="uq_remote_ref_local"),
    )
    op.create_index("ix_remote_ref_remote_key", "remote_ref", ["remote_id", "entity", "remote_key"])
    op.create_table(
        "sync_cursor",
        sa.Column(
            "remote_id", sa.Integer, sa.ForeignKey("remote.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "conflict",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "remote_id", sa.Integer, sa.ForeignKey("remote.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("local_key", sa.String, nullable=False),
        sa.Column("image_id", sa.Integer, sa.ForeignKey("image.id", ondelete="CASCADE")),
        sa.Column("remote_payload", sa.Text, nullable=False),
        sa.Column("remote_version", sa.String),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("resolved_at", sa.String(32)),
        sa.Column("resolution", sa.String(16)),
    )
    op.create_index("ix_conflict_open", "conflict", ["remote_id", "resolved_at"])
    op.create_table(
        "sync_issue",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "remote_id", sa.Integer, sa.ForeignKey("remote.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("local_key", sa.String, nullable=False),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("remote_id", "entity", "local_key", name="uq_sync_issue_entity"),
    )
