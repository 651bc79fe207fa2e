"""Suggestions: shapes a model proposed, kept apart from the annotations.

A suggestion has a score and a source (the model's name and version) and stays a
suggestion until the annotator accepts it (then an annotation is made from it and
``annotation_uuid`` names it) or rejects it. Keeping them in their own table means that
nothing that reads, counts, exports or syncs annotations can mistake one for an
annotation. ``remote_key`` identifies a server's prediction, so pulling it again does not
duplicate it.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "image_id", sa.Integer, sa.ForeignKey("image.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("label_class.id", ondelete="SET NULL")),
        sa.Column("label", sa.String, nullable=False, server_default=""),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("geometry", sa.Text, nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("remote_key", sa.String),
        sa.Column("state", sa.String(16), nullable=False, server_default="open"),
        sa.Column("annotation_uuid", sa.String(36)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("image_id", "remote_key", name="uq_suggestion_remote"),
    )
    op.create_index("ix_suggestion_image_state", "suggestion", ["image_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_suggestion_image_state", table_name="suggestion")
    op.drop_table("suggestion")
