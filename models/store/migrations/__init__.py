"""Alembic migrations of the project database (run by ``models.store`` on open)."""
