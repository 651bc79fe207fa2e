"""New annotation kinds: rotated boxes, polylines, points, ellipses, image tags, groups.

Shapes need no new columns: their geometry is JSON, and a rotated box is a box whose JSON
carries an ``angle`` (axis-aligned boxes keep the form they always had, so every existing
row reads as the same box). What the schema gains:

- ``annotation.group_id``: annotations sharing it are one object (NULL: in no group);
- ``annotation.x0`` .. ``y1`` may be NULL: an image tag is an annotation too (so undo,
  review, the labeled count and sync treat it like a shape) but it has no extent, and a
  made-up one would match spatial queries it has nothing to do with;
- ``label_class.tag_spec``: for a class of kind ``tag``, the question it asks (one or
  several options, free text or a number) as JSON.

Changing the nullability rebuilds the annotation table (SQLite cannot alter a column in
place); every row, index and foreign key is copied as it was.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BOUNDS = ("x0", "y0", "x1", "y1")


def upgrade() -> None:
    with op.batch_alter_table("annotation") as batch:
        batch.add_column(sa.Column("group_id", sa.String(36)))
        for name in _BOUNDS:
            batch.alter_column(name, existing_type=sa.Float, nullable=True)
    with op.batch_alter_table("label_class") as batch:
        batch.add_column(sa.Column("tag_spec", sa.Text))


def downgrade() -> None:
    # Tags cannot live without a class that says what they ask, nor without bounds.
    op.execute("DELETE FROM annotation WHERE kind = 'tag'")
    with op.batch_alter_table("label_class") as batch:
        batch.drop_column("tag_spec")
    with op.batch_alter_table("annotation") as batch:
        for name in _BOUNDS:
            batch.alter_column(name, existing_type=sa.Float, nullable=False)
        batch.drop_column("group_id")
