"""Keep each image's live annotation count on the image row.

The image list shows a count per row and sorts/filters by it; counting a million
annotations per page is too slow, so the count is kept by the commands that change it.
Existing projects get it backfilled here.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("image") as batch:
        batch.add_column(
            sa.Column("annotation_count", sa.Integer, nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE image SET annotation_count = ("
        " SELECT COUNT(*) FROM annotation"
        " WHERE annotation.image_id = image.id AND annotation.deleted = 0)"
    )
