"""The revisions read from the migration files are Alembic's own."""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory

from limner.models.store import revisions
from limner.models.store.store import _migrations_dir


def _alembic_scripts() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", _migrations_dir())
    return ScriptDirectory.from_config(cfg)


def test_head_and_known_revisions_match_alembic() -> None:
    scripts = _alembic_scripts()
    assert revisions.head_revision() == scripts.get_current_head()
    assert revisions.known_revisions() == {s.revision for s in scripts.walk_revisions()}
    assert revisions.revision_graph() == {
        s.revision: s.down_revision for s in scripts.walk_revisions()
    }
