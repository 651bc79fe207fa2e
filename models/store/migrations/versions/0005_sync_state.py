"""Sync keeps what the server sent: remote state, object identity, problems per region.

``remote_image`` gains ``remote_state`` (the adapter's exact record of the remote object, as
it came, so that untouched regions can be sent back as they were), ``identity`` (what tells
this object apart from a later one that reuses its id) and ``base_review`` (the review both
sides last agreed on, so that a review changed on both sides is a conflict, not an
overwrite). ``sync_problem`` replaces ``sync_issue``: one row per problem and region, kept
until what it describes is resolved, where ``sync_issue`` held one row per image.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remote_image") as batch:
        batch.add_column(sa.Column("identity", sa.String))
        batch.add_column(sa.Column("remote_state", sa.Text))
        batch.add_column(sa.Column("base_review", sa.Text))
    op.create_table(
        "sync_problem",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "remote_id", sa.Integer, sa.ForeignKey("remote.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("image_id", sa.Integer, sa.ForeignKey("image.id", ondelete="CASCADE")),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("local_key", sa.String),
        sa.Column("remote_key", sa.String),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_sync_problem_image", "sync_problem", ["remote_id", "image_id", "scope"])
    op.execute(
        "INSERT INTO sync_problem"
        " (remote_id, image_id, scope, kind, local_key, message, created_at) "
        "SELECT i.remote_id, (SELECT image.id FROM image WHERE image.uuid = i.local_key), 'push', "
        "'error', i.local_key, i.message, i.created_at FROM sync_issue AS i"
    )
    op.drop_table("sync_issue")


def downgrade() -> None:
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
    op.drop_index("ix_sync_problem_image", "sync_problem")
    op.drop_table("sync_problem")
    with op.batch_alter_table("remote_image") as batch:
        batch.drop_column("base_review")
        batch.drop_column("remote_state")
        batch.drop_column("identity")
