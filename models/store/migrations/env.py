"""Alembic environment: migrations run on the connection that ``models.store`` hands over.

That connection is already inside the store's ``BEGIN IMMEDIATE`` transaction, so Alembic
sees an external transaction and adds none of its own: every migration step of one
upgrade commits together, after the write lock was taken and before anyone else can
read the version in between.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
