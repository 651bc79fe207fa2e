"""Suggestions keep the form their source gave them, to be written back as it came.

A prediction read from a Label Studio file or pulled from a server is a region of a
``predictions`` entry: its result items and the entry's own fields (model version, score,
and whatever else the file holds). ``raw`` keeps them as JSON, so exporting the
suggestions still open gives back the very predictions that came in rather than a
re-encoding of their geometry. Suggestions a local model made have none.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("suggestion", sa.Column("raw", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.drop_column("raw")
