"""Counts of live annotations per class and kind, and of images per status, kept by SQLite.

``limner info`` used to count a million annotation rows on every call (seconds). These two
small tables hold the same numbers and triggers keep them exact in the transaction of
every write to ``image`` or ``annotation``, whichever code makes it: an edit, its undo, an
import, a pull, a deletion, a cascade from a deleted image or a class set to NULL. Triggers
rather than code in each command, because a count that one forgotten writer leaves wrong is
worse than no count at all.

- ``annotation_tally``: one row per (class_id, kind) of annotations with ``deleted = 0``;
  class_id 0 stands for annotations without a class (a NULL cannot take part in the key).
- ``image_tally``: one row per (status, unreadable) where unreadable is ``error IS NOT
  NULL``.

A later migration that rebuilds ``image`` or ``annotation`` (``batch_alter_table`` copies
the table, and SQLite drops a table's triggers with it) must create these triggers again.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ANN_PLUS = (
    "INSERT INTO annotation_tally(class_id, kind, n)"
    " SELECT COALESCE(NEW.class_id, 0), NEW.kind, 1 WHERE NEW.deleted = 0"
    " ON CONFLICT(class_id, kind) DO UPDATE SET n = n + 1;"
)
_ANN_MINUS = (
    "UPDATE annotation_tally SET n = n - 1"
    " WHERE OLD.deleted = 0 AND class_id = COALESCE(OLD.class_id, 0) AND kind = OLD.kind;"
)
_IMG_PLUS = (
    "INSERT INTO image_tally(status, unreadable, n)"
    " SELECT NEW.status, NEW.error IS NOT NULL, 1 WHERE 1"
    " ON CONFLICT(status, unreadable) DO UPDATE SET n = n + 1;"
)
_IMG_MINUS = (
    "UPDATE image_tally SET n = n - 1"
    " WHERE status = OLD.status AND unreadable = (OLD.error IS NOT NULL);"
)
TRIGGERS = {
    "tally_annotation_insert": f"AFTER INSERT ON annotation BEGIN {_ANN_PLUS} END",
    "tally_annotation_delete": f"AFTER DELETE ON annotation BEGIN {_ANN_MINUS} END",
    "tally_annotation_update": (
        "AFTER UPDATE OF deleted, class_id, kind ON annotation"
        f" BEGIN {_ANN_MINUS} {_ANN_PLUS} END"
    ),
    "tally_image_insert": f"AFTER INSERT ON image BEGIN {_IMG_PLUS} END",
    "tally_image_delete": f"AFTER DELETE ON image BEGIN {_IMG_MINUS} END",
    "tally_image_update": (
        f"AFTER UPDATE OF status, error ON image BEGIN {_IMG_MINUS} {_IMG_PLUS} END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "annotation_tally",
        sa.Column("class_id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "image_tally",
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("unreadable", sa.Integer, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.execute(
        "INSERT INTO annotation_tally(class_id, kind, n)"
        " SELECT COALESCE(class_id, 0), kind, COUNT(*) FROM annotation WHERE deleted = 0"
        " GROUP BY 1, 2"
    )
    op.execute(
        "INSERT INTO image_tally(status, unreadable, n)"
        " SELECT status, error IS NOT NULL, COUNT(*) FROM image GROUP BY 1, 2"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_table("image_tally")
    op.drop_table("annotation_tally")
